// The stack config contract (namespace `eks-istio`), its defaults, and the errors a user reads when
// the config is wrong. Everything here is pure except `loadStackConfig`, which reads Pulumi's config
// store; the program calls it before registering any resource, so a bad config creates nothing.
import * as pulumi from "@pulumi/pulumi";
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

export const NAMESPACE = "eks-istio";

/** Every default of the contract, in one place. Production-only defaults are in `PRODUCTION_DEFAULTS`. */
export const DEFAULTS = {
    cluster: {
        kubernetesVersion: "1.34",
        instanceTypes: ["t3.large"],
        minSize: 2,
        desiredSize: 2,
        maxSize: 4,
        vpcCidr: "10.0.0.0/16",
        publicAccessCidrs: ["0.0.0.0/0"],
        availabilityZones: 2,
        natGateways: "single" as NatGateways,
        logTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"] as LogType[],
        adminPrincipalArns: [] as string[],
    },
    istio: { version: "1.30.3", outboundTrafficPolicy: "ALLOW_ANY" as const },
    albController: { version: "3.5.0" },
    ingress: {
        hosts: ["*"],
        scheme: "internet-facing" as const,
        targetType: "instance" as const,
        // TLS 1.3 with 1.2 fallback: the policy AWS recommends for new ALB listeners.
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    },
    observability: {
        namespace: "observability" as ObservabilityNamespace,
        /** Where Kiali serves its UI (its web_root), and the path kiali.expose routes by default. */
        kialiPath: "/kiali",
        /**
         * Sizing of each add-on, for dev-sized and production stacks (the `production` flag). Memory
         * gets a limit and CPU does not: a memory leak is stopped before it starves the node, while a
         * CPU limit would only throttle a query burst that the node has idle CPU for.
         */
        sizing: {
            dev: {
                // A couple of days on the node's disk: enough to compare today with yesterday. The
                // volume is an emptyDir capped at 2Gi (nodes have 20GiB root volumes).
                prometheus: {
                    retention: "2d",
                    volume: "2Gi",
                    resources: { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "1Gi" } },
                },
                kiali: {
                    replicas: 1,
                    resources: { requests: { cpu: "10m", memory: "128Mi" }, limits: { memory: "512Mi" } },
                },
                grafana: { resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } } },
                // One request in ten traced: enough to find a slow hop while testing, cheap on Envoy.
                tracing: {
                    sampling: 10,
                    resources: { requests: { cpu: "50m", memory: "256Mi" }, limits: { memory: "1Gi" } },
                },
            },
            production: {
                // Two weeks, bounded by size too (retentionSize is 80% of the volume). Without
                // prometheus.storage the volume is still an emptyDir: see the warning it raises.
                prometheus: {
                    retention: "15d",
                    volume: "8Gi",
                    resources: { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "4Gi" } },
                },
                // Two replicas: the console stays up through a node drain.
                kiali: {
                    replicas: 2,
                    resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "1Gi" } },
                },
                grafana: { resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } } },
                // Istio's own default rate (1%): tracing cost grows with traffic, so keep it small.
                tracing: {
                    sampling: 1,
                    resources: { requests: { cpu: "200m", memory: "1Gi" }, limits: { memory: "2Gi" } },
                },
            },
        },
    },
} as const;

/** What `production: true` changes when the key is not set explicitly. */
export const PRODUCTION_DEFAULTS = {
    availabilityZones: 3,
    natGateways: "perAz" as NatGateways,
} as const;

/** Environments whose `production` flag defaults to true. */
export const PRODUCTION_ENVIRONMENTS = ["product", "prod", "production"];

export const OBSERVABILITY_NAMESPACES = ["observability", "istio-system"] as const;
type ObservabilityNamespace = (typeof OBSERVABILITY_NAMESPACES)[number];
/** The add-ons, in the order they are documented and installed. */
export const ADDONS = ["prometheus", "kiali", "grafana", "tracing"] as const;
export type Addon = (typeof ADDONS)[number];

const LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;
type LogType = (typeof LOG_TYPES)[number];
type NatGateways = "single" | "perAz";

// ---------------------------------------------------------------------------------------------
// Field validators, exported for the tests' tables.

/** RFC 1123 label: what Kubernetes requires of namespace names and most object names. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Environment names end up in a Service port name `http-<env>`, and Kubernetes limits port names to
 * 15 characters (IANA service name), so an environment is at most 10 characters and has no "--".
 */
export const MAX_ENVIRONMENT_LENGTH = 10;

export function environmentProblem(env: string): string | undefined {
    if (!DNS1123_LABEL.test(env))
        return `"${env}" is not a DNS-1123 label; use lower-case letters, digits and "-", starting and ending with a letter or digit (e.g. "dev", "qa-1")`;
    if (env.length > MAX_ENVIRONMENT_LENGTH)
        return `"${env}" is ${env.length} characters; at most ${MAX_ENVIRONMENT_LENGTH} are allowed because the gateway Service port is named "http-${env}" and Kubernetes limits port names to 15 characters`;
    if (env.includes("--"))
        return `"${env}" contains "--", which Kubernetes does not allow in the port name "http-${env}"`;
    if (!/[a-z]/.test(env)) return `"${env}" needs at least one letter (Kubernetes port names must contain a letter)`;
    return undefined;
}

/** Istio reserves 15000-15099 for its sidecar and gateway (15021 status, 15090 metrics, ...). */
export const ISTIO_RESERVED_PORTS = { from: 15000, to: 15099 };

export function portProblem(port: unknown): string | undefined {
    if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535)
        return `${JSON.stringify(port)} is not a port; use an integer from 1 to 65535`;
    if (port >= ISTIO_RESERVED_PORTS.from && port <= ISTIO_RESERVED_PORTS.to)
        return `${port} is in Istio's reserved range ${ISTIO_RESERVED_PORTS.from}-${ISTIO_RESERVED_PORTS.to} (15021 is the gateway's status port); pick another port such as 8000`;
    return undefined;
}

/** Kubernetes' default NodePort range. */
export const NODE_PORT_RANGE = { from: 30000, to: 32767 };

/** The gateway's status port: ALB health checks go to its /healthz/ready. */
export const STATUS_PORT = 15021;

/**
 * The NodePort pinned for a gateway port unless config sets one: 30000 + (port mod 2768), so it is
 * stable across deploys and easy to derive by hand (80 → 30080, 8000 → 32464, 9000 → 30696,
 * status 15021 → 31181). Pinned because ALB target groups (instance mode) point at NodePorts; a
 * NodePort that moved on a Service re-create would leave every target unhealthy.
 */
export function defaultNodePort(port: number): number {
    return NODE_PORT_RANGE.from + (port % (NODE_PORT_RANGE.to - NODE_PORT_RANGE.from + 1));
}

/** Parses "a.b.c.d/n" and reports what is wrong with it, including host bits set past the prefix. */
export function cidrProblem(cidr: string, { minPrefix = 0, maxPrefix = 32 } = {}): string | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
    if (!m) return `"${cidr}" is not an IPv4 CIDR block such as 10.0.0.0/16`;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return `"${cidr}" is not an IPv4 CIDR block such as 10.0.0.0/16`;
    const address = octets.reduce((a, o) => a * 256 + o, 0);
    const size = 2 ** (32 - prefix);
    if (address % size !== 0) {
        const network = address - (address % size);
        const dotted = [24, 16, 8, 0].map((s) => Math.floor(network / 2 ** s) % 256).join(".");
        return `"${cidr}" has host bits set; did you mean ${dotted}/${prefix}?`;
    }
    if (prefix < minPrefix || prefix > maxPrefix)
        return `"${cidr}" has prefix /${prefix}; use a prefix from /${minPrefix} to /${maxPrefix}`;
    return undefined;
}

/** ACM certificate ARN; its region must be the stack's region (an ALB only uses certificates from its own region). */
export const CERTIFICATE_ARN =
    /^arn:(aws|aws-cn|aws-us-gov):acm:([a-z]{2}(-[a-z]+)+-\d):(\d{12}):certificate\/[0-9a-f-]{36}$/;
const IAM_PRINCIPAL_ARN = /^arn:(aws|aws-cn|aws-us-gov):(iam|sts)::\d{12}:(role|user|assumed-role)\/[\w+=,.@/-]+$/;
/** Graviton families carry a "g" after the generation digit (t4g, m7g, c6gn, x2gd, g5g), and a1. */
export function isArmInstanceType(instanceType: string): boolean {
    // a1 is the first Graviton generation, from before the "g" suffix.
    return /^[a-z]+\d+[a-z]*g[a-z]*\./.test(instanceType) || instanceType.startsWith("a1.");
}

const SEMVER = /^\d+\.\d+\.\d+$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;
const STACK_REFERENCE = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;
/** Gateway/VirtualService host: "*", a DNS name, or "*.suffix". */
const HOST = /^(\*|(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/;

/** Kubernetes CPU quantity: millicores ("250m") or cores ("1", "0.5"). */
const CPU_QUANTITY = /^(\d+m|\d+(\.\d+)?)$/;
/** Memory in Mi or Gi, the units pods are sized in. */
const MEMORY_QUANTITY = /^[1-9]\d*(Mi|Gi)$/;

export function cpuMillicores(quantity: string): number {
    return quantity.endsWith("m") ? Number(quantity.slice(0, -1)) : Number(quantity) * 1000;
}

export function memoryMebibytes(quantity: string): number {
    const n = Number(quantity.slice(0, -2));
    return quantity.endsWith("Gi") ? n * 1024 : n;
}

/** A Prometheus duration: "15d", "12h", "1w3d". */
const PROMETHEUS_DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

export function prometheusDurationHours(duration: string): number {
    const hours: Record<string, number> = { ms: 1 / 3_600_000, s: 1 / 3600, m: 1 / 60, h: 1, d: 24, w: 168, y: 8760 };
    let total = 0;
    for (const [, n, unit] of duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(n) * hours[unit];
    return total;
}

export function retentionProblem(retention: unknown): string | undefined {
    if (typeof retention !== "string" || !PROMETHEUS_DURATION.test(retention))
        return `${JSON.stringify(retention)} is not a Prometheus duration; use a number and a unit such as "2d", "12h" or "2w"`;
    if (prometheusDurationHours(retention) < 2)
        return `"${retention}" is shorter than 2h, the block Prometheus writes to disk, so it would keep almost nothing; use at least "2h"`;
    return undefined;
}

/** A URL path Kiali can be served under: "/kiali", "/ops/kiali"; not "/" and no trailing "/". */
const URL_PATH = /^(\/[A-Za-z0-9._~-]+)+$/;

// ---------------------------------------------------------------------------------------------
// Schemas. Strict objects: an unknown key is a typo until proven otherwise.

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

const clusterSchema = z.strictObject({
    kubernetesVersion: z
        .string({
            error: (i) =>
                typeof i.input === "number"
                    ? `must be a quoted string such as "1.34" (YAML reads an unquoted 1.30 as the number 1.3)`
                    : `must be a Kubernetes minor version such as "1.34"`,
        })
        .regex(/^1\.\d{2}$/, { error: 'must be a Kubernetes minor version such as "1.34"' })
        .optional(),
    instanceTypes: z
        .array(z.string().regex(INSTANCE_TYPE, { error: 'must be an EC2 instance type such as "t3.large"' }))
        .min(1, { error: "must list at least one instance type" })
        .optional(),
    minSize: z.number().int().min(0).optional(),
    desiredSize: z.number().int().min(1).optional(),
    maxSize: z.number().int().min(1).max(450).optional(),
    vpcCidr: cidr({ minPrefix: 16, maxPrefix: 22 }).optional(),
    publicAccessCidrs: z.array(cidr()).min(1, { error: "must list at least one CIDR block" }).optional(),
    availabilityZones: z.number().int().min(2).max(6).optional(),
    natGateways: z.enum(["single", "perAz"]).optional(),
    logTypes: z.array(z.enum(LOG_TYPES)).optional(),
    adminPrincipalArns: z
        .array(
            z.string().regex(IAM_PRINCIPAL_ARN, {
                error: "must be an IAM role or user ARN such as arn:aws:iam::123456789012:role/platform-admins",
            }),
        )
        .optional(),
    stackReference: z
        .string()
        .regex(STACK_REFERENCE, { error: 'must be "<organization>/<project>/<stack>", e.g. "acme/eks-istio/dev"' })
        .optional(),
});

const extraGatewayPort = z.strictObject({
    environment: environmentName,
    port,
    nodePort: nodePort.optional(),
});

const istioSchema = z.strictObject({
    version: z.string().regex(SEMVER, { error: 'must be an Istio release such as "1.30.3"' }).optional(),
    extraGatewayPorts: z.array(extraGatewayPort).optional(),
    statusNodePort: nodePort.optional(),
    outboundTrafficPolicy: z.enum(["ALLOW_ANY", "REGISTRY_ONLY"]).optional(),
});

const albControllerSchema = z.strictObject({
    version: z.string().regex(SEMVER, { error: 'must be a chart version such as "3.5.0"' }).optional(),
});

const ingressSchema = z.strictObject({
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
            storageClass: z
                .string({
                    error: "is required: a StorageClass of a CSI driver (such as the EBS CSI driver's gp3), which this stack does not install",
                })
                .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, { error: 'must be a StorageClass name such as "gp3"' }),
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
const ADDON_SCHEMAS = {
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

const observabilitySchema = z.strictObject({
    namespace: z.enum(OBSERVABILITY_NAMESPACES).optional(),
    // Each add-on is true, false or a map of settings, checked one by one in parseObservability so
    // that a problem is reported at its own key path.
    prometheus: z.unknown().optional(),
    kiali: z.unknown().optional(),
    grafana: z.unknown().optional(),
    tracing: z.unknown().optional(),
});

type AddonSettings = { [A in Addon]: z.infer<(typeof ADDON_SCHEMAS)[A]> };
/** The observability section as written: each add-on absent, true/false, or its settings. */
type ParsedObservability = { namespace?: ObservabilityNamespace } & { [A in Addon]?: boolean | AddonSettings[A] };

/** Namespaces an app must not take over (its namespace gets sidecar injection and is deleted with the app). */
export const RESERVED_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease", "istio-system"];

const appSchema = z.strictObject({
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
});

// ---------------------------------------------------------------------------------------------
// The parsed, defaulted config the program consumes.

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
    cluster: {
        name: string;
        kubernetesVersion: string;
        instanceTypes: string[];
        minSize: number;
        desiredSize: number;
        maxSize: number;
        vpcCidr: string;
        publicAccessCidrs: string[];
        availabilityZones: number;
        natGateways: NatGateways;
        logTypes: LogType[];
        adminPrincipalArns: string[];
        stackReference?: string;
    };
    istio: {
        version: string;
        extraGatewayPorts: GatewayPort[];
        statusNodePort?: number;
        /** REGISTRY_ONLY: sidecars reach only hosts in the mesh registry (Services and ServiceEntries). */
        outboundTrafficPolicy: "ALLOW_ANY" | "REGISTRY_ONLY";
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
        loadBalancerName?: string;
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
        storage?: { size: string; storageClass: string };
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

/**
 * Raised for an invalid stack config. A `pulumi.RunError`, so `pulumi preview` prints the message
 * alone, not a stack trace. Lists every problem found, not only the first.
 */
export class ConfigError extends pulumi.RunError {
    constructor(
        readonly stack: string,
        readonly problems: ConfigProblem[],
    ) {
        super(
            `Invalid config for stack "${stack}" (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n"),
        );
        this.name = "ConfigError";
    }
}

/** The stack's raw config: `values` holds the `eks-istio:*` keys, already JSON-decoded. */
export interface RawStackConfig {
    stack: string;
    region?: string;
    values: Record<string, unknown>;
}

const TOP_LEVEL_KEYS = [
    "environment",
    "production",
    "cluster",
    "istio",
    "albController",
    "ingress",
    "apps",
    "observability",
] as const;

/** Turns raw config into a `StackConfig` or throws one `ConfigError` listing every problem. */
export function parseStackConfig(raw: RawStackConfig): StackConfig {
    const problems: ConfigProblem[] = [];
    const add = (path: string, message: string) => problems.push({ path: keyPath(path), message });
    const v = raw.values;

    for (const key of Object.keys(v)) {
        if (!(TOP_LEVEL_KEYS as readonly string[]).includes(key))
            add(key, `unknown key${didYouMean(key, TOP_LEVEL_KEYS)}; the keys are ${TOP_LEVEL_KEYS.join(", ")}`);
    }

    if (!raw.region)
        problems.push({
            path: "aws:region",
            message: "is required, e.g. `pulumi config set aws:region ap-northeast-1`",
        });

    const environment = v.environment ?? raw.stack;
    const envSource = v.environment === undefined ? `(the stack name, used as the environment)` : "";
    if (typeof environment !== "string") add("environment", `must be a string, got ${JSON.stringify(environment)}`);
    else {
        const problem = environmentProblem(environment);
        if (problem) add("environment", `${problem}${envSource ? ` ${envSource}; set eks-istio:environment` : ""}`);
    }
    if (v.production !== undefined && typeof v.production !== "boolean")
        add("production", `must be true or false, got ${JSON.stringify(v.production)}`);

    const section = <T>(key: string, schema: z.ZodType<T>, value: unknown): T | undefined => {
        const r = schema.safeParse(value, { reportInput: true });
        if (r.success) return r.data;
        for (const issue of r.error.issues) add([key, ...issue.path].join("."), issueMessage(issue, schema));
        return undefined;
    };

    const cluster =
        section("cluster", clusterSchema.optional(), v.cluster) ?? (v.cluster === undefined ? {} : undefined);
    const istio = section("istio", istioSchema.optional(), v.istio) ?? (v.istio === undefined ? {} : undefined);
    const albController =
        section("albController", albControllerSchema.optional(), v.albController) ??
        (v.albController === undefined ? {} : undefined);
    let ingress: z.infer<typeof ingressSchema> | undefined;
    if (v.ingress === undefined)
        add(
            "ingress",
            "is required; at least `eks-istio:ingress: {port: 8000}` (the gateway port of this environment)",
        );
    else ingress = section("ingress", ingressSchema, v.ingress);

    // Apps are parsed one by one so that one bad app does not hide the others' problems.
    const apps: z.infer<typeof appSchema>[] = [];
    if (v.apps !== undefined && !Array.isArray(v.apps)) add("apps", "must be a list of apps");
    else
        ((v.apps as unknown[] | undefined) ?? []).forEach((a, i) => {
            const app = section(`apps[${i}]`, appSchema, a);
            if (app) apps.push(app);
        });

    const observability = parseObservability(v.observability, section, add);

    // Cross-field rules. They read the raw values, guarded field by field, so that a type error
    // elsewhere in the same section does not hide them: one run reports every problem.
    const rawCluster = record(v.cluster);
    const counts = (["minSize", "desiredSize", "maxSize"] as const).map((k) => rawCluster[k] ?? DEFAULTS.cluster[k]);
    if (counts.every(Number.isInteger)) {
        const [min, desired, max] = counts as number[];
        if (!(min <= desired && desired <= max))
            add(
                "cluster",
                `node counts must satisfy minSize <= desiredSize <= maxSize, got minSize ${min}, desiredSize ${desired}, maxSize ${max}`,
            );
    }
    const types = Array.isArray(rawCluster.instanceTypes)
        ? rawCluster.instanceTypes.filter((t) => typeof t === "string")
        : [];
    if (new Set(types.map(isArmInstanceType)).size > 1)
        add(
            "cluster.instanceTypes",
            `mixes ARM (Graviton) and x86 instance types (${types.join(", ")}); one node group runs one architecture, so list types of one kind`,
        );
    if (rawCluster.stackReference !== undefined) attachedModeProblems(v).forEach((p) => add(p.at, p.message));
    const certRegion = CERTIFICATE_ARN.exec(String(record(v.ingress).certificateArn ?? ""))?.[2];
    if (certRegion && raw.region && certRegion !== raw.region)
        add(
            "ingress.certificateArn",
            `the certificate is in ${certRegion} but the stack deploys to ${raw.region}; an ALB can only use ACM certificates from its own region`,
        );
    gatewayPortProblems(environment, record(v.ingress).port, record(v.istio).extraGatewayPorts).forEach((p) =>
        add(p.at, p.message),
    );
    nodePortProblems(record(v.ingress), record(v.istio)).forEach((p) => add(p.at, p.message));
    appProblems(v.apps).forEach((p) => add(p.at, p.message));
    routingProblems(v.apps, record(v.ingress).hosts).forEach((p) => add(p.at, p.message));
    const traffic = trafficPolicyProblems(apps);
    traffic.errors.forEach((p) => add(p.at, p.message));
    const production =
        typeof v.production === "boolean"
            ? v.production
            : PRODUCTION_ENVIRONMENTS.includes(typeof environment === "string" ? environment : "");
    observabilityProblems(v.observability, production, record(v.ingress).hosts).forEach((p) => add(p.at, p.message));

    if (problems.length > 0) throw new ConfigError(raw.stack, problems);
    const warnings = traffic.warnings.map((w) => ({ path: keyPath(w.at), message: w.message }));
    const config = withDefaults(raw, environment as string, warnings, {
        production: v.production as boolean | undefined,
        cluster: cluster!,
        istio: istio!,
        albController: albController!,
        ingress: ingress!,
        apps,
        observability: observability!,
    });
    for (const w of observabilityWarnings(config)) config.warnings.push({ path: keyPath(w.at), message: w.message });
    return config;
}

type Section = <T>(key: string, schema: z.ZodType<T>, value: unknown) => T | undefined;

/** The observability section: its own keys, then each add-on as true, false or its settings. */
function parseObservability(
    raw: unknown,
    section: Section,
    add: (path: string, message: string) => void,
): ParsedObservability | undefined {
    if (raw === undefined) return {};
    const top = section("observability", observabilitySchema, raw);
    if (!top) return undefined;
    const parsed: Record<string, unknown> = { namespace: top.namespace };
    let ok = true;
    for (const addon of ADDONS) {
        const value = top[addon];
        if (value === undefined || typeof value === "boolean") {
            parsed[addon] = value;
            continue;
        }
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
            add(
                `observability.${addon}`,
                `must be true, false or a map of settings (${keysAt(ADDON_SCHEMAS[addon], []).join(", ")}), got ${JSON.stringify(value)}`,
            );
            ok = false;
            continue;
        }
        const settings = section(`observability.${addon}`, ADDON_SCHEMAS[addon] as z.ZodType, value);
        if (settings === undefined) ok = false;
        else parsed[addon] = settings;
    }
    return ok ? (parsed as ParsedObservability) : undefined;
}

/** Whether a raw add-on value switches the add-on on: true, or a map of settings. */
function addonOn(value: unknown): boolean {
    return value === true || (typeof value === "object" && value !== null && !Array.isArray(value));
}

/**
 * Rules across the add-ons: Kiali and Grafana need this stack's Prometheus, requests fit under
 * limits once the overrides meet the defaults, and an exposed Kiali has an allow list and a host
 * the Gateway serves.
 */
function observabilityProblems(
    raw: unknown,
    production: boolean,
    gatewayHosts: unknown,
): { at: string; message: string }[] {
    const out: { at: string; message: string }[] = [];
    const o = record(raw);
    const readers = (["kiali", "grafana"] as const).filter((a) => addonOn(o[a]));
    if (o.prometheus === false && readers.length > 0)
        out.push({
            at: "observability.prometheus",
            message: `is false, but ${readers.join(" and ")} ${readers.length > 1 ? "read their" : "reads its"} metrics from this stack's Prometheus; remove prometheus: false (it is then switched on with its defaults) or switch ${readers.join(" and ")} off`,
        });
    const sizing = production ? DEFAULTS.observability.sizing.production : DEFAULTS.observability.sizing.dev;
    for (const addon of ADDONS) {
        const override = record(record(o[addon]).resources);
        if (Object.keys(override).length > 0)
            out.push(
                ...resourceProblems(
                    `observability.${addon}.resources`,
                    sizing[addon].resources,
                    override,
                    production ? "production" : "dev",
                ),
            );
    }
    const kiali = record(o.kiali);
    if (addonOn(kiali.expose)) {
        const expose = record(kiali.expose);
        if (expose.allowedIpBlocks === undefined && expose.allowedSourceNamespaces === undefined)
            out.push({
                at: "observability.kiali.expose",
                message:
                    "needs an allow list: allowedIpBlocks (client address blocks, e.g. [203.0.113.0/24]) and/or allowedSourceNamespaces; Kiali is never exposed to everyone",
            });
        const served = Array.isArray(gatewayHosts)
            ? gatewayHosts.filter((h) => typeof h === "string")
            : [...DEFAULTS.ingress.hosts];
        for (const h of Array.isArray(expose.hosts) ? expose.hosts.filter((x) => typeof x === "string") : [])
            if (!served.some((g) => hostsOverlap(g, h)))
                out.push({
                    at: "observability.kiali.expose.hosts",
                    message: `"${h}" is not served by this environment's Gateway (eks-istio:ingress.hosts: ${JSON.stringify(served)}); add it there or fix the host`,
                });
    }
    return out;
}

/** A request above its limit, after the overrides are laid over the defaults. */
function resourceProblems(
    at: string,
    defaults: { requests: Record<string, string | undefined>; limits: Record<string, string | undefined> },
    override: Record<string, unknown>,
    sizing: string,
): { at: string; message: string }[] {
    const out: { at: string; message: string }[] = [];
    const given = { requests: record(override.requests), limits: record(override.limits) };
    const requests: Record<string, unknown> = { ...defaults.requests, ...given.requests };
    const limits: Record<string, unknown> = { ...defaults.limits, ...given.limits };
    const kinds = [
        ["cpu", CPU_QUANTITY, cpuMillicores],
        ["memory", MEMORY_QUANTITY, memoryMebibytes],
    ] as const;
    for (const [kind, pattern, amount] of kinds) {
        const [request, limit] = [requests[kind], limits[kind]];
        if (typeof request !== "string" || typeof limit !== "string") continue;
        if (!pattern.test(request) || !pattern.test(limit) || amount(limit) >= amount(request)) continue;
        if (given.limits[kind] === undefined)
            out.push({
                at: `${at}.requests.${kind}`,
                message: `${request} is above the ${sizing} default limit ${limit}; raise limits.${kind} too`,
            });
        else
            out.push({
                at: `${at}.limits.${kind}`,
                message: `${limit} is below the request ${request}${given.requests[kind] === undefined ? ` (the ${sizing} default)` : ""}; a limit must be at least the request`,
            });
    }
    return out;
}

/** Settings that work but deserve a second look; on a config that parsed. */
export function observabilityWarnings(cfg: StackConfig): { at: string; message: string }[] {
    const out: { at: string; message: string }[] = [];
    const { prometheus, kiali } = cfg.observability;
    if (cfg.production && prometheus && !prometheus.storage)
        out.push({
            at: "observability.prometheus",
            message: `keeps ${prometheus.retention} of metrics on the node's disk (an emptyDir of at most ${prometheus.volumeSize}), lost whenever the pod moves; for metrics that survive node replacement set prometheus.storage to a StorageClass of the EBS CSI driver (which this stack does not install)`,
        });
    const expose = kiali?.expose;
    if (!expose) return out;
    if (expose.allowedIpBlocks.includes("0.0.0.0/0"))
        out.push({
            at: "observability.kiali.expose.allowedIpBlocks",
            message:
                "0.0.0.0/0 lets every client reach Kiali's login page; Kiali still asks for a Kubernetes token, but narrow the list to the addresses you work from",
        });
    if (cfg.ingress.certificateArn === undefined)
        out.push({
            at: "observability.kiali.expose",
            message:
                "the environment's ALB serves plain HTTP (no eks-istio:ingress.certificateArn), so Kiali login tokens would cross the network unencrypted; set a certificate",
        });
    cfg.apps.forEach((app, i) => {
        const j = app.http.findIndex(isCatchAll);
        // Envoy picks the most specific host first, so only a host both name exactly competes.
        const host = app.hosts.find((h) => expose.hosts.includes(h));
        if (j >= 0 && host !== undefined)
            out.push({
                at: `apps[${i}].http[${j}]`,
                message: `matches every request on host "${host}", where kiali.expose routes ${expose.path}; Istio merges both VirtualServices in creation order, so ${expose.path} may reach this app instead of Kiali. Give Kiali a host of its own with observability.kiali.expose.hosts`,
            });
    });
    return out;
}

function record(x: unknown): Record<string, unknown> {
    return typeof x === "object" && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
}

/** Environments and ports served by one gateway Service must be unique across ingress.port and extraGatewayPorts. */
function gatewayPortProblems(environment: unknown, port: unknown, extra: unknown): { at: string; message: string }[] {
    const out: { at: string; message: string }[] = [];
    const seenEnv = new Map<unknown, string>([[environment, "this stack's environment"]]);
    const seenPort = new Map<unknown, string>([[port, `${keyPath("ingress.port")} (${String(environment)})`]]);
    (Array.isArray(extra) ? extra : []).forEach((raw, i) => {
        const p = record(raw);
        const at = `istio.extraGatewayPorts[${i}]`;
        if (typeof p.environment === "string") {
            if (seenEnv.has(p.environment))
                out.push({
                    at: `${at}.environment`,
                    message: `"${p.environment}" is already served by ${seenEnv.get(p.environment)}`,
                });
            seenEnv.set(p.environment, keyPath(at));
        }
        if (typeof p.port === "number") {
            if (seenPort.has(p.port))
                out.push({
                    at: `${at}.port`,
                    message: `${p.port} is already used by ${seenPort.get(p.port)}; each environment needs its own port`,
                });
            seenPort.set(p.port, `${keyPath(at)} (${String(p.environment)})`);
        }
    });
    return out;
}

/**
 * Settings an attached stack (cluster.stackReference) cannot have: the owner stack runs the VPC,
 * the cluster, the load balancer controller and Istio, and pins the gateway's NodePorts.
 */
function attachedModeProblems(v: Record<string, unknown>): { at: string; message: string }[] {
    const owner = "the owner stack (the one cluster.stackReference names)";
    const out: { at: string; message: string }[] = [];
    for (const key of Object.keys(record(v.cluster)).filter((k) => k !== "stackReference"))
        out.push({
            at: `cluster.${key}`,
            message: `has no effect with cluster.stackReference: this stack creates no cluster; set it in ${owner}`,
        });
    for (const key of Object.keys(record(v.istio)))
        out.push({
            at: `istio.${key}`,
            message:
                key === "extraGatewayPorts"
                    ? `belongs in ${owner}, which owns the gateway Service; list this environment there`
                    : `has no effect with cluster.stackReference: Istio is installed by ${owner}; set it there`,
        });
    if (v.albController !== undefined)
        out.push({
            at: "albController",
            message: `has no effect with cluster.stackReference: ${owner} runs the controller`,
        });
    if (v.observability !== undefined)
        out.push({
            at: "observability",
            message: `has no effect with cluster.stackReference: the add-ons run once per cluster and are installed by ${owner}; set eks-istio:observability there`,
        });
    if (record(v.ingress).nodePort !== undefined)
        out.push({
            at: "ingress.nodePort",
            message: `is pinned by ${owner}: set it on this environment's entry of its eks-istio:istio.extraGatewayPorts`,
        });
    return out;
}

/** Every port of the gateway Service gets a distinct NodePort, whether set or derived. */
function nodePortProblems(
    ingress: Record<string, unknown>,
    istio: Record<string, unknown>,
): { at: string; message: string }[] {
    const entries: { at: string; port: unknown; nodePort: unknown; status?: true }[] = [
        { at: "istio.statusNodePort", port: STATUS_PORT, nodePort: istio.statusNodePort, status: true },
        { at: "ingress.nodePort", port: ingress.port, nodePort: ingress.nodePort },
        ...(Array.isArray(istio.extraGatewayPorts) ? istio.extraGatewayPorts : []).map((e, i) => ({
            at: `istio.extraGatewayPorts[${i}].nodePort`,
            port: record(e).port,
            nodePort: record(e).nodePort,
        })),
    ];
    const out: { at: string; message: string }[] = [];
    const seen = new Map<number, string>();
    for (const e of entries) {
        const explicit = e.nodePort !== undefined;
        const derivable = e.status || !portProblem(e.port);
        const nodePort = explicit ? e.nodePort : derivable ? defaultNodePort(e.port as number) : undefined;
        if (typeof nodePort !== "number") continue;
        const what = explicit ? `${nodePort}` : `${nodePort} (derived from port ${String(e.port)})`;
        if (seen.has(nodePort))
            out.push({
                at: e.at,
                message: `${what} is also the nodePort of ${seen.get(nodePort)}; set a distinct nodePort in ${NODE_PORT_RANGE.from}-${NODE_PORT_RANGE.to}`,
            });
        else seen.set(nodePort, keyPath(e.at));
    }
    return out;
}

/** True when a route matches every request: no match, or a match on nothing but uri prefix "/". */
export function isCatchAll(route: { match?: unknown }): boolean {
    if (!Array.isArray(route.match) || route.match.length === 0) return true;
    return route.match.map(record).some((m) => {
        const keys = Object.keys(m).filter((k) => k !== "name");
        if (keys.length === 0) return true;
        const uri = record(m.uri);
        return keys.length === 1 && keys[0] === "uri" && uri.prefix === "/";
    });
}

/** Whether two Gateway/VirtualService hosts can name the same request host. */
export function hostsOverlap(a: string, b: string): boolean {
    if (a === "*" || b === "*" || a === b) return true;
    const covers = (wild: string, h: string) =>
        wild.startsWith("*.") && (h.endsWith(wild.slice(1)) || (h.startsWith("*.") && wild.endsWith(h.slice(1))));
    return covers(a, b) || covers(b, a);
}

/**
 * Routing mistakes that are valid YAML and valid Istio but lose traffic: a route after a
 * catch-all, a catch-all shared with another app's host (Istio merges VirtualServices of one
 * gateway host in creation order, so which app wins depends on deploy order), and an app host the
 * environment's Gateway does not serve.
 */
function routingProblems(apps: unknown, gatewayHosts: unknown): { at: string; message: string }[] {
    const out: { at: string; message: string }[] = [];
    const list = (Array.isArray(apps) ? apps : []).map(record);
    const hostsOf = (a: Record<string, unknown>): string[] =>
        Array.isArray(a.hosts) ? a.hosts.filter((h) => typeof h === "string") : [...DEFAULTS.ingress.hosts];
    const gwHosts = Array.isArray(gatewayHosts)
        ? gatewayHosts.filter((h) => typeof h === "string")
        : [...DEFAULTS.ingress.hosts];
    list.forEach((app, i) => {
        const routes = (Array.isArray(app.http) ? app.http : []).map(record);
        const first = routes.findIndex(isCatchAll);
        if (first >= 0 && first < routes.length - 1)
            out.push({
                at: `apps[${i}].http[${first + 1}]`,
                message: `is never reached: ${keyPath(`apps[${i}].http[${first}]`)} before it matches every request; put catch-all routes last`,
            });
        for (const h of hostsOf(app)) {
            if (!gwHosts.some((g) => hostsOverlap(g, h)))
                out.push({
                    at: `apps[${i}].hosts`,
                    message: `"${h}" is not served by this environment's Gateway (eks-istio:ingress.hosts: ${JSON.stringify(gwHosts)}); add it there or fix the host`,
                });
        }
        if (first < 0) return;
        list.forEach((other, j) => {
            if (j === i) return;
            const shared = hostsOf(app).find((h) => hostsOf(other).some((o) => hostsOverlap(h, o)));
            if (shared !== undefined)
                out.push({
                    at: `apps[${i}].http[${first}]`,
                    message: `matches every request on host "${shared}", which apps[${j}] (${String(other.name)}) also serves; Istio merges both VirtualServices in creation order, so one app would shadow the other depending on deploy order. Give this route a match, give the apps distinct hosts, or put the routes in one app`,
                });
        });
    });
    return out;
}

/** Rules across apps (unique names and namespaces) and within each route that parses. */
function appProblems(apps: unknown): { at: string; message: string }[] {
    const out: { at: string; message: string }[] = [];
    const seenApps = new Map<unknown, number>();
    const seenNamespaces = new Map<unknown, number>();
    (Array.isArray(apps) ? apps : []).forEach((raw, i) => {
        const app = record(raw);
        if (typeof app.name === "string") {
            if (seenApps.has(app.name))
                out.push({
                    at: `apps[${i}].name`,
                    message: `"${app.name}" is also the name of apps[${seenApps.get(app.name)}]; app names must be unique`,
                });
            seenApps.set(app.name, i);
        }
        const ns = app.namespace ?? app.name;
        if (typeof ns === "string" && RESERVED_NAMESPACES.includes(ns))
            out.push({
                at: app.namespace === undefined ? `apps[${i}].name` : `apps[${i}].namespace`,
                message: `"${ns}" is a system namespace${app.namespace === undefined ? " (an app's namespace defaults to its name)" : ""}; give the app a namespace of its own`,
            });
        if (typeof ns === "string") {
            if (seenNamespaces.has(ns))
                out.push({
                    at: `apps[${i}].namespace`,
                    message: `"${ns}" is also the namespace of apps[${seenNamespaces.get(ns)}]; each app owns its namespace`,
                });
            seenNamespaces.set(ns, i);
        }
        (Array.isArray(app.http) ? app.http : []).forEach((r, j) => {
            const route = httpRoute.safeParse(r);
            if (route.success)
                for (const p of routeProblems(route.data))
                    out.push({ at: `apps[${i}].http[${j}]${p.at}`, message: p.message });
        });
    });
    return out;
}

/**
 * Why an attached stack cannot use its owner's gateway, or undefined when it can: the owner's
 * `gatewayPorts` output must list this environment on this port.
 */
export function attachmentProblem(a: {
    environment: string;
    port: number;
    stackReference: string;
    ownerGatewayPorts: unknown;
}): string | undefined {
    const ownerStack = a.stackReference.split("/").pop();
    const fix = `add {environment: ${a.environment}, port: ${a.port}} to eks-istio:istio.extraGatewayPorts in the owner's Pulumi.${ownerStack}.yaml and run \`pulumi up\` on ${a.stackReference} first`;
    if (!Array.isArray(a.ownerGatewayPorts))
        return `${a.stackReference} has no gatewayPorts output; is it an eks-istio stack that owns a cluster, and has it been deployed?`;
    const ports = a.ownerGatewayPorts.map(record);
    const listed = ports.map((p) => `${String(p.environment)} ${String(p.port)}`).join(", ") || "none";
    const mine = ports.find((p) => p.environment === a.environment);
    if (mine && mine.port === a.port) return undefined;
    if (mine)
        return `${a.stackReference} serves environment "${a.environment}" on port ${String(mine.port)}, not ${a.port} (eks-istio:ingress.port); make the two agree`;
    const taken = ports.find((p) => p.port === a.port);
    if (taken)
        return `port ${a.port} of ${a.stackReference}'s gateway belongs to environment "${String(taken.environment)}"; pick another eks-istio:ingress.port and ${fix.replace(String(a.port), "<that port>")}`;
    return `${a.stackReference}'s gateway does not serve port ${a.port} for environment "${a.environment}" (it serves: ${listed}); ${fix}`;
}

/** The name Kubernetes objects get from a host: "reviews.bookinfo.svc.cluster.local" → "reviews-bookinfo-svc-cluster-local". */
export function hostObjectName(host: string): string {
    const name = host
        .toLowerCase()
        .replace(/^\*\./, "wildcard-")
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^-+|-+$/g, "");
    return name.slice(0, 63).replace(/-+$/, "") || "host";
}

/** A route host as Istio resolves it from the app's namespace: short names are namespace-local Services. */
export function qualifyHost(host: string, namespace: string): string {
    if (host.includes("*")) return host;
    const parts = host.split(".");
    if (parts.length === 1) return `${host}.${namespace}.svc.cluster.local`;
    if (parts.length === 2) return `${host}.svc.cluster.local`;
    if (host.endsWith(".svc")) return `${host}.cluster.local`;
    return host;
}

/**
 * Cross-checks of routes against DestinationRules, AuthorizationPolicies and ServiceEntries, on
 * apps that parsed. Errors stop the run; warnings are for settings that work but look unintended.
 */
export function trafficPolicyProblems(apps: z.infer<typeof appSchema>[]): {
    errors: { at: string; message: string }[];
    warnings: { at: string; message: string }[];
} {
    const errors: { at: string; message: string }[] = [];
    const warnings: { at: string; message: string }[] = [];
    apps.forEach((app, i) => {
        const ns = app.namespace ?? app.name;
        const rules = app.destinationRules ?? [];
        const subsetsByHost = new Map<string, Set<string>>();
        const ruleNames = new Map<string, number>();
        rules.forEach((dr, d) => {
            const host = qualifyHost(dr.host, ns);
            if (subsetsByHost.has(host))
                errors.push({
                    at: `apps[${i}].destinationRules[${d}].host`,
                    message: `"${dr.host}" already has a DestinationRule in this app; Istio applies only one rule per host, so merge them`,
                });
            const names = (dr.subsets ?? []).map((s) => s.name);
            names.forEach((n, k) => {
                if (names.indexOf(n) !== k)
                    errors.push({
                        at: `apps[${i}].destinationRules[${d}].subsets[${k}].name`,
                        message: `subset "${n}" is defined twice for host "${dr.host}"; subset names must be unique`,
                    });
            });
            subsetsByHost.set(host, new Set([...(subsetsByHost.get(host) ?? []), ...names]));
            // Different hosts can map to one object name ("a.b" and "a-b"): the second would overwrite the first.
            const objectName = hostObjectName(dr.host);
            const clash = ruleNames.get(objectName);
            if (clash !== undefined && qualifyHost(rules[clash].host, ns) !== host)
                errors.push({
                    at: `apps[${i}].destinationRules[${d}].host`,
                    message: `"${dr.host}" and destinationRules[${clash}].host "${rules[clash].host}" would both be named "${objectName}"; use the hosts' full names`,
                });
            ruleNames.set(objectName, d);
        });

        // Every destination a request can be sent to: routes, mirrors.
        const used = new Set<string>();
        app.http.forEach((route, r) => {
            const dests: { at: string; host: string; subset?: string }[] = [
                ...(route.route ?? []).map((d, k) => ({ at: `http[${r}].route[${k}].destination`, ...d.destination })),
                ...(route.mirror ? [{ at: `http[${r}].mirror`, ...route.mirror }] : []),
                ...(route.mirrors ?? []).map((m, k) => ({
                    at: `http[${r}].mirrors[${k}].destination`,
                    ...m.destination,
                })),
            ];
            for (const d of dests) {
                const host = qualifyHost(d.host, ns);
                used.add(host);
                if (d.subset === undefined) continue;
                const defined = subsetsByHost.get(host);
                if (!defined?.has(d.subset))
                    errors.push({
                        at: `apps[${i}].${d.at}.subset`,
                        message: defined
                            ? `subset "${d.subset}" is not defined for host "${d.host}" (its DestinationRule defines ${[...defined].map((x) => `"${x}"`).join(", ") || "no subsets"}); Envoy would answer 503 "no healthy upstream"`
                            : `subset "${d.subset}" needs a DestinationRule for host "${d.host}" in apps[${i}].destinationRules defining it; without one Envoy answers 503 "no healthy upstream"`,
                    });
            }
        });
        rules.forEach((dr, d) => {
            if (!used.has(qualifyHost(dr.host, ns)))
                warnings.push({
                    at: `apps[${i}].destinationRules[${d}].host`,
                    message: `"${dr.host}" is not a destination of any route of this app; the rule still applies to every caller of that host in the mesh, so check the host name`,
                });
        });

        (app.authorization ?? []).forEach((rule, a) => {
            if (!rule.from?.length && !rule.to?.length)
                errors.push({
                    at: `apps[${i}].authorization[${a}]`,
                    message:
                        'has neither from nor to, so it would allow every request from anywhere; say who may call (from: [{source: {namespaces: ["..."]}}]) and/or what they may do (to: [{operation: {methods: ["GET"], paths: ["/..."]}}])',
                });
        });
        if (app.allowIngressGateway !== undefined && !app.authorization?.length)
            errors.push({
                at: `apps[${i}].allowIngressGateway`,
                message: "only applies together with authorization rules; remove it or add apps[].authorization",
            });

        const entryNames = new Map<string, number>();
        (app.serviceEntries ?? []).forEach((se, k) => {
            const n = hostObjectName(se.hosts[0]);
            if (entryNames.has(n))
                errors.push({
                    at: `apps[${i}].serviceEntries[${k}].hosts`,
                    message: `first host "${se.hosts[0]}" is also the first host of serviceEntries[${entryNames.get(n)}]; merge the two entries`,
                });
            entryNames.set(n, k);
        });
    });
    return { errors, warnings };
}

/** Semantic rules of one HTTP route that Istio's schema cannot express. */
export function routeProblems(route: HttpRoute): { at: string; message: string }[] {
    const out: { at: string; message: string }[] = [];
    const actions = (["route", "redirect", "directResponse"] as const).filter((k) => route[k] !== undefined);
    if (actions.length !== 1)
        out.push({
            at: "",
            message:
                actions.length === 0
                    ? "needs one of route, redirect or directResponse (what to do with matching requests)"
                    : `sets ${actions.join(" and ")}; a route does exactly one of route, redirect or directResponse`,
        });
    const dests = route.route ?? [];
    if (dests.length > 1) {
        const sum = dests.reduce((s, d) => s + (d.weight ?? 0), 0);
        if (sum !== 100)
            out.push({
                at: ".route",
                message: `weights of the ${dests.length} destinations sum to ${sum}; they must sum to 100 (e.g. 50/50 or 90/10)`,
            });
    } else if (dests.length === 1 && dests[0].weight !== undefined && dests[0].weight !== 100)
        out.push({
            at: ".route[0].weight",
            message: `is ${dests[0].weight}, but a single destination receives all traffic; remove the weight or set 100`,
        });
    if (route.rewrite && route.redirect) out.push({ at: ".rewrite", message: "cannot be combined with redirect" });
    return out;
}

/** Applies the defaults of the contract to a parsed config; the only place defaults are applied. */
function withDefaults(
    raw: RawStackConfig,
    environment: string,
    warnings: ConfigProblem[],
    p: {
        production?: boolean;
        cluster: z.infer<typeof clusterSchema>;
        istio: z.infer<typeof istioSchema>;
        albController: z.infer<typeof albControllerSchema>;
        ingress: z.infer<typeof ingressSchema>;
        apps: z.infer<typeof appSchema>[];
        observability: ParsedObservability;
    },
): StackConfig {
    const production = p.production ?? PRODUCTION_ENVIRONMENTS.includes(environment);
    const envDefaults = production ? { ...DEFAULTS.cluster, ...PRODUCTION_DEFAULTS } : DEFAULTS.cluster;
    return {
        stack: raw.stack,
        region: raw.region!,
        environment,
        production,
        cluster: {
            name: `eks-istio-${environment}`,
            ...structuredClone(envDefaults),
            ...stripUndefined(p.cluster),
        },
        istio: {
            version: p.istio.version ?? DEFAULTS.istio.version,
            extraGatewayPorts: p.istio.extraGatewayPorts ?? [],
            statusNodePort: p.istio.statusNodePort,
            outboundTrafficPolicy: p.istio.outboundTrafficPolicy ?? DEFAULTS.istio.outboundTrafficPolicy,
        },
        gateway: {
            statusNodePort: p.istio.statusNodePort ?? defaultNodePort(STATUS_PORT),
            ports: [
                { environment, port: p.ingress.port, nodePort: p.ingress.nodePort ?? defaultNodePort(p.ingress.port) },
                ...(p.istio.extraGatewayPorts ?? []).map((e) => ({
                    environment: e.environment,
                    port: e.port,
                    nodePort: e.nodePort ?? defaultNodePort(e.port),
                })),
            ],
        },
        albController: { version: p.albController.version ?? DEFAULTS.albController.version },
        ingress: { ...structuredClone(DEFAULTS.ingress), ...stripUndefined(p.ingress) },
        apps: p.apps.map((a) => ({
            name: a.name,
            namespace: a.namespace ?? a.name,
            hosts: a.hosts ?? [...DEFAULTS.ingress.hosts],
            http: a.http,
            destinationRules: a.destinationRules ?? [],
            authorization: a.authorization ?? [],
            allowIngressGateway: a.allowIngressGateway ?? true,
            serviceEntries: a.serviceEntries ?? [],
        })),
        observability: observabilityWithDefaults(p.observability, production, p.ingress.hosts),
        warnings,
    };
}

function observabilityWithDefaults(
    p: ParsedObservability,
    production: boolean,
    ingressHosts: string[] | undefined,
): ObservabilityConfig {
    const sizing = production ? DEFAULTS.observability.sizing.production : DEFAULTS.observability.sizing.dev;
    const settingsOf = <A extends Addon>(addon: A): AddonSettings[A] | undefined => {
        const value = p[addon];
        if (value === undefined || value === false) return undefined;
        return value === true ? ({} as AddonSettings[A]) : (value as AddonSettings[A]);
    };
    const resources = (addon: Addon, override: AddonSettings[Addon]["resources"]): Resources => ({
        requests: { ...sizing[addon].resources.requests, ...stripUndefined(override?.requests ?? {}) },
        limits: { ...sizing[addon].resources.limits, ...stripUndefined(override?.limits ?? {}) },
    });
    const out: ObservabilityConfig = { namespace: p.namespace ?? DEFAULTS.observability.namespace };

    const kiali = settingsOf("kiali");
    const grafana = settingsOf("grafana");
    // Kiali and Grafana read their metrics from this Prometheus: either one switches it on.
    const prometheus = settingsOf("prometheus") ?? (p.prometheus === undefined && (kiali || grafana) ? {} : undefined);
    if (prometheus)
        out.prometheus = {
            retention: prometheus.retention ?? sizing.prometheus.retention,
            volumeSize: prometheus.storage?.size ?? sizing.prometheus.volume,
            ...(prometheus.storage ? { storage: { ...prometheus.storage } } : {}),
            resources: resources("prometheus", prometheus.resources),
        };
    if (kiali) {
        const expose = kiali.expose;
        const path = expose?.path ?? DEFAULTS.observability.kialiPath;
        out.kiali = {
            replicas: sizing.kiali.replicas,
            resources: resources("kiali", kiali.resources),
            path,
            ...(expose
                ? {
                      expose: {
                          path,
                          hosts: [...(expose.hosts ?? ingressHosts ?? DEFAULTS.ingress.hosts)],
                          allowedIpBlocks: [...(expose.allowedIpBlocks ?? [])],
                          allowedSourceNamespaces: [...(expose.allowedSourceNamespaces ?? [])],
                      },
                  }
                : {}),
        };
    }
    if (grafana) out.grafana = { resources: resources("grafana", grafana.resources) };
    const tracing = settingsOf("tracing");
    if (tracing)
        out.tracing = {
            sampling: tracing.sampling ?? sizing.tracing.sampling,
            resources: resources("tracing", tracing.resources),
        };
    return out;
}

function stripUndefined<T extends object>(o: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
    return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as never;
}

function keyPath(path: string): string {
    return `${NAMESPACE}:${path.replace(/\.(\d+)(?=\.|$)/g, "[$1]")}`;
}

function issueMessage(issue: z.core.$ZodIssue, schema: z.ZodType): string {
    // Messages written in the schemas above are already for people; rewrite only zod's defaults.
    if (!/^(Invalid|Too (small|big)|Unrecognized)/.test(issue.message)) return issue.message;
    if (issue.code === "unrecognized_keys") {
        return issue.keys.map((k) => `unknown key "${k}"${didYouMean(k, keysAt(schema, issue.path))}`).join("; ");
    }
    if (issue.code === "invalid_value" && "values" in issue)
        return `must be one of ${issue.values.map((x) => JSON.stringify(x)).join(", ")}`;
    if (issue.code === "invalid_type" && issue.input === undefined) return "is required";
    if (issue.code === "too_small" && issue.origin === "number")
        return `must be at least ${issue.minimum}, got ${JSON.stringify(issue.input)}`;
    if (issue.code === "too_big" && issue.origin === "number")
        return `must be at most ${issue.maximum}, got ${JSON.stringify(issue.input)}`;
    if (issue.code === "invalid_type") return `must be ${article(issue.expected)}, got ${JSON.stringify(issue.input)}`;
    return issue.message;
}

function article(t: string): string {
    if (t === "int") return "an integer";
    return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

/** The keys a strict object schema allows at `path`, found by walking the schema; [] elsewhere. */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
    const unwrap = (x: any): any => {
        while (x && ["optional", "default", "nullable", "readonly", "prefault"].includes(x.def?.type))
            x = x.def.innerType;
        return x;
    };
    let s: any = unwrap(schema);
    for (const seg of path) {
        if (s?.def?.type === "array") s = s.element;
        else if (s?.def?.type === "record") s = s.def.valueType;
        else if (s?.def?.type === "object") s = s.shape[seg as string];
        else return [];
        s = unwrap(s);
    }
    return s?.def?.type === "object" ? Object.keys(s.shape) : [];
}

/** " (did you mean "x"?)" when a known key is within two edits, otherwise "". */
export function didYouMean(key: string, known: readonly string[]): string {
    let best: string | undefined;
    let bestDistance = 3;
    for (const k of known) {
        const d = editDistance(key.toLowerCase(), k.toLowerCase());
        if (d < bestDistance) [best, bestDistance] = [k, d];
    }
    return best && best !== key ? ` (did you mean "${best}"?)` : "";
}

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const tmp = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = tmp;
        }
    }
    return row[b.length];
}

/**
 * The raw config of a stack from a Pulumi config map (`namespace:key` → string). Top-level
 * `eks-istio:*` keys are all taken, so a misspelt top-level key is reported instead of ignored.
 */
export function rawConfigFromMap(stack: string, all: Record<string, string>): RawStackConfig {
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(all)) {
        if (!key.startsWith(`${NAMESPACE}:`)) continue;
        const name = key.slice(NAMESPACE.length + 1);
        // Pulumi stores structured values as JSON and plain ones as strings.
        values[name] = name === "environment" ? value : decode(value);
    }
    return { stack, region: all["aws:region"], values };
}

/** Reads the stack's config from Pulumi, parses it, and shows its warnings. */
export function loadStackConfig(): StackConfig {
    const config = parseStackConfig(rawConfigFromMap(pulumi.getStack(), pulumi.runtime.allConfig()));
    for (const w of config.warnings) pulumi.log.warn(`${w.path}: ${w.message}`);
    return config;
}

function decode(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}
