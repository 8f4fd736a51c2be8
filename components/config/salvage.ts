// What a config with problems can still be judged on. The contract reports every problem it finds;
// the objects of the parts that parsed are still built and validated (components/stack.ts), so that
// a bad namespace does not hide a bad host in the same app, nor a bad label the ports of another
// object. A section that fails its schema is parsed again without the values its issues point at
// (a missing required field takes its parent with it, up to a whole list entry), and the keys left
// out are remembered: what depends on them is not judged (components/validation/index.ts).
import type { z } from "zod";
import type { StackConfig } from "./contract";

/** A config built from the parts of a config that parsed, for judging what does not depend on the rest. */
export interface PartialConfig {
    config: StackConfig;
    /**
     * Key paths (without "eks-istio:", as the stack file has them) whose values were left out or
     * replaced by a placeholder to build `config`.
     */
    removed: readonly string[];
    /**
     * Of `removed`, the entries of a map (a label, a header match) or of a list of plain values (a
     * host, a principal), each with the key of its map or list: nothing in an object depends on
     * one such entry but the map or list itself and what holds it.
     */
    entries: ReadonlyMap<string, string>;
    /** Key paths of every problem the contract found (without "eks-istio:"). */
    problemKeys: readonly string[];
    /** The key path in the stack file of a key path of `config` (they differ where list entries were left out). */
    originalKey(at: string): string;
}

/** `a` is `b` or lies inside it ("apps[0].http" inside "apps[0]"; "apps[10]" is not inside "apps[1]"). */
export function keyWithin(a: string, b: string): boolean {
    return a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
}

/** One key holds the other: a problem at either depends on the value at the deeper one. */
export function keysRelated(a: string, b: string): boolean {
    return keyWithin(a, b) || keyWithin(b, a);
}

type Path = (string | number)[];

/** An entry of a list that is being cut out. */
const HOLE = Symbol("removed");

/** The schema of the value at `path` inside a value of `schema` (undefined where it cannot be told). */
function schemaAt(schema: z.ZodType, path: Path): z.ZodType | undefined {
    const unwrap = (x: any): any => {
        while (x && ["optional", "default", "nullable", "readonly", "prefault"].includes(x.def?.type))
            x = x.def.innerType;
        return x;
    };
    let s: any = unwrap(schema);
    for (const seg of path) {
        if (s?.def?.type === "array") s = s.element;
        else if (s?.def?.type === "record") s = s.def.valueType;
        else if (s?.def?.type === "object" && Object.hasOwn(s.shape, seg)) s = s.shape[seg as string];
        else return undefined;
        s = unwrap(s);
    }
    return s;
}

const isRecord = (s: z.ZodType | undefined) => (s as any)?.def?.type === "record";

/** Takes the holes out of every list in `v`, keeping where each remaining entry came from. */
function compact(v: unknown, origins: WeakMap<unknown[], number[]>, depth = 0): void {
    if (depth > 64 || v === null || typeof v !== "object") return;
    if (Array.isArray(v)) {
        if (v.includes(HOLE)) {
            const origin = origins.get(v) ?? v.map((_, i) => i);
            const kept = v.flatMap((x, i) => (x === HOLE ? [] : [[x, origin[i]] as const]));
            v.splice(0, v.length, ...kept.map(([x]) => x));
            origins.set(
                v,
                kept.map(([, o]) => o),
            );
        }
        v.forEach((x) => compact(x, origins, depth + 1));
        return;
    }
    for (const x of Object.values(v)) compact(x, origins, depth + 1);
}

function pathText(path: Path): string {
    return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}

/** A copy of JSON-like data that can be cut without touching the input. */
function copy(v: unknown, depth = 0): unknown {
    if (depth > 64 || v === null || typeof v !== "object") return v;
    if (Array.isArray(v)) return v.map((x) => copy(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v))
        Object.defineProperty(out, k, {
            value: copy((v as Record<string, unknown>)[k], depth + 1),
            enumerable: true,
            writable: true,
            configurable: true,
        });
    return out;
}

/**
 * Tracks what the parse of a config with problems left out, and where the list entries that stayed
 * came from, so that a key path of the built config can be told in the stack file's terms.
 */
export class Salvage {
    readonly removed: string[] = [];
    readonly entries = new Map<string, string>();
    /** Array path (original coordinates) → the original index of each entry that stayed. */
    private readonly lists = new Map<string, number[]>();

    /** Records that the value at `at` (original coordinates) was left out or replaced. */
    remove(at: string): void {
        if (!this.removed.includes(at)) this.removed.push(at);
    }

    /** Records that the entry `at` of the map or list at `container` was left out: only `container` depends on it. */
    removeEntry(at: string, container: string): void {
        this.remove(at);
        this.entries.set(at, container);
    }

    /** Records which entries of the list at `at` (original coordinates) stayed, in order. */
    keptEntries(at: string, kept: number[]): void {
        if (kept.some((o, i) => o !== i)) this.lists.set(at, kept);
    }

    /** The key path in the stack file of `at`, a key path of the built config. */
    originalKey(at: string): string {
        let out = "";
        let last = 0;
        for (const m of at.matchAll(/\[(\d+)\]/g)) {
            out += at.slice(last, m.index);
            const n = Number(m[1]);
            out += `[${this.lists.get(out)?.[n] ?? n}]`;
            last = m.index + m[0].length;
        }
        return out + at.slice(last);
    }

    /**
     * `value` parsed by `schema` without the values `issues` (zod's, from parsing `value`) point at,
     * or undefined when nothing of it is left. `key` is where `value` sits in the stack file.
     */
    parse<T>(key: string, schema: z.ZodType<T>, value: unknown, issues: readonly z.core.$ZodIssue[]): T | undefined {
        const root: { value: unknown } = { value: copy(value) };
        // Where each entry of each list (by identity) came from, while entries are being cut out.
        const origins = new WeakMap<unknown[], number[]>();
        const originOf = (list: unknown[]) => origins.get(list) ?? list.map((_, i) => i);
        /** The container at `path` (the root box for []), or undefined. */
        const at = (path: Path): unknown => {
            let node: unknown = root.value;
            for (const seg of path) {
                if (node === null || typeof node !== "object") return undefined;
                if (Array.isArray(node)) node = typeof seg === "number" ? node[seg] : undefined;
                else node = Object.hasOwn(node, seg) ? (node as Record<string, unknown>)[seg] : undefined;
            }
            return node;
        };
        const exists = (path: Path): boolean => {
            if (path.length === 0) return true;
            const parent = at(path.slice(0, -1));
            const last = path[path.length - 1];
            if (Array.isArray(parent)) return typeof last === "number" && last < parent.length;
            return parent !== null && typeof parent === "object" && Object.hasOwn(parent, last);
        };
        /** `path` of the current copy in the stack file's coordinates. */
        const original = (path: Path): Path => {
            let node: unknown = root.value;
            return path.map((seg) => {
                const mapped = Array.isArray(node) && typeof seg === "number" ? (originOf(node)[seg] ?? seg) : seg;
                node = node !== null && typeof node === "object" ? (node as Record<string, unknown>)[seg] : undefined;
                return mapped;
            });
        };
        const prefix = (p: Path) => (p.length === 0 ? key : `${key}${pathText(p).replace(/^(?=[^[])/, ".")}`);

        let current = issues;
        for (let round = 0; round < 32; round++) {
            const targets: Path[] = [];
            for (const issue of current) {
                const paths: Path[] =
                    issue.code === "unrecognized_keys"
                        ? issue.keys.map((k) => [...(issue.path as Path), k])
                        : [issue.path as Path];
                for (let p of paths) {
                    // A required value that is missing takes its parent along.
                    while (p.length > 0 && !exists(p)) p = p.slice(0, -1);
                    if (p.length === 0) return undefined;
                    targets.push(p);
                }
            }
            // Each once, and not inside another one; list entries become holes first, so that the
            // indices of the other targets hold until every target is cut.
            const unique = [...new Map(targets.map((p) => [JSON.stringify(p), p])).values()].filter(
                (p, _, all) => !all.some((q) => q.length < p.length && q.every((s, i) => p[i] === s)),
            );
            for (const p of unique) {
                const parent = at(p.slice(0, -1)) as Record<string, unknown> | unknown[];
                const last = p[p.length - 1];
                const value = (parent as Record<string | number, unknown>)[last];
                const entry =
                    isRecord(schemaAt(schema, p.slice(0, -1))) ||
                    (Array.isArray(parent) && (value === null || typeof value !== "object"));
                if (entry) this.removeEntry(prefix(original(p)), prefix(original(p.slice(0, -1))));
                else this.remove(prefix(original(p)));
                if (Array.isArray(parent)) parent[last as number] = HOLE;
                else delete parent[last as string];
            }
            compact(root.value, origins);
            const r = schema.safeParse(root.value);
            if (r.success) {
                this.recordLists(key, root.value, origins);
                return r.data;
            }
            current = r.error.issues;
        }
        return undefined;
    }

    /** Registers every list of `value` that lost entries, under its path in the stack file. */
    private recordLists(key: string, value: unknown, origins: WeakMap<unknown[], number[]>, depth = 0): void {
        if (depth > 64 || value === null || typeof value !== "object") return;
        if (Array.isArray(value)) {
            const origin = origins.get(value);
            if (origin) this.keptEntries(key, origin);
            value.forEach((x, i) => this.recordLists(`${key}[${origin?.[i] ?? i}]`, x, origins, depth + 1));
            return;
        }
        for (const [k, x] of Object.entries(value)) this.recordLists(`${key}.${k}`, x, origins, depth + 1);
    }
}
