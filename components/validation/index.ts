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
 * key the contract names, none of an object (or of one route) built without one of its values, and
 * no collision of an object whose entry has a problem of its own.
 */
export function generatedObjectProblems(cfg: StackConfig, partial?: PartialConfig): ObjectProblem[] {
    const out: ObjectProblem[] = [];
    const original = (at: string) => (partial ? partial.originalKey(at) : at);
    const removed = partial?.removed ?? [];
    const problemKeys = partial?.problemKeys ?? [];
    /**
     * Whether a problem of `g` at `at` may depend on a value the contract left out: any value of
     * the same object or route, except an entry of a map (a label, a header), which only the map
     * itself and what holds it depend on.
     */
    const untrusted = (g: GeneratedObject, at: string) => {
        const key = original(at);
        const units = [original(unitOf(g, at)), ...(g.alsoFrom ?? [])];
        return removed.some((r) => {
            const map = partial?.mapEntries.get(r);
            return map !== undefined
                ? keysRelated(r, key) || keyWithin(map, key)
                : units.some((u) => keysRelated(r, u));
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
            report(refusal: (fields: string) => string) {
                for (const [at, e] of byKey)
                    out.push({
                        at: original(at),
                        message: `${e.messages.join("; ")}; ${refusal(e.fields.join(", "))}`,
                    });
            },
        };
    };
    const objects = generatedIstioObjects(cfg);
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
        const refusedHere = (at: string, webhookAt: string) =>
            at === webhookAt || (at !== g.key && keyWithin(webhookAt, at));
        const metadata = gather(g);
        for (const issue of metadataIssues(g.object)) metadata.add(g.key, issue.message, fieldPathText(issue.path));
        metadata.report((fields) => `the API server would refuse ${where(g)} (${fields})`);
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
        crd.report((fields) => `the API server would refuse ${where(g)} (${fields}, by the Istio CRD's schema)`);
        const webhook = gather(g);
        for (const issue of webhookIssues(g.object)) {
            const at = g.configKey(issue.path);
            if (!refused.some((r) => refusedHere(r, at))) webhook.add(at, issue.message, fieldPathText(issue.path));
        }
        webhook.report((fields) => `istiod's validating webhook would refuse ${where(g)} (${fields})`);
    }
    return out;
}
