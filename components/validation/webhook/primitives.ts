// The ground floor of istiod's webhook rules: the checks every kind shares. Ports of istio/istio at
// 1.30.3:
//   pkg/config/validation/agent/validation.go  CheckDNS1123Preconditions, ValidateDNS1123Labels,
//       ValidateFQDN, ValidateWildcardDomain, ValidateIPAddress, ValidateIPSubnet, ValidatePort,
//       ValidateDuration
//   pkg/config/labels/instance.go              IsDNS1123Label, IsWildcardDNS1123Label,
//       Instance.Validate (validateTagKey)
//   pkg/config/validation/validation.go        validateStringRegexp, ValidateUnixAddress,
//       ValidateCORSHTTPHeaderName, ValidateHTTPHeaderNameOrJwtClaimRoute, ValidateHTTPHeaderValue,
//       validateExportTo (with pkg/config/visibility Instance.Validate), validateWorkloadSelector /
//       ValidateAlphaWorkloadSelector (the label rules they share)
//   pkg/config/validation/virtualservice.go    isInternalHeader, isAuthorityHeader
//   pkg/config/validation/header_value_validator.go  validateHeaderValue
//   pkg/jwt/routing.go                         ToRoutingClaim
//   pkg/config/host/name.go                    Name.Matches
// and Go's net/netip (ParseAddr, ParsePrefix) and time.ParseDuration where istiod leans on them.
// Regexes are compiled with re2js, a port of Go's regexp (RE2): Istio compiles them with Go, and
// Envoy runs them with RE2, so lookarounds and backreferences, which JavaScript's RegExp accepts,
// are refused here too. This file imports no kind; every kind imports it.
import type { CrdIssue, FieldPath } from "../crd";
import { compileRe2 } from "../re2";

export type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);
export const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const entries = (v: unknown): [string, unknown][] => (isObj(v) ? Object.entries(v) : []);
export const str = (v: unknown): string => (typeof v === "string" ? v : "");

/** What a kind's rules collect: a problem at a path inside the object; an undefined one is none. */
export class Issues {
    readonly list: CrdIssue[] = [];
    add(path: FieldPath, message: string | undefined) {
        if (message) this.list.push({ path, message });
    }
}

// ---- DNS names (agent/validation.go, pkg/config/labels) ----------------------------------------

const DNS1123_LABEL = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
/** labels.IsDNS1123Label. */
export const isDns1123Label = (s: string) => s.length <= 63 && DNS1123_LABEL.test(s);
/** labels.IsWildcardDNS1123Label. */
const isWildcardDns1123Label = (s: string) =>
    s.length <= 63 && /^(?:\*|(?:\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)$/.test(s);

/** agent.CheckDNS1123Preconditions. */
function dns1123Preconditions(name: string): string | undefined {
    if (name.length > 255) return `domain name "${name.slice(0, 40)}…" too long (max 255)`;
    if (name.length === 0) return "empty domain name not allowed";
    return undefined;
}

/** agent.ValidateDNS1123Labels. */
function dns1123Labels(domain: string): string | undefined {
    const parts = domain.split(".");
    const tld = parts[parts.length - 1];
    if (/^[+-]?\d+$/.test(tld))
        return `domain name "${domain}" invalid (top level domain "${tld}" cannot be all-numeric)`;
    for (let i = 0; i < parts.length; i++) {
        if (i === parts.length - 1 && parts[i] === "") return undefined;
        if (!isDns1123Label(parts[i])) return `domain name "${domain}" invalid (label "${parts[i]}" invalid)`;
    }
    return undefined;
}

/** agent.ValidateFQDN. */
export function fqdnProblem(fqdn: string): string | undefined {
    return dns1123Preconditions(fqdn) ?? dns1123Labels(fqdn);
}

/** agent.ValidateWildcardDomain: a host, "*" or "*.example.com"; no scheme, port or path. */
export function wildcardDomainProblem(domain: string): string | undefined {
    const pre = dns1123Preconditions(domain);
    if (pre) return pre;
    const dot = domain.indexOf(".");
    const first = dot < 0 ? domain : domain.slice(0, dot);
    if (!isWildcardDns1123Label(first)) return `domain name "${domain}" invalid (label "${first}" invalid)`;
    return dot < 0 ? undefined : dns1123Labels(domain.slice(dot + 1));
}

/** Istio's host.Name.Matches: equal, or covered by a wildcard. */
export function hostsMatch(a: string, b: string): boolean {
    const aw = a.startsWith("*");
    const bw = b.startsWith("*");
    if (aw && bw) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
    if (aw) return b.endsWith(a.slice(1));
    if (bw) return a.endsWith(b.slice(1));
    return a === b;
}

// ---- addresses and ports (netip, agent/validation.go, validation.go) ---------------------------

/** netip.ParseAddr (agent.ValidateIPAddress): dotted quads without leading zeros, or IPv6. */
export function isIpAddress(s: string): boolean {
    const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
    if (v4) return v4.slice(1).every((o) => Number(o) <= 255 && (o === "0" || !o.startsWith("0")));
    if (!s.includes(":") || s.includes("%")) return false;
    const [head, tail, ...more] = s.split("::"); // tail is undefined without "::"
    if (more.length) return false;
    const groups = (x: string | undefined) => (x ? x.split(":") : []);
    const all = [...groups(head), ...groups(tail)];
    const last = all[all.length - 1] ?? "";
    // A last group with dots must be a dotted quad; any other group is 1-4 hex digits.
    const embedded4 = isIpAddress(last);
    const hex = embedded4 ? all.slice(0, -1) : all;
    if (!hex.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
    const n = hex.length + (embedded4 ? 2 : 0);
    return tail === undefined ? n === 8 : n < 8;
}

/** netip.ParsePrefix: an address and a prefix length in range, without leading zeros. */
export function isCidr(s: string): boolean {
    const [addr, bits, ...rest] = s.split("/");
    if (rest.length || bits === undefined || !/^(0|[1-9]\d*)$/.test(bits) || !isIpAddress(addr)) return false;
    return Number(bits) <= (addr.includes(":") ? 128 : 32);
}

/** agent.ValidateIPSubnet: an address or a CIDR block. */
export function ipSubnetProblem(s: string): string | undefined {
    if (s.split("/").length === 2) return isCidr(s) ? undefined : `${s} is not a valid CIDR block`;
    return isIpAddress(s) ? undefined : `${s} is not a valid IP`;
}

/** agent.ValidatePort. */
export const portProblem = (p: unknown) =>
    typeof p === "number" && p >= 1 && p <= 65535
        ? undefined
        : `port number ${String(p)} must be in the range 1..65535`;

/** ValidateUnixAddress: an abstract socket ("@…") or an absolute path to a file. */
export function unixAddressProblem(addr: string): string | undefined {
    if (addr === "") return "unix address must not be empty";
    if (addr.startsWith("@")) return undefined;
    return addr.startsWith("/") && !addr.endsWith("/") ? undefined : `${addr} is not an absolute path to a file`;
}

// ---- labels and selectors (pkg/config/labels, validation.go) ------------------------------------

/** Kubernetes label keys and values, as labels.Instance.Validate checks them. */
export function labelProblems(labels: unknown): { key: string; message: string }[] {
    const out: { key: string; message: string }[] = [];
    for (const [k, v] of entries(labels)) {
        const slash = k.lastIndexOf("/");
        const name = k.slice(slash + 1);
        const prefix = k.slice(0, Math.max(slash, 0));
        if (k.split("/").length > 2 || name.length > 63 || !/^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(name))
            out.push({ key: k, message: `invalid tag key: "${k}"` });
        else if (slash >= 0 && (prefix.length > 253 || fqdnProblem(prefix)))
            out.push({ key: k, message: `invalid tag key: "${k}" (invalid domain prefix "${prefix}")` });
        const value = str(v);
        if (value.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(value))
            out.push({
                key: k,
                message: `invalid tag value: "${value.length > 40 ? `${value.slice(0, 39)}…` : value}"`,
            });
    }
    return out;
}

/** The label rules of validateWorkloadSelector and ValidateAlphaWorkloadSelector: no empty key, no wildcard. */
export function workloadSelector(labels: unknown, at: FieldPath, out: Issues) {
    for (const [k, v] of entries(labels)) {
        if (k === "") out.add([...at, k], `empty key is not supported in selector: "=${str(v)}"`);
        if (k.includes("*") || str(v).includes("*"))
            out.add([...at, k], `wildcard is not supported in selector: "${k}=${str(v)}"`);
    }
}

/** validateExportTo: "." is the object's own namespace, so "." and that namespace are duplicates. */
export function exportTo(
    values: unknown,
    namespace: string,
    at: FieldPath,
    out: Issues,
    kind: { serviceEntry?: boolean; drWithSelector?: boolean },
) {
    const all = list(values).map(str);
    const set = new Set<string>();
    all.forEach((e, i) => {
        const key = e === "." ? namespace : e;
        if (set.has(key))
            out.add(
                [...at, i],
                key === e
                    ? `duplicate entries in exportTo for entry ${e}`
                    : `duplicate entries in exportTo: . and current namespace ${namespace}`,
            );
        else if (kind.serviceEntry && e === "~") set.add(key);
        else {
            // visibility.Instance.Validate; an entry it refuses is not remembered.
            const problem =
                key === "~"
                    ? "exportTo ~ (none) is not allowed for Istio configuration objects"
                    : key === "*" || isDns1123Label(key)
                      ? undefined
                      : "only .,*,~, or a valid DNS 1123 label is allowed as exportTo entry";
            if (problem) out.add([...at, i], problem);
            else set.add(key);
        }
    });
    if (kind.drWithSelector && set.size > 0) {
        if (!set.has(namespace))
            out.add(at, "destination rule with workload selector cannot have exportTo beyond current namespace");
        else if (set.size > 1)
            out.add(at, "destination rule with workload selector cannot have multiple entries in exportTo");
    }
    if (set.has("*") && all.length > 1)
        out.add(at, "cannot have both public (*) and non-public exportTo values for a resource");
    if (set.has("~") && all.length > 1) out.add(at, "cannot export service entry to no one (~) and someone");
}

// ---- durations and regexes (agent/validation.go, validation.go) --------------------------------

/** agent.ValidateDuration: at least 1ms, in whole milliseconds. */
export function durationProblem(d: unknown): string | undefined {
    if (typeof d !== "string") return undefined;
    const ns = goDurationNanos(d);
    if (ns === undefined) return undefined; // the CRD's CEL rule reports it
    if (ns < 1_000_000n) return "duration must be greater than 1ms";
    if (ns % 1_000_000n !== 0n) return "only durations to ms precision are supported";
    return undefined;
}

const UNIT_NS: Record<string, bigint> = {
    ns: 1n,
    us: 1000n,
    µs: 1000n,
    ms: 1_000_000n,
    s: 1_000_000_000n,
    m: 60_000_000_000n,
    h: 3_600_000_000_000n,
};
/** Go's time.ParseDuration, in nanoseconds; undefined where Go refuses the text. */
export function goDurationNanos(d: string): bigint | undefined {
    if (d === "0") return 0n;
    const re = /(\d*)(?:\.(\d*))?(ns|us|µs|ms|s|m|h)/y;
    let total = 0n;
    let i = 0;
    while (i < d.length) {
        re.lastIndex = i;
        const m = re.exec(d);
        if (!m || (m[1] === "" && !m[2])) return undefined;
        const unit = UNIT_NS[m[3]];
        total += BigInt(m[1]) * unit; // BigInt("") is 0n: ".5s"
        if (m[2]) total += (BigInt(m[2]) * unit) / 10n ** BigInt(m[2].length);
        i = re.lastIndex;
    }
    return total;
}

/** validateStringRegexp: Go's regexp.Compile (RE2 syntax) and Istio's length limit. */
export function regexProblem(re: string, where: string): string | undefined {
    if (re === "") return `"${where}": regex string match should not be empty`;
    if (Buffer.byteLength(re) > 1024) return `"${where}": regex is too large, max length allowed is 1024`;
    try {
        compileRe2(re);
        return undefined;
    } catch (e) {
        return `"${where}": ${(e as Error).message}; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)`;
    }
}

// ---- header names and values (validation.go, virtualservice.go, header_value_validator.go) ------

// RFC 7230 tchars, as istiod writes the class: "+-." there is a range, so a comma passes too.
const VALID_HEADER = /^[!#$%&'*+,\-.^_`|~A-Za-z0-9]+$/;
/** ValidateCORSHTTPHeaderName: a token ("*" is one). */
export const headerNameProblem = (name: string) =>
    name === ""
        ? "header name cannot be empty"
        : VALID_HEADER.test(name)
          ? undefined
          : `header name ${name} is not a valid header name`;
const PSEUDO_HEADERS = new Set([":method", ":scheme", ":authority", ":path", ":status"]);
/** jwt.ToRoutingClaim: "@request.auth.claims.a.b" or "@request.auth.claims[a][b]". */
function isJwtClaimRoute(name: string): boolean {
    if (!name.toLowerCase().startsWith("@request.auth.claims")) return false;
    const rest = name.slice("@request.auth.claims".length);
    return (rest.startsWith(".") && rest.length > 1) || (rest.startsWith("[") && rest.endsWith("]") && rest.length > 2);
}
/** ValidateHTTPHeaderNameOrJwtClaimRoute: a token, a pseudo header or a JWT claim. */
export const routeHeaderNameProblem = (name: string) =>
    isJwtClaimRoute(name) || PSEUDO_HEADERS.has(name) ? undefined : headerNameProblem(name);
/** isInternalHeader (virtualservice.go). */
export const isInternalHeader = (h: string) => h.startsWith(":") || h.toLowerCase() === "host";
/** isAuthorityHeader (virtualservice.go). */
export const isAuthorityHeader = (h: string) => h.toLowerCase() === ":authority" || h.toLowerCase() === "host";

/**
 * ValidateHTTPHeaderValue: no control characters but tab, then istiod's port of Envoy's header
 * formatter parser (header_value_validator.go): "%%" is a literal %, "%NAME%" and
 * "%NAME(args)%" / "%NAME(["a", "b"])%" are variables.
 */
export function headerValueProblem(value: string): string | undefined {
    // Control characters but tab, read in place: a hostile value of megabytes is not spread into an array.
    for (let i = 0; i < value.length; i++) {
        const c = value.charCodeAt(i);
        if ((c < 0x20 && c !== 0x09) || c === 0x7f) return `header value configuration ${value} is invalid`;
    }
    const fail = (m: string) => `header value configuration: invalid header configuration. ${m}`;
    let state: "literal" | "name" | "array" | "delimiter" | "quote" | "string" | "argsEnd" | "varEnd" = "literal";
    for (let pos = 0; pos < value.length; pos++) {
        const ch = value[pos];
        const hasNext = pos + 1 < value.length;
        switch (state) {
            case "literal":
                if (ch !== "%") break;
                if (!hasNext) return fail("Un-escaped %");
                if (value[pos + 1] === "%") pos++;
                else state = "name";
                break;
            case "name":
                if (ch === "%") state = "literal";
                else if (ch === "(") state = "array";
                break;
            case "array":
                if (ch === "[") state = "quote";
                else if (ch !== " ") state = "string";
                break;
            case "delimiter":
                if (ch === ",") state = "quote";
                else if (ch === "]") state = "argsEnd";
                else if (ch !== " ") return fail("Expecting ',', ']', or whitespace");
                break;
            case "quote":
                if (ch === '"') state = "string";
                else if (ch !== " ") return fail(`Expecting '"'`);
                break;
            case "string":
                if (ch === "\\") {
                    if (!hasNext) return fail("Un-terminated backslash in JSON string");
                    pos++;
                } else if (ch === ")") state = "varEnd";
                else if (ch === '"') state = "delimiter";
                break;
            case "argsEnd":
                if (ch === ")") state = "varEnd";
                else if (ch !== " ") return fail("Expecting ')' or whitespace after '{}', but found '{}'");
                break;
            case "varEnd":
                if (ch === "%") state = "literal";
                else if (ch !== " ") return fail("Expecting '%' or whitespace after");
                break;
        }
    }
    return state === "literal" ? undefined : fail(`Un-terminated variable expression '${value}'`);
}
