// Istio's Helm values and mesh-wide objects, as plain data. Values keys are the charts' own
// (Istio 1.30 charts take them at the top level; their defaults sit under
// `_internal_defaults_do_not_set`); tests check every key against the vendored values.yaml files.
import type { GatewayPort } from "../config/contract";
import { STATUS_PORT } from "../config/primitives";

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

/**
 * The istio-system namespace. Labelled for the load balancer controller's pod readiness gates: with
 * `targetType: ip` the ALB sends traffic straight to gateway pods, and without the gate a new pod
 * counts as Ready (and the rollout retires an old one) before the ALB has registered it and seen it
 * healthy. The label does nothing for instance targets, and it is set whatever this stack's target
 * type, because attached environments may use ip targets on this gateway.
 */
export function istioNamespaceManifest() {
    return {
        metadata: {
            name: ISTIO.namespace,
            labels: { "app.kubernetes.io/managed-by": "pulumi", "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" },
        },
    };
}

/**
 * How a gateway pod leaves without dropping a request behind the ALB (istio/istio#26302 is this
 * topology). When the pod is deleted, its endpoint is withdrawn at once (it stops being "ready" for
 * kube-proxy and for the controller, which deregisters ip targets), while the container's preStop
 * sleep keeps Envoy serving normally; only then does Envoy get SIGTERM and drain: it keeps
 * accepting, and closes each connection after its current request, so the ALB reconnects elsewhere.
 *
 *   t=0   deleted: endpoint withdrawn, ALB deregistration starts (ip targets)
 *   t=5   preStop ends, Envoy starts draining
 *   t≈32  the ALB's deregistration delay (30 s) has passed: it has let go of the target
 *   t=50  Envoy's drain (45 s) ends and it exits
 *   t=60  terminationGracePeriodSeconds: the kubelet would kill it here, never reached
 *
 * So deregistration delay (30) < Envoy drain (45) < termination grace (60), with preStop + drain
 * (50) inside the grace period. (The preStop `sleep` action needs Kubernetes 1.30+, which every EKS
 * version still offered is.) The ALB's default deregistration delay, 300 s, would outlast any
 * drain and cut connections still in use; Envoy's default drain (5 s) and the chart's grace
 * period (30 s) are what the ALB would otherwise meet.
 */
export const GATEWAY_ROLLOUT = {
    deregistrationDelaySeconds: 30,
    preStopSeconds: 5,
    drainSeconds: 45,
    terminationGraceSeconds: 60,
} as const;

/** base's default revision: the control plane whose webhook validates Istio objects cluster-wide. */
export function istioBaseValues(defaultRevision = "default") {
    return { defaultRevision };
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
    /** With istio.revisions: this istiod's revision name ("default" for the unrevisioned one). */
    revision?: { revision: string };
}

export function istiodValues(a: IstiodValuesArgs) {
    return {
        // The unrevisioned istiod ("default") keeps revision "" as istio.version installed it:
        // setting a revision would rename its Deployment, Service and webhooks (a reinstall).
        // revisionTags stays the chart's empty default: the tags are objects of their own
        // (revisionTags.ts), which a release would delete whenever a tag moved to another one.
        ...(a.revision && a.revision.revision !== "default" ? { revision: a.revision.revision } : {}),
        // Two control-plane replicas in production: sidecars keep their config when istiod is down,
        // but new pods cannot start (injection webhook) and config changes stall.
        autoscaleEnabled: true,
        autoscaleMin: a.production ? 2 : 1,
        autoscaleMax: 5,
        replicaCount: a.production ? 2 : 1,
        // The chart's budget is minAvailable 1: with dev's single replica it allows no eviction, and a
        // node group update fails with PodEvictionFailure (istio/istio#12602). maxUnavailable 1
        // (minAvailable is then ignored) lets a drain move istiod: running sidecars keep their config
        // meanwhile, and production's two replicas keep one serving.
        pdb: { maxUnavailable: 1 },
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
    /** With istio.revisions: the revision tag the gateway's proxies follow ("stable"). */
    revision?: string;
    /** With istio.revisions: the version stable names; a change rolls the gateway onto it. */
    controlPlaneVersion?: string;
}

/** Values of the `gateway` chart: the istio-ingressgateway Deployment and its NodePort Service. */
export function gatewayValues(a: GatewayValuesArgs) {
    return {
        // With revisions the gateway's pods carry istio.io/rev: stable, so the stable tag's control
        // plane injects them.
        ...(a.revision ? { revision: a.revision } : {}),
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
        // One gateway pod evicted at a time, whatever the HPA has scaled to: minAvailable 1 let a
        // drain take all but one (two of production's three at once), and the survivor take every
        // ALB's traffic. At the minimum replica count (2, 3) one eviction is still always allowed,
        // so node upgrades drain.
        podDisruptionBudget: { maxUnavailable: 1 },
        // Rollouts add a pod before retiring one: capacity never drops below the HPA's count.
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        // The zero-5xx exit, timed in GATEWAY_ROLLOUT. Defaults merged with podAnnotations stay
        // (injection template, Prometheus scraping).
        podAnnotations: {
            "proxy.istio.io/config": JSON.stringify({ terminationDrainDuration: `${GATEWAY_ROLLOUT.drainSeconds}s` }),
            // Changes when stable moves, which rolls the pods onto the new proxy: a tag move alone
            // changes nothing in the Deployment.
            ...(a.revision ? { "eks-istio/control-plane": a.controlPlaneVersion } : {}),
        },
        lifecycle: { preStop: { sleep: { seconds: GATEWAY_ROLLOUT.preStopSeconds } } },
        terminationGracePeriodSeconds: GATEWAY_ROLLOUT.terminationGraceSeconds,
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
