// Plans an update offline: what the engine would do going from what one revision of the program
// registered to what another registers. Resources are matched by URN (type, parent chain, name),
// honouring the new program's aliases; each is classified create / update / replace / delete /
// same, with the reasons (rules.ts, replaceOnChange.json), in an order the engine could run them.
import { type RecordedResource, resourceKey } from "../mock/engine";
import { assessDanger, heldByTheCloud } from "./danger";
import { type ExpandChildren, expandChildren, isModelled } from "./expand";
import type { Op, PlanEntry, PlanResource, PlanStep } from "./types";
import {
    awsDeleteBeforeReplace,
    awsReplaceKeys,
    awsType,
    type Change,
    componentReplaceOnChanges,
    formatPath,
    helmReplaceKeys,
    ignored,
    inputChanges,
    keptWhenUnset,
    knownType,
    kubernetesDeleteBeforeReplace,
    kubernetesKind,
    kubernetesProviderReplaceKeys,
    kubernetesReplaceKeys,
    optionReplaceKeys,
    type ReplaceKey,
    unwrapSecrets,
    upstreamOf,
} from "./rules";

export { OPS, type Op, type PlanEntry, type PlanResource, type PlanStep } from "./types";

const CHANGED_SHOWN = 6;

/** The URN of a recorded resource (the engine's, recorded by the mock engine). */
export function urnOf(r: RecordedResource): string {
    if (r.urn) return r.urn;
    if (r.type === "pulumi:pulumi:Stack") return `urn:pulumi:stack::project::${r.type}::${r.name}`;
    throw new Error(`${r.type} ${r.name} has no URN: record it with the current mock engine`);
}

const qualifiedType = (urn: string) => urn.split("::")[2];
const urnName = (urn: string) => urn.split("::").slice(3).join("::");
const urnPrefix = (urn: string) => urn.split("::").slice(0, 2).join("::");

/**
 * The URNs a resource answers to: its own, its aliases, and the aliases its ancestors' aliases
 * imply for it (a child of a renamed parent keeps its old URN as an alias, with the parent's old
 * name in place of the new one at the start of its own: @pulumi/pulumi resource.ts
 * `inheritedChildAlias`; the engine does the same with alias specs).
 */
function aliasesOf(
    r: PlanResource,
    byKey: Map<string, PlanResource>,
    memo = new Map<PlanResource, string[]>(),
): string[] {
    const known = memo.get(r);
    if (known) return known;
    const own = r.aliases ?? [];
    const parent = r.graph.parent ? byKey.get(r.graph.parent) : undefined;
    const inherited =
        parent && parent.type !== "pulumi:pulumi:Stack"
            ? aliasesOf(parent, byKey, memo).map((a) => {
                  const parentAliasName = urnName(a);
                  const name = r.name.startsWith(parent.name)
                      ? parentAliasName + r.name.slice(parent.name.length)
                      : r.name;
                  return `${urnPrefix(a)}::${qualifiedType(a)}$${r.type}::${name}`;
              })
            : [];
    const all = [...new Set([...own, ...inherited])];
    memo.set(r, all);
    return all;
}

/** Every resource of a revision, the modelled children of its remote components added. */
export function withChildren(resources: RecordedResource[], expand: ExpandChildren = expandChildren): PlanResource[] {
    const own = resources.filter((r) => r.type !== "pulumi:pulumi:Stack");
    return [...own, ...expand(resources)];
}

/** Resources in an order the engine could create them: each after its parent and what it depends on. */
function topological(resources: PlanResource[], extraEdges: (r: PlanResource) => string[] = () => []): PlanResource[] {
    const byKey = new Map(resources.map((r) => [resourceKey(r), r]));
    const index = new Map(resources.map((r, i) => [r, i]));
    const deps = new Map<PlanResource, Set<PlanResource>>();
    for (const r of resources) {
        const keys = [
            ...(r.graph.parent ? [r.graph.parent] : []),
            ...r.graph.dependsOn,
            ...r.graph.inputs,
            ...(r.graph.provider ? [r.graph.provider] : []),
            ...extraEdges(r),
        ];
        deps.set(r, new Set(keys.map((k) => byKey.get(k)).filter((d): d is PlanResource => !!d && d !== r)));
    }
    const out: PlanResource[] = [];
    const done = new Set<PlanResource>();
    const visiting = new Set<PlanResource>();
    const visit = (r: PlanResource) => {
        if (done.has(r) || visiting.has(r)) return;
        visiting.add(r);
        for (const d of [...deps.get(r)!].sort((a, b) => index.get(a)! - index.get(b)!)) visit(d);
        visiting.delete(r);
        done.add(r);
        out.push(r);
    };
    for (const r of resources) visit(r);
    return out;
}

/** Descendants of each component that its outputs are read from (the model's `backsParentOutputs`). */
function backingDescendants(resources: PlanResource[]): Map<string, PlanResource[]> {
    const children = new Map<string, PlanResource[]>();
    for (const r of resources)
        if (r.graph.parent) children.set(r.graph.parent, [...(children.get(r.graph.parent) ?? []), r]);
    const out = new Map<string, PlanResource[]>();
    const collect = (key: string): PlanResource[] =>
        (children.get(key) ?? []).flatMap((c) => [
            ...(isModelled(c) && c.backsParentOutputs ? [c] : []),
            ...collect(resourceKey(c)),
        ]);
    for (const r of resources) if (r.graph.kind !== "custom") out.set(resourceKey(r), collect(resourceKey(r)));
    return out;
}

const listChanges = (changes: Change[]): string => {
    const paths = changes.map((c) => formatPath(c.path));
    const shown = paths.slice(0, CHANGED_SHOWN).join(", ");
    return paths.length > CHANGED_SHOWN ? `${shown} (+${paths.length - CHANGED_SHOWN} more)` : shown;
};

const describe = (r: PlanResource) => `${r.type} ${r.name}`;

/**
 * Plans the update from `oldResources` (what the earlier revision registered) to `newResources`.
 * The modelled children of remote components are added to both sides first (`expand`).
 */
export function planUpdate(
    oldResources: RecordedResource[],
    newResources: RecordedResource[],
    { expand = expandChildren }: { expand?: ExpandChildren } = {},
): PlanStep[] {
    const olds = withChildren(oldResources, expand);
    const news = withChildren(newResources, expand);
    const oldByUrn = new Map(olds.map((r) => [urnOf(r), r]));
    const newByKey = new Map(news.map((r) => [resourceKey(r), r]));

    // Matching: the URN first, then an alias; each old resource goes to one new one.
    const claimed = new Set<PlanResource>();
    const matchOf = new Map<PlanResource, { old: PlanResource; alias?: string }>();
    for (const r of news) {
        const old = oldByUrn.get(urnOf(r));
        if (old) {
            matchOf.set(r, { old });
            claimed.add(old);
        }
    }
    for (const r of news) {
        if (matchOf.has(r)) continue;
        for (const alias of aliasesOf(r, newByKey)) {
            const old = oldByUrn.get(alias);
            if (old && !claimed.has(old)) {
                matchOf.set(r, { old, alias });
                claimed.add(old);
                break;
            }
        }
    }

    const backing = backingDescendants(news);
    const ordered = topological(news, (r) =>
        Object.values(r.graph.propertyDependencies ?? {})
            .flat()
            .flatMap((k) => (backing.get(k) ?? []).map(resourceKey)),
    );
    const steps = new Map<PlanResource, PlanStep>();
    const opOf = (key: string) => {
        const r = newByKey.get(key);
        return r ? steps.get(r)?.op : undefined;
    };
    /** Why an output of `key` is unknown at preview, or undefined when it is known. */
    const unknownBecause = (key: string): string | undefined => {
        const r = newByKey.get(key);
        if (!r) return undefined;
        const op = opOf(key);
        if (op === "create" || op === "replace") return `${describe(r)} is ${op === "create" ? "created" : "replaced"}`;
        for (const b of backing.get(key) ?? []) {
            const bop = steps.get(b)?.op;
            if (bop === "create" || bop === "replace")
                return `${describe(b)} (inside ${r.name}) is ${bop === "create" ? "created" : "replaced"}`;
        }
        return undefined;
    };

    for (const r of ordered) {
        const match = matchOf.get(r);
        const base = { type: r.type, name: r.name, urn: urnOf(r), new: r, danger: false };
        if (!match) {
            steps.set(r, {
                ...base,
                op: "create",
                reasons: [r.import ? `imports the existing object ${r.import}` : "new"],
            });
            continue;
        }
        steps.set(r, classify(r, match.old, match.alias, base, unknownBecause, opOf));
    }

    const deletes: PlanStep[] = topological(olds.filter((o) => !claimed.has(o)))
        .reverse()
        .map((o) => ({
            op: "delete",
            type: o.type,
            name: o.name,
            urn: urnOf(o),
            old: o,
            danger: false,
            reasons: [
                isModelled(o) ? "no longer created by its component" : "no longer registered",
                ...(o.retainOnDelete ? ["retainOnDelete: the object stays in the cloud, unmanaged"] : []),
            ],
        }));
    const all = [...ordered.map((r) => steps.get(r)!), ...deletes];
    assessDanger(all, { olds, news, held: heldByTheCloud(oldResources) });
    return all;
}

function classify(
    r: PlanResource,
    old: PlanResource,
    alias: string | undefined,
    base: Omit<PlanStep, "op" | "reasons">,
    unknownBecause: (key: string) => string | undefined,
    opOf: (key: string) => Op | undefined,
): PlanStep {
    const oldInputs = unwrapSecrets(old.inputs) as Record<string, unknown>;
    const newInputs = unwrapSecrets(r.inputs) as Record<string, unknown>;
    const reasons: string[] = [];
    if (alias) reasons.push(`was ${alias.split("::").slice(2).join("::")} (alias)`);

    // Inputs read from resources created or replaced in this update are unknown at preview.
    const unknown = new Map<string, string>();
    const newVersions = new Map<string, string>();
    for (const [prop, deps] of Object.entries(r.graph.propertyDependencies ?? {})) {
        for (const d of deps) {
            const why = unknownBecause(d);
            if (why) {
                unknown.set(prop, why);
                break;
            }
            // A launch template updated in place gets a new version: readers of latestVersion change.
            if (d.startsWith("aws:ec2/launchTemplate:LaunchTemplate::") && opOf(d) === "update")
                newVersions.set(prop, `${d.split("::")[1]} gets a new version`);
        }
    }
    const changes = inputChanges(oldInputs, newInputs).filter(
        (c) => !ignored(c.path, r.ignoreChanges) && !keptWhenUnset(r.type, c),
    );
    const ctx = { unknown, ignoreChanges: r.ignoreChanges, replaceOnChanges: r.replaceOnChanges, version: r.version };

    const keys: ReplaceKey[] = [];
    const custom = r.graph.kind === "custom";
    if (custom) {
        if (awsType(r.type)) keys.push(...awsReplaceKeys(r.type, oldInputs, newInputs, ctx));
        else if (kubernetesKind(r.type)) keys.push(...kubernetesReplaceKeys(r.type, oldInputs, newInputs, ctx));
        else if (r.type === "pulumi:providers:kubernetes")
            keys.push(...kubernetesProviderReplaceKeys(oldInputs, newInputs, ctx));
        else keys.push(...helmReplaceKeys(r.type, oldInputs, newInputs, ctx));
        // The resource's provider: replaced with it, or another explicit one (pulumi/pulumi
        // step_generator.go `providerChanged`: only two default providers are diffed by config).
        if (r.graph.provider && opOf(r.graph.provider) === "replace")
            keys.push({
                path: "provider",
                why: `its provider ${r.graph.provider.split("::")[1]} is replaced (pulumi/pulumi step_generator.go providerChanged)`,
            });
        else if ((old.provider ?? "") !== (r.provider ?? ""))
            keys.push({
                path: "provider",
                why: `provider ${old.provider ?? "(default)"} → ${r.provider ?? "(default)"}: not two default providers (pulumi/pulumi step_generator.go providerChanged)`,
            });
    } else {
        const schema = componentReplaceOnChanges(r.type);
        if (schema) keys.push(...optionReplaceKeys(changes, schema.paths, schema.cite));
    }
    keys.push(...optionReplaceKeys(changes, r.replaceOnChanges));

    const forced = new Set(keys.map((k) => k.path.split(/[.[]/)[0]));
    const otherChanges = changes.filter((c) => {
        const path = formatPath(c.path);
        return !keys.some((k) => path.startsWith(k.path) || k.path.startsWith(path));
    });
    let op: Op = "same";
    if (keys.length) {
        op = "replace";
        reasons.push(...keys.map((k) => k.why));
        const dbr =
            r.deleteBeforeReplace === true
                ? "the deleteBeforeReplace option"
                : custom
                  ? (awsDeleteBeforeReplace(r.type, newInputs) ??
                    kubernetesDeleteBeforeReplace(r.type, oldInputs, newInputs))
                  : undefined;
        reasons.push(
            dbr
                ? `deleted before its replacement is created: ${dbr}`
                : "the replacement is created first, the old one deleted at the end of the update",
        );
        if (otherChanges.length) reasons.push(`also changed: ${listChanges(otherChanges)}`);
        return { ...base, op, old, reasons, deleteBeforeReplace: dbr, unknown };
    }
    if (changes.length) reasons.push(`changed: ${listChanges(changes)}`);
    for (const [prop, why] of unknown)
        if (!forced.has(prop) && !changes.some((c) => c.path[0] === prop))
            reasons.push(`${prop} is unknown until ${why}`);
    for (const [prop, why] of newVersions) if (!unknown.has(prop)) reasons.push(`${prop}: ${why}`);
    if (changes.length || unknown.size || newVersions.size) op = "update";
    if (op !== "same" && custom && !knownType(r.type))
        reasons.push(`no replace rules are known for ${r.type}: planned as an update`);
    if (
        op !== "same" &&
        custom &&
        (old.version ?? "") !== (r.version ?? "") &&
        !r.provider &&
        r.type.startsWith("aws:")
    )
        reasons.push(
            `diffed by the default provider of @pulumi/aws ${r.version} (upstream ${upstreamOf(r.version)}), was ${old.version} (upstream ${upstreamOf(old.version)}); two default providers: no replace for that alone (pulumi/pulumi step_generator.go providerChanged)`,
        );
    return { ...base, op, old, reasons, unknown };
}

/** The JSON form: `{op, type, name, reasons, danger}` per step. */
export const toEntries = (steps: PlanStep[]): PlanEntry[] =>
    steps.map(({ op, type, name, reasons, danger }) => ({ op, type, name, reasons, danger }));
