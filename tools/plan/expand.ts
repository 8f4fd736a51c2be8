// What the engine registers that an evaluation under mocks does not show: the children of the
// multi-language components (eks:index:Cluster, eks:index:ManagedNodeGroup, awsx:ec2:Vpc), which
// their provider plugins register from the component's arguments. The planner diffs them like the
// program's own resources, so a node group replaced inside pulumi-eks is seen.
//
// The interface is `ExpandChildren`: given what a revision registered, the extra resources. The
// model of record is tools/outOfSight (another branch); until it lands, `minimalChildren` below
// models the children the planner's rules need, for pulumi-eks 4.3.0 and awsx 3.9.0, each rule
// citing the upstream file it follows (pulumi/pulumi-eks at v4.3.0, nodejs/eks/...; pulumi/pulumi-awsx
// awsx/ec2/...).
import { type RecordedResource, resourceKey } from "../mock/engine";
import type { ModelledResource } from "./modelChild";
import { eksClusterChildren, managedNodeGroupChildren } from "./modelEks";
import { vpcChildren } from "./modelVpc";

export type { ModelledResource } from "./modelChild";

/** Extra resources the engine would register for `resources` (children of remote components). */
export type ExpandChildren = (resources: RecordedResource[]) => ModelledResource[];

export const isModelled = (r: RecordedResource): r is ModelledResource => "modelled" in r;

/**
 * The stop-gap model: the children of eks:index:Cluster, eks:index:ManagedNodeGroup and
 * awsx:ec2:Vpc that the planner's rules read (node group, cluster, add-ons, security groups, IAM,
 * OIDC provider, VPC, subnets, routes, NAT). To be replaced by tools/outOfSight's model.
 */
export const minimalChildren: ExpandChildren = (resources) => {
    const all = new Map(resources.map((r) => [resourceKey(r), r]));
    return resources.flatMap((r) =>
        r.type === "eks:index:Cluster"
            ? eksClusterChildren(r)
            : r.type === "eks:index:ManagedNodeGroup"
              ? managedNodeGroupChildren(r, all)
              : r.type === "awsx:ec2:Vpc"
                ? vpcChildren(r)
                : [],
    );
};

/** The model the planner uses. */
export const expandChildren: ExpandChildren = minimalChildren;
