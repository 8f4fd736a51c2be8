// dependency-cruiser's API over the fixture trees of tests/layering.spec.ts, with the project's own
// rules (.dependency-cruiser.cjs), in a process of its own: dependency-cruiser loads the TypeScript
// compiler (about a second of CPU), which this process spends beside the suite instead of inside it.
// Prints JSON: the project's rule names, and each violation as { rule, from, to }.
import { createRequire, enableCompileCache } from "node:module";
import * as path from "node:path";

// The cache scripts/register.cjs keeps V8's bytecode in: a warm run compiles none of TypeScript.
enableCompileCache?.(path.join(import.meta.dirname, "..", "..", "node_modules", ".cache", "eks-istio", "v8"));
const { cruise } = await import("dependency-cruiser");

const FIXTURES = "tests/fixtures/layering";
const config = createRequire(import.meta.url)("../../.dependency-cruiser.cjs");

// Every path pattern of a rule is anchored at the tree's root ("^(?:...)"): put a fixture tree there.
const place = (side) =>
    Object.fromEntries(
        Object.entries(side).map(([k, v]) => [
            k,
            typeof v === "string" && v.startsWith("^") ? `^${FIXTURES}/[^/]+/${v.slice(1)}` : v,
        ]),
    );
const forbidden = config.forbidden.map((r) => ({ ...r, from: place(r.from), to: place(r.to) }));

const { output } = await cruise([FIXTURES], {
    ...config.options,
    // The real run leaves the fixtures out; here they are all there is.
    exclude: undefined,
    validate: true,
    ruleSet: { forbidden },
});
process.stdout.write(
    JSON.stringify({
        rules: config.forbidden.map((r) => r.name),
        violations: output.summary.violations.map((v) => ({ rule: v.rule.name, from: v.from, to: v.to })),
    }),
);
