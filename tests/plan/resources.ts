// Recorded resources written by hand, for the planner's table-driven specs: what the mock engine
// would record for a resource with these inputs and options, its URN as the engine makes it.
import type { RecordedResource } from "../../tools/mock/engine";
import { resourceKey } from "../../tools/mock/engine";
import type { ExpandChildren } from "../../tools/plan/expand";
import { planUpdate, type PlanStep } from "../../tools/plan/plan";

export interface Options {
    parent?: RecordedResource;
    /** Input property → the resources whose outputs it reads. */
    reads?: Record<string, RecordedResource[]>;
    provider?: RecordedResource;
    kind?: RecordedResource["graph"]["kind"];
    protect?: boolean;
    version?: string;
    aliases?: string[];
    import?: string;
    ignoreChanges?: string[];
    replaceOnChanges?: string[];
    dependsOn?: RecordedResource[];
}

const PREFIX = "urn:pulumi:test::eks-istio";

const qualified = (r: RecordedResource) => r.urn!.split("::")[2];

export function urnFor(type: string, name: string, parent?: RecordedResource): string {
    return `${PREFIX}::${parent ? `${qualified(parent)}$` : ""}${type}::${name}`;
}

export function res(
    type: string,
    name: string,
    inputs: Record<string, unknown> = {},
    o: Options = {},
): RecordedResource {
    const propertyDependencies = Object.fromEntries(
        Object.entries(o.reads ?? {}).map(([k, rs]) => [k, rs.map(resourceKey)]),
    );
    const inputKeys = [...new Set(Object.values(propertyDependencies).flat())].sort();
    const kind = o.kind ?? (/^(eks-istio:|eks:index:|awsx:)/.test(type) ? "component" : "custom");
    return {
        type,
        name,
        inputs,
        ...(o.parent ? { parent: o.parent.name } : {}),
        ...(o.provider ? { provider: o.provider.name } : {}),
        dependsOn: (o.dependsOn ?? []).map((d) => d.name),
        protect: o.protect ?? false,
        urn: urnFor(type, name, o.parent),
        ...(o.version
            ? { version: o.version }
            : kind === "custom" && type.startsWith("aws:")
              ? { version: "7.48.0" }
              : {}),
        ...(o.aliases ? { aliases: o.aliases } : {}),
        ...(o.import ? { import: o.import } : {}),
        ...(o.ignoreChanges ? { ignoreChanges: o.ignoreChanges } : {}),
        ...(o.replaceOnChanges ? { replaceOnChanges: o.replaceOnChanges } : {}),
        graph: {
            kind,
            ...(o.parent ? { parent: resourceKey(o.parent) } : {}),
            ...(o.provider ? { provider: resourceKey(o.provider) } : {}),
            dependsOn: (o.dependsOn ?? []).map(resourceKey),
            inputs: inputKeys,
            ...(inputKeys.length ? { propertyDependencies } : {}),
        },
    };
}

/** The same resource with other inputs (and options). */
export const withInputs = (
    r: RecordedResource,
    inputs: Record<string, unknown>,
    o: Partial<RecordedResource> = {},
) => ({
    ...r,
    inputs,
    ...o,
});

const noChildren: ExpandChildren = () => [];

/** The plan, without the modelled children of remote components unless `expand` is given. */
export const plan = (olds: RecordedResource[], news: RecordedResource[], expand: ExpandChildren = noChildren) =>
    planUpdate(olds, news, { expand });

export function step(steps: PlanStep[], type: string, name: string): PlanStep {
    const found = steps.filter((s) => s.type === type && s.name === name);
    if (found.length !== 1) throw new Error(`expected one step for ${type} ${name}, found ${found.length}`);
    return found[0];
}

/** A step as a short line the specs compare: "replace! aws:eks/nodeGroup:NodeGroup ng" (! = dangerous). */
export const summary = (s: PlanStep) => `${s.op}${s.danger ? "!" : ""} ${s.type} ${s.name}`;
