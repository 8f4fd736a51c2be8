// Evaluates the program of the tree this file sits in, for one stack file, under mocks, and gives
// what it registered and exported. The update planner runs it twice: in-process for the working
// tree, and copied (with the working tree's mock engine) into an older revision's tree, where it
// runs in a child process against that revision's own @pulumi/* packages:
//
//   node -r <working tree>/scripts/register.cjs <tree>/tools/plan/evaluate.ts \
//       --stack-file <Pulumi.<stack>.yaml> [--previous <outputs.json>] --out <evaluation.json>
//
// It imports nothing of the program but index.ts (through the engine) and nothing of the tooling
// but the mock engine, so that it runs unchanged against any revision's program.
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { evaluateProgram, type RecordedResource, stackFileConfig, type StackOutputs } from "../mock/engine";

/** What one revision of the program registers and exports for one stack file. */
export interface Evaluation {
    stack: string;
    resources: RecordedResource[];
    /** Stack outputs; secret values are replaced by "[secret]". */
    outputs: Record<string, unknown>;
    /** What the program logged (config warnings). */
    logs: string[];
}

const STACK_FILE = /^Pulumi\.([^.]+)\.yaml$/;
const PROJECT = "eks-istio";
const ORGANIZATION = "organization";

export function stackOf(file: string): string {
    const m = STACK_FILE.exec(path.basename(file));
    if (!m) throw new Error(`${file} is not a stack file (Pulumi.<stack>.yaml)`);
    return m[1];
}

/** The fully qualified name a stack reads its own previous update under. */
export const selfReference = (stack: string): string => `${ORGANIZATION}/${PROJECT}/${stack}`;

const redact = (outputs: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(
        Object.entries(outputs).map(([k, v]) => [k, v && typeof v === "object" && "secret" in v ? "[secret]" : v]),
    );
const plain = (outputs: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(
        Object.entries(outputs).map(([k, v]) => [k, v && typeof v === "object" && "secret" in v ? v.secret : v]),
    );

/**
 * Evaluates `file`. What the stack's last update exported (the program may read it through a
 * reference to itself) is `previous` when given, else `Pulumi.<stack>.outputs.yaml` beside the
 * stack file (see the render), else nothing. An attached stack (cluster.stackReference) reads the
 * outputs of its owner's stack file beside it, evaluated with the same program.
 */
export async function evaluateStackFile(
    file: string,
    { previous }: { previous?: Record<string, unknown> } = {},
): Promise<Evaluation> {
    return evaluateConfig(stackOf(file), stackFileConfig(file), { dir: path.dirname(file), previous });
}

/**
 * Evaluates the program for `stack` with `config` (a stack file's `config:` as
 * `stackFileConfig` gives it), as evaluateStackFile does for a file in `dir`.
 */
export async function evaluateConfig(
    stack: string,
    config: Record<string, string>,
    { dir, previous }: { dir: string; previous?: Record<string, unknown> },
): Promise<Evaluation> {
    const stackOutputs: StackOutputs = {};
    const previousFile = path.join(dir, `Pulumi.${stack}.outputs.yaml`);
    if (previous) stackOutputs[selfReference(stack)] = previous;
    else if (fs.existsSync(previousFile))
        stackOutputs[selfReference(stack)] = (parseYaml(fs.readFileSync(previousFile, "utf8")) ?? {}) as Record<
            string,
            unknown
        >;
    const reference = ownerReference(config);
    if (reference) {
        const ownerFile = path.join(dir, `Pulumi.${reference.split("/").pop()}.yaml`);
        if (!fs.existsSync(ownerFile))
            throw new Error(
                `eks-istio:cluster.stackReference: planning offline needs the owner's stack file ${ownerFile} beside this one`,
            );
        const owner = await evaluateProgram({ stack: stackOf(ownerFile), config: stackFileConfig(ownerFile) });
        stackOutputs[reference] = plain(owner.outputs);
    }
    const { run, outputs } = await evaluateProgram({ stack, config, stackOutputs });
    return { stack, resources: plainResources(run.resources), outputs: redact(outputs), logs: run.logs };
}

/**
 * The recorded resources as plain data (a copy: the engine's evaluations are shared): a resource
 * passed by reference in an input (ManagedNodeGroup's `cluster`) becomes its URN, as the engine
 * keeps a resource reference in state.
 */
function plainResources(resources: RecordedResource[]): RecordedResource[] {
    const urns = new Map(resources.map((r) => [`${r.type}::${r.name}`, r.urn]));
    const plain = (x: unknown): unknown => {
        if (Array.isArray(x)) return x.map(plain);
        if (x === null || typeof x !== "object") return x;
        const o = x as Record<string, unknown>;
        if (o.__pulumiResource === true)
            return urns.get(`${String(o.__pulumiType)}::${String(o.__name)}`) ?? `<${String(o.__name)}>`;
        return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, plain(v)]));
    };
    return resources.map((r) => ({ ...r, inputs: plain(r.inputs) as Record<string, any> }));
}

/** `eks-istio:cluster.stackReference`, read without the program's config code (any revision's works). */
function ownerReference(config: Record<string, string>): string | undefined {
    const raw = config["eks-istio:cluster"];
    if (!raw) return undefined;
    try {
        const cluster = JSON.parse(raw) as { stackReference?: unknown };
        return typeof cluster?.stackReference === "string" ? cluster.stackReference : undefined;
    } catch {
        return undefined;
    }
}

/** The child-process entry: arguments as in the header; writes the evaluation as JSON. */
async function main(argv: string[]): Promise<number> {
    const arg = (flag: string) => {
        const i = argv.indexOf(flag);
        return i >= 0 ? argv[i + 1] : undefined;
    };
    const file = arg("--stack-file");
    const out = arg("--out");
    if (!file || !out) {
        process.stderr.write("usage: evaluate.ts --stack-file <file> [--previous <json>] --out <json>\n");
        return 2;
    }
    const previousFile = arg("--previous");
    const previous = previousFile
        ? (JSON.parse(fs.readFileSync(previousFile, "utf8")) as Record<string, unknown>)
        : undefined;
    const evaluation = await evaluateStackFile(path.resolve(file), { previous });
    fs.writeFileSync(out, JSON.stringify(evaluation));
    return 0;
}

if (require.main === module)
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e: unknown) => {
            // A config error is told by its message, as `pulumi preview` would print it. (The
            // program's ConfigError has a `stack` field of its own: the stack's name.)
            const text =
                e instanceof Error
                    ? typeof e.stack === "string" && e.stack.includes(e.message)
                        ? e.stack
                        : `${e.name}: ${e.message}`
                    : String(e);
            process.stderr.write(`${text}\n`);
            process.exit(1);
        },
    );
