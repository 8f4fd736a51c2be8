// The stack as the program reads it: Pulumi's config → the contract (config/) → the Istio objects
// that config produces, built by the same manifest functions the components use (manifests/) →
// what the API server and istiod would refuse of them (validation/) → one ConfigError. It stands
// above manifests/ and validation/ so that config/ stays the contract alone and never imports what
// it configures. index.ts calls loadStack before registering any resource, so a bad config creates
// nothing; the tests and the tooling call parseStackConfig.
import * as pulumi from "@pulumi/pulumi";
import {
    ConfigError,
    keyPath,
    problemGuard,
    rawConfigFromMap,
    type RawStackConfig,
    reviewContract,
    type StackConfig,
} from "./config";
import { generatedObjectProblems } from "./validation";

/**
 * Turns raw config into a `StackConfig` or throws one `ConfigError` listing every problem: those of
 * the contract, and those the cluster would find in the objects the config produces ("Preview is
 * the truth" in DESIGN.md), each at the config key behind the field. When the contract has
 * problems, the objects of the parts that parsed are still judged (reviewContract's `partial`), so
 * that one run reports every independent problem. Each key is named once: where the contract
 * already names a key, its reasons stand, and the objects' at, above or inside it are not added
 * (they judge the same value again: generatedObjectProblems); several reasons at one key are one
 * line (ConfigError).
 */
export function parseStackConfig(raw: RawStackConfig): StackConfig {
    const review = reviewContract(raw);
    const guard = problemGuard(raw);
    const built = review.config ?? review.partial?.config;
    const objectProblems = (built ? generatedObjectProblems(built, review.partial) : []).map((p) =>
        guard({ path: keyPath(p.at), message: p.message }),
    );
    const problems = [...review.problems, ...objectProblems];
    if (problems.length > 0) throw new ConfigError(raw.stack, problems);
    return review.config!;
}

/** Pulumi's own record of which config keys are secret (internal to @pulumi/pulumi, hence the guard). */
function pulumiIsSecret(key: string): boolean {
    const isConfigSecret = (pulumi.runtime as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
    return typeof isConfigSecret === "function" ? isConfigSecret(key) : false;
}

/** Reads the stack's config from Pulumi, parses and validates it, and shows its warnings. */
export function loadStack(): StackConfig {
    const config = parseStackConfig(rawConfigFromMap(pulumi.getStack(), pulumi.runtime.allConfig(), pulumiIsSecret));
    for (const w of config.warnings) pulumi.log.warn(`${w.path}: ${w.message}`);
    return config;
}

/**
 * The Pulumi CLI versions whose engine imports a resource and then updates it to the program's
 * inputs in the same deployment (3.174.0, pulumi/pulumi#19339). Earlier engines refuse an import
 * whose inputs differ from what they read ("inputs to import do not match the existing
 * resource"), and an adopted log group always differs: EKS created it without retention or tags.
 */
export const IMPORT_THEN_UPDATE_CLI = ">=3.174.0";

/**
 * With cluster.adoptLogGroup, stops before anything is registered when the CLI running the
 * program is older than IMPORT_THEN_UPDATE_CLI. `require` is Pulumi's engine check, which does
 * nothing without an engine (under mocks).
 */
export async function checkAdoptionCli(
    config: Pick<StackConfig, "stack" | "cluster">,
    require: (range: string) => Promise<void> = (range) => pulumi.runtime.requirePulumiVersion(range),
): Promise<void> {
    if (!config.cluster.adoptLogGroup) return;
    try {
        await require(IMPORT_THEN_UPDATE_CLI);
    } catch (e) {
        throw new ConfigError(config.stack, [
            {
                path: keyPath("cluster.adoptLogGroup"),
                message:
                    `needs Pulumi CLI 3.174.0 or later, which imports the log group and then sets its retention and tags in one update (${e instanceof Error ? e.message : String(e)}); ` +
                    "upgrade the CLI, or import the group with `pulumi import` instead (README, Upgrading) and remove the key",
            },
        ]);
    }
}
