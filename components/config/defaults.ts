// The only place defaults are applied to a parsed config.
import type { z } from "zod";
import {
    type Addon,
    type AddonSettings,
    type albControllerSchema,
    type appSchema,
    type clusterSchema,
    type ConfigProblem,
    DEFAULTS,
    type ingressSchema,
    type istioSchema,
    type ObservabilityConfig,
    type ParsedObservability,
    PRODUCTION_DEFAULTS,
    PRODUCTION_ENVIRONMENTS,
    type RawStackConfig,
    type Resources,
    type StackConfig,
} from "./contract";
import type { NodeGroupConfig, nodeGroupSchema } from "./nodeGroups";
import { DEFAULT_STATUS_NODE_PORT, defaultNodePort, stripUndefined } from "./primitives";

/** Applies the defaults of the contract to a parsed config; the only place defaults are applied. */
export function withDefaults(
    raw: RawStackConfig,
    environment: string,
    warnings: ConfigProblem[],
    p: {
        production?: boolean;
        teardown?: boolean;
        cluster: z.infer<typeof clusterSchema>;
        istio: z.infer<typeof istioSchema>;
        albController: z.infer<typeof albControllerSchema>;
        ingress: z.infer<typeof ingressSchema>;
        apps: z.infer<typeof appSchema>[];
        observability: ParsedObservability;
    },
): StackConfig {
    const production = p.production ?? PRODUCTION_ENVIRONMENTS.includes(environment);
    return {
        stack: raw.stack,
        region: raw.region!,
        environment,
        production,
        teardown: p.teardown ?? false,
        cluster: clusterWithDefaults(environment, production, p.cluster),
        istio: {
            // With revisions, the stable one: the gateway and every app not on the canary run it.
            version: p.istio.stable ?? p.istio.revisions?.[0] ?? p.istio.version ?? DEFAULTS.istio.version,
            extraGatewayPorts: p.istio.extraGatewayPorts ?? [],
            statusNodePort: p.istio.statusNodePort,
            outboundTrafficPolicy: p.istio.outboundTrafficPolicy ?? DEFAULTS.istio.outboundTrafficPolicy,
            ...(p.istio.revisions
                ? {
                      revisions: {
                          versions: [...p.istio.revisions],
                          stable: p.istio.stable ?? p.istio.revisions[0],
                          ...(p.istio.canary ? { canary: p.istio.canary } : {}),
                      },
                  }
                : {}),
        },
        gateway: {
            statusNodePort: p.istio.statusNodePort ?? DEFAULT_STATUS_NODE_PORT,
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
        ingress: ingressWithDefaults(p.ingress, environment, production),
        apps: p.apps.map((a) => ({
            name: a.name,
            namespace: a.namespace ?? a.name,
            hosts: a.hosts ?? [...DEFAULTS.ingress.hosts],
            http: a.http,
            destinationRules: a.destinationRules ?? [],
            authorization: a.authorization ?? [],
            allowIngressGateway: a.allowIngressGateway ?? true,
            serviceEntries: a.serviceEntries ?? [],
            revision: a.revision ?? "stable",
        })),
        observability: observabilityWithDefaults(p.observability, production, p.ingress.hosts),
        warnings,
    };
}

function clusterWithDefaults(
    environment: string,
    production: boolean,
    cluster: z.infer<typeof clusterSchema>,
): StackConfig["cluster"] {
    const envDefaults = production ? { ...DEFAULTS.cluster, ...PRODUCTION_DEFAULTS } : DEFAULTS.cluster;
    // The default group's keys become a group; they are not settings of the cluster itself.
    const { instanceTypes, minSize, desiredSize, maxSize, nodeGroups, ...rest } = cluster;
    const {
        instanceTypes: defaultTypes,
        minSize: defaultMin,
        desiredSize: defaultDesired,
        maxSize: defaultMax,
        ...defaults
    } = structuredClone(envDefaults);
    const group = (g: z.infer<typeof nodeGroupSchema>): NodeGroupConfig => ({
        name: g.name,
        instanceTypes: [...(g.instanceTypes ?? defaultTypes)],
        minSize: g.minSize ?? defaultMin,
        desiredSize: g.desiredSize ?? defaultDesired,
        maxSize: g.maxSize ?? defaultMax,
        labels: { ...(g.labels ?? {}) },
        taints: (g.taints ?? []).map((t) => ({ ...t })),
        launchTemplate: g.launchTemplate ?? true,
    });
    return {
        name: `eks-istio-${environment}`,
        ...defaults,
        ...stripUndefined(rest),
        nodeGroups: (
            nodeGroups ?? [{ name: DEFAULTS.nodeGroup.name, instanceTypes, minSize, desiredSize, maxSize }]
        ).map(group),
    };
}

function ingressWithDefaults(
    p: z.infer<typeof ingressSchema>,
    environment: string,
    production: boolean,
): StackConfig["ingress"] {
    const { accessLogRetentionDays, ...defaults } = structuredClone(DEFAULTS.ingress);
    const { accessLogs, ...given } = stripUndefined(p);
    return {
        ...defaults,
        ...given,
        ...(accessLogs
            ? {
                  accessLogs: {
                      ...(accessLogs.bucket !== undefined ? { bucket: accessLogs.bucket } : {}),
                      // One bucket may take several environments' logs: each under its own prefix.
                      prefix: accessLogs.prefix ?? environment,
                      ...(accessLogs.bucket === undefined
                          ? {
                                retentionDays:
                                    accessLogs.retentionDays ??
                                    accessLogRetentionDays[production ? "production" : "dev"],
                            }
                          : {}),
                  },
              }
            : {}),
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
            ...(prometheus.storage
                ? {
                      storage: {
                          size: prometheus.storage.size,
                          storageClass: prometheus.storage.storageClass ?? DEFAULTS.observability.storageClass,
                          existingStorageClass: prometheus.storage.storageClass !== undefined,
                      },
                  }
                : {}),
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
