// What runs out of sight, as a pure function of what the program registered under mocks: the
// children each multi-language component's pinned version creates (in the Pulumi state, but
// invisible under mocks), and what AWS, the load balancer controller and Kubernetes create on
// their own (in no state at all). Each object names the rule (rules.ts) that creates it.
import { Graph, keyOf, type Recorded } from "./graph";
import type { Rule } from "./rules";

export interface OutOfSightObject {
    /** `child`: registered by a component's provider plugin; `implicit`: created by AWS, a controller or Kubernetes. */
    kind: "child" | "implicit";
    /** A Pulumi type token: the child's, or for an implicit object the type that would manage it. */
    type: string;
    /** The Pulumi name of a child; the cloud name of an implicit object (`<...>` marks what only the cloud knows). */
    name: string;
    /** How other objects name this one (parents, hand-overs); `type::name` for children, as the engine keys them. */
    key: string;
    /** Key of the parent: a recorded resource or another modelled object. */
    parent: string;
    /** The URN the engine gives a child (the parent chain's types, then its name). */
    urn?: string;
    rule: Rule;
    /** The inputs that matter for ownership and review (names, cluster, versions). */
    inputs: Record<string, any>;
    /** The provider a child is registered with: a default provider (`default_7_25_0`) or a provider child. */
    provider?: string;
    /** The SDK package and version a child is registered with ("@pulumi/aws 7.25.0"). */
    registeredWith?: string;
    /** For a Kubernetes object: the EKS cluster it lands on. */
    cluster?: string;
    /** A child inherits `protect` from its parent when it does not set it (@pulumi/pulumi resource.js:213-215). */
    protect?: boolean;
}

export interface Sdk {
    provider?: string;
    registeredWith?: string;
}

/** Collects modelled objects and gives children their URNs. */
export class Builder {
    readonly objects: OutOfSightObject[] = [];
    private readonly chains = new Map<string, string[]>();

    constructor(readonly g: Graph) {}

    private chainOf(key: string): string[] {
        return this.chains.get(key) ?? this.g.typeChain(key);
    }

    private protectedKey(key: string): boolean {
        return this.g.byKey.get(key)?.protect ?? this.objects.find((o) => o.key === key)?.protect ?? false;
    }

    /** A child registered by a component's provider plugin under `parent`. */
    child(
        parent: string,
        type: string,
        name: string,
        rule: Rule,
        inputs: Record<string, any> = {},
        sdk: Sdk = {},
        cluster?: string,
    ): string {
        const key = `${type}::${name}`;
        const chain = [...this.chainOf(parent), type];
        this.chains.set(key, chain);
        this.objects.push({
            kind: "child",
            type,
            name,
            key,
            parent,
            urn: this.g.urn(chain, name),
            rule,
            inputs,
            ...sdk,
            ...(cluster ? { cluster } : {}),
            ...(this.protectedKey(parent) ? { protect: true } : {}),
        });
        return key;
    }

    /** An object AWS, a controller or Kubernetes creates; `key` defaults to one unique under its parent. */
    implicit(
        parent: string,
        type: string,
        name: string,
        rule: Rule,
        inputs: Record<string, any> = {},
        cluster?: string,
        key = `implicit:${parent}>${type}::${name}`,
    ): string {
        if (this.objects.some((o) => o.key === key)) return key;
        this.objects.push({ kind: "implicit", type, name, key, parent, rule, inputs, ...(cluster ? { cluster } : {}) });
        return key;
    }
}

/** The program's resources and the modelled objects, read alike where a rule applies to both. */
export interface Entity {
    type: string;
    name: string;
    key: string;
    inputs: Record<string, any>;
    /** Absent for the program's own resources. */
    modelled?: OutOfSightObject;
    /** The recorded resource, for the program's own. */
    recorded?: Recorded;
}

export function entities(g: Graph, modelled: readonly OutOfSightObject[]): Entity[] {
    return [
        ...g.resources.map((r) => ({ type: r.type, name: r.name, key: keyOf(r), inputs: r.inputs, recorded: r })),
        ...modelled.map((o) => ({ type: o.type, name: o.name, key: o.key, inputs: o.inputs, modelled: o })),
    ];
}
