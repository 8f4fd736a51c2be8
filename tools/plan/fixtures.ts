// Writes the upgrade fixtures of a release: what the program at <ref> registered for every stack
// file the release shipped, each evaluated with that release's own stack file (what a stack
// deployed from it holds), to tests/upgrade/<ref>/<stack path>.json.
//
//   npm run plan:fixtures -- c1dbf01
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { ROOT } from "../mock/engine";
import { writeFixture } from "./fixture";
import { evaluateAt, PlanError, prepareTree, resolveCommit } from "./revision";

const STACK_FILE = /(^|\/)Pulumi\.([^.]+)\.yaml$/;

/** The stack files a revision shipped: Pulumi.<stack>.yaml at the root and under examples/. */
export function shippedStackFiles(commit: string): string[] {
    return execFileSync("git", ["ls-tree", "-r", "--name-only", commit], { cwd: ROOT, encoding: "utf8" })
        .split("\n")
        .filter((f) => STACK_FILE.test(f) && (!f.includes("/") || f.startsWith("examples/")))
        .sort();
}

/** tests/upgrade/<ref>/ + the stack file's folder + <stack>.json, as the render lays out rendered/. */
export function fixturePath(ref: string, stackFile: string): string {
    const m = STACK_FILE.exec(stackFile)!;
    return path.join(ROOT, "tests", "upgrade", ref, path.dirname(stackFile), `${m[2]}.json`);
}

async function main(argv: string[]): Promise<number> {
    const ref = argv[0];
    if (!ref || argv.length > 1) {
        process.stderr.write("usage: npm run plan:fixtures -- <release ref>\n");
        return 2;
    }
    try {
        const commit = resolveCommit(ref);
        const tree = prepareTree(commit);
        for (const file of shippedStackFiles(commit)) {
            const t = performance.now();
            const evaluation = await evaluateAt(commit, path.join(tree, file));
            const out = fixturePath(ref, file);
            writeFixture(out, { revision: ref, commit, stackFile: `${ref}:${file}`, evaluation });
            process.stderr.write(
                `${path.relative(ROOT, out)}: ${evaluation.resources.length} resources (${((performance.now() - t) / 1000).toFixed(1)} s)\n`,
            );
        }
        return 0;
    } catch (e) {
        process.stderr.write(
            `plan:fixtures: ${e instanceof PlanError ? e.message : ((e as Error).stack ?? String(e))}\n`,
        );
        return 1;
    }
}

if (require.main === module) main(process.argv.slice(2)).then((code) => process.exit(code));
