// Raw config is untrusted input: a stack file, `pulumi config set`, or a CI variable. Two rules hold
// before any schema looks at it. No key may reach an object prototype (`__proto__` sets the
// prototype of the object it is assigned to, and zod drops such keys from records without a word),
// and no message may print a secret value or more than a short excerpt of any value (problemGuard
// holds every message to that, whichever rule wrote it).

/**
 * Keys that are errors wherever they appear: `__proto__` replaces the prototype of an object it is
 * assigned to, and zod drops it from records without a word. Other names that objects inherit
 * (`constructor`, `prototype`, `toString`) are valid label keys and header names, and are ordinary
 * data: the parse makes them own properties (safeAssign, zod's records), config maps are walked
 * with Object.entries and looked up with Object.hasOwn, never through a prototype, and
 * tests/hostile.spec.ts follows them to the objects the program registers.
 */
export const FORBIDDEN_KEYS = ["__proto__"] as const;

/** Problems for every forbidden key in `value`, with paths relative to `at` ("" = top level). */
export function forbiddenKeyProblems(value: unknown, at = ""): { at: string; message: string }[] {
    const out: { at: string; message: string }[] = [];
    const walk = (v: unknown, path: string, depth: number) => {
        // Config is data, not a graph: anything this deep is hostile or a cycle.
        if (depth > 64 || v === null || typeof v !== "object") return;
        if (Array.isArray(v)) {
            v.forEach((x, i) => walk(x, `${path}[${i}]`, depth + 1));
            return;
        }
        for (const key of Object.keys(v)) {
            const p = path ? `${path}.${key}` : key;
            if ((FORBIDDEN_KEYS as readonly string[]).includes(key))
                out.push({
                    at: p,
                    message: `"${key}" is not allowed as a key anywhere in the config (it would change how the config itself is read); rename or remove it`,
                });
            else walk((v as Record<string, unknown>)[key], p, depth + 1);
        }
    };
    walk(value, at, 0);
    return out;
}

/**
 * A copy of `value` without its forbidden keys (and what they hold), for reading the rest of a
 * config once they are reported: the copy has only own data properties, made with `safeAssign`.
 */
export function withoutForbiddenKeys(value: unknown, depth = 0): unknown {
    // Like forbiddenKeyProblems: config is data, and anything deeper is not walked.
    if (depth > 64 || value === null || typeof value !== "object") return value;
    if (Array.isArray(value)) return value.map((x) => withoutForbiddenKeys(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value))
        if (!(FORBIDDEN_KEYS as readonly string[]).includes(key))
            safeAssign(out, key, withoutForbiddenKeys((value as Record<string, unknown>)[key], depth + 1));
    return out;
}

/** An object whose keys are all own data properties, even `__proto__`: safe to fill from input. */
export function safeAssign(target: Record<string, unknown>, key: string, value: unknown): void {
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Longest value a message prints; longer values are cut, so a pasted secret is never shown whole. */
export const MAX_EXCERPT = 40;

/** A value as a message shows it: JSON, cut to `MAX_EXCERPT` characters. */
export function excerpt(value: unknown): string {
    let s: string;
    try {
        // A long string is cut before it is quoted: a value of megabytes is not copied whole.
        const v = typeof value === "string" && value.length > MAX_EXCERPT ? value.slice(0, MAX_EXCERPT) : value;
        s = JSON.stringify(v) ?? String(v);
    } catch {
        s = String(value);
    }
    return s.length > MAX_EXCERPT ? `${s.slice(0, MAX_EXCERPT - 1)}…` : s;
}

/** A string as a message shows it unquoted: whole up to MAX_EXCERPT characters, else its start and an ellipsis. */
export function shortText(s: string): string {
    return s.length > MAX_EXCERPT ? `${s.slice(0, MAX_EXCERPT - 2)}…` : s;
}

/**
 * A function that blanks every string leaf of the secret values (and their JSON text) out of a
 * message. Messages never print values longer than an excerpt, but a short secret fits in one.
 */
export function secretScrubber(secretValues: unknown[]): (message: string) => string {
    const needles = new Set<string>();
    const collect = (v: unknown, depth: number) => {
        if (depth > 64) return;
        // Strings only, of 3 characters or more: blanking "1" or "true" would garble every message.
        if (typeof v === "string") {
            if (v.length >= 3) needles.add(v);
            const escaped = JSON.stringify(v).slice(1, -1);
            if (escaped.length >= 3) needles.add(escaped);
            // The part of it an excerpt shows when it is cut.
            if (escaped.length >= MAX_EXCERPT - 2) needles.add(escaped.slice(0, MAX_EXCERPT - 2));
        } else if (v && typeof v === "object")
            for (const x of Array.isArray(v) ? v : Object.values(v)) collect(x, depth + 1);
    };
    secretValues.forEach((v) => collect(v, 0));
    // Longest first, so a secret that contains another is blanked whole.
    const list = [...needles].sort((a, b) => b.length - a.length);
    if (list.length === 0) return (m) => m;
    return (message) => list.reduce((m, n) => m.split(n).join("[secret]"), message);
}

/** Longest message a problem may have; only a value echoed in full could make one longer. */
export const MAX_MESSAGE = 2000;

/**
 * A function that keeps every value of the config to its excerpt in a message: each string (and
 * key) of `values` longer than an excerpt is cut where it appears whole, and a message that is
 * still too long (a part of a long value, quoted by a rule) is cut at MAX_MESSAGE. Messages are
 * written to print excerpts; this holds the promise for any rule that prints a value it was given.
 */
export function valueBounder(values: unknown): (message: string) => string {
    const long = new Set<string>();
    const collect = (v: unknown, depth: number) => {
        if (depth > 64) return;
        if (typeof v === "string") {
            if (v.length > MAX_EXCERPT) long.add(v);
        } else if (v && typeof v === "object")
            for (const [k, x] of Array.isArray(v) ? v.entries() : Object.entries(v)) {
                if (typeof k === "string" && k.length > MAX_EXCERPT) long.add(k);
                collect(x, depth + 1);
            }
    };
    collect(values, 0);
    // Longest first, so a value that contains another is cut whole.
    const list = [...long].sort((a, b) => b.length - a.length);
    return (message) => {
        let m = message;
        for (const s of list) if (m.length > MAX_EXCERPT && m.includes(s)) m = m.split(s).join(shortText(s));
        return m.length > MAX_MESSAGE ? `${m.slice(0, MAX_MESSAGE - 1)}…` : m;
    };
}

/**
 * What every problem of a config goes through before a user reads it: secrets blanked from its
 * message (secretScrubber), then every value kept to its excerpt (valueBounder), in the message
 * and in the key path (a key of megabytes is cut like a value).
 */
export function problemGuard(raw: {
    values: Record<string, unknown>;
    secretKeys?: readonly string[];
}): <P extends { path: string; message: string }>(problem: P) => P {
    const scrub = secretScrubber((raw.secretKeys ?? []).map((k) => raw.values[k]));
    const bound = valueBounder(raw.values);
    return (p) => ({ ...p, path: bound(p.path), message: bound(scrub(p.message)) });
}
