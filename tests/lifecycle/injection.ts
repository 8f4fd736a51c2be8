// Which webhook injects the sidecar of each workload the stack labels for injection, and whether it
// exists before the workload does (DESIGN.md, "Istio revisions"). A pod created while no injection
// webhook selects its namespace starts without a sidecar: under STRICT mTLS it can neither call nor
// be called. Nothing fails loudly; only the order of the graph prevents it.
//
// Injectors come from two places, each read as the cluster would see it:
// - an istiod Helm release renders its own MutatingWebhookConfiguration, and one per entry of
//   `revisionTags`. Their selectors are written here from the istiod chart (istio/istio,
//   manifests/charts/istio-control/istio-discovery/templates/, 1.30.3 and release-1.31):
//   mutatingwebhook.yaml 65-108 (rev.namespace., rev.object.), 112-145 (namespace., object., for
//   revision "" only); revision-tags-mwc.yaml 62-93 and 97-129 (the same for a tag, the last two
//   for the tag "default" only). enableNamespacesByDefault (auto.) is off in the program.
// - a MutatingWebhookConfiguration the stack registers itself: its recorded selectors are evaluated
//   as they are, and the istiod release behind it is found from the Service its webhooks call.
//
// Workloads: every Namespace labelled `istio-injection` or `istio.io/rev` (its pods carry no label
// of their own), and the releases of charts whose pods are injected (the gateway chart labels them
// `sidecar.istio.io/inject: "true"` and `istio.io/rev: <revision>`: gateway templates/_helpers.tpl
// 27-32).
import type { RecordedResource } from "../../tools/mock/engine";

type Labels = Record<string, string>;
interface Requirement {
    key: string;
    operator: string;
    values?: string[];
}
interface Selector {
    matchLabels?: Labels;
    matchExpressions?: Requirement[];
}
interface Hook {
    name: string;
    namespaceSelector?: Selector;
    objectSelector?: Selector;
}

export interface Injector {
    /** The MutatingWebhookConfiguration's name. */
    name: string;
    /** What creates it: the istiod release that renders it, or the stack's own resource. */
    source: RecordedResource;
    /** The istiod release its webhooks call, when the stack has it. */
    server?: RecordedResource;
    /** The revision tag it carries, if it is a tag's webhook. */
    tag?: string;
    hooks: Hook[];
}

export interface Workload {
    /** How messages name it: "namespace shop (istio.io/rev=stable)". */
    label: string;
    resource: RecordedResource;
    namespaceLabels: Labels;
    podLabels: Labels;
}

/** Kubernetes label selector semantics (apimachinery labels.Selector): every requirement holds. */
export function selects(selector: Selector | undefined, labels: Labels): boolean {
    if (!selector) return true;
    const matchLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
    return (
        matchLabels &&
        (selector.matchExpressions ?? []).every((r) => {
            const has = Object.prototype.hasOwnProperty.call(labels, r.key);
            switch (r.operator) {
                case "In":
                    return has && (r.values ?? []).includes(labels[r.key]);
                case "NotIn":
                    return !has || !(r.values ?? []).includes(labels[r.key]);
                case "Exists":
                    return has;
                case "DoesNotExist":
                    return !has;
                default:
                    throw new Error(`label selector operator ${r.operator} is not one Kubernetes knows`);
            }
        })
    );
}

/** Whether an injector's webhook takes a pod with these labels in a namespace with those. */
export function injects(i: Injector, w: Pick<Workload, "namespaceLabels" | "podLabels">): boolean {
    return i.hooks.some(
        (h) => selects(h.namespaceSelector, w.namespaceLabels) && selects(h.objectSelector, w.podLabels),
    );
}

const expr = (key: string, operator: string, ...values: string[]): Requirement => ({
    key,
    operator,
    ...(values.length ? { values } : {}),
});
const notDisabled = expr("sidecar.istio.io/inject", "NotIn", "false");

/** The webhooks the istiod chart renders selecting `rev` (its revision, or a tag), and the default ones. */
function chartHooks(rev: string, withDefault: boolean): Hook[] {
    return [
        {
            name: "rev.namespace.sidecar-injector.istio.io",
            namespaceSelector: {
                matchExpressions: [expr("istio.io/rev", "In", rev), expr("istio-injection", "DoesNotExist")],
            },
            objectSelector: { matchExpressions: [notDisabled] },
        },
        {
            name: "rev.object.sidecar-injector.istio.io",
            namespaceSelector: {
                matchExpressions: [expr("istio.io/rev", "DoesNotExist"), expr("istio-injection", "DoesNotExist")],
            },
            objectSelector: { matchExpressions: [notDisabled, expr("istio.io/rev", "In", rev)] },
        },
        ...(withDefault
            ? [
                  {
                      name: "namespace.sidecar-injector.istio.io",
                      namespaceSelector: { matchExpressions: [expr("istio-injection", "In", "enabled")] },
                      objectSelector: { matchExpressions: [notDisabled] },
                  },
                  {
                      name: "object.sidecar-injector.istio.io",
                      namespaceSelector: {
                          matchExpressions: [
                              expr("istio-injection", "DoesNotExist"),
                              expr("istio.io/rev", "DoesNotExist"),
                          ],
                      },
                      objectSelector: {
                          matchExpressions: [
                              expr("sidecar.istio.io/inject", "In", "true"),
                              expr("istio.io/rev", "DoesNotExist"),
                          ],
                      },
                  },
              ]
            : []),
    ];
}

const ISTIOD_SERVICE = (revision: string) => (revision ? `istiod-${revision}` : "istiod");

/** Every injection webhook configuration of the stack. */
export function injectorsOf(istiods: RecordedResource[], webhookConfigs: RecordedResource[]): Injector[] {
    const out: Injector[] = [];
    for (const r of istiods) {
        const revision = (r.inputs.values?.revision as string | undefined) ?? "";
        out.push({
            name: `istio-sidecar-injector${revision ? `-${revision}` : ""}`,
            source: r,
            server: r,
            hooks: chartHooks(revision || "default", revision === ""),
        });
        for (const tag of (r.inputs.values?.revisionTags as string[] | undefined) ?? [])
            out.push({
                name: `istio-revision-tag-${tag}`,
                source: r,
                server: r,
                tag,
                hooks: chartHooks(tag, tag === "default"),
            });
    }
    for (const w of webhookConfigs) {
        const hooks = (w.inputs.webhooks ?? []) as (Hook & { clientConfig?: { service?: { name?: string } } })[];
        const service = hooks.find((h) => h.clientConfig?.service?.name)?.clientConfig?.service?.name;
        out.push({
            name: w.inputs.metadata?.name,
            source: w,
            server: istiods.find(
                (r) => ISTIOD_SERVICE((r.inputs.values?.revision as string | undefined) ?? "") === service,
            ),
            ...(w.inputs.metadata?.labels?.["istio.io/tag"] ? { tag: w.inputs.metadata.labels["istio.io/tag"] } : {}),
            hooks,
        });
    }
    return out;
}

/** What the stack labels for injection: app namespaces, and the pods of injected charts. */
export function workloadsOf(namespaces: RecordedResource[], injected: RecordedResource[]): Workload[] {
    const nsLabels = (n: RecordedResource): Labels => ({
        ...(n.inputs.metadata?.labels ?? {}),
        "kubernetes.io/metadata.name": n.inputs.metadata?.name,
    });
    const out: Workload[] = [];
    for (const n of namespaces) {
        const labels = nsLabels(n);
        // istio-injection=disabled opts a namespace out; any istio.io/rev value opts it in.
        const label = [
            ...(labels["istio-injection"] === "enabled" ? ["istio-injection=enabled"] : []),
            ...("istio.io/rev" in labels ? [`istio.io/rev=${labels["istio.io/rev"]}`] : []),
        ];
        if (label.length)
            out.push({
                label: `namespace ${n.inputs.metadata.name} (${label.join(", ")})`,
                resource: n,
                namespaceLabels: labels,
                podLabels: {},
            });
    }
    for (const r of injected) {
        const ns = namespaces.find((n) => n.inputs.metadata?.name === r.inputs.namespace);
        const revision = r.inputs.values?.revision as string | undefined;
        out.push({
            label: `${r.name}'s pods (${revision ? `istio.io/rev=${revision}` : "sidecar.istio.io/inject=true"})`,
            resource: r,
            namespaceLabels: ns ? nsLabels(ns) : { "kubernetes.io/metadata.name": r.inputs.namespace },
            podLabels: { "sidecar.istio.io/inject": "true", ...(revision ? { "istio.io/rev": revision } : {}) },
        });
    }
    return out;
}

/**
 * The injection invariants, as sentences: each workload is injected by a webhook the stack has,
 * created (with the istiod behind it) before the workload in every order; and no istiod release
 * renders a revision tag, which Helm would delete whenever the tag moves to another release.
 */
export function injectionProblems(
    injectors: Injector[],
    workloads: Workload[],
    before: (earlier: RecordedResource, later: RecordedResource) => boolean,
): string[] {
    const out: string[] = [];
    for (const i of injectors)
        if (i.tag && i.source === i.server)
            out.push(
                `${i.source.name} renders revision tag ${i.tag}'s webhook ${i.name} itself (values.revisionTags): when the tag moves to another release, Helm deletes it before that release recreates it, and pods created in between start without a sidecar`,
            );
        else if (!i.server)
            out.push(
                `${i.name} (${i.source.name}) calls an istiod Service that no istiod release of the stack serves: every pod it selects is refused`,
            );
    for (const w of workloads) {
        const mine = injectors.filter((i) => injects(i, w));
        if (mine.length === 0) {
            out.push(`${w.label}: no injection webhook of the stack selects it, so its pods start without a sidecar`);
            continue;
        }
        const ready = (i: Injector) => before(i.source, w.resource) && (!i.server || before(i.server, w.resource));
        if (!mine.some(ready))
            out.push(
                `${w.label} may be created before ${mine.map((i) => `${i.name} (${[...new Set([i.source.name, i.server?.name].filter(Boolean))].join(", ")})`).join(" or ")} exists: its pods would start without a sidecar`,
            );
    }
    return out;
}
