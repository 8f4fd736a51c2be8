// Loaded into StrykerJS (npm run mutate) and its test-runner processes (stryker.config.mjs).
// @stryker-mutator/mocha-runner 10.0.0 requires mocha's CLI helpers without an extension
// (`mocha/lib/cli/run-helpers`, `.../options`); mocha 12 ships them as .cjs files, which Node's
// extension search does not try. Trying .cjs last (as CommonJS) lets the runner load them.
const Module = require("node:module");
if (!Module._extensions[".cjs"]) Module._extensions[".cjs"] = Module._extensions[".js"];
