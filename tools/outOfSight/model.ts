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
    /** The SDK version a child is registered with ("7.25.0"): the engine's default provider is per version. */
    version?: string;
    /** The key of a child's explicit provider (another child: `pulumi:providers:kubernetes::<name>`). */
    providerKey?: string;
    /**
     * Per input property of a child, the keys of the resources (recorded or modelled) whose outputs
     * it reads: when one of them is created or replaced, the input is unknown at preview (the
     * update planner's rule for a ForceNew input).
     */
    deps?: Record<string, string[]>;
    /** The child's ignoreChanges, as its component registers it. */
    ignoreChanges?: string[];
    /** The component's outputs are read from this child: replacing it makes them unknown. */
    backsParentOutputs?: boolean;
    /** What the model derived that is no input of the object (`versionFollowsCluster`), for the checks. */
    facts?: Record<string, unknown>;
}

export interface Sdk {
    provider?: string;
    registeredWith?: string;
    version?: string;
    providerKey?: string;
}

/** How a rule registers a child besides its inputs: its SDK and provider, and what the planner reads. */
export interface ChildOptions extends Sdk {
    /** For a Kubernetes object: the EKS cluster it lands on. */
    cluster?: string;
    deps?: Record<string, readonly (string | undefined)[]>;
    ignoreChanges?: string[];
    backsParentOutputs?: boolean;
    facts?: Record<string, unknown>;
}

/** `urn:pulumi:<stack>::<project>::<types>::<name>`: its prefix and its types. */
const urnParts = (urn: string) => {
    const [stack, project, types] = urn.split("::");
    return { prefix: `${stack}::${project}`, types };
};

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

    /** The URN of a recorded resource or of a modelled child. */
    private urnOfKey(key: string): string | undefined {
        return this.g.byKey.get(key)?.urn ?? this.objects.find((o) => o.key === key)?.urn;
    }

    /**
     * A child registered by a component's provider plugin under `parent`. Its URN extends its
     * parent's (the engine's rule), or is built from the parent chain when the parent has none.
     */
    child(
        parent: string,
        type: string,
        name: string,
        rule: Rule,
        inputs: Record<string, any> = {},
        opts: ChildOptions = {},
    ): string {
        const key = `${type}::${name}`;
        const chain = [...this.chainOf(parent), type];
        this.chains.set(key, chain);
        const parentUrn = this.urnOfKey(parent);
        const urn = parentUrn
            ? `${urnParts(parentUrn).prefix}::${urnParts(parentUrn).types}$${type}::${name}`
            : this.g.urn(chain, name);
        const { cluster, deps, ...rest } = opts;
        const known = Object.entries(deps ?? {})
            .map(([k, v]) => [k, v.filter((d): d is string => !!d)] as const)
            .filter(([, v]) => v.length);
        this.objects.push({
            kind: "child",
            type,
            name,
            key,
            parent,
            urn,
            rule,
            inputs: dropUndefined(inputs),
            ...rest,
            ...(known.length ? { deps: Object.fromEntries(known) } : {}),
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

/** Inputs as the SDK sends them: a property set to undefined is not sent. */
function dropUndefined(inputs: Record<string, any>): Record<string, any> {
    return Object.fromEntries(Object.entries(inputs).filter(([, v]) => v !== undefined));
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
