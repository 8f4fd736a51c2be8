// Tenancy: which hosts a stack's routes, mirrors, DestinationRules and ServiceEntries may name.
//
// Every environment's traffic enters through one ingress gateway, with one workload identity
// (cluster.local/ns/istio-system/sa/istio-ingressgateway), and every app's AuthorizationPolicy lets
// that identity in. Whatever host a VirtualService on the gateway names, the gateway calls it with
// credentials every namespace trusts. So in the shared layout the boundary between environments is
// which hosts each environment's config may name:
// - an attached stack (cluster.stackReference) reaches only its own apps' namespaces and its own
//   ServiceEntry hosts, and may not make the shared gateway present its mesh identity to anything
//   else (ISTIO_MUTUAL towards a ServiceEntry, the tlsMode label on an endpoint) nor use the
//   gateway namespace's secrets and files (credentialName, certificate paths);
// - no stack publishes a system namespace's Services through its ALB (the Kubernetes API, istiod,
//   DNS, the add-ons' consoles without a login);
// - the owner of a shared mesh is told (a warning) when its routes enter a namespace it does not
//   manage: production traffic would be served by code no production change reviews.
// What the gateway must see to route at all (exportTo) is checked here too; reach.ts holds the rules.
import { reservedNamespaceProblem } from "../contract";
import { record } from "../primitives";
import {
    appNamespace,
    destinationRuleExportTo,
    GATEWAY_NAMESPACE,
    gatewayDestinations,
    coveredBy,
    hostReach,
    resolvedHost,
    visibleToGateway,
} from "./reach";

type Finding = { at: string; message: string };

const strings = (x: unknown): string[] => (Array.isArray(x) ? x.filter((s) => typeof s === "string") : []);
const list = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

/** Rules of tenancy over the raw config (guarded field by field, so one run reports every problem). */
export function tenancyProblems(v: Record<string, unknown>): { errors: Finding[]; warnings: Finding[] } {
    const errors: Finding[] = [];
    const warnings: Finding[] = [];
    const attached = record(v.cluster).stackReference !== undefined;
    // An owner whose gateway also serves attached environments (their ports are listed here).
    const sharesGateway = !attached && list(record(v.istio).extraGatewayPorts).length > 0;
    const apps = list(v.apps).map(record);
    const own = [...new Set(apps.map(appNamespace).filter((n): n is string => n !== undefined))];
    const ownList = own.map((n) => `"${n}"`).join(", ") || "none";
    const entryHosts = apps.flatMap((a) => list(a.serviceEntries).flatMap((se) => strings(record(se).hosts)));
    const isEntryHost = coveredBy(entryHosts);
    const destinations = gatewayDestinations(v.apps);
    const outside = (ns: string) =>
        ns === "*"
            ? "every namespace of the cluster"
            : `namespace "${ns}", which is not one of this stack's (${ownList})`;
    const attachedRule = `an attached stack (cluster.stackReference) shares the owner's ingress gateway, whose identity every environment's apps admit, so it may only name Services of its own apps' namespaces (${ownList}) and hosts of its own serviceEntries`;

    // Routes and mirrors: what the gateway sends requests to.
    for (const d of destinations) {
        const reach = hostReach(d.host, d.namespace);
        const resolved = d.resolved;
        // The app's own namespace being a system one is reported at the app (checks/routing.ts).
        const reserved =
            reach.namespace && reach.namespace !== "*" && reach.namespace !== d.namespace
                ? reservedNamespaceProblem(reach.namespace)
                : undefined;
        if (reserved && !isEntryHost(resolved)) {
            errors.push({ at: d.at, message: systemNamespaceMessage(d.host, reach.namespace!, reserved) });
            continue;
        }
        if (isEntryHost(resolved) || reach.namespace === undefined) {
            if (attached && !isEntryHost(resolved))
                errors.push({
                    at: d.at,
                    message: `"${d.host}" is neither a Service of this stack's namespaces nor a host of its serviceEntries; ${attachedRule}. For an external host, declare it in apps[].serviceEntries`,
                });
            continue;
        }
        if (attached && !own.includes(reach.namespace)) {
            errors.push({
                at: d.at,
                message: `"${d.host}" reaches ${outside(reach.namespace)}; ${attachedRule}. Route to a Service of those namespaces (e.g. "<service>" or "<service>.${d.namespace}.svc.cluster.local"), or move this route to the stack that owns "${reach.namespace}"`,
            });
            continue;
        }
        if (
            reach.form === "service.namespace" ||
            (reach.form === "kubernetes" && !resolved.endsWith(".cluster.local"))
        ) {
            warnings.push({
                at: d.at,
                message: `"${d.host}" is taken as written by istiod, which expands only names without a dot, and no Service is registered under it: requests routed here are dropped. Write the Service's full name "${fullName(d.host)}"`,
            });
            continue;
        }
        if (sharesGateway && !own.includes(reach.namespace))
            warnings.push({
                at: d.at,
                message: `"${d.host}" reaches namespace "${reach.namespace}", which no app of this stack manages; this stack's gateway also serves attached environments, whose namespaces the owner does not review. Route only to this stack's namespaces (${ownList}) unless "${reach.namespace}" is meant to serve this environment`,
            });
    }

    apps.forEach((app, i) => {
        const ns = appNamespace(app);
        if (ns === undefined) return;
        list(app.destinationRules).forEach((raw, d) => {
            const dr = record(raw);
            if (typeof dr.host !== "string") return;
            const at = `apps[${i}].destinationRules[${d}]`;
            const reach = hostReach(dr.host, ns);
            const resolved = resolvedHost(dr.host, ns);
            const entry = isEntryHost(resolved);
            const refused = attached && !entry && (reach.namespace === undefined || !own.includes(reach.namespace));
            if (refused)
                errors.push({
                    at: `${at}.host`,
                    message:
                        reach.namespace === undefined
                            ? `"${dr.host}" is neither a Service of this stack's namespaces nor a host of its serviceEntries; ${attachedRule}`
                            : `"${dr.host}" reaches ${outside(reach.namespace)}; ${attachedRule}. ${reach.namespace === "*" ? "Name one Service of those namespaces" : `Write the rule in the stack that owns "${reach.namespace}"`}`,
                });
            if (attached) {
                errors.push(...gatewayCredentialProblems(dr, at, entry || reach.namespace === undefined));
                errors.push(...exportToProblems(dr.exportTo, `${at}.exportTo`, own, "DestinationRule"));
            }
            // The gateway's lookups (routed hosts only): the rule must be exported to istio-system and
            // sit in the namespace of the Service it names.
            const covered = coveredBy([resolved]);
            const routed = destinations.filter((x) => covered(x.resolved));
            if (routed.length === 0) return;
            const exportTo = Array.isArray(dr.exportTo) ? strings(dr.exportTo) : undefined;
            if (dr.workloadSelector === undefined && !visibleToGateway(destinationRuleExportTo({ exportTo }, ns), ns))
                errors.push({
                    at: `${at}.exportTo`,
                    message: `hides the rule from the ingress gateway (namespace ${GATEWAY_NAMESPACE}), which sends requests to "${dr.host}" (${routed[0].at}): there its subsets answer 503 and its traffic policy does not apply. Add "${GATEWAY_NAMESPACE}", or leave exportTo out (the rule is then exported to "." and "${GATEWAY_NAMESPACE}")`,
                });
            const serviceNs = reach.form === "short" || reach.form === "kubernetes" ? reach.namespace : undefined;
            if (serviceNs && serviceNs !== "*" && serviceNs !== ns && !entry && !refused) {
                const subset = routed.find((x) => x.subset !== undefined);
                (subset ? errors : warnings).push({
                    at: `${at}.host`,
                    message: `"${dr.host}" is a Service of namespace "${serviceNs}", but the rule is in "${ns}": the ingress gateway looks for a host's DestinationRule in its own namespace, the Service's namespace and the root namespace, never in "${ns}", so ${subset ? `the route ${subset.at.replace(/\.host$/, "")} to subset "${subset.subset}" answers 503` : "requests the gateway sends there get none of its traffic policy"}. Put the rule in the app whose namespace is "${serviceNs}"`,
                });
            }
        });
        list(app.serviceEntries).forEach((raw, k) => {
            const se = record(raw);
            const at = `apps[${i}].serviceEntries[${k}]`;
            const hosts = strings(se.hosts);
            const covered = coveredBy(hosts);
            const routed = destinations.find((x) => covered(x.resolved));
            const exportTo = Array.isArray(se.exportTo) ? strings(se.exportTo) : undefined;
            if (routed && !visibleToGateway(exportTo, ns))
                errors.push({
                    at: `${at}.exportTo`,
                    message: `hides the entry from the ingress gateway (namespace ${GATEWAY_NAMESPACE}), which sends requests to it (${routed.at}): the gateway has no cluster for the host and answers 503. Add "${GATEWAY_NAMESPACE}", or leave exportTo out`,
                });
            if (!attached) return;
            list(se.hosts).forEach((h, j) => {
                if (typeof h !== "string") return;
                const reach = hostReach(h, ns);
                if ((reach.form === "kubernetes" || reach.form === "wildcard") && !own.includes(reach.namespace!))
                    errors.push({
                        at: `${at}.hosts[${j}]`,
                        message: `"${h}" is a cluster name in ${outside(reach.namespace!)}: a ServiceEntry for it would stand in for that namespace's Services wherever it is visible; ${attachedRule}`,
                    });
            });
            list(se.endpoints).forEach((e, j) => {
                const endpoint = record(e);
                const address = endpoint.address;
                // Two labels ("example.com") are not judged: DNS tries them as <service>.<namespace>
                // first, but most are public names. What keeps such an endpoint out of another
                // environment is that the gateway cannot speak mTLS to it (the two rules below).
                if (typeof address === "string" && !address.startsWith("unix://")) {
                    const reach = hostReach(address, ns);
                    if (reach.form === "short")
                        errors.push({
                            at: `${at}.endpoints[${j}].address`,
                            message: `"${address}" has no dot, so DNS resolves it in the namespace of whichever proxy calls it (${GATEWAY_NAMESPACE} for the ingress gateway); write the full name "${address}.${ns}.svc.cluster.local" or an external host`,
                        });
                    else if (
                        (reach.form === "kubernetes" || reach.form === "wildcard") &&
                        !own.includes(reach.namespace!)
                    )
                        errors.push({
                            at: `${at}.endpoints[${j}].address`,
                            message: `"${address}" reaches ${outside(reach.namespace!)}; ${attachedRule}`,
                        });
                }
                if (Object.keys(record(endpoint.labels)).includes(TLS_MODE_LABEL))
                    errors.push({
                        at: `${at}.endpoints[${j}].labels.${TLS_MODE_LABEL}`,
                        message: `makes every proxy that calls this endpoint, the shared ingress gateway among them, present its mesh identity to it (auto mTLS); every environment's apps admit the gateway's identity, and the address could be another environment's pod. Remove the label: an attached stack calls external endpoints without Istio mTLS`,
                    });
            });
            errors.push(...exportToProblems(se.exportTo, `${at}.exportTo`, own, "ServiceEntry"));
        });
    });
    return { errors, warnings };
}

/** The label that tells a calling proxy an endpoint speaks Istio mTLS (auto mTLS). */
export const TLS_MODE_LABEL = "security.istio.io/tlsMode";

function systemNamespaceMessage(host: string, ns: string, reserved: string): string {
    const observability = reserved.includes("observability add-ons");
    return `"${host}" reaches namespace "${ns}": ${reserved}, and a route on the Gateway would publish its Services through the ALB (the Kubernetes API, istiod's debug and xDS ports, DNS, consoles without a login). ${
        observability
            ? "Expose Kiali with eks-istio:observability.kiali.expose, which puts an allow list in front of it; keep the other add-ons behind kubectl port-forward"
            : "Route only to Services of the apps' own namespaces"
    }`;
}

/** "orders.product" → "orders.product.svc.cluster.local"; "orders.product.svc" → "orders.product.svc.cluster.local". */
function fullName(host: string): string {
    const h = host.replace(/\.$/, "");
    return /\.(svc|pod)$/.test(h) ? `${h}.cluster.local` : `${h}.svc.cluster.local`;
}

/**
 * In an attached stack's DestinationRule: client TLS that would make the shared gateway use what
 * is not the stack's own. ISTIO_MUTUAL towards a host that is not one of its namespaces' Services
 * presents the gateway's mesh identity to whatever the ServiceEntry points at (an IP can be another
 * environment's pod); credentialName names a Secret of the gateway's namespace, and certificate
 * paths name files of the gateway's pods, both the owner's.
 */
function gatewayCredentialProblems(dr: Record<string, unknown>, at: string, external: boolean): Finding[] {
    const out: Finding[] = [];
    const policies: [string, unknown][] = [[`${at}.trafficPolicy`, dr.trafficPolicy]];
    list(dr.subsets).forEach((s, k) => policies.push([`${at}.subsets[${k}].trafficPolicy`, record(s).trafficPolicy]));
    for (const [path, policy] of [...policies]) {
        list(record(policy).portLevelSettings).forEach((p, k) => policies.push([`${path}.portLevelSettings[${k}]`, p]));
    }
    for (const [path, policy] of policies) {
        const tls = record(record(policy).tls);
        if (external && tls.mode === "ISTIO_MUTUAL")
            out.push({
                at: `${path}.tls.mode`,
                message:
                    "ISTIO_MUTUAL towards a host outside this stack's namespaces makes the shared ingress gateway present its mesh identity, which every environment's apps admit, to whatever the ServiceEntry points at; an attached stack calls external hosts with SIMPLE TLS or none",
            });
        for (const key of ["credentialName", "clientCertificate", "privateKey"])
            if (tls[key] !== undefined)
                out.push({
                    at: `${path}.tls.${key}`,
                    message: `is read by the proxy that applies the rule, the shared ingress gateway among them, from ${key === "credentialName" ? `a Secret of its namespace (${GATEWAY_NAMESPACE})` : "a file of its own pod"}, which the owner stack holds; an attached stack cannot use it. Originate the client certificate in the app instead`,
                });
    }
    return out;
}

/**
 * An attached stack's explicit exportTo: "." and its own namespaces, plus the gateway's; never "*"
 * or another environment's namespace, where its rules would apply to that environment's callers.
 */
function exportToProblems(exportTo: unknown, at: string, own: string[], kind: string): Finding[] {
    if (!Array.isArray(exportTo)) return [];
    const allowed = [".", "~", ...own, GATEWAY_NAMESPACE];
    const fix = `an attached stack's ${kind} is seen by its own namespaces (".", ${own.map((n) => `"${n}"`).join(", ")}) and the ingress gateway ("${GATEWAY_NAMESPACE}") only; leave exportTo out to get exactly that`;
    if (exportTo.length === 0)
        return [{ at, message: `is empty, which Istio reads as every namespace of the cluster; ${fix}` }];
    return exportTo.flatMap((e, k) =>
        typeof e !== "string" || allowed.includes(e)
            ? []
            : [
                  {
                      at: `${at}[${k}]`,
                      message: `"${e}" exports the ${kind} to ${e === "*" ? "every namespace of the cluster" : `namespace "${e}", which is not one of this stack's`}; ${fix}`,
                  },
              ],
    );
}
