// How istiod reads a host name, and who must see an Istio object: the pure rules behind the
// tenancy checks (tenancy.ts) and the exportTo of the VirtualServices, DestinationRules and
// ServiceEntries the program generates (manifests/edge.ts). Read from istio/istio 1.30:
//   pilot/pkg/model/config.go  ResolveShortnameToFQDN: a name without a dot is a Service of the
//       object's own namespace (<name>.<namespace>.svc.cluster.local); a name with a dot, "*" and an
//       IP are taken as written. So "orders.product" is not the Service orders of namespace product
//       for istiod, though it is for DNS inside a pod (the search path ends in svc.cluster.local).
//   pilot/pkg/model/push_context.go
//       VirtualServicesForGateway: a gateway proxy reads the VirtualServices exported to its own
//           namespace (or to every namespace).
//       destinationRule: a proxy takes the DestinationRule of its own namespace; failing that, one
//           in the Service's namespace exported to the proxy's namespace; then the root namespace's.
//           The ingress gateway runs in istio-system, which is also the root namespace.
//       servicesExportedToNamespace (via DefaultSidecarScopeForGateway): a gateway only builds
//           clusters for the Services and ServiceEntries exported to its namespace.
import { record } from "../primitives";

/** Where the ingress gateway's pods run (ISTIO.namespace of manifests/istio.ts; a test ties them). */
export const GATEWAY_NAMESPACE = "istio-system";

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** A host as compared: lower case, without a trailing dot (the absolute form of a DNS name). */
function normal(host: string): string {
    return host.toLowerCase().replace(/\.$/, "");
}

/** The host istiod routes to for `host` written in an object of `namespace` (ResolveShortnameToFQDN). */
export function resolvedHost(host: string, namespace: string): string {
    const h = normal(host);
    if (h === "*" || h.includes(".") || h.includes(":")) return h;
    return `${h}.${namespace}.svc.cluster.local`;
}

/**
 * How a host is written, which decides what it can reach:
 * - `short`: a name without a dot, a Service of the object's own namespace;
 * - `service.namespace`: two labels, which DNS in a pod reads as <service>.<namespace> (istiod
 *   takes it as written, so as a route it reaches nothing but a ServiceEntry of that name);
 * - `kubernetes`: a cluster DNS name, <name>.<namespace>.svc[.cluster.local],
 *   <ip>.<namespace>.pod.cluster.local, or any other name under cluster.local;
 * - `wildcard`: a pattern over every namespace's Services ("*", "*.local");
 * - `external`: anything else (a public DNS name, an IP).
 */
export type HostForm = "short" | "service.namespace" | "kubernetes" | "wildcard" | "external";

export interface HostReach {
    form: HostForm;
    /** The namespace whose Services the host names; "*" for every namespace; absent when external. */
    namespace?: string;
}

/** What `host`, written in an object of `namespace`, can reach. */
export function hostReach(host: string, namespace: string): HostReach {
    const h = normal(host);
    if (h === "*" || h === "*.local") return { form: "wildcard", namespace: "*" };
    if (h.includes(":") || IPV4.test(h)) return { form: "external" };
    if (!h.includes(".")) return { form: "short", namespace };
    const labels = h.split(".");
    const local = labels.length >= 2 && labels.at(-1) === "local" && labels.at(-2) === "cluster";
    const rest = local ? labels.slice(0, -2) : labels;
    const tail = rest.at(-1);
    if (tail === "svc" || tail === "pod") {
        const ns = rest.at(-2);
        return { form: "kubernetes", namespace: ns === undefined || ns === "*" ? "*" : ns };
    }
    // Under cluster.local but neither a Service nor a pod name ("*.cluster.local"): no one namespace.
    if (local) return { form: "kubernetes", namespace: "*" };
    if (labels.length === 2) return { form: "service.namespace", namespace: labels[1] };
    return { form: "external" };
}

/** Whether the ServiceEntry or DestinationRule host `pattern` names the resolved host `host`. */
export function hostCovers(pattern: string, host: string): boolean {
    return coveredBy([pattern])(normal(host));
}

/**
 * Whether any of `patterns` covers a host as resolvedHost gives it (already normal), with the
 * patterns read once: the rules test every destination against every pattern of a stack.
 */
export function coveredBy(patterns: readonly string[]): (resolved: string) => boolean {
    const exact = new Set<string>();
    const suffixes: string[] = [];
    for (const p of patterns.map(normal)) {
        exact.add(p);
        if (p.startsWith("*.")) suffixes.push(p.slice(1));
    }
    const any = exact.has("*");
    return (h) => any || exact.has(h) || suffixes.some((s) => h.endsWith(s));
}

/** A destination of a route: where a request is sent or mirrored, with its config key. */
export interface Destination {
    /** Config key of the host, e.g. "apps[0].http[1].route[0].destination.host". */
    at: string;
    host: string;
    subset?: string;
    /** The namespace of the VirtualService the route is in (the app's). */
    namespace: string;
    /** resolvedHost(host, namespace), resolved once: the rules compare it with every other host. */
    resolved: string;
}

/** An app's namespace as config states it (the name unless set), or undefined when neither is text. */
export function appNamespace(app: Record<string, unknown>): string | undefined {
    const ns = app.namespace ?? app.name;
    return typeof ns === "string" ? ns : undefined;
}

/**
 * Every destination of every route of `apps` (raw config, guarded field by field): route
 * destinations, `mirror` and `mirrors`. All of them are the ingress gateway's to call: the
 * VirtualServices are bound to the environment's Gateway only.
 */
export function gatewayDestinations(apps: unknown): Destination[] {
    const out: Destination[] = [];
    (Array.isArray(apps) ? apps : []).forEach((raw, i) => {
        const app = record(raw);
        const namespace = appNamespace(app);
        if (namespace === undefined) return;
        const push = (at: string, d: unknown) => {
            const { host, subset } = record(d);
            if (typeof host === "string")
                out.push({
                    at,
                    host,
                    namespace,
                    resolved: resolvedHost(host, namespace),
                    ...(typeof subset === "string" ? { subset } : {}),
                });
        };
        (Array.isArray(app.http) ? app.http : []).forEach((r, j) => {
            const route = record(r);
            const at = `apps[${i}].http[${j}]`;
            (Array.isArray(route.route) ? route.route : []).forEach((w, k) =>
                push(`${at}.route[${k}].destination.host`, record(w).destination),
            );
            if (route.mirror !== undefined) push(`${at}.mirror.host`, route.mirror);
            (Array.isArray(route.mirrors) ? route.mirrors : []).forEach((m, k) =>
                push(`${at}.mirrors[${k}].destination.host`, record(m).destination),
            );
        });
    });
    return out;
}

/** exportTo of an object read by its namespace's proxies and by the ingress gateway. */
export function gatewayExportTo(namespace: string): string[] {
    return namespace === GATEWAY_NAMESPACE ? ["."] : [".", GATEWAY_NAMESPACE];
}

/** Whether an object with this exportTo (absent or [] = Istio's default, every namespace) is visible to the gateway. */
export function visibleToGateway(exportTo: readonly string[] | undefined, namespace: string): boolean {
    if (exportTo === undefined || exportTo.length === 0) return true;
    return exportTo.some((e) => e === "*" || e === GATEWAY_NAMESPACE || (e === "." && namespace === GATEWAY_NAMESPACE));
}

/**
 * A DestinationRule's exportTo: as configured when configured; otherwise its namespace (the app's
 * own callers) and the gateway's (ingress traffic: the gateway finds a rule in the Service's
 * namespace only if it is exported to istio-system). With a workloadSelector only ".": istiod
 * keeps such a rule in its namespace anyway, and its webhook refuses any other entry.
 */
export function destinationRuleExportTo(
    spec: { exportTo?: readonly string[]; workloadSelector?: unknown },
    namespace: string,
): string[] {
    if (spec.exportTo !== undefined) return [...spec.exportTo];
    if (spec.workloadSelector !== undefined) return ["."];
    return gatewayExportTo(namespace);
}

/**
 * A ServiceEntry's exportTo: as configured when configured; otherwise its namespace (the app's
 * sidecars call the external host), plus the gateway's only when a route or mirror of this stack
 * sends requests to one of its hosts. A ServiceEntry the gateway sees changes that host for every
 * environment the gateway serves, so it is shown to the gateway only when the gateway needs it.
 */
export function serviceEntryExportTo(
    spec: { exportTo?: readonly string[]; hosts: readonly string[] },
    namespace: string,
    destinations: readonly Destination[],
): string[] {
    if (spec.exportTo !== undefined) return [...spec.exportTo];
    const covered = coveredBy(spec.hosts);
    const routed = destinations.some((d) => covered(d.resolved));
    return routed ? gatewayExportTo(namespace) : ["."];
}
