// Whether a stack config can make the program register an Istio object that istiod judges like a
// given one. The program writes a few kinds, each with some fields fixed and the rest copied from
// config keys (components/manifests, components/validation/objects.ts): a field no config key sets
// makes a case unreachable; a value the config schema refuses does not (the schema stopping a
// value is one layer; istiod's webhook must still say the same thing, DESIGN.md "Preview is the
// truth"). Field paths are read from the config schema itself, so a new config key makes new cases
// reachable without editing this file.
import type { z } from "zod";
import { authorizationRule, destinationRule, httpRoute, serviceEntry } from "../../components/config/istioSpec";

export type Reachability = { reachable: true; reason?: undefined } | { reachable: false; reason: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === "object" && !Array.isArray(v);
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

interface Def {
    type: string;
    innerType?: z.ZodType;
    element?: z.ZodType;
    valueType?: z.ZodType;
    shape?: Record<string, z.ZodType>;
    options?: z.ZodType[];
    in?: z.ZodType;
}
const def = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The first field of `value` (under `path`) that no part of `schema` can write; undefined when all can. */
export function unwritable(value: unknown, schema: z.ZodType, path: string): string | undefined {
    let d = def(schema);
    while (["optional", "nullable", "default", "readonly", "catch"].includes(d.type)) d = def(d.innerType!);
    if (d.type === "pipe") return unwritable(value, d.in!, path);
    if (d.type === "union") {
        const all = d.options!.map((o) => unwritable(value, o, path));
        return all.includes(undefined) ? undefined : all[0];
    }
    if (isObj(value) && "$repeat" in value) return undefined; // a long string
    if (d.type === "object" && isObj(value)) {
        for (const [k, v] of Object.entries(value)) {
            const sub = d.shape![k];
            if (!sub) return `${path}.${k}`;
            const deeper = unwritable(v, sub, `${path}.${k}`);
            if (deeper) return deeper;
        }
    }
    if (d.type === "array" && Array.isArray(value))
        for (const [i, v] of value.entries()) {
            const deeper = unwritable(v, d.element!, `${path}[${i}]`);
            if (deeper) return deeper;
        }
    if (d.type === "record" && isObj(value))
        for (const [k, v] of Object.entries(value)) {
            const deeper = unwritable(v, d.valueType!, `${path}.${k}`);
            if (deeper) return deeper;
        }
    return undefined;
}

const no = (reason: string): Reachability => ({ reachable: false, reason });
const YES: Reachability = { reachable: true };

function onlyKeys(o: Obj, path: string, keys: string[], why: string): Reachability | undefined {
    const extra = Object.keys(o).find((k) => !keys.includes(k));
    return extra ? no(`${path}.${extra}: ${why}`) : undefined;
}

function fits(value: unknown, schema: z.ZodType, path: string, what: string): Reachability | undefined {
    const field = unwritable(value, schema, path);
    return field ? no(`${field}: no config key writes it (${what})`) : undefined;
}

const isJwtClaim = (h: string) => h.toLowerCase().startsWith("@request.auth.claims");

function virtualService(spec: Obj): Reachability {
    const extra = onlyKeys(
        spec,
        "spec",
        ["hosts", "gateways", "http"],
        "the program writes only hosts, gateways and HTTP routes",
    );
    if (extra) return extra;
    const hosts = Array.isArray(spec.hosts) ? spec.hosts : [];
    if (hosts.length === 0)
        return no("spec.hosts: a VirtualService without hosts is a delegate; the program's always have hosts");
    const gateways = Array.isArray(spec.gateways) ? spec.gateways.map(String) : [];
    const mesh = gateways.length === 0 || gateways.includes("mesh");
    if (mesh) {
        const headers = (Array.isArray(spec.http) ? spec.http : []).flatMap((r) =>
            isObj(r) && Array.isArray(r.match)
                ? r.match.flatMap((m) =>
                      isObj(m) ? [...Object.keys(m.headers ?? {}), ...Object.keys(m.withoutHeaders ?? {})] : [],
                  )
                : [],
        );
        if (hosts.includes("*") || headers.some(isJwtClaim))
            return no(
                "spec.gateways: the verdict depends on the VirtualService being bound to the mesh; the program binds every one to its Gateway",
            );
    } else if (!gateways.every((g) => g.split("/").length === 2 && g.split("/").every((p) => DNS_LABEL.test(p))))
        return no('spec.gateways: the program always writes "istio-system/<environment>-gateway"');
    return fits(spec.http, httpRoute.array(), "spec.http", "apps[].http") ?? YES;
}

function gateway(spec: Obj): Reachability {
    const extra = onlyKeys(
        spec,
        "spec",
        ["servers", "selector"],
        "the program writes only the selector and one server",
    );
    if (extra) return extra;
    const servers = Array.isArray(spec.servers) ? spec.servers : [];
    if (servers.length !== 1) return no("spec.servers: the program writes exactly one server");
    const s = servers[0];
    if (!isObj(s)) return no("spec.servers[0]: the program writes a server");
    const other = onlyKeys(
        s,
        "spec.servers[0]",
        ["port", "hosts"],
        "the program writes only the port and hosts (no TLS, bind or name)",
    );
    if (other) return other;
    const port = s.port;
    if (!isObj(port)) return no("spec.servers[0].port: the program always writes one");
    const portExtra = onlyKeys(
        port,
        "spec.servers[0].port",
        ["number", "name", "protocol"],
        "the program writes number, name and protocol",
    );
    if (portExtra) return portExtra;
    if (String(port.protocol ?? "").toUpperCase() !== "HTTP")
        return no("spec.servers[0].port.protocol: the program always writes HTTP");
    if (!port.name) return no('spec.servers[0].port.name: the program always writes "http-<environment>"');
    return YES;
}

function authorizationPolicy(object: Obj, spec: Obj): Reachability {
    if (isObj(object.metadata) && object.metadata.annotations)
        return no("metadata.annotations: the program writes none (no dry-run)");
    const extra = onlyKeys(
        spec,
        "spec",
        ["action", "rules", "selector"],
        "an app's policy has only an action and rules",
    );
    if (extra) return extra;
    if (spec.action !== undefined && spec.action !== "ALLOW") return no("spec.action: an app's policy is always ALLOW");
    if (spec.selector !== undefined) {
        // An app's policy selects its whole namespace. A well-formed selector changes nothing in
        // istiod's verdict, so the case is the same without it; a malformed one is the case.
        const labels = isObj(spec.selector) && isObj(spec.selector.matchLabels) ? spec.selector.matchLabels : {};
        const bad =
            Object.keys(labels).length === 0 ||
            Object.entries(labels).some(([k, v]) => k === "" || k.includes("*") || String(v).includes("*"));
        if (bad || onlyKeys(spec.selector as Obj, "spec.selector", ["matchLabels"], ""))
            return no("spec.selector: an app's policy has no selector; this case is about one");
    }
    if (!Array.isArray(spec.rules) || spec.rules.length === 0)
        return no("spec.rules: the program writes a policy only for a non-empty apps[].authorization");
    return fits(spec.rules, authorizationRule.array(), "spec.rules", "apps[].authorization") ?? YES;
}

function telemetry(spec: Obj): Reachability {
    const extra = onlyKeys(spec, "spec", ["tracing"], "the mesh Telemetry has only tracing");
    if (extra) return extra;
    const tracing = Array.isArray(spec.tracing) ? spec.tracing : [];
    if (tracing.length !== 1 || !isObj(tracing[0])) return no("spec.tracing: the program writes exactly one entry");
    const t = tracing[0];
    const other = onlyKeys(
        t,
        "spec.tracing[0]",
        ["providers", "randomSamplingPercentage"],
        "the program writes the provider and the sampling",
    );
    if (other) return other;
    const providers = Array.isArray(t.providers) ? t.providers : [];
    if (providers.some((p) => !isObj(p) || !p.name))
        return no("spec.tracing[0].providers: the program always names its provider");
    return YES;
}

/** Whether the program can register an object istiod judges like `object`, and why not. */
export function reachability(object: Obj): Reachability {
    const spec = isObj(object.spec) ? object.spec : {};
    const metadata = isObj(object.metadata) ? object.metadata : {};
    switch (object.kind) {
        case "VirtualService":
            return virtualService(spec);
        case "Gateway":
            return gateway(spec);
        case "DestinationRule":
            return fits(spec, destinationRule, "spec", "apps[].destinationRules[]") ?? YES;
        case "ServiceEntry":
            if (metadata.labels) return no("metadata.labels: the program's labels are fixed");
            return fits(spec, serviceEntry, "spec", "apps[].serviceEntries[]") ?? YES;
        case "AuthorizationPolicy":
            return authorizationPolicy(object, spec);
        case "PeerAuthentication":
            return no(
                "the program's only PeerAuthentication is the fixed mesh-wide STRICT one; no config key writes it",
            );
        case "Telemetry":
            return telemetry(spec);
        default:
            return no(`the program registers no ${String(object.kind)}`);
    }
}
