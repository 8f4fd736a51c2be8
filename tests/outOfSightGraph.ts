// Recorded graphs written by hand, and mutations of recorded ones, for the out-of-sight model's
// tests: pure data in the shape the mock engine records, so a rule is checked without evaluating
// the program.
import type { Recorded } from "../tools/outOfSight";

export interface Spec {
    parent?: string;
    provider?: string;
    dependsOn?: string[];
    /** Keys of the resources whose Outputs the inputs read. */
    reads?: string[];
    kind?: "custom" | "component" | "remote";
    import?: string;
}

/** One recorded resource; references are keys `type::name`, as the engine's graph names them. */
export function rec(type: string, name: string, inputs: Record<string, any> = {}, s: Spec = {}): Recorded {
    const kind = s.kind ?? (/^(eks|awsx):/.test(type) ? "remote" : /^eks-istio:/.test(type) ? "component" : "custom");
    const last = (k?: string) => k?.split("::").pop();
    return {
        type,
        name,
        inputs,
        parent: last(s.parent),
        provider: last(s.provider),
        dependsOn: (s.dependsOn ?? []).map((k) => last(k)!),
        protect: false,
        graph: { kind, parent: s.parent, provider: s.provider, dependsOn: s.dependsOn ?? [], inputs: s.reads ?? [] },
        ...(s.import ? { import: s.import } : {}),
    };
}

export const STACK = rec("pulumi:pulumi:Stack", "eks-istio-gen");
export const CLUSTER_KEY = "eks:index:Cluster::gen-eks";

/** A stack with one eks:index:Cluster `gen-eks` (EKS name `gen`) and a Kubernetes provider reading its kubeconfig. */
export function clusterStack(args: Record<string, any> = {}, ...more: Recorded[]): Recorded[] {
    return [
        STACK,
        rec("eks:index:Cluster", "gen-eks", { name: "gen", version: "1.35", ...args }),
        rec("pulumi:providers:kubernetes", "gen-k8s", {}, { reads: [CLUSTER_KEY] }),
        ...more,
    ];
}

/** A Kubernetes object on the `gen` cluster. */
export const k8s = (type: string, name: string, inputs: Record<string, any>, s: Spec = {}) =>
    rec(`kubernetes:${type}`, name, inputs, { provider: "pulumi:providers:kubernetes::gen-k8s", ...s });

/** `resources` with the one of `key` replaced by `change(it)`; the others are the same objects. */
export function mutate(resources: readonly Recorded[], key: string, change: (r: Recorded) => Recorded): Recorded[] {
    let found = false;
    const out = resources.map((r) => {
        if (`${r.type}::${r.name}` !== key) return r;
        found = true;
        return change(r);
    });
    if (!found) throw new Error(`no ${key} in the graph`);
    return out;
}

/** `r` with `inputs` merged in (undefined removes a key). */
export function withInputs(r: Recorded, inputs: Record<string, unknown>): Recorded {
    const merged: Record<string, any> = { ...r.inputs, ...inputs };
    for (const [k, v] of Object.entries(inputs)) if (v === undefined) delete merged[k];
    return { ...r, inputs: merged };
}
