// What the API server says about a custom resource: the structural schema of its CRD (types,
// enums, formats, bounds, required fields, unknown fields, list-map keys, oneOf/anyOf/not) and every
// x-kubernetes-validations CEL rule, read from the vendored Istio CRD file of the pinned version.
// Unknown fields are errors here although the API server would prune them: a field that is
// dropped silently is a config that does not do what it says.
import { celProgram } from "./cel";
import { compileRe2 } from "./re2";
import { loadCompactCrds, type Schema } from "./vendorData";

/** The vendored CRD file of the Istio version the project pins by default. */
export const ISTIO_CRD_FILE = "istio-1.30.3.crd-all.gen.yaml";

/**
 * Vendored CRD file per Istio minor version. Patch releases share their minor's CRDs: 1.30.3's file
 * is unchanged on release-1.30 through 1.30.5.
 */
export const CRD_FILES: Record<string, string> = {
    "1.30": ISTIO_CRD_FILE,
    "1.31": "istio-1.31.crd-all.gen.yaml",
};

/**
 * The CRD file to validate against for an Istio version. A minor with no vendored file falls back
 * to the default's; refusing such a version is the compatibility preflight's job, not this one's.
 */
export function crdFileFor(istioVersion: string): string {
    return CRD_FILES[istioVersion.split(".").slice(0, 2).join(".")] ?? ISTIO_CRD_FILE;
}

export type FieldPath = (string | number)[];

/** One refusal, with the path of the field inside the object (["spec", "http", 0, "timeout"]). */
export interface CrdIssue {
    path: FieldPath;
    message: string;
    /** For a CEL rule: the fields of the object at `path` it reads (`self.endpoints`), which it refuses too. */
    fields?: string[];
}

/** "spec.http[0].timeout", as the API server writes field paths. */
export function fieldPathText(path: FieldPath): string {
    return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** The schema of `apiVersion`/`kind` in the vendored CRDs, or undefined when there is no such CRD. */
export function crdSchema(apiVersion: string, kind: string, file = ISTIO_CRD_FILE): Schema | undefined {
    return loadCompactCrds(file).schemas[`${apiVersion}/${kind}`];
}

/** Every reason the API server would refuse `obj`; [] when it would accept it. */
export function crdIssues(
    obj: { apiVersion: string; kind: string; spec?: unknown },
    file = ISTIO_CRD_FILE,
): CrdIssue[] {
    const schema = crdSchema(obj.apiVersion, obj.kind, file);
    if (!schema) return [{ path: [], message: `no CRD for ${obj.apiVersion} ${obj.kind} in ${file}` }];
    const out: CrdIssue[] = [];
    // metadata is checked by Kubernetes' own rules (see names.ts), not by the CRD schema; a CRD may
    // require spec itself (ServiceEntry, WorkloadEntry).
    if (obj.spec !== undefined) check(obj.spec, schema.properties?.spec ?? {}, ["spec"], out);
    else if (schema.required?.includes("spec")) out.push({ path: ["spec"], message: "is required" });
    return out;
}

/**
 * Every reason the API server would refuse `value` as the field at `path` whose schema is `schema`
 * (a node of a CRD's openAPIV3Schema); [] when it would accept it. `crdIssues` is this for `spec`.
 */
export function schemaIssues(value: unknown, schema: Schema, path: FieldPath): CrdIssue[] {
    const out: CrdIssue[] = [];
    check(value, schema, path, out);
    return out;
}

const INT32 = { min: -2147483648, max: 2147483647 };

/** JSON type of a value that is neither null nor undefined (check() returns before those). */
function typeOf(v: unknown): string {
    if (Array.isArray(v)) return "array";
    if (typeof v === "number") return Number.isInteger(v) ? "integer" : "number";
    return typeof v;
}

function shown(v: unknown): string {
    const s = JSON.stringify(v) ?? String(v);
    return s.length > 40 ? `${s.slice(0, 39)}…` : s;
}

/** Structural check of `v` against `s`, then its CEL rules when the structure holds. */
function check(v: unknown, s: Schema, path: FieldPath, out: CrdIssue[]): void {
    const issue = (message: string) => out.push({ path, message });
    const before = out.length;
    if (v === null || v === undefined) {
        if (!s.nullable) issue("must not be null");
        return;
    }
    const t = typeOf(v);
    if (s["x-kubernetes-int-or-string"]) {
        if (t !== "integer" && t !== "string") {
            issue(`must be an integer or a string, got ${t}`);
            return;
        }
    } else if (s.type) {
        const ok = s.type === t || (s.type === "number" && t === "integer");
        if (!ok) {
            issue(`must be of type ${s.type}, got ${t} ${shown(v)}`);
            return;
        }
    }
    if (s.enum && !s.enum.includes(v))
        issue(`unsupported value ${shown(v)}: must be one of ${s.enum.map((e) => JSON.stringify(e)).join(", ")}`);

    if (typeof v === "string") {
        // A string has at least half as many characters as UTF-16 units: most need no count.
        if (s.minLength !== undefined && v.length < 2 * s.minLength && codePoints(v) < s.minLength)
            issue(`must be at least ${s.minLength} characters long`);
        if (s.maxLength !== undefined && v.length > s.maxLength && codePoints(v) > s.maxLength)
            issue(`may not be more than ${s.maxLength} characters long, got ${codePoints(v)}`);
        if (s.pattern !== undefined && !compiledPattern(s.pattern).test(v))
            issue(`${shown(v)} must match the pattern ${s.pattern}`);
        const formatProblem = s.format ? stringFormatProblem(s.format, v) : undefined;
        if (formatProblem) issue(formatProblem);
    }
    if (typeof v === "number") {
        if (s.minimum !== undefined && v < s.minimum) issue(`must be greater than or equal to ${s.minimum}, got ${v}`);
        if (s.maximum !== undefined && v > s.maximum) issue(`must be less than or equal to ${s.maximum}, got ${v}`);
        // istiod reads the object into protobuf: an int32 field cannot hold more.
        if (s.format === "int32" && (v < INT32.min || v > INT32.max)) issue(`${v} does not fit in an int32`);
    }
    if (Array.isArray(v)) {
        if (s.minItems !== undefined && v.length < s.minItems) issue(`must have at least ${s.minItems} items`);
        if (s.maxItems !== undefined && v.length > s.maxItems)
            issue(`must have at most ${s.maxItems} items, got ${v.length}`);
        if (s.items) v.forEach((x, i) => check(x, s.items!, [...path, i], out));
        listTypeProblems(v, s, path, out);
    }
    if (t === "object") {
        const o = v as Record<string, unknown>;
        // A property set to undefined is not sent: JSON (and Pulumi's serialisation) drops it.
        const keys = Object.keys(o).filter((k) => o[k] !== undefined);
        for (const r of s.required ?? [])
            if (o[r] === undefined) out.push({ path: [...path, r], message: "is required" });
        if (s.minProperties !== undefined && keys.length < s.minProperties)
            issue(`must have at least ${s.minProperties} properties`);
        if (s.maxProperties !== undefined && keys.length > s.maxProperties)
            issue(`must have at most ${s.maxProperties} properties`);
        for (const k of keys) {
            const sub = s.properties && Object.hasOwn(s.properties, k) ? s.properties[k] : undefined;
            if (sub) check(o[k], sub, [...path, k], out);
            else if (typeof s.additionalProperties === "object") check(o[k], s.additionalProperties, [...path, k], out);
            else if (s.properties && !s["x-kubernetes-preserve-unknown-fields"] && s.additionalProperties !== true)
                out.push({
                    path: [...path, k],
                    message: "is not a field of this object (the API server would drop it)",
                });
        }
    }
    combinatorProblems(v, s, path, out);
    // As the API server: CEL rules see only values that passed the schema at this node.
    if (out.length === before) for (const r of s["x-kubernetes-validations"] ?? []) celRuleProblem(v, s, r, path, out);
}

let lastCount: [string, number] | undefined;

/**
 * Characters (code points) in `s`, as the API server counts a string's length, without making an
 * array of them; the last count is kept, as a schema may check one value several times (oneOf).
 */
function codePoints(s: string): number {
    if (lastCount?.[0] === s) return lastCount[1];
    let n = 0;
    for (let i = 0; i < s.length; i++, n++) {
        const c = s.charCodeAt(i);
        const next = s.charCodeAt(i + 1);
        if (c >= 0xd800 && c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) i++;
    }
    lastCount = [s, n];
    return n;
}

/** oneOf / anyOf / allOf / not: in CRDs they only combine `required` and value constraints. */
function combinatorProblems(v: unknown, s: Schema, path: FieldPath, out: CrdIssue[]): void {
    const passes = (sub: Schema) => {
        const tmp: CrdIssue[] = [];
        check(v, sub, path, tmp);
        return tmp.length === 0;
    };
    for (const sub of s.allOf ?? []) check(v, sub, path, out);
    if (s.anyOf && !s.anyOf.some(passes)) out.push({ path, message: "must validate at least one schema (anyOf)" });
    if (s.oneOf) {
        const n = s.oneOf.filter(passes).length;
        if (n !== 1)
            out.push({
                path,
                message:
                    n === 0
                        ? "must validate one and only one schema (oneOf); it matches none"
                        : `must validate one and only one schema (oneOf); found ${n} valid alternatives`,
            });
    }
    if (s.not && passes(s.not)) out.push({ path, message: "must not validate the schema (not)" });
}

function listTypeProblems(v: unknown[], s: Schema, path: FieldPath, out: CrdIssue[]): void {
    const type = s["x-kubernetes-list-type"];
    if (type !== "set" && type !== "map") return;
    const keys = s["x-kubernetes-list-map-keys"] ?? [];
    const seen = new Map<string, number>();
    v.forEach((x, i) => {
        // A list-map entry that is not an object has no keys; its items schema already refuses it.
        if (type === "map" && (x === null || typeof x !== "object")) return;
        const key =
            type === "set"
                ? JSON.stringify(x)
                : JSON.stringify(keys.map((k) => (x as Record<string, unknown>)[k] ?? null));
        const first = seen.get(key);
        if (first !== undefined)
            out.push({
                path: [...path, i],
                message:
                    type === "set"
                        ? `duplicate entry ${shown(x)} (also at [${first}])`
                        : `duplicate entry with ${keys.map((k) => `${k}=${shown((x as Record<string, unknown>)[k])}`).join(", ")} (also at [${first}])`,
            });
        else seen.set(key, i);
    });
}

function celRuleProblem(
    v: unknown,
    s: Schema,
    r: { rule: string; message?: string },
    path: FieldPath,
    out: CrdIssue[],
): void {
    const result = celProgram(r.rule)(celValue(v, s) as never);
    if (result === true) return;
    // A rule that errors (a duration out of Go's range, a URL that does not parse) refuses the
    // object as surely as one that is false.
    const message = r.message ?? `failed rule: ${r.rule}`;
    const fields = [...new Set([...r.rule.matchAll(/\bself\.(\w+)\b(?!\s*\()/g)].map((m) => m[1]))];
    out.push({
        path,
        message: result instanceof Error ? `${message} (${result.message})` : message,
        ...(fields.length ? { fields } : {}),
    });
}

/**
 * The CEL value of `v` as the API server builds it from the schema: integers are CEL ints
 * (bigint), objects are maps, lists are lists.
 */
function celValue(v: unknown, s: Schema | undefined): unknown {
    if (v === null || v === undefined) return null;
    if (Array.isArray(v)) return v.map((x) => celValue(x, s?.items));
    if (typeof v === "number") {
        const integer = s?.type === "integer" || s?.["x-kubernetes-int-or-string"] || (!s?.type && Number.isInteger(v));
        return integer && Number.isInteger(v) ? BigInt(v) : v;
    }
    if (typeof v === "object") {
        const m = new Map<string, unknown>();
        for (const [k, x] of Object.entries(v)) {
            if (x === undefined) continue; // not sent (see check): self has no such key
            const sub =
                s?.properties && Object.hasOwn(s.properties, k)
                    ? s.properties[k]
                    : typeof s?.additionalProperties === "object"
                      ? s.additionalProperties
                      : undefined;
            m.set(k, celValue(x, sub));
        }
        return m;
    }
    return v;
}

/** The API server compiles `pattern` with Go's regexp (RE2), hence re2js, not RegExp. */
const compiledPattern = compileRe2;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function stringFormatProblem(format: string, v: string): string | undefined {
    if (format === "byte" && !BASE64.test(v)) return `${shown(v)} is not base64 (format byte)`;
    if (format === "date-time" && (!DATE_TIME.test(v) || Number.isNaN(Date.parse(v))))
        return `${shown(v)} is not an RFC 3339 date-time`;
    return undefined;
}
