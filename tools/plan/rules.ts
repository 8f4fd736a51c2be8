// How Pulumi turns a change of inputs into an update or a replacement, as code, each rule with the
// upstream source it follows. The per-type facts (which inputs are ForceNew, and where that is
// written) are data: replaceOnChange.json beside this file.
import table from "./replaceOnChange.json";

export type Path = (string | number)[];

/** `a.b["c.d"][0]` → ["a", "b", "c.d", 0]. */
export function parsePath(text: string): Path {
    const out: Path = [];
    const re = /([^.[\]]+)|\["([^"]*)"\]|\[(\d+)\]/g;
    for (let m = re.exec(text); m; m = re.exec(text)) out.push(m[1] ?? m[2] ?? Number(m[3]));
    return out;
}

export function formatPath(path: Path): string {
    return path
        .map((p, i) =>
            typeof p === "number" ? `[${p}]` : /^[\w-]+$/.test(p) ? (i ? `.${p}` : p) : `[${JSON.stringify(p)}]`,
        )
        .join("");
}

export function getPath(value: unknown, path: Path): unknown {
    let v = value;
    for (const p of path) {
        if (v === null || typeof v !== "object") return undefined;
        v = (v as Record<string | number, unknown>)[p];
    }
    return v;
}

const isPlainObject = (x: unknown): x is Record<string, unknown> =>
    x !== null && typeof x === "object" && !Array.isArray(x);

export function deepEqual(a: unknown, b: unknown): boolean {
    if (a === b) return true;
    if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    const ka = Object.keys(a as object).filter((k) => (a as any)[k] !== undefined);
    const kb = Object.keys(b as object).filter((k) => (b as any)[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual((a as any)[k], (b as any)[k]));
}

// The SDK's secret wrapper as the mocks receive it (@pulumi/pulumi runtime/rpc.ts specialSigKey,
// specialSecretSig): compared by its value, as the engine diffs secrets.
const SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";
export function unwrapSecrets(x: unknown): unknown {
    if (Array.isArray(x)) return x.map(unwrapSecrets);
    if (!isPlainObject(x)) return x;
    if (x[SIG] === SECRET) return unwrapSecrets(x.value);
    return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, unwrapSecrets(v)]));
}

export interface Change {
    path: Path;
    old: unknown;
    new: unknown;
}

/** The inputs that differ, down to plain-object leaves (a list is one value). */
export function inputChanges(oldInputs: unknown, newInputs: unknown, path: Path = []): Change[] {
    if (deepEqual(oldInputs, newInputs)) return [];
    if (isPlainObject(oldInputs) && isPlainObject(newInputs)) {
        const keys = [...new Set([...Object.keys(oldInputs), ...Object.keys(newInputs)])].sort();
        return keys.flatMap((k) => inputChanges(oldInputs[k], newInputs[k], [...path, k]));
    }
    return [{ path, old: oldInputs, new: newInputs }];
}

const startsWith = (path: Path, prefix: Path) => prefix.length <= path.length && prefix.every((p, i) => path[i] === p);

/**
 * `ignoreChanges` paths leave the diff before replace keys are computed (pulumi/pulumi
 * pkg/resource/deploy/step_generator.go `processIgnoreChanges`).
 */
export const ignored = (path: Path, ignoreChanges: string[] = []) =>
    ignoreChanges.some((i) => startsWith(path, parsePath(i)));

// --- AWS (bridged terraform-provider-aws) -----------------------------------------------------

type AwsTypes = typeof table.aws.types;
type AwsType = AwsTypes[keyof AwsTypes] & {
    forceNewIf?: {
        path: string;
        when: "removed" | { from: string; to: string };
        what: string;
        at: Record<string, number>;
    }[];
    optionalComputed?: string[];
    autoName?: string;
    deleteBeforeReplace?: string;
};

export const awsType = (type: string): AwsType | undefined => (table.aws.types as Record<string, AwsType>)[type];

/**
 * The upstream terraform-provider-aws tag whose schema diffs a resource registered with this
 * `@pulumi/aws` version: the engine runs one default provider per version (pulumi/pulumi
 * pkg/resource/deploy/providers/provider.go `DefaultName`), and each SDK sends its own version
 * (`@pulumi/aws` utilities.js `resourceOptsDefaults`).
 */
export function upstreamOf(version: string | undefined): string {
    return (table.aws.upstreamOf as Record<string, string>)[version ?? ""] ?? "v6.58.0";
}

/** Where a ForceNew attribute is written: "ForceNew launchTemplate.id (terraform-provider-aws v6.40.0 internal/service/eks/node_group.go resourceNodeGroup+74)". */
function awsCite(t: AwsType, tag: string, offsets: Record<string, number>): string {
    const at = offsets[tag] !== undefined ? tag : "v6.58.0";
    const note = at === tag ? "" : `; ${tag} not read`;
    return `terraform-provider-aws ${at} ${t.file} ${t.func}+${offsets[at]}${note}`;
}

/**
 * Optional + Computed attributes keep their value when the program stops setting them: no diff
 * (terraform-plugin-sdk v2 helper/schema `schemaMap.diff`: an unset Optional+Computed attribute
 * takes the prior state's value).
 */
export function keptWhenUnset(type: string, change: Change): boolean {
    const t = awsType(type);
    if (!t?.optionalComputed || change.new !== undefined) return false;
    return t.optionalComputed.some((p) => startsWith(change.path, parsePath(p)));
}

export interface ReplaceKey {
    path: string;
    why: string;
}

export interface DiffContext {
    /** Top-level input properties whose value is unknown at preview, with the reason. */
    unknown: Map<string, string>;
    ignoreChanges?: string[];
    replaceOnChanges?: string[];
    /** The SDK version that registers the resource (selects the upstream schema). */
    version?: string;
}

/**
 * The inputs whose change makes Pulumi replace the resource, for a bridged AWS resource:
 * - a changed ForceNew attribute (pulumi/pulumi-terraform-bridge pkg/tfbridge/provider.go `Diff`:
 *   the replace keys are the attributes the upstream diff marks RequiresNew);
 * - a ForceNew attribute whose new value is unknown at preview, because it reads a resource being
 *   created or replaced in the same update: terraform-plugin-sdk v2 helper/schema/schema.go
 *   `(*Schema).finalizeDiff` ("NewComputed - This field is being computed, hence a potential change
 *   in value, mark as causing a new resource"); this is how replacements cascade;
 * - a CustomizeDiff `ForceNewIfChange` condition (per type, in the table).
 */
export function awsReplaceKeys(type: string, oldInputs: unknown, newInputs: unknown, ctx: DiffContext): ReplaceKey[] {
    const t = awsType(type);
    if (!t) return [];
    const tag = upstreamOf(ctx.version);
    const keys: ReplaceKey[] = [];
    for (const [attr, offsets] of Object.entries(t.forceNew as Record<string, Record<string, number>>)) {
        // An attribute the older schema was read for and lacks was added upstream later.
        if (offsets[tag] === undefined && hasOlderColumn(t)) continue;
        const path = parsePath(attr);
        if (ignored(path, ctx.ignoreChanges)) continue;
        const cite = awsCite(t, tag, offsets);
        // Only what the program sets can be unknown: an unset Optional+Computed block member is not read from anything.
        const unknown = getPath(newInputs, path) !== undefined ? ctx.unknown.get(String(path[0])) : undefined;
        if (unknown !== undefined) {
            keys.push({ path: attr, why: `ForceNew ${attr} unknown until ${unknown} (${cite})` });
            continue;
        }
        const change = { path, old: getPath(oldInputs, path), new: getPath(newInputs, path) };
        if (deepEqual(change.old, change.new) || keptWhenUnset(type, change)) continue;
        keys.push({ path: attr, why: `ForceNew ${attr}: ${show(change.old)} → ${show(change.new)} (${cite})` });
    }
    for (const rule of t.forceNewIf ?? []) {
        if (rule.at[tag] === undefined) continue;
        const path = parsePath(rule.path);
        const [o, n] = [getPath(oldInputs, path), getPath(newInputs, path)];
        const hit =
            rule.when === "removed" ? o !== undefined && n === undefined : o === rule.when.from && n === rule.when.to;
        if (hit)
            keys.push({
                path: rule.path,
                why: `${rule.what} (terraform-provider-aws ${tag} ${t.file} ${t.func}+${rule.at[tag]})`,
            });
    }
    return keys;
}

/** Whether the type's table has a column for the older upstream (types registered by pulumi-eks). */
const hasOlderColumn = (t: AwsType) =>
    Object.values(t.forceNew as Record<string, Record<string, number>>).some((o) => "v6.40.0" in o);

/**
 * Delete-before-replace for a bridged resource: when the pulumi-aws mapping says so, or when the
 * resource's auto-named field is set explicitly by the program (pulumi-terraform-bridge
 * pkg/tfbridge/provider.go `Diff`: `res.Schema.DeleteBeforeReplace || nameRequiresDeleteBeforeReplace`;
 * pkg/tfbridge/schema.go `nameRequiresDeleteBeforeReplace`). Otherwise the replacement is created
 * first and the old object deleted at the end of the update.
 */
export function awsDeleteBeforeReplace(type: string, newInputs: Record<string, unknown>): string | undefined {
    const t = awsType(type);
    if (!t) return undefined;
    if (t.deleteBeforeReplace) return t.deleteBeforeReplace;
    if (t.autoName && newInputs[t.autoName] !== undefined)
        return `${t.autoName} is set by the program, not auto-named (pulumi-terraform-bridge pkg/tfbridge/schema.go nameRequiresDeleteBeforeReplace)`;
    return undefined;
}

// --- Kubernetes (pulumi-kubernetes) -----------------------------------------------------------

const k8s = table.kubernetes;

/** `kubernetes:core/v1:Service` → `core/v1:Service`; undefined for anything else. */
export function kubernetesKind(type: string): string | undefined {
    const m = /^kubernetes:(.+)$/.exec(type);
    return m && !type.startsWith("kubernetes:helm.sh/") ? m[1] : undefined;
}

/**
 * Replace keys of a Kubernetes object: metadata.name and metadata.namespace for every object, and
 * the per-kind immutable fields (pulumi-kubernetes provider/pkg/provider/diff.go, see the table);
 * an unknown value of such a field replaces too (the provider diffs with unknowns as changes).
 */
export function kubernetesReplaceKeys(
    type: string,
    oldInputs: unknown,
    newInputs: unknown,
    ctx: DiffContext,
): ReplaceKey[] {
    const kind = kubernetesKind(type);
    if (!kind) return [];
    const perKind = (k8s.kinds as Record<string, { forceNew: string[]; cite: string }>)[kind];
    const rules: [string, string][] = [
        ...k8s.everyObject.forceNew.map((p): [string, string] => [p, k8s.everyObject.cite]),
        ...(perKind?.forceNew ?? []).map((p): [string, string] => [p, perKind.cite]),
    ];
    return rules.flatMap(([attr, cite]) => fieldKey(attr, cite, oldInputs, newInputs, ctx));
}

/** Replace keys of a Helm release: its name and namespace (pulumi-kubernetes helm_release.go). */
export function helmReplaceKeys(type: string, oldInputs: unknown, newInputs: unknown, ctx: DiffContext): ReplaceKey[] {
    const rule = (k8s.helm as Record<string, { forceNew: string[]; cite: string }>)[type];
    return rule ? rule.forceNew.flatMap((attr) => fieldKey(attr, rule.cite, oldInputs, newInputs, ctx)) : [];
}

function fieldKey(attr: string, cite: string, oldInputs: unknown, newInputs: unknown, ctx: DiffContext): ReplaceKey[] {
    const path = parsePath(attr);
    if (ignored(path, ctx.ignoreChanges)) return [];
    const unknown = ctx.unknown.get(String(path[0]));
    if (unknown !== undefined)
        return [{ path: attr, why: `${attr} unknown until ${unknown} (pulumi-kubernetes ${cite})` }];
    const [o, n] = [getPath(oldInputs, path), getPath(newInputs, path)];
    return deepEqual(o, n) ? [] : [{ path: attr, why: `${attr}: ${show(o)} → ${show(n)} (pulumi-kubernetes ${cite})` }];
}

/**
 * A Kubernetes object is deleted before its replacement is created when the program names it and
 * the name and namespace stay (else both would be the same object); a rename creates first
 * (pulumi-kubernetes provider.go:1645-1659). Helm releases never delete first (helm_release.go:932).
 */
export function kubernetesDeleteBeforeReplace(
    type: string,
    oldInputs: unknown,
    newInputs: unknown,
): string | undefined {
    if (!kubernetesKind(type)) return undefined;
    const same = ["name", "namespace"].every((k) =>
        deepEqual(getPath(oldInputs, ["metadata", k]), getPath(newInputs, ["metadata", k])),
    );
    return getPath(newInputs, ["metadata", "name"]) !== undefined && same
        ? `named by the program, same name and namespace (pulumi-kubernetes ${k8s.deleteBeforeReplace.cite})`
        : undefined;
}

/**
 * The Kubernetes provider is replaced when its kubeconfig (or context, cluster) is unknown at
 * preview or points at another cluster, or its clusterIdentifier changes (pulumi-kubernetes
 * provider.go `DiffConfig`, 454-570). Every object it manages is then replaced with it.
 */
export function kubernetesProviderReplaceKeys(oldInputs: unknown, newInputs: unknown, ctx: DiffContext): ReplaceKey[] {
    const rule = k8s.provider["pulumi:providers:kubernetes"];
    const cite = `pulumi-kubernetes ${rule.cite.split(" (")[0]} DiffConfig`;
    const keys: ReplaceKey[] = [];
    for (const p of rule.replaceWhenUnknown) {
        const unknown = ctx.unknown.get(p);
        if (unknown !== undefined)
            keys.push({ path: p, why: `${p} unknown until ${unknown} (${cite}: an unknown is a replace)` });
        else if (p === "kubeconfig" && !deepEqual(getPath(oldInputs, [p]), getPath(newInputs, [p])))
            keys.push({ path: p, why: `kubeconfig names another cluster (${cite})` });
    }
    for (const p of rule.replaceWhenChanged)
        if (!deepEqual(getPath(oldInputs, [p]), getPath(newInputs, [p])))
            keys.push({ path: p, why: `${p} changed (${cite})` });
    return keys;
}

// --- Components and resource options -------------------------------------------------------------

/** A component's `replaceOnChanges` from its package schema (pulumi-eks: Cluster.ipFamily). */
export function componentReplaceOnChanges(type: string): { paths: string[]; cite: string } | undefined {
    const c = (table.components as Record<string, { replaceOnChanges: string[]; cite: string }>)[type];
    return c ? { paths: c.replaceOnChanges, cite: c.cite } : undefined;
}

/**
 * The `replaceOnChanges` option turns a diff of a matching path into a replace (pulumi/pulumi
 * step_generator.go `applyReplaceOnChanges`).
 */
export function optionReplaceKeys(
    changes: Change[],
    replaceOnChanges: string[] = [],
    cite = "the replaceOnChanges option",
): ReplaceKey[] {
    return replaceOnChanges.flatMap((p) => {
        const path = parsePath(p);
        const hit = changes.find((c) => startsWith(c.path, path) || startsWith(path, c.path));
        return hit ? [{ path: p, why: `${p} changed: replaceOnChanges (${cite})` }] : [];
    });
}

/** What the AWS Load Balancer Controller replaces when an Ingress changes (implicit: its ALB). */
export function implicitReplacements(type: string, oldInputs: unknown, newInputs: unknown): ReplaceKey[] {
    const rule = (table.implicit as Record<string, { replacesLoadBalancer: string[]; cite: string }>)[type];
    if (!rule) return [];
    return rule.replacesLoadBalancer.flatMap((attr) => {
        const path = parsePath(attr);
        const [o, n] = [getPath(oldInputs, path), getPath(newInputs, path)];
        return deepEqual(o, n)
            ? []
            : [{ path: attr, why: `${attr}: ${show(o)} → ${show(n)}: the controller replaces the ALB (${rule.cite})` }];
    });
}

/** Whether the table knows the type (custom resources only; components are never diffed by a provider). */
export function knownType(type: string): boolean {
    return (
        awsType(type) !== undefined ||
        kubernetesKind(type) !== undefined ||
        type in k8s.helm ||
        type in k8s.provider ||
        type === "pulumi:pulumi:StackReference"
    );
}

/** A value, short, for a reason line. */
export function show(v: unknown): string {
    if (v === undefined) return "(unset)";
    const text = typeof v === "string" ? v : JSON.stringify(v);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
