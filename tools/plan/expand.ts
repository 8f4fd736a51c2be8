// What the engine registers that an evaluation under mocks does not show: the children of the
// multi-language components (eks:index:Cluster, eks:index:ManagedNodeGroup, awsx:ec2:Vpc), which
// their provider plugins register from the component's arguments. The planner diffs them like the
// program's own resources, so a node group replaced inside pulumi-eks is seen.
//
// The model is tools/outOfSight, the one the tests and the render use: each child names the rule
// that creates it and the upstream file and lines the rule is read from (tools/outOfSight/rules.ts).
// This file only gives its children the recorded form the planner diffs.
import type { RecordedResource } from "../mock/engine";
import { outOfSight, type OutOfSightObject } from "../outOfSight";

/** A resource the model says a component registers, with where the model got it from. */
export type ModelledResource = RecordedResource & {
    /** The rule's creator and upstream source ("pulumi-eks 4.3.0 nodejs/eks/cluster/cluster.ts:686-762"). */
    modelled: string;
    /** The component's outputs are read from this child: replacing it makes them unknown. */
    backsParentOutputs?: boolean;
};

/** Extra resources the engine would register for `resources` (children of remote components). */
export type ExpandChildren = (resources: RecordedResource[]) => ModelledResource[];

export const isModelled = (r: RecordedResource): r is ModelledResource => "modelled" in r;

/** Component children (eks:index:ServiceRole, eks:index:VpcCniAddon) group others; the rest are engine steps. */
const isComponentType = (type: string) => /^(eks|awsx):/.test(type);

/** A modelled child as the mock engine would have recorded it, had the component registered it under mocks. */
export function asRecorded(o: OutOfSightObject, nameOf: (key: string) => string | undefined): ModelledResource {
    const deps = o.deps ?? {};
    const inputs = [...new Set(Object.values(deps).flat())].sort();
    return {
        type: o.type,
        name: o.name,
        inputs: o.inputs,
        parent: nameOf(o.parent),
        ...(o.providerKey ? { provider: nameOf(o.providerKey) } : {}),
        dependsOn: [],
        protect: o.protect ?? false,
        urn: o.urn,
        ...(o.version ? { version: o.version } : {}),
        ...(o.ignoreChanges ? { ignoreChanges: o.ignoreChanges } : {}),
        graph: {
            kind: isComponentType(o.type) ? "component" : "custom",
            parent: o.parent,
            ...(o.providerKey ? { provider: o.providerKey } : {}),
            dependsOn: [],
            inputs,
            ...(inputs.length ? { propertyDependencies: deps } : {}),
        },
        modelled: `${o.rule.creator} ${o.rule.source}`,
        ...(o.backsParentOutputs ? { backsParentOutputs: true } : {}),
    };
}

/** The model the planner uses: the children tools/outOfSight models (what AWS creates on its own is in no state). */
export const expandChildren: ExpandChildren = (resources) => {
    const children = outOfSight(resources).filter((o) => o.kind === "child");
    const names = new Map([...resources, ...children].map((r) => [`${r.type}::${r.name}`, r.name]));
    return children.map((o) => asRecorded(o, (key) => names.get(key)));
};
