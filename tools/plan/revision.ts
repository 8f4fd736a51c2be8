// The program at an earlier revision, evaluated offline: that revision's tree, extracted once per
// commit, with its own locked dependencies (`npm ci` from its package-lock.json, installed once per
// lock file), and the working tree's mock engine and evaluator copied in, run in a child process so
// that the old program resolves the old @pulumi/* packages. Both caches live under
// ~/.cache/eks-istio/plan/ ($XDG_CACHE_HOME honoured; EKS_ISTIO_PLAN_CACHE overrides): a second plan
// from the same revision only evaluates.
//
// The tree is a `git archive` of the commit, not a registered `git worktree`: nothing in the
// repository's .git changes, and an interrupted run leaves nothing to prune.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT } from "../mock/engine";
import type { Evaluation } from "./evaluate";

/**
 * The tooling copied into the old tree, at the same paths: the evaluator and everything it imports
 * that is not the program. Keep in step with tools/plan/evaluate.ts's imports.
 */
export const TOOLING = ["tools/mock/engine.ts", "tools/plan/evaluate.ts"];
const REGISTER = path.join(ROOT, "scripts", "register.cjs");

export function cacheRoot(): string {
    return (
        process.env.EKS_ISTIO_PLAN_CACHE ??
        path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "eks-istio", "plan")
    );
}

/** Where the time went, for the CLI's report. */
export interface RevisionTimings {
    extractMs: number;
    installMs: number;
    evaluateMs: number;
    /** Whether the tree and the dependencies came from the cache. */
    cachedTree: boolean;
    cachedDependencies: boolean;
}

export class PlanError extends Error {}

function git(args: string[], cwd = ROOT): string {
    const r = spawnSync("git", args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new PlanError(`git ${args.join(" ")}: ${(r.stderr || r.stdout).trim()}`);
    return r.stdout;
}

/** The commit a ref names, or a PlanError saying it names none. */
export function resolveCommit(ref: string): string {
    const r = spawnSync("git", ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`], {
        cwd: ROOT,
        encoding: "utf8",
    });
    if (r.status !== 0)
        throw new PlanError(
            `--from ${ref}: not a commit of this repository (a shallow clone lacks history: fetch with depth 0)`,
        );
    return r.stdout.trim();
}

/** Reads a file as it is at a commit (for `--from-stack-file <ref>:<path>`). */
export function fileAt(commit: string, file: string): string {
    return git(["show", `${commit}:${file}`]);
}

/** Does `work` into a fresh temporary directory renamed to `dir` when it succeeds (concurrent runs are safe). */
function buildOnce(dir: string, work: (tmp: string) => void): boolean {
    if (fs.existsSync(path.join(dir, ".complete"))) return true;
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    const tmp = fs.mkdtempSync(`${dir}.tmp-`);
    try {
        work(tmp);
        fs.writeFileSync(path.join(tmp, ".complete"), "");
        fs.rmSync(dir, { recursive: true, force: true });
        fs.renameSync(tmp, dir);
    } catch (e) {
        fs.rmSync(tmp, { recursive: true, force: true });
        if (fs.existsSync(path.join(dir, ".complete"))) return false;
        throw e;
    }
    return false;
}

/** The commit's tree under the cache, and its locked dependencies linked in as node_modules. */
export function prepareTree(commit: string, timings: Partial<RevisionTimings> = {}): string {
    const tree = path.join(cacheRoot(), "trees", commit);
    let t = performance.now();
    timings.cachedTree = buildOnce(tree, (tmp) => {
        const tar = execFileSync("git", ["archive", "--format=tar", commit], { cwd: ROOT, maxBuffer: 1 << 30 });
        execFileSync("tar", ["-x", "-C", tmp], { input: tar });
    });
    timings.extractMs = performance.now() - t;

    t = performance.now();
    const lock = path.join(tree, "package-lock.json");
    if (!fs.existsSync(lock))
        throw new PlanError(`${commit.slice(0, 7)} has no package-lock.json: nothing to install from`);
    const hash = crypto.createHash("sha256").update(fs.readFileSync(lock)).digest("hex");
    const deps = path.join(cacheRoot(), "deps", hash);
    timings.cachedDependencies = buildOnce(deps, (tmp) => {
        for (const f of ["package.json", "package-lock.json", ".npmrc"])
            if (fs.existsSync(path.join(tree, f))) fs.copyFileSync(path.join(tree, f), path.join(tmp, f));
        // From the npm registry (or npm's own cache first); no install scripts: nothing under mocks
        // needs the provider plugins they download.
        const r = spawnSync(
            "npm",
            ["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"],
            { cwd: tmp, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
        );
        if (r.status !== 0)
            throw new PlanError(`npm ci for ${commit.slice(0, 7)} failed:\n${(r.stderr || r.stdout).trim()}`);
    });
    timings.installMs = performance.now() - t;

    const link = path.join(tree, "node_modules");
    if (!fs.existsSync(link)) fs.symlinkSync(path.join(deps, "node_modules"), link, "dir");
    // The working tree's evaluator and engine, replacing the revision's own copies if any.
    for (const f of TOOLING) {
        fs.mkdirSync(path.dirname(path.join(tree, f)), { recursive: true });
        fs.copyFileSync(path.join(ROOT, f), path.join(tree, f));
    }
    return tree;
}

/**
 * Evaluates `stackFile` with the program of `commit` in a child process. `previous` stands for what
 * the stack's last update exported (see evaluateStackFile).
 */
export async function evaluateAt(
    commit: string,
    stackFile: string,
    { previous, timings = {} }: { previous?: Record<string, unknown>; timings?: Partial<RevisionTimings> } = {},
): Promise<Evaluation> {
    const tree = prepareTree(commit, timings);
    const t = performance.now();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "eks-istio-plan-"));
    try {
        const out = path.join(work, "evaluation.json");
        const args = ["-r", REGISTER, path.join(tree, "tools", "plan", "evaluate.ts"), "--stack-file", stackFile];
        if (previous) {
            fs.writeFileSync(path.join(work, "previous.json"), JSON.stringify(previous));
            args.push("--previous", path.join(work, "previous.json"));
        }
        args.push("--out", out);
        const { code, stderr } = await run(process.execPath, args, tree);
        if (code !== 0)
            throw new PlanError(
                `the program at ${commit.slice(0, 7)} failed on ${path.relative(process.cwd(), stackFile) || stackFile}:\n${stderr.trim()}\n` +
                    `(a stack file that revision does not accept: give it its own with --from-stack-file ${commit.slice(0, 7)}:<path of the stack file>)`,
            );
        return JSON.parse(fs.readFileSync(out, "utf8")) as Evaluation;
    } finally {
        timings.evaluateMs = performance.now() - t;
        fs.rmSync(work, { recursive: true, force: true });
    }
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(cmd, args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
        let stderr = "";
        child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code: code ?? 1, stderr }));
    });
}
