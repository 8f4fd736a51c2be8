// CEL as the Kubernetes API server evaluates x-kubernetes-validations rules: cel-go's standard
// library (through @bufbuild/cel, a conformant evaluator), the strings extension (substring, …),
// and the Kubernetes URL library (isURL, url, getScheme, …) ported from
// k8s.io/apiserver/pkg/cel/library/urls.go on top of a port of Go's net/url parser. Each rule is
// parsed and planned once per process.
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
    host: string;
    path: string;
    rawQuery: string;
}

/** Go's url.ParseRequestURI (viaRequest) or url.Parse; throws with Go's message. */
export function goParseUrl(raw: string, viaRequest: boolean): GoUrl {
    if ([...raw].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))
        throw new Error(`parse ${JSON.stringify(raw)}: net/url: invalid control character in URL`);
    let rest = raw;
    if (!viaRequest) {
        const hash = rest.indexOf("#");
        if (hash >= 0) rest = rest.slice(0, hash);
    }
    if (rest === "" && viaRequest) throw new Error('parse "": empty url');
    const u: GoUrl = { scheme: "", opaque: "", host: "", path: "", rawQuery: "" };
    if (rest === "*") return { ...u, path: "*" };
    // getScheme
    for (let i = 0; i < rest.length; i++) {
        const c = rest[i];
        if (/[a-zA-Z]/.test(c)) continue;
        if (/[0-9+\-.]/.test(c)) {
            if (i === 0) break;
            continue;
        }
        if (c === ":") {
            if (i === 0) throw new Error(`parse ${JSON.stringify(raw)}: missing protocol scheme`);
            u.scheme = rest.slice(0, i).toLowerCase();
            rest = rest.slice(i + 1);
        }
        break;
    }
    const q = rest.indexOf("?");
    if (q >= 0 && !(rest.endsWith("?") && rest.indexOf("?") === rest.length - 1)) {
        u.rawQuery = rest.slice(q + 1);
        rest = rest.slice(0, q);
    } else if (q >= 0) rest = rest.slice(0, q);
    if (!rest.startsWith("/")) {
        if (u.scheme !== "") return { ...u, opaque: rest };
        if (viaRequest) throw new Error(`parse ${JSON.stringify(raw)}: invalid URI for request`);
        const colon = rest.indexOf(":");
        const slash = rest.indexOf("/");
        if (colon >= 0 && (slash < 0 || colon < slash))
            throw new Error(`parse ${JSON.stringify(raw)}: first path segment in URL cannot contain colon`);
    }
    if ((u.scheme !== "" || (!viaRequest && !rest.startsWith("///"))) && rest.startsWith("//")) {
        let authority = rest.slice(2);
        const slash = authority.indexOf("/");
        rest = slash >= 0 ? authority.slice(slash) : "";
        if (slash >= 0) authority = authority.slice(0, slash);
        const at = authority.lastIndexOf("@");
        const host = at >= 0 ? authority.slice(at + 1) : authority;
        u.host = goParseHost(host, raw);
    }
    unescape(rest, raw);
    u.path = rest;
    return u;
}

function goParseHost(host: string, raw: string): string {
    if (host.startsWith("[")) {
        const end = host.lastIndexOf("]");
        if (end < 0) throw new Error(`parse ${JSON.stringify(raw)}: missing ']' in host`);
        const port = host.slice(end + 1);
        if (port !== "" && !/^:\d*$/.test(port))
            throw new Error(`parse ${JSON.stringify(raw)}: invalid port ${JSON.stringify(port)} after host`);
        return host;
    }
    const colon = host.lastIndexOf(":");
    if (colon >= 0) {
        const port = host.slice(colon);
        if (!/^:\d*$/.test(port))
            throw new Error(`parse ${JSON.stringify(raw)}: invalid port ${JSON.stringify(port)} after host`);
    }
    // Go refuses in a host name the ASCII characters it would have to escape there.
    for (const c of host.replace(/%[0-9a-fA-F]{2}/g, ""))
        if (c.charCodeAt(0) < 0x80 && !/[A-Za-z0-9\-_.~!$&'()*+,;=:[\]<>"]/.test(c))
            throw new Error(`parse ${JSON.stringify(raw)}: invalid character ${JSON.stringify(c)} in host name`);
    unescape(host, raw);
    return host;
}

function unescape(s: string, raw: string): void {
    const bad = /%(?![0-9a-fA-F]{2})(.{0,2})/.exec(s);
    if (bad) throw new Error(`parse ${JSON.stringify(raw)}: invalid URL escape ${JSON.stringify(bad[0])}`);
}

// A URL value is a map<string, string> of its parts: @bufbuild/cel has no opaque types outside a
// protobuf registry. Only the URL library's functions and methods see it.
const urlOf = (v: CelMap): GoUrl => ({
    scheme: String(v.get("scheme")),
    opaque: String(v.get("opaque")),
    host: String(v.get("host")),
    path: String(v.get("path")),
    rawQuery: String(v.get("rawQuery")),
});

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
            return urlOf(this).scheme;
        }),
        celMethod("getHost", URL_TYPE, [], CelScalar.STRING, function () {
            return urlOf(this).host;
        }),
        celMethod("getHostname", URL_TYPE, [], CelScalar.STRING, function () {
            const h = urlOf(this).host;
            if (h.startsWith("[")) return h.slice(1, h.lastIndexOf("]"));
            const colon = h.lastIndexOf(":");
            return colon >= 0 ? h.slice(0, colon) : h;
        }),
        celMethod("getPort", URL_TYPE, [], CelScalar.STRING, function () {
            const h = urlOf(this).host;
            const m = /:(\d*)$/.exec(h.startsWith("[") ? h.slice(h.lastIndexOf("]")) : h);
            return m ? m[1] : "";
        }),
        celMethod("getEscapedPath", URL_TYPE, [], CelScalar.STRING, function () {
            return urlOf(this).path;
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
