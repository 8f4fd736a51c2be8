import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { GatewayPort } from "./config";
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
    /** One Istio version for base, istiod and the gateway (charts must match the control plane). */
    version: string;
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
    /** The node group: istiod and the gateway run pods, which stay Pending without nodes. */
    nodes: pulumi.Resource;
    /**
     * What gateway pods wait for besides istiod: the load balancer controller, whose pod webhook
     * adds the readiness gate ip targets need (failurePolicy Ignore: a pod created earlier simply
     * has none).
     */
    gatewayAfter: pulumi.Resource[];
}

/**
 * Istio through Helm: base (CRDs) → istiod → the istio-ingressgateway gateway, each waiting for
 * the one before, plus mesh-wide STRICT mTLS.
 */
export class Istio extends pulumi.ComponentResource {
    /** istiod's release: Istio objects wait for it, since its webhook validates them. */
    readonly istiod: k8s.helm.v3.Release;
    /** The gateway's release: Ingresses wait for it, so their backend Service exists. */
    readonly gateway: k8s.helm.v3.Release;

    constructor(name: string, args: IstioArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-istio:mesh:Istio", name, {}, opts);
        const o = { parent: this, provider: args.provider };

        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, istioNamespaceManifest(), o);
        const release = (key: "base" | "istiod" | "gateway", values: pulumi.Inputs, dependsOn: pulumi.Resource[]) =>
            helmRelease(
                `${name}-${key}`,
                { ...ISTIO[key], version: args.version, repo: ISTIO.repo, namespace: ISTIO.namespace },
                values,
                { ...o, dependsOn },
            );
        // base is CRDs and webhook configurations, no pods: it does not wait for nodes.
        const base = release("base", istioBaseValues(), [namespace]);
        this.istiod = release("istiod", istiodValues(args), [base, args.nodes]);
        // Gateway pods get their proxy from istiod's injection webhook, so istiod must be up first.
        this.gateway = release("gateway", gatewayValues(args), [this.istiod, args.nodes, ...args.gatewayAfter]);

        const mtls = meshPeerAuthentication();
        new k8s.apiextensions.CustomResource(`${name}-mtls`, mtls, { ...o, dependsOn: [this.istiod] });

        this.registerOutputs({ istiod: this.istiod.status, gateway: this.gateway.status });
    }
}
