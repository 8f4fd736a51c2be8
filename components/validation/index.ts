// What the cluster will say about the objects a config produces, checked before anything is
// registered ("Preview is the truth" in DESIGN.md). Where a rule lives:
//   crd.ts      the API server: structural schema + CEL rules of the vendored Istio CRD file
//   cel.ts      the CEL environment the API server evaluates rules in (Kubernetes' extensions)
//   webhook/    istiod's validating webhook, a file per kind over primitives.ts (RE2 regexes,
//               hosts, ports, header names, labels, …)
//   names.ts    Kubernetes names and DNS limits of object names, labels and namespaces
//   objects.ts  every Istio object the program registers, and the way back to its config key
// Each problem names the config key that produced the field, like every other config error.
import type { StackConfig } from "../config/contract";
import { keysRelated, keyWithin, type PartialConfig } from "../config/salvage";
import { crdFileFor, crdIssues, fieldPathText } from "./crd";
import { collisions, metadataIssues } from "./names";
import { generatedIstioObjects, type GeneratedObject } from "./objects";
import { webhookIssues } from "./webhook";

export * from "./crd";
export * from "./names";
export * from "./objects";
export * from "./webhook";

export interface ObjectProblem {
    /** Config key path without the "eks-istio:" prefix. */
    at: string;
    message: string;
}

function where(g: GeneratedObject): string {
    const m = g.object.metadata;
    return `${g.object.kind} ${m.namespace ? `${m.namespace}/` : ""}${m.name}`;
}

/**
 * The part of an object a problem at config key `at` belongs to: one HTTP route of a VirtualService
 * (istiod judges each route on its own), otherwise the whole object.
 */
function unitOf(g: GeneratedObject, at: string): string {
    const route = g.object.kind === "VirtualService" ? /^.*?\.http\[\d+\]/.exec(at)?.[0] : undefined;
    return route !== undefined && route.startsWith(`${g.key}.http[`) ? route : g.key;
}

/**
 * Every refusal the API server (CRD schema and CEL rules, Kubernetes' metadata rules, one object per
 * name) or istiod's webhook would give for the Istio objects of `cfg`, at the config key that
 * produced the field, one problem per object, key and layer (its reasons joined). istiod only sees
 * objects the API server admitted, but its rules run on every object, so that one run reports every
 * independent problem; at or inside a field the API server already refuses, istiod's reasons are
 * not added (they judge the same value again).
 *
 * `partial`: `cfg` was built from a config with problems, without the values the contract refused
 * (reviewContract). Keys are then told in the stack file's terms, and nothing is reported that the
 * contract already says or that may depend on a value left out: no problem at, above or inside a
 * key the contract names, none that a value left out may change (`untrusted`), and no collision of
 * an object whose name comes from a key with a problem.
 */
export function generatedObjectProblems(cfg: StackConfig, partial?: PartialConfig): ObjectProblem[] {
    const out: ObjectProblem[] = [];
    const original = (at: string) => (partial ? partial.originalKey(at) : at);
    const removed = partial?.removed ?? [];
    const problemKeys = partial?.problemKeys ?? [];
    const objects = generatedIstioObjects(cfg);
    // The parts a problem belongs to, in the stack file's terms: each object, and each HTTP route of
    // a VirtualService; and for each value left out, the deepest part that held it.
    const units = objects
        .flatMap((g) => [
            g.key,
            ...(g.object.kind === "VirtualService" && Array.isArray(g.object.spec.http)
                ? g.object.spec.http.map((_, k) => `${g.key}.http[${k}]`)
                : []),
        ])
        .map(original);
    const holder = new Map(
        removed.map((r) => [r, units.filter((u) => keyWithin(r, u)).sort((a, b) => b.length - a.length)[0]]),
    );
    /**
     * Whether a problem of `g` at `at` may depend on a value the contract left out. An entry of a
     * map or of a list of values (a label, a host) concerns only its map or list and what holds it.
     * A field concerns its part (object or route) where its siblings are: the fields next to it and
     * what holds them; a field of the part itself, or an entry of a list of maps (other fields may
     * name it), the whole part. Values left out of other parts concern nothing here, except those
     * the object is also built from (alsoFrom).
     */
    const untrusted = (g: GeneratedObject, at: string) => {
        if ((g.alsoFrom ?? []).some((a) => removed.some((r) => keysRelated(r, a)))) return true;
        const key = original(at);
        const unit = original(unitOf(g, at));
        return removed.some((r) => {
            const container = partial?.entries.get(r);
            if (container !== undefined) return keyWithin(key, r) || keyWithin(container, key);
            if (keyWithin(unit, r)) return true;
            if (holder.get(r) !== unit) return false;
            const parent = r.endsWith("]") ? unit : r.slice(0, r.lastIndexOf("."));
            const scope = parent.length > unit.length && keyWithin(parent, unit) ? parent : unit;
            return keysRelated(key, scope);
        });
    };
    /** Whether the name of `g` comes from a value with a problem: its entry's, its app's name or namespace. */
    const doubtfulName = (g: GeneratedObject) => {
        const key = original(g.key);
        const app = /^apps\[\d+\]/.exec(key)?.[0];
        const names = app ? [`${app}.name`, `${app}.namespace`] : [];
        return problemKeys.some((k) => keysRelated(k, key) || names.includes(k)) || untrusted(g, g.key);
    };
    /** Reasons of one layer for one object, gathered per config key and told as one problem each. */
    const gather = (g: GeneratedObject) => {
        const byKey = new Map<string, { messages: string[]; fields: string[] }>();
        return {
            add(at: string, message: string, field: string) {
                if (untrusted(g, at) || problemKeys.some((k) => keysRelated(k, original(at)))) return;
                const entry = byKey.get(at) ?? { messages: [], fields: [] };
                if (!entry.messages.includes(message)) entry.messages.push(message);
                if (!entry.fields.includes(field)) entry.fields.push(field);
                byKey.set(at, entry);
            },
            /**
             * `refusal` says who refuses the object and where in it; the place is left out when
             * list entries before the key were left out of the object (its indices are not the
             * stack file's).
             */
            report(refusal: (fields: string | undefined) => string) {
                for (const [at, e] of byKey)
                    out.push({
                        at: original(at),
                        message: `${e.messages.join("; ")}; ${refusal(original(at) === at ? e.fields.join(", ") : undefined)}`,
                    });
            },
        };
    };
    // The CRDs the cluster will have: those of the Istio version the stack installs, or of every
    // version installed side by side (istio.revisions): an object must pass both control planes.
    const crdFiles = [...new Set((cfg.istio.revisions?.versions ?? [cfg.istio.version]).map(crdFileFor))];
    for (const c of collisions(objects))
        if (!doubtfulName(c.first) && !doubtfulName(c.second) && !untrusted(c.second, c.second.key))
            out.push({
                at: original(c.second.key),
                message: `yields ${c.what} as eks-istio:${original(c.first.key)}; one would replace the other (or the engine would stop with "duplicate URN"), so change one of them`,
            });
    for (const g of objects) {
        // Config keys of the fields the API server refuses: istiod's reasons at or inside them are not
        // added. A CEL rule refuses the fields it reads; a refusal told at the whole object's key
        // (a field with no key of its own) covers that key alone.
        const refused: string[] = [];
        const covers = (refusedKey: string, webhookKey: string) =>
            refusedKey === webhookKey || (refusedKey !== g.key && keyWithin(webhookKey, refusedKey));
        const metadata = gather(g);
        for (const issue of metadataIssues(g.object)) metadata.add(g.key, issue.message, fieldPathText(issue.path));
        metadata.report((fields) => `the API server would refuse ${where(g)}${fields ? ` (${fields})` : ""}`);
        const seen = new Set<string>();
        const crd = gather(g);
        for (const issue of crdFiles.flatMap((file) => crdIssues(g.object, file))) {
            const text = `${fieldPathText(issue.path)}\n${issue.message}`;
            if (seen.has(text)) continue;
            seen.add(text);
            const at = g.configKey(issue.path);
            refused.push(at, ...(issue.fields ?? []).map((f) => g.configKey([...issue.path, f])));
            crd.add(at, issue.message, fieldPathText(issue.path));
        }
        crd.report(
            (fields) =>
                `the API server would refuse ${where(g)} (${fields ? `${fields}, ` : ""}by the Istio CRD's schema)`,
        );
        const webhook = gather(g);
        for (const issue of webhookIssues(g.object)) {
            const at = g.configKey(issue.path);
            if (!refused.some((r) => covers(r, at))) webhook.add(at, issue.message, fieldPathText(issue.path));
        }
        webhook.report(
            (fields) => `istiod's validating webhook would refuse ${where(g)}${fields ? ` (${fields})` : ""}`,
        );
    }
    return out;
}
