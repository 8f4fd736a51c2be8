import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config";
import { helmRelease } from "./helmRelease";
import { ISTIO } from "./manifests/istio";
import {
    grafanaValues,
    jaegerValues,
    kialiAuthorizationPolicyManifest,
    kialiValues,
    kialiVirtualServiceManifest,
    meshTelemetryManifest,
    OBSERVABILITY,
    observabilityNamespaceManifest,
    prometheusValues,
    storageClassManifest,
} from "./manifests/observability";

export interface ObservabilityArgs {
    /** The environment, its production flag, and the add-ons switched on with their sizing. */
    config: Pick<StackConfig, "environment" | "stack" | "production" | "observability">;
    /** The stack's Kubernetes provider. */
    provider: k8s.Provider;
    /**
     * What everything here waits for: istiod. Its webhook validates the Telemetry and Istio
     * objects, and the releases land in a mesh whose proxies already report to the add-ons.
     */
    istioReady: pulumi.Input<pulumi.Resource>[];
    /** The node groups: every add-on runs pods, which stay Pending (and time out) without nodes. */
    nodes: pulumi.Resource[];
    /**
     * What the add-ons' namespace waits for besides istiod: the load balancer controller and the
     * node groups, so that on destroy it goes while the controller still clears the finalizers of
     * Ingresses and LoadBalancer Services created in it.
     */
    namespaceAfter: pulumi.Input<pulumi.Resource>[];
    /**
     * With prometheus.storage: the EBS CSI driver's add-on, which provisions the volume. Prometheus
     * waits for it (a claim without a running provisioner stays Pending until the release times
     * out) and, on destroy, goes first, so the driver still runs to delete the volume.
     */
    storageDriver?: pulumi.Resource;
}

/**
 * The observability add-ons switched on in config: Prometheus, Kiali, Grafana and Jaeger as Helm
 * releases in one namespace, the mesh-wide Telemetry that sends traces to Jaeger, and, with
 * kiali.expose, Kiali's route on the environment's Gateway behind an allow list.
 */
export class Observability extends pulumi.ComponentResource {
    /** The Helm releases, by add-on; absent when the add-on is off. */
    readonly releases: Partial<Record<"prometheus" | "kiali" | "grafana" | "tracing", k8s.helm.v3.Release>> = {};

    constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-istio:observability:Observability", name, {}, opts);
        const o = { parent: this, provider: args.provider };
        const obs = args.config.observability;

        // istio-system already exists: the Istio component owns it.
        const ready: pulumi.Input<pulumi.Resource>[] = [...args.istioReady];
        if (obs.namespace !== ISTIO.namespace)
            ready.push(
                new k8s.core.v1.Namespace(`${name}-namespace`, observabilityNamespaceManifest(obs.namespace), {
                    ...o,
                    dependsOn: [...args.istioReady, ...args.namespaceAfter],
                }),
            );

        const release = (
            addon: keyof typeof OBSERVABILITY,
            values: pulumi.Inputs,
            after: pulumi.Input<pulumi.Resource>[] = [],
        ) =>
            (this.releases[addon] = helmRelease(
                `${name}-${addon}`,
                { ...OBSERVABILITY[addon], namespace: obs.namespace },
                values,
                { ...o, dependsOn: [...ready, ...args.nodes, ...after] },
            ));

        // Prometheus's volume: the driver that provisions it and, unless the config names one that
        // exists, the StorageClass it comes from, both before the release (its claim).
        const storage = obs.prometheus?.storage;
        const storageClass =
            storage && !storage.existingStorageClass
                ? new k8s.storage.v1.StorageClass(
                      `${name}-storage-class`,
                      storageClassManifest(args.config, storage.storageClass),
                      o,
                  )
                : undefined;
        const volume = [
            ...(storage && args.storageDriver ? [args.storageDriver] : []),
            ...(storageClass ? [storageClass] : []),
        ];
        const prometheus = obs.prometheus ? release("prometheus", prometheusValues(obs.prometheus), volume) : undefined;
        const readers = prometheus ? [prometheus] : [];
        const tracing = obs.tracing ? release("tracing", jaegerValues(obs)) : undefined;
        const grafana = obs.grafana ? release("grafana", grafanaValues(obs), readers) : undefined;
        // Kiali checks its backends when it starts: it comes last, after the ones it is wired to.
        const kiali = obs.kiali
            ? release("kiali", kialiValues(obs), [
                  ...readers,
                  ...(grafana ? [grafana] : []),
                  ...(tracing ? [tracing] : []),
              ])
            : undefined;

        if (obs.tracing && tracing)
            new k8s.apiextensions.CustomResource(`${name}-telemetry`, meshTelemetryManifest(obs.tracing.sampling), {
                ...o,
                dependsOn: [...args.istioReady, tracing],
            });

        if (obs.kiali?.expose && kiali) {
            // The allow list exists before the route does: there is no moment when Kiali is open.
            const allowList = new k8s.apiextensions.CustomResource(
                `${name}-kiali-allow-list`,
                kialiAuthorizationPolicyManifest(args.config),
                { ...o, dependsOn: args.istioReady },
            );
            new k8s.apiextensions.CustomResource(`${name}-kiali-route`, kialiVirtualServiceManifest(args.config), {
                ...o,
                dependsOn: [...ready, kiali, allowList],
            });
        }

        this.registerOutputs({
            namespace: obs.namespace,
            releases: Object.fromEntries(Object.entries(this.releases).map(([k, r]) => [k, r!.status])),
        });
    }
}
