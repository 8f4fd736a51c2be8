// Test-side view of the mock engine in tools/mock/engine.ts (shared with the offline render):
// run the real program for a stack config, or components alone, and inspect what was registered.
import * as pulumi from "@pulumi/pulumi";
import {
    evaluateProgram,
    type MockRun,
    type RecordedResource,
    runUnderMocks,
    stackFileConfig,
} from "../tools/mock/engine";
import { ownerOutputs, stackNameOf } from "../tools/render/render";

export {
    ACCOUNT,
    mockOutputs,
    type RecordedResource,
    resourceKey,
    ROOT,
    stackFileConfig,
    toConfigMap,
    unwrap,
} from "../tools/mock/engine";

export interface ProgramRun {
    resources: RecordedResource[];
    outputs: Record<string, unknown>;
    ofType(type: string): RecordedResource[];
    one(type: string, name?: string): RecordedResource;
    /** What the program logged, as `pulumi preview` shows it ("warning: <key path>: <message>"). */
    logs: string[];
}

/**
 * Evaluates index.ts as `pulumi up` would for `stack` with `config`, under mocks. Throws what the
 * program throws (a ConfigError for bad config). Outputs are resolved; secrets are `{ secret: value }`.
 * Successful runs are shared with every other spec and the render (one evaluation per distinct
 * stack, config and owner outputs; see evaluateProgram): tests read them and never change them.
 */
export async function runProgram(
    stack: string,
    config: Record<string, string>,
    stackOutputs?: Record<string, Record<string, unknown>>,
): Promise<ProgramRun> {
    const { run, outputs } = await evaluateProgram({ stack, config, stackOutputs });
    return { resources: run.resources, ofType: run.ofType, one: run.one, logs: run.logs, outputs };
}

const owners = new Map<string, ReturnType<typeof ownerOutputs>>();

/** Runs a stack file as `pulumi up` would; an attached stack gets its owner's outputs, as the render does. */
export async function runStackFile(file: string): Promise<ProgramRun> {
    const config = stackFileConfig(file);
    // The owner's outputs are evaluated once per file, like the runs themselves (see `runs`); a
    // failure is not kept.
    if (!owners.has(file)) {
        const pending = ownerOutputs(file, config);
        owners.set(file, pending);
        pending.catch(() => owners.delete(file));
    }
    return runProgram(stackNameOf(file), config, await owners.get(file)!);
}

export type ComponentRun<T> = MockRun<T>;

/** Runs `build` (which constructs components) under the same mocks and option capture as `runProgram`. */
export function runComponents<T>(
    build: () => T,
    { stack = "test", config = {} }: { stack?: string; config?: Record<string, string> } = {},
): Promise<ComponentRun<T>> {
    return runUnderMocks(build, { stack, config });
}

/** The value of an Output, for component tests that read a component's outputs. */
export function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => o.apply(resolve));
}

/**
 * Types and names of every resource the mocked engine registered in the latest run (even one that
 * failed, which `runProgram` cannot return), the root Stack excluded. Waits for pending RPCs first.
 */
export async function registeredWithMockEngine(): Promise<string[]> {
    const settings = require("@pulumi/pulumi/runtime/settings") as {
        waitForRPCs(): Promise<void>;
        getMonitor(): { getRegisteredResources?(): Map<string, { urn: string }> } | undefined;
    };
    await settings.waitForRPCs().catch(() => undefined);
    const monitor = settings.getMonitor();
    if (!monitor?.getRegisteredResources) throw new Error("not running under Pulumi mocks");
    // URN: urn:pulumi:<stack>::<project>::<parent types joined by $>$<type>::<name>
    return [...monitor.getRegisteredResources().keys()]
        .map((urn) => urn.split("::"))
        .map((parts) => `${parts[2].split("$").pop()}::${parts.slice(3).join("::")}`)
        .filter((t) => !t.startsWith("pulumi:pulumi:Stack::"));
}

/** The value inside a secret resource input as the mocks receive it, or undefined when `x` is not secret. */
export function secretInputValue(x: unknown): unknown {
    const rpc = require("@pulumi/pulumi/runtime/rpc") as { specialSigKey: string; specialSecretSig: string };
    const o = x as Record<string, unknown> | undefined;
    return o && typeof o === "object" && o[rpc.specialSigKey] === rpc.specialSecretSig ? o.value : undefined;
}
