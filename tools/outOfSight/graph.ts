// The recorded program, read the way the out-of-sight model needs it: resources by key, their URNs,
// which Kubernetes cluster an object lands on, and whether one step waits for another.
import type { RecordedResource } from "../mock/engine";

/**
 * A recorded resource, with the options the update planner records too (tools/plan): `urn` the
 * engine gives it, `import` the ID of an object it adopts. Both are optional: the model reads them
 * when present.
 */
export type Recorded = RecordedResource & { urn?: string; import?: string };

/** `type::name`, as `RecordedResource.graph` names resources (the mock engine's `resourceKey`). */
export const keyOf = (r: { type: string; name: string }): string => `${r.type}::${r.name}`;

const STACK_TYPE = "pulumi:pulumi:Stack";

/** What a Kubernetes object's cluster is called in a message, and the key it is grouped by. */
export interface ClusterScope {
    id: string;
    label: string;
}

/** The name a resource reference in recorded inputs stands for: a Resource, a URN or a plain name. */
export function referencedName(value: unknown): string | undefined {
    if (typeof value === "string") return value.startsWith("urn:pulumi:") ? value.split("::").pop() : value;
    if (value && typeof value === "object" && typeof (value as { __name?: unknown }).__name === "string")
        return (value as { __name: string }).__name;
    return undefined;
}

export class Graph {
    readonly byKey: Map<string, Recorded>;
    readonly project: string;
    readonly stack: string;
    private readonly children = new Map<string, Recorded[]>();
    private readonly waits = new Map<string, Set<string>>();

    constructor(
        readonly resources: readonly Recorded[],
        project = "eks-istio",
        /** The EKS cluster name behind a stack reference ("org/project/stack"), when known. */
        private readonly stackClusters: Readonly<Record<string, string>> = {},
    ) {
        this.byKey = new Map(resources.map((r) => [keyOf(r), r]));
        this.project = project;
        const root = resources.find((r) => r.type === STACK_TYPE);
        this.stack = root?.name.startsWith(`${project}-`) ? root.name.slice(project.length + 1) : (root?.name ?? "");
        for (const r of resources)
            if (r.graph.parent) this.children.set(r.graph.parent, [...(this.children.get(r.graph.parent) ?? []), r]);
    }

    ofType(type: string): Recorded[] {
        return this.resources.filter((r) => r.type === type);
    }

    /** The types of a resource and its ancestors below the stack, outermost first: a URN's type part. */
    typeChain(key: string): string[] {
        const r = this.byKey.get(key);
        if (!r || r.type === STACK_TYPE) return [];
        return [...(r.graph.parent ? this.typeChain(r.graph.parent) : []), r.type];
    }

    /** `urn:pulumi:<stack>::<project>::<parent types $ type>::<name>`, the engine's URN format. */
    urn(types: string[], name: string): string {
        return `urn:pulumi:${this.stack}::${this.project}::${types.join("$")}::${name}`;
    }

    urnOf(key: string): string | undefined {
        const r = this.byKey.get(key);
        if (!r) return undefined;
        return r.urn ?? this.urn(this.typeChain(key), r.name);
    }

    /**
     * Whether `later` waits for `earlier` in every create order (the Pulumi engine's rule: a step
     * waits for its dependsOn, the resources its inputs read and its provider; waiting for a local
     * component waits for its children; a remote component such as eks:index:Cluster is one step,
     * and everything it creates inside comes after what it waits for).
     */
    waitsFor(later: string, earlier: string): boolean {
        return this.ancestors(later).has(earlier);
    }

    private ancestors(key: string, path = new Set<string>()): Set<string> {
        const known = this.waits.get(key);
        if (known) return known;
        const out = new Set<string>();
        const r = this.byKey.get(key);
        if (!r || path.has(key)) return out;
        path.add(key);
        const direct = [...r.graph.dependsOn, ...r.graph.inputs, ...(r.graph.provider ? [r.graph.provider] : [])];
        for (const d of direct.flatMap((d) => this.steps(d)))
            if (d !== key) {
                out.add(d);
                for (const a of this.ancestors(d, path)) out.add(a);
            }
        path.delete(key);
        this.waits.set(key, out);
        return out;
    }

    /** What waiting for `key` means: the resource itself, or a local component's steps. */
    private steps(key: string): string[] {
        const r = this.byKey.get(key);
        if (!r) return [];
        if (r.graph.kind !== "component") return [key];
        return (this.children.get(key) ?? []).flatMap((c) => this.steps(keyOf(c)));
    }

    /** The EKS cluster name an `eks:index:Cluster` gives AWS (pulumi-aws autonames it when `name` is unset). */
    eksClusterName(cluster: Recorded): string {
        return typeof cluster.inputs.name === "string" ? cluster.inputs.name : `${cluster.name}-eksCluster-<random>`;
    }

    /**
     * The cluster a Kubernetes object lands on, from its provider: an `eks:index:Cluster` whose
     * kubeconfig the provider reads, another stack's cluster (a StackReference), or the ambient
     * kubeconfig when the object names no provider.
     */
    k8sScope(providerKey: string | undefined): ClusterScope {
        if (!providerKey) return { id: "<default provider>", label: "the default Kubernetes provider's cluster" };
        const provider = this.byKey.get(providerKey);
        for (const input of provider?.graph.inputs ?? []) {
            const source = this.byKey.get(input);
            if (source?.type === "eks:index:Cluster") {
                const name = this.eksClusterName(source);
                return { id: name, label: `cluster ${name}` };
            }
            if (source?.type === "pulumi:pulumi:StackReference") {
                const ref = String(source.inputs.name ?? source.name);
                const name = this.stackClusters[ref];
                return name
                    ? { id: name, label: `cluster ${name}` }
                    : { id: `<stack ${ref}>`, label: `the cluster of stack ${ref}` };
            }
        }
        return { id: `<provider ${providerKey}>`, label: `the cluster of provider ${providerKey.split("::").pop()}` };
    }
}
