import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { GatewayPort, RevisionTag } from "./config";
import { type ControlPlanePlan, tagOrder } from "./manifests/revisions";
import { revisionTagService, revisionTagWebhook } from "./manifests/revisionTags";
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
    /**
     * The cluster's kubeconfig, for the revision tags' own provider: it may create a tag's objects
     * over the ones an earlier eks-istio's istiod release rendered (see `Istio`).
     */
    kubeconfig: pulumi.Input<string>;
    /** The node groups: istiod and the gateway run pods, which stay Pending without nodes. */
    nodes: pulumi.Resource[];
    /**
     * What istio-system waits for: the load balancer controller and the node group(s). Deleted
     * before them, the namespace goes while the controller still runs and clears the finalizers of
     * the Ingresses, TargetGroupBindings and LoadBalancer Services in it.
     */
    namespaceAfter: pulumi.Resource[];
    /**
     * What gateway pods wait for besides istiod: the load balancer controller, whose pod webhook
     * adds the readiness gate ip targets need (failurePolicy Ignore: a pod created earlier simply
     * has none).
     */
    gatewayAfter: pulumi.Resource[];
}

/**
 * Istio through Helm: base (CRDs) → istiod (one per revision) → the istio-ingressgateway gateway,
 * each waiting for the one before, plus mesh-wide STRICT mTLS. With revisions, each revision tag
 * is a MutatingWebhookConfiguration and a Service of its own, named after the tag, so moving a tag
 * to another control plane updates them in place.
 *
 * The tags have a provider of their own, which may create an object that already exists
 * (`upsertExistingObjects`) and takes over fields another manager set (`enablePatchForce`): the
 * update that follows an eks-istio whose istiod releases rendered the tags finds them in place,
 * owned by the releases. Nothing else of the stack gets that leeway, and a tag's Pulumi name is
 * the tag, so no rename makes Pulumi create over an object it then deletes. The field istiod
 * writes, the webhooks' caBundle, is never applied, so neither fights over it.
 */
export class Istio extends pulumi.ComponentResource {
    /** Every istiod release: Istio objects wait for them all, since their webhooks validate them. */
    readonly istiods: k8s.helm.v3.Release[];
    /** The gateway's release: Ingresses wait for it, so their backend Service exists. */
    readonly gateway: k8s.helm.v3.Release;
    /**
     * What a namespace labelled for each tag waits for: the webhook that injects its pods and the
     * istiod behind it (with istio.version, the one istiod, whose own webhook takes
     * `istio-injection=enabled`). A namespace labelled earlier would start pods without a sidecar.
     */
    readonly injectors: Partial<Record<RevisionTag, pulumi.Resource[]>>;

    constructor(name: string, args: IstioArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-istio:mesh:Istio", name, {}, opts);
        const o = { parent: this, provider: args.provider };

        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, istioNamespaceManifest(), {
            ...o,
            dependsOn: args.namespaceAfter,
        });
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

        const tagProvider = plan.tags.length
            ? new k8s.Provider(
                  `${name}-tags-k8s`,
                  {
                      kubeconfig: args.kubeconfig,
                      enableServerSideApply: true,
                      upsertExistingObjects: true,
                      enablePatchForce: true,
                  },
                  { parent: this },
              )
            : undefined;
        // The istiod releases and each tag's webhook and Service, in the order tagOrder gives.
        const istiods = new Map<string, k8s.helm.v3.Release>();
        const tags = new Map<string, pulumi.Resource[]>();
        for (const step of tagOrder(plan)) {
            if (step.kind === "istiod") {
                const { plane } = step;
                istiods.set(
                    plane.release,
                    release(
                        "istiod",
                        { resource: plane.resourceSuffix, release: plane.release },
                        plane.version,
                        istiodValues({ ...args, ...(plan.mode === "revisions" ? { revision: plane } : {}) }),
                        [base, ...args.nodes, ...step.afterTags.flatMap((tag) => tags.get(tag)!)],
                    ),
                );
                continue;
            }
            const { tag, plane } = step.placement;
            const t = {
                parent: this,
                provider: tagProvider,
                dependsOn: step.afterPlane ? [istiods.get(step.afterPlane.release)!] : [],
            };
            tags.set(tag, [
                new k8s.admissionregistration.v1.MutatingWebhookConfiguration(
                    `${name}-tag-${tag}`,
                    revisionTagWebhook(tag, plane),
                    t,
                ),
                new k8s.core.v1.Service(`${name}-tag-${tag}-service`, revisionTagService(tag, plane), {
                    ...t,
                    dependsOn: [namespace, ...t.dependsOn],
                }),
            ]);
        }
        this.istiods = plan.planes.map((p) => istiods.get(p.release)!);

        this.injectors =
            plan.mode === "version"
                ? { stable: [istiods.get(plan.stableHolder.release)!] }
                : Object.fromEntries(
                      plan.tags
                          .filter((t) => t.tag !== "default")
                          .map((t) => [t.tag, [tags.get(t.tag)![0], istiods.get(t.plane.release)!]]),
                  );
        // Gateway pods get their proxy from the injection webhook of the control plane the stable tag
        // names (or the one istiod's own webhook), so that webhook and its istiod must be up first.
        this.gateway = release(
            "gateway",
            { resource: "gateway", release: ISTIO.gateway.release },
            plan.gateway.version,
            gatewayValues({ ...args, revision: plan.gateway.revision, controlPlaneVersion: plan.gateway.version }),
            [...this.injectors.stable!, ...args.nodes, ...args.gatewayAfter],
        );

        const mtls = meshPeerAuthentication();
        new k8s.apiextensions.CustomResource(`${name}-mtls`, mtls, { ...o, dependsOn: this.istiods });

        this.registerOutputs({ istiods: this.istiods.map((r) => r.status), gateway: this.gateway.status });
    }
}
