// Revision tags as objects of their own (issue 20): the webhook and Service of each tag exactly as
// the istiod chart renders them, which pods each one injects, the order against the istiod
// releases (also when taking the tags over from releases of an earlier eks-istio), and the Istio
// component at each step of a canary upgrade.
import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../components/config";
import { Istio } from "../components/istio";
import {
    controlPlanePlan,
    exportedControlPlanes,
    exportedRevisionTags,
    type PreviousUpdate,
    tagOrder,
} from "../components/manifests/revisions";
import { revisionTagService, revisionTagWebhook, type TagTarget } from "../components/manifests/revisionTags";
import { type ComponentRun, runComponents } from "./harness";
import { injects, selects } from "./lifecycle/injection";
import { changedPaths } from "./changedPaths";

const UNREVISIONED_130: TagTarget = { version: "1.30.5", revision: "default", release: "istiod" };
const REV_130: TagTarget = { version: "1.30.5", revision: "1-30", release: "istiod-1-30" };
const REV_131: TagTarget = { version: "1.31.1", revision: "1-31", release: "istiod-1-31" };

describe("revision tags: the webhook, as the istiod chart renders it (revision-tags-mwc.yaml)", () => {
    it("stable on the unrevisioned 1.30 istiod: the object the istiod release rendered, plus the keep annotation", () => {
        const core = (prefix: string) => ({
            name: `${prefix}sidecar-injector.istio.io`,
            clientConfig: { service: { name: "istiod", namespace: "istio-system", path: "/inject", port: 443 } },
            sideEffects: "None",
            rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] }],
            failurePolicy: "Fail",
            reinvocationPolicy: "Never",
            admissionReviewVersions: ["v1"],
        });
        assert.deepEqual(revisionTagWebhook("stable", UNREVISIONED_130), {
            apiVersion: "admissionregistration.k8s.io/v1",
            kind: "MutatingWebhookConfiguration",
            metadata: {
                name: "istio-revision-tag-stable",
                labels: {
                    "istio.io/tag": "stable",
                    "istio.io/rev": "default",
                    "install.operator.istio.io/owning-resource": "unknown",
                    "operator.istio.io/component": "Pilot",
                    app: "sidecar-injector",
                    release: "istiod",
                    "app.kubernetes.io/name": "istiod",
                    "app.kubernetes.io/managed-by": "Helm",
                    "app.kubernetes.io/instance": "istiod",
                    "app.kubernetes.io/part-of": "istio",
                    "app.kubernetes.io/version": "1.30.5",
                    "helm.sh/chart": "istiod-1.30.5",
                },
                annotations: { "helm.sh/resource-policy": "keep" },
            },
            webhooks: [
                {
                    ...core("rev.namespace."),
                    namespaceSelector: {
                        matchExpressions: [
                            { key: "istio.io/rev", operator: "In", values: ["stable"] },
                            { key: "istio-injection", operator: "DoesNotExist" },
                        ],
                    },
                    objectSelector: {
                        matchExpressions: [{ key: "sidecar.istio.io/inject", operator: "NotIn", values: ["false"] }],
                    },
                },
                {
                    ...core("rev.object."),
                    namespaceSelector: {
                        matchExpressions: [
                            { key: "istio.io/rev", operator: "DoesNotExist" },
                            { key: "istio-injection", operator: "DoesNotExist" },
                        ],
                    },
                    objectSelector: {
                        matchExpressions: [
                            { key: "sidecar.istio.io/inject", operator: "NotIn", values: ["false"] },
                            { key: "istio.io/rev", operator: "In", values: ["stable"] },
                        ],
                    },
                },
            ],
        });
    });

    // Per tag and target: the object's name, the revision labels, the istiod Service its webhooks
    // call, and the webhooks it has (the tag "default" also takes over the default revision's).
    const cases: { tag: string; target: TagTarget; revision: string; calls: string; webhooks: string[] }[] = [
        {
            tag: "stable",
            target: UNREVISIONED_130,
            revision: "default",
            calls: "istiod",
            webhooks: ["rev.namespace.", "rev.object."],
        },
        {
            tag: "stable",
            target: REV_130,
            revision: "1-30",
            calls: "istiod-1-30",
            webhooks: ["rev.namespace.", "rev.object."],
        },
        {
            tag: "stable",
            target: REV_131,
            revision: "1-31",
            calls: "istiod-1-31",
            webhooks: ["rev.namespace.", "rev.object."],
        },
        {
            tag: "canary",
            target: REV_131,
            revision: "1-31",
            calls: "istiod-1-31",
            webhooks: ["rev.namespace.", "rev.object."],
        },
        {
            tag: "default",
            target: REV_131,
            revision: "1-31",
            calls: "istiod-1-31",
            webhooks: ["rev.namespace.", "rev.object.", "namespace.", "object."],
        },
        {
            tag: "default",
            target: REV_130,
            revision: "1-30",
            calls: "istiod-1-30",
            webhooks: ["rev.namespace.", "rev.object.", "namespace.", "object."],
        },
    ];
    for (const c of cases)
        it(`${c.tag} → ${c.target.release} (${c.target.version}): istio-revision-tag-${c.tag}, calling ${c.calls}`, () => {
            const w = revisionTagWebhook(c.tag, c.target);
            assert.equal(w.metadata.name, `istio-revision-tag-${c.tag}`);
            assert.deepEqual(
                [
                    w.metadata.labels["istio.io/tag"],
                    w.metadata.labels["istio.io/rev"],
                    w.metadata.labels.release,
                    w.metadata.labels["helm.sh/chart"],
                ],
                [c.tag, c.revision, c.target.release, `istiod-${c.target.version}`],
            );
            assert.deepEqual(
                w.webhooks.map((h) => h.name),
                c.webhooks.map((p) => `${p}sidecar-injector.istio.io`),
            );
            for (const h of w.webhooks) assert.equal(h.clientConfig.service.name, c.calls);
        });

    it("never states a caBundle: istiod patches it in, and server-side apply leaves it to istiod", () => {
        for (const c of cases) assert.ok(!JSON.stringify(revisionTagWebhook(c.tag, c.target)).includes("caBundle"));
    });

    it("moving a tag from 1.30 to 1.31 changes only what names the control plane (no difference between the two charts' templates)", () => {
        assert.deepEqual(changedPaths(revisionTagWebhook("stable", REV_130), revisionTagWebhook("stable", REV_131)), [
            "metadata.labels.app.kubernetes.io/instance",
            "metadata.labels.app.kubernetes.io/version",
            "metadata.labels.helm.sh/chart",
            "metadata.labels.istio.io/rev",
            "metadata.labels.release",
            "webhooks.0.clientConfig.service.name",
            "webhooks.1.clientConfig.service.name",
        ]);
    });

    // Which pods each tag's webhook takes: the namespaces labelled for the tag, pods labelled for it
    // in unlabelled namespaces (the gateway's), and for "default" what istio-injection=enabled and
    // sidecar.istio.io/inject=true ask for. Label selectors evaluated as the API server does.
    const pods: { name: string; ns: Record<string, string>; pod: Record<string, string>; takenBy: string[] }[] = [
        {
            name: "a pod in a namespace labelled istio.io/rev=stable",
            ns: { "istio.io/rev": "stable" },
            pod: {},
            takenBy: ["stable"],
        },
        {
            name: "a pod in a namespace labelled istio.io/rev=canary",
            ns: { "istio.io/rev": "canary" },
            pod: {},
            takenBy: ["canary"],
        },
        {
            name: "a pod opted out (sidecar.istio.io/inject=false) in a stable namespace",
            ns: { "istio.io/rev": "stable" },
            pod: { "sidecar.istio.io/inject": "false" },
            takenBy: [],
        },
        {
            name: "the gateway's pods (istio.io/rev=stable) in istio-system",
            ns: { "elbv2.k8s.aws/pod-readiness-gate-inject": "enabled" },
            pod: { "sidecar.istio.io/inject": "true", "istio.io/rev": "stable" },
            takenBy: ["stable"],
        },
        {
            name: "a pod in a namespace labelled istio-injection=enabled",
            ns: { "istio-injection": "enabled" },
            pod: {},
            takenBy: ["default"],
        },
        {
            name: "a namespace labelled both ways: istio-injection wins",
            ns: { "istio-injection": "enabled", "istio.io/rev": "stable" },
            pod: {},
            takenBy: ["default"],
        },
        {
            name: "an unrevisioned gateway pod (sidecar.istio.io/inject=true) in an unlabelled namespace",
            ns: {},
            pod: { "sidecar.istio.io/inject": "true" },
            takenBy: ["default"],
        },
        { name: "a plain pod in an unlabelled namespace", ns: {}, pod: {}, takenBy: [] },
    ];
    for (const p of pods)
        it(`${p.name}: injected by ${p.takenBy.join(", ") || "no tag"}`, () => {
            const takenBy = ["stable", "canary", "default"].filter((tag) =>
                injects(
                    { name: tag, source: {} as never, hooks: revisionTagWebhook(tag, REV_131).webhooks },
                    { namespaceLabels: p.ns, podLabels: p.pod },
                ),
            );
            assert.deepEqual(takenBy, p.takenBy);
        });

    it("label selectors: In, NotIn, Exists, DoesNotExist and matchLabels as Kubernetes reads them", () => {
        const table: [Parameters<typeof selects>[0], Record<string, string>, boolean][] = [
            [{ matchExpressions: [{ key: "a", operator: "In", values: ["x"] }] }, { a: "x" }, true],
            [{ matchExpressions: [{ key: "a", operator: "In", values: ["x"] }] }, {}, false],
            [{ matchExpressions: [{ key: "a", operator: "NotIn", values: ["x"] }] }, {}, true],
            [{ matchExpressions: [{ key: "a", operator: "NotIn", values: ["x"] }] }, { a: "x" }, false],
            [{ matchExpressions: [{ key: "a", operator: "Exists" }] }, { a: "" }, true],
            [{ matchExpressions: [{ key: "a", operator: "DoesNotExist" }] }, { a: "" }, false],
            [{ matchLabels: { a: "x" }, matchExpressions: [{ key: "b", operator: "DoesNotExist" }] }, { a: "x" }, true],
            [{}, { a: "x" }, true],
            [undefined, {}, true],
        ];
        for (const [selector, labels, expected] of table)
            assert.equal(
                selects(selector, labels),
                expected,
                `${JSON.stringify(selector)} on ${JSON.stringify(labels)}`,
            );
        assert.throws(() => selects({ matchExpressions: [{ key: "a", operator: "Gt" }] }, {}), /operator Gt/);
    });
});

describe("revision tags: the Service, as the istiod chart renders it (revision-tags-svc.yaml)", () => {
    it("is named after the tag, labelled like the webhook, with istiod's ports", () => {
        const s = revisionTagService("canary", REV_131);
        assert.equal(s.metadata.name, "istiod-revision-tag-canary");
        assert.equal(s.metadata.namespace, "istio-system");
        assert.deepEqual(
            [
                s.metadata.labels["istio.io/tag"],
                s.metadata.labels["istio.io/rev"],
                s.metadata.labels.app,
                s.metadata.labels.istio,
            ],
            ["canary", "1-31", "istiod", "pilot"],
        );
        assert.deepEqual(
            s.spec.ports.map((p) => [p.name, p.port, p.targetPort ?? p.port]),
            [
                ["grpc-xds", 15010, 15010],
                ["https-dns", 15012, 15012],
                ["https-webhook", 443, 15017],
                ["http-monitoring", 15014, 15014],
            ],
        );
    });

    // The target's istiod pods (deployment.yaml 45-55): the selector must take those and no other.
    const istiodPods = {
        unrevisioned: { app: "istiod", "istio.io/rev": "default", istio: "pilot" },
        "1-30": { app: "istiod", "istio.io/rev": "1-30", istio: "istiod" },
        "1-31": { app: "istiod", "istio.io/rev": "1-31", istio: "istiod" },
    };
    const targets: [TagTarget, keyof typeof istiodPods][] = [
        [UNREVISIONED_130, "unrevisioned"],
        [REV_130, "1-30"],
        [REV_131, "1-31"],
    ];
    for (const [target, own] of targets)
        it(`pointing at ${target.release}: selects its pods and no other istiod's`, () => {
            const selector = { matchLabels: revisionTagService("stable", target).spec.selector };
            for (const [name, labels] of Object.entries(istiodPods))
                assert.equal(selects(selector, labels), name === own, name);
        });
});

describe("revision tags: the order against the istiod releases (tagOrder)", () => {
    const step2 = { revisions: { versions: ["1.30.5", "1.31.1"], stable: "1.30.5", canary: "1.31.1" } };
    const step3 = { revisions: { versions: ["1.30.5", "1.31.1"], stable: "1.31.1", canary: "1.31.1" } };
    const step4 = { revisions: { versions: ["1.31.1"], stable: "1.31.1" } };
    const planes = {
        unrevisioned: (tags: ("stable" | "canary")[]) => ({
            version: "1.30.5",
            revision: "default",
            release: "istiod",
            tags,
        }),
        rev131: (tags: ("stable" | "canary")[]) => ({
            version: "1.31.1",
            revision: "1-31",
            release: "istiod-1-31",
            tags,
        }),
    };
    // What an eks-istio that rendered the tags inside the releases exported: no istioRevisionTags.
    const old = (controlPlanes: PreviousUpdate["controlPlanes"]): PreviousUpdate => ({ deployed: true, controlPlanes });
    const fresh = (controlPlanes: PreviousUpdate["controlPlanes"]): PreviousUpdate => ({
        ...old(controlPlanes),
        revisionTags: [],
    });
    const cases: {
        name: string;
        istio: Pick<StackConfig["istio"], "revisions">;
        previous: PreviousUpdate;
        order: string[];
    }[] = [
        {
            name: "istio.version: one istiod, no tag",
            istio: {},
            previous: { deployed: false },
            order: ["istiod istiod"],
        },
        {
            name: "a stack created with revisions: each tag after the istiod it points at",
            istio: step2,
            previous: { deployed: false },
            order: [
                "istiod istiod-1-30",
                "istiod istiod-1-31",
                "tag stable after istiod-1-30",
                "tag default after istiod-1-30",
                "tag canary after istiod-1-31",
            ],
        },
        {
            name: "step 2 after step 1 of this eks-istio",
            istio: step2,
            previous: fresh([planes.unrevisioned(["stable"])]),
            order: ["istiod istiod", "istiod istiod-1-31", "tag stable after istiod", "tag canary after istiod-1-31"],
        },
        {
            name: "step 3 after step 2 of this eks-istio: the tag moves, the releases stay unordered",
            istio: step3,
            previous: { ...fresh([planes.unrevisioned(["stable"]), planes.rev131(["canary"])]) },
            order: [
                "istiod istiod",
                "istiod istiod-1-31",
                "tag stable after istiod-1-31",
                "tag canary after istiod-1-31",
            ],
        },
        {
            name: "taking over at step 2: each release upgrades only after its tag carries keep",
            istio: step2,
            previous: old([planes.unrevisioned(["stable"]), planes.rev131(["canary"])]),
            order: ["tag stable", "tag canary", "istiod istiod after stable", "istiod istiod-1-31 after canary"],
        },
        {
            name: "taking over at step 3: stable waits for istiod-1-31 and istiod for stable",
            istio: step3,
            previous: old([planes.unrevisioned(["stable"]), planes.rev131(["canary"])]),
            order: [
                "tag canary",
                "istiod istiod-1-31 after canary",
                "tag stable after istiod-1-31",
                "istiod istiod after stable",
            ],
        },
        {
            name: "taking over at step 4 (canary kept for this update): default is new, stable and canary were istiod-1-31's",
            istio: { revisions: { ...step4.revisions, canary: "1.31.1" } },
            previous: old([planes.unrevisioned([]), planes.rev131(["stable", "canary"])]),
            order: [
                "tag stable",
                "tag canary",
                "istiod istiod-1-31 after stable, canary",
                "tag default after istiod-1-31",
            ],
        },
        {
            name: "taking over from an istio.version stack (which rendered no tag): ordering it after the tag is harmless",
            istio: step2,
            previous: old([planes.unrevisioned(["stable"])]),
            order: ["istiod istiod-1-31", "tag stable", "istiod istiod after stable", "tag canary after istiod-1-31"],
        },
    ];
    for (const c of cases)
        it(c.name, () => {
            const plan = controlPlanePlan({ version: "1.30.5", ...c.istio }, c.previous);
            assert.deepEqual(plan.problems, []);
            assert.deepEqual(
                tagOrder(plan).map((s) =>
                    s.kind === "istiod"
                        ? `istiod ${s.plane.release}${s.afterTags.length ? ` after ${s.afterTags.join(", ")}` : ""}`
                        : `tag ${s.placement.tag}${s.afterPlane ? ` after ${s.afterPlane.release}` : ""}`,
                ),
                c.order,
            );
        });

    it("refuses dropping the canary in the update that takes the tags over while its istiod stays", () => {
        const plan = controlPlanePlan(
            { version: "1.30.5", ...step4 },
            old([planes.unrevisioned([]), planes.rev131(["stable", "canary"])]),
        );
        assert.deepEqual(plan.problems, [
            {
                at: "istio.canary",
                message:
                    "this update takes the revision tags over from the istiod releases, which rendered them until now (istiod-1-31 rendered canary); removing the canary tag in the same update would let Helm delete its webhook before the namespaces labelled canary are relabelled. Run pulumi up once with istio.canary still set to 1.31.1, then remove it",
            },
        ]);
    });

    it("accepts it once the tags are resources (the next update), and a rollback that deletes the canary's istiod", () => {
        const previous = [planes.unrevisioned([]), planes.rev131(["stable", "canary"])];
        assert.deepEqual(controlPlanePlan({ version: "1.30.5", ...step4 }, fresh(previous)).problems, []);
        const rollback = { revisions: { versions: ["1.30.5"], stable: "1.30.5" } };
        assert.deepEqual(
            controlPlanePlan(
                { version: "1.30.5", ...rollback },
                old([planes.unrevisioned(["stable"]), planes.rev131(["canary"])]),
            ).problems,
            [],
        );
    });

    it("exports where each tag points, which the next update reads back (and istio.version exports none)", () => {
        const plan = controlPlanePlan(
            { version: "1.30.5", ...step3 },
            fresh([planes.unrevisioned(["stable"]), planes.rev131(["canary"])]),
        );
        assert.deepEqual(exportedRevisionTags(plan), [
            { tag: "stable", release: "istiod-1-31", revision: "1-31", version: "1.31.1" },
            { tag: "canary", release: "istiod-1-31", revision: "1-31", version: "1.31.1" },
        ]);
        assert.deepEqual(
            exportedControlPlanes(plan).map((p) => [p.release, p.tags]),
            [
                ["istiod", []],
                ["istiod-1-31", ["stable", "canary"]],
            ],
        );
        assert.deepEqual(exportedRevisionTags(controlPlanePlan({ version: "1.30.5" }, { deployed: false })), []);
    });
});

describe("revision tags: the Istio component at each step of a canary upgrade (mocks)", () => {
    // Each step is built from the plan its config and previous update give; "old" previous updates
    // are what an eks-istio that rendered tags inside the releases exported.
    const canary = { versions: ["1.30.5", "1.31.1"], stable: "1.30.5", canary: "1.31.1" };
    const promote = { ...canary, stable: "1.31.1" };
    const oldStep2: PreviousUpdate = {
        deployed: true,
        controlPlanes: [
            { version: "1.30.5", revision: "default", release: "istiod", tags: ["stable"] },
            { version: "1.31.1", revision: "1-31", release: "istiod-1-31", tags: ["canary"] },
        ],
    };
    const steps: {
        name: string;
        istio: Pick<StackConfig["istio"], "version" | "revisions">;
        previous: PreviousUpdate;
    }[] = [
        { name: "s1", istio: { version: "1.30.5" }, previous: { deployed: true } },
        {
            name: "s2",
            istio: { version: "1.30.5", revisions: canary },
            previous: { ...oldStep2, controlPlanes: [oldStep2.controlPlanes![0]], revisionTags: [] },
        },
        {
            name: "s3",
            istio: { version: "1.30.5", revisions: promote },
            previous: {
                ...oldStep2,
                revisionTags: [
                    { tag: "stable", release: "istiod", revision: "default", version: "1.30.5" },
                    { tag: "canary", release: "istiod-1-31", revision: "1-31", version: "1.31.1" },
                ],
            },
        },
        {
            name: "s4",
            istio: { version: "1.30.5", revisions: { versions: ["1.31.1"], stable: "1.31.1" } },
            previous: {
                deployed: true,
                controlPlanes: [
                    { version: "1.30.5", revision: "default", release: "istiod", tags: [] },
                    { version: "1.31.1", revision: "1-31", release: "istiod-1-31", tags: ["stable", "canary"] },
                ],
                revisionTags: [
                    { tag: "stable", release: "istiod-1-31", revision: "1-31", version: "1.31.1" },
                    { tag: "canary", release: "istiod-1-31", revision: "1-31", version: "1.31.1" },
                ],
            },
        },
        { name: "t3", istio: { version: "1.30.5", revisions: promote }, previous: oldStep2 },
    ];
    let run: ComponentRun<Record<string, Istio>>;
    before(async () => {
        run = await runComponents(() => {
            const provider = new k8s.Provider("test-k8s", { kubeconfig: "{}" });
            const nodes = new pulumi.ComponentResource("test:cluster:Nodes", "test-nodes");
            const controller = new pulumi.ComponentResource("test:alb:Controller", "test-controller");
            return Object.fromEntries(
                steps.map((s) => [
                    s.name,
                    new Istio(`${s.name}-istio`, {
                        plan: controlPlanePlan(s.istio, s.previous),
                        production: false,
                        outboundTrafficPolicy: "ALLOW_ANY",
                        statusNodePort: 30085,
                        ports: [{ environment: "dev", port: 8000, nodePort: 30010 }],
                        provider,
                        kubeconfig: "{}",
                        nodes: [nodes],
                        namespaceAfter: [controller],
                        gatewayAfter: [controller],
                    }),
                ]),
            );
        });
    });
    /** The step's tags, istiods and gateway with what each waits for within the component. */
    const graph = (step: string) =>
        run.resources
            .filter((r) => r.parent === `${step}-istio` && /Release|MutatingWebhook/.test(r.type))
            .filter((r) => r.inputs.chart !== "base")
            .map(
                (r) =>
                    `${r.name} ← ${r.dependsOn
                        .filter((d) => /-(istiod|tag|gateway)/.test(d))
                        .sort()
                        .join(", ")}`,
            )
            .sort();
    const waits = (step: string, app: "stable" | "canary") =>
        (run.result[step].injectors[app] ?? []).map((r) => (r as unknown as { __name: string }).__name);

    it("step 1 (istio.version): no tag, no tag provider; a stable namespace waits for the one istiod", () => {
        assert.deepEqual(graph("s1"), ["s1-istio-gateway ← s1-istio-istiod", "s1-istio-istiod ← "]);
        assert.ok(!run.resources.some((r) => r.name === "s1-istio-tags-k8s"));
        assert.deepEqual(waits("s1", "stable"), ["s1-istio-istiod"]);
        assert.deepEqual(waits("s1", "canary"), []);
    });

    it("step 2: each tag after its istiod, the gateway after the stable tag; namespaces wait for tag and istiod", () => {
        assert.deepEqual(graph("s2"), [
            "s2-istio-gateway ← s2-istio-istiod, s2-istio-tag-stable",
            "s2-istio-istiod ← ",
            "s2-istio-istiod-1-31 ← ",
            "s2-istio-tag-canary ← s2-istio-istiod-1-31",
            "s2-istio-tag-stable ← s2-istio-istiod",
        ]);
        assert.deepEqual(waits("s2", "stable"), ["s2-istio-tag-stable", "s2-istio-istiod"]);
        assert.deepEqual(waits("s2", "canary"), ["s2-istio-tag-canary", "s2-istio-istiod-1-31"]);
    });

    it("step 3: stable now after istiod-1-31, which the gateway and the stable namespaces follow", () => {
        assert.deepEqual(graph("s3"), [
            "s3-istio-gateway ← s3-istio-istiod-1-31, s3-istio-tag-stable",
            "s3-istio-istiod ← ",
            "s3-istio-istiod-1-31 ← ",
            "s3-istio-tag-canary ← s3-istio-istiod-1-31",
            "s3-istio-tag-stable ← s3-istio-istiod-1-31",
        ]);
        assert.deepEqual(waits("s3", "stable"), ["s3-istio-tag-stable", "s3-istio-istiod-1-31"]);
    });

    it("step 4: one istiod, carrying stable and default; no canary any more", () => {
        assert.deepEqual(graph("s4"), [
            "s4-istio-gateway ← s4-istio-istiod-1-31, s4-istio-tag-stable",
            "s4-istio-istiod-1-31 ← ",
            "s4-istio-tag-default ← s4-istio-istiod-1-31",
            "s4-istio-tag-stable ← s4-istio-istiod-1-31",
        ]);
        assert.deepEqual(waits("s4", "stable"), ["s4-istio-tag-stable", "s4-istio-istiod-1-31"]);
        assert.deepEqual(waits("s4", "canary"), []);
    });

    it("taking over at step 3: each release that rendered a tag upgrades only after the tag's own resources", () => {
        assert.deepEqual(graph("t3"), [
            "t3-istio-gateway ← t3-istio-istiod-1-31, t3-istio-tag-stable",
            "t3-istio-istiod ← t3-istio-tag-stable, t3-istio-tag-stable-service",
            "t3-istio-istiod-1-31 ← t3-istio-tag-canary, t3-istio-tag-canary-service",
            "t3-istio-tag-canary ← ",
            "t3-istio-tag-stable ← t3-istio-istiod-1-31",
        ]);
        const service = run.one("kubernetes:core/v1:Service", "t3-istio-tag-stable-service");
        assert.deepEqual([...service.dependsOn].sort(), ["t3-istio-istiod-1-31", "t3-istio-namespace"]);
    });

    it("the tags' provider may create over an existing object and take fields over; every other object uses the stack's", () => {
        const provider = run.one("pulumi:providers:kubernetes", "s2-istio-tags-k8s").inputs;
        assert.deepEqual(
            [provider.enableServerSideApply, provider.upsertExistingObjects, provider.enablePatchForce],
            ["true", "true", "true"],
        );
        for (const r of run.resources.filter((r) => r.parent === "s2-istio" && r.type.startsWith("kubernetes:")))
            assert.equal(r.provider, r.name.includes("-tag-") ? "s2-istio-tags-k8s" : "test-k8s", r.name);
    });

    it("istio-system waits for the load balancer controller (and through it the nodes)", () => {
        assert.deepEqual(run.one("kubernetes:core/v1:Namespace", "s1-istio-namespace").dependsOn, ["test-controller"]);
    });
});
