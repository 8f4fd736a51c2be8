// Shared by the stop-gap models of the remote components' children (modelEks.ts, modelVpc.ts):
// the recorded form of a modelled child.
import { type RecordedResource, resourceKey } from "../mock/engine";

/** A resource the model says a component registers, with where the model got it from. */
export type ModelledResource = RecordedResource & {
    /** Upstream source of the rule that creates it. */
    modelled: string;
    /** The component's outputs are read from this child: replacing it makes them unknown. */
    backsParentOutputs?: boolean;
};

export const EKS_AWS = "7.25.0"; // @pulumi/aws bundled by pulumi-eks 4.3.0 (nodejs/eks/package.json:30)
export const EKS_K8S = "4.19.0"; // @pulumi/kubernetes bundled by pulumi-eks 4.3.0 (nodejs/eks/package.json:31)
export const AWSX_AWS = "7.43.0"; // @pulumi/aws the awsx 3.9.0 provider pins (its SDK depends on ^7.43.0)

export interface ChildSpec {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
    /** Input property → keys of the resources whose outputs it reads. */
    deps?: Record<string, string[]>;
    modelled: string;
    version?: string;
    custom?: boolean;
    ignoreChanges?: string[];
    backsParentOutputs?: boolean;
}

/** Builds the recorded form of a child, its URN and protect inherited from `parent`. */
export function child(parent: RecordedResource, spec: ChildSpec): ModelledResource {
    const qualified = parent.urn ? parent.urn.split("::")[2] : parent.type;
    const prefix = parent.urn ? parent.urn.split("::").slice(0, 2).join("::") : "urn:pulumi:stack::project";
    const deps = Object.fromEntries(Object.entries(spec.deps ?? {}).filter(([, v]) => v.length));
    const inputs = [...new Set(Object.values(deps).flat())].sort();
    return {
        type: spec.type,
        name: spec.name,
        inputs: spec.inputs,
        parent: parent.name,
        dependsOn: [],
        protect: false,
        urn: `${prefix}::${qualified}$${spec.type}::${spec.name}`,
        ...(spec.version ? { version: spec.version } : {}),
        ...(spec.ignoreChanges ? { ignoreChanges: spec.ignoreChanges } : {}),
        graph: {
            kind: spec.custom === false ? "component" : "custom",
            parent: resourceKey(parent),
            dependsOn: [],
            inputs,
            ...(inputs.length ? { propertyDependencies: deps } : {}),
        },
        modelled: spec.modelled,
        ...(spec.backsParentOutputs ? { backsParentOutputs: true } : {}),
    };
}

export const EKS = "pulumi-eks v4.3.0 nodejs/eks/";
export const AWSX = "pulumi-awsx awsx/ec2/";
