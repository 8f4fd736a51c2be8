// What the cluster will say about the objects a config produces, checked before anything is
// registered ("Preview is the truth" in DESIGN.md). Where a rule lives:
//   crd.ts      the API server: structural schema + CEL rules of the vendored Istio CRD file
//   cel.ts      the CEL environment the API server evaluates rules in (Kubernetes' extensions)
//   webhook/    istiod's validating webhook, a file per kind over primitives.ts (RE2 regexes,
//               hosts, ports, header names, labels, …)
//   names.ts    Kubernetes names and DNS limits of object names, labels and namespaces
//   objects.ts  every Istio object the program registers, and the way back to its config key
// Each problem names the config key that produced the field, like every other config error.
import type { StackConfig } from "../config/contract";
import { crdFileFor, crdIssues, fieldPathText } from "./crd";
import { collisions, metadataIssues } from "./names";
import { generatedIstioObjects, type GeneratedObject } from "./objects";
import { webhookIssues } from "./webhook";

export * from "./crd";
export * from "./names";
export * from "./objects";
export * from "./webhook";

export interface ObjectProblem {
    /** Config key path without the "eks-istio:" prefix. */
    at: string;
    message: string;
}

function where(g: GeneratedObject): string {
    const m = g.object.metadata;
    return `${g.object.kind} ${m.namespace ? `${m.namespace}/` : ""}${m.name}`;
}

/**
 * Every refusal the API server (CRD schema and CEL rules) or istiod's webhook would give for the
 * Istio objects of `cfg`, at the config key that produced the field. The webhook only sees objects
 * the API server admitted, so its rules run only on objects with no CRD problem.
 */
export function generatedObjectProblems(cfg: StackConfig): ObjectProblem[] {
    const out: ObjectProblem[] = [];
    const objects = generatedIstioObjects(cfg);
    // The CRDs the cluster will have: those of the Istio version the stack installs, or of every
    // version installed side by side (istio.revisions): an object must pass both control planes.
    const crdFiles = [...new Set((cfg.istio.revisions?.versions ?? [cfg.istio.version]).map(crdFileFor))];
    for (const c of collisions(objects))
        out.push({
            at: c.second.key,
            message: `yields ${c.what} as eks-istio:${c.first.key}; one would replace the other (or the engine would stop with "duplicate URN"), so change one of them`,
        });
    for (const g of objects) {
        for (const issue of metadataIssues(g.object))
            out.push({
                at: g.key,
                message: `${issue.message}; the API server would refuse ${where(g)} (${fieldPathText(issue.path)})`,
            });
        const seen = new Set<string>();
        const crd = crdFiles
            .flatMap((file) => crdIssues(g.object, file))
            .filter((issue) => {
                const key = `${fieldPathText(issue.path)}\n${issue.message}`;
                return !seen.has(key) && seen.add(key) !== undefined;
            });
        for (const issue of crd)
            out.push({
                at: g.configKey(issue.path),
                message: `${issue.message}; the API server would refuse ${where(g)} (${fieldPathText(issue.path)}, by the Istio CRD's schema)`,
            });
        if (crd.length === 0)
            for (const issue of webhookIssues(g.object))
                out.push({
                    at: g.configKey(issue.path),
                    message: `${issue.message}; istiod's validating webhook would refuse ${where(g)} (${fieldPathText(issue.path)})`,
                });
    }
    return out;
}
