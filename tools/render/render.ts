// Turns one mocked run of the program into files: Kubernetes objects grouped by kind, Helm releases
// with their values, the AWS side (IAM documents, cluster, network), the stack outputs, and a plan
// tree. Everything is sorted and contains no timestamps, so the same commit renders byte for byte
// the same, and a diff between two commits is the change itself.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml, stringify } from "yaml";
import { rawConfigFromMap } from "../../components/config";
import { claims, handOvers, keyOf, outOfSight, type OutOfSightObject } from "../outOfSight";
import { outOfSightReport } from "./outOfSightReport";
import {
    evaluateProgram,
    type MockRun,
    type RecordedResource,
    ROOT,
    stackFileConfig,
    type StackOutputs,
} from "../mock/engine";

export interface RenderedFile {
    path: string;
    content: string;
}

export interface RenderResult {
    stack: string;
    /** Output directory, relative to rendered/: the stack name, under the stack file's folder when not at the root. */
    outDir: string;
    files: RenderedFile[];
    resourceCount: number;
    /**
     * What the program logged, as `pulumi preview` shows it under the stack ("warning: <key>: ...").
     * The config's warnings (valid but suspicious settings) among them are also in warnings.txt.
     */
    logs: string[];
    /** The config warnings alone, "<key path>: <message>". */
    warnings: string[];
}

const STACK_FILE = /^Pulumi\.([^.]+)\.yaml$/;

/** Stack files of the project: Pulumi.<stack>.yaml at the root, then under examples/. */
export function findStackFiles(): string[] {
    const found: string[] = [];
    const walk = (dir: string) => {
        for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) walk(full);
            else if (STACK_FILE.test(entry.name)) found.push(full);
        }
    };
    for (const f of fs.readdirSync(ROOT).sort()) if (STACK_FILE.test(f)) found.push(path.join(ROOT, f));
    if (fs.existsSync(path.join(ROOT, "examples"))) walk(path.join(ROOT, "examples"));
    return found;
}

/** A stack name (Pulumi.<name>.yaml at the root) or a path to a stack file. */
export function resolveStackArg(arg: string): string {
    const asPath = path.resolve(arg);
    if (arg.endsWith(".yaml")) {
        if (!fs.existsSync(asPath)) throw new Error(`no stack file at ${arg}`);
        if (!STACK_FILE.test(path.basename(asPath)))
            throw new Error(`${arg} is not a stack file (Pulumi.<stack>.yaml)`);
        return asPath;
    }
    const file = path.join(ROOT, `Pulumi.${arg}.yaml`);
    if (!fs.existsSync(file)) throw new Error(`unknown stack "${arg}": there is no Pulumi.${arg}.yaml`);
    return file;
}

export function stackNameOf(file: string): string {
    const m = STACK_FILE.exec(path.basename(file));
    if (!m) throw new Error(`${file} is not a stack file (Pulumi.<stack>.yaml)`);
    return m[1];
}

/**
 * Runs the program for a stack file under mocks and renders what it registers. An evaluation of
 * the same inputs done earlier in the process is reused; `fresh` evaluates the program again.
 */
export async function renderStack(file: string, { fresh = false } = {}): Promise<RenderResult> {
    const stack = stackNameOf(file);
    const config = stackFileConfig(file);
    const { run, outputs } = await evaluateProgram(
        { stack, config, stackOutputs: await ownerOutputs(file, config) },
        { fresh },
    );
    const files = [...renderedOnce(run, outputs)];
    // The program logs each config warning (components/config), as the preview would show it.
    const warnings = run.logs.filter((l) => l.startsWith("warning: ")).map((l) => l.slice("warning: ".length));
    if (warnings.length) files.push({ path: "warnings.txt", content: warnings.map((w) => `${w}\n`).join("") });
    const rel = path.relative(ROOT, path.dirname(file));
    return {
        stack,
        outDir: rel ? path.join(rel, stack) : stack,
        files: files.sort((a, b) => a.path.localeCompare(b.path)),
        resourceCount: run.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").length,
        logs: run.logs,
        warnings,
    };
}

// Renders by evaluation: the program's evaluations are shared by input (evaluateProgram), and
// several specs render the same stack file; the files of one run are the same every time.
const renders = new WeakMap<MockRun<unknown>, readonly RenderedFile[]>();
function renderedOnce(run: MockRun<unknown>, outputs: Record<string, unknown>): readonly RenderedFile[] {
    let files = renders.get(run);
    if (!files) renders.set(run, (files = renderRun(run, outputs)));
    return files;
}

/**
 * What the stack's references return offline. An attached stack reads its owner's outputs: the
 * owner is the stack file of the referenced stack beside this one, rendered first. Every owner
 * stack reads its own last update (Istio revisions): `Pulumi.<stack>.outputs.yaml` beside the
 * stack file, when there is one, stands for what that update exported (`pulumi stack output
 * --json` gives it); without one the stack renders as never updated.
 */
export async function ownerOutputs(file: string, config: Record<string, string>): Promise<StackOutputs> {
    const stack = stackNameOf(file);
    const previousFile = path.join(path.dirname(file), `Pulumi.${stack}.outputs.yaml`);
    const previous: StackOutputs = fs.existsSync(previousFile)
        ? {
              [`organization/eks-istio/${stack}`]: (parseYaml(fs.readFileSync(previousFile, "utf8")) ?? {}) as Record<
                  string,
                  unknown
              >,
          }
        : {};
    const reference = rawConfigFromMap("", config).values.cluster as { stackReference?: unknown } | undefined;
    if (typeof reference?.stackReference !== "string") return previous;
    const ref = reference.stackReference;
    const ownerFile = path.join(path.dirname(file), `Pulumi.${ref.split("/").pop()}.yaml`);
    if (!fs.existsSync(ownerFile))
        throw new Error(
            `eks-istio:cluster.stackReference: rendering offline needs the owner's stack file ${path.relative(ROOT, ownerFile)} beside this one`,
        );
    const { outputs } = await evaluateProgram({ stack: stackNameOf(ownerFile), config: stackFileConfig(ownerFile) });
    const plain = Object.fromEntries(
        Object.entries(outputs).map(([k, v]) => [k, v && typeof v === "object" && "secret" in v ? v.secret : v]),
    );
    return { ...previous, [ref]: plain };
}

// Kubernetes' reading order first, then alphabetical: stable whatever order the engine returned.
const KEY_ORDER = ["apiVersion", "kind", "metadata", "name", "namespace", "labels", "annotations", "spec"];
function compareKeys(a: { key: unknown }, b: { key: unknown }): number {
    const [x, y] = [
        String((a.key as { value?: unknown })?.value ?? a.key),
        String((b.key as { value?: unknown })?.value ?? b.key),
    ];
    const [i, j] = [KEY_ORDER.indexOf(x), KEY_ORDER.indexOf(y)];
    if (i >= 0 || j >= 0) return (i < 0 ? KEY_ORDER.length : i) - (j < 0 ? KEY_ORDER.length : j);
    return x < y ? -1 : x > y ? 1 : 0;
}

export function toYaml(value: unknown): string {
    return stringify(value, { sortMapEntries: compareKeys, lineWidth: 0, aliasDuplicateObjects: false });
}

function toJson(value: unknown): string {
    const sorted = (v: unknown): unknown =>
        Array.isArray(v)
            ? v.map(sorted)
            : v && typeof v === "object"
              ? Object.fromEntries(Object.keys(v).map((k) => [k, sorted((v as Record<string, unknown>)[k])]))
              : v;
    return `${JSON.stringify(sorted(value), null, 2)}\n`;
}

const isHelm = (r: RecordedResource) => r.type === "kubernetes:helm.sh/v3:Release";
const isK8sObject = (r: RecordedResource) => r.type.startsWith("kubernetes:") && !isHelm(r);

function byNamespaceAndName(a: Record<string, any>, b: Record<string, any>): number {
    const k = (o: Record<string, any>) => `${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;
    return k(a).localeCompare(k(b));
}

function redactSecrets(v: unknown): unknown {
    if (v && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length === 1 && "secret" in v)
        return "[secret]";
    if (Array.isArray(v)) return v.map(redactSecrets);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactSecrets(x)]));
    return v;
}

export function renderRun(run: MockRun<unknown>, outputs: Record<string, unknown>): RenderedFile[] {
    const files: RenderedFile[] = [];
    const add = (p: string, content: string) => files.push({ path: p, content });

    // Kubernetes objects, one multi-document file per kind.
    const byKind = new Map<string, Record<string, any>[]>();
    for (const r of run.resources.filter(isK8sObject)) {
        const kind = String(r.inputs.kind ?? r.type.split(":").pop());
        byKind.set(kind, [...(byKind.get(kind) ?? []), r.inputs]);
    }
    for (const [kind, objects] of byKind)
        add(`kubernetes/${kind}.yaml`, objects.sort(byNamespaceAndName).map(toYaml).join("---\n"));

    // Helm releases: what is installed from where, and each release's full values.
    const releases = run.resources.filter(isHelm).sort((a, b) => a.inputs.name.localeCompare(b.inputs.name));
    const releaseOf = new Map(releases.map((r) => [r.name, r.inputs.name as string]));
    if (releases.length)
        add(
            "helm/releases.yaml",
            toYaml(
                releases.map((r) => ({
                    name: r.inputs.name,
                    namespace: r.inputs.namespace,
                    chart: r.inputs.chart,
                    version: r.inputs.version,
                    repository: r.inputs.repositoryOpts?.repo,
                    values: `${r.inputs.name}.values.yaml`,
                    waitsFor: r.dependsOn.map((d) => releaseOf.get(d) ?? d).sort(),
                })),
            ),
        );
    for (const r of releases) add(`helm/${r.inputs.name}.values.yaml`, toYaml(r.inputs.values ?? {}));

    // The AWS side.
    for (const r of run.ofType("aws:iam/policy:Policy"))
        add(`aws/iam/${r.name}.policy.json`, toJson(JSON.parse(r.inputs.policy)));
    for (const r of run.ofType("aws:iam/role:Role"))
        add(`aws/iam/${r.name}.trust.json`, toJson(JSON.parse(r.inputs.assumeRolePolicy)));
    const attachments = run.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment");
    if (attachments.length)
        add(
            "aws/iam/attachments.yaml",
            toYaml(
                attachments
                    .map((r) => ({ name: r.name, role: r.inputs.role, policyArn: r.inputs.policyArn }))
                    .sort((a, b) => a.name.localeCompare(b.name)),
            ),
        );
    // Bucket policies are documents, like IAM's: as JSON, one file per policy.
    for (const r of run.ofType("aws:s3/bucketPolicy:BucketPolicy"))
        add(`aws/s3/${r.name}.json`, toJson(JSON.parse(r.inputs.policy)));
    const awsSettings: [string | string[], string][] = [
        ["awsx:ec2:Vpc", "aws/network.yaml"],
        ["eks:index:Cluster", "aws/eks-cluster.yaml"],
        ["eks:index:ManagedNodeGroup", "aws/node-group.yaml"],
        ["aws:ec2/launchTemplate:LaunchTemplate", "aws/launch-template.yaml"],
        ["aws:eks/addon:Addon", "aws/eks-addons.yaml"],
        ["aws:cloudwatch/logGroup:LogGroup", "aws/log-group.yaml"],
        ["aws:kms/key:Key", "aws/kms-key.yaml"],
        // A bucket and each of its settings resources, in the order they are created.
        [
            [
                "aws:s3/bucket:Bucket",
                "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
                "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
                "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
            ],
            "aws/s3.yaml",
        ],
    ];
    for (const [types, file] of awsSettings) {
        const found = (Array.isArray(types) ? types : [types]).flatMap((t) => run.ofType(t));
        // Resource references (the node group's cluster) render as the referenced resource's name.
        if (found.length)
            add(
                file,
                toYaml(
                    found.map((r) => ({
                        name: r.name,
                        protect: r.protect,
                        ...(r.import !== undefined ? { import: r.import } : {}),
                        ...(programAliases(r).length ? { aliases: programAliases(r) } : {}),
                        ...stripRefs(r.inputs),
                    })),
                ),
            );
    }

    const revisions = istioRevisions(run.resources);
    if (revisions) add("istio/revisions.yaml", toYaml(revisions));
    add("outputs.yaml", toYaml(redactSecrets(outputs)));
    const modelled = outOfSight(run.resources);
    const owners = claims(run.resources);
    add("plan.txt", planTree(run.resources, modelled, handOvers(owners)));
    const report = outOfSightReport(run.resources, modelled, owners);
    // In this order, whatever toYaml's key order: what is wrong first.
    add(
        "out-of-sight.yaml",
        [{ problems: report.problems }, { objects: report.objects }, { rules: report.rules }].map(toYaml).join(""),
    );
    return files;
}

/**
 * Which control plane each injected workload follows: the istiod releases with their revision and
 * the tags pointing at them (each tag's webhook names the revision it serves in its `istio.io/rev`
 * label), then every namespace with an injection label and the ingress gateway, resolved to the
 * release and version that injects their proxies.
 */
export function istioRevisions(resources: RecordedResource[]) {
    const releases = resources.filter(isHelm);
    const tagWebhooks = resources
        .filter((r) => r.type === "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration")
        .map((r) => (r.inputs.metadata?.labels ?? {}) as Record<string, string>)
        .filter((l) => l["istio.io/tag"]);
    const planes = releases
        .filter((r) => r.inputs.chart === "istiod")
        .map((r) => {
            const revision = (r.inputs.values?.revision as string | undefined) || "default";
            return {
                name: r.inputs.name as string,
                version: r.inputs.version as string,
                revision,
                tags: tagWebhooks.filter((l) => l["istio.io/rev"] === revision).map((l) => l["istio.io/tag"]),
            };
        })
        .sort((a, b) => a.name.localeCompare(b.name));
    if (planes.length === 0) return undefined;
    const byTag = (tag: string) => planes.find((p) => p.tags.includes(tag));
    const unrevisioned = planes.find((p) => p.revision === "default");
    const resolve = (label: string) => {
        const plane = label.startsWith("istio.io/rev=")
            ? byTag(label.slice("istio.io/rev=".length))
            : (unrevisioned ?? byTag("default"));
        return plane ? `${plane.name} (${plane.version})` : "nothing injects it";
    };
    const followers: { name: string; label: string; controlPlane: string }[] = [];
    for (const ns of resources.filter((r) => r.type === "kubernetes:core/v1:Namespace")) {
        const labels = (ns.inputs.metadata?.labels ?? {}) as Record<string, string>;
        const label = labels["istio.io/rev"]
            ? `istio.io/rev=${labels["istio.io/rev"]}`
            : labels["istio-injection"] === "enabled"
              ? "istio-injection=enabled"
              : undefined;
        if (label)
            followers.push({ name: `namespace ${ns.inputs.metadata.name}`, label, controlPlane: resolve(label) });
    }
    followers.sort((a, b) => a.name.localeCompare(b.name));
    for (const gw of releases.filter((r) => r.inputs.chart === "gateway")) {
        const tag = gw.inputs.values?.revision as string | undefined;
        const label = tag ? `istio.io/rev=${tag}` : "istio-injection=enabled";
        followers.push({
            name: `gateway ${gw.inputs.name}`,
            label: tag ? label : "(no revision: the default)",
            controlPlane: resolve(label),
        });
    }
    return { controlPlanes: planes, followers };
}

/** Inputs as plain data: a resource passed by reference renders as `<its name>`. */
function stripRefs(value: any): any {
    if (pulumi.Resource.isInstance(value)) return `<${(value as any).__name ?? "resource"}>`;
    if (typeof value === "string" && value.startsWith("urn:pulumi:")) return `<${value.split("::").pop()}>`;
    if (Array.isArray(value)) return value.map(stripRefs);
    if (value && typeof value === "object")
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, stripRefs(v)]));
    return value;
}

/**
 * The aliases the program gave, without those @pulumi/kubernetes adds to every typed object for its
 * other API versions (an Ingress answers to extensions/v1beta1 and networking.k8s.io/v1beta1 too):
 * those are the same for every stack and say nothing about it.
 */
function programAliases(r: RecordedResource): string[] {
    const kind = /^kubernetes:[^:]+:(\w+)$/.exec(r.type)?.[1];
    const sameObject = (a: string) => {
        if (!kind || !r.urn) return false;
        const [own, other] = [r.urn.split("::"), a.split("::")];
        const [ownTypes, otherTypes] = [own[2].split("$"), other[2].split("$")];
        return (
            own.slice(0, 2).join("::") === other.slice(0, 2).join("::") &&
            own.slice(3).join("::") === other.slice(3).join("::") &&
            ownTypes.slice(0, -1).join("$") === otherTypes.slice(0, -1).join("$") &&
            new RegExp(`^kubernetes:[^:]+:${kind}$`).test(otherTypes[otherTypes.length - 1])
        );
    };
    return (r.aliases ?? []).filter((a) => !sameObject(a));
}

/** A line of the plan: a registered resource, or an object the out-of-sight model adds. */
type PlanNode = RecordedResource | OutOfSightObject;
const isModelled = (n: PlanNode): n is OutOfSightObject => "rule" in n;

/**
 * The resources as a tree of parents and children, with counts per type. `modelled` adds, under
 * their parents and marked as modelled, what runs out of sight (tools/outOfSight): the children of
 * remote components and what AWS and the controllers create; `takenOver` names, per modelled
 * object, the resources that take it over (an add-on over a bootstrap DaemonSet).
 */
export function planTree(
    resources: RecordedResource[],
    modelled: readonly OutOfSightObject[] = [],
    takenOver: ReadonlyMap<string, string[]> = new Map(),
): string {
    const stack = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    // Parents are components (custom resources can share a component's name, as a policy and its attachment do).
    const components = new Map(resources.filter((r) => /^(eks-istio|eks|awsx):/.test(r.type)).map((r) => [r.name, r]));
    const byKey = new Map<string, PlanNode>([
        ...resources.map((r) => [keyOf(r), r] as const),
        ...modelled.map((o) => [o.key, o] as const),
    ]);
    const children = new Map<PlanNode | undefined, PlanNode[]>();
    const add = (parent: PlanNode | undefined, n: PlanNode) =>
        children.set(parent, [...(children.get(parent) ?? []), n]);
    for (const r of resources) {
        if (r === stack) continue;
        add(r.parent ? (components.get(r.parent) ?? resources.find((p) => p.name === r.parent)) : stack, r);
    }
    for (const o of modelled) add(byKey.get(o.parent) ?? stack, o);
    // The program's resources first, then the modelled ones; each by type and name.
    const order = (a: PlanNode, b: PlanNode) =>
        Number(isModelled(a)) - Number(isModelled(b)) ||
        (a.type === b.type ? a.name.localeCompare(b.name) : a.type.localeCompare(b.type));
    const notesOf = (n: PlanNode): string[] => {
        if (!isModelled(n))
            return [
                n.protect ? "protect" : "",
                n.provider ? `provider=${n.provider}` : "",
                n.dependsOn.length ? `dependsOn=${[...n.dependsOn].sort().join(",")}` : "",
                // An import reads an existing object in; an alias carries over an earlier identity.
                n.import !== undefined ? `import=${n.import}` : "",
                ...programAliases(n).map((a) => `alias=${a}`),
            ];
        const source = n.rule.source.split(",")[0];
        const by = takenOver.get(n.key);
        return n.kind === "child"
            ? [
                  n.protect ? "protect" : "",
                  n.provider ? `provider=${n.provider}` : "",
                  `modelled: ${n.rule.creator} creates it, ${source}`,
              ]
            : [
                  `modelled: ${n.rule.creator} creates it, not in the Pulumi state`,
                  by ? `taken over by ${by.join(", ")}` : "",
              ];
    };
    const lines: string[] = [`${stack?.type ?? "pulumi:pulumi:Stack"}  ${stack?.name ?? ""}`];
    const walk = (node: PlanNode | undefined, prefix: string) => {
        const kids = (children.get(node) ?? []).sort(order);
        kids.forEach((k, i) => {
            const last = i === kids.length - 1;
            const notes = notesOf(k).filter(Boolean);
            lines.push(
                `${prefix}${last ? "└─ " : "├─ "}${k.type}  ${k.name}${notes.length ? `  (${notes.join("; ")})` : ""}`,
            );
            walk(k, `${prefix}${last ? "   " : "│  "}`);
        });
    };
    walk(stack, "");
    const counted = (nodes: readonly PlanNode[], title: string) => {
        const counts = new Map<string, number>();
        for (const n of nodes) counts.set(n.type, (counts.get(n.type) ?? 0) + 1);
        return [
            "",
            title,
            ...[...counts].sort(([a], [b]) => a.localeCompare(b)).map(([t, n]) => `  ${String(n).padStart(3)}  ${t}`),
        ];
    };
    lines.push(
        ...counted(
            resources.filter((r) => r !== stack),
            `${resources.length - (stack ? 1 : 0)} resources:`,
        ),
    );
    const kids = modelled.filter((o) => o.kind === "child");
    const implicit = modelled.filter((o) => o.kind === "implicit");
    if (kids.length)
        lines.push(
            ...counted(kids, `${kids.length} children of remote components (modelled: in the state, not under mocks):`),
        );
    if (implicit.length)
        lines.push(
            ...counted(
                implicit,
                `${implicit.length} objects AWS, the controllers and Kubernetes create (modelled: in no state):`,
            ),
        );
    return `${lines.join("\n")}\n`;
}
