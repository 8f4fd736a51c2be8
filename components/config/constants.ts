// The contract's constants: the key namespace, every default (and production's), the labels and
// the closed lists the schemas and the checks share. Apart from contract.ts so that the schemas and
// what reads only the defaults stay small.
import { DEFAULT_ALB_CONTROLLER_VERSION, DEFAULT_ISTIO_VERSION, DEFAULT_KUBERNETES_VERSION } from "./compatibility";

export const NAMESPACE = "eks-istio";

/** Every default of the contract, in one place. Production-only defaults are in `PRODUCTION_DEFAULTS`. */
export const DEFAULTS = {
    cluster: {
        // Both from the compatibility table (compatibility.ts), where their sources are cited.
        kubernetesVersion: DEFAULT_KUBERNETES_VERSION as string,
        /**
         * STANDARD: when a version leaves EKS standard support, EKS upgrades the cluster instead of
         * billing extended support (the EKS default, EXTENDED, does so silently).
         */
        upgradePolicy: "STANDARD" as UpgradePolicy,
        instanceTypes: ["t3.large"],
        minSize: 2,
        desiredSize: 2,
        maxSize: 4,
        vpcCidr: "10.0.0.0/16",
        publicAccessCidrs: ["0.0.0.0/0"],
        availabilityZones: 2,
        natGateways: "single" as NatGateways,
        logTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"] as LogType[],
        /**
         * Days CloudWatch keeps the control-plane logs: a month is enough to investigate an incident
         * on a dev or staging cluster; production keeps a quarter (PRODUCTION_DEFAULTS), the usual
         * minimum an audit trail is asked for. Longer retention is a config key, not a code change.
         */
        logRetentionDays: 30 as LogRetentionDays,
        /** The Cluster Autoscaler scales each node group between its minSize and maxSize. */
        autoscaler: true as boolean,
        adminPrincipalArns: [] as string[],
        viewerPrincipalArns: [] as string[],
        /**
         * Off: the stack creates /aws/eks/<cluster>/cluster. On for the one update that takes over
         * a group that already exists (see clusterSchema.adoptLogGroup).
         */
        adoptLogGroup: false as boolean,
    },
    /**
     * The node group a stack has when it lists none (cluster.instanceTypes and the sizes above fill
     * it in). Its name gives the Pulumi name <env>-cluster-nodes, the name every earlier release
     * used, so a stack that starts listing nodeGroups keeps its group by naming it "nodes".
     */
    nodeGroup: { name: "nodes" },
    istio: { version: DEFAULT_ISTIO_VERSION, outboundTrafficPolicy: "ALLOW_ANY" as const },
    albController: { version: DEFAULT_ALB_CONTROLLER_VERSION as string },
    ingress: {
        hosts: ["*"],
        scheme: "internet-facing" as const,
        targetType: "instance" as const,
        // TLS 1.3 with 1.2 fallback: the policy AWS recommends for new ALB listeners.
        sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
        /** A production, internet-facing ALB without a certificate is a config error unless this is true. */
        allowPlainHttpInProduction: false as boolean,
        /**
         * Days the access-log bucket the stack creates keeps each log file: a month on dev-sized
         * stacks, a quarter in production, as for the control-plane logs.
         */
        accessLogRetentionDays: { dev: 30, production: 90 },
    },
    observability: {
        namespace: "observability" as ObservabilityNamespace,
        /** The StorageClass prometheus.storage uses unless it names one: created by the stack (EBS CSI, gp3). */
        storageClass: "gp3",
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
    logRetentionDays: 90 as LogRetentionDays,
} as const;

/** The label every node carries, naming its environment; the stack sets it. */
export const ENVIRONMENT_LABEL = "eks-istio/environment";

/** Environments whose `production` flag defaults to true. */
export const PRODUCTION_ENVIRONMENTS = ["product", "prod", "production"];

export const OBSERVABILITY_NAMESPACES = ["observability", "istio-system"] as const;

export type ObservabilityNamespace = (typeof OBSERVABILITY_NAMESPACES)[number];

/** The add-ons, in the order they are documented and installed. */
/** Revision tags apps can follow: `stable` (every app by default, and the gateway) and `canary`. */
export const REVISION_TAGS = ["stable", "canary"] as const;
export type RevisionTag = (typeof REVISION_TAGS)[number];

export const ADDONS = ["prometheus", "kiali", "grafana", "tracing"] as const;

export type Addon = (typeof ADDONS)[number];

export const LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

export type LogType = (typeof LOG_TYPES)[number];

export type NatGateways = "single" | "perAz";

export const UPGRADE_POLICIES = ["STANDARD", "EXTENDED"] as const;

export type UpgradePolicy = (typeof UPGRADE_POLICIES)[number];

/** The retention periods CloudWatch Logs accepts (PutRetentionPolicy), in days. */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export type LogRetentionDays = (typeof LOG_RETENTION_DAYS)[number];
