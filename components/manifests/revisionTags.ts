// An Istio revision tag as objects of its own: the MutatingWebhookConfiguration and the Service the
// istiod chart renders for `revisionTags`, as Istio's Helm flow for tags renders them outside any
// release (`helm template <release> istio/istiod --version <v> -n istio-system
// -s templates/revision-tags-mwc.yaml -s templates/revision-tags-svc.yaml --set revision=<rev>
// --set revisionTags={<tag>}`). Kept out of the istiod releases, a tag that moves to another
// control plane is one object updated in place; inside them it was deleted by one release before
// the other recreated it.
//
// Upstream: istio/istio, manifests/charts/istio-control/istio-discovery/, at tag 1.30.3 (56df41f6)
// and branch release-1.31 at a8d70121 (the 1.31 reference). Line numbers are the same in both:
// - templates/revision-tags-mwc.yaml 5-11 (what the webhooks read), 15-34 (one webhook, "core"),
//   40-56 (name and labels), 62-93 (rev.namespace. and rev.object.), 97-129 (tag "default" only:
//   namespace. and object.), 131-149 (auto., only with enableNamespacesByDefault, off here);
// - templates/revision-tags-svc.yaml 4-46 (the Service);
// - templates/zzz_profile.yaml 61-75 (the "istio.labels" every object carries);
// - values.yaml defaults read by these templates: serviceAnnotations {} (73),
//   sidecarInjectorWebhookAnnotations {} (75), sidecarInjectorWebhook.enableNamespacesByDefault
//   false (142) and reinvocationPolicy Never (147), istiodRemote.injectionURL "" (192),
//   injectionPath "/inject" (196), ownerName "" (218), global.resourceScope all (305),
//   global.operatorManageWebhooks false (312).
// From 1.30.3 to 1.31 the only change in these templates quotes the namespace (mwc line 22, svc
// line 8): the rendered objects are the same. The released charts carry the Istio version as both
// chart version and appVersion (the in-repo Chart.yaml's 1.0.0 is a placeholder release-builder
// replaces), which is what the version labels read.
import type { ControlPlane } from "./revisions";
import { ISTIO } from "./istio";

/** The control plane a tag points at. `revision` is "default" for the unrevisioned istiod. */
export type TagTarget = Pick<ControlPlane, "version" | "revision" | "release">;

/** The object names of a tag (mwc line 44, svc line 7; the release namespace is istio-system). */
export function revisionTagNames(tag: string): { webhook: string; service: string } {
    return { webhook: `istio-revision-tag-${tag}`, service: `istiod-revision-tag-${tag}` };
}

/**
 * Annotations the chart does not render, set because these objects change hands: an istiod release
 * of an earlier eks-istio rendered them, and a Helm upgrade deletes every object its new manifest
 * drops unless the live object says `helm.sh/resource-policy: keep` (helm v3.20.2
 * pkg/kube/client.go 436-450, which reads the live object). Applied before that upgrade, the tag
 * survives it; nothing renders it from a release afterwards, so the annotation changes nothing else.
 */
export const TAG_ANNOTATIONS = { "helm.sh/resource-policy": "keep" } as const;

/** Labels of both objects (mwc 48-56, svc 13-22): the tag, the revision, the release's chart labels. */
function labels(tag: string, target: TagTarget, app: Record<string, string>): Record<string, string> {
    return {
        "istio.io/tag": tag,
        // istiod counts as its own tags the objects labelled with its revision
        // (pkg/revisions/tag_watcher.go 159-176), and patches the caBundle into every webhook named
        // *sidecar-injector.istio.io of every MutatingWebhookConfiguration so labelled
        // (pkg/webhooks/webhookpatch.go 72-73: it watches them all; 127-135, 145-152). When a tag
        // moves, the new label makes the other istiod patch it; both sign with the one CA of
        // istio-system (Secret istio-ca-secret, security/pkg/pki/ca/ca.go 50), so the bundle
        // already there stays valid meanwhile.
        "istio.io/rev": target.revision,
        "install.operator.istio.io/owning-resource": "unknown",
        "operator.istio.io/component": "Pilot",
        ...app,
        release: target.release,
        "app.kubernetes.io/name": "istiod",
        // istio.labels, as `helm template` renders them for the target's release and chart version.
        "app.kubernetes.io/managed-by": "Helm",
        "app.kubernetes.io/instance": target.release,
        "app.kubernetes.io/part-of": "istio",
        "app.kubernetes.io/version": target.version,
        "helm.sh/chart": `istiod-${target.version}`,
    };
}

/** The istiod Service the webhooks call: `istiod`, or `istiod-<revision>` (mwc line 21). */
function istiodService(target: TagTarget): string {
    return target.revision === "default" ? "istiod" : `istiod-${target.revision}`;
}

type Requirement = { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] };
const selector = (...matchExpressions: Requirement[]) => ({ matchExpressions });
const notDisabled: Requirement = { key: "sidecar.istio.io/inject", operator: "NotIn", values: ["false"] };

/**
 * One injection webhook (mwc 15-34). No `caBundle`: the template renders none (the release's own
 * webhook in mutatingwebhook.yaml does, from istiodRemote.injectionCABundle, empty here) and istiod
 * patches it in. Left out of what Pulumi applies, the field stays istiod's: server-side apply
 * merges webhooks by name and keeps fields another manager set.
 */
function webhook(prefix: string, target: TagTarget, namespaceSelector: object, objectSelector: object) {
    return {
        name: `${prefix}sidecar-injector.istio.io`,
        clientConfig: {
            service: { name: istiodService(target), namespace: ISTIO.namespace, path: "/inject", port: 443 },
        },
        sideEffects: "None",
        rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] }],
        failurePolicy: "Fail",
        reinvocationPolicy: "Never",
        admissionReviewVersions: ["v1"],
        namespaceSelector,
        objectSelector,
    };
}

/**
 * The tag's MutatingWebhookConfiguration: pods of namespaces labelled `istio.io/rev: <tag>`, and
 * pods labelled so in unlabelled namespaces (the gateway's), go to the target's istiod. The tag
 * `default` also takes what the unrevisioned istiod's own webhook takes: `istio-injection=enabled`
 * namespaces and pods labelled `sidecar.istio.io/inject: "true"`.
 */
export function revisionTagWebhook(tag: string, target: TagTarget) {
    const tagged: Requirement = { key: "istio.io/rev", operator: "In", values: [tag] };
    const noRev: Requirement = { key: "istio.io/rev", operator: "DoesNotExist" };
    const noInjection: Requirement = { key: "istio-injection", operator: "DoesNotExist" };
    return {
        apiVersion: "admissionregistration.k8s.io/v1" as const,
        kind: "MutatingWebhookConfiguration" as const,
        metadata: {
            name: revisionTagNames(tag).webhook,
            labels: labels(tag, target, { app: "sidecar-injector" }),
            annotations: { ...TAG_ANNOTATIONS },
        },
        webhooks: [
            webhook("rev.namespace.", target, selector(tagged, noInjection), selector(notDisabled)),
            webhook("rev.object.", target, selector(noRev, noInjection), selector(notDisabled, tagged)),
            ...(tag === "default"
                ? [
                      webhook(
                          "namespace.",
                          target,
                          selector({ key: "istio-injection", operator: "In", values: ["enabled"] }),
                          selector(notDisabled),
                      ),
                      webhook(
                          "object.",
                          target,
                          selector(noInjection, noRev),
                          selector({ key: "sidecar.istio.io/inject", operator: "In", values: ["true"] }, noRev),
                      ),
                  ]
                : []),
        ],
    };
}

/**
 * The tag's Service (svc 4-46): istiod reads the tags pointing at it from these labels too, and
 * ambient workloads reach their control plane through it. Its ports are istiod's.
 *
 * One deliberate difference: the chart selects `app: istiod` plus `istio.io/rev: <revision>` for a
 * revisioned target, `istio: pilot` for the unrevisioned one (svc 38-46). Here all three keys are
 * always stated, with the values the target's pods carry (the istiod Deployment labels them
 * `istio.io/rev` always, `istio: pilot` unrevisioned and `istio: istiod` revisioned: deployment.yaml
 * 45-55), which selects the same pods. With the chart's key set, a tag moving between the two kinds
 * of target would leave behind the key the earlier owner (the release, before the takeover) applied:
 * server-side apply keeps fields another manager owns, and the stale key matches no pod.
 */
export function revisionTagService(tag: string, target: TagTarget) {
    return {
        apiVersion: "v1" as const,
        kind: "Service" as const,
        metadata: {
            name: revisionTagNames(tag).service,
            namespace: ISTIO.namespace,
            labels: labels(tag, target, { app: "istiod", istio: "pilot" }),
            annotations: { ...TAG_ANNOTATIONS },
        },
        spec: {
            ports: [
                { port: 15010, name: "grpc-xds", protocol: "TCP" },
                { port: 15012, name: "https-dns", protocol: "TCP" },
                { port: 443, name: "https-webhook", targetPort: 15017, protocol: "TCP" },
                { port: 15014, name: "http-monitoring", protocol: "TCP" },
            ],
            selector: {
                app: "istiod",
                "istio.io/rev": target.revision,
                istio: target.revision === "default" ? "pilot" : "istiod",
            },
        },
    };
}
