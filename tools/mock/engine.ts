// Runs Pulumi code offline under mocks and records what it registers: every resource's type,
// name, resolved inputs, and the options it was given (parent, provider, dependsOn, protect),
// which mocks alone do not see and a stack transformation captures. Shared by the tests and the
// offline render, so both see exactly what `pulumi up` would send.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";

export const ROOT = path.resolve(__dirname, "..", "..");
export const INDEX = path.join(ROOT, "index.ts");
/** The account, region and OIDC issuer the mocked cloud pretends to be. */
export const ACCOUNT = "123456789012";
export const MOCK_REGION = "ap-northeast-1";

export interface RecordedResource {
    type: string;
    name: string;
    inputs: Record<string, any>;
    /** Names of the resource's parent, provider and explicit dependencies, from its options. */
    parent?: string;
    provider?: string;
    dependsOn: string[];
    protect: boolean;
    /** The URN the engine gives it: stack, project, the parent chain's types joined by `$`, the name. */
    urn?: string;
    /**
     * Resource options the update planner (tools/plan) reads, recorded only when given: `aliases` as
     * the URNs they stand for, `version` the SDK's package version (the engine's default provider
     * is per version), `import` the ID of an object to adopt.
     */
    aliases?: string[];
    version?: string;
    import?: string;
    ignoreChanges?: string[];
    replaceOnChanges?: string[];
    deleteBeforeReplace?: boolean;
    retainOnDelete?: boolean;
    /**
     * What the engine orders this resource by, as keys `type::name` (names alone are not unique: a
     * Policy and a RolePolicyAttachment may share one): a custom resource is an engine step; a
     * component only groups its children; a remote component (eks.Cluster) is one opaque step.
     * `inputs` are the resources whose Outputs its inputs read, or that they pass by reference
     * (implicit dependencies).
     */
    graph: {
        kind: "custom" | "component" | "remote";
        parent?: string;
        provider?: string;
        dependsOn: string[];
        inputs: string[];
        /**
         * `inputs` per top-level input property, as the SDK sends them to the engine
         * (`propertyDependencies`): which resources' Outputs each input reads, or which resources it
         * passes by reference. Properties that read none are left out.
         */
        propertyDependencies?: Record<string, string[]>;
    };
}

/** The key the lifecycle model and `RecordedResource.graph` name a resource by. */
export const resourceKey = (r: { type: string; name: string }): string => `${r.type}::${r.name}`;

export interface MockRun<T> {
    /** What the evaluated code returned (the program's module exports, or the built components). */
    result: T;
    resources: RecordedResource[];
    ofType(type: string): RecordedResource[];
    one(type: string, name?: string): RecordedResource;
    /**
     * What the evaluation logged through `pulumi.log`, in order: the lines `pulumi preview` shows
     * under the stack, e.g. "warning: eks-istio:ingress.certificateArn: ...". Kept, not printed.
     */
    logs: string[];
}

/** Outputs of other stacks, keyed by stack reference name ("org/project/stack"), for StackReference mocks. */
export type StackOutputs = Record<string, Record<string, unknown>>;

export interface MockOptions {
    stack: string;
    config?: Record<string, string>;
    stackOutputs?: StackOutputs;
}

// Stack files parsed, by path, with the text they were parsed from: the specs and the render read
// the same few files dozens of times, and a changed file is parsed again.
const stackFiles = new Map<string, { text: string; config: Record<string, string> }>();

/** Config map of a stack file (`config:` section), in the form `pulumi.runtime.setAllConfig` takes. */
export function stackFileConfig(file: string): Record<string, string> {
    const text = fs.readFileSync(file, "utf8");
    let parsed = stackFiles.get(file);
    if (parsed?.text !== text) {
        const doc = parseYaml(text) as { config?: Record<string, unknown> } | null;
        parsed = { text, config: toConfigMap(doc?.config ?? {}) };
        stackFiles.set(file, parsed);
    }
    // A copy: callers may change theirs.
    return { ...parsed.config };
}

/** Pulumi keeps plain strings as they are and structured values as JSON. */
export function toConfigMap(values: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
}

/** Outputs the mocked cloud returns for the resources whose outputs the program reads. */
export function mockOutputs(
    type: string,
    name: string,
    inputs: Record<string, any>,
    stackOutputs: StackOutputs = {},
): Record<string, unknown> {
    const oidc = `oidc.eks.${MOCK_REGION}.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF`;
    switch (type) {
        case "awsx:ec2:Vpc":
            return {
                vpcId: "vpc-0abc",
                publicSubnetIds: ["subnet-pub-a", "subnet-pub-c"],
                privateSubnetIds: ["subnet-priv-a", "subnet-priv-c"],
            };
        case "eks:index:Cluster":
            return {
                kubeconfigJson: JSON.stringify({ apiVersion: "v1", kind: "Config", clusters: [{ name: inputs.name }] }),
                oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${oidc}`,
                oidcProviderUrl: `https://${oidc}`,
                oidcIssuer: oidc,
            };
        case "aws:iam/role:Role":
            return { arn: `arn:aws:iam::${ACCOUNT}:role/${name}`, name };
        case "aws:iam/policy:Policy":
            return { arn: `arn:aws:iam::${ACCOUNT}:policy/${name}`, name };
        case "aws:s3/bucket:Bucket":
            return { arn: `arn:aws:s3:::${inputs.bucket}` };
        case "aws:kms/key:Key":
            return { arn: `arn:aws:kms:${MOCK_REGION}:${ACCOUNT}:key/${name}` };
        case "aws:ec2/launchTemplate:LaunchTemplate":
            return { arn: `arn:aws:ec2:${MOCK_REGION}:${ACCOUNT}:launch-template/${name}`, latestVersion: 1 };
        case "kubernetes:networking.k8s.io/v1:Ingress":
            // What the AWS Load Balancer Controller writes once the ALB exists.
            return {
                status: {
                    loadBalancer: {
                        ingress: [
                            {
                                hostname: `k8s-${inputs.metadata?.name ?? name}-1234567890.${MOCK_REGION}.elb.amazonaws.com`,
                            },
                        ],
                    },
                },
            };
        case "pulumi:pulumi:StackReference": {
            // A stack reading its own last update (istio revisions): a never-updated stack has no outputs.
            if (name.endsWith("-previous-update"))
                return { outputs: stackOutputs[inputs.name] ?? {}, secretOutputNames: [] };
            const outputs = stackOutputs[inputs.name ?? name];
            if (!outputs) throw new Error(`no outputs mocked for stack reference "${inputs.name ?? name}"`);
            return { outputs, secretOutputNames: "kubeconfig" in outputs ? ["kubeconfig"] : [] };
        }
        default:
            return {};
    }
}

/**
 * Results of the data sources the program reads. EKS add-on versions are resolved by AWS at deploy
 * time; offline they render as a marker naming what AWS is asked.
 */
export function mockInvoke(token: string, inputs: Record<string, any>): Record<string, unknown> {
    if (token === "aws:eks/getAddonVersion:getAddonVersion")
        return {
            version: `<EKS ${inputs.mostRecent ? "most recent" : "default"} ${inputs.addonName} for Kubernetes ${inputs.kubernetesVersion}>`,
        };
    // The account the stack deploys to: AWS's documentation account, as everywhere offline.
    if (token === "aws:index/getCallerIdentity:getCallerIdentity")
        return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/mock`, id: ACCOUNT, userId: "AIDAMOCK" };
    return {};
}

const resourceName = (r: unknown): string | undefined =>
    r instanceof pulumi.Resource ? ((r as any).__name as string) : undefined;

const keyOf = (r: unknown): string | undefined =>
    r instanceof pulumi.Resource ? `${(r as any).__pulumiType as string}::${(r as any).__name as string}` : undefined;

/**
 * Every Output reachable in a resource's raw inputs (plain objects and arrays are walked), and the
 * resources passed by reference: the SDK counts both as the input's dependencies (runtime/rpc.ts
 * `serializeProperty`).
 */
function outputsIn(x: unknown, seen = new Set<unknown>()): (pulumi.Output<unknown> | pulumi.Resource)[] {
    if (x === null || typeof x !== "object" || seen.has(x)) return [];
    seen.add(x);
    if (pulumi.Output.isInstance(x)) return [x as pulumi.Output<unknown>];
    if (x instanceof pulumi.Resource) return [x];
    const values = Array.isArray(x) ? x : Object.values(x as Record<string, unknown>);
    return values.flatMap((v) => outputsIn(v, seen));
}

async function resourcesOf(outputs: (pulumi.Output<unknown> | pulumi.Resource)[]): Promise<string[]> {
    const out = new Set<string>();
    for (const o of outputs) {
        if (o instanceof pulumi.Resource) {
            out.add(keyOf(o)!);
            continue;
        }
        const all = (await (require("@pulumi/pulumi/output") as any).getAllResources(o)) as Set<pulumi.Resource>;
        for (const r of all) out.add(keyOf(r)!);
    }
    return [...out].sort();
}

const promiseOf = <T>(o: pulumi.Output<T>): Promise<T> => (o as unknown as { promise(): Promise<T> }).promise();

/** The options of a resource the update planner reads (see `RecordedResource`), those given only. */
function plannerOptions(o: pulumi.ResourceOptions): Partial<RecordedResource> {
    const c = o as pulumi.CustomResourceOptions;
    const out: Partial<RecordedResource> = {};
    if (typeof o.version === "string") out.version = o.version;
    if (typeof c.import === "string") out.import = c.import;
    if (o.ignoreChanges?.length) out.ignoreChanges = [...o.ignoreChanges];
    if (o.replaceOnChanges?.length) out.replaceOnChanges = [...o.replaceOnChanges];
    if (c.deleteBeforeReplace !== undefined) out.deleteBeforeReplace = c.deleteBeforeReplace;
    if (o.retainOnDelete !== undefined) out.retainOnDelete = o.retainOnDelete;
    return out;
}

/**
 * The URNs a resource's `aliases` stand for, as the SDK collapses them (`collapseAliasToUrn` in
 * @pulumi/pulumi resource.ts): a string is a URN; an object fills what it leaves out with the
 * resource's own name, type and parent.
 */
async function aliasUrns(
    aliases: pulumi.Input<string | pulumi.Alias>[],
    r: RecordedResource,
    parent: pulumi.Resource | undefined,
): Promise<string[]> {
    const out: string[] = [];
    for (const input of aliases) {
        const a = await promiseOf(pulumi.output(input) as pulumi.Output<string | pulumi.Alias>);
        if (typeof a === "string") {
            out.push(a);
            continue;
        }
        const has = (k: keyof pulumi.Alias) => Object.prototype.hasOwnProperty.call(a, k);
        const name = has("name") ? await promiseOf(pulumi.output(a.name!)) : r.name;
        const type = has("type") ? await promiseOf(pulumi.output(a.type!)) : r.type;
        const aliasParent = has("parent") ? a.parent : parent;
        const stack = has("stack") ? await promiseOf(pulumi.output(a.stack!)) : undefined;
        const project = has("project") ? await promiseOf(pulumi.output(a.project!)) : undefined;
        out.push(await promiseOf(pulumi.createUrn(name, type, aliasParent, project, stack)));
    }
    return [...new Set(out)];
}

/**
 * Makes the mocked engine name resources as the real one does. The SDK's MockMonitor qualifies a
 * child's type with its parent's last type only, and a top-level resource's with
 * `pulumi:pulumi:Stack`; the engine (pulumi/pulumi `resource.NewURN`) joins the parent's whole
 * qualified type, the root stack's left out. URNs and aliases built from them must match what a
 * real state holds, or the update planner cannot match resources across revisions.
 */
function engineUrns(): void {
    const monitor = (require("@pulumi/pulumi/runtime/settings") as { getMonitor(): any }).getMonitor();
    monitor.newUrn = (parent: string | undefined, type: string, name: string): string => {
        const parentType = parent ? parent.split("::")[2] : "";
        const qualified = parentType && parentType !== "pulumi:pulumi:Stack" ? `${parentType}$${type}` : type;
        return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualified}::${name}`;
    };
}

/** What an unexpected error thrown during an evaluation says instead of its missing stack frames. */
export const STACK_TRACES_OFF =
    "(stack traces are off under mocks: rerun with EKS_ISTIO_STACK_TRACES=1 to see where this was thrown)";

/**
 * Evaluates `build` inside a Pulumi stack under mocks, as the engine would for `stack` with
 * `config`, and returns what it registered. Throws what `build` throws.
 */
export async function runUnderMocks<T>(build: () => T | Promise<T>, opts: MockOptions): Promise<MockRun<T>> {
    // Pulumi captures a stack trace for every promise it makes (runtime/debuggable.js), only to name
    // leaked promises at exit; under mocks that capture was a third of each evaluation. With the
    // limit at 0 an Error records no frames; Pulumi raises it itself where it wants a position
    // (Resource.callsites). EKS_ISTIO_STACK_TRACES=1 keeps traces, to find where an unexpected
    // error was thrown.
    const limit = Error.stackTraceLimit;
    if (!process.env.EKS_ISTIO_STACK_TRACES) Error.stackTraceLimit = 0;
    const logs: string[] = [];
    const restoreConsole = keepRuntimeLog(logs);
    try {
        return { ...(await evaluate(build, opts)), logs };
    } catch (e) {
        // A RunError (a ConfigError) is told by its message, as Pulumi prints it; any other error
        // is a bug to locate.
        // (isInstance is a type guard; Error and RunError look alike to the compiler, so its negation
        // would leave nothing.)
        const told: boolean = (pulumi.RunError.isInstance as (x: unknown) => boolean)(e);
        if (e instanceof Error && !told && !/\n\s+at /.test(e.stack ?? ""))
            e.stack = `${e.stack ?? `${e.name}: ${e.message}`}\n    ${STACK_TRACES_OFF}`;
        throw e;
    } finally {
        restoreConsole();
        Error.stackTraceLimit = limit;
    }
}

/**
 * With no engine to send them to, pulumi.log writes "warning: [runtime] <message>" (and info:,
 * error:) to the console. Until the returned function is called, those lines go to `logs` instead
 * (the render prints them, once, as the preview would; tests assert them); any other console
 * output still prints.
 */
function keepRuntimeLog(logs: string[]): () => void {
    const saved = (["log", "info", "warn", "error"] as const).map((m) => [m, console[m]] as const);
    for (const [m, print] of saved)
        console[m] = (...args: unknown[]) => {
            const line = args.length === 1 && typeof args[0] === "string" && /^(\w+): \[runtime\] /.exec(args[0]);
            if (line) logs.push(`${line[1]}: ${(args[0] as string).slice(line[0].length)}`);
            else print(...args);
        };
    return () => {
        for (const [m, print] of saved) console[m] = print;
    };
}

async function evaluate<T>(build: () => T | Promise<T>, opts: MockOptions): Promise<Omit<MockRun<T>, "logs">> {
    const resources: RecordedResource[] = [];
    const options = new Map<string, Omit<RecordedResource, "type" | "name" | "inputs" | "graph">>();
    const graphs = new Map<
        string,
        {
            resource: pulumi.Resource;
            /** The Outputs each top-level input property reads. */
            outputs: Map<string, (pulumi.Output<unknown> | pulumi.Resource)[]>;
            aliases: pulumi.Input<string | pulumi.Alias>[];
            parent?: pulumi.Resource;
            graph: Omit<RecordedResource["graph"], "kind" | "inputs">;
        }
    >();
    const key = (type: string, name: string) => `${type}::${name}`;

    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                resources.push({
                    type: args.type,
                    name: args.name,
                    inputs: args.inputs,
                    dependsOn: [],
                    protect: false,
                    graph: { kind: "custom", dependsOn: [], inputs: [] },
                });
                return {
                    id: `${args.name}-id`,
                    state: { ...args.inputs, ...mockOutputs(args.type, args.name, args.inputs, opts.stackOutputs) },
                };
            },
            call: (args) => ({ ...args.inputs, ...mockInvoke(args.token, args.inputs) }),
        },
        "eks-istio",
        opts.stack,
        false,
        // What a self-managed backend calls every organization.
        "organization",
    );
    engineUrns();
    pulumi.runtime.setAllConfig(opts.config ?? {});

    let result: T | undefined;
    await pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation((t) => {
            // A resource passed by reference is rebuilt from its URN; that copy has no options of its own.
            if ((t.opts as { urn?: string }).urn) return undefined;
            const deps = t.opts.dependsOn;
            const list = deps === undefined ? [] : Array.isArray(deps) ? deps : [deps];
            options.set(key(t.type, t.name), {
                parent: resourceName(t.opts.parent),
                provider: resourceName((t.opts as pulumi.CustomResourceOptions).provider),
                dependsOn: list.map((d) => resourceName(d) ?? "<output>"),
                protect: t.opts.protect === true,
                ...plannerOptions(t.opts),
            });
            graphs.set(key(t.type, t.name), {
                resource: t.resource,
                outputs: new Map(Object.entries(t.props).map(([k, v]) => [k, outputsIn(v)])),
                aliases: t.opts.aliases ?? [],
                parent: t.opts.parent,
                graph: {
                    parent: keyOf(t.opts.parent),
                    provider: keyOf((t.opts as pulumi.CustomResourceOptions).provider),
                    dependsOn: list.map((d) => keyOf(d) ?? "<output>"),
                },
            });
            return undefined;
        });
        result = await build();
        return {};
    });
    await (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs();

    for (const r of resources) {
        Object.assign(r, options.get(key(r.type, r.name)) ?? {});
        const g = graphs.get(key(r.type, r.name));
        if (!g) continue;
        const kind = pulumi.CustomResource.isInstance(g.resource)
            ? "custom"
            : (g.resource as any).__remote
              ? "remote"
              : "component";
        const propertyDependencies: Record<string, string[]> = {};
        for (const [property, outputs] of g.outputs) {
            const deps = await resourcesOf(outputs);
            if (deps.length) propertyDependencies[property] = deps;
        }
        const inputs = [...new Set(Object.values(propertyDependencies).flat())].sort();
        r.graph = { kind, ...g.graph, inputs, ...(inputs.length ? { propertyDependencies } : {}) };
        r.urn = await promiseOf(g.resource.urn);
        if (g.aliases.length) r.aliases = await aliasUrns(g.aliases, r, g.parent);
    }
    return {
        result: result as T,
        resources,
        ofType: (type) => resources.filter((r) => r.type === type),
        one(type, name) {
            const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
            if (found.length !== 1)
                throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
            return found[0];
        },
    };
}

/**
 * Evaluates the real program (index.ts), fresh, as `pulumi up` would: its export is an async
 * function whose result is the stack outputs.
 */
export function runIndex(opts: MockOptions): Promise<MockRun<Record<string, unknown>>> {
    return runUnderMocks(async () => {
        delete require.cache[INDEX];
        const program = require(INDEX) as (() => Promise<Record<string, unknown>>) | Record<string, unknown>;
        return typeof program === "function" ? await program() : program;
    }, opts);
}

/** One evaluation of the program: what it registered, and its stack outputs resolved. */
export interface ProgramEvaluation {
    run: MockRun<Record<string, unknown>>;
    outputs: Record<string, unknown>;
}

// Successful evaluations, by stack, config and the outputs other stacks return. The program is
// deterministic: the same inputs register the same resources, so the tests, the render and the
// render's owner-stack lookups share one evaluation per distinct input instead of repeating it.
// Failed evaluations are not kept (a test of a failure inspects the engine right after it).
const evaluations = new Map<string, ProgramEvaluation>();
// Under mutation testing (npm run mutate) one test process runs the suite once per mutant: an
// evaluation made with another mutant active (or none) is not this code's, so it is dropped.
let evaluatedWithMutant: unknown;
const activeMutant = () => (globalThis as { __stryker__?: { activeMutant?: unknown } }).__stryker__?.activeMutant;

/** The cache key: the same inputs give the same key whatever order the config was written in. */
function evaluationKey(opts: MockOptions): string {
    const config = Object.entries(opts.config ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return JSON.stringify([opts.stack, config, opts.stackOutputs ?? {}]);
}

/**
 * Evaluates index.ts for `opts` (see `runIndex`) and resolves its outputs, or returns the earlier
 * evaluation of the same inputs. `fresh` evaluates again whatever the cache holds (the
 * determinism test compares two real evaluations). Results are shared: callers must not mutate them.
 */
export async function evaluateProgram(opts: MockOptions, { fresh = false } = {}): Promise<ProgramEvaluation> {
    if (activeMutant() !== evaluatedWithMutant) {
        evaluations.clear();
        evaluatedWithMutant = activeMutant();
    }
    const key = evaluationKey(opts);
    const cached = fresh ? undefined : evaluations.get(key);
    if (cached) return cached;
    const run = await runIndex(opts);
    const evaluation = { run, outputs: await resolveOutputs(run.result) };
    if (!fresh) evaluations.set(key, evaluation);
    return evaluation;
}

/** Resolves an Output (or plain value) to its value; secrets come back as `{ secret: value }`. */
export async function unwrap(v: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(v)) {
        const secret = await (v as any).isSecret;
        const value = await new Promise((resolve) => (v as pulumi.Output<unknown>).apply(resolve));
        return secret ? { secret: value } : value;
    }
    return v;
}

/** The stack outputs of a program run, resolved. */
export async function resolveOutputs(exports: Record<string, unknown>): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(exports)) out[k] = await unwrap(v);
    return out;
}
