// Runs the project's TypeScript in Node for the tests, the render, the benchmarks and the scripts
// (`node -r ./scripts/register.cjs`, and .mocharc.json). `pulumi up` does not use it: the Pulumi
// CLI loads index.ts through the project's ts-node, as it always has.
//
// Why not ts-node here: ts-node installs source-map-support, which rewrites every stack trace.
// Pulumi captures a stack trace for each promise it creates (runtime/debuggable.js), so under mocks
// about half of a stack's evaluation went into formatting traces nobody reads. sucrase removes the
// types and rewrites imports without moving any line, so a stack trace's line numbers are the .ts
// file's own and no source map is needed; `tsc --noEmit` (npm run typecheck) does the type-checking.
//
// Transforms are cached on disk by content (node_modules/.cache/eks-istio/ts), and Node's compile
// cache keeps V8's bytecode of every module between runs, so a warm run parses almost nothing.
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const Module = require("node:module");
const { addHook } = require("pirates");
const sucrase = require("sucrase");

const CACHE = path.join(__dirname, "..", "node_modules", ".cache", "eks-istio");
const OPTIONS = { transforms: ["imports", "typescript"] };
// A transform depends on the source, the file's path (the entry's name) and sucrase itself.
const SALT = `${require("sucrase/package.json").version} ${JSON.stringify(OPTIONS)}`;

if (!process.env.NODE_COMPILE_CACHE && Module.enableCompileCache) Module.enableCompileCache(path.join(CACHE, "v8"));

const sha256 = (text) => crypto.createHash("sha256").update(text).digest("hex");

// One cache entry per source file, named after its path and headed by the hash of what it was made
// from: an edited file replaces its entry instead of adding one, so the cache stays as large as the
// project.
function transform(code, filePath) {
    const file = path.join(CACHE, "ts", `${sha256(filePath)}.js`);
    const header = `// ${sha256(`${SALT}\0${code}`)}\n`;
    try {
        const cached = fs.readFileSync(file, "utf8");
        if (cached.startsWith(header)) return cached.slice(header.length);
    } catch {
        // Not transformed yet (or the cache was removed): transform and keep it.
    }
    const out = sucrase.transform(code, { ...OPTIONS, filePath }).code;
    try {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        // Written under a temporary name and renamed, so a concurrent run never reads half a file.
        const tmp = `${file}.${process.pid}.tmp`;
        fs.writeFileSync(tmp, header + out);
        fs.renameSync(tmp, file);
    } catch {
        // A read-only checkout still runs, only without the cache.
    }
    return out;
}

addHook(transform, { exts: [".ts"], ignoreNodeModules: true });

// Loading @pulumi/pulumi is most of a run's start-up; see the file for what it defers and why.
require("./lazyPulumiClosure.cjs");
