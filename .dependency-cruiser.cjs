// The layering of the house (README: "Repository layout"), enforced in `npm run lint`:
//
//   program  index.ts → components/stack.ts, components/*.ts → validation/ → manifests/ → config/
//            policy/ (the CrossGuard pack)
//   tooling  tools/<concern>/ (render, mock engine, bench, CRD vendoring) and scripts/ (Node bootstrap)
//   tests    may import both
//
// Floors only look down, config/ is the contract alone, and the program never needs its tooling or
// its tests to run. Type-only imports count: a type that crosses a floor is an arrow all the same.
//
// Every path below is anchored at the tree's root ("^(?:...)"), so that tests/layering.spec.ts can
// hold these same rules against small broken trees laid out like this one, under
// tests/fixtures/layering/<rule>/, by putting that folder after the "^". The real run excludes them.

/** Regex source of a path of the tree: one of the alternatives, anchored at the root. */
const at = (alternatives) => `^(?:${alternatives})`;

/** The components: components/*.ts, stack.ts among them. */
const COMPONENTS = "components/[^/]+\\.ts$";
/** The program: what `pulumi up` runs (and the policy pack beside it). */
const PROGRAM = "index\\.ts$|components/|policy/";

const forbidden = [
    {
        name: "no-circular",
        comment: "Files that import each other have no floor: one cannot be read, tested or moved without the other.",
        severity: "error",
        from: {},
        to: { circular: true },
    },
    {
        name: "config-is-the-contract",
        comment:
            "components/config/ is the ground floor: schemas, defaults, cross-field checks, ConfigError, compatibility. It imports nothing of the program above it (manifests/, validation/, the components, index.ts) and nothing of the tooling or the tests.",
        severity: "error",
        from: { path: at("components/config/") },
        to: {
            path: at(`index\\.ts$|components/|policy/|tools/|scripts/|tests/`),
            pathNot: at("components/config/"),
        },
    },
    {
        name: "manifests-import-no-component",
        comment:
            "components/manifests/ are pure functions (config in, object out) under the components that register them: a manifest never imports a component, components/stack.ts or index.ts.",
        severity: "error",
        from: { path: at("components/manifests/") },
        to: { path: at(`index\\.ts$|${COMPONENTS}`) },
    },
    {
        name: "shared-primitives-by-file",
        comment:
            "manifests/ and validation/ take what they share with the contract from the file that holds it (config/contract.ts, primitives.ts, compatibility.ts), never through config/index.ts, which is the whole parse.",
        severity: "error",
        from: { path: at("components/(?:manifests|validation)/") },
        to: { path: at("components/config/index\\.ts$") },
    },
    {
        name: "program-imports-no-tooling-or-tests",
        comment:
            "The program (index.ts, components/, policy/) is what `pulumi up` runs: it never imports the tooling (tools/, scripts/) or a test.",
        severity: "error",
        from: { path: at(PROGRAM) },
        to: { path: at("tools/|scripts/|tests/") },
    },
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
    forbidden,
    options: {
        // What the tree imports of itself; packages are not followed.
        doNotFollow: { path: "node_modules" },
        exclude: { path: "(^|/)node_modules/|^tests/fixtures/|^(bin|rendered|reports|\\.stryker-tmp[^/]*)/" },
        // `import type` is an arrow too (erased at run time, but it ties the floors all the same).
        tsPreCompilationDeps: true,
        tsConfig: { fileName: "tsconfig.json" },
        moduleSystems: ["cjs", "es6"],
    },
};
