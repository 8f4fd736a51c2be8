// istiod's rules for a VirtualService: its hosts, and each HTTP route as a whole. Ports of istio/istio
// at 1.30.3:
//   pkg/config/validation/validation.go      ValidateVirtualService (hosts: agent.ValidateWildcardDomain,
//       the mesh-gateway wildcard rule, duplicate hosts by host.Name.Matches; validateExportTo)
//   pkg/config/validation/virtualservice.go  validateHTTPRoute, validateHTTPRouteConflict (with
//       getHTTPRouteType), validateHTTPRouteMatchRequest, validateAuthorityRewrite
// The rules for what a route does (destinations, redirect, retries, CORS, ...) are in httpRoute.ts.
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
    validateStringMatch,
    validateStringMatchRegexp,
} from "./httpRoute";
import {
    durationProblem,
    entries,
    exportTo,
    hostsMatch,
    isAuthorityHeader,
    isDns1123Label,
    isIpAddress,
    isObj,
    labelProblems,
    list,
    portProblem,
    routeHeaderNameProblem,
    str,
    wildcardDomainProblem,
    type Issues,
    type Obj,
} from "./primitives";

/** ValidateVirtualService: its hosts, every HTTP route, and exportTo. */
export function validateVirtualService(spec: Obj, namespace: string, out: Issues) {
    validateVirtualServiceHosts(spec, out);
    list(spec.http).forEach((r, i) => validateHTTPRoute(r, ["spec", "http", i], out));
    exportTo(spec.exportTo, namespace, ["spec", "exportTo"], out, {});
}

/**
 * ValidateVirtualService's hosts: each a wildcard domain or an IP, "*" not on the mesh gateway, and
 * (when every host is valid) no host covering another.
 */
function validateVirtualServiceHosts(spec: Obj, out: Issues) {
    const hosts = list(spec.hosts).map(str);
    const gateways = list(spec.gateways).map(str);
    const toMesh = gateways.length === 0 || gateways.includes("mesh");
    let allValid = true;
    hosts.forEach((h, i) => {
        const problem = wildcardDomainProblem(h);
        if (problem && !isIpAddress(h)) {
            out.add(["spec", "hosts", i], problem);
            allValid = false;
        } else if (!problem && toMesh && h === "*") {
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

/** validateHTTPRoute: every rule of one route, in istiod's order of fields. */
function validateHTTPRoute(r: unknown, at: FieldPath, out: Issues) {
    if (!isObj(r)) return;
    for (const conflict of validateHTTPRouteConflict(r)) out.add(at, conflict);
    validateHTTPRouteMatchRequest(r.match, [...at, "match"], out);
    validateHeaderOperations(r.headers, [...at, "headers"], out);
    out.add([...at, "headers"], validateAuthorityRewrite(r));
    validateCORSPolicy(r.corsPolicy, [...at, "corsPolicy"], out);
    validateHTTPFaultInjection(r.fault, [...at, "fault"], out);
    validateDestination(r.mirror, [...at, "mirror"], out);
    validateHTTPMirrors(r.mirrors, [...at, "mirrors"], out);
    validateHTTPRedirect(r.redirect, [...at, "redirect"], out);
    validateHTTPRetry(r.retries, [...at, "retries"], out);
    validateHTTPRewrite(r.rewrite, [...at, "rewrite"], out);
    validateHTTPDirectResponse(r.directResponse, [...at, "directResponse"], out);
    validateHTTPRouteDestinations(r.route, [...at, "route"], out);
    out.add([...at, "timeout"], durationProblem(r.timeout));
}

/** validateHTTPRouteConflict for a route that delegates (a root) or one that does not. */
function validateHTTPRouteConflict(r: Obj): string[] {
    const has = (k: string) => r[k] !== undefined && r[k] !== null;
    const routes = list(r.route).length > 0;
    if (has("delegate"))
        return [
            ...(has("redirect") ? [`root HTTP route ${str(r.name)} must not specify redirect`] : []),
            ...(has("route") ? [`root HTTP route ${str(r.name)} must not specify route`] : []),
        ];
    const out: string[] = [];
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
