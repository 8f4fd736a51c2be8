// istiod's rules for a DestinationRule and the traffic policies it carries (its own, its subsets',
// and their port-level settings). Ports of istio/istio at 1.30.3:
//   pkg/config/validation/validation.go        ValidateDestinationRule, validateSubset,
//       validateTrafficPolicy, validatePortTrafficPolicies, validateOutlierDetection (with
//       ValidatePercent), validateConnectionPool, validateLoadBalancer (consistent hash, cookie
//       attributes, maglev, warmup), isPrime, validateTunnelSettings
//       (validateExportTo and validateWorkloadSelector are shared: primitives.ts)
//   pkg/config/validation/agent/validation.go  ValidateTLS (with credentials.ParseResourceName for
//       configmap://), ValidateLocalityLbSetting, validateLocalities, getLocalityParam
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
    validateTrafficPolicy(spec.trafficPolicy, namespace, ["spec", "trafficPolicy"], out);
    const names = new Set<string>();
    list(spec.subsets).forEach((s, i) => {
        if (!isObj(s)) return out.add(["spec", "subsets", i], "subset may not be null");
        const name = str(s.name);
        if (names.has(name)) out.add(["spec", "subsets", i, "name"], `duplicate subset names: ${name}`);
        names.add(name);
        validateSubset(s, namespace, ["spec", "subsets", i], out);
    });
    exportTo(spec.exportTo, namespace, ["spec", "exportTo"], out, { drWithSelector: spec.workloadSelector != null });
    if (isObj(spec.workloadSelector))
        workloadSelector(spec.workloadSelector.matchLabels, ["spec", "workloadSelector", "matchLabels"], out);
}

/** validateSubset: validateSubsetName, the labels, the traffic policy. */
function validateSubset(s: Obj, namespace: string, at: FieldPath, out: Issues) {
    const name = str(s.name);
    if (!isDns1123Label(name))
        out.add([...at, "name"], name ? `subset name is invalid: ${name}` : "subset name cannot be empty");
    for (const l of labelProblems(s.labels)) out.add([...at, "labels", l.key], l.message);
    validateTrafficPolicy(s.trafficPolicy, namespace, [...at, "trafficPolicy"], out);
}

/**
 * validateTrafficPolicy; with `portLevel`, the part of validatePortTrafficPolicies that checks one
 * port's policy (fewer fields, no port-level settings or tunnel of its own).
 */
export function validateTrafficPolicy(p: unknown, namespace: string, at: FieldPath, out: Issues, portLevel = false) {
    if (!isObj(p)) return;
    // istiod 1.30 counts retryBudget as a field of a traffic policy (not of a port's).
    const fields = portLevel
        ? ["outlierDetection", "connectionPool", "loadBalancer", "tls"]
        : [
              "outlierDetection",
              "connectionPool",
              "loadBalancer",
              "tls",
              "portLevelSettings",
              "tunnel",
              "proxyProtocol",
              "retryBudget",
          ];
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
    validateTLS(p.tls, namespace, [...at, "tls"], out);
    if (!portLevel) {
        validatePortTrafficPolicies(p.portLevelSettings, namespace, [...at, "portLevelSettings"], out);
        validateTunnelSettings(p.tunnel, [...at, "tunnel"], out);
    }
}

/** validatePortTrafficPolicies: each needs a port, and is a traffic policy of its own. */
function validatePortTrafficPolicies(settings: unknown, namespace: string, at: FieldPath, out: Issues) {
    list(settings).forEach((s, i) => {
        if (isObj(s) && s.port === undefined) out.add([...at, i], "portTrafficPolicy must have valid port");
        validateTrafficPolicy(s, namespace, [...at, i], out, true);
    });
}

/**
 * validateOutlierDetection: durations, local-origin failures only when they are split out, and both
 * percentages in 0..100 (ValidatePercent).
 */
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
    for (const k of ["maxEjectionPercent", "minHealthPercent"]) out.add([...at, k], percentProblem(o[k]));
}

/** ValidatePercent: an int32 percentage (0 when unset) in 0..100. */
function percentProblem(v: unknown): string | undefined {
    const n = typeof v === "number" ? v : 0;
    return n < 0 || n > 100 ? `percentage ${n} is not in range 0..100` : undefined;
}

/** validateConnectionPool: HTTP and TCP settings, their durations and the upgrade policy. */
function validateConnectionPool(c: unknown, at: FieldPath, out: Issues) {
    if (!isObj(c)) return;
    if (c.http === undefined && c.tcp === undefined) out.add(at, "connection pool must have at least one field");
    if (isObj(c.http)) {
        nonNegative(c.http, "http1MaxPendingRequests", "http1 max pending requests", [...at, "http"], out);
        nonNegative(c.http, "http2MaxRequests", "http2 max requests", [...at, "http"], out);
        nonNegative(c.http, "maxRequestsPerConnection", "max requests per connection", [...at, "http"], out);
        nonNegative(c.http, "maxRetries", "max retries", [...at, "http"], out);
        out.add([...at, "http", "idleTimeout"], durationProblem(c.http.idleTimeout));
        if (c.http.h2UpgradePolicy === "UPGRADE" && c.http.useClientProtocol === true)
            out.add([...at, "http"], "use client protocol must not be true when H2UpgradePolicy is UPGRADE");
        nonNegative(c.http, "maxConcurrentStreams", "max concurrent streams", [...at, "http"], out);
    }
    if (isObj(c.tcp)) {
        nonNegative(c.tcp, "maxConnections", "max connections", [...at, "tcp"], out);
        for (const k of ["connectTimeout", "maxConnectionDuration"])
            out.add([...at, "tcp", k], durationProblem(c.tcp[k]));
        // An idle timeout of 0 whole milliseconds ("0s") disables it: istiod skips the check then.
        const idle = goDurationNanos(str(c.tcp.idleTimeout));
        if ((idle ?? 0n) / 1_000_000n !== 0n)
            out.add([...at, "tcp", "idleTimeout"], durationProblem(c.tcp.idleTimeout));
        if (isObj(c.tcp.tcpKeepalive))
            for (const k of ["time", "interval"])
                out.add([...at, "tcp", "tcpKeepalive", k], durationProblem(c.tcp.tcpKeepalive[k]));
    }
}

/** validateConnectionPool's limits: an int32 count that is negative is refused ("max retries must be non-negative"). */
function nonNegative(settings: Obj, key: string, what: string, at: FieldPath, out: Issues) {
    const v = settings[key];
    if (typeof v === "number" && v < 0) out.add([...at, key], `${what} must be non-negative`);
}

/** validateLoadBalancer: consistent hash (cookie, ring size, maglev), locality, warmup. */
function validateLoadBalancer(lb: unknown, at: FieldPath, out: Issues) {
    if (!isObj(lb)) return;
    const ch = lb.consistentHash;
    if (isObj(ch)) {
        if (isObj(ch.httpCookie)) {
            if (!str(ch.httpCookie.name))
                out.add([...at, "consistentHash", "httpCookie"], "name required for HttpCookie");
            validateCookieAttributes(
                ch.httpCookie.attributes,
                [...at, "consistentHash", "httpCookie", "attributes"],
                out,
            );
        }
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
    validateLocalityLbSetting(lb.localityLbSetting, [...at, "localityLbSetting"], out);
    out.add([...at, "warmupDurationSecs"], durationProblem(lb.warmupDurationSecs));
    validateWarmup(lb.warmup, [...at, "warmup"], out);
}

/** validateLoadBalancer's cookie attributes: each named, no name twice. */
function validateCookieAttributes(attributes: unknown, at: FieldPath, out: Issues) {
    const names = new Set<string>();
    list(attributes).forEach((a, i) => {
        const name = isObj(a) ? str(a.name) : "";
        if (name === "") out.add([...at, i, "name"], "cookie attribute name cannot be empty");
        else if (names.has(name)) out.add([...at, i, "name"], `duplicate cookie attribute name: ${name}`);
        else names.add(name);
    });
}

/** validateLoadBalancer's warmup: a duration is required; minimumPercent at most 100; aggression at least 1. */
function validateWarmup(w: unknown, at: FieldPath, out: Issues) {
    if (!isObj(w)) return;
    if (w.duration == null) out.add([...at, "duration"], "duration is required");
    else out.add([...at, "duration"], durationProblem(w.duration));
    if (typeof w.minimumPercent === "number" && w.minimumPercent > 100)
        out.add([...at, "minimumPercent"], "minimumPercent value should be less than or equal to 100");
    if (typeof w.aggression === "number" && w.aggression < 1)
        out.add([...at, "aggression"], "aggression should be greater than or equal to 1");
}

/** isPrime, as istiod checks a maglev table size. */
function isPrime(x: number): boolean {
    if (x !== 0 && x < 4) return true;
    if (x % 2 === 0) return false;
    for (let f = 3; f <= Math.sqrt(x); f += 2) if (x % f === 0) return false;
    return true;
}

/** The topology labels ValidateLocalityLbSetting will not see in failoverPriority next to failover. */
const TOPOLOGY_LABELS = ["topology.kubernetes.io/region", "topology.kubernetes.io/zone", "topology.istio.io/subzone"];

/**
 * agent.ValidateLocalityLbSetting: distribute or failover, not both; failover not with a topology
 * label in failoverPriority; each distribute entry's weights in [1, 100] summing to 100, over
 * localities that do not overlap (validateLocalities); failover between two different regions.
 * Like istiod, it stops at the first weight problem.
 */
function validateLocalityLbSetting(l: unknown, at: FieldPath, out: Issues) {
    if (!isObj(l)) return;
    const distribute = list(l.distribute);
    const failover = list(l.failover);
    if (distribute.length > 0 && failover.length > 0)
        return out.add(at, "can not simultaneously specify 'distribute' and 'failover'");
    if (failover.length > 0) {
        const j = list(l.failoverPriority).findIndex((p) => TOPOLOGY_LABELS.includes(str(p)));
        if (j >= 0)
            return out.add(
                [...at, "failoverPriority", j],
                `can not simultaneously set 'failover' and topology label '${str(list(l.failoverPriority)[j])}' in 'failover_priority'`,
            );
    }
    for (const [i, d] of distribute.entries()) {
        const to = isObj(d) && isObj(d.to) ? d.to : {};
        let total = 0;
        for (const [locality, weight] of Object.entries(to)) {
            const w = typeof weight === "number" ? weight : 0;
            if (w <= 0 || w > 100)
                return out.add([...at, "distribute", i, "to", locality], "locality weight must be in range [1, 100]");
            total += w;
        }
        if (total !== 100) return out.add([...at, "distribute", i, "to"], `total locality weight ${total} != 100`);
        out.add([...at, "distribute", i, "to"], localitiesProblem(Object.keys(to)));
    }
    out.add([...at, "distribute"], localitiesProblem(distribute.map((d) => (isObj(d) ? str(d.from) : ""))));
    failover.forEach((f, i) => {
        const from = isObj(f) ? str(f.from) : "";
        const to = isObj(f) ? str(f.to) : "";
        if (from === to)
            out.add([...at, "failover", i], "locality lb failover settings must specify different regions");
        if (from.includes("/") || to.includes("/"))
            out.add([...at, "failover", i], "locality lb failover only specify region");
        if (from.includes("*") || to.includes("*"))
            out.add([...at, "failover", i], "locality lb failover region should not contain '*' wildcard");
    });
}

/**
 * agent.validateLocalities: "region[/zone[/subzone]]", at most one "*" and only at the end, no
 * empty part, and no locality that another one already covers.
 */
function localitiesProblem(localities: string[]): string | undefined {
    // region → zone → subzone → seen; "*" stands for "every one below".
    const seen = new Map<string, Map<string, Set<string>>>();
    const overlap = (l: string) => `locality ${l} overlap with previous specified ones`;
    for (const locality of localities) {
        const stars = locality.split("*").length - 1;
        if (stars > 1 || (stars === 1 && !locality.endsWith("*")))
            return `locality ${locality} wildcard '*' number can not exceed 1 and must be in the end`;
        if (seen.has("*")) return overlap(locality);
        const items = splitN(locality, "/", 3);
        if (items.some((x) => x === "")) return `locality ${locality} must not contain empty region/zone/subzone info`;
        const [region, zone, subzone] = items;
        const zones = seen.get(region);
        if (items.length === 1) {
            if (zones) return overlap(locality);
            seen.set(region, new Map([["*", new Set(["*"])]]));
        } else if (items.length === 2) {
            if (zones && (zones.has("*") || zones.has(zone))) return overlap(locality);
            if (zones) zones.set(zone, new Set(["*"]));
            else seen.set(region, new Map([[zone, new Set(["*"])]]));
        } else {
            if (zones?.has("*")) return overlap(locality);
            const subzones = zones?.get(zone);
            if (subzones && (subzones.has("*") || subzones.has(subzone))) return overlap(locality);
            if (subzones) subzones.add(subzone);
            else if (zones) zones.set(zone, new Set([subzone]));
            else seen.set(region, new Map([[zone, new Set([subzone])]]));
        }
    }
    return undefined;
}

/** Go's strings.SplitN(s, sep, n). */
function splitN(s: string, sep: string, n: number): string[] {
    const parts = s.split(sep);
    return parts.length <= n ? parts : [...parts.slice(0, n - 1), parts.slice(n - 1).join(sep)];
}

/**
 * agent.ValidateTLS: a configmap:// credentialName names the rule's own namespace; with
 * insecureSkipVerify, no CA certificates or SANs (nor, in SIMPLE, a credentialName); a credentialName
 * goes without certificates and keys; MUTUAL without one needs a client certificate and key.
 */
function validateTLS(tls: unknown, namespace: string, at: FieldPath, out: Issues) {
    if (!isObj(tls)) return;
    const credentialName = str(tls.credentialName);
    if (credentialName.startsWith("configmap://"))
        out.add([...at, "credentialName"], configMapCredentialProblem(credentialName, namespace));
    // Go: SubjectAltNames != nil. istiod decodes the object with jsonpb, which leaves a repeated
    // field nil when its JSON list is empty: `subjectAltNames: []` is not set.
    const sans = Array.isArray(tls.subjectAltNames) ? tls.subjectAltNames.length > 0 : tls.subjectAltNames != null;
    if (tls.insecureSkipVerify === true) {
        if (tls.mode === "SIMPLE" && (str(tls.caCertificates) || credentialName || sans))
            out.add(
                at,
                "cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true",
            );
        // In MUTUAL a credentialName may carry only the client's certificate: istiod cannot tell.
        if (tls.mode === "MUTUAL" && (str(tls.caCertificates) || sans))
            out.add(at, "cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true");
    }
    if (tls.mode !== "SIMPLE" && tls.mode !== "MUTUAL") return;
    if (credentialName) {
        if (str(tls.clientCertificate) || str(tls.caCertificates) || str(tls.privateKey) || str(tls.caCrl))
            out.add(at, "cannot specify client certificates or CA certificate or CA CRL If credentialName is set");
    } else if (tls.mode === "MUTUAL") {
        if (!str(tls.clientCertificate)) out.add(at, "client certificate required for mutual tls");
        if (!str(tls.privateKey)) out.add(at, "private key required for mutual tls");
    }
}

/** ValidateTLS on "configmap://<namespace>/<name>" (credentials.ParseResourceName): both parts, the rule's namespace. */
function configMapCredentialProblem(name: string, namespace: string): string | undefined {
    const [ns, cm] = name.slice("configmap://".length).split("/");
    const parse =
        cm === undefined
            ? "Expected namespace and name"
            : ns === ""
              ? "Expected namespace"
              : cm === ""
                ? "Expected name"
                : undefined;
    if (parse) return `invalid configmap:// credentialName: invalid resource name ${JSON.stringify(name)}. ${parse}`;
    return ns !== namespace
        ? `invalid configmap:// credentialName: namespace must match the configuration namespace ${JSON.stringify(namespace)}`
        : undefined;
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
