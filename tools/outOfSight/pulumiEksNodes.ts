// What pulumi-eks (the version in versions.ts) creates inside eks:index:ManagedNodeGroup for the
// arguments the program passed (nodejs/eks/nodes/nodegroup.ts, createManagedNodeGroup): the node
// group itself, and with some arguments a launch template and a placement group of its own.
import { keyOf, referencedName, type Recorded } from "./graph";
import type { Builder } from "./model";
import { EKS_AWS } from "./pulumiEks";
import { RULES } from "./rules";

/** Arguments that make pulumi-eks build its own launch template for a managed node group (nodes/nodegroup.ts:2128-2138). */
const CUSTOM_LAUNCH_TEMPLATE = [
    "bootstrapExtraArgs",
    "kubeletExtraArgs",
    "bottlerocketSettings",
    "nodeadmExtraOptions",
    "enableIMDSv2",
    "userData",
    "amiId",
    "enableEfaSupport",
];
/** Arguments that put an AMI into that template, which then leaves version and amiType unset (nodes/nodegroup.ts:2065-2072). */
const CUSTOM_AMI = [
    "bootstrapExtraArgs",
    "kubeletExtraArgs",
    "bottlerocketSettings",
    "nodeadmExtraOptions",
    "userData",
    "amiId",
];

/** The eks:index:Cluster a managed node group names (its `cluster` input: a URN, a name or a reference). */
function clusterOf(b: Builder, group: Recorded): Recorded | undefined {
    const named = b.g.byKey.get(`eks:index:Cluster::${referencedName(group.inputs.cluster)}`);
    if (named) return named;
    return (group.graph.propertyDependencies?.cluster ?? [])
        .map((k) => b.g.byKey.get(k))
        .find((r) => r?.type === "eks:index:Cluster");
}

/** The children of one `eks:index:ManagedNodeGroup` (nodejs/eks/nodes/nodegroup.ts, createManagedNodeGroup). */
export function managedNodeGroupChildren(b: Builder, group: Recorded): void {
    const a = group.inputs;
    const M = group.name;
    const parent = keyOf(group);
    const pd = group.graph.propertyDependencies ?? {};
    const cluster = clusterOf(b, group);
    const clusterName: string =
        typeof a.clusterName === "string" ? a.clusterName : cluster ? b.g.eksClusterName(cluster) : "<its cluster>";

    if (a.enableEfaSupport === true)
        b.child(
            parent,
            "aws:ec2/placementGroup:PlacementGroup",
            M,
            RULES.mngPlacementGroup,
            { strategy: "cluster" },
            EKS_AWS,
        );
    const ownTemplate = CUSTOM_LAUNCH_TEMPLATE.some((k) => a[k] !== undefined);
    // pulumi-eks refuses a launchTemplate together with these (nodes/nodegroup.ts:2016-2024).
    const template =
        ownTemplate && !a.launchTemplate
            ? b.child(
                  parent,
                  "aws:ec2/launchTemplate:LaunchTemplate",
                  `${M}-launchTemplate`,
                  RULES.mngLaunchTemplate,
                  {},
                  EKS_AWS,
              )
            : undefined;

    // The version: as given; the cluster's when neither version nor launchTemplate is given; and
    // none when pulumi-eks put an AMI in its own template.
    const amiInTemplate = CUSTOM_AMI.some((k) => a[k] !== undefined);
    const followsCluster = !amiInTemplate && !a.version && !a.launchTemplate;
    const version = amiInTemplate ? undefined : followsCluster ? cluster?.inputs.version : a.version;
    // Each size defaults on its own (nodes/nodegroup.ts:2101-2110).
    const scaling = a.scalingConfig ?? {};
    b.child(
        parent,
        "aws:eks/nodeGroup:NodeGroup",
        M,
        RULES.mngNodeGroup,
        {
            amiType: amiInTemplate ? undefined : a.amiType,
            capacityType: a.capacityType,
            clusterName,
            diskSize: a.diskSize,
            instanceTypes: a.instanceTypes,
            labels: a.labels,
            launchTemplate: template
                ? { id: `<${M}-launchTemplate>`, version: `<${M}-launchTemplate's latest version>` }
                : a.launchTemplate,
            nodeGroupName: a.nodeGroupName,
            nodeRoleArn: a.nodeRoleArn ?? "<the node role's ARN>",
            scalingConfig: {
                desiredSize: scaling.desiredSize ?? 2,
                minSize: scaling.minSize ?? 1,
                maxSize: scaling.maxSize ?? 2,
            },
            subnetIds: a.subnetIds ?? cluster?.inputs.privateSubnetIds,
            taints: a.taints,
            tags: a.tags,
            version,
            releaseVersion: amiInTemplate ? undefined : a.releaseVersion,
        },
        {
            ...EKS_AWS,
            deps: {
                clusterName: a.clusterName || !cluster ? [] : [`aws:eks/cluster:Cluster::${cluster.name}-eksCluster`],
                launchTemplate: template ? [template] : (pd.launchTemplate ?? []),
                nodeRoleArn: pd.nodeRoleArn ?? [],
                subnetIds:
                    pd.subnetIds ?? (a.subnetIds ? [] : (cluster?.graph.propertyDependencies?.privateSubnetIds ?? [])),
            },
            ignoreChanges: a.ignoreScalingChanges ? ["scalingConfig.desiredSize"] : undefined,
            facts: {
                versionFollowsCluster: followsCluster,
                launchTemplate: template ? "pulumi-eks's own" : a.launchTemplate ? "given" : "EKS's default",
                amiInTemplate,
            },
        },
    );
}
