// istiod's rules for a Gateway: its name, and each server's hosts, port and bind. Ports of istio/istio
// at 1.30.3:
//   pkg/config/validation/validation.go        ValidateGateway (the name, unique port names),
//       validateServer, validateServerPort, validateServerBind, ValidateProtocol
//   pkg/config/validation/agent/validation.go  ValidateNamespaceSlashWildcardHostname (isGateway),
//       ValidatePartialWildCard
// Servers' TLS settings (validateTLSOptions) are not checked here.
import type { FieldPath } from "../crd";
import {
    isDns1123Label,
    isIpAddress,
    isObj,
    list,
    portProblem,
    parseProtocol,
    str,
    unixAddressProblem,
    wildcardDomainProblem,
    type Issues,
    type Obj,
} from "./primitives";

/** ValidateGateway's name rule: a DNS-1123 label, no dots. */
export function validateGatewayName(name: unknown, out: Issues) {
    if (!isDns1123Label(str(name))) out.add(["metadata", "name"], `invalid gateway name: "${str(name)}"`);
}

/** ValidateGateway: at least one server, each valid, port names unique across servers. */
export function validateGateway(spec: Obj, out: Issues) {
    const servers = list(spec.servers);
    if (servers.length === 0) out.add(["spec", "servers"], "gateway must have at least one server");
    servers.forEach((s, i) => {
        if (!isObj(s)) return out.add(["spec", "servers", i], "cannot have nil server");
        validateServer(s, ["spec", "servers", i], out);
    });
    const portNames = new Set<string>();
    servers.forEach((s, i) => {
        if (!isObj(s)) return out.add(["spec", "servers", i], "server may not be nil");
        if (!isObj(s.port)) return;
        const name = str(s.port.name);
        if (portNames.has(name))
            out.add(
                ["spec", "servers", i, "port", "name"],
                `port names in servers must be unique: duplicate name ${name}`,
            );
        portNames.add(name);
    });
}

/** validateServer: hosts, then validateServerPort and validateServerBind. */
function validateServer(s: Obj, at: FieldPath, out: Issues) {
    const hosts = list(s.hosts).map(str);
    if (hosts.length === 0) out.add([...at, "hosts"], "server config must contain at least one host");
    hosts.forEach((host, j) => validateServerHost(host, [...at, "hosts", j], out));
    validateServerPort(s.port, str(s.bind), [...at, "port"], out);
    validateServerBind(str(s.bind), [...at, "bind"], out);
}

/** agent.ValidateNamespaceSlashWildcardHostname(host, isGateway=true), with ValidatePartialWildCard. */
function validateServerHost(host: string, at: FieldPath, out: Issues) {
    const slash = host.indexOf("/");
    const name = host.slice(slash + 1);
    if (slash >= 0) {
        const ns = host.slice(0, slash);
        if (ns === "" || name === "") out.add(at, "config namespace and dnsName in host entry cannot be empty");
        if (ns !== "*" && ns !== "." && !isDns1123Label(ns)) out.add(at, `invalid namespace value "${ns}" in gateway`);
    }
    if (name !== "*" && !name.includes(".")) out.add(at, "short names (non FQDN) are not allowed");
    if (!isIpAddress(name)) out.add(at, wildcardDomainProblem(name)); // a Gateway may name an IP
    if (name.includes("*") && name.length !== 1 && !name.startsWith("*."))
        out.add(at, `partial wildcard "${name}" not allowed`);
}

/** validateServerPort: a known protocol (ValidateProtocol), a number unless bound to a socket, a name. */
function validateServerPort(port: unknown, bind: string, at: FieldPath, out: Issues) {
    if (!isObj(port)) return out.add(at, "port is required");
    if (parseProtocol(port.protocol) === "UNSUPPORTED")
        out.add(
            [...at, "protocol"],
            `invalid protocol "${str(port.protocol)}", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP`,
        );
    if (Number(port.number) > 0 || !bind.startsWith("unix://")) out.add([...at, "number"], portProblem(port.number));
    if (Number(port.targetPort) > 0) out.add([...at, "targetPort"], "targetPort has no impact on Gateways");
    if (!str(port.name)) out.add([...at, "name"], "port name must be set");
}

/** validateServerBind: a unix socket (ValidateUnixAddress) or an IP (agent.ValidateIPAddress). */
function validateServerBind(bind: string, at: FieldPath, out: Issues) {
    if (bind.startsWith("unix://")) out.add(at, unixAddressProblem(bind.slice(7)));
    else if (bind !== "" && !isIpAddress(bind)) out.add(at, `${bind} is not a valid IP`);
}
