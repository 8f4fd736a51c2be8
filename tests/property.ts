// fast-check, run so that any failure can be replayed: the failing run's seed and path are printed
// with the exact command that reproduces it, and FC_SEED / FC_PATH replay it (README: "Tests and benchmarks").
import fc from "fast-check";

/** The seed and path to replay (FC_SEED, FC_PATH), or none: a fresh random seed each run. */
function replay(): { seed?: number; path?: string } {
    const seed = process.env.FC_SEED;
    if (seed === undefined || seed === "") return {};
    if (!/^-?\d+$/.test(seed)) throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(seed)}`);
    const path = process.env.FC_PATH;
    return { seed: Number(seed), ...(path ? { path } : {}) };
}

/**
 * Checks `property` like `fc.assert`, with `numRuns` runs (FC_NUM_RUNS overrides it, to search
 * harder locally). A failure names its seed and path, and the command that replays exactly it.
 */
export async function checkProperty<T>(
    title: string,
    property: fc.IAsyncProperty<T> | fc.IProperty<T>,
    numRuns: number,
    /** Inputs (argument tuples) always checked first, whatever the seed: cases every run must see. */
    examples: T[] = [],
): Promise<void> {
    const runs = process.env.FC_NUM_RUNS ? Number(process.env.FC_NUM_RUNS) : numRuns;
    const details = await fc.check(property as fc.IRawProperty<T>, {
        numRuns: runs,
        examples,
        ...replay(),
    });
    if (!details.failed) return;
    const grep = title.replace(/[\\'"()[\]{}.*+?^$|]/g, ".");
    const message = [
        `property "${title}" failed (seed ${details.seed}, path "${details.counterexamplePath}")`,
        `replay: FC_SEED=${details.seed} FC_PATH='${details.counterexamplePath}' npx mocha -g '${grep}'`,
        `counterexample: ${fc.stringify(details.counterexample)}`,
        details.errorInstance instanceof Error
            ? `error: ${details.errorInstance.message}`
            : `error: ${String(details.errorInstance)}`,
    ].join("\n");
    const error = new Error(message);
    if (details.errorInstance instanceof Error) error.cause = details.errorInstance;
    throw error;
}
