// istiod's rules for a ServiceEntry: hosts, addresses, ports, and the endpoints each resolution
// allows. Ports of istio/istio at 1.30.3, pkg/config/validation/validation.go:
//   ValidateServiceEntry (split here by its parts: selector, hosts, addresses, ports, the NONE,
//   STATIC and DNS / DNS_ROUND_ROBIN cases, hosts with non-HTTP ports), ValidateAlphaWorkloadSelector,
//   validateWorkloadEntry (a STATIC endpoint), ValidatePortName
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

/** ValidateServiceEntry (validation.go), endpoints as validateWorkloadEntry checks them. */
export function validateServiceEntry(spec: Obj, namespace: string, out: Issues) {
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
    if (endpoints.length === 0)
        hosts.forEach((h, i) => {
            if (fqdnProblem(h))
                out.add(
                    ["spec", "hosts", i],
                    `hosts must be FQDN if no endpoints are provided for resolution mode ${resolution}`,
                );
        });
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

/** Several hosts that are resolved need HTTP or TLS ports: istiod cannot tell them apart otherwise. */
function validateMultipleHostPorts(ports: unknown, out: Issues) {
    for (const [i, p] of list(ports).entries()) {
        if (!isObj(p)) {
            out.add(["spec", "ports", i], "ports cannot be nil");
            continue;
        }
        const proto = str(p.protocol).toUpperCase();
        if (!HTTP_PROTOCOLS.has(proto) && !TLS_PROTOCOLS.has(proto)) {
            out.add(["spec", "ports"], "multiple hosts provided with non-HTTP, non-TLS ports");
            break;
        }
    }
}
