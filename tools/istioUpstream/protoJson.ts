// A protobuf message literal of Istio's Go API (a tree from goLiteral.ts) as the JSON the API server
// receives for it: what `protojson.Marshal` would print, with enums by name. Field names are the
// camelCase JSON names; a oneof's wrapper (`MatchType: &StringMatch_Exact{Exact: "x"}`) becomes its
// one field (`exact: "x"`), kept even when zero since a set oneof is sent; Duration is "1.5s",
// wrapper types are their value, bytes are base64; a scalar at its zero value (0, "", false) and
// nil are left out, as protojson leaves them out, while an empty message (`&Tls{}`), list or map is
// kept: present, it means something to istiod.
import { nodeName, type Node } from "./goLiteral";

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Values a table refers to by name (local variables, helpers' results), given by its recipe. */
export type Env = Record<string, Json | ((args: Json[]) => Json)>;

/** Go's constants the tables use. */
const CONSTANTS: Record<string, number | string | boolean> = {
    true: true,
    false: false,
    someName: "foo",
    someNamespace: "bar",
    kb: 1024,
    mb: 1024 * 1024,
    "time.Nanosecond": 1,
    "time.Microsecond": 1e3,
    "time.Millisecond": 1e6,
    "time.Second": 1e9,
    "time.Minute": 60e9,
    "time.Hour": 3600e9,
    "math.MaxUint32": 4294967295,
    "math.MaxInt32": 2147483647,
    "constants.DefaultAuthenticationPolicyName": "default",
    "constants.IstioMeshGateway": "mesh",
    "gvk.KubernetesGateway.Group": "gateway.networking.k8s.io",
    "gvk.KubernetesGateway.Kind": "Gateway",
    "gvk.Service.Group": "",
    "gvk.Service.Kind": "Service",
    "gvk.ServiceEntry.Group": "networking.istio.io",
    "gvk.ServiceEntry.Kind": "ServiceEntry",
    "gvk.GatewayClass.Group": "gateway.networking.k8s.io",
    "gvk.GatewayClass.Kind": "GatewayClass",
};

/** Go field names whose value is a oneof wrapper. */
const ONEOF_FIELDS = new Set([
    "MatchType",
    "LbPolicy",
    "HashKey",
    "HashAlgorithm",
    "ErrorType",
    "HttpDelayType",
    "Specifier",
    "RedirectPort",
    "ActionDetail",
    "Type",
    "MetricMatch",
    "PortMatch",
]);

/** "Consecutive_5XxErrors" → "consecutive5xxErrors", "String_" → "string", "Http1MaxPendingRequests" → "http1MaxPendingRequests". */
export function jsonName(goName: string): string {
    const trimmed = goName.replace(/_$/, "");
    // protoc-gen-go keeps "_" before a digit and capitalises the letter after the digits.
    const noDigitUnderscore = trimmed.replace(/_(\d+)([A-Z])/g, (_, d: string, c: string) => d + c.toLowerCase());
    return noDigitUnderscore[0].toLowerCase() + noDigitUnderscore.slice(1);
}

/** "networking.ClientTLSSettings_ISTIO_MUTUAL" → "ISTIO_MUTUAL"; undefined when it is no enum value. */
export function enumValue(qualified: string): string | undefined {
    const name = qualified.split(".").pop()!;
    const parts = name.split("_");
    const tail: string[] = [];
    while (parts.length > 1 && /^[A-Z0-9]+$/.test(parts[parts.length - 1])) tail.unshift(parts.pop()!);
    return tail.length && /[A-Z]/.test(tail.join("")) ? tail.join("_") : undefined;
}

function baseType(type: string | undefined): string {
    return (type ?? "").replace(/^(\*|\[\d*\])+/, "");
}

/** Seconds and nanoseconds as protojson writes a Duration. */
export function durationText(nanos: number): string {
    const negative = nanos < 0;
    const abs = Math.abs(nanos);
    const s = Math.floor(abs / 1e9);
    const ns = Math.round(abs - s * 1e9);
    let frac = ns === 0 ? "" : String(ns).padStart(9, "0");
    if (frac.endsWith("000000")) frac = frac.slice(0, 3);
    else if (frac.endsWith("000")) frac = frac.slice(0, 6);
    return `${negative ? "-" : ""}${s}${frac ? `.${frac}` : ""}s`;
}

// A scalar at its zero value is indistinguishable from an unset one in proto3. A list or map
// literal is kept even when empty: Go tells an empty slice from nil and some of istiod's rules do
// too (`rule.From != nil && len(rule.From) == 0`), so `[]` is what the upstream case means.
const isZero = (v: Json | undefined) => v === undefined || v === null || v === 0 || v === "" || v === false;

export class Converter {
    constructor(private readonly env: Env = {}) {}

    /** A Go value as JSON; `type` is the static type when the literal elides it. */
    value(n: Node, type?: string): Json | undefined {
        switch (n.k) {
            case "str":
                return n.v;
            case "num":
                return n.v;
            case "unary": {
                const x = this.value(n.x, type);
                if (n.op === "-") return -(x as number);
                if (n.op === "!") return !x;
                return x;
            }
            case "binary":
                return this.arith(n.op, this.value(n.l) as number, this.value(n.r) as number);
            case "ident":
            case "sel": {
                const name = nodeName(n);
                if (name === "nil") return undefined;
                if (name in this.env) return this.envValue(name, []);
                if (name in CONSTANTS) return CONSTANTS[name];
                const e = enumValue(name);
                if (e !== undefined && name.includes(".")) return e;
                throw new Error(`unknown value ${name}`);
            }
            case "call":
                return this.call(n);
            case "lit":
                return this.literal(n, n.type ?? type);
            case "opaque":
                throw new Error(`cannot read ${n.text.slice(0, 60)}`);
        }
    }

    private envValue(name: string, args: Json[]): Json {
        const v = this.env[name];
        return typeof v === "function" ? v(args) : structuredClone(v);
    }

    private arith(op: string, l: number, r: number): number {
        switch (op) {
            case "+":
                return l + r;
            case "-":
                return l - r;
            case "*":
                return l * r;
            case "/":
                return Math.trunc(l / r);
            case "<<":
                return l * 2 ** r;
            default:
                throw new Error(`operator ${op}`);
        }
    }

    private call(n: Extract<Node, { k: "call" }>): Json | undefined {
        const fn = nodeName(n.fn);
        const args = n.args.map((a) => this.value(a) as Json);
        if (fn in this.env) return this.envValue(fn, args);
        if (fn === "durationpb.New" || fn === "types.DurationProto") return durationText(args[0] as number);
        if (/^(wrapperspb|wrappers)\.\w+$/.test(fn)) return args[0];
        if (/^(u?int(32|64)?|float(32|64)|time\.Duration)$/.test(fn)) return args[0];
        if (fn === "string") return args[0];
        if (fn === "[]byte") {
            const a = args[0];
            // A long repeated body stays a recipe for itself: { $repeat, count, base64 }.
            if (a && typeof a === "object" && !Array.isArray(a)) return { ...a, base64: true };
            return Buffer.from(String(a)).toString("base64");
        }
        if (fn === "errors.New") return args[0];
        if (fn === "fmt.Errorf") return sprintf(String(args[0]), args.slice(1));
        if (fn === "strings.Repeat") return { $repeat: args[0], count: args[1] };
        if (fn === "fmt.Sprintf") return sprintf(String(args[0]), args.slice(1));
        if (fn === "strings.Join") return (args[0] as Json[]).join(String(args[1]));
        throw new Error(`unknown call ${fn}(…)`);
    }

    private literal(n: Extract<Node, { k: "lit" }>, type: string | undefined): Json | undefined {
        const t = type ?? "";
        if (t.startsWith("[]byte"))
            return Buffer.from(n.elems.map((e) => this.value(e.value) as number)).toString("base64");
        if (t.startsWith("[]")) {
            const elemType = t.slice(2);
            return n.elems.map((e) => this.value(e.value, elemType) ?? null);
        }
        if (t.startsWith("map[")) {
            const valueType = mapValueType(t);
            const out: Record<string, Json> = {};
            for (const e of n.elems) out[String(this.value(e.key!))] = this.value(e.value, valueType) ?? null;
            return out;
        }
        const base = baseType(t);
        const simple = base.split(".").pop() ?? "";
        const field = (name: string) => n.elems.find((e) => e.key && nodeName(e.key) === name)?.value;
        if (simple === "Duration") {
            const s = field("Seconds");
            const ns = field("Nanos");
            return durationText((s ? (this.value(s) as number) : 0) * 1e9 + (ns ? (this.value(ns) as number) : 0));
        }
        if (/Value$/.test(simple) && /^(wrapperspb|wrappers|types)\./.test(base)) {
            const v = field("Value");
            return v ? (this.value(v) as Json) : simple === "BoolValue" ? false : simple === "StringValue" ? "" : 0;
        }
        return this.message(n);
    }

    /** A message's fields; a oneof wrapper's field is lifted into it. */
    private message(n: Extract<Node, { k: "lit" }>): Json {
        const out: Record<string, Json> = {};
        for (const e of n.elems) {
            if (!e.key) throw new Error("positional fields in a message literal");
            const goField = nodeName(e.key);
            const wrapper = this.oneofWrapper(goField, e.value);
            if (wrapper) {
                Object.assign(out, wrapper);
                continue;
            }
            const v = this.value(e.value);
            // A wrapper type or a Duration is a message: set, it is sent even at its zero value.
            if (v !== undefined && (isWellKnown(e.value) || !isZero(v))) out[jsonName(goField)] = v;
        }
        return out;
    }

    private oneofWrapper(goField: string, value: Node): Record<string, Json> | undefined {
        const lit = value.k === "unary" && value.op === "&" ? value.x : value;
        if (lit.k !== "lit" || !lit.type) return undefined;
        const typeName = lit.type.split(".").pop()!;
        const only = lit.elems.length === 1 && lit.elems[0].key ? nodeName(lit.elems[0].key) : undefined;
        const byShape = only !== undefined && typeName.endsWith(`_${only}`) && typeName.includes("_");
        if (!ONEOF_FIELDS.has(goField) && !byShape) return undefined;
        const inner = only ?? typeName.replace(/_$/, "").split("_").pop()!;
        const v = only ? this.value(lit.elems[0].value) : undefined;
        // A set oneof is sent even at its zero value ("exact: ''", "httpStatus: 0").
        return { [jsonName(inner)]: v ?? zeroOf(inner) };
    }
}

function isWellKnown(n: Node): boolean {
    const x = n.k === "unary" && n.op === "&" ? n.x : n;
    const name = x.k === "lit" ? (x.type ?? "") : x.k === "call" ? nodeName(x.fn) : "";
    return /^(wrapperspb|wrappers|types|durationpb)\./.test(name);
}

function zeroOf(field: string): Json {
    return /^(Exact|Prefix|Regex|GrpcStatus|Http2Error|String_|HttpHeaderName|HttpQueryParameterName)$/.test(field)
        ? ""
        : /^(UseSourceIp)$/.test(field)
          ? false
          : /^(HttpStatus|Port)$/.test(field)
            ? 0
            : {};
}

function mapValueType(t: string): string {
    let depth = 0;
    for (let i = 3; i < t.length; i++) {
        if (t[i] === "[") depth++;
        if (t[i] === "]" && --depth === 0) return t.slice(i + 1);
    }
    return "";
}

function sprintf(format: string, args: Json[]): string {
    let i = 0;
    return format.replace(/%[-+# 0]*\d*(\.\d+)?[sdvqxf%]/g, (spec) => {
        if (spec === "%%") return "%";
        const a = args[i++];
        return spec.endsWith("q") ? JSON.stringify(a) : String(a);
    });
}
