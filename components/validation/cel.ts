// CEL as the Kubernetes API server evaluates x-kubernetes-validations rules: cel-go's standard
// library (through @bufbuild/cel, a conformant evaluator), the strings extension (substring, …),
// and the Kubernetes URL library (isURL, url, getScheme, …) ported from
// k8s.io/apiserver/pkg/cel/library/urls.go on top of a port of Go's net/url parser. Each rule is
// parsed and planned once per process. Not ported: urls.go's getQuery (no rule in the vendored
// CRDs calls it; a rule that did would fail to compile here, loudly), and Go's newer host checks
// that depend on the API server's Go version (1.24.8/1.25.2: a bracketed host must be an IPv6
// address; 1.26: one colon in an http(s) host), which no Istio rule's input reaches.
//
// @bufbuild/cel (and the protobuf runtime under it) is loaded on the first rule a config reaches:
// most stacks reach none, and loading it costs ~100 ms of the 2 s stack-evaluation budget.
import type { CelInput, CelMap, CelValue } from "@bufbuild/cel";

type Cel = typeof import("@bufbuild/cel");
const loadCel = (): { cel: Cel; strings: typeof import("@bufbuild/cel/ext").strings } => ({
    cel: require("@bufbuild/cel") as Cel,
    strings: (require("@bufbuild/cel/ext") as typeof import("@bufbuild/cel/ext")).strings,
});

/** A parsed URL, as Go's net/url keeps it (only what the Kubernetes URL library reads). */
export interface GoUrl {
    scheme: string;
    opaque: string;
    /** Unescaped, as Go keeps it ("%C3%A9.com" is "é.com"). */
    host: string;
    /** Unescaped, as Go keeps it. */
    path: string;
    /** The path as written, when it is not the default escaping of `path` (Go's setPath). */
    rawPath: string;
    rawQuery: string;
}

// Go's %q (strconv.Quote) of the strings its errors name: JSON's quoting but for control characters.
const goQuote = (s: string): string =>
    JSON.stringify(s)
        .replace(/\\u00([0-9a-f]{2})/g, (_, h: string) => ({ "07": "\\a", "0b": "\\v" })[h] ?? `\\x${h}`)
        .replace(/\x7f/g, "\\x7f");

type Fail = (message: string) => Error;

/** Go's url.ParseRequestURI (viaRequest) or url.Parse; throws with Go's message. */
export function goParseUrl(raw: string, viaRequest: boolean): GoUrl {
    if (viaRequest) return goParse(raw, true);
    // Parse cuts the fragment off before parsing, then checks its escapes (setFragment).
    const hash = raw.indexOf("#");
    if (hash < 0) return goParse(raw, false);
    const u = goParse(raw.slice(0, hash), false);
    unescape(raw.slice(hash + 1), (m) => new Error(`parse ${goQuote(raw)}: ${m}`));
    return u;
}

// net/url's parse(rawURL, viaRequest).
function goParse(raw: string, viaRequest: boolean): GoUrl {
    const fail: Fail = (m) => new Error(`parse ${goQuote(raw)}: ${m}`);
    if ([...raw].some((c) => c < " " || c === "\x7f")) throw fail("net/url: invalid control character in URL");
    if (raw === "" && viaRequest) throw fail("empty url");
    const u: GoUrl = { scheme: "", opaque: "", host: "", path: "", rawPath: "", rawQuery: "" };
    if (raw === "*") return { ...u, path: "*" };
    let rest = raw;
    // getScheme: a letter, then letters, digits, "+", "-", "." up to a colon; a colon first is an error.
    if (rest.startsWith(":")) throw fail("missing protocol scheme");
    const scheme = /^[a-zA-Z][a-zA-Z0-9+\-.]*:/.exec(rest)?.[0];
    if (scheme) {
        u.scheme = scheme.slice(0, -1).toLowerCase();
        rest = rest.slice(scheme.length);
    }
    // Go keeps whether a lone trailing "?" was there (ForceQuery); the library never reads it.
    const q = rest.indexOf("?");
    if (q >= 0) {
        u.rawQuery = rest.slice(q + 1);
        rest = rest.slice(0, q);
    }
    if (!rest.startsWith("/")) {
        if (u.scheme !== "") return { ...u, opaque: rest };
        if (viaRequest) throw fail("invalid URI for request");
        if (rest.split("/", 1)[0].includes(":")) throw fail("first path segment in URL cannot contain colon");
    }
    if ((u.scheme !== "" || (!viaRequest && !rest.startsWith("///"))) && rest.startsWith("//")) {
        let authority = rest.slice(2);
        rest = "";
        const slash = authority.indexOf("/");
        if (slash >= 0) {
            rest = authority.slice(slash);
            authority = authority.slice(0, slash);
        }
        // parseAuthority: the host after the last "@", then the userinfo before it.
        const at = authority.lastIndexOf("@");
        u.host = goParseHost(authority.slice(at + 1), fail);
        if (at >= 0) {
            const userinfo = authority.slice(0, at);
            if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo)) throw fail("net/url: invalid userinfo");
            const [user, ...password] = userinfo.split(":");
            unescape(user, fail);
            unescape(password.join(":"), fail);
        }
    }
    u.path = unescape(rest, fail);
    u.rawPath = escapePath(u.path) === rest ? "" : rest;
    return u;
}

const validOptionalPort = (port: string): boolean => /^(:\d*)?$/.test(port);

function goParseHost(host: string, fail: Fail): string {
    if (host.startsWith("[")) {
        const end = host.lastIndexOf("]");
        if (end < 0) throw fail("missing ']' in host");
        const port = host.slice(end + 1);
        if (!validOptionalPort(port)) throw fail(`invalid port ${goQuote(port)} after host`);
        // RFC 6874: "%25" starts an IPv6 zone, which may escape what a host may not. (Go looks
        // for it before the "]" and unescapes the "]:port" too: no "%" can be there, the port
        // is digits.)
        const zone = host.indexOf("%25");
        if (zone >= 0)
            return (
                unescape(host.slice(0, zone), fail, "host") +
                unescape(host.slice(zone, end), fail, "zone") +
                host.slice(end)
            );
    } else {
        const colon = host.lastIndexOf(":");
        if (colon >= 0 && !validOptionalPort(host.slice(colon)))
            throw fail(`invalid port ${goQuote(host.slice(colon))} after host`);
    }
    return unescape(host, fail, "host");
}

// What Go leaves unescaped in a host (shouldEscape(c, encodeHost) is false).
const HOST_CHAR = /[A-Za-z0-9\-_.~!$&'()*+,;=:[\]<>"]/;

/**
 * Go's unescape: checks the escapes (and, in a host or zone, the characters) and decodes each %XX
 * as a byte. The path, the userinfo and the fragment (no mode) are only checked for escapes.
 */
function unescape(s: string, fail: Fail, mode?: "host" | "zone"): string {
    // Go reads "%" and the (up to) two bytes after it as one escape, whatever they are.
    for (const [c] of s.matchAll(/%.{0,2}|[^%]/gs)) {
        if (c.startsWith("%")) {
            // A bad escape is "%" and at most two characters: two hex digits in it are at 1-2.
            if (!/[0-9a-fA-F]{2}/.test(c)) throw fail(`invalid URL escape ${goQuote(c)}`);
            const byte = parseInt(c.slice(1), 16);
            // A host may escape only non-ASCII bytes, and "%25" (RFC 6874); a zone what a host
            // may hold as is, and a space.
            const refused =
                mode === "host"
                    ? byte < 0x80 && c !== "%25"
                    : mode === "zone" && c !== "%25" && byte !== 0x20 && !HOST_CHAR.test(String.fromCharCode(byte));
            if (refused) throw fail(`invalid URL escape ${goQuote(c)}`);
        } else if (mode && c < "\x80" && !HOST_CHAR.test(c)) throw fail(`invalid character ${goQuote(c)} in host name`);
    }
    const parts = s.split(/(%[0-9a-fA-F]{2})/);
    return Buffer.concat(
        parts.map((p, i) => (i % 2 === 1 ? Buffer.from([parseInt(p.slice(1), 16)]) : Buffer.from(p))),
    ).toString("utf8");
}

// Go's escape(s, encodePath): every byte but the unreserved ones and $&+,/:;=@ as %XX (two hex
// digits: control characters, the only bytes below 0x10, never get this far).
const escapePath = (path: string): string =>
    [...Buffer.from(path)]
        .map((b) => {
            const c = String.fromCharCode(b);
            return /[A-Za-z0-9\-_.~$&+,/:;=@]/.test(c) ? c : `%${b.toString(16).toUpperCase()}`;
        })
        .join("");

/** Go's URL.EscapedPath: the path as written when that is a valid escaping, else Go's escaping. */
function escapedPath(path: string, rawPath: string): string {
    // (Go also checks that rawPath unescapes to path: it does, the parser set both.)
    if (rawPath !== "" && /^[A-Za-z0-9\-_.~!$&'()*+,;=:@[\]%/]*$/.test(rawPath)) return rawPath;
    return path === "*" ? "*" : escapePath(path);
}

/** Go's splitHostPort, behind URL.Hostname and URL.Port. */
function splitHostPort(hostPort: string): [host: string, port: string] {
    // Go tries the last colon: a valid optional port is a colon and digits to the end.
    const port = /:(\d*)$/.exec(hostPort);
    const host = port ? hostPort.slice(0, port.index) : hostPort;
    return [host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host, port?.[1] ?? ""];
}

// A URL value is a map<string, string> of its parts: @bufbuild/cel has no opaque types outside a
// protobuf registry. Only the URL library's functions and methods see it.
const part = (v: CelMap, key: keyof GoUrl): string => String(v.get(key));

/** The Kubernetes URL library (urls.go): url(), isURL() and the URL accessors. */
function k8sUrlFuncs({ celFunc, celMethod, CelScalar, mapType }: Cel) {
    const URL_TYPE = mapType(CelScalar.STRING, CelScalar.STRING);
    return [
        celFunc("isURL", [CelScalar.STRING], CelScalar.BOOL, (s) => {
            try {
                goParseUrl(s, true);
                return true;
            } catch {
                return false;
            }
        }),
        celFunc("url", [CelScalar.STRING], URL_TYPE, (s) => {
            try {
                goParseUrl(s, true);
                // Parsed again with Parse, as urls.go does: ParseRequestURI mishandles fragments.
                return new Map(Object.entries(goParseUrl(s, false)));
            } catch (e) {
                throw new Error(`URL parse error during conversion from string: ${(e as Error).message}`, { cause: e });
            }
        }),
        celMethod("getScheme", URL_TYPE, [], CelScalar.STRING, function () {
            return part(this, "scheme");
        }),
        celMethod("getHost", URL_TYPE, [], CelScalar.STRING, function () {
            return part(this, "host");
        }),
        celMethod("getHostname", URL_TYPE, [], CelScalar.STRING, function () {
            return splitHostPort(part(this, "host"))[0];
        }),
        celMethod("getPort", URL_TYPE, [], CelScalar.STRING, function () {
            return splitHostPort(part(this, "host"))[1];
        }),
        celMethod("getEscapedPath", URL_TYPE, [], CelScalar.STRING, function () {
            return escapedPath(part(this, "path"), part(this, "rawPath"));
        }),
    ];
}

let loaded: { cel: Cel; env: ReturnType<Cel["celEnv"]> } | undefined;
function celRuntime() {
    if (!loaded) {
        const { cel, strings } = loadCel();
        loaded = { cel, env: cel.celEnv({ funcs: [...strings, ...k8sUrlFuncs(cel)] }) };
    }
    return loaded;
}

type Program = (self: CelInput) => CelValue | Error;
const programs = new Map<string, Program>();

/** A rule compiled once per process; evaluation returns the value or the evaluation error. */
export function celProgram(rule: string): Program {
    let p = programs.get(rule);
    if (!p) {
        const { cel, env } = celRuntime();
        const planned = cel.plan(env, cel.parse(rule));
        p = (self) => {
            const r = planned({ self });
            return cel.isCelError(r) ? new Error(r.message) : r;
        };
        programs.set(rule, p);
    }
    return p;
}
