// istiod's rules for a DestinationRule and the traffic policies it carries (its own, its subsets',
// and their port-level settings). Ports of istio/istio at 1.30.3:
//   pkg/config/validation/validation.go        ValidateDestinationRule, validateSubset,
//       validateTrafficPolicy, validatePortTrafficPolicies, validateOutlierDetection,
//       validateConnectionPool, validateLoadBalancer, isPrime, validateTunnelSettings
//       (validateExportTo and validateWorkloadSelector are shared: primitives.ts)
//   pkg/config/validation/agent/validation.go  ValidateTLS, ValidateLocalityLbSetting (distribute
//       and failover together)
import type { FieldPath } from "../crd";
import {
    durationProblem,
    exportTo,
    fqdnProblem,
    goDurationNanos,
    isDns1123Label,
    isIpAddress,
    isObj,
    labelProblems,
    list,
    portProblem,
    str,
    wildcardDomainProblem,
    workloadSelector,
    type Issues,
    type Obj,
} from "./primitives";

/** ValidateDestinationRule: host, traffic policy, subsets, exportTo and workload selector. */
export function validateDestinationRule(spec: Obj, namespace: string, out: Issues) {
    out.add(["spec", "host"], wildcardDomainProblem(str(spec.host)));
    validateTrafficPolicy(spec.trafficPolicy, ["spec", "trafficPolicy"], out);
    const names = new Set<string>();
    list(spec.subsets).forEach((s, i) => {
        if (!isObj(s)) return out.add(["spec", "subsets", i], "subset may not be null");
        const name = str(s.name);
        if (names.has(name)) out.add(["spec", "subsets", i, "name"], `duplicate subset names: ${name}`);
        names.add(name);
        validateSubset(s, ["spec", "subsets", i], out);
    });
    exportTo(spec.exportTo, namespace, ["spec", "exportTo"], out, { drWithSelector: spec.workloadSelector != null });
    if (isObj(spec.workloadSelector))
        workloadSelector(spec.workloadSelector.matchLabels, ["spec", "workloadSelector", "matchLabels"], out);
}

/** validateSubset: validateSubsetName, the labels, the traffic policy. */
function validateSubset(s: Obj, at: FieldPath, out: Issues) {
    const name = str(s.name);
    if (!isDns1123Label(name))
        out.add([...at, "name"], name ? `subset name is invalid: ${name}` : "subset name cannot be empty");
    for (const l of labelProblems(s.labels)) out.add([...at, "labels", l.key], l.message);
    validateTrafficPolicy(s.trafficPolicy, [...at, "trafficPolicy"], out);
}

/**
 * validateTrafficPolicy; with `portLevel`, the part of validatePortTrafficPolicies that checks one
 * port's policy (fewer fields, no port-level settings or tunnel of its own).
 */
export function validateTrafficPolicy(p: unknown, at: FieldPath, out: Issues, portLevel = false) {
    if (!isObj(p)) return;
    const fields = portLevel
        ? ["outlierDetection", "connectionPool", "loadBalancer", "tls"]
        : ["outlierDetection", "connectionPool", "loadBalancer", "tls", "portLevelSettings", "tunnel", "proxyProtocol"];
    if (!fields.some((f) => p[f] !== undefined))
        return out.add(
            at,
            portLevel
                ? "port traffic policy must have at least one field"
                : "traffic policy must have at least one field",
        );
    if (p.tunnel !== undefined && p.proxyProtocol !== undefined)
        return out.add(at, "tunnel and proxyProtocol must not be set together");
    validateOutlierDetection(p.outlierDetection, [...at, "outlierDetection"], out);
    validateConnectionPool(p.connectionPool, [...at, "connectionPool"], out);
    validateLoadBalancer(p.loadBalancer, [...at, "loadBalancer"], out);
    validateTLS(p.tls, [...at, "tls"], out);
    if (!portLevel) {
        validatePortTrafficPolicies(p.portLevelSettings, [...at, "portLevelSettings"], out);
        validateTunnelSettings(p.tunnel, [...at, "tunnel"], out);
    }
}

/** validatePortTrafficPolicies: each needs a port, and is a traffic policy of its own. */
function validatePortTrafficPolicies(settings: unknown, at: FieldPath, out: Issues) {
    list(settings).forEach((s, i) => {
        if (isObj(s) && s.port === undefined) out.add([...at, i], "portTrafficPolicy must have valid port");
        validateTrafficPolicy(s, [...at, i], out, true);
    });
}

/** validateOutlierDetection: durations, and local-origin failures only when they are split out. */
function validateOutlierDetection(o: unknown, at: FieldPath, out: Issues) {
    if (!isObj(o)) return;
    for (const k of ["baseEjectionTime", "interval"]) out.add([...at, k], durationProblem(o[k]));
    if (
        !o.splitExternalLocalOriginErrors &&
        typeof o.consecutiveLocalOriginFailures === "number" &&
        o.consecutiveLocalOriginFailures > 0
    )
        out.add(
            at,
            "outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false",
        );
}

/** validateConnectionPool: HTTP and TCP settings, their durations and the upgrade policy. */
function validateConnectionPool(c: unknown, at: FieldPath, out: Issues) {
    if (!isObj(c)) return;
    if (c.http === undefined && c.tcp === undefined) out.add(at, "connection pool must have at least one field");
    if (isObj(c.http)) {
        out.add([...at, "http", "idleTimeout"], durationProblem(c.http.idleTimeout));
        if (c.http.h2UpgradePolicy === "UPGRADE" && c.http.useClientProtocol === true)
            out.add([...at, "http"], "use client protocol must not be true when H2UpgradePolicy is UPGRADE");
    }
    if (isObj(c.tcp)) {
        for (const k of ["connectTimeout", "maxConnectionDuration"])
            out.add([...at, "tcp", k], durationProblem(c.tcp[k]));
        // A TCP idle timeout under 1ms ("0s") disables it: istiod skips the check then.
        const idle = goDurationNanos(str(c.tcp.idleTimeout));
        if ((idle ?? 0n) >= 1_000_000n) out.add([...at, "tcp", "idleTimeout"], durationProblem(c.tcp.idleTimeout));
        if (isObj(c.tcp.tcpKeepalive))
            for (const k of ["time", "interval"])
                out.add([...at, "tcp", "tcpKeepalive", k], durationProblem(c.tcp.tcpKeepalive[k]));
    }
}

/** validateLoadBalancer: consistent hash (cookie, ring size, maglev), warmup, locality (ValidateLocalityLbSetting). */
function validateLoadBalancer(lb: unknown, at: FieldPath, out: Issues) {
    if (!isObj(lb)) return;
    const ch = lb.consistentHash;
    if (isObj(ch)) {
        if (isObj(ch.httpCookie) && !str(ch.httpCookie.name))
            out.add([...at, "consistentHash", "httpCookie"], "name required for HttpCookie");
        if (
            typeof ch.minimumRingSize === "number" &&
            ch.minimumRingSize !== 0 &&
            (ch.ringHash !== undefined || ch.maglev !== undefined)
        )
            out.add([...at, "consistentHash"], "only one of MinimumRingSize or Maglev/Ringhash can be specified");
        if (isObj(ch.maglev)) {
            const t = Number(ch.maglev.tableSize ?? 0);
            const mp = [...at, "consistentHash", "maglev", "tableSize"];
            if (t === 0) out.add(mp, "tableSize must be set for maglev");
            if (t >= 5000011) out.add(mp, "tableSize must be less than 5000011 for maglev");
            if (!isPrime(t)) out.add(mp, "tableSize must be a prime number for maglev");
        }
    }
    out.add([...at, "warmupDurationSecs"], durationProblem(lb.warmupDurationSecs));
    if (
        isObj(lb.localityLbSetting) &&
        list(lb.localityLbSetting.distribute).length &&
        list(lb.localityLbSetting.failover).length
    )
        out.add([...at, "localityLbSetting"], "can not simultaneously specify 'distribute' and 'failover'");
}

/** isPrime, as istiod checks a maglev table size. */
function isPrime(x: number): boolean {
    if (x !== 0 && x < 4) return true;
    if (x % 2 === 0) return false;
    for (let f = 3; f <= Math.sqrt(x); f += 2) if (x % f === 0) return false;
    return true;
}

/** agent.ValidateTLS for SIMPLE and MUTUAL: what may go with insecureSkipVerify and credentialName. */
function validateTLS(tls: unknown, at: FieldPath, out: Issues) {
    if (!isObj(tls) || (tls.mode !== "SIMPLE" && tls.mode !== "MUTUAL")) return;
    if (
        tls.insecureSkipVerify === true &&
        tls.mode === "SIMPLE" &&
        (str(tls.caCertificates) || str(tls.credentialName) || tls.subjectAltNames !== undefined)
    )
        out.add(
            at,
            "cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true",
        );
    if (
        str(tls.credentialName) &&
        (str(tls.clientCertificate) || str(tls.caCertificates) || str(tls.privateKey) || str(tls.caCrl))
    )
        out.add(at, "cannot specify client certificates or CA certificate or CA CRL If credentialName is set");
    else if (!str(tls.credentialName) && tls.mode === "MUTUAL") {
        if (!str(tls.clientCertificate)) out.add(at, "client certificate required for mutual tls");
        if (!str(tls.privateKey)) out.add(at, "private key required for mutual tls");
    }
}

/** validateTunnelSettings: the protocol, and a target host and port to reach. */
function validateTunnelSettings(t: unknown, at: FieldPath, out: Issues) {
    if (!isObj(t)) return;
    if (t.protocol !== undefined && t.protocol !== "CONNECT" && t.protocol !== "POST")
        out.add([...at, "protocol"], 'tunnel protocol must be "CONNECT" or "POST"');
    const host = str(t.targetHost);
    const fqdn = fqdnProblem(host);
    if (fqdn && !isIpAddress(host))
        out.add(
            [...at, "targetHost"],
            `tunnel target host must be valid FQDN or IP address: ${fqdn}; ${host} is not a valid IP`,
        );
    const port = portProblem(t.targetPort ?? 0);
    if (port) out.add([...at, "targetPort"], `tunnel target port is invalid: ${port}`);
}
