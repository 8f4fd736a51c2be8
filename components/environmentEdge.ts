import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AlbAccessLogs } from "./albAccessLogs";
import type { RevisionTag, StackConfig } from "./config";
import {
    appNamespaceManifest,
    authorizationPolicyManifest,
    destinationRuleManifests,
    serviceEntryManifests,
    gatewayManifest,
    ingressAnnotations,
    ingressManifest,
    urlFromIngressStatus,
    virtualServiceManifest,
} from "./manifests/edge";

export interface EnvironmentEdgeArgs {
    /** The parsed stack config: environment, ingress settings and apps. */
    config: Pick<
        StackConfig,
        "environment" | "region" | "production" | "teardown" | "stack" | "ingress" | "apps" | "istio"
    >;
    /** The stack's Kubernetes provider. */
    provider: k8s.Provider;
    /** What Istio objects wait for: istiod, whose validating webhook must answer before they are applied. */
    istioReady: pulumi.Input<pulumi.Resource>[];
    /**
     * What the Ingress waits for: the load balancer controller (its validating webhook refuses
     * Ingresses until it runs, and on destroy the ALB is deleted while the controller still runs to
     * remove it), the node group (the controller's pods run there), and the gateway (its backend).
     */
    ingressDependsOn: pulumi.Input<pulumi.Resource>[];
    /**
     * What an app namespace labelled for each tag waits for (`Istio.injectors`): the webhook that
     * injects its pods and the istiod behind it. Labelled before they exist, pods start without a
     * sidecar under STRICT mTLS. Empty in an attached stack: the owner's istiod injects.
     */
    injectors: Partial<Record<RevisionTag, pulumi.Input<pulumi.Resource>[]>>;
    /**
     * What every app namespace waits for: the load balancer controller and the node group(s). On
     * destroy a namespace then goes while the controller still runs and clears the finalizers of
     * the Ingresses, TargetGroupBindings and LoadBalancer Services users created in it; without
     * the controller the namespace hangs and the ALB leaks. Empty in an attached stack: the owner's
     * controller does it, as long as attached stacks are destroyed first.
     */
    namespaceAfter: pulumi.Input<pulumi.Resource>[];
}

/**
 * One environment's edge: its ALB (Ingress) with, when asked, the bucket of its access logs; its
 * Istio Gateway; and a VirtualService per app.
 */
export class EnvironmentEdge extends pulumi.ComponentResource {
    /** The ALB's URL once the controller has provisioned it. */
    readonly url: pulumi.Output<string | undefined>;
    readonly ingress: k8s.networking.v1.Ingress;

    constructor(name: string, args: EnvironmentEdgeArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-istio:edge:EnvironmentEdge", name, {}, opts);
        const { config } = args;
        const o = { parent: this, provider: args.provider };

        // A bucket of the stack's own unless the config names one. The Ingress waits for all of it
        // (the policy above all): the controller turns logging on as soon as it sees the Ingress.
        const logs = config.ingress.accessLogs;
        const logBucket =
            logs && logs.bucket === undefined
                ? new AlbAccessLogs(
                      `${name}-alb-logs`,
                      { config, prefix: logs.prefix, retentionDays: logs.retentionDays! },
                      { parent: this },
                  )
                : undefined;
        // Only the annotations wait for the bucket's name (see ingressManifest).
        const annotations = logBucket?.bucketName.apply((bucket) => ingressAnnotations(config, bucket));
        this.ingress = new k8s.networking.v1.Ingress(`${name}-ingress`, ingressManifest(config, annotations), {
            ...o,
            dependsOn: [...args.ingressDependsOn, ...(logBucket ? [logBucket] : [])],
        });
        new k8s.apiextensions.CustomResource(`${name}-gateway`, gatewayManifest(config), {
            ...o,
            dependsOn: args.istioReady,
        });
        for (const app of config.apps) {
            const namespace = new k8s.core.v1.Namespace(
                `${name}-${app.name}-namespace`,
                appNamespaceManifest(config, app),
                { ...o, dependsOn: [...args.namespaceAfter, ...(args.injectors[app.revision] ?? [])] },
            );
            const inNamespace = { ...o, dependsOn: [namespace, ...args.istioReady] };
            new k8s.apiextensions.CustomResource(
                `${name}-${app.name}-vs`,
                virtualServiceManifest(config, app),
                inNamespace,
            );
            for (const dr of destinationRuleManifests(config, app))
                new k8s.apiextensions.CustomResource(`${name}-${app.name}-dr-${dr.metadata.name}`, dr, inNamespace);
            for (const se of serviceEntryManifests(config, app))
                new k8s.apiextensions.CustomResource(`${name}-${app.name}-se-${se.metadata.name}`, se, inNamespace);
            const authz = authorizationPolicyManifest(config, app);
            if (authz) new k8s.apiextensions.CustomResource(`${name}-${app.name}-authz`, authz, inNamespace);
        }

        const https = config.ingress.certificateArn !== undefined;
        this.url = this.ingress.status.apply((s) =>
            urlFromIngressStatus(s?.loadBalancer?.ingress?.[0]?.hostname, https),
        );
        this.registerOutputs({ url: this.url });
    }
}
