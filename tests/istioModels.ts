// Validation of Istio objects as the cluster would judge them: the vendored Istio CRD file of the
// pinned version (structural schema and CEL rules) and istiod's webhook rules — the same validator
// the program runs before registering anything (components/validation). Async for its callers'
// convenience: it used to load ESM models.
import { crdIssues, fieldPathText, webhookIssues } from "../components/validation";

/** Problems of an Istio object ([] when valid), as "<field path> <message>" lines. */
export async function istioSchemaErrors(obj: { apiVersion: string; kind: string }): Promise<string[]> {
    const crd = crdIssues(obj);
    // istiod only sees what the API server admitted.
    const issues = crd.length ? crd : webhookIssues(obj);
    return issues.map((i) => `${fieldPathText(i.path)} ${i.message}`);
}

export function isIstioObject(obj: { apiVersion?: string }): obj is { apiVersion: string; kind: string } {
    return /\.istio\.io\//.test(obj.apiVersion ?? "");
}
