// What a release registered, kept as a test fixture (tests/upgrade/<release>/<stack>.json): the
// suite plans the working tree against it with no git and no npm. One resource per line, so a
// regenerated fixture diffs by resource.
import * as fs from "node:fs";
import * as path from "node:path";
import type { Evaluation } from "./evaluate";
import { PlanError } from "./revision";

export interface Fixture {
    /** The ref the fixture was made from (a release tag or commit), and its commit. */
    revision: string;
    commit: string;
    /** The stack file the release was evaluated with, relative to the repository root (or ref:path). */
    stackFile: string;
    evaluation: Evaluation;
}

export function writeFixture(file: string, f: Fixture): void {
    const { evaluation, ...head } = f;
    const { resources, ...rest } = evaluation;
    const text = [
        "{",
        ...Object.entries({ ...head, ...rest, regenerate: regenerateCommand(f) }).map(
            ([k, v]) => `  ${JSON.stringify(k)}: ${JSON.stringify(v)},`,
        ),
        '  "resources": [',
        resources.map((r) => `    ${JSON.stringify(r)}`).join(",\n"),
        "  ]",
        "}",
        "",
    ].join("\n");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
}

export const regenerateCommand = (f: Pick<Fixture, "revision">) => `npm run plan:fixtures -- ${f.revision}`;

export function readFixture(file: string): Fixture & { file: string } {
    let doc: Record<string, any>;
    try {
        doc = JSON.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
        throw new PlanError(`${file}: not a plan fixture (${(e as Error).message})`);
    }
    if (!Array.isArray(doc.resources) || typeof doc.stack !== "string")
        throw new PlanError(`${file}: not a plan fixture (no stack or resources)`);
    return {
        file,
        revision: doc.revision,
        commit: doc.commit,
        stackFile: doc.stackFile,
        evaluation: { stack: doc.stack, resources: doc.resources, outputs: doc.outputs ?? {}, logs: doc.logs ?? [] },
    };
}
