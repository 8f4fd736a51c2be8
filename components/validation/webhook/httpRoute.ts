// What one HTTP route of a VirtualService does, field by field: the rules that validateHTTPRoute
// (virtualservice.go) calls for its destinations, mirrors, redirect, rewrite, retries, fault, CORS
// policy and direct response. Ports of istio/istio at 1.30.3, pkg/config/validation/validation.go:
//   validateStringMatch, validateStringMatchRegexp, validateDestination, validateSubsetName,
//   validatePortSelector, validateHTTPRouteDestinations, validateHTTPMirrors, validateCORSPolicy,
//   validateAllowOrigins, validateCORSHTTPMethod, validateHTTPFaultInjection,
//   validateHTTPFaultInjectionAbort, validateHTTPFaultInjectionDelay, validatePercentage,
//   validateHTTPStatus, validateGRPCStatus, validateHTTPRedirect, validateHTTPRetry,
//   validateHTTPRewrite, validateURIRegexRewrite, validateHTTPDirectResponse,
//   ValidateHTTPHeaderWithAuthorityOperationName, ValidateHTTPHeaderOperationName
// and, from virtualservice.go's validateHTTPRoute, its mirror percentage checks.
// virtualService.ts composes them into validateHTTPRoute, in istiod's order of fields.
import type { FieldPath } from "../crd";
import {
    durationProblem,
    entries,
    goDurationNanos,
    headerNameProblem,
    headerValueProblem,
    isAuthorityHeader,
    isDns1123Label,
    isInternalHeader,
    isObj,
    list,
    portProblem,
    regexProblem,
    str,
    wildcardDomainProblem,
    type Issues,
    type Obj,
} from "./primitives";

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

/** validateStringMatchRegexp: a regex match is RE2 (an empty prefix is fine where this is all). */
export function validateStringMatchRegexp(m: unknown, where: string, at: FieldPath, out: Issues) {
    if (isObj(m) && typeof m.regex === "string") out.add([...at, "regex"], regexProblem(m.regex, where));
}

/** validateStringMatch: an empty prefix matches nothing Envoy accepts (uri alone may have one). */
export function validateStringMatch(m: unknown, where: string, at: FieldPath, out: Issues) {
    if (isObj(m) && m.prefix === "") out.add([...at, "prefix"], `"${where}": prefix string match should not be empty`);
    validateStringMatchRegexp(m, where, at, out);
}

/**
 * The header operations of a route or a route destination: ValidateHTTPHeaderWithAuthorityOperationName
 * for request add/set (":authority" and "host" may be set there), ValidateHTTPHeaderOperationName
 * for the rest, and ValidateHTTPHeaderValue for every value.
 */
export function validateHeaderOperations(h: unknown, at: FieldPath, out: Issues) {
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

/** validateDestination, with validateSubsetName and validatePortSelector. */
export function validateDestination(d: unknown, at: FieldPath, out: Issues) {
    if (!isObj(d)) return;
    const host = str(d.host);
    out.add([...at, "host"], host === "*" ? `invalid destination host ${host}` : wildcardDomainProblem(host));
    // An empty subset is an unset one (proto3): istiod checks the name only when there is one.
    const subset = str(d.subset);
    if (subset !== "" && !isDns1123Label(subset)) out.add([...at, "subset"], `subset name is invalid: ${subset}`);
    // A port selector without a number is port 0 to istiod.
    if (isObj(d.port)) out.add([...at, "port", "number"], portProblem(d.port.number ?? 0));
}

/** validateHTTPRouteDestinations: each destination, its headers and weight; weights may not all be 0. */
export function validateHTTPRouteDestinations(route: unknown, at: FieldPath, out: Issues) {
    let total = 0;
    const destinations = list(route);
    destinations.forEach((d, i) => {
        if (!isObj(d)) return out.add([...at, i], "weight may not be nil");
        if (d.destination === undefined) out.add([...at, i], "destination is required");
        validateHeaderOperations(d.headers, [...at, i, "headers"], out);
        validateDestination(d.destination, [...at, i, "destination"], out);
        const weight = typeof d.weight === "number" ? d.weight : 0;
        if (weight < 0) out.add([...at, i, "weight"], `weight ${weight} < 0`);
        total += weight;
    });
    if (destinations.length > 1 && total === 0) out.add(at, "total destination weight = 0");
}

/** validateHTTPMirrors: each with a destination, and a percentage in 0..100. */
export function validateHTTPMirrors(mirrors: unknown, at: FieldPath, out: Issues) {
    list(mirrors).forEach((m, i) => {
        if (!isObj(m)) return out.add([...at, i], "mirror cannot be null");
        if (m.destination == null) return out.add([...at, i], "destination is required for mirrors");
        validateDestination(m.destination, [...at, i, "destination"], out);
        out.add([...at, i, "percentage", "value"], mirrorPercentageProblem("mirror percentage", m.percentage));
    });
}

/**
 * validateHTTPRoute's mirror percentages (virtualservice.go): the deprecated mirrorPercent at most
 * 100, mirrorPercentage in 0..100.
 */
export function validateMirrorPercentage(r: Obj, at: FieldPath, out: Issues) {
    const deprecated = r.mirrorPercent;
    if (typeof deprecated === "number" && deprecated > 100)
        out.add([...at, "mirrorPercent"], `mirror_percent must have a max value of 100 (it has ${deprecated})`);
    out.add([...at, "mirrorPercentage", "value"], mirrorPercentageProblem("mirror_percentage", r.mirrorPercentage));
}

/** A Percent outside 0..100, in istiod's words (Go's %f: six decimals). */
function mirrorPercentageProblem(what: string, p: unknown): string | undefined {
    if (!isObj(p)) return undefined;
    const v = typeof p.value === "number" ? p.value : 0;
    if (v > 100) return `${what} must have a max value of 100 (it has ${v.toFixed(6)})`;
    if (v < 0) return `${what} must have a min value of 0 (it has ${v.toFixed(6)})`;
    return undefined;
}

/** validateCORSPolicy, with validateAllowOrigins and validateCORSHTTPMethod. */
export function validateCORSPolicy(c: unknown, at: FieldPath, out: Issues) {
    if (!isObj(c)) return;
    list(c.allowOrigins).forEach((o, i) => {
        const value = isObj(o) ? str(o.exact ?? o.prefix ?? o.regex) : "";
        if (value === "") out.add([...at, "allowOrigins", i], `'' is not a valid match type for CORS allow origins`);
        validateStringMatchRegexp(o, "corsPolicy.allowOrigins", [...at, "allowOrigins", i], out);
    });
    list(c.allowMethods).forEach((m, i) =>
        out.add(
            [...at, "allowMethods", i],
            SUPPORTED_METHODS.has(str(m)) ? undefined : `"${str(m)}" is not a supported HTTP method`,
        ),
    );
    for (const k of ["allowHeaders", "exposeHeaders"] as const)
        list(c[k]).forEach(
            (h, i) => out.add([...at, k, i], headerNameProblem(str(h))), // "*" is a token
        );
    out.add([...at, "maxAge"], durationProblem(c.maxAge));
    // Go: MaxAge.Nanos > 0 (a negative duration's nanos are negative; ValidateDuration refuses it).
    const ns = goDurationNanos(str(c.maxAge));
    if (ns !== undefined && ns % 1_000_000_000n > 0n)
        out.add([...at, "maxAge"], "max_age duration is accurate only to seconds precision");
}

/** validateHTTPStatus (fault aborts, direct responses). */
const httpStatusProblem = (status: unknown) => {
    const n = Number(status);
    return n < 200 || n > 600 ? `HTTP status ${n} is not in range 200-599` : undefined;
};

/**
 * validateHTTPFaultInjection: an abort and/or a delay, each percentage as validatePercentage checks
 * it, then validateHTTPFaultInjectionAbort and validateHTTPFaultInjectionDelay.
 */
export function validateHTTPFaultInjection(fault: unknown, at: FieldPath, out: Issues) {
    if (!isObj(fault)) return;
    const { abort, delay } = fault;
    if (abort === undefined && delay === undefined)
        out.add(at, "HTTP fault injection must have an abort and/or a delay");
    for (const [k, v] of [
        ["abort", abort],
        ["delay", delay],
    ] as const)
        if (isObj(v) && isObj(v.percentage)) {
            const p = Number(v.percentage.value);
            if (p < 0 || p > 100 || (p > 0 && p < 0.0001))
                out.add(
                    [...at, k, "percentage", "value"],
                    `percentage ${p} is neither 0.0, nor in range [0.0001, 100.0]`,
                );
        }
    validateHTTPFaultInjectionAbort(abort, [...at, "abort"], out);
    validateHTTPFaultInjectionDelay(delay, [...at, "delay"], out);
}

/** validateHTTPFaultInjectionAbort, with validateGRPCStatus and validateHTTPStatus. */
function validateHTTPFaultInjectionAbort(abort: unknown, at: FieldPath, out: Issues) {
    if (!isObj(abort)) return;
    if (abort.http2Error !== undefined)
        out.add([...at, "http2Error"], "HTTP/2 abort fault injection not supported yet");
    if (abort.grpcStatus !== undefined && !GRPC_STATUS.has(str(abort.grpcStatus)))
        out.add(
            [...at, "grpcStatus"],
            `gRPC status "${str(abort.grpcStatus)}" is not supported. See https://github.com/grpc/grpc/blob/master/doc/statuscodes.md for a list of supported codes, for example 'NOT_FOUND'`,
        );
    if (abort.httpStatus !== undefined) out.add([...at, "httpStatus"], httpStatusProblem(abort.httpStatus));
}

/** validateHTTPFaultInjectionDelay: durations; an exponential delay is not supported yet. */
function validateHTTPFaultInjectionDelay(delay: unknown, at: FieldPath, out: Issues) {
    if (!isObj(delay)) return;
    out.add([...at, "fixedDelay"], durationProblem(delay.fixedDelay));
    if (delay.exponentialDelay !== undefined) {
        out.add([...at, "exponentialDelay"], durationProblem(delay.exponentialDelay));
        out.add([...at, "exponentialDelay"], "exponentialDelay not supported yet");
    }
}

/** validateHTTPRedirect: its first problem only. */
export function validateHTTPRedirect(d: unknown, at: FieldPath, out: Issues) {
    if (!isObj(d)) return;
    if (!str(d.uri) && !str(d.authority) && d.port === undefined && d.derivePort === undefined && !str(d.scheme))
        return out.add(at, "redirect must specify URI, authority, scheme, or port");
    const code = Number(d.redirectCode ?? 0);
    if (code !== 0 && (code < 300 || code > 399))
        return out.add([...at, "redirectCode"], `${code} is not a valid redirect code, must be 3xx`);
    if (str(d.scheme) !== "" && d.scheme !== "http" && d.scheme !== "https")
        return out.add([...at, "scheme"], 'invalid redirect scheme, must be "http" or "https"');
    if (typeof d.port === "number" && d.port > 0) out.add([...at, "port"], portProblem(d.port));
}

/**
 * validateHTTPRetry: attempts, durations and retryOn policies. A policy without attempts is attempts
 * 0 to istiod (proto3 has no "unset"), which disables retries: then nothing else may be set.
 */
export function validateHTTPRetry(t: unknown, at: FieldPath, out: Issues) {
    if (!isObj(t)) return;
    const attempts = typeof t.attempts === "number" ? t.attempts : 0;
    if (attempts < 0) out.add([...at, "attempts"], "attempts cannot be negative");
    if (attempts === 0 && (t.perTryTimeout != null || str(t.retryOn) || t.retryRemoteLocalities != null))
        out.add(at, "http retry policy configured when attempts are set to 0 (disabled)");
    out.add([...at, "perTryTimeout"], durationProblem(t.perTryTimeout));
    // A policy that strconv.Atoi reads ("503", "+503") is a status code if Go's http.StatusText knows it.
    if (str(t.retryOn))
        for (const policy of str(t.retryOn).split(","))
            if (!RETRY_ON.has(policy) && !(/^[+-]?\d+$/.test(policy) && HTTP_STATUS.has(Number(policy))))
                out.add([...at, "retryOn"], `"${policy}" is not a valid retryOn policy`);
    out.add([...at, "backoff"], durationProblem(t.backoff));
}

/** validateHTTPRewrite (stops at its first problem), with validateURIRegexRewrite. */
export function validateHTTPRewrite(w: unknown, at: FieldPath, out: Issues) {
    if (!isObj(w)) return;
    if (str(w.uri) && w.uriRegexRewrite !== undefined)
        out.add(at, "rewrite may only contain one of URI or UriRegexRewrite");
    else if (!str(w.uri) && w.uriRegexRewrite === undefined && !str(w.authority))
        out.add(
            at,
            "rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI or UriRegexRewrite may be specified",
        );
    else if (isObj(w.uriRegexRewrite)) {
        if (!str(w.uriRegexRewrite.match) || !str(w.uriRegexRewrite.rewrite))
            out.add(
                [...at, "uriRegexRewrite"],
                "UriRegexRewrite requires both Rewrite and Match fields to be specified",
            );
        else
            out.add(
                [...at, "uriRegexRewrite", "match"],
                regexProblem(str(w.uriRegexRewrite.match), "HTTPRewrite.UriRegexRewrite.Match"),
            );
    }
}

/** validateHTTPDirectResponse: a body under 1 MB and a status istiod accepts. */
export function validateHTTPDirectResponse(r: unknown, at: FieldPath, out: Issues) {
    if (!isObj(r)) return;
    const b: Obj = isObj(r.body) ? r.body : {};
    const size =
        typeof b.string === "string"
            ? Buffer.byteLength(b.string)
            : typeof b.bytes === "string"
              ? Buffer.from(b.bytes, "base64").length
              : 0;
    if (size > 1024 * 1024)
        out.add([...at, "body"], "large direct_responses may impact control plane performance, must be less than 1MB");
    out.add([...at, "status"], httpStatusProblem(r.status ?? 0));
}
