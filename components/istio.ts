import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { GatewayPort } from "./config";
import { type ControlPlanePlan, tagOrder } from "./manifests/revisions";
import { helmRelease } from "./helmRelease";
import {
    gatewayValues,
    ISTIO,
    istioBaseValues,
    istiodValues,
    istioNamespaceManifest,
    meshPeerAuthentication,
    type TracingProvider,
} from "./manifests/istio";

export interface IstioArgs {
    /**
     * The control planes (one istiod per version), the base chart's version and default revision,
     * and the gateway's version and revision tag, from `controlPlanePlan`.
     */
    plan: ControlPlanePlan;
    /** High-availability sizing for istiod and the gateway. */
    production: boolean;
    /** Whether sidecars may call hosts outside the mesh registry. */
    outboundTrafficPolicy: "ALLOW_ANY" | "REGISTRY_ONLY";
    /** Pinned NodePort of the gateway's status port. */
    statusNodePort: number;
    /** Ports of the shared gateway Service: this environment's first, then extra environments'. */
    ports: Required<GatewayPort>[];
    /** Where proxies send spans, when the tracing add-on is on (istiod meshConfig.extensionProviders). */
    tracing?: TracingProvider;
    /** Proxies in front of the gateway to trust in X-Forwarded-For; set when Kiali is exposed behind an IP allow list. */
    gatewayTrustedProxies?: number;
    /** The stack's Kubernetes provider. */
    provider: k8s.Provider;
    /** The node groups: istiod and the gateway run pods, which stay Pending without nodes. */
    nodes: pulumi.Resource[];
    /**
     * What gateway pods wait for besides istiod: the load balancer controller, whose pod webhook
     * adds the readiness gate ip targets need (failurePolicy Ignore: a pod created earlier simply
     * has none).
     */
    gatewayAfter: pulumi.Resource[];
}

/**
 * Istio through Helm: base (CRDs) → istiod (one per revision) → the istio-ingressgateway gateway,
 * each waiting for the one before, plus mesh-wide STRICT mTLS.
 */
export class Istio extends pulumi.ComponentResource {
    /** Every istiod release: Istio objects wait for them all, since their webhooks validate them. */
    readonly istiods: k8s.helm.v3.Release[];
    /** The gateway's release: Ingresses wait for it, so their backend Service exists. */
    readonly gateway: k8s.helm.v3.Release;

    constructor(name: string, args: IstioArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-istio:mesh:Istio", name, {}, opts);
        const o = { parent: this, provider: args.provider };

        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, istioNamespaceManifest(), o);
        const { plan } = args;
        const release = (
            key: "base" | "istiod" | "gateway",
            names: { resource: string; release: string },
            version: string,
            values: pulumi.Inputs,
            dependsOn: pulumi.Resource[],
        ) =>
            helmRelease(
                `${name}-${names.resource}`,
                { ...ISTIO[key], release: names.release, version, repo: ISTIO.repo, namespace: ISTIO.namespace },
                values,
                { ...o, dependsOn },
            );

        // base is CRDs and webhook configurations, no pods: it does not wait for nodes.
        const base = release(
            "base",
            { resource: "base", release: ISTIO.base.release },
            plan.base.version,
            istioBaseValues(plan.base.defaultRevision),
            [namespace],
        );
        const istiods = new Map<string, k8s.helm.v3.Release>();
        // The stable holder is created last: a revision tag moving to it must first leave the other release.
        for (const { plane, waitsFor } of [...tagOrder(plan)].sort((a, b) => a.waitsFor.length - b.waitsFor.length))
            istiods.set(
                plane.release,
                release(
                    "istiod",
                    { resource: plane.resourceSuffix, release: plane.release },
                    plane.version,
                    istiodValues({ ...args, ...(plan.mode === "revisions" ? { revision: plane } : {}) }),
                    [base, ...args.nodes, ...waitsFor.map((p) => istiods.get(p.release)!)],
                ),
            );
        this.istiods = plan.planes.map((p) => istiods.get(p.release)!);
        // Gateway pods get their proxy from the injection webhook of the control plane the stable tag
        // names (or the one istiod), so that istiod must be up first.
        this.gateway = release(
            "gateway",
            { resource: "gateway", release: ISTIO.gateway.release },
            plan.gateway.version,
            gatewayValues({ ...args, revision: plan.gateway.revision, controlPlaneVersion: plan.gateway.version }),
            [istiods.get(plan.stableHolder.release)!, ...args.nodes, ...args.gatewayAfter],
        );

        const mtls = meshPeerAuthentication();
        new k8s.apiextensions.CustomResource(`${name}-mtls`, mtls, { ...o, dependsOn: this.istiods });

        this.registerOutputs({ istiods: this.istiods.map((r) => r.status), gateway: this.gateway.status });
    }
}
