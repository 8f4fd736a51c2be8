// istiod's rules for the TLS and TCP routes of a VirtualService. The program writes HTTP routes only,
// so no stack config reaches these; they are here because the validator judges any object it is
// given as istiod would (Istio's own tests replay them: tests/istioUpstream.spec.ts). Ports of
// istio/istio at 1.30.3, pkg/config/validation/validation.go:
//   validateTLSRoute, validateTLSMatch, validateSniHost (with host.Name.SubsetOf), validateTCPRoute,
//   validateTCPMatch, validateRouteDestinations
import type { FieldPath } from "../crd";
import { validateDestination } from "./httpRoute";
import {
    gatewayHostProblem,
    ipSubnetProblem,
    isIpAddress,
    isObj,
    labelProblems,
    list,
    portProblem,
    str,
    wildcardDomainProblem,
    type Issues,
    type Obj,
    validateGatewayNames,
} from "./primitives";

/** validateTLSRoute: at least one match, each checked, and destinations. */
export function validateTLSRoute(r: unknown, spec: Obj, at: FieldPath, out: Issues) {
    if (!isObj(r)) return;
    const matches = list(r.match);
    if (matches.length === 0) out.add([...at, "match"], "TLS route must have at least one match condition");
    matches.forEach((m, i) => validateTLSMatch(m, spec, [...at, "match", i], out));
    if (list(r.route).length === 0) out.add([...at, "route"], "TLS route is required");
    validateRouteDestinations(r.route, [...at, "route"], out);
}

/** validateTLSMatch: SNI hosts, destination subnets, port, source labels and gateways. */
function validateTLSMatch(m: unknown, spec: Obj, at: FieldPath, out: Issues) {
    if (!isObj(m)) return out.add(at, "TLS match may not be null");
    const sniHosts = list(m.sniHosts).map(str);
    if (sniHosts.length === 0) out.add([...at, "sniHosts"], "TLS match must have at least one SNI host");
    sniHosts.forEach((h, i) => out.add([...at, "sniHosts", i], sniHostProblem(h, spec)));
    validateL4Match(m, at, out);
}

/** validateTCPMatch and the tail of validateTLSMatch: subnets, port, source labels, gateways. */
function validateL4Match(m: Obj, at: FieldPath, out: Issues) {
    list(m.destinationSubnets).forEach((s, i) => out.add([...at, "destinationSubnets", i], ipSubnetProblem(str(s))));
    if (m.port !== undefined && m.port !== 0) out.add([...at, "port"], portProblem(m.port));
    for (const l of labelProblems(m.sourceLabels)) out.add([...at, "sourceLabels", l.key], l.message);
    validateGatewayNames(m.gateways, [...at, "gateways"], out);
}

/** host.Name.SubsetOf: `n` is `o`, or under its wildcard. */
function subsetOf(n: string, o: string): boolean {
    const [nw, ow] = [n.startsWith("*"), o.startsWith("*")];
    if (nw) return ow && n.length >= o.length && n.slice(1).endsWith(o.slice(1));
    return ow ? n.endsWith(o.slice(1)) : n === o;
}

/**
 * validateSniHost: a domain (on a gateway, an auto-generated SNI name too; an IP only warns) that is a
 * subset of one of the VirtualService's hosts. istiod asks isGateway here: no "mesh" among the
 * gateways, even when there are none.
 */
function sniHostProblem(sniHost: string, spec: Obj): string | undefined {
    const gateways = list(spec.gateways).map(str);
    const problem = gateways.includes("mesh") ? wildcardDomainProblem(sniHost) : gatewayHostProblem(true, sniHost);
    if (problem) return isIpAddress(sniHost) ? undefined : problem;
    const hosts = list(spec.hosts).map(str);
    return hosts.some((h) => subsetOf(sniHost, h))
        ? undefined
        : `SNI host ${JSON.stringify(sniHost)} is not a compatible subset of any of the virtual service hosts: [${hosts.join(", ")}]`;
}

/** validateTCPRoute: each match, and destinations. */
export function validateTCPRoute(r: unknown, at: FieldPath, out: Issues) {
    if (!isObj(r)) return;
    list(r.match).forEach((m, i) => {
        if (!isObj(m)) return out.add([...at, "match", i], "tcp match may not be nil");
        validateL4Match(m, [...at, "match", i], out);
    });
    if (list(r.route).length === 0) out.add([...at, "route"], "TCP route is required");
    validateRouteDestinations(r.route, [...at, "route"], out);
}

/** validateRouteDestinations: each destination and weight; weights may not all be 0. */
function validateRouteDestinations(route: unknown, at: FieldPath, out: Issues) {
    let total = 0;
    const destinations = list(route);
    destinations.forEach((d, i) => {
        if (!isObj(d)) return out.add([...at, i], "weight may not be nil");
        if (d.destination == null) out.add([...at, i], "destination is required");
        validateDestination(d.destination, [...at, i, "destination"], out);
        const weight = typeof d.weight === "number" ? d.weight : 0;
        if (weight < 0) out.add([...at, i, "weight"], `weight ${weight} < 0`);
        total += weight;
    });
    if (destinations.length > 1 && total === 0) out.add(at, "total destination weight = 0");
}
