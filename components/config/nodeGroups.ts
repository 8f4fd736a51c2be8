// The node groups of the contract (cluster.nodeGroups, and the default group's keys of the cluster
// section): their schema and their parsed shape. Rules across groups are in checks/cluster.ts,
// defaults in contract.ts (DEFAULTS) and defaults.ts.
import { z } from "zod";
import {
    DNS1123_LABEL,
    INSTANCE_TYPE,
    labelKeyProblem,
    labelValueProblem,
    MAX_NODE_GROUP_NAME_LENGTH,
} from "./primitives";

/** What a taint does to pods without a toleration (EKS's names for NoSchedule, NoExecute, PreferNoSchedule). */
export const TAINT_EFFECTS = ["NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"] as const;

export type TaintEffect = (typeof TAINT_EFFECTS)[number];

export const instanceTypes = z
    .array(z.string().regex(INSTANCE_TYPE, { error: 'must be an EC2 instance type such as "t3.large"' }))
    .min(1, { error: "must list at least one instance type" });

/** EKS's limits on a managed node group's sizes (450 nodes per group is its quota). */
export const nodeCount = {
    min: z.number().int().min(0),
    desired: z.number().int().min(1),
    max: z.number().int().min(1).max(450),
};

export const NODE_GROUPS_EMPTY =
    "must list at least one node group (or leave the key out for the single default group, sized by cluster.instanceTypes, minSize, desiredSize and maxSize)";

/** Kubernetes labels on a group's nodes: qualified names and values as the API server takes them. */
const nodeLabels = z
    .record(z.string(), z.string({ error: "must be a string (quote numbers and booleans)" }))
    .superRefine((labels, ctx) => {
        for (const [key, value] of Object.entries(labels)) {
            const problem = labelKeyProblem(key) ?? (typeof value === "string" ? labelValueProblem(value) : undefined);
            if (problem) ctx.addIssue({ code: "custom", path: [key], message: problem });
        }
    });

const nodeTaint = z.strictObject({
    key: z.string().superRefine((k, ctx) => {
        const problem = labelKeyProblem(k);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
    }),
    value: z
        .string()
        .superRefine((v, ctx) => {
            const problem = labelValueProblem(v);
            if (problem) ctx.addIssue({ code: "custom", message: problem });
        })
        .optional(),
    effect: z.enum(TAINT_EFFECTS),
});

/**
 * One managed node group of cluster.nodeGroups. Its Pulumi name is <env>-cluster-<name>; a group's
 * instance types and launch template cannot change in place (EKS replaces the group), so such a
 * change is a new group next to the old one (README, "Upgrading").
 */
export const nodeGroupSchema = z.strictObject({
    name: z
        .string({ error: 'is required: a DNS label naming the group, such as "nodes" or "arm"' })
        .regex(DNS1123_LABEL, { error: 'must be a DNS-1123 label such as "nodes" or "arm-2"' })
        .max(MAX_NODE_GROUP_NAME_LENGTH, {
            error: `must be at most ${MAX_NODE_GROUP_NAME_LENGTH} characters: EKS names the group <env>-cluster-<name> plus 8 random characters, within its 63`,
        }),
    instanceTypes: instanceTypes.optional(),
    minSize: nodeCount.min.optional(),
    desiredSize: nodeCount.desired.optional(),
    maxSize: nodeCount.max.optional(),
    labels: nodeLabels.optional(),
    taints: z.array(nodeTaint).optional(),
    /**
     * false: the group as release c1dbf01 created it, without the stack's launch template (so
     * without IMDS hop limit 1 and the encrypted root volume). Only for moving such a stack's nodes
     * blue/green; checks/nodeGroups.ts keeps it to the group "nodes" and warns.
     */
    launchTemplate: z.boolean().optional(),
});

/** One managed node group, defaults applied. */
export interface NodeGroupConfig {
    /** DNS label; the group's Pulumi name is <env>-cluster-<name>. */
    name: string;
    /** One architecture per group. */
    instanceTypes: string[];
    minSize: number;
    desiredSize: number;
    maxSize: number;
    /** Kubernetes labels on the group's nodes, besides eks-istio/environment. */
    labels: Record<string, string>;
    taints: { key: string; value?: string; effect: TaintEffect }[];
    /** false only for the group a stack of release c1dbf01 created (no launch template). */
    launchTemplate: boolean;
}
