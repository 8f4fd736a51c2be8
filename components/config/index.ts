// The contract of a stack's config: raw values → parse → cross-check → defaults, or one ConfigError
// listing every problem. Pure, and the ground floor of the program: config/ imports nothing from
// manifests/, validation/, the components or the tooling, so "what is a valid config" can be read,
// tested and reused without the renderers. The objects a config produces are validated one floor
// up, in components/stack.ts (parseStackConfig, loadStack), which the program and the tests call.
//
// Where a rule lives: field rules (ports, CIDRs, names) in primitives.ts; the schemas and every
// default in contract.ts (the node groups' schema in nodeGroups.ts); Istio specs users write in
// istioSpec.ts; rules across fields in checks/; defaults applied in defaults.ts; messages in
// messages.ts; the versions the program has data for (Istio, Kubernetes, Cluster Autoscaler,
// controller IAM policies) in compatibility.ts; what a config with problems can still be judged on
// (the parts that parsed) in salvage.ts.
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { attachedModeProblems } from "./checks/attachment";
import { awsProblems } from "./checks/aws";
import { clusterProblems, clusterWarnings } from "./checks/cluster";
import { edgeProblems, edgeWarnings } from "./checks/edge";
import { apiAccessWarnings, credentialWarnings } from "./checks/exposure";
import { gatewayPortProblems, nodePortProblems, nodePortWarnings } from "./checks/gatewayPorts";
import { observabilityProblems, observabilityWarnings, parseObservability } from "./checks/observability";
import { compatibilityProblems, httpsProblems, platformWarnings } from "./checks/platform";
import { revisionProblems } from "./checks/revisions";
import { appProblems, routingProblems } from "./checks/routing";
import { tenancyProblems } from "./checks/tenancy";
import { trafficPolicyProblems } from "./checks/trafficPolicy";
import {
    albControllerSchema,
    appSchema,
    clusterSchema,
    type ConfigProblem,
    ingressSchema,
    istioSchema,
    NAMESPACE,
    PRODUCTION_ENVIRONMENTS,
    type RawStackConfig,
    type StackConfig,
    TOP_LEVEL_KEYS,
} from "./contract";
import { withDefaults } from "./defaults";
import { didYouMean, issueMessage, keyPath, onePerKey, significantIssues } from "./messages";
import { CERTIFICATE_ARN, environmentProblem, record } from "./primitives";
import { keysRelated, type PartialConfig, Salvage } from "./salvage";
import {
    excerpt,
    FORBIDDEN_KEYS,
    forbiddenKeyProblems,
    problemGuard,
    safeAssign,
    withoutForbiddenKeys,
} from "./untrusted";

export * from "./checks/attachment";
export * from "./checks/aws";
export * from "./checks/cluster";
export * from "./checks/edge";
export * from "./checks/exposure";
export * from "./checks/gatewayPorts";
export * from "./checks/observability";
export * from "./checks/revisions";
export * from "./checks/platform";
export * from "./checks/reach";
export * from "./checks/routing";
export * from "./checks/tenancy";
export * from "./checks/trafficPolicy";
export * from "./compatibility";
export * from "./contract";
export * from "./elbLogDelivery";
export * from "./messages";
export * from "./nodeGroups";
export * from "./primitives";
export * from "./salvage";
export * from "./untrusted";

/**
 * Raised for an invalid stack config. A `pulumi.RunError`, so `pulumi preview` prints the message
 * alone, not a stack trace. Lists every problem found, not only the first, and each key path once:
 * several reasons at one key are one line (onePerKey).
 *
 * The stack's name is `stackName`: a property named `stack` would shadow `Error.prototype.stack`,
 * and everything that prints `err.stack` (Node's uncaught-error printer, test runners) would show
 * "dev" instead of the message.
 */
export class ConfigError extends pulumi.RunError {
    readonly problems: ConfigProblem[];

    constructor(
        readonly stackName: string,
        problems: ConfigProblem[],
    ) {
        const lines = onePerKey(problems);
        super(
            `Invalid config for stack "${stackName}" (${lines.length} problem${lines.length === 1 ? "" : "s"}):\n` +
                lines.map((p) => `  - ${p.path}: ${p.message}`).join("\n"),
        );
        this.problems = lines;
        this.name = "ConfigError";
    }
}

/** What the contract says about a raw config: its problems, and the config it describes. */
export interface ContractReview {
    /** Every problem the contract found, in the order found; messages scrubbed and cut (problemGuard). */
    problems: ConfigProblem[];
    /** The config, when there is no problem. */
    config?: StackConfig;
    /**
     * With problems: the config of the parts that parsed, for judging the objects that do not
     * depend on the rest (components/stack.ts), or undefined when nothing could be built.
     */
    partial?: PartialConfig;
}

/** The environment a partial config is built with when eks-istio:environment is refused. */
const PLACEHOLDER_ENVIRONMENT = "env";

/**
 * Turns raw config into a `StackConfig` by the contract alone, or throws one `ConfigError` listing
 * every problem. The objects the config produces are not looked at here: components/stack.ts's
 * `parseStackConfig` does that on the result.
 */
export function parseContract(raw: RawStackConfig): StackConfig {
    const review = reviewContract(raw);
    if (review.problems.length > 0) throw new ConfigError(raw.stack, review.problems);
    return review.config!;
}

/**
 * Every problem of the contract in one run: a problem in one section or entry never stops the
 * others being read. A section that fails its schema is read again without what its issues point
 * at (Salvage), so that the parts that parsed still make a config (`partial`), whose objects
 * components/stack.ts validates too.
 */
export function reviewContract(raw: RawStackConfig): ContractReview {
    const problems: ConfigProblem[] = [];
    const add = (path: string, message: string) => problems.push({ path: keyPath(path), message });
    const guard = problemGuard(raw);
    const salvage = new Salvage();

    // Before any schema reads the input: a forbidden key is reported, never interpreted. The rest
    // of the config is read without it.
    for (const p of forbiddenKeyProblems(raw.values)) {
        add(p.at, p.message);
        const key = FORBIDDEN_KEYS.find((k) => p.at === k || p.at.endsWith(`.${k}`)) ?? "";
        salvage.removeEntry(p.at, p.at.slice(0, Math.max(0, p.at.length - key.length - 1)));
    }
    const v = withoutForbiddenKeys(raw.values) as Record<string, unknown>;

    for (const key of Object.keys(v)) {
        if (!(TOP_LEVEL_KEYS as readonly string[]).includes(key))
            add(key, `unknown key${didYouMean(key, TOP_LEVEL_KEYS)}; the keys are ${TOP_LEVEL_KEYS.join(", ")}`);
    }

    if (!raw.region)
        problems.push({
            path: "aws:region",
            message: "is required, e.g. `pulumi config set aws:region ap-northeast-1`",
        });

    const beforeEnvironment = problems.length;
    const environment = v.environment ?? raw.stack;
    const envSource = v.environment === undefined ? `(the stack name, used as the environment)` : "";
    if (typeof environment !== "string") add("environment", `must be a string, got ${excerpt(environment)}`);
    else {
        const problem = environmentProblem(environment);
        if (problem) add("environment", `${problem}${envSource ? ` ${envSource}; set eks-istio:environment` : ""}`);
    }
    const environmentRefused = problems.length > beforeEnvironment;
    if (environmentRefused) salvage.remove("environment");
    if (v.production !== undefined && typeof v.production !== "boolean")
        add("production", `must be true or false, got ${excerpt(v.production)}`);
    if (v.teardown !== undefined && typeof v.teardown !== "boolean")
        add("teardown", `must be true or false, got ${excerpt(v.teardown)}`);

    // A section that fails its schema is reported, and what is left of it without the values its
    // issues point at is returned, for judging the rest (undefined when nothing is left).
    const section = <T>(key: string, schema: z.ZodType<T>, value: unknown): T | undefined => {
        const r = schema.safeParse(value, { reportInput: true });
        if (r.success) return r.data;
        const secret = raw.secretKeys?.includes(key.split(/[.[]/)[0]) ?? false;
        for (const issue of significantIssues(r.error.issues))
            add([key, ...issue.path].join("."), issueMessage(issue, schema, { secret }));
        return salvage.parse(key, schema, value, r.error.issues);
    };

    const cluster =
        section("cluster", clusterSchema.optional(), v.cluster) ?? (v.cluster === undefined ? {} : undefined);
    const istio = section("istio", istioSchema.optional(), v.istio) ?? (v.istio === undefined ? {} : undefined);
    const albController =
        section("albController", albControllerSchema.optional(), v.albController) ??
        (v.albController === undefined ? {} : undefined);
    let ingress: z.infer<typeof ingressSchema> | undefined;
    if (v.ingress === undefined) {
        add(
            "ingress",
            "is required; at least `eks-istio:ingress: {port: 8000}` (the gateway port of this environment)",
        );
        salvage.remove("ingress");
    } else ingress = section("ingress", ingressSchema, v.ingress);

    // Apps are parsed one by one so that one bad app does not hide the others' problems. An app
    // that is left out shifts the ones after it: Salvage keeps where each came from.
    const apps: z.infer<typeof appSchema>[] = [];
    const appEntries: number[] = [];
    if (v.apps !== undefined && !Array.isArray(v.apps)) {
        add("apps", "must be a list of apps");
        salvage.remove("apps");
    } else
        ((v.apps as unknown[] | undefined) ?? []).forEach((a, i) => {
            const app = section(`apps[${i}]`, appSchema, a);
            if (app) {
                apps.push(app);
                appEntries.push(i);
            }
        });
    salvage.keptEntries("apps", appEntries);

    const observability = parseObservability(v.observability, section, add);

    // Cross-field rules. They read the raw values, guarded field by field, so that a type error
    // elsewhere in the same section does not hide them: one run reports every problem.
    const rawCluster = record(v.cluster);
    clusterProblems(rawCluster).forEach((p) => add(p.at, p.message));
    if (rawCluster.stackReference !== undefined) attachedModeProblems(v).forEach((p) => add(p.at, p.message));
    // Only a string is an ARN: a list holding one is a type error, not a certificate in some region.
    const certArn = record(v.ingress).certificateArn;
    const certRegion = typeof certArn === "string" ? CERTIFICATE_ARN.exec(certArn)?.[2] : undefined;
    if (certRegion && raw.region && certRegion !== raw.region)
        add(
            "ingress.certificateArn",
            `the certificate is in ${certRegion} but the stack deploys to ${raw.region}; an ALB can only use ACM certificates from its own region`,
        );
    awsProblems(v, raw.region).forEach((p) => add(p.at, p.message));
    edgeProblems(v, raw.region).forEach((p) => add(p.at, p.message));
    gatewayPortProblems(environment, record(v.ingress).port, record(v.istio).extraGatewayPorts).forEach((p) =>
        add(p.at, p.message),
    );
    nodePortProblems(record(v.ingress), record(v.istio)).forEach((p) => add(p.at, p.message));
    appProblems(v.apps).forEach((p) => add(p.at, p.message));
    if (rawCluster.stackReference === undefined) revisionProblems(v.istio, v.apps).forEach((p) => add(p.at, p.message));
    routingProblems(v.apps, record(v.ingress).hosts).forEach((p) => add(p.at, p.message));
    // On the apps as parsed: an app that lost values to its own problems (other than entries of a
    // map or of a list of values, such as a label or a host) is not cross-checked, as its routes
    // may name what was left out.
    const traffic = trafficPolicyProblems(apps);
    for (const p of traffic.errors) {
        const at = salvage.originalKey(p.at);
        const app = /^apps\[\d+\]/.exec(at)?.[0] ?? at;
        if (!salvage.removed.some((r) => !salvage.entries.has(r) && keysRelated(r, app))) add(at, p.message);
    }
    const tenancy = tenancyProblems(v);
    tenancy.errors.forEach((p) => add(p.at, p.message));
    const production =
        typeof v.production === "boolean"
            ? v.production
            : PRODUCTION_ENVIRONMENTS.includes(typeof environment === "string" ? environment : "");
    observabilityProblems(v.observability, production, record(v.ingress).hosts).forEach((p) => add(p.at, p.message));
    compatibilityProblems(v).forEach((p) => add(p.at, p.message));
    httpsProblems(v, production).forEach((p) => add(p.at, p.message));

    const guarded = problems.map(guard);
    if (problems.length > 0) {
        const prefix = `${NAMESPACE}:`;
        const problemKeys = problems.filter((p) => p.path.startsWith(prefix)).map((p) => p.path.slice(prefix.length));
        let config: StackConfig | undefined;
        try {
            config = withDefaults(raw, environmentRefused ? PLACEHOLDER_ENVIRONMENT : (environment as string), [], {
                production: typeof v.production === "boolean" ? v.production : undefined,
                teardown: typeof v.teardown === "boolean" ? v.teardown : undefined,
                cluster: cluster ?? {},
                istio: istio ?? {},
                albController: albController ?? {},
                ingress: ingress ?? { port: 8000 },
                apps,
                observability: observability ?? {},
            });
        } catch {
            // What is left of a broken config may not hold together: nothing more is judged, and
            // the problems found stand as they are.
            config = undefined;
        }
        return {
            problems: guarded,
            partial: config && {
                config,
                removed: [...salvage.removed],
                entries: new Map(salvage.entries),
                problemKeys,
                originalKey: (at) => salvage.originalKey(at),
            },
        };
    }
    const warnings = [
        ...traffic.warnings,
        ...tenancy.warnings,
        ...nodePortWarnings(record(v.ingress), record(v.istio)),
    ].map((w) => guard({ path: keyPath(w.at), message: w.message }));
    const config = withDefaults(raw, environment as string, warnings, {
        production: v.production as boolean | undefined,
        teardown: v.teardown as boolean | undefined,
        cluster: cluster!,
        istio: istio!,
        albController: albController!,
        ingress: ingress!,
        apps,
        observability: observability!,
    });
    for (const w of [
        ...observabilityWarnings(config),
        ...platformWarnings(config),
        ...clusterWarnings(config),
        ...apiAccessWarnings(config, rawCluster.publicAccessCidrs !== undefined),
        ...credentialWarnings(config.apps),
        ...edgeWarnings(config),
    ])
        config.warnings.push(guard({ path: keyPath(w.at), message: w.message }));
    return { problems: [], config };
}

/**
 * The raw config of a stack from a Pulumi config map (`namespace:key` → string). Top-level
 * `eks-istio:*` keys are all taken, so a misspelt top-level key is reported instead of ignored.
 */
export function rawConfigFromMap(
    stack: string,
    all: Record<string, string>,
    isSecret: (key: string) => boolean = () => false,
): RawStackConfig {
    const values: Record<string, unknown> = {};
    const secretKeys: string[] = [];
    for (const [key, value] of Object.entries(all)) {
        if (!key.startsWith(`${NAMESPACE}:`)) continue;
        const name = key.slice(NAMESPACE.length + 1);
        // Pulumi stores structured values as JSON and plain ones as strings. safeAssign: a key
        // "eks-istio:__proto__" must become a key that is reported, not the values' prototype.
        safeAssign(values, name, name === "environment" ? value : decode(value));
        if (isSecret(key)) secretKeys.push(name);
    }
    return { stack, region: all["aws:region"], values, ...(secretKeys.length ? { secretKeys } : {}) };
}

function decode(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}
