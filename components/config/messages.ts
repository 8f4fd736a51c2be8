// What a user reads: zod's issues rewritten for people, key paths as they are written in the
// stack file, and "did you mean" for misspelt keys.
import type { z } from "zod";
import { type ConfigProblem, NAMESPACE } from "./contract";
import { excerpt } from "./untrusted";

export function keyPath(path: string): string {
    return `${NAMESPACE}:${path.replace(/\.(\d+)(?=\.|$)/g, "[$1]")}`;
}

/** How several reasons at one key are joined into its one line. */
export const ALSO = "; also: ";

/**
 * One problem per key path, in the order the keys were first reported: the distinct messages at a
 * key are joined with ALSO, and a message found twice is kept once. A ConfigError lists each key once.
 */
export function onePerKey(problems: readonly ConfigProblem[]): ConfigProblem[] {
    const byPath = new Map<string, string[]>();
    for (const p of problems) {
        const messages = byPath.get(p.path) ?? [];
        if (!messages.includes(p.message)) messages.push(p.message);
        byPath.set(p.path, messages);
    }
    return [...byPath].map(([path, messages]) => ({ path, message: messages.join(ALSO) }));
}

/**
 * zod's issues without those another issue at the same path makes redundant: a refinement of an
 * object that has an unknown key (the misspelt key is the cause: "exct" is why no match is set),
 * and all but the tightest of several bounds (maxSize 1e20 is above 450 and above the safe integers).
 */
export function significantIssues(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
    const at = (i: z.core.$ZodIssue) => JSON.stringify(i.path);
    const misspelt = new Set(issues.filter((i) => i.code === "unrecognized_keys").map(at));
    const bound = (i: z.core.$ZodIssue) =>
        i.code === "too_big" ? -Number(i.maximum) : i.code === "too_small" ? Number(i.minimum) : undefined;
    const kind = (i: z.core.$ZodIssue) =>
        i.code === "too_big" || i.code === "too_small" ? `${i.code} ${i.origin === "int" ? "number" : i.origin}` : "";
    return issues.filter((i, n) => {
        if (i.code === "custom" && misspelt.has(at(i))) return false;
        const b = bound(i);
        if (b === undefined) return true;
        // A tighter bound of the same kind at the same path, or an equal one listed first.
        return !issues.some((j, m) => {
            const c = bound(j);
            return (
                m !== n && c !== undefined && kind(j) === kind(i) && at(j) === at(i) && (c > b || (c === b && m < n))
            );
        });
    });
}

/**
 * A zod issue as a person reads it. `secret`: the value is secret (`pulumi config set --secret`), so
 * the message says what is wrong without printing what was given.
 */
export function issueMessage(issue: z.core.$ZodIssue, schema: z.ZodType, opts: { secret?: boolean } = {}): string {
    const got = (input: unknown) => (opts.secret ? "a secret value" : excerpt(input));
    // Messages written in the schemas above are already for people; rewrite only zod's defaults.
    if (!/^(Invalid|Too (small|big)|Unrecognized)/.test(issue.message)) return issue.message;
    if (issue.code === "unrecognized_keys") {
        return issue.keys.map((k) => `unknown key "${k}"${didYouMean(k, keysAt(schema, issue.path))}`).join("; ");
    }
    if (issue.code === "invalid_value")
        return `must be one of ${issue.values.map((x) => JSON.stringify(x)).join(", ")}`;
    if (issue.code === "invalid_type" && issue.input === undefined) return "is required";
    // "int": zod's own bound on an .int() (the safe-integer range, e.g. maxSize: 1e20).
    const numeric = (origin: string) => origin === "number" || origin === "int";
    if (issue.code === "too_small" && numeric(issue.origin))
        return `must be at least ${issue.minimum}, got ${got(issue.input)}`;
    if (issue.code === "too_big" && numeric(issue.origin))
        return `must be at most ${issue.maximum}, got ${got(issue.input)}`;
    // Lists and text: their length, never zod's "Too small: expected array to have >=1 items".
    const length = (x: unknown) => (Array.isArray(x) || typeof x === "string" ? x.length : undefined);
    if (issue.code === "too_small" && issue.origin === "array") {
        const n = Number(issue.minimum);
        return `must list at least ${n} item${n === 1 ? "" : "s"}, got ${length(issue.input) === 0 ? "[]" : String(length(issue.input))}`;
    }
    if (issue.code === "too_big" && issue.origin === "array")
        return `must list at most ${String(issue.maximum)} items, got ${String(length(issue.input))}`;
    if (issue.code === "too_small" && issue.origin === "string")
        return Number(issue.minimum) === 1
            ? `must not be empty, got ${got(issue.input)}`
            : `must be at least ${String(issue.minimum)} characters, got ${String(length(issue.input))}`;
    if (issue.code === "too_big" && issue.origin === "string")
        return `must be at most ${String(issue.maximum)} characters, got ${String(length(issue.input))}`;
    if (issue.code === "invalid_type") return `must be ${article(issue.expected)}, got ${got(issue.input)}`;
    return issue.message;
}

function article(t: string): string {
    if (t === "int") return "an integer";
    return /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`;
}

/** The keys a strict object schema allows at `path`, found by walking the schema; [] elsewhere. */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
    const unwrap = (x: any): any => {
        // A preprocessed key (ingress.accessLogs: true or its settings) is its output schema.
        while (x && ["optional", "default", "nullable", "readonly", "prefault", "pipe"].includes(x.def?.type))
            x = x.def.type === "pipe" ? x.def.out : x.def.innerType;
        return x;
    };
    let s: any = unwrap(schema);
    for (const seg of path) {
        if (s?.def?.type === "array") s = s.element;
        else if (s?.def?.type === "record") s = s.def.valueType;
        // Own keys only: a key such as "constructor" is data, not the shape's prototype.
        else if (s?.def?.type === "object" && Object.hasOwn(s.shape, seg)) s = s.shape[seg as string];
        else return [];
        s = unwrap(s);
    }
    return s?.def?.type === "object" ? Object.keys(s.shape) : [];
}

/** " (did you mean "x"?)" when a known key is within two edits, otherwise "". */
export function didYouMean(key: string, known: readonly string[]): string {
    let best: string | undefined;
    let bestDistance = 3;
    for (const k of known) {
        const d = editDistance(key.toLowerCase(), k.toLowerCase());
        if (d < bestDistance) [best, bestDistance] = [k, d];
    }
    return best && best !== key ? ` (did you mean "${best}"?)` : "";
}

function editDistance(a: string, b: string): number {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
        let prev = row[0];
        row[0] = i;
        for (let j = 1; j <= b.length; j++) {
            const tmp = row[j];
            row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
            prev = tmp;
        }
    }
    return row[b.length];
}
