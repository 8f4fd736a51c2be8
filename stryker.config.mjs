// Mutation testing of the modules that hold rules: `npm run mutate` (README: "Tests and
// benchmarks"). Not part of CI: a full run takes tens of minutes on two cores. One module at a
// time: `npm run mutate -- --mutate components/manifests/edge.ts`.
//
// MUTATE_SPECS=tests/config.spec.ts,tests/rules.spec.ts npm run mutate -- --mutate <file> runs
// only those specs against each mutant: much faster for a module whose mutants are mostly
// "static" (zod schemas built at load, each mutant needing a fresh process and every test). A
// mutant those specs kill is killed by the suite, so the score is a lower bound; re-run the
// survivors with the whole suite (no MUTATE_SPECS) before calling them survivors.
const specs = (process.env.MUTATE_SPECS ?? "").split(",").filter(Boolean);
// MUTATE_REPORT=config names the reports (reports/mutation/config.html, .json), so that runs of
// different modules side by side keep their own reports (give each its own --tempDirName too).
const report = process.env.MUTATE_REPORT ?? "index";

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
    testRunner: "mocha",
    // @stryker-mutator/mocha-runner 10.0.0 cannot find mocha 12's .cjs CLI helpers on its own.
    testRunnerNodeArgs: ["--require", "./scripts/stryker/mocha12.cjs"],
    mochaOptions: { config: ".mocharc.json", ...(specs.length ? { spec: specs } : {}) },
    // Each mutant runs only the tests that reach it.
    coverageAnalysis: "perTest",
    // The config contract (components/config/, Istio's spec included), the validation rules, and
    // the pure functions that build every object.
    mutate: ["components/config/**/*.ts", "components/validation/**/*.ts", "components/manifests/**/*.ts"],
    concurrency: 2,
    timeoutMS: 30000,
    reporters: ["clear-text", "progress", "html", "json"],
    htmlReporter: { fileName: `reports/mutation/${report}.html` },
    jsonReporter: { fileName: `reports/mutation/${report}.json` },
    tempDirName: ".stryker-tmp",
    ignorePatterns: ["rendered", "reports", ".stryker-tmp*"],
    cleanTempDir: "always",
};
