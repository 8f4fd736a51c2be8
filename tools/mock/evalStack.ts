// Evaluates one stack file's program under mocks and prints where the time went. Used by
// tools/bench/bench.ts in a fresh process, so @pulumi/pulumi's load is part of the figure.
const t0 = performance.now();
import * as path from "node:path";
import { resolveStackArg, stackNameOf } from "../render/render";
import { resolveOutputs, runIndex, stackFileConfig } from "./engine";

const loaded = performance.now();

async function main() {
    const file = resolveStackArg(process.argv[2] ?? "dev");
    const run = await runIndex({ stack: stackNameOf(file), config: stackFileConfig(file) });
    await resolveOutputs(run.result);
    const done = performance.now();
    console.log(
        `${path.basename(file)}: ${run.resources.length} resources; modules loaded in ${(loaded - t0).toFixed(0)} ms, program evaluated in ${(done - loaded).toFixed(0)} ms; ${done.toFixed(0)} ms since the process started`,
    );
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
