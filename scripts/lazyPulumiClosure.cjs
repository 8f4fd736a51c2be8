// Defers the part of @pulumi/pulumi that serializes JavaScript functions (runtime/closure/), which
// its runtime index loads eagerly: the TypeScript compiler (to parse function text) and npm's
// arborist (to find a function's package dependencies). They make up two thirds of the SDK's load
// time, and nothing here serializes a function: this program declares no callback Lambdas or
// dynamic providers, and Pulumi's mocks never package code. The exported functions stay the same
// functions to call; the first call loads the real module.
//
// Loaded by scripts/register.cjs, so the tests, the render and the benchmarks use it. `pulumi up`
// does not: the Pulumi CLI loads the program through its own entry point, as always.
const Module = require("node:module");
const path = require("node:path");

// runtime/index.js does `exports.serializeFunction = serializeClosure_1.serializeFunction`, reading
// each export once at load: these are the names it reads.
const DEFERRED = {
    "./closure/serializeClosure": ["serializeFunctionAsync", "serializeFunction"],
    "./closure/codePaths": ["computeCodePaths"],
};
const RUNTIME_INDEX = path.join("@pulumi", "pulumi", "runtime", "index.js");

/** Functions named `names` that call the same-named export of `load()`, loaded on the first call. */
function deferredExports(load, names) {
    let real;
    const module = () => (real ??= load());
    return Object.fromEntries(names.map((name) => [name, (...args) => module()[name](...args)]));
}

const load = Module._load;
Module._load = function (request, parent, isMain) {
    // Any copy of the SDK (the policy pack may have its own), and only its runtime index: a direct
    // require of runtime/closure/* from anywhere else gets the real module.
    const names = parent?.filename?.endsWith(RUNTIME_INDEX) && DEFERRED[request];
    if (names) return deferredExports(() => load.call(this, request, parent, isMain), names);
    return load.apply(this, arguments);
};

module.exports = { deferredExports };
