// The observability add-ons as plain data: which chart each one is, the Helm values that size it
// and wire it to the others, the mesh-wide Telemetry, and the objects that expose Kiali on an
// environment's Gateway. Values keys are checked against each chart's documented keys in
// tests/fixtures/charts/*.keys.yaml.
//
// Tracing backend: Jaeger (all-in-one), not a bare OpenTelemetry Collector. A collector only
// forwards spans; it stores nothing and has no query API, so Kiali could not show traces and
// nobody could search them. Jaeger v2 is itself built on the collector: it receives OTLP from
// Envoy (Istio's `opentelemetry` provider), keeps traces in memory, and serves the query API
// Kiali reads and the UI people use. Memory storage keeps up to 100,000 traces (Jaeger's
// default) and loses them on restart: fine for looking at the mesh, not an archive.
import { gatewayExportTo } from "../config/checks/reach";
import type { ObservabilityConfig, Resources, StackConfig } from "../config/contract";
import { EBS_CSI_PROVISIONER, stackTags } from "./aws";
import { edgeLabels, gatewayName } from "./edge";
import { ISTIO, type TracingProvider } from "./istio";

/** Charts, pinned, and the Services they create (names fixed by the release names below). */
export const OBSERVABILITY = {
    prometheus: {
        release: "prometheus",
        chart: "prometheus",
        version: "27.46.0",
        repo: "https://prometheus-community.github.io/helm-charts",
        // server.fullnameOverride makes the Service "prometheus" rather than "prometheus-server",
        // the name Istio's documentation and Kiali's defaults use.
        service: "prometheus",
        port: 9090,
    },
    kiali: {
        release: "kiali",
        chart: "kiali-server",
        version: "2.31.0",
        repo: "https://kiali.org/helm-charts",
        service: "kiali",
        port: 20001,
    },
    grafana: {
        release: "grafana",
        chart: "grafana",
        version: "11.1.6",
        // The Grafana chart moved from grafana/helm-charts to the community-maintained repository.
        repo: "https://grafana-community.github.io/helm-charts",
        service: "grafana",
        // 3000 instead of the chart's 80: the port Istio's documentation and `istioctl dashboard` use.
        port: 3000,
    },
    tracing: {
        release: "jaeger",
        chart: "jaeger",
        version: "4.4.8",
        repo: "https://jaegertracing.github.io/helm-charts",
        service: "jaeger",
        /** Jaeger UI and HTTP query API. */
        queryPort: 16686,
        /** gRPC query API: what Kiali reads traces from. */
        queryGrpcPort: 16685,
        /** OTLP/gRPC receiver: where Envoy sends spans. */
        otlpGrpcPort: 4317,
    },
} as const;

/** The extension provider name in istiod's meshConfig and in the Telemetry resource. */
export const TRACING_PROVIDER_NAME = "jaeger";

/** Istio's Grafana dashboards on grafana.com (https://grafana.com/orgs/istio/dashboards). */
export const ISTIO_DASHBOARDS = [
    { name: "istio-mesh", gnetId: 7639 },
    { name: "istio-service", gnetId: 7636 },
    { name: "istio-workload", gnetId: 7630 },
    { name: "istio-performance", gnetId: 11829 },
    { name: "istio-control-plane", gnetId: 7645 },
] as const;

/**
 * The grafana.com revision of Istio's dashboards. Istio uploads a new revision of each dashboard
 * with its releases (the revision's description names the Istio version); the chart downloads
 * revision 1, from 2018, unless told otherwise, so a revision is always pinned here. The metrics
 * these dashboards query (istio_requests_total, pilot_*) are stable across 1.2x releases.
 */
export const ISTIO_DASHBOARD_REVISION = 278;

/** In-cluster addresses of the add-ons, as the others reach them. */
export function addonEndpoints(namespace: string) {
    const { prometheus, grafana, kiali, tracing } = OBSERVABILITY;
    return {
        prometheus: `http://${prometheus.service}.${namespace}:${prometheus.port}`,
        grafana: `http://${grafana.service}.${namespace}:${grafana.port}`,
        jaegerQueryGrpc: `http://${tracing.service}.${namespace}:${tracing.queryGrpcPort}`,
        jaegerOtlp: { service: `${tracing.service}.${namespace}.svc.cluster.local`, port: tracing.otlpGrpcPort },
        kiali: { host: `${kiali.service}.${namespace}.svc.cluster.local`, port: kiali.port },
    };
}

/** The addresses `kubectl port-forward` gives on a workstation (docs/observability.md). */
export const PORT_FORWARD_URLS = {
    prometheus: `http://localhost:${OBSERVABILITY.prometheus.port}`,
    grafana: `http://localhost:${OBSERVABILITY.grafana.port}`,
    jaeger: `http://localhost:${OBSERVABILITY.tracing.queryPort}`,
    kiali: (path: string) => `http://localhost:${OBSERVABILITY.kiali.port}${path}`,
};

/** Whether the stack installs anything at all: with every add-on off, nothing is created. */
export function anyAddonOn(o: ObservabilityConfig): boolean {
    return Boolean(o.prometheus || o.kiali || o.grafana || o.tracing);
}

/** The tracing backend for istiod's meshConfig, when tracing is on. */
export function tracingProvider(o: ObservabilityConfig): TracingProvider | undefined {
    if (!o.tracing) return undefined;
    const { service, port } = addonEndpoints(o.namespace).jaegerOtlp;
    return { name: TRACING_PROVIDER_NAME, service, port };
}

/**
 * X-Forwarded-For hops the ingress gateway trusts when Kiali is exposed behind an IP allow list:
 * one, the ALB, so that remoteIpBlocks see the client rather than the ALB or a node.
 */
export function gatewayTrustedProxies(o: ObservabilityConfig): number | undefined {
    return o.kiali?.expose?.allowedIpBlocks.length ? 1 : undefined;
}

/** The add-ons' namespace, outside the mesh: the add-ons talk to sidecars, they do not carry one. */
export function observabilityNamespaceManifest(namespace: string) {
    return {
        apiVersion: "v1" as const,
        kind: "Namespace" as const,
        metadata: {
            name: namespace,
            labels: {
                "app.kubernetes.io/managed-by": "pulumi",
                "app.kubernetes.io/part-of": "eks-istio",
                // Prometheus scrapes sidecars over plain HTTP on 15020 and Kiali calls istiod
                // directly; with sidecars of their own, STRICT mTLS would get in the way.
                "istio-injection": "disabled",
            },
        },
    };
}

const copyResources = (r: Resources) => ({ requests: { ...r.requests }, limits: { ...r.limits } });

/** Prometheus's retentionSize: 80% of its volume, so it deletes old blocks before the volume fills. */
export function retentionSize(volumeSize: string): string {
    const gib = Number(volumeSize.replace(/Gi$/, ""));
    // Prometheus size units are powers of two: 1GB is 1024MB, so Gi and GB are the same amount.
    return `${Math.floor(gib * 1024 * 0.8)}MB`;
}

/**
 * Scrape jobs for the mesh. Istio's metrics merging (meshConfig.enablePrometheusMerge) annotates
 * every injected pod and gateway with prometheus.io/scrape, port 15020 and path /stats/prometheus,
 * where the agent serves Envoy's stats merged with the app's own; istiod's pods carry the same
 * annotations for its monitoring port 15014. So one annotation-driven pod job collects the whole
 * mesh, and it works with STRICT mTLS because 15020 and 15014 are served in plain HTTP.
 */
export function meshScrapeConfigs() {
    const serviceAccount = "/var/run/secrets/kubernetes.io/serviceaccount";
    return [
        { job_name: "prometheus", static_configs: [{ targets: ["localhost:9090"] }] },
        {
            job_name: "kubernetes-pods",
            // Merged app metrics may carry their own namespace/pod labels: keep them.
            honor_labels: true,
            kubernetes_sd_configs: [{ role: "pod" }],
            relabel_configs: [
                {
                    source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"],
                    action: "keep",
                    regex: "true",
                },
                {
                    source_labels: ["__meta_kubernetes_pod_phase"],
                    action: "drop",
                    regex: "Pending|Succeeded|Failed|Completed",
                },
                {
                    source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_path"],
                    action: "replace",
                    regex: "(.+)",
                    target_label: "__metrics_path__",
                },
                {
                    source_labels: ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
                    action: "replace",
                    regex: "([^:]+)(?::\\d+)?;(\\d+)",
                    replacement: "$1:$2",
                    target_label: "__address__",
                },
                { action: "labelmap", regex: "__meta_kubernetes_pod_label_(.+)" },
                { source_labels: ["__meta_kubernetes_namespace"], action: "replace", target_label: "namespace" },
                { source_labels: ["__meta_kubernetes_pod_name"], action: "replace", target_label: "pod" },
            ],
        },
        {
            // Container CPU and memory (cAdvisor, through the API server's node proxy): what Istio's
            // performance dashboard reads for the proxies' own cost.
            job_name: "kubernetes-cadvisor",
            scheme: "https",
            tls_config: { ca_file: `${serviceAccount}/ca.crt` },
            bearer_token_file: `${serviceAccount}/token`,
            kubernetes_sd_configs: [{ role: "node" }],
            relabel_configs: [
                { target_label: "__address__", replacement: "kubernetes.default.svc:443" },
                {
                    source_labels: ["__meta_kubernetes_node_name"],
                    regex: "(.+)",
                    target_label: "__metrics_path__",
                    replacement: "/api/v1/nodes/$1/proxy/metrics/cadvisor",
                },
            ],
        },
    ];
}

/** Values of the `prometheus` chart: the server alone, scraping the mesh. */
/**
 * The StorageClass Prometheus's volume is provisioned from when prometheus.storage names none: EBS
 * gp3 through the EBS CSI driver, encrypted (with the account's EBS key), bound only once the pod
 * is scheduled (an EBS volume lives in one AZ, so it is created in the pod's), expandable (a larger
 * prometheus.storage.size grows the volume in place), and deleted with its claim. Volumes carry the
 * stack's tags, so leftovers of a destroy are found like everything else of the environment. Not
 * the cluster's default class: only the claims that name it use it.
 */
export function storageClassManifest(cfg: Pick<StackConfig, "environment" | "stack" | "production">, name: string) {
    const tags = Object.entries(stackTags(cfg));
    return {
        apiVersion: "storage.k8s.io/v1" as const,
        kind: "StorageClass" as const,
        metadata: {
            name,
            labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "eks-istio" },
        },
        provisioner: EBS_CSI_PROVISIONER,
        parameters: {
            type: "gp3",
            encrypted: "true",
            // The driver's StorageClass tagging: each tagSpecification_<n> is one "key=value".
            ...Object.fromEntries(tags.map(([k, v], i) => [`tagSpecification_${i + 1}`, `${k}=${v}`])),
        } as Record<string, string>,
        reclaimPolicy: "Delete",
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
    };
}

export function prometheusValues(p: NonNullable<ObservabilityConfig["prometheus"]>) {
    return {
        // Alerting, node and cluster-state exporters are not what the mesh views need; each is one
        // more workload to size and patch.
        alertmanager: { enabled: false },
        "kube-state-metrics": { enabled: false },
        "prometheus-node-exporter": { enabled: false },
        "prometheus-pushgateway": { enabled: false },
        server: {
            fullnameOverride: OBSERVABILITY.prometheus.service,
            service: { type: "ClusterIP", servicePort: OBSERVABILITY.prometheus.port },
            // Kiali's graph computes rates over its refresh window: 15s gives it several samples
            // per minute (the chart's 1m default would leave the graph blank for short windows).
            global: { scrape_interval: "15s" },
            retention: p.retention,
            retentionSize: retentionSize(p.volumeSize),
            persistentVolume: p.storage
                ? { enabled: true, size: p.storage.size, storageClass: p.storage.storageClass }
                : { enabled: false },
            // Without a PersistentVolume the TSDB lives in an emptyDir; the limit keeps it from
            // filling the node's disk (retentionSize stays below it).
            ...(p.storage ? {} : { emptyDir: { sizeLimit: p.volumeSize } }),
            resources: copyResources(p.resources),
        },
        serverFiles: { "prometheus.yml": { scrape_configs: meshScrapeConfigs() } },
    };
}

/**
 * Values of the `kiali-server` chart. The chart passes its values through as Kiali's config, so
 * besides the chart's own keys these are keys of the Kiali CR (external_services.*).
 */
export function kialiValues(o: ObservabilityConfig) {
    const kiali = o.kiali!;
    const exposed = kiali.expose !== undefined;
    const endpoints = addonEndpoints(o.namespace);
    return {
        auth: {
            // Private (port-forward only): whoever can port-forward already holds cluster
            // credentials, so no second login, but read-only. Exposed: each user logs in with a
            // Kubernetes token and acts with that token's RBAC.
            strategy: exposed ? "token" : "anonymous",
        },
        deployment: {
            replicas: kiali.replicas,
            resources: copyResources(kiali.resources),
            service_type: "ClusterIP",
            ingress: { enabled: false },
            view_only_mode: !exposed,
        },
        server: { web_root: kiali.path },
        external_services: {
            istio: { root_namespace: ISTIO.namespace },
            prometheus: { url: endpoints.prometheus },
            grafana: o.grafana
                ? { enabled: true, internal_url: endpoints.grafana, external_url: PORT_FORWARD_URLS.grafana }
                : { enabled: false },
            tracing: o.tracing
                ? {
                      enabled: true,
                      provider: "jaeger",
                      internal_url: endpoints.jaegerQueryGrpc,
                      use_grpc: true,
                      external_url: PORT_FORWARD_URLS.jaeger,
                  }
                : { enabled: false },
        },
    };
}

/** Values of the `grafana` chart: Prometheus as its data source and Istio's dashboards. */
export function grafanaValues(o: ObservabilityConfig) {
    const grafana = o.grafana!;
    const datasource = "Prometheus";
    const provider = "istio";
    return {
        service: { type: "ClusterIP", port: OBSERVABILITY.grafana.port },
        resources: copyResources(grafana.resources),
        // Dashboards and the data source are provisioned from these values on every start, so
        // Grafana keeps nothing worth a volume.
        persistence: { enabled: false },
        testFramework: { enabled: false },
        // Anyone who can port-forward may look; changing things needs the admin login, whose
        // password the chart generates into the Secret "grafana".
        "grafana.ini": { "auth.anonymous": { enabled: true, org_role: "Viewer" } },
        datasources: {
            "datasources.yaml": {
                apiVersion: 1,
                datasources: [
                    {
                        name: datasource,
                        uid: "prometheus",
                        type: "prometheus",
                        access: "proxy",
                        url: addonEndpoints(o.namespace).prometheus,
                        isDefault: true,
                        editable: false,
                        jsonData: { timeInterval: "15s" },
                    },
                ],
            },
        },
        dashboardProviders: {
            "dashboardproviders.yaml": {
                apiVersion: 1,
                providers: [
                    {
                        name: provider,
                        orgId: 1,
                        folder: "Istio",
                        type: "file",
                        disableDeletion: true,
                        editable: false,
                        options: { path: `/var/lib/grafana/dashboards/${provider}` },
                    },
                ],
            },
        },
        // The chart downloads each one from grafana.com at start-up and points its
        // ${DS_PROMETHEUS} input at the data source named here.
        dashboards: {
            [provider]: Object.fromEntries(
                ISTIO_DASHBOARDS.map((d) => [
                    d.name,
                    { gnetId: d.gnetId, revision: ISTIO_DASHBOARD_REVISION, datasource },
                ]),
            ),
        },
    };
}

/** Values of the `jaeger` chart (v2, all-in-one with in-memory storage). */
export function jaegerValues(o: ObservabilityConfig) {
    return {
        fullnameOverride: OBSERVABILITY.tracing.service,
        jaeger: {
            // One replica: each replica would keep its own traces in memory, and a query would see
            // only the spans that happened to reach it.
            replicas: 1,
            resources: copyResources(o.tracing!.resources),
        },
    };
}

/** Mesh-wide tracing: every proxy reports this share of requests to the Jaeger provider. */
export function meshTelemetryManifest(sampling: number) {
    return {
        apiVersion: "telemetry.istio.io/v1",
        kind: "Telemetry",
        // "mesh-default" in the root namespace: the mesh's default, which namespace- or
        // workload-level Telemetry resources can override.
        metadata: { name: "mesh-default", namespace: ISTIO.namespace },
        spec: { tracing: [{ providers: [{ name: TRACING_PROVIDER_NAME }], randomSamplingPercentage: sampling }] },
    };
}

type ExposeConfig = Pick<StackConfig, "environment" | "production" | "observability">;

/** The route to Kiali on this environment's Gateway. */
export function kialiVirtualServiceManifest(cfg: ExposeConfig) {
    const expose = cfg.observability.kiali!.expose!;
    const kiali = addonEndpoints(cfg.observability.namespace).kiali;
    return {
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name: "kiali", namespace: cfg.observability.namespace, labels: edgeLabels(cfg) },
        spec: {
            hosts: [...expose.hosts],
            gateways: [`${ISTIO.namespace}/${gatewayName(cfg.environment)}`],
            http: [
                {
                    name: "kiali",
                    // The path itself and what is below it, not every path that starts with it
                    // ("/kialix" is not Kiali's).
                    match: [{ uri: { exact: expose.path } }, { uri: { prefix: `${expose.path}/` } }],
                    route: [{ destination: { host: kiali.host, port: { number: kiali.port } } }],
                },
            ],
            // Read by the gateway only; "." alone when the add-ons live in the gateway's namespace.
            exportTo: gatewayExportTo(cfg.observability.namespace),
        },
    };
}

/**
 * The allow list in front of the route: a DENY policy on the ingress gateway for Kiali's path
 * unless the request comes from an allowed address block or mesh namespace. On the gateway
 * because Kiali has no sidecar to enforce a policy of its own. It names neither hosts nor ports:
 * a DENY rule that failed to match a request (a Host header with a port, say) would let that
 * request through, so it covers the path on every host and port of the gateway.
 */
export function kialiAuthorizationPolicyManifest(cfg: ExposeConfig) {
    const expose = cfg.observability.kiali!.expose!;
    return {
        apiVersion: "security.istio.io/v1",
        kind: "AuthorizationPolicy",
        metadata: { name: `${cfg.environment}-kiali-allow-list`, namespace: ISTIO.namespace, labels: edgeLabels(cfg) },
        spec: {
            selector: { matchLabels: { ...ISTIO.gatewaySelector } },
            action: "DENY",
            rules: [
                {
                    // Fields of one source are ANDed: denied when from none of the allowed blocks
                    // and none of the allowed namespaces.
                    from: [
                        {
                            source: {
                                ...(expose.allowedIpBlocks.length
                                    ? { notRemoteIpBlocks: [...expose.allowedIpBlocks] }
                                    : {}),
                                ...(expose.allowedSourceNamespaces.length
                                    ? { notNamespaces: [...expose.allowedSourceNamespaces] }
                                    : {}),
                            },
                        },
                    ],
                    to: [{ operation: { paths: [expose.path, `${expose.path}/*`] } }],
                },
            ],
        },
    };
}
