// Offline render: runs the real program with a stack file's config under mocks and writes what the
// stack would create to rendered/<stack>/ — Kubernetes objects, Helm releases and values, the AWS
// side, and a plan. Deterministic (stable order, no timestamps), so diffs between commits show
// exactly what a change does to each environment.
//
//   npm run render -- dev               one stack (Pulumi.dev.yaml)
//   npm run render -- examples/shared/Pulumi.stg.yaml
//   npm run render -- --all             every stack file, the examples included
//   --quiet                             only progress: no plan and file list on stdout
import * as fs from "node:fs";
import * as path from "node:path";
import { ConfigError } from "../../components/config";
import { ROOT } from "../mock/engine";
import { renderStack, findStackFiles, resolveStackArg, type RenderedFile, type RenderResult } from "./render";

function usage(): string {
    const stacks = findStackFiles().map((f) => path.relative(ROOT, f));
    return [
        "usage: npm run render -- <stack | path/to/Pulumi.<stack>.yaml | --all> [--out <dir>] [--quiet]",
        `stack files: ${stacks.join(", ")}`,
    ].join("\n");
}

/** Where the command writes: the process's streams, or a test's buffers. */
export interface Io {
    out(text: string): void;
    err(text: string): void;
}
const processIo: Io = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** The command, as a function of its arguments: returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
    const outIndex = argv.indexOf("--out");
    const outRoot = outIndex >= 0 ? path.resolve(argv[outIndex + 1] ?? "") : path.join(ROOT, "rendered");
    const quiet = argv.includes("--quiet");
    const args = (outIndex >= 0 ? argv.filter((_, i) => i !== outIndex && i !== outIndex + 1) : argv).filter(
        (a) => a !== "--quiet",
    );
    if (args.length === 0 || args.includes("--help") || args.includes("-h")) {
        io.err(`${usage()}\n`);
        return args.length === 0 ? 2 : 0;
    }

    let files: string[];
    try {
        files = args.includes("--all") ? findStackFiles() : args.map(resolveStackArg);
    } catch (e) {
        io.err(`render: ${(e as Error).message}\n${usage()}\n`);
        return 2;
    }

    const started = process.hrtime.bigint();
    let failed = 0;
    for (const file of files) {
        const t0 = process.hrtime.bigint();
        const label = path.relative(ROOT, file);
        io.err(`render ${label} ... `);
        try {
            const result = await renderStack(file);
            const dir = path.join(outRoot, result.outDir);
            write(dir, result.files);
            for (const line of result.logs) io.err(`\n  ${line}`);
            if (result.logs.length) io.err("\n  ");
            const ms = Number(process.hrtime.bigint() - t0) / 1e6;
            io.err(
                `${(ms / 1000).toFixed(2)}s, ${result.resourceCount} resources → ${path.relative(process.cwd(), dir) || "."}\n`,
            );
            // What the stack creates, on stdout (progress and timing stay on stderr).
            if (!quiet) io.out(summary(result, dir));
        } catch (e) {
            failed++;
            io.err("failed\n");
            if (e instanceof ConfigError) io.err(`${label}: ${e.message}\n`);
            else io.err(`${label}: ${(e as Error).stack ?? e}\n`);
        }
    }
    const total = Number(process.hrtime.bigint() - started) / 1e6;
    if (files.length > 1)
        io.err(`rendered ${files.length - failed}/${files.length} stacks in ${(total / 1000).toFixed(2)}s\n`);
    return failed ? 1 : 0;
}

function summary(result: RenderResult, dir: string): string {
    const plan = result.files.find((f) => f.path === "plan.txt")?.content ?? "";
    const listing = result.files.map((f) => `  ${path.join(path.relative(process.cwd(), dir), f.path)}`).join("\n");
    return `\n# ${result.outDir}: plan\n\n${plan}\n# ${result.outDir}: files\n\n${listing}\n\n`;
}

function write(dir: string, files: RenderedFile[]): void {
    fs.rmSync(dir, { recursive: true, force: true });
    for (const f of files) {
        const target = path.join(dir, f.path);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, f.content);
    }
}

if (require.main === module)
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            console.error(e);
            process.exit(1);
        },
    );
