// Benchmarks for the project's speed targets. Prints figures; asserts nothing (targets are read
// by people, not enforced by timed tests, which would flake on a busy machine).
//
//   npm run bench                    everything
//   npm run bench -- --skip-npm-ci   without the cold `npm ci` (which downloads from the registry)
//
// Targets (2-core machine): warm `npm test` ≤ 8 s; one stack evaluated under mocks ≤ 2 s with
// @pulumi/pulumi's load included; `npm ci` from an empty cache ≤ 90 s; render of one stack ≤ 3 s,
// of the three root stacks ≤ 6 s.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "..", "..");
const args = new Set(process.argv.slice(2));
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

interface Figure {
    name: string;
    target: number;
    seconds: number[];
    note?: string;
}
const figures: Figure[] = [];

function time(cmd: string, argv: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): number {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, argv, { cwd: opts.cwd ?? ROOT, env: opts.env ?? process.env, encoding: "utf8" });
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`${cmd} ${argv.join(" ")} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
    return s;
}

function measure(name: string, target: number, runs: number, fn: () => number, note?: string): void {
    process.stderr.write(`${name} ... `);
    const seconds = Array.from({ length: runs }, fn);
    figures.push({ name, target, seconds, note });
    process.stderr.write(`${seconds.map((s) => s.toFixed(2)).join(" / ")} s\n`);
}

const node = process.execPath;
const ts = ["-r", "./scripts/register.cjs"];
const out = fs.mkdtempSync(path.join(os.tmpdir(), "eks-istio-bench-"));

// One stack, in a fresh process: node start, the TypeScript hook (scripts/register.cjs),
// @pulumi/pulumi and the providers' SDKs loaded, the program evaluated under mocks. tools/mock/evalStack.ts prints its own breakdown.
measure("evaluate one stack (dev) under mocks, fresh process", 2, RUNS, () =>
    time(node, [...ts, "tools/mock/evalStack.ts", "dev"]),
);
// The validator's share of the figure above ("Preview is the truth"): printed, not a target.
const validationCost = spawnSync(node, [...ts, "tools/bench/validationCost.ts", "dev"], {
    cwd: ROOT,
    encoding: "utf8",
});
process.stderr.write(`${validationCost.stdout.trim() || validationCost.stderr.trim()}\n`);
measure("render one stack (dev)", 3, RUNS, () => time(node, [...ts, "tools/render/main.ts", "dev", "--out", out]));
measure("render dev, stg and product", 6, RUNS, () =>
    time(node, [...ts, "tools/render/main.ts", "dev", "stg", "product", "--out", out]),
);
// Warm: the first run fills the OS's file cache and scripts/register.cjs's transform and compile
// caches, and is not counted.
time(node, ["node_modules/mocha/bin/mocha.js"]);
measure("npm test (warm)", 8, RUNS, () => time("npm", ["test", "--silent"]));

if (!args.has("--skip-npm-ci")) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eks-istio-npm-ci-"));
    for (const f of ["package.json", "package-lock.json", ".npmrc"])
        fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
    measure(
        "npm ci, empty cache",
        90,
        1,
        () => {
            const cache = fs.mkdtempSync(path.join(os.tmpdir(), "eks-istio-npm-cache-"));
            fs.rmSync(path.join(dir, "node_modules"), { recursive: true, force: true });
            const s = time("npm", ["ci", "--cache", cache, "--prefer-online", "--no-audit", "--no-fund"], { cwd: dir });
            fs.rmSync(cache, { recursive: true, force: true });
            return s;
        },
        "downloads every package from the registry",
    );
    fs.rmSync(dir, { recursive: true, force: true });
}
fs.rmSync(out, { recursive: true, force: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`\neks-istio benchmarks — node ${process.version}, ${os.cpus().length} CPUs, ${os.platform()}`);
console.log("figure".padEnd(52), "median".padStart(8), "runs".padStart(22), "target".padStart(8), " ");
for (const f of figures) {
    const m = median(f.seconds);
    console.log(
        f.name.padEnd(52),
        `${m.toFixed(2)}s`.padStart(8),
        f.seconds
            .map((s) => s.toFixed(2))
            .join(" ")
            .padStart(22),
        `${f.target}s`.padStart(8),
        m <= f.target ? " ok" : " OVER",
    );
}
