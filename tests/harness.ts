// Runs the real program (index.ts) under Pulumi mocks with a given stack config and records every
// resource: its type, name, resolved inputs, and the options the program gave it (parent,
// provider, dependsOn, protect), which mocks alone do not see and a stack transformation captures.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";

export const ROOT = path.resolve(__dirname, "..");
export const ACCOUNT = "123456789012";

export interface RecordedResource {
    type: string;
    name: string;
    inputs: Record<string, any>;
    /** Names of the resource's parent, provider and explicit dependencies, from its options. */
    parent?: string;
    provider?: string;
    dependsOn: string[];
    protect: boolean;
}

export interface ProgramRun {
    resources: RecordedResource[];
    outputs: Record<string, unknown>;
    ofType(type: string): RecordedResource[];
    one(type: string, name?: string): RecordedResource;
}

/** Config map of a stack file (`config:` section), in the form `pulumi.runtime.setAllConfig` takes. */
export function stackFileConfig(file: string): Record<string, string> {
    const doc = parseYaml(fs.readFileSync(file, "utf8")) as { config?: Record<string, unknown> };
    return toConfigMap(doc.config ?? {});
}

/** Pulumi keeps plain strings as they are and structured values as JSON. */
export function toConfigMap(values: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
}

/** Outputs the mocked cloud returns for the resources whose outputs the program reads. */
export function mockOutputs(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
    const region = "ap-northeast-1";
    const oidc = `oidc.eks.${region}.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF`;
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
        case "aws:kms/key:Key":
            return { arn: `arn:aws:kms:${region}:${ACCOUNT}:key/${name}` };
        default:
            return {};
    }
}

const INDEX = path.join(ROOT, "index.ts");

/**
 * Evaluates index.ts as `pulumi up` would for `stack` with `config`, under mocks. Throws what the
 * program throws (a ConfigError for bad config).
 */
export async function runProgram(stack: string, config: Record<string, string>): Promise<ProgramRun> {
    const resources: RecordedResource[] = [];
    const options = new Map<string, Omit<RecordedResource, "type" | "name" | "inputs">>();
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
                });
                return {
                    id: `${args.name}-id`,
                    state: { ...args.inputs, ...mockOutputs(args.type, args.name, args.inputs) },
                };
            },
            call: (args) => ({ ...args.inputs }),
        },
        "eks-istio",
        stack,
        false,
    );
    pulumi.runtime.setAllConfig(config);

    const resName = (r: unknown): string | undefined =>
        r instanceof pulumi.Resource ? ((r as any).__name as string) : undefined;
    let program: Record<string, unknown> = {};
    await pulumi.runtime.runInPulumiStack(async () => {
        pulumi.runtime.registerStackTransformation((t) => {
            // A resource passed by reference is rebuilt from its URN; that copy has no options of its own.
            if ((t.opts as { urn?: string }).urn) return undefined;
            const deps = t.opts.dependsOn;
            const list = deps === undefined ? [] : Array.isArray(deps) ? deps : [deps];
            options.set(key(t.type, t.name), {
                parent: resName(t.opts.parent),
                provider: resName((t.opts as pulumi.CustomResourceOptions).provider),
                dependsOn: list.map((d) => resName(d) ?? "<output>"),
                protect: t.opts.protect === true,
            });
            return undefined;
        });
        delete require.cache[INDEX];
        program = require(INDEX);
        return program;
    });
    await (require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> }).waitForRPCs();

    for (const r of resources) Object.assign(r, options.get(key(r.type, r.name)) ?? {});
    const resolved: Record<string, unknown> = {};
    // The module's exports are the stack outputs; read them as Outputs to see which are secret.
    for (const [k, v] of Object.entries(program)) resolved[k] = await unwrap(v);
    return {
        resources,
        outputs: resolved,
        ofType: (type) => resources.filter((r) => r.type === type),
        one(type, name) {
            const found = resources.filter((r) => r.type === type && (name === undefined || r.name === name));
            if (found.length !== 1)
                throw new Error(`expected one ${type}${name ? ` named ${name}` : ""}, found ${found.length}`);
            return found[0];
        },
    };
}

/** Resolves an Output (or plain value) to its value, keeping whether it was secret. */
export async function unwrap(v: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(v)) {
        const secret = await (v as any).isSecret;
        const value = await new Promise((resolve) => (v as pulumi.Output<unknown>).apply(resolve));
        return secret ? { secret: value } : value;
    }
    return v;
}

/** The value of an Output, for component tests that read a component's outputs. */
export function valueOf<T>(o: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => o.apply(resolve));
}
