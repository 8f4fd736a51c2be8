// The Pulumi engine's ordering of a stack, from what the program registered: which resources wait
// for which when created, and therefore in which order they go when destroyed.
//
// How the engine orders (Node SDK 3.x, `runtime/resource.ts` and `runtime/dependsOn.ts`):
// - A resource waits for every resource named in `dependsOn`, for every resource whose Output its
//   inputs read, and for its provider. It starts as soon as those are done; everything the graph
//   leaves unordered runs in parallel, in any order.
// - Waiting for a (local) component waits for all of its children, transitively, stopping at custom
//   resources and at remote components (an `eks.Cluster` is one step that finishes with its children).
// - A child waits for nothing of its parent: a component's children start independently.
// - `pulumi destroy` walks the same graph backwards: a resource is deleted only after everything
//   that waits for it is gone. So "A is created before B in every order" and "B is deleted before A
//   in every order" are the same fact: B depends on A, directly or transitively.
import { type RecordedResource, resourceKey } from "../../tools/mock/engine";

export interface Step {
    key: string;
    resource: RecordedResource;
    /** The steps this one waits for directly (components expanded to their steps). */
    waitsFor: Set<string>;
}

export interface Lifecycle {
    /** Every engine step: custom resources and remote components, by key `type::name`. */
    steps: Map<string, Step>;
    /** Whether `later` waits for `earlier` in every create order (and goes first in every delete order). */
    before(earlier: string, later: string): boolean;
    /** All steps `key` waits for, transitively. */
    ancestors(key: string): Set<string>;
}

/** The engine's dependency graph of a recorded stack. Throws on a reference to an unrecorded resource. */
export function lifecycleOf(resources: RecordedResource[]): Lifecycle {
    const byKey = new Map(resources.map((r) => [resourceKey(r), r]));
    const children = new Map<string, string[]>();
    for (const r of resources)
        if (r.graph.parent) children.set(r.graph.parent, [...(children.get(r.graph.parent) ?? []), resourceKey(r)]);
    const isStep = (r: RecordedResource) => r.graph.kind !== "component" && r.type !== "pulumi:pulumi:Stack";

    // What waiting for `key` means: the resource itself if it is a step, else its components' steps.
    const expand = (key: string, out = new Set<string>()): Set<string> => {
        const r = byKey.get(key);
        if (!r) throw new Error(`the graph names ${key}, which was never registered`);
        if (isStep(r)) out.add(key);
        else for (const c of children.get(key) ?? []) expand(c, out);
        return out;
    };

    const steps = new Map<string, Step>();
    for (const r of resources.filter(isStep)) {
        const key = resourceKey(r);
        const waitsFor = new Set<string>();
        for (const d of [...r.graph.dependsOn, ...r.graph.inputs, ...(r.graph.provider ? [r.graph.provider] : [])]) {
            if (d === "<output>") throw new Error(`${key}: dependsOn given as an Output, which the model cannot see`);
            for (const s of expand(d)) if (s !== key) waitsFor.add(s);
        }
        steps.set(key, { key, resource: r, waitsFor });
    }

    const memo = new Map<string, Set<string>>();
    const ancestors = (key: string, path: string[] = []): Set<string> => {
        const known = memo.get(key);
        if (known) return known;
        if (path.includes(key)) throw new Error(`dependency cycle: ${[...path, key].join(" → ")}`);
        const step = steps.get(key);
        if (!step) throw new Error(`${key} is not an engine step`);
        const out = new Set<string>();
        for (const d of step.waitsFor) {
            out.add(d);
            for (const a of ancestors(d, [...path, key])) out.add(a);
        }
        memo.set(key, out);
        return out;
    };
    for (const key of steps.keys()) ancestors(key);

    return { steps, ancestors, before: (earlier, later) => ancestors(later).has(earlier) };
}

/**
 * Every order in which the engine may finish creating `keys` (a topological order of the graph
 * restricted to them, through steps outside `keys` too). Exponential: for small graphs in tests
 * that check `before` against it. Deletion orders are these, reversed.
 */
export function* createOrders(lc: Lifecycle, keys: string[] = [...lc.steps.keys()]): Generator<string[]> {
    const waits = new Map(keys.map((k) => [k, [...lc.ancestors(k)].filter((a) => keys.includes(a))]));
    const walk = function* (done: string[], left: string[]): Generator<string[]> {
        if (left.length === 0) return yield [...done];
        for (const k of left)
            if (waits.get(k)!.every((w) => done.includes(w)))
                yield* walk(
                    [...done, k],
                    left.filter((x) => x !== k),
                );
    };
    yield* walk([], keys);
}
