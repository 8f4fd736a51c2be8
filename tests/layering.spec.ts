// The layering rules of .dependency-cruiser.cjs (run by `npm run lint`) each fire: the same rules,
// held against small trees laid out like the project's (tests/fixtures/layering/<rule>/), find
// exactly the arrows each tree breaks its rule with, and nothing in a tree built as the house is
// meant to be (clean/). One cruise over all the trees.
import * as assert from "node:assert/strict";
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..");
const FIXTURES = "tests/fixtures/layering";

interface Cruised {
    /** The rules of .dependency-cruiser.cjs, by name. */
    rules: string[];
    violations: { rule: string; from: string; to: string }[];
}

// Started as mocha loads the specs, so that the cruise (layering/cruise.mjs) runs beside the suite.
const cruised = new Promise<Cruised>((resolve, reject) =>
    execFile(
        process.execPath,
        [path.join(__dirname, "layering", "cruise.mjs")],
        { cwd: ROOT, encoding: "utf8" },
        (error, stdout, stderr) =>
            error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
    ),
);
// Awaited in before(); a run that leaves this spec out (--grep) must not end on an unhandled rejection.
cruised.catch(() => undefined);

/** What each fixture tree must give: "rule: from → to", paths inside the tree. */
const EXPECTED: Record<string, string[]> = {
    clean: [],
    // One report per circle, at its first arrow.
    "no-circular": [
        "no-circular: components/manifests/edge.ts → components/manifests/istio.ts",
        // import type counts: a type that crosses is an arrow all the same.
        "no-circular: components/validation/names.ts → components/validation/objects.ts",
    ],
    "config-is-the-contract": [
        // The arrow issue 23 removed (partitionOf), and the rest of what config/ may not import.
        "config-is-the-contract: components/config/checks/aws.ts → components/manifests/aws.ts",
        "config-is-the-contract: components/config/index.ts → components/edge.ts",
        "config-is-the-contract: components/config/index.ts → components/stack.ts",
        "config-is-the-contract: components/config/index.ts → components/validation/index.ts",
        "config-is-the-contract: components/config/index.ts → index.ts",
        "config-is-the-contract: components/config/index.ts → tools/render/render.ts",
        // config/ is part of the program, which never imports the tooling either.
        "program-imports-no-tooling-or-tests: components/config/index.ts → tools/render/render.ts",
    ],
    "manifests-import-no-component": [
        "manifests-import-no-component: components/manifests/edge.ts → components/environmentEdge.ts",
        "manifests-import-no-component: components/manifests/edge.ts → components/stack.ts",
    ],
    "shared-primitives-by-file": [
        "shared-primitives-by-file: components/manifests/istio.ts → components/config/index.ts",
        "shared-primitives-by-file: components/validation/objects.ts → components/config/index.ts",
    ],
    "program-imports-no-tooling-or-tests": [
        "program-imports-no-tooling-or-tests: components/validation/vendorData.ts → scripts/bootstrap.ts",
        "program-imports-no-tooling-or-tests: components/validation/vendorData.ts → tools/crds/compactCrds.ts",
        "program-imports-no-tooling-or-tests: index.ts → tools/render/render.ts",
        "program-imports-no-tooling-or-tests: policy/policies.ts → tests/harness.ts",
    ],
};

describe("layering: each dependency-cruiser rule fires on a tree that breaks it", () => {
    const found: Record<string, string[]> = {};
    let rules: string[] = [];

    before(async () => {
        const result = await cruised;
        rules = result.rules;
        for (const fixture of fs.readdirSync(path.join(ROOT, FIXTURES))) found[fixture] = [];
        for (const v of result.violations) {
            const [fixture, ...from] = path.relative(FIXTURES, v.from).split(path.sep);
            const to = path.relative(path.join(FIXTURES, fixture), v.to);
            found[fixture].push(`${v.rule}: ${from.join("/")} → ${to}`);
        }
        for (const lines of Object.values(found)) lines.sort();
    });

    it("every rule of the project has its fixture tree, and every fixture tree a rule (or is the clean one)", () =>
        assert.deepEqual(Object.keys(found).sort(), ["clean", ...rules].sort()));

    for (const [fixture, expected] of Object.entries(EXPECTED))
        it(
            fixture === "clean"
                ? "clean: a tree built as the house is meant to be breaks no rule"
                : `${fixture}: exactly the arrows that break it`,
            () => assert.deepEqual(found[fixture], [...expected].sort()),
        );
});
