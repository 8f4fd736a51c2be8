// Every managed node group carries its cluster's Kubernetes version. EKS upgrades a node group only
// when its version is updated, and refuses the next cluster upgrade while a node group is behind
// (UpdateClusterVersion requires every managed node group at the cluster's version). pulumi-eks
// sets the version for the program only when it is given neither a version nor a launch template.
import { outOfSight, type ModelOptions } from "./expand";
import { Graph, type Recorded } from "./graph";
import { entities } from "./model";
import { RULES } from "./rules";

export interface VersionViolation {
    nodeGroup: string;
    cluster: string;
    /** One sentence naming the node group, its cluster and what to change. */
    message: string;
}

export function versionViolations(resources: readonly Recorded[], opts: ModelOptions = {}): VersionViolation[] {
    const g = new Graph(resources, opts.project, opts.stackClusters);
    const all = entities(g, outOfSight(resources, opts));
    const clusters = new Map(
        all.filter((e) => e.type === "aws:eks/cluster:Cluster").map((e) => [String(e.inputs.name), e.inputs.version]),
    );
    const out: VersionViolation[] = [];
    for (const group of all.filter((e) => e.type === "aws:eks/nodeGroup:NodeGroup")) {
        const cluster = String(group.inputs.clusterName);
        const wanted = clusters.get(cluster);
        const { version } = group.inputs;
        const facts = group.modelled?.facts ?? {};
        if (wanted === undefined || facts.versionFollowsCluster || version === wanted) continue;
        const rule = RULES.mngNodeGroup;
        const why =
            version === undefined
                ? `it has ${facts.amiInTemplate ? "an AMI in its launch template" : "a launchTemplate"} and no version, and ${rule.creator} sets a node group's version to the cluster's only when given neither a version nor a launchTemplate (${rule.source.split(",")[0]})`
                : `it asks for ${version}`;
        out.push({
            nodeGroup: group.name,
            cluster,
            message: `Managed node group ${group.name} does not carry cluster ${cluster}'s Kubernetes version ${wanted}: ${why}, so an upgrade of the cluster leaves its nodes behind and the next one fails until they catch up`,
        });
    }
    return out;
}
