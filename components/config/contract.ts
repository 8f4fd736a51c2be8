// The stack config contract (namespace `eks-istio`): the zod schemas of each section (strict: an
// unknown key is a typo until proven otherwise) and the parsed, defaulted shape the program
// consumes. Every default is in constants.ts, re-exported here.
import { z } from "zod";
import {
    authorizationRule,
    destinationRule,
    httpRoute,
    serviceEntry,
    type AuthorizationRule,
    type DestinationRuleSpec,
    type ServiceEntrySpec,
} from "./istioSpec";
import { instanceTypes, NODE_GROUPS_EMPTY, nodeCount, type NodeGroupConfig, nodeGroupSchema } from "./nodeGroups";
import { accessLogsSchema, albCidr } from "./ingressControls";
import {
    CERTIFICATE_ARN,
    cidrProblem,
    CPU_QUANTITY,
    DNS1123_LABEL,
    environmentProblem,
    HOST,
    IAM_PRINCIPAL_ARN,
    MEMORY_QUANTITY,
    NODE_PORT_RANGE,
    portProblem,
    retentionProblem,
    SEMVER,
    stackReferenceProblem,
    URL_PATH,
    wafAclArnShapeProblem,
} from "./primitives";
import { excerpt } from "./untrusted";

export * from "./constants";
import {
    LOG_RETENTION_DAYS,
    LOG_TYPES,
    OBSERVABILITY_NAMESPACES,
    REVISION_TAGS,
    UPGRADE_POLICIES,
    type Addon,
    type LogRetentionDays,
    type LogType,
    type NatGateways,
    type ObservabilityNamespace,
    type RevisionTag,
    type UpgradePolicy,
} from "./constants";

const port = z.unknown().superRefine((p, ctx) => {
    const problem = portProblem(p);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
}) as unknown as z.ZodType<number>;

const nodePort = z
    .number()
    .int()
    .min(NODE_PORT_RANGE.from, { error: `must be in the NodePort range ${NODE_PORT_RANGE.from}-${NODE_PORT_RANGE.to}` })
    .max(NODE_PORT_RANGE.to, { error: `must be in the NodePort range ${NODE_PORT_RANGE.from}-${NODE_PORT_RANGE.to}` });

const cidr = (opts?: { minPrefix?: number; maxPrefix?: number }) =>
    z.string().superRefine((c, ctx) => {
        const problem = cidrProblem(c, opts);
        if (problem) ctx.addIssue({ code: "custom", message: problem });
    });

const environmentName = z.string().superRefine((e, ctx) => {
    const problem = environmentProblem(e);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
});

const host = z
    .string()
    .regex(HOST, { error: 'must be "*", a DNS name such as "vote.example.com", or "*.example.com"' });

const hosts = z.array(host).min(1, { error: 'must list at least one host (use ["*"] for any)' });

export const clusterSchema = z.strictObject({
    kubernetesVersion: z
        .string({
            error: (i) =>
                typeof i.input === "number"
                    ? `must be a quoted string such as "1.35" (YAML reads an unquoted 1.30 as the number 1.3)`
                    : `must be a Kubernetes minor version such as "1.35"`,
        })
        .regex(/^1\.\d{2}$/, { error: 'must be a Kubernetes minor version such as "1.35"' })
        .optional(),
    upgradePolicy: z.enum(UPGRADE_POLICIES).optional(),
    // The default node group, when nodeGroups is not set (checks/nodeGroups.ts: not both).
    instanceTypes: instanceTypes.optional(),
    minSize: nodeCount.min.optional(),
    desiredSize: nodeCount.desired.optional(),
    maxSize: nodeCount.max.optional(),
    nodeGroups: z.array(nodeGroupSchema).min(1, { error: NODE_GROUPS_EMPTY }).optional(),
    vpcCidr: cidr({ minPrefix: 16, maxPrefix: 22 }).optional(),
    publicAccessCidrs: z.array(cidr()).min(1, { error: "must list at least one CIDR block" }).optional(),
    availabilityZones: z.number().int().min(2).max(6).optional(),
    natGateways: z.enum(["single", "perAz"]).optional(),
    logTypes: z.array(z.enum(LOG_TYPES)).optional(),
    logRetentionDays: z
        .number({ error: `must be a number of days CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(", ")}` })
        .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
            error: (i) =>
                `${JSON.stringify(i.input)} is not a retention CloudWatch Logs accepts; use one of ${LOG_RETENTION_DAYS.join(", ")}`,
        })
        .optional() as z.ZodOptional<z.ZodType<LogRetentionDays>>,
    autoscaler: z.boolean().optional(),
    /**
     * Import /aws/eks/<cluster>/cluster into the stack instead of creating it: for a stack whose
     * cluster EKS already logs (a stack of release c1dbf01, or a new stack reusing the name of a
     * destroyed cluster). Set for one `pulumi up`, then removed (checks/nodeGroups.ts warns while it is on).
     */
    adoptLogGroup: z.boolean().optional(),
    adminPrincipalArns: z
        .array(
            z.string().regex(IAM_PRINCIPAL_ARN, {
                error: "must be an IAM role or user ARN such as arn:aws:iam::123456789012:role/platform-admins",
            }),
        )
        .optional(),
    viewerPrincipalArns: z
        .array(
            z.string().regex(IAM_PRINCIPAL_ARN, {
                error: "must be an IAM role or user ARN such as arn:aws:iam::123456789012:role/eks-istio-preview-dev",
            }),
        )
        .optional(),
    stackReference: z
        .string()
        .superRefine((ref, ctx) => {
            const problem = stackReferenceProblem(ref);
            if (problem) ctx.addIssue({ code: "custom", message: problem });
        })
        .optional(),
});

export const extraGatewayPort = z.strictObject({
    environment: environmentName,
    port,
    nodePort: nodePort.optional(),
});

export const istioSchema = z.strictObject({
    version: z.string().regex(SEMVER, { error: 'must be an Istio release such as "1.30.5"' }).optional(),
    extraGatewayPorts: z.array(extraGatewayPort).optional(),
    statusNodePort: nodePort.optional(),
    outboundTrafficPolicy: z.enum(["ALLOW_ANY", "REGISTRY_ONLY"]).optional(),
    // Canary upgrades of the control plane (checks/revisions.ts has the rules across these keys).
    revisions: z
        .array(z.string().regex(SEMVER, { error: 'must be an Istio release such as "1.31.1"' }))
        .min(1, { error: 'must list the Istio versions installed side by side, e.g. ["1.30.5", "1.31.1"]' })
        .optional(),
    stable: z.string().regex(SEMVER, { error: 'must be one of istio.revisions, e.g. "1.30.5"' }).optional(),
    canary: z.string().regex(SEMVER, { error: 'must be one of istio.revisions, e.g. "1.31.1"' }).optional(),
});

export const albControllerSchema = z.strictObject({
    version: z.string().regex(SEMVER, { error: 'must be a chart version such as "3.5.0"' }).optional(),
});

export const ingressSchema = z.strictObject({
    port: z.unknown().superRefine((p, ctx) => {
        if (p === undefined)
            ctx.addIssue({
                code: "custom",
                message: "is required: the gateway port this environment's ALB sends traffic to (e.g. 8000)",
            });
        else {
            const problem = portProblem(p);
            if (problem) ctx.addIssue({ code: "custom", message: problem });
        }
    }) as unknown as z.ZodType<number>,
    nodePort: nodePort.optional(),
    hosts: hosts.optional(),
    scheme: z.enum(["internet-facing", "internal"]).optional(),
    targetType: z.enum(["instance", "ip"]).optional(),
    certificateArn: z
        .string()
        .regex(CERTIFICATE_ARN, {
            error: "must be an ACM certificate ARN such as arn:aws:acm:ap-northeast-1:123456789012:certificate/0a1b2c3d-...",
        })
        .optional(),
    sslPolicy: z
        .string()
        .regex(/^ELBSecurityPolicy-[A-Za-z0-9-]+$/, {
            error: 'must be an ELB security policy such as "ELBSecurityPolicy-TLS13-1-2-2021-06"',
        })
        .optional(),
    allowPlainHttpInProduction: z.boolean().optional(),
    accessLogs: accessLogsSchema.optional(),
    wafAclArn: z
        .string()
        .superRefine((arn, ctx) => {
            const problem = wafAclArnShapeProblem(arn);
            if (problem) ctx.addIssue({ code: "custom", message: problem });
        })
        .optional(),
    allowedCidrs: z
        .array(albCidr)
        .min(1, {
            error: "is empty, which the controller reads as no restriction (0.0.0.0/0); list the address blocks that may reach the ALB, or remove the key",
        })
        .optional(),
    loadBalancerName: z
        .string()
        .regex(/^[A-Za-z0-9]([A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/, {
            error: "must be 1-32 letters, digits or hyphens, not starting or ending with a hyphen (an AWS limit)",
        })
        .refine((n) => !n.startsWith("internal-"), { error: 'must not start with "internal-" (reserved by AWS)' })
        .optional(),
});

const resourceAmounts = z.strictObject({
    cpu: z.string().regex(CPU_QUANTITY, { error: 'must be a CPU quantity such as "100m" or "1"' }).optional(),
    memory: z
        .string()
        .regex(MEMORY_QUANTITY, { error: 'must be a memory quantity such as "512Mi" or "2Gi"' })
        .optional(),
});

/** Overrides of an add-on's requests and limits; each key not set keeps its default. */
const resourcesSchema = z.strictObject({ requests: resourceAmounts.optional(), limits: resourceAmounts.optional() });

const retention = z.unknown().superRefine((r, ctx) => {
    const problem = retentionProblem(r);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
}) as unknown as z.ZodType<string>;

const prometheusSchema = z.strictObject({
    retention: retention.optional(),
    storage: z
        .strictObject({
            size: z
                .string({ error: 'is required: the volume size, such as "50Gi"' })
                .regex(/^[1-9]\d*Gi$/, { error: 'must be a size in Gi, such as "50Gi"' }),
            // Absent: the stack creates its own "gp3" class of the EBS CSI driver. Named: a class
            // that already exists in the cluster; the stack creates none.
            storageClass: z
                .string({ error: 'must be the name of a StorageClass that exists in the cluster, such as "gp3-kms"' })
                .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { error: 'must be a StorageClass name such as "gp3"' })
                .optional(),
        })
        .optional(),
    resources: resourcesSchema.optional(),
});

const kialiExposeSchema = z.strictObject({
    path: z
        .string()
        .regex(URL_PATH, {
            error: 'must be a URL path such as "/kiali": not "/" (Kiali would take over every path of the host) and without a trailing "/"',
        })
        .optional(),
    hosts: hosts.optional(),
    allowedIpBlocks: z
        .array(cidr())
        .min(1, {
            error: "is empty; list the client address blocks that may reach Kiali (e.g. [203.0.113.0/24]), or remove kiali.expose to keep Kiali private (kubectl port-forward)",
        })
        .optional(),
    allowedSourceNamespaces: z
        .array(z.string().regex(DNS1123_LABEL, { error: 'must be a namespace name such as "ops-tools"' }))
        .min(1, {
            error: "is empty; list the mesh namespaces whose workloads may reach Kiali through the gateway, or leave the key out",
        })
        .optional(),
});

/** Settings of each add-on when it is given as a map instead of true/false. */
export const ADDON_SCHEMAS = {
    prometheus: prometheusSchema,
    kiali: z.strictObject({ expose: kialiExposeSchema.optional(), resources: resourcesSchema.optional() }),
    grafana: z.strictObject({ resources: resourcesSchema.optional() }),
    tracing: z.strictObject({
        sampling: z
            .number({ error: "must be a percentage from 0 to 100, such as 1 or 0.5" })
            .min(0, { error: "must be a percentage from 0 to 100, such as 1 or 0.5" })
            .max(100, { error: "must be a percentage from 0 to 100, such as 1 or 0.5" })
            .optional(),
        resources: resourcesSchema.optional(),
    }),
} as const;

export const observabilitySchema = z.strictObject({
    namespace: z.enum(OBSERVABILITY_NAMESPACES).optional(),
    // Each add-on is true, false or a map of settings, checked one by one in parseObservability so
    // that a problem is reported at its own key path.
    prometheus: z.unknown().optional(),
    kiali: z.unknown().optional(),
    grafana: z.unknown().optional(),
    tracing: z.unknown().optional(),
});

export type AddonSettings = { [A in Addon]: z.infer<(typeof ADDON_SCHEMAS)[A]> };

/** The observability section as written: each add-on absent, true/false, or its settings. */
export type ParsedObservability = { namespace?: ObservabilityNamespace } & {
    [A in Addon]?: boolean | AddonSettings[A];
};

/** Namespaces an app must not take over (its namespace gets sidecar injection and is deleted with the app). */
export const RESERVED_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease", "istio-system"];

/**
 * Why `ns` cannot be an app's namespace, or undefined. Besides RESERVED_NAMESPACES: every kube-*
 * namespace is Kubernetes' own, and the add-ons' namespace belongs to the observability component
 * (its default, "observability", is reserved even while the add-ons are off, so turning them on
 * later never collides with an app).
 */
export function reservedNamespaceProblem(ns: string): string | undefined {
    if (RESERVED_NAMESPACES.includes(ns) || ns.startsWith("kube-")) return `${excerpt(ns)} is a system namespace`;
    if ((OBSERVABILITY_NAMESPACES as readonly string[]).includes(ns))
        return `${excerpt(ns)} is the namespace of the observability add-ons (eks-istio:observability.namespace)`;
    return undefined;
}

export const appSchema = z.strictObject({
    name: z.string().regex(DNS1123_LABEL, { error: 'must be a DNS-1123 label such as "vote-dog-cat"' }).max(63),
    namespace: z
        .string()
        .regex(DNS1123_LABEL, { error: 'must be a DNS-1123 label such as "vote-dog-cat"' })
        .max(63)
        .optional(),
    hosts: hosts.optional(),
    http: z.array(httpRoute).min(1, { error: "must list at least one route" }),
    destinationRules: z.array(destinationRule).optional(),
    authorization: z.array(authorizationRule).optional(),
    allowIngressGateway: z.boolean().optional(),
    serviceEntries: z.array(serviceEntry).optional(),
    revision: z.enum(REVISION_TAGS).optional(),
});

export type HttpRoute = z.infer<typeof httpRoute>;

export interface AppConfig {
    name: string;
    namespace: string;
    hosts: string[];
    http: HttpRoute[];
    /** One DestinationRule each, in the app's namespace. */
    destinationRules: DestinationRuleSpec[];
    /** ALLOW rules of the app's AuthorizationPolicy; none means no policy (mesh default: allow). */
    authorization: AuthorizationRule[];
    /** With authorization: also allow the ingress gateway, so the app stays reachable from its ALB. */
    allowIngressGateway: boolean;
    serviceEntries: ServiceEntrySpec[];
    /** With istio.revisions: the revision tag the app's namespace follows (injection by that control plane). */
    revision: RevisionTag;
}

export interface GatewayPort {
    environment: string;
    port: number;
    /** Pinned NodePort on the gateway Service; absent only in attached stacks, which do not own the Service. */
    nodePort?: number;
}

export interface StackConfig {
    stack: string;
    region: string;
    environment: string;
    /** Protects stateful resources and turns on high-availability defaults. */
    production: boolean;
    /**
     * Set before `pulumi destroy`: turns every deletion protection off (the ALB's, the EKS cluster's,
     * and Pulumi's `protect` on the VPC, cluster and key) and changes nothing else, so the `pulumi up`
     * that applies it does not also resize a production stack.
     */
    teardown: boolean;
    cluster: {
        name: string;
        kubernetesVersion: string;
        /**
         * The managed node groups, in the order listed: cluster.nodeGroups, or the single default
         * group "nodes" made of cluster.instanceTypes and the sizes. Never empty.
         */
        nodeGroups: NodeGroupConfig[];
        vpcCidr: string;
        publicAccessCidrs: string[];
        availabilityZones: number;
        natGateways: NatGateways;
        /** EKS support type: STANDARD upgrades a cluster at the end of standard support instead of billing extended support. */
        upgradePolicy: UpgradePolicy;
        logTypes: LogType[];
        /** Retention of the control-plane log group /aws/eks/<name>/cluster. */
        logRetentionDays: LogRetentionDays;
        /** Import the existing control-plane log group instead of creating it (one update only). */
        adoptLogGroup: boolean;
        /** Install the Cluster Autoscaler (scales the node group between minSize and maxSize). */
        autoscaler: boolean;
        adminPrincipalArns: string[];
        /**
         * Read-only principals (AmazonEKSAdminViewPolicy): the CI preview role, auditors. Never
         * also in adminPrincipalArns (EKS takes one access entry per principal).
         */
        viewerPrincipalArns: string[];
        stackReference?: string;
    };
    istio: {
        version: string;
        extraGatewayPorts: GatewayPort[];
        statusNodePort?: number;
        /** REGISTRY_ONLY: sidecars reach only hosts in the mesh registry (Services and ServiceEntries). */
        outboundTrafficPolicy: "ALLOW_ANY" | "REGISTRY_ONLY";
        /**
         * Canary upgrades: the versions installed side by side (each its own istiod) and the
         * versions the revision tags point to. Absent with `version` (one control plane); then
         * `version` is the only version. With revisions, `version` is the stable one.
         */
        revisions?: { versions: string[]; stable: string; canary?: string };
    };
    /** The shared istio-ingressgateway Service: this environment's port first, then the extra ones. */
    gateway: { statusNodePort: number; ports: Required<GatewayPort>[] };
    albController: { version: string };
    ingress: {
        port: number;
        nodePort?: number;
        hosts: string[];
        scheme: "internet-facing" | "internal";
        targetType: "instance" | "ip";
        certificateArn?: string;
        sslPolicy: string;
        /** Explicit opt-out of the HTTPS rule for production, internet-facing ALBs. */
        allowPlainHttpInProduction: boolean;
        loadBalancerName?: string;
        /**
         * ALB access logs: to `bucket` (an existing bucket), or, without it, to a bucket the stack
         * creates and expires after `retentionDays`. Absent: off (and stated off on the ALB).
         */
        accessLogs?: { bucket?: string; prefix: string; retentionDays?: number };
        /** The REGIONAL WAFv2 web ACL associated with the ALB; absent: none (stated as such). */
        wafAclArn?: string;
        /** Who may reach the ALB (its security group); absent: everyone (0.0.0.0/0). */
        allowedCidrs?: string[];
    };
    apps: AppConfig[];
    /** The observability add-ons; every one absent (off) unless switched on. */
    observability: ObservabilityConfig;
    /** Suspicious but valid settings, shown by `pulumi preview` and the render as warnings. */
    warnings: ConfigProblem[];
}

/** Requests and limits of one container, as Kubernetes takes them. */
export interface Resources {
    requests: { cpu?: string; memory?: string };
    limits: { cpu?: string; memory?: string };
}

/** Kiali on this environment's Gateway, behind an allow list. */
export interface KialiExpose {
    /** The route's URL path; Kiali serves its UI under it (web_root). */
    path: string;
    /** Hosts of the route: the environment's ingress.hosts unless set. */
    hosts: string[];
    /** Client address blocks let through, as the ALB reports them (X-Forwarded-For). */
    allowedIpBlocks: string[];
    /** Mesh namespaces whose workloads may call Kiali through the gateway. */
    allowedSourceNamespaces: string[];
}

export interface ObservabilityConfig {
    namespace: ObservabilityNamespace;
    /** On when set, and whenever kiali or grafana is on (both read their metrics from it). */
    prometheus?: {
        retention: string;
        /** The PersistentVolume's size with `storage`, otherwise the emptyDir's size limit. */
        volumeSize: string;
        /**
         * A PersistentVolume of `size` on `storageClass`: the stack's own gp3 class of the EBS CSI
         * driver unless `existingStorageClass` (the class named in config exists already).
         */
        storage?: { size: string; storageClass: string; existingStorageClass: boolean };
        resources: Resources;
    };
    kiali?: {
        replicas: number;
        resources: Resources;
        /** Kiali's web_root: expose.path, or the default /kiali. */
        path: string;
        expose?: KialiExpose;
    };
    grafana?: { resources: Resources };
    tracing?: {
        /** Percentage of requests traced, 0-100 (Telemetry randomSamplingPercentage). */
        sampling: number;
        resources: Resources;
    };
}

export interface ConfigProblem {
    /** Full key path as the user writes it, e.g. "eks-istio:cluster.minSize". */
    path: string;
    message: string;
}

/** The stack's raw config: `values` holds the `eks-istio:*` keys, already JSON-decoded. */
export interface RawStackConfig {
    stack: string;
    region?: string;
    values: Record<string, unknown>;
    /**
     * Top-level keys whose value Pulumi marks secret (`pulumi config set --secret`). No message
     * prints any part of their values.
     */
    secretKeys?: readonly string[];
}

export const TOP_LEVEL_KEYS = [
    "environment",
    "production",
    "teardown",
    "cluster",
    "istio",
    "albController",
    "ingress",
    "apps",
    "observability",
] as const;
