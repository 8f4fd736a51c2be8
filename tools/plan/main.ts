// Offline update planning: what `pulumi up` would create, update, replace and delete going from
// the program at an earlier revision to the working tree, for one stack file, and what of that
// would hurt a running stack. No cloud, no Pulumi CLI: both revisions run under mocks.
//
//   npm run plan -- <stack | path/to/Pulumi.<stack>.yaml> --from <git ref>
//   npm run plan -- <stack> --fixture tests/upgrade/<release>/<stack>.json
//     --json                      an array of {op, type, name, reasons, danger} instead of the table
//     --all                       list unchanged resources too
//     --from-stack-file <file>    evaluate the earlier revision with another stack file
//                                 (<ref>:<path> reads it from git); default: the same stack file
//     --save-fixture <file>       also write what the earlier revision registered, as a fixture
//     --out <file>                write the plan to a file instead of stdout
//
// Exit status: 0 when a plan was made, dangerous or not (the danger is in the output: a plan is
// information, and the pull request shows it); 1 when a revision cannot be evaluated; 2 on wrong
// arguments.
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../mock/engine";
import { type Evaluation, evaluateStackFile, stackOf } from "./evaluate";
import { readFixture, writeFixture } from "./fixture";
import { formatPlan } from "./format";
import { planUpdate, toEntries } from "./plan";
import { evaluateAt, fileAt, PlanError, resolveCommit, type RevisionTimings } from "./revision";

export interface Io {
    out(text: string): void;
    err(text: string): void;
}
const processIo: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

const USAGE = [
    "usage: npm run plan -- <stack | path/to/Pulumi.<stack>.yaml> (--from <git ref> | --fixture <file>)",
    "         [--json] [--all] [--from-stack-file <file | ref:path>] [--save-fixture <file>] [--out <file>]",
].join("\n");

const VALUE_FLAGS = ["--from", "--fixture", "--from-stack-file", "--save-fixture", "--out"];
const BOOLEAN_FLAGS = ["--json", "--all", "--help", "-h"];

export interface Args {
    stack: string;
    from?: string;
    fixture?: string;
    json: boolean;
    all: boolean;
    fromStackFile?: string;
    saveFixture?: string;
    out?: string;
}

/** The arguments, or the one sentence that says what is wrong with them. */
export function parseArgs(argv: string[]): Args | { error: string } | { help: true } {
    const values: Record<string, string> = {};
    const flags = new Set<string>();
    const positional: string[] = [];
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const [flag, inline] =
            a.startsWith("--") && a.includes("=")
                ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)]
                : [a, undefined];
        if (VALUE_FLAGS.includes(flag)) {
            const v = inline ?? argv[++i];
            if (v === undefined || v === "" || (inline === undefined && v.startsWith("--")))
                return { error: `${flag} needs a value` };
            if (flag in values) return { error: `${flag} is given twice` };
            values[flag] = v;
        } else if (BOOLEAN_FLAGS.includes(flag)) flags.add(flag);
        else if (a.startsWith("-")) return { error: `unknown option ${a}` };
        else positional.push(a);
    }
    if (flags.has("--help") || flags.has("-h")) return { help: true };
    if (positional.length !== 1)
        return {
            error: positional.length ? `one stack at a time, got ${positional.join(", ")}` : "which stack? name one",
        };
    if (!values["--from"] === !values["--fixture"])
        return {
            error: values["--from"]
                ? "--from and --fixture exclude each other"
                : "--from <git ref> (or --fixture <file>) is required",
        };
    if (values["--fixture"] && (values["--from-stack-file"] || values["--save-fixture"]))
        return { error: "--from-stack-file and --save-fixture need --from (a fixture is already evaluated)" };
    return {
        stack: positional[0],
        from: values["--from"],
        fixture: values["--fixture"],
        json: flags.has("--json"),
        all: flags.has("--all"),
        fromStackFile: values["--from-stack-file"],
        saveFixture: values["--save-fixture"],
        out: values["--out"],
    };
}

/** A stack name (Pulumi.<name>.yaml at the root) or a path to a stack file. */
export function resolveStackFile(arg: string): string {
    if (arg.endsWith(".yaml")) {
        const file = path.resolve(arg);
        if (!fs.existsSync(file)) throw new PlanError(`no stack file at ${arg}`);
        stackOf(file);
        return file;
    }
    const file = path.join(ROOT, `Pulumi.${arg}.yaml`);
    if (!fs.existsSync(file)) throw new PlanError(`unknown stack "${arg}": there is no Pulumi.${arg}.yaml`);
    return file;
}

/** The earlier revision's stack file: `<ref>:<path>` is read from git into a scratch directory. */
function oldStackFile(spec: string | undefined, current: string, scratch: () => string): string {
    if (!spec) return current;
    if (fs.existsSync(spec)) return path.resolve(spec);
    const m = /^([^:]+):(.+)$/.exec(spec);
    if (!m)
        throw new PlanError(
            `--from-stack-file ${spec}: no such file (give a path, or <ref>:<path> to read it from git)`,
        );
    const commit = resolveCommit(m[1]);
    const dir = scratch();
    // The owner stack file and the previous outputs beside it come from the same revision.
    const folder = path.posix.dirname(m[2]);
    for (const f of [path.posix.basename(m[2])]) fs.writeFileSync(path.join(dir, f), fileAt(commit, m[2]));
    for (const line of fileAtList(commit, folder))
        if (/^Pulumi\.[^.]+\.(outputs\.)?yaml$/.test(line) && !fs.existsSync(path.join(dir, line)))
            fs.writeFileSync(path.join(dir, line), fileAt(commit, folder === "." ? line : `${folder}/${line}`));
    return path.join(dir, path.posix.basename(m[2]));
}

function fileAtList(commit: string, folder: string): string[] {
    const { execFileSync } = require("node:child_process") as typeof import("node:child_process");
    return execFileSync("git", ["ls-tree", "--name-only", `${commit}:${folder === "." ? "" : folder}`], {
        cwd: ROOT,
        encoding: "utf8",
    })
        .split("\n")
        .filter(Boolean);
}

const seconds = (ms: number | undefined) => `${((ms ?? 0) / 1000).toFixed(1)} s`;

/** The command, as a function of its arguments: returns the exit status. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
    const args = parseArgs(argv);
    if ("help" in args) {
        io.out(`${USAGE}\n`);
        return 0;
    }
    if ("error" in args) {
        io.err(`plan: ${args.error}\n${USAGE}\n`);
        return 2;
    }
    const scratchDirs: string[] = [];
    const scratch = () => {
        const dir = fs.mkdtempSync(path.join(require("node:os").tmpdir(), "eks-istio-plan-stack-"));
        scratchDirs.push(dir);
        return dir;
    };
    try {
        let file: string;
        try {
            file = resolveStackFile(args.stack);
        } catch (e) {
            io.err(`plan: ${(e as Error).message}\n${USAGE}\n`);
            return 2;
        }
        const started = performance.now();
        let old: Evaluation;
        let label: string;
        if (args.fixture) {
            const fixture = readFixture(args.fixture);
            old = fixture.evaluation;
            label = `${fixture.revision} (fixture ${path.relative(process.cwd(), args.fixture) || args.fixture})`;
        } else {
            const commit = resolveCommit(args.from!);
            const timings: Partial<RevisionTimings> = {};
            old = await evaluateAt(commit, oldStackFile(args.fromStackFile, file, scratch), { timings });
            label = commit.startsWith(args.from!) ? args.from! : `${args.from} (${commit.slice(0, 7)})`;
            io.err(
                `plan: ${label} evaluated in ${seconds(performance.now() - started)}: tree ${timings.cachedTree ? "cached" : "extracted"} (${seconds(timings.extractMs)}), dependencies ${timings.cachedDependencies ? "cached" : "installed"} (${seconds(timings.installMs)}), program ${seconds(timings.evaluateMs)}\n`,
            );
            if (args.saveFixture) {
                writeFixture(args.saveFixture, {
                    revision: args.from!,
                    commit,
                    stackFile: args.fromStackFile ?? path.relative(ROOT, file),
                    evaluation: old,
                });
                io.err(`plan: wrote ${args.saveFixture}\n`);
            }
        }
        const t = performance.now();
        const next = await evaluateStackFile(file, { previous: old.outputs });
        const steps = planUpdate(old.resources, next.resources);
        io.err(`plan: working tree evaluated and planned in ${seconds(performance.now() - t)}\n`);
        const text = args.json
            ? `${JSON.stringify(toEntries(steps), null, 2)}\n`
            : formatPlan(steps, {
                  title: `Plan for ${path.relative(ROOT, file)}: ${label} → working tree`,
                  all: args.all,
              });
        if (args.out) fs.writeFileSync(args.out, text);
        else io.out(text);
        return 0;
    } catch (e) {
        const told = e instanceof PlanError;
        io.err(`plan: ${told ? (e as Error).message : ((e as Error).stack ?? String(e))}\n`);
        return 1;
    } finally {
        for (const d of scratchDirs) fs.rmSync(d, { recursive: true, force: true });
    }
}

if (require.main === module) main(process.argv.slice(2)).then((code) => process.exit(code));
