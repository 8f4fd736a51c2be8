// Kubernetes' own rules for object metadata, which neither the CRD schema nor istiod checks for
// custom resources: names are DNS-1123 subdomains (253 characters, labels of 63), namespaces are
// DNS-1123 labels, label keys and values are Kubernetes labels. And two config entries must never
// yield one object or one Pulumi resource: the second would silently replace the first, or the
// engine would stop with "duplicate URN" in the middle of `pulumi up`.
import type { CrdIssue } from "./crd";
import type { GeneratedObject } from "./objects";
import { labelProblems } from "./webhook/primitives";

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Problems of an object's metadata (name, namespace, labels), with paths inside the object. */
export function metadataIssues(obj: {
    metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
}): CrdIssue[] {
    const out: CrdIssue[] = [];
    const m = obj.metadata ?? {};
    const name = m.name ?? "";
    if (name.length > 253 || !SUBDOMAIN.test(name) || name.split(".").some((l) => l.length > 63))
        out.push({
            path: ["metadata", "name"],
            message: `"${name.length > 40 ? `${name.slice(0, 39)}…` : name}" is not a DNS-1123 subdomain (lower-case letters, digits, "-" and ".", at most 253 characters)`,
        });
    if (m.namespace !== undefined && (m.namespace.length > 63 || !LABEL.test(m.namespace)))
        out.push({
            path: ["metadata", "namespace"],
            message: `"${m.namespace.length > 40 ? `${m.namespace.slice(0, 39)}…` : m.namespace}" is not a DNS-1123 label of at most 63 characters`,
        });
    for (const l of labelProblems(m.labels)) out.push({ path: ["metadata", "labels", l.key], message: l.message });
    return out;
}

/** Pairs of generated objects that are one Kubernetes object or one Pulumi resource. */
export function collisions(
    objects: GeneratedObject[],
): { second: GeneratedObject; first: GeneratedObject; what: string }[] {
    const out: { second: GeneratedObject; first: GeneratedObject; what: string }[] = [];
    const byObject = new Map<string, GeneratedObject>();
    const byResource = new Map<string, GeneratedObject>();
    for (const g of objects) {
        const o = g.object;
        const group = o.apiVersion.split("/")[0];
        const identity = `${group}/${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`;
        const resource = `${o.apiVersion}/${o.kind}::${g.resourceName}`;
        const sameObject = byObject.get(identity);
        const sameResource = byResource.get(resource);
        if (sameObject)
            out.push({
                second: g,
                first: sameObject,
                what: `the same ${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata.name}`,
            });
        else if (sameResource)
            out.push({ second: g, first: sameResource, what: `the same Pulumi resource name "${g.resourceName}"` });
        byObject.set(identity, sameObject ?? g);
        byResource.set(resource, sameResource ?? g);
    }
    return out;
}
