// istiod's rules for a ServiceEntry: hosts, addresses, ports, and the endpoints each resolution
// allows. Ports of istio/istio at 1.30.3, pkg/config/validation/validation.go:
//   ValidateServiceEntry (split here by its parts: selector, hosts, addresses, ports, the NONE,
//   STATIC, DNS / DNS_ROUND_ROBIN and DYNAMIC_DNS cases, hosts with non-HTTP ports),
//   ValidateAlphaWorkloadSelector, validateWorkloadEntry (a STATIC endpoint), ValidatePortName,
//   ValidateProtocol (protocol.Parse), usesWaypoint
// with agent.ValidateWildcardDomain, agent.ValidateFQDN, agent.ValidateIPSubnet, agent.ValidatePort,
// ValidateUnixAddress, labels.Instance.Validate and validateExportTo from primitives.ts.
import type { FieldPath } from "../crd";
import {
    entries,
    exportTo,
    fqdnProblem,
    ipSubnetProblem,
    isDns1123Label,
    isIpAddress,
    isObj,
    labelProblems,
    list,
    parseProtocol,
    portProblem,
    str,
    unixAddressProblem,
    wildcardDomainProblem,
    workloadSelector,
    type Issues,
    type Obj,
} from "./primitives";

const HTTP_PROTOCOLS = new Set(["HTTP", "HTTP2", "GRPC", "GRPC-WEB", "HTTP_PROXY"]);
const TLS_PROTOCOLS = new Set(["HTTPS", "TLS"]);
/** The protocols Envoy's dynamic forward proxy serves (DYNAMIC_DNS). */
const DYNAMIC_DNS_PROTOCOLS = new Set(["HTTP", "TLS", "GRPC", "HTTP2"]);

/**
 * ValidateServiceEntry (validation.go), endpoints as validateWorkloadEntry checks them; `labels` are
 * the object's (a waypoint changes what DYNAMIC_DNS allows).
 */
export function validateServiceEntry(spec: Obj, namespace: string, labels: unknown, out: Issues) {
    // ValidateAlphaWorkloadSelector. istiod reports a bad selector alone and stops there; the rest
    // is judged all the same, so that one run names every reason it would refuse the entry for.
    if (isObj(spec.workloadSelector)) {
        workloadSelector(spec.workloadSelector.labels, ["spec", "workloadSelector", "labels"], out);
        if (spec.endpoints !== undefined && spec.endpoints !== null)
            out.add(["spec", "endpoints"], "only one of WorkloadSelector or Endpoints is allowed in Service Entry");
    }
    const hosts = list(spec.hosts).map(str);
    if (hosts.length === 0) out.add(["spec", "hosts"], "service entry must have at least one host");
    hosts.forEach((h, i) => out.add(["spec", "hosts", i], h === "*" ? `invalid host ${h}` : wildcardDomainProblem(h)));
    const resolution = str(spec.resolution) || "NONE";
    validateServiceEntryAddresses(spec.addresses, resolution, out);
    const portNames = validateServiceEntryPorts(spec.ports, out);
    const endpoints = list(spec.endpoints);
    if (resolution === "NONE" && endpoints.length)
        out.add(["spec", "endpoints"], "no endpoints should be provided for resolution type none");
    if (resolution === "STATIC") validateStaticEndpoints(endpoints, portNames, out);
    if (resolution === "DNS" || resolution === "DNS_ROUND_ROBIN")
        validateDnsResolution(hosts, endpoints, resolution, portNames, out);
    if (resolution === "DYNAMIC_DNS") validateDynamicDnsResolution(spec, hosts, labels, out);
    if (resolution !== "NONE" && hosts.length > 1) validateMultipleHostPorts(spec.ports, out);
    exportTo(spec.exportTo, namespace, ["spec", "exportTo"], out, { serviceEntry: true });
}

/** Addresses are IPs or CIDR blocks (agent.ValidateIPSubnet); a block only for NONE or STATIC. */
function validateServiceEntryAddresses(values: unknown, resolution: string, out: Issues) {
    const addresses = list(values).map(str);
    addresses.forEach((a, i) => out.add(["spec", "addresses", i], ipSubnetProblem(a)));
    if (addresses.some((a) => a.includes("/")) && resolution !== "NONE" && resolution !== "STATIC")
        out.add(["spec", "addresses"], "CIDR addresses are allowed only for NONE/STATIC resolution types");
}

/** The ports: unique names and numbers, valid names (ValidatePortName) and numbers. Returns the names. */
function validateServiceEntryPorts(ports: unknown, out: Issues): Set<string> {
    const names = new Set<string>();
    const numbers = new Set<number>();
    list(ports).forEach((p, i) => {
        if (!isObj(p)) return out.add(["spec", "ports", i], "service entry port may not be null");
        const name = str(p.name);
        if (names.has(name)) out.add(["spec", "ports", i, "name"], `service entry port name "${name}" already defined`);
        if (numbers.has(Number(p.number)))
            out.add(["spec", "ports", i, "number"], `service entry port ${String(p.number)} already defined`);
        names.add(name);
        numbers.add(Number(p.number));
        if (typeof p.targetPort === "number" && p.targetPort !== 0)
            out.add(["spec", "ports", i, "targetPort"], portProblem(p.targetPort));
        if (!isDns1123Label(name)) out.add(["spec", "ports", i, "name"], `invalid port name: ${name}`);
        const protocol = str(p.protocol);
        if (protocol !== "" && parseProtocol(protocol) === "UNSUPPORTED")
            out.add(["spec", "ports", i, "protocol"], `unsupported protocol: ${protocol}`);
        out.add(["spec", "ports", i, "number"], portProblem(p.number));
    });
    return names;
}

/** An endpoint's ports: each named by a service port, with a valid name and number. */
function validateEndpointPorts(e: Obj, portNames: Set<string>, at: FieldPath, out: Issues) {
    for (const [name, port] of entries(e.ports)) {
        if (!portNames.has(name))
            out.add([...at, "ports", name], `endpoint port ${String(port)} is not defined by the service entry`);
        if (!isDns1123Label(name)) out.add([...at, "ports", name], `invalid port name: ${name}`);
        out.add([...at, "ports", name], portProblem(port));
    }
}

/** An endpoint's labels (labels.Instance.Validate). */
function validateEndpointLabels(e: Obj, at: FieldPath, out: Issues) {
    for (const l of labelProblems(e.labels)) out.add([...at, "labels", l.key], l.message);
}

/** STATIC: each endpoint as validateWorkloadEntry checks it (an IP or a unix socket). */
function validateStaticEndpoints(endpoints: unknown[], portNames: Set<string>, out: Issues) {
    endpoints.forEach((e, i) => {
        const at: FieldPath = ["spec", "endpoints", i];
        if (!isObj(e)) return out.add(at, "endpoint cannot be nil");
        const addr = str(e.address);
        // An endpoint on another network may leave its address to the east-west gateway.
        if (addr === "" && !str(e.network)) return out.add([...at, "address"], "address is required");
        const unix = addr.startsWith("unix://");
        if (unix) {
            out.add([...at, "address"], unixAddressProblem(addr.slice(7)));
            if (entries(e.ports).length) out.add([...at, "ports"], `unix endpoint ${addr} must not include ports`);
        } else if (addr !== "" && !isIpAddress(addr))
            out.add([...at, "address"], `endpoint address "${addr}" is not a valid IP address`);
        validateEndpointPorts(e, portNames, at, out);
        validateEndpointLabels(e, at, out);
        if (unix && portNames.size !== 1)
            out.add([...at, "address"], "exactly 1 service port required for unix endpoints");
    });
}

/** DNS and DNS_ROUND_ROBIN: FQDN hosts without endpoints, at most one endpoint for round robin. */
function validateDnsResolution(
    hosts: string[],
    endpoints: unknown[],
    resolution: string,
    portNames: Set<string>,
    out: Issues,
) {
    // istiod names the first host that is no FQDN.
    const i = endpoints.length === 0 ? hosts.findIndex((h) => fqdnProblem(h)) : -1;
    if (i >= 0)
        out.add(
            ["spec", "hosts", i],
            `hosts must be FQDN or contain only prefix wildcards if no endpoints are provided for resolution mode ${resolution}, ${fqdnProblem(hosts[i])}`,
        );
    if (resolution === "DNS_ROUND_ROBIN" && endpoints.length > 1)
        out.add(["spec", "endpoints"], "there must only be 0 or 1 endpoint for resolution mode DNS_ROUND_ROBIN");
    endpoints.forEach((e, i) => {
        const at: FieldPath = ["spec", "endpoints", i];
        if (!isObj(e)) return out.add(at, "endpoint cannot be nil");
        const addr = str(e.address);
        if (!isIpAddress(addr) && fqdnProblem(addr))
            out.add([...at, "address"], `endpoint address "${addr}" is not a valid FQDN or an IP address`);
        validateEndpointLabels(e, at, out);
        validateEndpointPorts(e, portNames, at, out);
    });
}

/**
 * DYNAMIC_DNS (Envoy's dynamic forward proxy resolves each request's host): wildcard hosts only, no
 * addresses or endpoints, HTTP, TLS, GRPC or HTTP2 ports, and not MESH_INTERNAL behind a waypoint.
 */
function validateDynamicDnsResolution(spec: Obj, hosts: string[], labels: unknown, out: Issues) {
    const mode = "DYNAMIC_DNS";
    if (hosts.length === 0)
        out.add(["spec", "hosts"], `at least one wildcard host must be provided for resolution type ${mode}`);
    hosts.forEach((h, i) => {
        if (!h.startsWith("*")) out.add(["spec", "hosts", i], `host must be wildcarded for resolution mode ${mode}`);
    });
    // istiod's messages join two sentences without a space ("generatedfrom", "hostsfield").
    if (list(spec.addresses).length)
        out.add(
            ["spec", "addresses"],
            `addresses cannot be set for resolution type ${mode}. HTTP route domains will only be generatedfrom the hosts field values`,
        );
    if (list(spec.endpoints).length)
        out.add(
            ["spec", "endpoints"],
            `endpoints cannot be set for resolution type ${mode}. Destination IP address determined from hostsfield values`,
        );
    list(spec.ports).forEach((p, i) => {
        if (!isObj(p)) return out.add(["spec", "ports", i], "port cannot be nil");
        if (!DYNAMIC_DNS_PROTOCOLS.has(parseProtocol(p.protocol)))
            out.add(
                ["spec", "ports", i, "protocol"],
                `only HTTP, TLS, GRPC, and HTTP2 protocols are supported for resolution type ${mode}`,
            );
    });
    const location = str(spec.location) || "MESH_EXTERNAL";
    if (location !== "MESH_EXTERNAL" && location !== "MESH_INTERNAL")
        out.add(["spec", "location"], `location must be MESH_EXTERNAL or MESH_INTERNAL for resolution type ${mode}`);
    if (location === "MESH_INTERNAL" && usesWaypoint(labels))
        out.add(
            ["spec", "location"],
            `location MESH_INTERNAL with resolution type ${mode} is not supported when using waypoints`,
        );
}

/** usesWaypoint: the istio.io/use-waypoint label names a waypoint (not "none"). */
function usesWaypoint(labels: unknown): boolean {
    const v = isObj(labels) ? str(labels["istio.io/use-waypoint"]) : "";
    return v !== "" && v.toLowerCase() !== "none";
}

/** Several hosts that are resolved need HTTP or TLS ports: istiod cannot tell them apart otherwise. */
function validateMultipleHostPorts(ports: unknown, out: Issues) {
    for (const [i, p] of list(ports).entries()) {
        if (!isObj(p)) {
            out.add(["spec", "ports", i], "ports cannot be nil");
            continue;
        }
        const proto = parseProtocol(p.protocol);
        if (!HTTP_PROTOCOLS.has(proto) && !TLS_PROTOCOLS.has(proto)) {
            out.add(["spec", "ports"], "multiple hosts provided with non-HTTP, non-TLS ports");
            break;
        }
    }
}
