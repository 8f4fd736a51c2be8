// The per-environment edge as plain Kubernetes objects: ALB Ingress → Istio Gateway →
// VirtualServices, and the apps' namespaces. Object names follow DESIGN.md and contain nothing
// but the environment name, so any environment works like dev, stg and product.
import {
    destinationRuleExportTo,
    gatewayDestinations,
    gatewayExportTo,
    serviceEntryExportTo,
} from "../config/checks/reach";
import type { AppConfig, StackConfig } from "../config/contract";
import { hostObjectName } from "../config/primitives";
import { GATEWAY_ROLLOUT, gatewayPortName, ISTIO } from "./istio";
import { injectionLabels } from "./revisions";

export function ingressName(environment: string): string {
    return `istio-ingress-${environment}`;
}
export function gatewayName(environment: string): string {
    return `${environment}-gateway`;
}

/** Default ALB name; at most 32 characters because environments are at most 10. */
export function loadBalancerName(cfg: Pick<StackConfig, "environment" | "ingress">): string {
    return cfg.ingress.loadBalancerName ?? `eks-istio-${cfg.environment}`;
}

export function edgeLabels(cfg: Pick<StackConfig, "environment" | "production">): Record<string, string> {
    return {
        "app.kubernetes.io/managed-by": "pulumi",
        "app.kubernetes.io/part-of": "eks-istio",
        "eks-istio/environment": cfg.environment,
        // The policy pack holds production Ingresses to stricter rules (deletion protection).
        "eks-istio/production": String(cfg.production),
    };
}

type EdgeConfig = Pick<StackConfig, "environment" | "production" | "teardown" | "stack" | "ingress">;

/**
 * Whether the ALB keeps deletion protection: in production, unless the stack is being torn down
 * (`eks-istio:teardown`). Always stated, true or false: the controller only changes the attributes
 * the annotation names, so leaving it out would leave protection on and the ALB undeletable.
 */
export function albDeletionProtection(cfg: Pick<StackConfig, "production" | "teardown">): boolean {
    return cfg.production && !cfg.teardown;
}

/**
 * The ALB's attributes. Each one the program manages is always stated, on or off: the controller
 * changes only the attributes the annotation names, so an attribute left out would keep whatever an
 * earlier update set (access logs turned off in config would stay on). Access logs go to the
 * configured bucket, or to the one the stack creates (`accessLogBucket`, its name).
 */
export function loadBalancerAttributes(cfg: EdgeConfig, accessLogBucket?: string): string {
    const logs = cfg.ingress.accessLogs;
    const attributes = [`deletion_protection.enabled=${albDeletionProtection(cfg)}`];
    if (!logs) attributes.push("access_logs.s3.enabled=false");
    else {
        const bucket = logs.bucket ?? accessLogBucket;
        if (bucket === undefined) throw new Error("ingress.accessLogs: the name of the stack's log bucket is missing");
        attributes.push(
            "access_logs.s3.enabled=true",
            `access_logs.s3.bucket=${bucket}`,
            `access_logs.s3.prefix=${logs.prefix}`,
        );
    }
    return attributes.join(",");
}

/** Annotations that make the AWS Load Balancer Controller build this environment's ALB. */
export function ingressAnnotations(cfg: EdgeConfig, accessLogBucket?: string): Record<string, string> {
    const { ingress } = cfg;
    const https = ingress.certificateArn !== undefined;
    const a: Record<string, string> = {
        "alb.ingress.kubernetes.io/scheme": ingress.scheme,
        "alb.ingress.kubernetes.io/target-type": ingress.targetType,
        "alb.ingress.kubernetes.io/load-balancer-name": loadBalancerName(cfg),
        "alb.ingress.kubernetes.io/tags": `eks-istio/environment=${cfg.environment},eks-istio/stack=${cfg.stack}`,
        // Health of a gateway pod is Envoy's readiness on the status port, not an app's "/": an app
        // returning 404 at "/" must not take the whole environment out of the target group.
        // A named port resolves to the NodePort (instance targets) or the pod port (ip targets).
        "alb.ingress.kubernetes.io/healthcheck-port": ISTIO.statusPortName,
        "alb.ingress.kubernetes.io/healthcheck-protocol": "HTTP",
        "alb.ingress.kubernetes.io/healthcheck-path": "/healthz/ready",
        "alb.ingress.kubernetes.io/success-codes": "200",
        // Shorter than the gateway's Envoy drain (GATEWAY_ROLLOUT): the ALB lets go of a leaving
        // target while Envoy still answers, instead of the default 300 s outlasting it.
        "alb.ingress.kubernetes.io/target-group-attributes": `deregistration_delay.timeout_seconds=${GATEWAY_ROLLOUT.deregistrationDelaySeconds}`,
        "alb.ingress.kubernetes.io/load-balancer-attributes": loadBalancerAttributes(cfg, accessLogBucket),
        "alb.ingress.kubernetes.io/listen-ports": JSON.stringify(
            https ? [{ HTTP: 80 }, { HTTPS: 443 }] : [{ HTTP: 80 }],
        ),
        // Always stated, like the attributes: without the annotation the controller leaves whatever
        // web ACL the ALB has; "none" detaches one that config no longer names.
        "alb.ingress.kubernetes.io/wafv2-acl-arn": ingress.wafAclArn ?? "none",
    };
    // Without it the controller's security group lets in 0.0.0.0/0; unlike the attributes, its
    // rules are rebuilt from the annotation on every reconcile, so leaving it out restores that.
    if (ingress.allowedCidrs) a["alb.ingress.kubernetes.io/inbound-cidrs"] = ingress.allowedCidrs.join(",");
    if (https) {
        a["alb.ingress.kubernetes.io/certificate-arn"] = ingress.certificateArn!;
        a["alb.ingress.kubernetes.io/ssl-policy"] = ingress.sslPolicy;
        a["alb.ingress.kubernetes.io/ssl-redirect"] = "443";
    }
    return a;
}

/**
 * The Ingress the controller turns into this environment's ALB, pointing at the gateway Service's
 * port. `annotations` are `ingressAnnotations(cfg)` unless given: the component gives them as an
 * Output while they wait for the name of the stack's access-log bucket. Only they wait: the name,
 * namespace and spec stay known, so turning access logs on updates the Ingress (and its ALB)
 * instead of replacing it, which a name unknown at preview would.
 */
export function ingressManifest<A = Record<string, string>>(cfg: EdgeConfig, annotations?: A) {
    return {
        apiVersion: "networking.k8s.io/v1" as const,
        kind: "Ingress" as const,
        metadata: {
            name: ingressName(cfg.environment),
            namespace: ISTIO.namespace,
            // Tells the policy pack that deletion protection is off on purpose, for a teardown.
            labels: {
                ...edgeLabels(cfg),
                ...(cfg.teardown ? { "eks-istio/teardown": "true" } : {}),
            } as Record<string, string>,
            annotations: annotations ?? ingressAnnotations(cfg),
        },
        spec: {
            ingressClassName: "alb",
            rules: [
                {
                    http: {
                        paths: [
                            {
                                path: "/",
                                pathType: "Prefix",
                                backend: {
                                    service: { name: ISTIO.gatewayService, port: { number: cfg.ingress.port } },
                                },
                            },
                        ],
                    },
                },
            ],
        },
    };
}

/** The Istio Gateway listening on this environment's port of the shared ingress gateway. */
export function gatewayManifest(cfg: EdgeConfig) {
    return {
        apiVersion: "networking.istio.io/v1",
        kind: "Gateway",
        metadata: { name: gatewayName(cfg.environment), namespace: ISTIO.namespace, labels: edgeLabels(cfg) },
        spec: {
            selector: { ...ISTIO.gatewaySelector },
            servers: [
                {
                    port: { number: cfg.ingress.port, name: gatewayPortName(cfg.environment), protocol: "HTTP" },
                    hosts: [...cfg.ingress.hosts],
                },
            ],
        },
    };
}

/** An app's namespace, with sidecar injection on: by the one istiod, or by its revision tag's. */
export function appNamespaceManifest(
    cfg: Pick<StackConfig, "environment" | "production"> & { istio?: Pick<StackConfig["istio"], "revisions"> },
    app: AppConfig,
) {
    return {
        apiVersion: "v1" as const,
        kind: "Namespace" as const,
        metadata: {
            name: app.namespace,
            labels: { ...edgeLabels(cfg), ...injectionLabels(cfg.istio?.revisions, app.revision) },
        },
    };
}

/**
 * An app's VirtualService: its routes, bound to this environment's Gateway. Exported to its own
 * namespace and the gateway's, the only proxies that read it (a gateway reads the VirtualServices
 * exported to its namespace); without exportTo every namespace would see it.
 */
export function virtualServiceManifest(cfg: Pick<StackConfig, "environment" | "production">, app: AppConfig) {
    return {
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name: app.name, namespace: app.namespace, labels: edgeLabels(cfg) },
        spec: {
            hosts: [...app.hosts],
            gateways: [`${ISTIO.namespace}/${gatewayName(cfg.environment)}`],
            http: copySpec(app.http),
            exportTo: gatewayExportTo(app.namespace),
        },
    };
}

/**
 * A deep copy of a spec taken from config (plain objects, arrays and scalars), so that no object
 * handed to Pulumi shares a mutable part with the parsed config. Strings are immutable and shared:
 * structuredClone copied each one, which a long value made the cost of every object built from it.
 */
function copySpec<T>(value: T): T {
    if (Array.isArray(value)) return value.map(copySpec) as T;
    if (value !== null && typeof value === "object")
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copySpec(v)])) as T;
    return value;
}

/** The environment's public URL from the Ingress status: https when a certificate is configured. */
export function urlFromIngressStatus(hostname: string | undefined, https: boolean): string | undefined {
    return hostname ? `${https ? "https" : "http"}://${hostname}` : undefined;
}

/** The ingress gateway's workload identity (its ServiceAccount is named after the Helm release). */
export const INGRESS_GATEWAY_PRINCIPAL = `cluster.local/ns/${ISTIO.namespace}/sa/${ISTIO.gatewayService}`;

/**
 * One DestinationRule per configured entry, named after its host, in the app's namespace. Exported
 * to the app's namespace (its own callers) and the gateway's (ingress traffic), unless the entry
 * says otherwise (config/checks/reach.ts: destinationRuleExportTo).
 */
export function destinationRuleManifests(cfg: Pick<StackConfig, "environment" | "production">, app: AppConfig) {
    return app.destinationRules.map((spec) => ({
        apiVersion: "networking.istio.io/v1",
        kind: "DestinationRule",
        metadata: { name: hostObjectName(spec.host), namespace: app.namespace, labels: edgeLabels(cfg) },
        spec: { ...copySpec(spec), exportTo: destinationRuleExportTo(spec, app.namespace) },
    }));
}

/**
 * The app's ALLOW policy for its whole namespace. An ALLOW policy denies everything it does not
 * match, so unless the config opts out, a first rule lets the ingress gateway in: the app stays
 * reachable through its ALB, and the configured rules decide who else may call.
 */
export function authorizationPolicyManifest(cfg: Pick<StackConfig, "environment" | "production">, app: AppConfig) {
    if (app.authorization.length === 0) return undefined;
    const gateway = app.allowIngressGateway
        ? [{ from: [{ source: { principals: [INGRESS_GATEWAY_PRINCIPAL] } }] }]
        : [];
    return {
        apiVersion: "security.istio.io/v1",
        kind: "AuthorizationPolicy",
        metadata: { name: app.name, namespace: app.namespace, labels: edgeLabels(cfg) },
        spec: { action: "ALLOW", rules: [...gateway, ...copySpec(app.authorization)] },
    };
}

/**
 * ServiceEntries for the external hosts the app calls, named after each entry's first host.
 * Exported to the app's namespace, and to the gateway's only when a route of this stack sends
 * requests to one of its hosts (config/checks/reach.ts: serviceEntryExportTo).
 */
export function serviceEntryManifests(cfg: Pick<StackConfig, "environment" | "production" | "apps">, app: AppConfig) {
    const destinations = gatewayDestinations(cfg.apps);
    return app.serviceEntries.map((spec) => ({
        apiVersion: "networking.istio.io/v1",
        kind: "ServiceEntry",
        metadata: { name: hostObjectName(spec.hosts[0]), namespace: app.namespace, labels: edgeLabels(cfg) },
        spec: { ...copySpec(spec), exportTo: serviceEntryExportTo(spec, app.namespace, destinations) },
    }));
}
