// istiod's rules for a VirtualService: its hosts and gateways, and each HTTP route as a whole. Ports
// of istio/istio at 1.30.3:
//   pkg/config/validation/validation.go      ValidateVirtualService (delegates, gateways, JWT claim
//       routes off a gateway, hosts: agent.ValidateWildcardDomain or, bound to a gateway,
//       agent.ValidateWildcardDomainForVirtualServiceBoundToGateway with isSniHost, the mesh-gateway
//       wildcard rule, duplicate hosts by host.Name.Matches, "http, tcp or tls", validateExportTo);
//       its gateway names, like its matches', by validateGatewayNames (primitives.ts)
//   pkg/config/validation/virtualservice.go  validateHTTPRoute, validateHTTPRouteConflict (with
//       getHTTPRouteType), validateHTTPRouteMatchRequest, validateAuthorityRewrite
// The rules for what a route does (destinations, redirect, retries, CORS, ...) are in httpRoute.ts;
// TLS and TCP routes in l4Route.ts.
import type { FieldPath } from "../crd";
import {
    validateCORSPolicy,
    validateDestination,
    validateHTTPDirectResponse,
    validateHTTPFaultInjection,
    validateHTTPMirrors,
    validateHTTPRedirect,
    validateHTTPRetry,
    validateHTTPRewrite,
    validateHTTPRouteDestinations,
    validateHeaderOperations,
    validateMirrorPercentage,
    validateStringMatch,
    validateStringMatchRegexp,
} from "./httpRoute";
import {
    durationProblem,
    entries,
    exportTo,
    gatewayHostProblem,
    hostsMatch,
    isAuthorityHeader,
    isDns1123Label,
    isIpAddress,
    isJwtClaimRoute,
    isObj,
    labelProblems,
    list,
    portProblem,
    routeHeaderNameProblem,
    str,
    wildcardDomainProblem,
    type Issues,
    type Obj,
    validateGatewayNames,
} from "./primitives";
import { validateTCPRoute, validateTLSRoute } from "./l4Route";

/** ValidateVirtualService, in istiod's order: delegate, gateways, JWT claims, hosts, routes, exportTo. */
export function validateVirtualService(spec: Obj, namespace: string, out: Issues) {
    const hosts = list(spec.hosts);
    const gateways = list(spec.gateways).map(str);
    // A VirtualService without hosts is a delegate: its routes are another one's, bound elsewhere.
    const delegate = hosts.length === 0;
    if (delegate) validateDelegate(spec, out);
    validateGatewayNames(spec.gateways, ["spec", "gateways"], out);
    // Bound to a gateway unless it names none (the mesh) or names "mesh" among them.
    const toGateway = gateways.length > 0 && !gateways.includes("mesh");
    if (!toGateway) validateJwtClaimRoutes(spec, gateways, out);
    validateVirtualServiceHosts(spec, toGateway, out);
    if (list(spec.http).length === 0 && list(spec.tcp).length === 0 && list(spec.tls).length === 0)
        out.add(["spec"], "http, tcp or tls must be provided in virtual service");
    list(spec.http).forEach((r, i) => {
        if (r === null) return out.add(["spec", "http", i], "http route may not be null");
        validateHTTPRoute(r, delegate, ["spec", "http", i], out);
    });
    list(spec.tls).forEach((r, i) => validateTLSRoute(r, spec, ["spec", "tls", i], out));
    list(spec.tcp).forEach((r, i) => validateTCPRoute(r, ["spec", "tcp", i], out));
    exportTo(spec.exportTo, namespace, ["spec", "exportTo"], out, {});
}

/** ValidateVirtualService on a delegate: no gateways, TLS or TCP routes of its own. */
function validateDelegate(spec: Obj, out: Issues) {
    if (list(spec.gateways).length)
        out.add(["spec", "gateways"], "delegate virtual service must have no gateways specified");
    if (list(spec.tls).length) out.add(["spec", "tls"], "delegate virtual service must have no tls route specified");
    if (list(spec.tcp).length) out.add(["spec", "tcp"], "delegate virtual service must have no tcp route specified");
}

/** ValidateVirtualService: JWT claim based routing works on a gateway only. */
function validateJwtClaimRoutes(spec: Obj, gateways: string[], out: Issues) {
    list(spec.http).forEach((r, i) =>
        list(isObj(r) ? r.match : undefined).forEach((m, j) => {
            if (!isObj(m)) return;
            for (const k of ["headers", "withoutHeaders"] as const)
                for (const [name] of entries(m[k]))
                    if (isJwtClaimRoute(name))
                        out.add(
                            ["spec", "http", i, "match", j, k, name],
                            `JWT claim based routing (key: ${name}) is only supported for gateway, found no gateways: [${gateways.join(" ")}]`,
                        );
        }),
    );
}

/** isSniHost: a TLS route matches on SNI hosts. */
const hasSniHosts = (spec: Obj) =>
    list(spec.tls).some((t) => isObj(t) && list(t.match).some((m) => isObj(m) && list(m.sniHosts).length > 0));

/**
 * ValidateVirtualService's hosts: each a wildcard domain (on a gateway with SNI routes, an
 * "outbound_.<port>_._.<host>" name too) or an IP, "*" not on the mesh gateway, and (when every
 * host is valid) no host covering another.
 */
function validateVirtualServiceHosts(spec: Obj, toGateway: boolean, out: Issues) {
    const hosts = list(spec.hosts).map(str);
    const sni = toGateway && hasSniHosts(spec);
    let allValid = true;
    hosts.forEach((h, i) => {
        const problem = toGateway ? gatewayHostProblem(sni, h) : wildcardDomainProblem(h);
        if (problem && !isIpAddress(h)) {
            out.add(["spec", "hosts", i], problem);
            allValid = false;
        } else if (!problem && !toGateway && h === "*") {
            out.add(
                ["spec", "hosts", i],
                "wildcard host * is not allowed for virtual services bound to the mesh gateway",
            );
            allValid = false;
        }
    });
    if (allValid)
        for (let i = 0; i < hosts.length; i++)
            for (let j = i + 1; j < hosts.length; j++)
                if (hostsMatch(hosts[i], hosts[j]))
                    out.add(["spec", "hosts", j], `duplicate hosts in virtual service: ${hosts[i]} & ${hosts[j]}`);
}

/** validateHTTPRoute: every rule of one route (of a delegate, or not), in istiod's order of fields. */
function validateHTTPRoute(r: unknown, delegate: boolean, at: FieldPath, out: Issues) {
    if (!isObj(r)) return;
    for (const conflict of validateHTTPRouteConflict(r, delegate)) out.add(at, conflict);
    validateHTTPRouteMatchRequest(r.match, [...at, "match"], out);
    validateHeaderOperations(r.headers, [...at, "headers"], out);
    out.add([...at, "headers"], validateAuthorityRewrite(r));
    validateCORSPolicy(r.corsPolicy, [...at, "corsPolicy"], out);
    validateHTTPFaultInjection(r.fault, [...at, "fault"], out);
    validateMirrorPercentage(r, at, out);
    validateDestination(r.mirror, [...at, "mirror"], out);
    validateHTTPMirrors(r.mirrors, [...at, "mirrors"], out);
    validateHTTPRedirect(r.redirect, [...at, "redirect"], out);
    validateHTTPRetry(r.retries, [...at, "retries"], out);
    validateHTTPRewrite(r.rewrite, [...at, "rewrite"], out);
    validateHTTPDirectResponse(r.directResponse, [...at, "directResponse"], out);
    validateHTTPRouteDestinations(r.route, [...at, "route"], out);
    out.add([...at, "timeout"], durationProblem(r.timeout));
}

/**
 * validateHTTPRouteConflict for a route that delegates (a root), a route of a delegate, or one that
 * is neither (getHTTPRouteType).
 */
function validateHTTPRouteConflict(r: Obj, delegate: boolean): string[] {
    const has = (k: string) => r[k] !== undefined && r[k] !== null;
    const routes = list(r.route).length > 0;
    if (!delegate && has("delegate"))
        return [
            ...(has("redirect") ? [`root HTTP route ${str(r.name)} must not specify redirect`] : []),
            ...(has("route") ? [`root HTTP route ${str(r.name)} must not specify route`] : []),
        ];
    const out: string[] = [];
    if (delegate && has("delegate")) out.push("delegate HTTP route cannot contain delegate");
    if (has("redirect")) {
        if (routes) out.push("HTTP route cannot contain both route and redirect");
        if (has("fault")) out.push("HTTP route cannot contain both fault and redirect");
        if (has("rewrite")) out.push("HTTP route rule cannot contain both rewrite and redirect");
        if (has("directResponse")) out.push("HTTP route rule cannot contain both direct_response and redirect");
    } else if (has("directResponse")) {
        if (routes) out.push("HTTP route cannot contain both route and direct_response");
        if (has("fault")) out.push("HTTP route cannot contain both fault and direct_response");
        if (has("rewrite")) out.push("HTTP route rule cannot contain both rewrite and direct_response");
    } else if (!routes) out.push("HTTP route, redirect or direct_response is required");
    if (has("mirror") && list(r.mirrors).length > 0) out.push("HTTP route cannot contain both mirror and mirrors");
    return out;
}

/**
 * validateHTTPRouteMatchRequest: header names (ValidateHTTPHeaderNameOrJwtClaimRoute) and string
 * matches, the port, source labels and source namespace of each match.
 */
function validateHTTPRouteMatchRequest(matches: unknown, at: FieldPath, out: Issues) {
    list(matches).forEach((m, j) => {
        if (!isObj(m)) return;
        const mp = [...at, j];
        for (const [name, sm] of entries(m.headers)) {
            if (sm === null) out.add([...mp, "headers", name], `header match ${name} cannot be null`);
            out.add([...mp, "headers", name], routeHeaderNameProblem(name));
            validateStringMatch(sm, "headers", [...mp, "headers", name], out);
        }
        for (const [name, sm] of entries(m.withoutHeaders)) {
            out.add([...mp, "withoutHeaders", name], routeHeaderNameProblem(name));
            // A regex of "*" is no RE2 here: Envoy reads it as "the header is present".
            if (!(isObj(sm) && sm.regex === "*"))
                validateStringMatch(sm, "withoutHeaders", [...mp, "withoutHeaders", name], out);
        }
        validateStringMatchRegexp(m.uri, "uri", [...mp, "uri"], out);
        for (const k of ["scheme", "method", "authority"] as const) validateStringMatch(m[k], k, [...mp, k], out);
        for (const [name, qp] of entries(m.queryParams))
            validateStringMatch(qp, "queryParams", [...mp, "queryParams", name], out);
        if (m.port !== undefined && m.port !== 0) out.add([...mp, "port"], portProblem(m.port));
        for (const l of labelProblems(m.sourceLabels)) out.add([...mp, "sourceLabels", l.key], l.message);
        validateGatewayNames(m.gateways, [...mp, "gateways"], out);
        if (typeof m.sourceNamespace === "string" && m.sourceNamespace !== "" && !isDns1123Label(m.sourceNamespace))
            out.add([...mp, "sourceNamespace"], `sourceNamespace match ${m.sourceNamespace} is invalid`);
    });
}

/** validateAuthorityRewrite: only one place (rewrite.authority, then request set, then add) may set it. */
function validateAuthorityRewrite(r: Obj): string | undefined {
    let current = isObj(r.rewrite) ? str(r.rewrite.authority) : "";
    const request = isObj(r.headers) && isObj(r.headers.request) ? r.headers.request : {};
    for (const op of ["set", "add"])
        for (const [k, v] of entries(request[op])) {
            if (!isAuthorityHeader(k)) continue;
            if (current !== "")
                return `authority header cannot be set multiple times: have ${JSON.stringify(current)}, attempting to set ${JSON.stringify(str(v))}`;
            current = str(v);
        }
    return undefined;
}
