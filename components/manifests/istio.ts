// Istio's Helm values and mesh-wide objects, as plain data. Values keys are the charts' own
// (Istio 1.30 charts take them at the top level; their defaults sit under
// `_internal_defaults_do_not_set`); tests check every key against the vendored values.yaml files.
import { STATUS_PORT, type GatewayPort } from "../config";

export const ISTIO = {
    namespace: "istio-system",
    /**
     * Where every Istio chart of every version is published. istio-release.storage.googleapis.com
     * and gcr.io/istio-release are removed in December 2026 (istio.io, artifact locations, 2026-08);
     * the same charts are also at oci://ghcr.io/istio/release/charts.
     */
    repo: "https://blob.istio.io/istio-release/charts",
    /**
     * Image registry of istiod and of every injected proxy (the gateway's included). Stated, because
     * the charts' default registry (registry.istio.io) is being retired; Docker Hub stays.
     */
    hub: "docker.io/istio",
    /** Release and chart names, in install order. */
    base: { release: "istio-base", chart: "base" },
    istiod: { release: "istiod", chart: "istiod" },
    gateway: { release: "istio-ingressgateway", chart: "gateway" },
    /** The gateway chart labels its pods `istio: <release name without "istio-">`. */
    gatewaySelector: { istio: "ingressgateway" },
    gatewayService: "istio-ingressgateway",
    statusPortName: "status-port",
} as const;

/** The Service port name of an environment on the shared gateway. */
export function gatewayPortName(environment: string): string {
    return `http-${environment}`;
}

export function istioBaseValues() {
    return { defaultRevision: "default" };
}

/** An OpenTelemetry tracing backend for istiod's meshConfig.extensionProviders. */
export interface TracingProvider {
    /** The provider name Telemetry resources refer to. */
    name: string;
    /** The collector's Service FQDN. */
    service: string;
    /** Its OTLP/gRPC port. */
    port: number;
}

export interface IstiodValuesArgs {
    production: boolean;
    outboundTrafficPolicy?: "ALLOW_ANY" | "REGISTRY_ONLY";
    /** With tracing on: where sidecars and gateways send spans. Absent: meshConfig as without add-ons. */
    tracing?: TracingProvider;
    /**
     * Proxies in front of the ingress gateway whose X-Forwarded-For entries are trusted (the ALB: 1),
     * so that AuthorizationPolicy remoteIpBlocks see the client's address. Absent: Istio's default (0).
     */
    gatewayTrustedProxies?: number;
}

export function istiodValues(a: IstiodValuesArgs) {
    return {
        // Two control-plane replicas in production: sidecars keep their config when istiod is down,
        // but new pods cannot start (injection webhook) and config changes stall.
        autoscaleEnabled: true,
        autoscaleMin: a.production ? 2 : 1,
        autoscaleMax: 5,
        replicaCount: a.production ? 2 : 1,
        meshConfig: {
            // Envoy access logs on stdout: the first thing to read for a 502/503 (response flags UH, UF, NR).
            accessLogFile: "/dev/stdout",
            enablePrometheusMerge: true,
            // REGISTRY_ONLY turns apps[].serviceEntries into an egress allow-list.
            outboundTrafficPolicy: { mode: a.outboundTrafficPolicy ?? "ALLOW_ANY" },
            ...(a.tracing
                ? {
                      extensionProviders: [
                          { name: a.tracing.name, opentelemetry: { service: a.tracing.service, port: a.tracing.port } },
                      ],
                      // The provider for any Telemetry resource that does not name one (a namespace
                      // lowering its sampling rate, say). Metrics are listed as well because istiod
                      // reads defaultProviders as a whole: naming only tracing would drop Istio's
                      // default metrics provider, and with it every metric Kiali and Grafana show.
                      defaultProviders: { metrics: ["prometheus"], tracing: [a.tracing.name] },
                  }
                : {}),
            ...(a.gatewayTrustedProxies !== undefined
                ? { defaultConfig: { gatewayTopology: { numTrustedProxies: a.gatewayTrustedProxies } } }
                : {}),
        },
        // istiod's image, and the proxy image its injector puts into every sidecar and gateway pod.
        global: { istioNamespace: ISTIO.namespace, hub: ISTIO.hub },
    };
}

export interface GatewayValuesArgs {
    production: boolean;
    statusNodePort: number;
    /** This environment's port first, then any served for other environments (shared cluster). */
    ports: Required<GatewayPort>[];
}

/** Values of the `gateway` chart: the istio-ingressgateway Deployment and its NodePort Service. */
export function gatewayValues(a: GatewayValuesArgs) {
    return {
        service: {
            // NodePort, not LoadBalancer: the ALBs in front are made by the AWS Load Balancer
            // Controller from Ingresses, one per environment, each on its own port.
            type: "NodePort",
            ports: gatewayServicePorts(a),
        },
        autoscaling: {
            enabled: true,
            // At least two replicas so a node drain or rollout never leaves an ALB without targets;
            // three in production, one per AZ.
            minReplicas: a.production ? 3 : 2,
            maxReplicas: a.production ? 10 : 4,
            targetCPUUtilizationPercentage: 80,
        },
        podDisruptionBudget: { minAvailable: 1 },
        topologySpreadConstraints: [
            {
                maxSkew: 1,
                topologyKey: "topology.kubernetes.io/zone",
                whenUnsatisfiable: "ScheduleAnyway",
                labelSelector: { matchLabels: { ...ISTIO.gatewaySelector } },
            },
        ],
        resources: {
            requests: { cpu: a.production ? "500m" : "100m", memory: a.production ? "256Mi" : "128Mi" },
            limits: { cpu: "2000m", memory: "1024Mi" },
        },
    };
}

/** The gateway Service's ports: status-port plus `http-<env>` per environment, each on a pinned NodePort. */
export function gatewayServicePorts(a: Pick<GatewayValuesArgs, "statusNodePort" | "ports">) {
    return [
        {
            name: ISTIO.statusPortName,
            port: STATUS_PORT,
            protocol: "TCP",
            targetPort: STATUS_PORT,
            nodePort: a.statusNodePort,
        },
        ...a.ports.map((p) => ({
            name: gatewayPortName(p.environment),
            port: p.port,
            protocol: "TCP",
            targetPort: p.port,
            nodePort: p.nodePort,
        })),
    ];
}

/** Mesh-wide mTLS: every sidecar refuses plaintext from other workloads. */
export function meshPeerAuthentication() {
    return {
        apiVersion: "security.istio.io/v1",
        kind: "PeerAuthentication",
        metadata: { name: "default", namespace: ISTIO.namespace },
        spec: { mtls: { mode: "STRICT" } },
    };
}
