// fast-check, run so that any failure can be replayed: the failing run's seed and path are printed
// with the exact command that reproduces it, and FC_SEED / FC_PATH replay it (README: "Tests and benchmarks").
import fc from "fast-check";
import { DEFAULT_STATUS_NODE_PORT, defaultNodePort } from "../components/config";

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

// ---- generators shared by the property tests --------------------------------------------------

const environment = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/).filter((e) => !e.includes("--"));
const gatewayPort = fc.integer({ min: 1, max: 65535 }).filter((p) => p < 15000 || p > 15099);
/** Explicit NodePorts from the static band (30000-30085), where pinned NodePorts belong. */
const nodePort = fc.option(fc.integer({ min: 30000, max: 30085 }), { nil: undefined });
const HOST_SETS = [["*"], ["*.example.com"], ["a.example.com", "b.example.com"]];

/**
 * Gateway configs: one to three environments on distinct ports, NodePorts pinned or not (from the
 * static band, so some collide), host sets, apps. The traffic-path and one-owner properties use it.
 */
export const gatewayConfigs = fc
    .record({
        environments: fc.uniqueArray(environment, { minLength: 1, maxLength: 3 }),
        ports: fc.uniqueArray(gatewayPort, { minLength: 3, maxLength: 3 }),
        nodePorts: fc.array(nodePort, { minLength: 3, maxLength: 3 }),
        statusNodePort: nodePort,
        hosts: fc.constantFrom(...HOST_SETS),
        apps: fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/), { minLength: 1, maxLength: 3 }),
        appHosts: fc.boolean(),
    })
    .map(({ environments, ports, nodePorts, statusNodePort, hosts, apps, appHosts }) => {
        const entry = (i: number) => ({
            port: ports[i],
            ...(nodePorts[i] === undefined ? {} : { nodePort: nodePorts[i] }),
        });
        return {
            environment: environments[0],
            ingress: { ...entry(0), hosts },
            istio: {
                ...(statusNodePort === undefined ? {} : { statusNodePort }),
                extraGatewayPorts: environments.slice(1).map((environment, i) => ({ environment, ...entry(i + 1) })),
            },
            apps: apps.map((name) => ({
                name,
                ...(appHosts ? { hosts } : {}),
                http: [{ match: [{ uri: { prefix: `/${name}` } }], route: [{ destination: { host: name } }] }],
            })),
        };
    });

/** The NodePort each port of a generated config's gateway Service ends up with: the pinned one, or the one derived from its port. */
export function effectiveNodePorts(values: {
    ingress: { port: number; nodePort?: number };
    istio: { statusNodePort?: number; extraGatewayPorts: { port: number; nodePort?: number }[] };
}): number[] {
    return [
        values.istio.statusNodePort ?? DEFAULT_STATUS_NODE_PORT,
        ...[values.ingress, ...values.istio.extraGatewayPorts].map((e) => e.nodePort ?? defaultNodePort(e.port)),
    ];
}
