// Go's regexp (RE2 syntax), through re2js, a port of it. Loaded on the first regex a config has
// (require() keeps the module once loaded, so a later cache miss costs no reload).
const compiled = new Map<string, { test(s: string): boolean }>();

/** Compiles `pattern` as Go's regexp.Compile would; throws Go's error message. Cached per process. */
export function compileRe2(pattern: string): { test(s: string): boolean } {
    let c = compiled.get(pattern);
    if (!c) {
        const { RE2JS } = require("re2js") as typeof import("re2js");
        const re = RE2JS.compile(pattern);
        c = { test: (s) => re.matcher(s).find() };
        compiled.set(pattern, c);
    }
    return c;
}
