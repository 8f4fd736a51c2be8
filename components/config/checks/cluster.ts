// Rules across the cluster section's keys that the schemas cannot see: the node groups (one way of
// saying what they are, each a size EKS accepts, one architecture each, distinct names, somewhere
// for the stack's own pods to run) and adopting the control-plane log group. Run on the raw values,
// guarded key by key, so that a type error elsewhere hides none of them.
import { DEFAULTS, ENVIRONMENT_LABEL, type StackConfig } from "../contract";
import { isArmInstanceType, record } from "../primitives";
import { excerpt, shortText } from "../untrusted";
import type { Finding } from "./platform";

/** The keys that describe the default node group; with cluster.nodeGroups each group has its own. */
export const DEFAULT_GROUP_KEYS = ["instanceTypes", "minSize", "desiredSize", "maxSize"] as const;

/** Taint effects that keep a pod without a toleration off the node. */
const REPELLING_EFFECTS = ["NO_SCHEDULE", "NO_EXECUTE"];

export function clusterProblems(cluster: Record<string, unknown>): Finding[] {
    const out: Finding[] = [];
    const groups = cluster.nodeGroups;
    if (groups === undefined) out.push(...groupProblems("cluster", cluster, "the node group"));
    else {
        for (const key of DEFAULT_GROUP_KEYS)
            if (cluster[key] !== undefined)
                out.push({
                    at: `cluster.${key}`,
                    message: `is set together with eks-istio:cluster.nodeGroups, which then says everything about the nodes; each group has its own ${key}: move it there and remove it here`,
                });
        if (Array.isArray(groups)) out.push(...nodeGroupListProblems(groups));
    }
    const logTypes = cluster.logTypes;
    if (cluster.adoptLogGroup === true && Array.isArray(logTypes) && logTypes.length === 0)
        out.push({
            at: "cluster.adoptLogGroup",
            message:
                "there is no log group to adopt: eks-istio:cluster.logTypes is empty, so the stack creates none and EKS writes none; remove the key",
        });
    return out;
}

/** One group's sizes (defaults filled in) and architecture, at `at` (cluster, or an entry of nodeGroups). */
function groupProblems(at: string, group: Record<string, unknown>, what: string): Finding[] {
    const out: Finding[] = [];
    const counts = (["minSize", "desiredSize", "maxSize"] as const).map((k) => group[k] ?? DEFAULTS.cluster[k]);
    if (counts.every(Number.isInteger)) {
        const [min, desired, max] = counts as number[];
        if (!(min <= desired && desired <= max))
            out.push({
                at,
                message: `node counts must satisfy minSize <= desiredSize <= maxSize, got minSize ${min}, desiredSize ${desired}, maxSize ${max}`,
            });
    }
    const types = Array.isArray(group.instanceTypes) ? group.instanceTypes.filter((t) => typeof t === "string") : [];
    if (new Set(types.map(isArmInstanceType)).size > 1)
        out.push({
            at: `${at}.instanceTypes`,
            message:
                what === "the node group"
                    ? `mixes ARM (Graviton) and x86 instance types (${types.map(shortText).join(", ")}); one node group runs one architecture, so list types of one kind`
                    : `mixes ARM (Graviton) and x86 instance types (${types.map(shortText).join(", ")}); a node group runs one architecture (one AMI type): list types of one kind here, and give the others a group of their own`,
        });
    return out;
}

function nodeGroupListProblems(groups: unknown[]): Finding[] {
    const out: Finding[] = [];
    const seen = new Map<string, number>();
    groups.forEach((raw, i) => {
        const group = record(raw);
        const at = `cluster.nodeGroups[${i}]`;
        out.push(...groupProblems(at, group, "a node group"));
        if (typeof group.name === "string") {
            const first = seen.get(group.name);
            if (first !== undefined)
                out.push({
                    at: `${at}.name`,
                    message: `${excerpt(group.name)} is also the name of eks-istio:cluster.nodeGroups[${first}]; each group needs its own (it names the group's resources, <env>-cluster-${shortText(group.name)})`,
                });
            else seen.set(group.name, i);
        }
        if (group.launchTemplate === false && group.name !== DEFAULTS.nodeGroup.name)
            out.push({
                at: `${at}.launchTemplate`,
                message: `false keeps a node group as release c1dbf01 created it, and that release had only the group "${DEFAULTS.nodeGroup.name}"; a new group always gets the stack's launch template (IMDS hop limit 1, encrypted root volume): remove the key`,
            });
        if (record(group.labels)[ENVIRONMENT_LABEL] !== undefined)
            out.push({
                at: `${at}.labels.${ENVIRONMENT_LABEL}`,
                message: `is set by the stack on every node (the environment's name); choose another key`,
            });
    });
    const repels = (g: unknown) =>
        Array.isArray(record(g).taints) &&
        (record(g).taints as unknown[]).some((t) => REPELLING_EFFECTS.includes(record(t).effect as string));
    if (groups.length > 0 && groups.every(repels))
        out.push({
            at: "cluster.nodeGroups",
            message:
                "every group has a NO_SCHEDULE or NO_EXECUTE taint: CoreDNS, istiod, the gateway and the controllers tolerate none and would never start; leave at least one group without such a taint",
        });
    return out;
}

/**
 * Valid settings that only make sense for a while: a group without the launch template (the
 * previous release's nodes, to be moved off), and the log group adoption (one update).
 */
export function clusterWarnings(config: StackConfig): Finding[] {
    const out: Finding[] = [];
    if (config.cluster.stackReference) return out;
    config.cluster.nodeGroups.forEach((g, i) => {
        if (!g.launchTemplate)
            out.push({
                at: `cluster.nodeGroups[${i}].launchTemplate`,
                message:
                    "false: this group runs as release c1dbf01 created it, without the stack's launch template: IMDS hop limit 2 (its pods can use the node role, which keeps AmazonEKS_CNI_Policy while such a group exists) and EKS's default root volume. " +
                    "Only for moving those nodes: add a group with the launch template, drain this one under the PodDisruptionBudgets, then remove it (README, Upgrading)",
            });
    });
    if (config.cluster.adoptLogGroup)
        out.push({
            at: "cluster.adoptLogGroup",
            message:
                `imports /aws/eks/${config.cluster.name}/cluster into the stack instead of creating it (Pulumi CLI 3.174.0 or later), then sets its retention and tags; ` +
                "remove the key once that `pulumi up` is done: left on, the update fails wherever the group does not exist (a new stack, another cluster name)",
        });
    return out;
}
