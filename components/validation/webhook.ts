// What istiod's validating webhook says about an Istio object, beyond its CRD: the rules of
// istio/istio pkg/config/validation (validation.go, virtualservice.go, agent/validation.go) that
// this program's objects can reach, ported with istiod's own messages. Regexes are compiled with
// re2js, a port of Go's regexp (RE2): Istio compiles them with Go, and Envoy runs them with RE2,
// so lookarounds and backreferences, which JavaScript's RegExp accepts, are refused here too.
import type { CrdIssue, FieldPath } from "./crd";
import { compileRe2 } from "./re2";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const entries = (v: unknown): [string, unknown][] => (isObj(v) ? Object.entries(v) : []);
const str = (v: unknown): string => (typeof v === "string" ? v : "");

// ---- primitives (agent/validation.go, pkg/config/labels) ---------------------------------------

const DNS1123_LABEL = /^[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?$/;
export const isDns1123Label = (s: string) => s.length <= 63 && DNS1123_LABEL.test(s);
const isWildcardDns1123Label = (s: string) =>
    s.length <= 63 && /^(?:\*|(?:\*|\*-)?[a-zA-Z0-9](?:[-a-zA-Z0-9]*[a-zA-Z0-9])?)$/.test(s);

function dns1123Preconditions(name: string): string | undefined {
    if (name.length > 255) return `domain name "${name.slice(0, 40)}…" too long (max 255)`;
    if (name.length === 0) return "empty domain name not allowed";
    return undefined;
}

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

/** netip.ParseAddr: dotted quads without leading zeros, or IPv6. */
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
function ipSubnetProblem(s: string): string | undefined {
    if (s.split("/").length === 2) return isCidr(s) ? undefined : `${s} is not a valid CIDR block`;
    return isIpAddress(s) ? undefined : `${s} is not a valid IP`;
}

const portProblem = (p: unknown) =>
    typeof p === "number" && p >= 1 && p <= 65535
        ? undefined
        : `port number ${String(p)} must be in the range 1..65535`;

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
function goDurationNanos(d: string): bigint | undefined {
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

/** Go's regexp.Compile (RE2 syntax) and Istio's length limit. */
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

// RFC 7230 tchars, as istiod writes the class: "+-." there is a range, so a comma passes too.
const VALID_HEADER = /^[!#$%&'*+,\-.^_`|~A-Za-z0-9]+$/;
/** ValidateCORSHTTPHeaderName: a token ("*" is one). */
const headerNameProblem = (name: string) =>
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
const routeHeaderNameProblem = (name: string) =>
    isJwtClaimRoute(name) || PSEUDO_HEADERS.has(name) ? undefined : headerNameProblem(name);
const isInternalHeader = (h: string) => h.startsWith(":") || h.toLowerCase() === "host";
const isAuthorityHeader = (h: string) => h.toLowerCase() === ":authority" || h.toLowerCase() === "host";

/**
 * ValidateHTTPHeaderValue: no control characters but tab, then istiod's port of Envoy's header
 * formatter parser (header_value_validator.go): "%%" is a literal %, "%NAME%" and
 * "%NAME(args)%" / "%NAME(["a", "b"])%" are variables.
 */
function headerValueProblem(value: string): string | undefined {
    const control = (c: string) => (c < " " && c !== "\t") || c === "\x7f";
    if ([...value].some(control)) return `header value configuration ${value} is invalid`;
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

const SUPPORTED_METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE"]);
const RETRY_ON = new Set([
    "5xx",
    "gateway-error",
    "reset",
    "reset-before-request",
    "connect-failure",
    "retriable-4xx",
    "refused-stream",
    "retriable-status-codes",
    "retriable-headers",
    "envoy-ratelimited",
    "http3-post-connect-failure",
    "cancelled",
    "deadline-exceeded",
    "internal",
    "resource-exhausted",
    "unavailable",
]);
const GRPC_STATUS = new Set([
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
]);
/** Status codes Go's http.StatusText knows (retryOn accepts them). */
const HTTP_STATUS = new Set([
    100, 101, 102, 103, 200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 307, 308, 400,
    401, 402, 403, 404, 405, 406, 407, 408, 409, 410, 411, 412, 413, 414, 415, 416, 417, 418, 421, 422, 423, 424, 425,
    426, 428, 429, 431, 451, 500, 501, 502, 503, 504, 505, 506, 507, 508, 510, 511,
]);

/** Istio's host.Name.Matches: equal, or covered by a wildcard. */
export function hostsMatch(a: string, b: string): boolean {
    const aw = a.startsWith("*");
    const bw = b.startsWith("*");
    if (aw && bw) return a.length < b.length ? b.slice(1).endsWith(a.slice(1)) : a.slice(1).endsWith(b.slice(1));
    if (aw) return b.endsWith(a.slice(1));
    if (bw) return a.endsWith(b.slice(1));
    return a === b;
}

// ---- per kind ---------------------------------------------------------------------------------

class Issues {
    readonly list: CrdIssue[] = [];
    add(path: FieldPath, message: string | undefined) {
        if (message) this.list.push({ path, message });
    }
}

function destination(d: unknown, at: FieldPath, out: Issues) {
    if (!isObj(d)) return;
    const host = str(d.host);
    out.add([...at, "host"], host === "*" ? `invalid destination host ${host}` : wildcardDomainProblem(host));
    // An empty subset is an unset one (proto3): istiod checks the name only when there is one.
    const subset = str(d.subset);
    if (subset !== "" && !isDns1123Label(subset)) out.add([...at, "subset"], `subset name is invalid: ${subset}`);
    // A port selector without a number is port 0 to istiod.
    if (isObj(d.port)) out.add([...at, "port", "number"], portProblem(d.port.number ?? 0));
}

function stringMatchRegex(m: unknown, where: string, at: FieldPath, out: Issues) {
    if (isObj(m) && typeof m.regex === "string") out.add([...at, "regex"], regexProblem(m.regex, where));
}

/** validateStringMatch: an empty prefix matches nothing Envoy accepts (uri alone may have one). */
function stringMatch(m: unknown, where: string, at: FieldPath, out: Issues) {
    if (isObj(m) && m.prefix === "") out.add([...at, "prefix"], `"${where}": prefix string match should not be empty`);
    stringMatchRegex(m, where, at, out);
}

function headerOps(h: unknown, at: FieldPath, out: Issues) {
    if (!isObj(h)) return;
    for (const side of ["request", "response"] as const) {
        const ops = h[side];
        if (!isObj(ops)) continue;
        for (const op of ["add", "set"] as const)
            for (const [name, value] of entries(ops[op])) {
                const p = [...at, side, op, name];
                if (name === "") out.add(p, "header name cannot be empty");
                else if (
                    side === "request" ? isInternalHeader(name) && !isAuthorityHeader(name) : isInternalHeader(name)
                )
                    out.add(
                        p,
                        name.toLowerCase() === "host"
                            ? `invalid header "${name}": cannot set Host header`
                            : `invalid header "${name}": header cannot have ":" prefix`,
                    );
                out.add(p, headerValueProblem(str(value)));
            }
        list(ops.remove).forEach((name, i) => {
            const n = str(name);
            const p = [...at, side, "remove", i];
            if (n === "") out.add(p, "header name cannot be empty");
            else if (n.toLowerCase() === "host") out.add(p, `invalid header "${n}": cannot set Host header`);
            else if (isInternalHeader(n)) out.add(p, `invalid header "${n}": header cannot have ":" prefix`);
        });
    }
}

/** validateAuthorityRewrite: only one place (rewrite.authority, then request set, then add) may set it. */
function authorityRewriteProblem(r: Obj): string | undefined {
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

function httpRoute(r: unknown, at: FieldPath, out: Issues) {
    if (!isObj(r)) return;
    for (const conflict of routeConflicts(r)) out.add(at, conflict);
    list(r.match).forEach((m, j) => {
        if (!isObj(m)) return;
        const mp = [...at, "match", j];
        for (const [name, sm] of entries(m.headers)) {
            out.add([...mp, "headers", name], routeHeaderNameProblem(name));
            stringMatch(sm, "headers", [...mp, "headers", name], out);
        }
        for (const [name, sm] of entries(m.withoutHeaders)) {
            out.add([...mp, "withoutHeaders", name], routeHeaderNameProblem(name));
            // A regex of "*" is no RE2 here: Envoy reads it as "the header is present".
            if (!(isObj(sm) && sm.regex === "*"))
                stringMatch(sm, "withoutHeaders", [...mp, "withoutHeaders", name], out);
        }
        stringMatchRegex(m.uri, "uri", [...mp, "uri"], out);
        for (const k of ["scheme", "method", "authority"] as const) stringMatch(m[k], k, [...mp, k], out);
        for (const [name, qp] of entries(m.queryParams))
            stringMatch(qp, "queryParams", [...mp, "queryParams", name], out);
        if (m.port !== undefined && m.port !== 0) out.add([...mp, "port"], portProblem(m.port));
        for (const l of labelProblems(m.sourceLabels)) out.add([...mp, "sourceLabels", l.key], l.message);
        if (typeof m.sourceNamespace === "string" && m.sourceNamespace !== "" && !isDns1123Label(m.sourceNamespace))
            out.add([...mp, "sourceNamespace"], `sourceNamespace match ${m.sourceNamespace} is invalid`);
    });
    headerOps(r.headers, [...at, "headers"], out);
    out.add([...at, "headers"], authorityRewriteProblem(r));

    if (isObj(r.corsPolicy)) {
        const c = r.corsPolicy;
        list(c.allowOrigins).forEach((o, i) => {
            const value = isObj(o) ? str(o.exact ?? o.prefix ?? o.regex) : "";
            if (value === "")
                out.add(
                    [...at, "corsPolicy", "allowOrigins", i],
                    `'' is not a valid match type for CORS allow origins`,
                );
            stringMatchRegex(o, "corsPolicy.allowOrigins", [...at, "corsPolicy", "allowOrigins", i], out);
        });
        list(c.allowMethods).forEach((m, i) =>
            out.add(
                [...at, "corsPolicy", "allowMethods", i],
                SUPPORTED_METHODS.has(str(m)) ? undefined : `"${str(m)}" is not a supported HTTP method`,
            ),
        );
        for (const k of ["allowHeaders", "exposeHeaders"] as const)
            list(c[k]).forEach(
                (h, i) => out.add([...at, "corsPolicy", k, i], headerNameProblem(str(h))), // "*" is a token
            );
        out.add([...at, "corsPolicy", "maxAge"], durationProblem(c.maxAge));
        const ns = goDurationNanos(str(c.maxAge));
        if (ns !== undefined && ns % 1_000_000_000n !== 0n)
            out.add([...at, "corsPolicy", "maxAge"], "max_age duration is accurate only to seconds precision");
    }
    if (isObj(r.fault)) {
        const { abort, delay } = r.fault;
        if (abort === undefined && delay === undefined)
            out.add([...at, "fault"], "HTTP fault injection must have an abort and/or a delay");
        for (const [k, v] of [
            ["abort", abort],
            ["delay", delay],
        ] as const)
            if (isObj(v) && isObj(v.percentage)) {
                const p = Number(v.percentage.value);
                if (p < 0 || p > 100 || (p > 0 && p < 0.0001))
                    out.add(
                        [...at, "fault", k, "percentage", "value"],
                        `percentage ${p} is neither 0.0, nor in range [0.0001, 100.0]`,
                    );
            }
        if (isObj(abort)) {
            if (abort.http2Error !== undefined)
                out.add([...at, "fault", "abort", "http2Error"], "HTTP/2 abort fault injection not supported yet");
            if (abort.grpcStatus !== undefined && !GRPC_STATUS.has(str(abort.grpcStatus)))
                out.add(
                    [...at, "fault", "abort", "grpcStatus"],
                    `gRPC status "${str(abort.grpcStatus)}" is not supported. See https://github.com/grpc/grpc/blob/master/doc/statuscodes.md for a list of supported codes, for example 'NOT_FOUND'`,
                );
            if (abort.httpStatus !== undefined)
                out.add([...at, "fault", "abort", "httpStatus"], httpStatusProblem(abort.httpStatus));
        }
        if (isObj(delay)) {
            out.add([...at, "fault", "delay", "fixedDelay"], durationProblem(delay.fixedDelay));
            if (delay.exponentialDelay !== undefined) {
                out.add([...at, "fault", "delay", "exponentialDelay"], durationProblem(delay.exponentialDelay));
                out.add([...at, "fault", "delay", "exponentialDelay"], "exponentialDelay not supported yet");
            }
        }
    }
    destination(r.mirror, [...at, "mirror"], out);
    list(r.mirrors).forEach((m, i) => {
        if (!isObj(m)) return out.add([...at, "mirrors", i], "mirror cannot be null");
        if (m.destination === undefined) return out.add([...at, "mirrors", i], "destination is required for mirrors");
        destination(m.destination, [...at, "mirrors", i, "destination"], out);
    });
    if (isObj(r.redirect)) redirect(r.redirect, [...at, "redirect"], out);
    if (isObj(r.retries)) {
        const t = r.retries;
        if (typeof t.attempts === "number" && t.attempts < 0)
            out.add([...at, "retries", "attempts"], "attempts cannot be negative");
        if (
            t.attempts === 0 &&
            (t.perTryTimeout !== undefined || str(t.retryOn) || t.retryRemoteLocalities !== undefined)
        )
            out.add([...at, "retries"], "http retry policy configured when attempts are set to 0 (disabled)");
        out.add([...at, "retries", "perTryTimeout"], durationProblem(t.perTryTimeout));
        // A policy that strconv.Atoi reads ("503", "+503") is a status code if Go's http.StatusText knows it.
        if (str(t.retryOn))
            for (const policy of str(t.retryOn).split(","))
                if (!RETRY_ON.has(policy) && !(/^[+-]?\d+$/.test(policy) && HTTP_STATUS.has(Number(policy))))
                    out.add([...at, "retries", "retryOn"], `"${policy}" is not a valid retryOn policy`);
        out.add([...at, "retries", "backoff"], durationProblem(t.backoff));
    }
    if (isObj(r.rewrite)) {
        // validateHTTPRewrite stops at its first problem.
        const w = r.rewrite;
        if (str(w.uri) && w.uriRegexRewrite !== undefined)
            out.add([...at, "rewrite"], "rewrite may only contain one of URI or UriRegexRewrite");
        else if (!str(w.uri) && w.uriRegexRewrite === undefined && !str(w.authority))
            out.add(
                [...at, "rewrite"],
                "rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI or UriRegexRewrite may be specified",
            );
        else if (isObj(w.uriRegexRewrite)) {
            if (!str(w.uriRegexRewrite.match) || !str(w.uriRegexRewrite.rewrite))
                out.add(
                    [...at, "rewrite", "uriRegexRewrite"],
                    "UriRegexRewrite requires both Rewrite and Match fields to be specified",
                );
            else
                out.add(
                    [...at, "rewrite", "uriRegexRewrite", "match"],
                    regexProblem(str(w.uriRegexRewrite.match), "HTTPRewrite.UriRegexRewrite.Match"),
                );
        }
    }
    if (isObj(r.directResponse)) {
        const b = isObj(r.directResponse.body) ? r.directResponse.body : {};
        const size =
            typeof b.string === "string"
                ? Buffer.byteLength(b.string)
                : typeof b.bytes === "string"
                  ? Buffer.from(b.bytes, "base64").length
                  : 0;
        if (size > 1024 * 1024)
            out.add(
                [...at, "directResponse", "body"],
                "large direct_responses may impact control plane performance, must be less than 1MB",
            );
        out.add([...at, "directResponse", "status"], httpStatusProblem(r.directResponse.status ?? 0));
    }
    let total = 0;
    const route = list(r.route);
    route.forEach((d, i) => {
        if (!isObj(d)) return out.add([...at, "route", i], "weight may not be nil");
        if (d.destination === undefined) out.add([...at, "route", i], "destination is required");
        headerOps(d.headers, [...at, "route", i, "headers"], out);
        destination(d.destination, [...at, "route", i, "destination"], out);
        const weight = typeof d.weight === "number" ? d.weight : 0;
        if (weight < 0) out.add([...at, "route", i, "weight"], `weight ${weight} < 0`);
        total += weight;
    });
    if (route.length > 1 && total === 0) out.add([...at, "route"], "total destination weight = 0");
    out.add([...at, "timeout"], durationProblem(r.timeout));
}

/** validateHTTPRouteConflict for a route that delegates (a root) or one that does not. */
function routeConflicts(r: Obj): string[] {
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

/** validateHTTPRedirect: its first problem only. */
function redirect(d: Obj, at: FieldPath, out: Issues) {
    if (!str(d.uri) && !str(d.authority) && d.port === undefined && d.derivePort === undefined && !str(d.scheme))
        return out.add(at, "redirect must specify URI, authority, scheme, or port");
    const code = Number(d.redirectCode ?? 0);
    if (code !== 0 && (code < 300 || code > 399))
        return out.add([...at, "redirectCode"], `${code} is not a valid redirect code, must be 3xx`);
    if (str(d.scheme) !== "" && d.scheme !== "http" && d.scheme !== "https")
        return out.add([...at, "scheme"], 'invalid redirect scheme, must be "http" or "https"');
    if (typeof d.port === "number" && d.port > 0) out.add([...at, "port"], portProblem(d.port));
}

/** validateHTTPStatus (fault aborts, direct responses). */
const httpStatusProblem = (status: unknown) => {
    const n = Number(status);
    return n < 200 || n > 600 ? `HTTP status ${n} is not in range 200-599` : undefined;
};

function virtualService(spec: Obj, out: Issues) {
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
    list(spec.http).forEach((r, i) => httpRoute(r, ["spec", "http", i], out));
}

function trafficPolicy(p: unknown, at: FieldPath, out: Issues, portLevel = false) {
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
    const o = p.outlierDetection;
    if (isObj(o)) {
        for (const k of ["baseEjectionTime", "interval"])
            out.add([...at, "outlierDetection", k], durationProblem(o[k]));
        if (
            !o.splitExternalLocalOriginErrors &&
            typeof o.consecutiveLocalOriginFailures === "number" &&
            o.consecutiveLocalOriginFailures > 0
        )
            out.add(
                [...at, "outlierDetection"],
                "outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false",
            );
    }
    const c = p.connectionPool;
    if (isObj(c)) {
        if (c.http === undefined && c.tcp === undefined)
            out.add([...at, "connectionPool"], "connection pool must have at least one field");
        if (isObj(c.http)) {
            out.add([...at, "connectionPool", "http", "idleTimeout"], durationProblem(c.http.idleTimeout));
            if (c.http.h2UpgradePolicy === "UPGRADE" && c.http.useClientProtocol === true)
                out.add(
                    [...at, "connectionPool", "http"],
                    "use client protocol must not be true when H2UpgradePolicy is UPGRADE",
                );
        }
        if (isObj(c.tcp)) {
            for (const k of ["connectTimeout", "maxConnectionDuration"])
                out.add([...at, "connectionPool", "tcp", k], durationProblem(c.tcp[k]));
            // A TCP idle timeout under 1ms ("0s") disables it: istiod skips the check then.
            const idle = goDurationNanos(str(c.tcp.idleTimeout));
            if ((idle ?? 0n) >= 1_000_000n)
                out.add([...at, "connectionPool", "tcp", "idleTimeout"], durationProblem(c.tcp.idleTimeout));
            if (isObj(c.tcp.tcpKeepalive))
                for (const k of ["time", "interval"])
                    out.add(
                        [...at, "connectionPool", "tcp", "tcpKeepalive", k],
                        durationProblem(c.tcp.tcpKeepalive[k]),
                    );
        }
    }
    const lb = p.loadBalancer;
    if (isObj(lb)) {
        const ch = lb.consistentHash;
        if (isObj(ch)) {
            if (isObj(ch.httpCookie) && !str(ch.httpCookie.name))
                out.add([...at, "loadBalancer", "consistentHash", "httpCookie"], "name required for HttpCookie");
            if (
                typeof ch.minimumRingSize === "number" &&
                ch.minimumRingSize !== 0 &&
                (ch.ringHash !== undefined || ch.maglev !== undefined)
            )
                out.add(
                    [...at, "loadBalancer", "consistentHash"],
                    "only one of MinimumRingSize or Maglev/Ringhash can be specified",
                );
            if (isObj(ch.maglev)) {
                const t = Number(ch.maglev.tableSize ?? 0);
                const mp = [...at, "loadBalancer", "consistentHash", "maglev", "tableSize"];
                if (t === 0) out.add(mp, "tableSize must be set for maglev");
                if (t >= 5000011) out.add(mp, "tableSize must be less than 5000011 for maglev");
                if (!isPrime(t)) out.add(mp, "tableSize must be a prime number for maglev");
            }
        }
        out.add([...at, "loadBalancer", "warmupDurationSecs"], durationProblem(lb.warmupDurationSecs));
        if (
            isObj(lb.localityLbSetting) &&
            list(lb.localityLbSetting.distribute).length &&
            list(lb.localityLbSetting.failover).length
        )
            out.add(
                [...at, "loadBalancer", "localityLbSetting"],
                "can not simultaneously specify 'distribute' and 'failover'",
            );
    }
    const tls = p.tls;
    if (isObj(tls) && (tls.mode === "SIMPLE" || tls.mode === "MUTUAL")) {
        if (
            tls.insecureSkipVerify === true &&
            tls.mode === "SIMPLE" &&
            (str(tls.caCertificates) || str(tls.credentialName) || tls.subjectAltNames !== undefined)
        )
            out.add(
                [...at, "tls"],
                "cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true",
            );
        if (
            str(tls.credentialName) &&
            (str(tls.clientCertificate) || str(tls.caCertificates) || str(tls.privateKey) || str(tls.caCrl))
        )
            out.add(
                [...at, "tls"],
                "cannot specify client certificates or CA certificate or CA CRL If credentialName is set",
            );
        else if (!str(tls.credentialName) && tls.mode === "MUTUAL") {
            if (!str(tls.clientCertificate)) out.add([...at, "tls"], "client certificate required for mutual tls");
            if (!str(tls.privateKey)) out.add([...at, "tls"], "private key required for mutual tls");
        }
    }
    if (!portLevel) {
        list(p.portLevelSettings).forEach((s, i) => {
            if (isObj(s) && s.port === undefined)
                out.add([...at, "portLevelSettings", i], "portTrafficPolicy must have valid port");
            trafficPolicy(s, [...at, "portLevelSettings", i], out, true);
        });
        if (isObj(p.tunnel)) {
            const t = p.tunnel;
            if (t.protocol !== undefined && t.protocol !== "CONNECT" && t.protocol !== "POST")
                out.add([...at, "tunnel", "protocol"], 'tunnel protocol must be "CONNECT" or "POST"');
            const host = str(t.targetHost);
            const fqdn = fqdnProblem(host);
            if (fqdn && !isIpAddress(host))
                out.add(
                    [...at, "tunnel", "targetHost"],
                    `tunnel target host must be valid FQDN or IP address: ${fqdn}; ${host} is not a valid IP`,
                );
            const port = portProblem(t.targetPort ?? 0);
            if (port) out.add([...at, "tunnel", "targetPort"], `tunnel target port is invalid: ${port}`);
        }
    }
}

function isPrime(x: number): boolean {
    if (x !== 0 && x < 4) return true;
    if (x % 2 === 0) return false;
    for (let f = 3; f <= Math.sqrt(x); f += 2) if (x % f === 0) return false;
    return true;
}

/** validateExportTo: "." is the object's own namespace, so "." and that namespace are duplicates. */
function exportTo(
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

function workloadSelector(labels: unknown, at: FieldPath, out: Issues) {
    for (const [k, v] of entries(labels)) {
        if (k === "") out.add([...at, k], `empty key is not supported in selector: "=${str(v)}"`);
        if (k.includes("*") || str(v).includes("*"))
            out.add([...at, k], `wildcard is not supported in selector: "${k}=${str(v)}"`);
    }
}

function destinationRule(spec: Obj, namespace: string, out: Issues) {
    out.add(["spec", "host"], wildcardDomainProblem(str(spec.host)));
    trafficPolicy(spec.trafficPolicy, ["spec", "trafficPolicy"], out);
    const names = new Set<string>();
    list(spec.subsets).forEach((s, i) => {
        if (!isObj(s)) return out.add(["spec", "subsets", i], "subset may not be null");
        const name = str(s.name);
        if (names.has(name)) out.add(["spec", "subsets", i, "name"], `duplicate subset names: ${name}`);
        names.add(name);
        if (!isDns1123Label(name))
            out.add(
                ["spec", "subsets", i, "name"],
                name ? `subset name is invalid: ${name}` : "subset name cannot be empty",
            );
        for (const l of labelProblems(s.labels)) out.add(["spec", "subsets", i, "labels", l.key], l.message);
        trafficPolicy(s.trafficPolicy, ["spec", "subsets", i, "trafficPolicy"], out);
    });
    exportTo(spec.exportTo, namespace, ["spec", "exportTo"], out, { drWithSelector: spec.workloadSelector != null });
    if (isObj(spec.workloadSelector))
        workloadSelector(spec.workloadSelector.matchLabels, ["spec", "workloadSelector", "matchLabels"], out);
}

const HTTP_PROTOCOLS = new Set(["HTTP", "HTTP2", "GRPC", "GRPC-WEB", "HTTP_PROXY"]);
const TLS_PROTOCOLS = new Set(["HTTPS", "TLS"]);

function unixAddressProblem(addr: string): string | undefined {
    if (addr === "") return "unix address must not be empty";
    if (addr.startsWith("@")) return undefined;
    return addr.startsWith("/") && !addr.endsWith("/") ? undefined : `${addr} is not an absolute path to a file`;
}

/** ValidateServiceEntry (validation.go), endpoints as validateWorkloadEntry checks them. */
function serviceEntry(spec: Obj, namespace: string, out: Issues) {
    // ValidateAlphaWorkloadSelector: a bad selector is the only thing istiod reports.
    if (isObj(spec.workloadSelector)) {
        workloadSelector(spec.workloadSelector.labels, ["spec", "workloadSelector", "labels"], out);
        if (out.list.length) return;
        if (spec.endpoints !== undefined && spec.endpoints !== null)
            out.add(["spec", "endpoints"], "only one of WorkloadSelector or Endpoints is allowed in Service Entry");
    }
    const hosts = list(spec.hosts).map(str);
    if (hosts.length === 0) out.add(["spec", "hosts"], "service entry must have at least one host");
    hosts.forEach((h, i) => out.add(["spec", "hosts", i], h === "*" ? `invalid host ${h}` : wildcardDomainProblem(h)));
    const addresses = list(spec.addresses).map(str);
    addresses.forEach((a, i) => out.add(["spec", "addresses", i], ipSubnetProblem(a)));
    const resolution = str(spec.resolution) || "NONE";
    if (addresses.some((a) => a.includes("/")) && resolution !== "NONE" && resolution !== "STATIC")
        out.add(["spec", "addresses"], "CIDR addresses are allowed only for NONE/STATIC resolution types");
    const names = new Set<string>();
    const numbers = new Set<number>();
    list(spec.ports).forEach((p, i) => {
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
    const endpoints = list(spec.endpoints);
    const endpointPorts = (e: Obj, i: number) => {
        for (const [name, port] of entries(e.ports)) {
            if (!names.has(name))
                out.add(
                    ["spec", "endpoints", i, "ports", name],
                    `endpoint port ${String(port)} is not defined by the service entry`,
                );
            if (!isDns1123Label(name)) out.add(["spec", "endpoints", i, "ports", name], `invalid port name: ${name}`);
            out.add(["spec", "endpoints", i, "ports", name], portProblem(port));
        }
    };
    const endpointLabels = (e: Obj, i: number) => {
        for (const l of labelProblems(e.labels)) out.add(["spec", "endpoints", i, "labels", l.key], l.message);
    };
    if (resolution === "NONE" && endpoints.length)
        out.add(["spec", "endpoints"], "no endpoints should be provided for resolution type none");
    if (resolution === "STATIC")
        endpoints.forEach((e, i) => {
            if (!isObj(e)) return out.add(["spec", "endpoints", i], "endpoint cannot be nil");
            const addr = str(e.address);
            // An endpoint on another network may leave its address to the east-west gateway.
            if (addr === "" && !str(e.network))
                return out.add(["spec", "endpoints", i, "address"], "address is required");
            const unix = addr.startsWith("unix://");
            if (unix) {
                out.add(["spec", "endpoints", i, "address"], unixAddressProblem(addr.slice(7)));
                if (entries(e.ports).length)
                    out.add(["spec", "endpoints", i, "ports"], `unix endpoint ${addr} must not include ports`);
            } else if (addr !== "" && !isIpAddress(addr))
                out.add(["spec", "endpoints", i, "address"], `endpoint address "${addr}" is not a valid IP address`);
            endpointPorts(e, i);
            endpointLabels(e, i);
            if (unix && names.size !== 1)
                out.add(["spec", "endpoints", i, "address"], "exactly 1 service port required for unix endpoints");
        });
    if (resolution === "DNS" || resolution === "DNS_ROUND_ROBIN") {
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
            if (!isObj(e)) return out.add(["spec", "endpoints", i], "endpoint cannot be nil");
            const addr = str(e.address);
            if (!isIpAddress(addr) && fqdnProblem(addr))
                out.add(
                    ["spec", "endpoints", i, "address"],
                    `endpoint address "${addr}" is not a valid FQDN or an IP address`,
                );
            endpointLabels(e, i);
            endpointPorts(e, i);
        });
    }
    if (resolution !== "NONE" && hosts.length > 1)
        for (const [i, p] of list(spec.ports).entries()) {
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
    exportTo(spec.exportTo, namespace, ["spec", "exportTo"], out, { serviceEntry: true });
}

// pkg/config/security: IPs and CIDRs, ports, path templates and condition keys of authorization rules.
const ipProblem = (s: string) =>
    s.includes("/")
        ? isCidr(s)
            ? undefined
            : `bad CIDR range (${s})`
        : isIpAddress(s)
          ? undefined
          : `bad IP address (${s})`;
const authzPortProblem = (p: string) => (/^\d+$/.test(p) && Number(p) <= 65535 ? undefined : `bad port (${p})`);
const UNSUPPORTED_PATH_TEMPLATE = /\/\{\w+=\*[*]?\}|\{\w*\}|\/\*[*]?|\*[*]?\//;
const mapKeyProblem = (key: string) => {
    const open = key.indexOf("[");
    return key.endsWith("]") && open > 0 && open < key.length - 2
        ? undefined
        : `bad key (${key}): should have format a[b]`;
};

/** security.ValidateAttribute: the condition keys istiod knows, and the values each takes. */
export function attributeProblem(key: string, values: string[]): string | undefined {
    if (values.some((v) => v === "")) return `empty value not allowed, found in ${key}`;
    const first = (problems: (string | undefined)[]) => problems.find((p) => p !== undefined);
    if (
        key.startsWith("request.headers") ||
        key.startsWith("request.auth.claims") ||
        key.startsWith("experimental.envoy.filters.")
    )
        return mapKeyProblem(key);
    if (["source.ip", "remote.ip", "destination.ip"].includes(key)) return first(values.map(ipProblem));
    if (key === "destination.port") return first(values.map(authzPortProblem));
    if (
        [
            "source.namespace",
            "source.principal",
            "request.auth.principal",
            "request.auth.audiences",
            "request.auth.presenter",
            "connection.sni",
        ].includes(key)
    )
        return undefined;
    if (key === "destination.namespace") return `attribute ${key} is replaced by the metadata.namespace`;
    if (key.startsWith("destination.labels")) return `attribute ${key} is replaced by the workload selector`;
    if (key === "destination.name" || key === "destination.user")
        return `deprecated attribute ${key}: only supported in v1alpha1`;
    return `unknown attribute: ${key}`;
}

const SOURCE_FIELDS = [
    "principals",
    "requestPrincipals",
    "namespaces",
    "ipBlocks",
    "remoteIpBlocks",
    "notPrincipals",
    "notRequestPrincipals",
    "notNamespaces",
    "notIpBlocks",
    "notRemoteIpBlocks",
    "serviceAccounts",
    "notServiceAccounts",
] as const;
const OPERATION_FIELDS = [
    "ports",
    "methods",
    "paths",
    "hosts",
    "notPorts",
    "notMethods",
    "notPaths",
    "notHosts",
] as const;

const CUSTOM_UNSUPPORTED_SOURCES = [
    "namespaces",
    "notNamespaces",
    "serviceAccounts",
    "notServiceAccounts",
    "principals",
    "notPrincipals",
    "requestPrincipals",
    "notRequestPrincipals",
] as const;

/** ValidateAuthorizationPolicy; targetRef(s) themselves are not checked here. */
function authorizationPolicy(spec: Obj, out: Issues) {
    const targetRefs = list(spec.targetRefs).length > 0;
    if ([spec.selector != null, spec.targetRef != null, targetRefs].filter(Boolean).length > 1)
        out.add(["spec"], "only one of targetRefs or workloadSelector can be set");
    if (isObj(spec.selector)) workloadSelector(spec.selector.matchLabels, ["spec", "selector", "matchLabels"], out);
    const action = str(spec.action) || "ALLOW";
    const meaningless = (a: string) =>
        `${a} action without \`rules\` is meaningless as it will never be triggered, add an empty rule \`{}\` if you want it be triggered for every request`;
    if (action === "CUSTOM") {
        if (spec.rules == null) out.add(["spec"], meaningless("CUSTOM"));
        else if (!isObj(spec.provider) || !str(spec.provider.name))
            out.add(["spec", "provider", "name"], "`provider.name` must not be empty");
        const unsupported = (at: FieldPath, name: string) =>
            out.add(at, `${name} is currently not supported with CUSTOM action`);
        list(spec.rules).forEach((rule, i) => {
            if (!isObj(rule)) return;
            list(rule.from).forEach((f, j) => {
                const src = isObj(f) ? f.source : undefined;
                if (!isObj(src)) return;
                for (const k of CUSTOM_UNSUPPORTED_SOURCES)
                    if (list(src[k]).length)
                        unsupported(
                            ["spec", "rules", i, "from", j, "source", k],
                            `From.${k[0].toUpperCase()}${k.slice(1)}`,
                        );
            });
            list(rule.when).forEach((w, j) => {
                if (!isObj(w)) return out.add(["spec", "rules", i, "when", j], "when field cannot be nil");
                const key = str(w.key);
                if (
                    ["source.namespace", "source.serviceAccount", "source.principal"].includes(key) ||
                    key.startsWith("request.auth.")
                )
                    unsupported(["spec", "rules", i, "when", j, "key"], key);
            });
        });
    }
    if (spec.provider != null && action !== "CUSTOM")
        out.add(["spec", "provider"], `\`provider\` must not be with non CUSTOM action, found ${action}`);
    if (action === "DENY" && spec.rules == null) out.add(["spec"], meaningless("DENY"));
    list(spec.rules).forEach((rule, i) => {
        const at: FieldPath = ["spec", "rules", i];
        if (!isObj(rule)) return out.add(at, `\`rule\` must not be nil, found at rule ${i}`);
        if (Array.isArray(rule.from) && rule.from.length === 0)
            out.add([...at, "from"], `\`from\` must not be empty, found at rule ${i}`);
        list(rule.from).forEach((f, j) => {
            if (!isObj(f)) return out.add([...at, "from", j], `\`from\` must not be nil, found at rule ${i}`);
            const src = f.source;
            if (!isObj(src)) return out.add([...at, "from", j], `\`from.source\` must not be nil, found at rule ${i}`);
            const count = (...keys: string[]) => keys.reduce((n, k) => n + list(src[k]).length, 0);
            if (
                count("principals", "notPrincipals", "namespaces", "notNamespaces") > 0 &&
                count("serviceAccounts", "notServiceAccounts") > 0
            )
                out.add(
                    [...at, "from", j, "source"],
                    `cannot set serviceAccounts with namespaces or principals, found at rule ${i}`,
                );
            if (SOURCE_FIELDS.every((k) => list(src[k]).length === 0))
                out.add([...at, "from", j, "source"], `\`from.source\` must not be empty, found at rule ${i}`);
            for (const k of ["ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks"] as const)
                list(src[k]).forEach((ip, n) => out.add([...at, "from", j, "source", k, n], ipProblem(str(ip))));
            for (const k of SOURCE_FIELDS)
                list(src[k]).forEach((v, n) => {
                    if (str(v) === "")
                        out.add(
                            [...at, "from", j, "source", k, n],
                            `empty value not allowed, found in ${k[0].toUpperCase()}${k.slice(1)}`,
                        );
                });
        });
        if (Array.isArray(rule.to) && rule.to.length === 0)
            out.add([...at, "to"], `\`to\` must not be empty, found at rule ${i}`);
        list(rule.to).forEach((t, j) => {
            if (!isObj(t)) return out.add([...at, "to", j], `\`to\` must not be nil, found at rule ${i}`);
            const op = t.operation;
            if (!isObj(op)) return out.add([...at, "to", j], `\`to.operation\` must not be nil, found at rule ${i}`);
            if (OPERATION_FIELDS.every((k) => list(op[k]).length === 0))
                out.add([...at, "to", j, "operation"], `\`to.operation\` must not be empty, found at rule ${i}`);
            for (const k of ["ports", "notPorts"] as const)
                list(op[k]).forEach((p, n) => out.add([...at, "to", j, "operation", k, n], authzPortProblem(str(p))));
            for (const k of ["paths", "notPaths"] as const)
                list(op[k]).forEach((p, n) => {
                    const path = str(p);
                    if ((path.includes("{*}") || path.includes("{**}")) && UNSUPPORTED_PATH_TEMPLATE.test(path))
                        out.add(
                            [...at, "to", j, "operation", k, n],
                            `invalid or unsupported path template, found in ${k[0].toUpperCase()}${k.slice(1)}`,
                        );
                });
            for (const k of OPERATION_FIELDS)
                list(op[k]).forEach((v, n) => {
                    if (str(v) === "")
                        out.add(
                            [...at, "to", j, "operation", k, n],
                            `empty value not allowed, found in ${k[0].toUpperCase()}${k.slice(1)}`,
                        );
                });
        });
        list(rule.when).forEach((w, j) => {
            if (!isObj(w)) return out.add([...at, "when", j, "key"], "`key` must not be empty"); // Go's GetKey of nil
            const key = str(w.key);
            if (!key) out.add([...at, "when", j, "key"], "`key` must not be empty");
            else if (list(w.values).length === 0 && list(w.notValues).length === 0)
                out.add([...at, "when", j], `at least one of \`values\` or \`notValues\` must be set for key ${key}`);
            else
                for (const k of ["values", "notValues"] as const) {
                    // istiod checks both lists, an empty one too (naming a bad key twice); once is
                    // enough for a person, at the list they wrote.
                    if (list(w[k]).length === 0) continue;
                    const problem = attributeProblem(key, list(w[k]).map(str));
                    if (problem)
                        out.add(
                            [...at, "when", j, k],
                            `invalid \`${k === "values" ? "value" : "notValue"}\` for \`key\` ${key}: ${problem}`,
                        );
                }
        });
    });
}

const PROTOCOLS = new Set([
    "TCP",
    "UDP",
    "GRPC",
    "GRPC-WEB",
    "HTTP",
    "HTTP_PROXY",
    "HTTP2",
    "HTTPS",
    "TLS",
    "MONGO",
    "REDIS",
    "MYSQL",
]);

/** ValidateGateway and validateServer; servers' TLS settings are not checked here. */
function gateway(spec: Obj, out: Issues) {
    const servers = list(spec.servers);
    if (servers.length === 0) out.add(["spec", "servers"], "gateway must have at least one server");
    servers.forEach((s, i) => {
        if (!isObj(s)) return out.add(["spec", "servers", i], "cannot have nil server");
        const hosts = list(s.hosts).map(str);
        if (hosts.length === 0)
            out.add(["spec", "servers", i, "hosts"], "server config must contain at least one host");
        hosts.forEach((host, j) => {
            // agent.ValidateNamespaceSlashWildcardHostname(host, isGateway=true)
            const at: FieldPath = ["spec", "servers", i, "hosts", j];
            const slash = host.indexOf("/");
            const name = host.slice(slash + 1);
            if (slash >= 0) {
                const ns = host.slice(0, slash);
                if (ns === "" || name === "") out.add(at, "config namespace and dnsName in host entry cannot be empty");
                if (ns !== "*" && ns !== "." && !isDns1123Label(ns))
                    out.add(at, `invalid namespace value "${ns}" in gateway`);
            }
            if (name !== "*" && !name.includes(".")) out.add(at, "short names (non FQDN) are not allowed");
            if (!isIpAddress(name)) out.add(at, wildcardDomainProblem(name)); // a Gateway may name an IP
            if (name.includes("*") && name.length !== 1 && !name.startsWith("*."))
                out.add(at, `partial wildcard "${name}" not allowed`);
        });
        const port = s.port;
        const bind = str(s.bind);
        if (!isObj(port)) out.add(["spec", "servers", i, "port"], "port is required");
        else {
            if (!PROTOCOLS.has(str(port.protocol).toUpperCase()))
                out.add(
                    ["spec", "servers", i, "port", "protocol"],
                    `invalid protocol "${str(port.protocol)}", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP`,
                );
            if (Number(port.number) > 0 || !bind.startsWith("unix://"))
                out.add(["spec", "servers", i, "port", "number"], portProblem(port.number));
            if (Number(port.targetPort) > 0)
                out.add(["spec", "servers", i, "port", "targetPort"], "targetPort has no impact on Gateways");
            if (!str(port.name)) out.add(["spec", "servers", i, "port", "name"], "port name must be set");
        }
        if (bind.startsWith("unix://")) out.add(["spec", "servers", i, "bind"], unixAddressProblem(bind.slice(7)));
        else if (bind !== "" && !isIpAddress(bind))
            out.add(["spec", "servers", i, "bind"], `${bind} is not a valid IP`);
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

/** ValidateTelemetry: providers (istiod names the first unnamed one of a list) and the sampling range. */
function telemetry(spec: Obj, out: Issues) {
    const providers = (v: unknown, at: FieldPath) => {
        const j = list(v).findIndex((pr) => !isObj(pr) || !str(pr.name));
        if (j >= 0) out.add([...at, "providers", j], "providers.name may not be empty");
    };
    list(spec.metrics).forEach((m, i) => isObj(m) && providers(m.providers, ["spec", "metrics", i]));
    list(spec.tracing).forEach((t, i) => {
        if (!isObj(t)) return;
        providers(t.providers, ["spec", "tracing", i]);
        const p = t.randomSamplingPercentage;
        if (typeof p === "number" && (p < 0 || p > 100))
            out.add(
                ["spec", "tracing", i, "randomSamplingPercentage"],
                "randomSamplingPercentage must be in range [0.0, 100.0]",
            );
    });
    list(spec.accessLogging).forEach((l, i) => isObj(l) && providers(l.providers, ["spec", "accessLogging", i]));
}

/** Every reason istiod's validating webhook would refuse `obj`; [] when it would admit it. */
export function webhookIssues(obj: {
    kind: string;
    metadata?: { name?: string; namespace?: string };
    spec?: unknown;
}): CrdIssue[] {
    const out = new Issues();
    const spec = isObj(obj.spec) ? obj.spec : {};
    // istiod judges an object in its namespace; kubectl's default when the object names none.
    const namespace = str(obj.metadata?.namespace) || "default";
    if (obj.kind === "Gateway" && !isDns1123Label(str(obj.metadata?.name)))
        out.add(["metadata", "name"], `invalid gateway name: "${str(obj.metadata?.name)}"`);
    if (obj.kind === "VirtualService") virtualService(spec, out);
    if (obj.kind === "DestinationRule") destinationRule(spec, namespace, out);
    if (obj.kind === "ServiceEntry") serviceEntry(spec, namespace, out);
    if (obj.kind === "AuthorizationPolicy") authorizationPolicy(spec, out);
    if (obj.kind === "Gateway") gateway(spec, out);
    if (obj.kind === "Telemetry") telemetry(spec, out);
    return out.list;
}
