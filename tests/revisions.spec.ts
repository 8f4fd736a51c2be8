// Canary upgrades of Istio by revision: the config rules, and the four steps a user takes (each a
// `pulumi up`), walked under mocks with each step's previous update being the one before. A step
// may create and delete only what it means; the control plane that serves traffic keeps its Pulumi
// name, Helm release name and revision throughout.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv from "ajv";
import { ConfigError, rawConfigFromMap } from "../components/config";
import { parseStackConfig } from "../components/stack";
import { gatewayValues, istioBaseValues, istiodValues } from "../components/manifests/istio";
import {
    controlPlanePlan,
    exportedControlPlanes,
    injectionLabels,
    revisionName,
} from "../components/manifests/revisions";
import { crdFileFor, crdIssues, generatedIstioObjects } from "../components/validation";
import { helmKeyProblems } from "./helmKeys";
import { clusterViolations } from "./lifecycle/cluster";
import { type ProgramRun, ROOT, runProgram, toConfigMap } from "./harness";
import { problemLines } from "./problems";
import { changedPaths } from "./changedPaths";

const REGION = "ap-northeast-1";
const SELF = "organization/eks-istio/dev";

const app = (name: string, extra: Record<string, unknown> = {}) => ({
    name,
    ...extra,
    http: [{ match: [{ uri: { prefix: `/${name}` } }], route: [{ destination: { host: name } }] }],
});

describe("revisions: config rules", () => {
    const cases: { name: string; values: Record<string, unknown>; problems: string[] }[] = [
        {
            name: "version and revisions together",
            values: { istio: { version: "1.30.5", revisions: ["1.30.5", "1.31.1"] } },
            problems: [
                "eks-istio:istio.version: is set together with istio.revisions; set one: istio.version for one control plane, or istio.revisions (and istio.stable) for a canary upgrade",
            ],
        },
        {
            name: "more than two revisions",
            values: { istio: { revisions: ["1.29.2", "1.30.5", "1.31.1"] } },
            problems: [
                "eks-istio:istio.revisions: lists 3 versions; at most 2 control planes run side by side (the one serving and its canary): retire one first",
                "eks-istio:istio.revisions[0]: the program has no reference data for Istio 1.29 (1.29.2): its charts' values, CRDs and supported Kubernetes versions are unchecked; use 1.30.x (newest known 1.30.5, Kubernetes 1.32-1.36), 1.31.x (newest known 1.31.1, Kubernetes 1.32-1.36)",
            ],
        },
        {
            name: "a skew of more than one minor version",
            values: { istio: { revisions: ["1.29.2", "1.31.1"] } },
            problems: [
                "eks-istio:istio.revisions: 1.29.2 and 1.31.1 are more than one minor version apart; Istio supports a canary upgrade across one minor version only (e.g. 1.30 → 1.31): upgrade one minor at a time",
                "eks-istio:istio.revisions[0]: the program has no reference data for Istio 1.29 (1.29.2): its charts' values, CRDs and supported Kubernetes versions are unchecked; use 1.30.x (newest known 1.30.5, Kubernetes 1.32-1.36), 1.31.x (newest known 1.31.1, Kubernetes 1.32-1.36)",
            ],
        },
        {
            name: "another major version",
            values: { istio: { revisions: ["1.31.1", "2.0.0"] } },
            problems: [
                "eks-istio:istio.revisions: 1.31.1 and 2.0.0 are different major versions; Istio supports a canary upgrade across one minor version only (e.g. 1.30 → 1.31): upgrade one minor at a time",
                "eks-istio:istio.revisions[1]: the program has no reference data for Istio 2.0 (2.0.0): its charts' values, CRDs and supported Kubernetes versions are unchecked; use 1.30.x (newest known 1.30.5, Kubernetes 1.32-1.36), 1.31.x (newest known 1.31.1, Kubernetes 1.32-1.36)",
            ],
        },
        {
            name: "another major version with the same minor",
            values: { istio: { revisions: ["1.31.1", "2.31.0"] } },
            problems: [
                "eks-istio:istio.revisions: 1.31.1 and 2.31.0 are different major versions; Istio supports a canary upgrade across one minor version only (e.g. 1.30 → 1.31): upgrade one minor at a time",
                "eks-istio:istio.revisions[1]: the program has no reference data for Istio 2.31 (2.31.0): its charts' values, CRDs and supported Kubernetes versions are unchecked; use 1.30.x (newest known 1.30.5, Kubernetes 1.32-1.36), 1.31.x (newest known 1.31.1, Kubernetes 1.32-1.36)",
            ],
        },
        {
            name: "a malformed revision: only its own problem, no follow-on noise",
            values: { istio: { revisions: ["1.31", "1.30.5"] } },
            problems: ['eks-istio:istio.revisions[0]: must be an Istio release such as "1.31.1"'],
        },
        {
            name: "an empty list of revisions",
            values: { istio: { revisions: [] } },
            problems: [
                'eks-istio:istio.revisions: must list the Istio versions installed side by side, e.g. ["1.30.5", "1.31.1"]',
            ],
        },
        {
            name: "malformed tags",
            values: { istio: { revisions: ["1.30.5", "1.31.1"], stable: "1.30", canary: "1.31" } },
            problems: [
                'eks-istio:istio.stable: must be one of istio.revisions, e.g. "1.30.5"',
                'eks-istio:istio.canary: must be one of istio.revisions, e.g. "1.31.1"',
            ],
        },
        {
            name: "a revision that is no string",
            values: { istio: { revisions: ["1.31.1", 5] } },
            problems: ["eks-istio:istio.revisions[1]: must be a string, got 5"],
        },
        {
            name: "tags that are no strings",
            values: { istio: { revisions: ["1.30.5", "1.31.1"], stable: 5, canary: 7 } },
            problems: [
                "eks-istio:istio.stable: must be a string, got 5",
                "eks-istio:istio.canary: must be a string, got 7",
            ],
        },
        {
            name: "a canary older than the default stable (the first revision)",
            values: { istio: { revisions: ["1.31.1", "1.30.5"], canary: "1.30.5" } },
            problems: [
                "eks-istio:istio.canary: points at 1.30.5, older than stable 1.31.1; the canary tag names the control plane being tried (the newer one), or the stable one once promoted",
            ],
        },
        {
            name: "two patches of one minor",
            values: { istio: { revisions: ["1.30.3", "1.30.5"] } },
            problems: [
                'eks-istio:istio.revisions[1]: "1.30.5" and istio.revisions[0] "1.30.3" are both Istio 1.30; a control plane is named after its minor version and patch upgrades are done in place: keep one of them (the newer patch)',
            ],
        },
        {
            name: "a version listed twice",
            values: { istio: { revisions: ["1.31.1", "1.31.1"] } },
            problems: ['eks-istio:istio.revisions[1]: "1.31.1" is listed twice'],
        },
        {
            name: "a tag pointing at a version not installed",
            values: { istio: { revisions: ["1.30.5", "1.31.1"], stable: "1.30.3", canary: "1.31.2" } },
            problems: [
                "eks-istio:istio.stable: points at 1.30.3, which is not installed (istio.revisions: [1.30.5, 1.31.1]); point it at one of them or add 1.30.3 there",
                "eks-istio:istio.canary: points at 1.31.2, which is not installed (istio.revisions: [1.30.5, 1.31.1]); point it at one of them or add 1.31.2 there",
            ],
        },
        {
            name: "a canary older than stable",
            values: { istio: { revisions: ["1.30.5", "1.31.1"], stable: "1.31.1", canary: "1.30.5" } },
            problems: [
                "eks-istio:istio.canary: points at 1.30.5, older than stable 1.31.1; the canary tag names the control plane being tried (the newer one), or the stable one once promoted",
            ],
        },
        {
            name: "tags without revisions",
            values: { istio: { version: "1.30.5", stable: "1.30.5" } },
            problems: [
                "eks-istio:istio.stable: only applies with istio.revisions (the control planes installed side by side); with istio.version there is one control plane and no tags",
            ],
        },
        {
            name: "an app on a tag that does not exist",
            values: { istio: { revisions: ["1.30.5", "1.31.1"] }, apps: [app("shop", { revision: "canary" })] },
            problems: [
                "eks-istio:apps[0].revision: is canary, but there is no canary tag: set istio.canary to the version to try, or remove the key (the app then follows stable)",
            ],
        },
        {
            name: "an app revision without revisions",
            values: { apps: [app("shop", { revision: "stable" })] },
            problems: [
                "eks-istio:apps[0].revision: only applies with istio.revisions: with istio.version every app runs the one control plane",
            ],
        },
        {
            name: "an app revision that is no tag",
            values: { istio: { revisions: ["1.31.1"] }, apps: [app("shop", { revision: "1.31.1" })] },
            problems: ['eks-istio:apps[0].revision: must be one of "stable", "canary"'],
        },
    ];
    for (const c of cases)
        it(`${c.name}: ${c.problems.length} problem(s), exactly as the user reads them`, () => {
            const got = problemLines(c.values);
            assert.deepEqual(got, c.problems);
        });

    it("accepts the canary step and defaults stable to the first revision", () => {
        const cfg = parseStackConfig({
            stack: "dev",
            region: REGION,
            values: {
                ingress: { port: 8000 },
                istio: { revisions: ["1.30.5", "1.31.1"], canary: "1.31.1" },
                apps: [app("shop", { revision: "canary" }), app("vote")],
            },
        });
        assert.deepEqual(cfg.istio.revisions, { versions: ["1.30.5", "1.31.1"], stable: "1.30.5", canary: "1.31.1" });
        assert.equal(cfg.istio.version, "1.30.5", "istio.version is the stable one");
        assert.deepEqual(
            cfg.apps.map((a) => a.revision),
            ["canary", "stable"],
        );
    });

    it("promote and retire: istio.version follows the stable tag, then the one revision left", () => {
        const parse = (istio: Record<string, unknown>) =>
            parseStackConfig({ stack: "dev", region: REGION, values: { ingress: { port: 8000 }, istio } }).istio;
        const promoted = parse({ revisions: ["1.30.5", "1.31.1"], stable: "1.31.1", canary: "1.31.1" });
        assert.equal(promoted.version, "1.31.1");
        assert.deepEqual(promoted.revisions, { versions: ["1.30.5", "1.31.1"], stable: "1.31.1", canary: "1.31.1" });
        const retired = parse({ revisions: ["1.31.1"] });
        assert.equal(retired.version, "1.31.1");
        assert.deepEqual(retired.revisions, { versions: ["1.31.1"], stable: "1.31.1" });
    });

    it("revision names carry the minor version only", () => {
        assert.equal(revisionName("1.31.1"), "1-31");
        assert.equal(revisionName("1.9.12"), "1-9");
    });
});

// The user's four steps (README "Upgrading Istio"), on a stack that ran istio.version before.
const STEPS: { name: string; istio: Record<string, unknown>; shop?: string }[] = [
    { name: "1 today", istio: { version: "1.30.5" } },
    {
        name: "2 canary",
        istio: { revisions: ["1.30.5", "1.31.1"], stable: "1.30.5", canary: "1.31.1" },
        shop: "canary",
    },
    {
        name: "3 promote",
        istio: { revisions: ["1.30.5", "1.31.1"], stable: "1.31.1", canary: "1.31.1" },
        shop: "canary",
    },
    { name: "4 retire", istio: { revisions: ["1.31.1"] } },
];

function stepConfig(istio: Record<string, unknown>, shop?: string): Record<string, string> {
    return toConfigMap({
        "aws:region": REGION,
        "eks-istio:ingress": { port: 8000 },
        "eks-istio:istio": istio,
        "eks-istio:apps": [app("shop", shop ? { revision: shop } : {}), app("vote")],
    });
}

/** The outputs the next update reads back from this one (secrets unwrapped, as the engine serves them). */
function exported(run: ProgramRun): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(run.outputs).map(([k, v]) => [k, v && typeof v === "object" && "secret" in v ? v.secret : v]),
    );
}

const ids = (run: ProgramRun) => new Set(run.resources.map((r) => `${r.type}::${r.name}`));
const diff = (a: Set<string>, b: Set<string>) => [...b].filter((x) => !a.has(x)).sort();
const RELEASE = "kubernetes:helm.sh/v3:Release";

/** Each istiod as the cluster would see it: Pulumi name, Helm release, chart version, revision, what it waits for. */
function istiods(run: ProgramRun) {
    return run
        .ofType(RELEASE)
        .filter((r) => r.inputs.chart === "istiod")
        .map((r) => ({
            resource: r.name,
            release: r.inputs.name,
            version: r.inputs.version,
            revision: r.inputs.values.revision,
            rendersTags: r.inputs.values.revisionTags,
            waitsFor: [...r.dependsOn].sort(),
        }))
        .sort((a, b) => a.resource.localeCompare(b.resource));
}

const WEBHOOK = "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration";
const SERVICE = "kubernetes:core/v1:Service";

/** Each tag's webhook: Pulumi name, object name, the istiod Service it calls and revision label, what it waits for. */
function tagWebhooks(run: ProgramRun) {
    return run
        .ofType(WEBHOOK)
        .map((r) => ({
            resource: r.name,
            name: r.inputs.metadata.name,
            calls: [...new Set(r.inputs.webhooks.map((w: any) => w.clientConfig.service.name))],
            revision: r.inputs.metadata.labels["istio.io/rev"],
            waitsFor: [...r.dependsOn].sort(),
        }))
        .sort((a, b) => a.resource.localeCompare(b.resource));
}

const namespaceWaits = (run: ProgramRun, app: string) =>
    [...run.one("kubernetes:core/v1:Namespace", `dev-edge-${app}-namespace`).dependsOn].sort();

describe("revisions: the four steps of a canary upgrade, each a pulumi up", () => {
    const runs: ProgramRun[] = [];
    before(async function () {
        // Four whole-stack evaluations, one after the other (each reads the one before).
        this.timeout(120_000);
        // Before step 1 the stack was deployed by an eks-istio without revisions: outputs, but no control planes.
        let previous: Record<string, unknown> = { clusterName: "eks-istio-dev" };
        for (const step of STEPS) {
            const run = await runProgram("dev", stepConfig(step.istio, step.shop), { [SELF]: previous });
            runs.push(run);
            previous = exported(run);
        }
    });

    it("the lifecycle model finds no order of any step that a real cluster would refuse", () => {
        for (const [i, run] of runs.entries())
            assert.deepEqual(clusterViolations(run.resources), [], `step ${STEPS[i].name}`);
    });

    it("step 1 (istio.version) is one unrevisioned istiod, as before revisions existed, and no tag", () => {
        assert.deepEqual(istiods(runs[0]), [
            {
                resource: "dev-istio-istiod",
                release: "istiod",
                version: "1.30.5",
                revision: undefined,
                rendersTags: undefined,
                waitsFor: ["dev-cluster-nodes", "dev-istio-base"],
            },
        ]);
        assert.deepEqual(tagWebhooks(runs[0]), []);
        const ns = runs[0].one("kubernetes:core/v1:Namespace", "dev-edge-shop-namespace").inputs.metadata.labels;
        assert.equal(ns["istio-injection"], "enabled");
        assert.equal(ns["istio.io/rev"], undefined);
        // The one istiod's own webhook takes istio-injection=enabled: the namespace waits for it.
        assert.deepEqual(namespaceWaits(runs[0], "shop"), [
            "dev-alb-controller-release",
            "dev-cluster-nodes",
            "dev-istio-istiod",
        ]);
        assert.deepEqual(runs[0].outputs.istioRevisionTags, []);
    });

    it("step 2 creates the 1.31 istiod and the two tags (webhook, Service, their provider), and deletes nothing", () => {
        assert.deepEqual(diff(ids(runs[0]), ids(runs[1])), [
            `${WEBHOOK}::dev-istio-tag-canary`,
            `${WEBHOOK}::dev-istio-tag-stable`,
            `${SERVICE}::dev-istio-tag-canary-service`,
            `${SERVICE}::dev-istio-tag-stable-service`,
            `${RELEASE}::dev-istio-istiod-1-31`,
            "pulumi:providers:kubernetes::dev-istio-tags-k8s",
        ]);
        assert.deepEqual(diff(ids(runs[1]), ids(runs[0])), []);
    });

    it("step 2: the running istiod keeps its names and revision; no release renders a tag or waits for the other", () => {
        assert.deepEqual(istiods(runs[1]), [
            {
                resource: "dev-istio-istiod",
                release: "istiod",
                version: "1.30.5",
                revision: undefined,
                rendersTags: undefined,
                waitsFor: ["dev-cluster-nodes", "dev-istio-base"],
            },
            {
                resource: "dev-istio-istiod-1-31",
                release: "istiod-1-31",
                version: "1.31.1",
                revision: "1-31",
                rendersTags: undefined,
                waitsFor: ["dev-cluster-nodes", "dev-istio-base"],
            },
        ]);
    });

    it("step 2: each tag is a webhook of its own, after the istiod it points at", () => {
        assert.deepEqual(tagWebhooks(runs[1]), [
            {
                resource: "dev-istio-tag-canary",
                name: "istio-revision-tag-canary",
                calls: ["istiod-1-31"],
                revision: "1-31",
                waitsFor: ["dev-istio-istiod-1-31"],
            },
            {
                resource: "dev-istio-tag-stable",
                name: "istio-revision-tag-stable",
                calls: ["istiod"],
                revision: "default",
                waitsFor: ["dev-istio-istiod"],
            },
        ]);
    });

    it("step 2: only the namespace labelled canary moves; the others follow stable; no istio-injection label", () => {
        const labels = (app: string) =>
            runs[1].one("kubernetes:core/v1:Namespace", `dev-edge-${app}-namespace`).inputs.metadata.labels;
        assert.equal(labels("shop")["istio.io/rev"], "canary");
        assert.equal(labels("vote")["istio.io/rev"], "stable");
        assert.equal(labels("shop")["istio-injection"], undefined);
        assert.equal(labels("vote")["istio-injection"], undefined);
    });

    it("each app namespace waits for the tag webhook it selects and the istiod behind it (and the controller and nodes)", () => {
        const waits = (i: number) => ({ shop: namespaceWaits(runs[i], "shop"), vote: namespaceWaits(runs[i], "vote") });
        const after = ["dev-alb-controller-release", "dev-cluster-nodes"];
        assert.deepEqual(waits(1), {
            shop: [...after, "dev-istio-istiod-1-31", "dev-istio-tag-canary"],
            vote: [...after, "dev-istio-istiod", "dev-istio-tag-stable"],
        });
        assert.deepEqual(waits(2), {
            shop: [...after, "dev-istio-istiod-1-31", "dev-istio-tag-canary"],
            vote: [...after, "dev-istio-istiod-1-31", "dev-istio-tag-stable"],
        });
        assert.deepEqual(waits(3), {
            shop: [...after, "dev-istio-istiod-1-31", "dev-istio-tag-stable"],
            vote: [...after, "dev-istio-istiod-1-31", "dev-istio-tag-stable"],
        });
    });

    it("base comes from the newest version installed, its default revision follows stable", () => {
        const base = runs.map((r) => r.one(RELEASE, "dev-istio-base").inputs);
        assert.deepEqual(
            base.map((b) => [b.version, b.values.defaultRevision]),
            [
                ["1.30.5", "default"],
                ["1.31.1", "default"],
                ["1.31.1", "1-31"],
                ["1.31.1", "1-31"],
            ],
        );
    });

    it("the gateway follows stable: its revision tag, and the stable version's chart, rolling when stable moves", () => {
        const gw = runs.map((r) => r.one(RELEASE, "dev-istio-gateway").inputs);
        assert.deepEqual(
            gw.map((g) => [g.version, g.values.revision, g.values.podAnnotations?.["eks-istio/control-plane"]]),
            [
                ["1.30.5", undefined, undefined],
                ["1.30.5", "stable", "1.30.5"],
                ["1.31.1", "stable", "1.31.1"],
                ["1.31.1", "stable", "1.31.1"],
            ],
        );
        // Its pods are injected through the stable tag's webhook: it waits for that and its istiod.
        const waits = (i: number) =>
            runs[i].one(RELEASE, "dev-istio-gateway").dependsOn.filter((d) => d.startsWith("dev-istio-"));
        assert.deepEqual(waits(0), ["dev-istio-istiod"]);
        assert.deepEqual(waits(1), ["dev-istio-tag-stable", "dev-istio-istiod"]);
        assert.deepEqual(waits(2), ["dev-istio-tag-stable", "dev-istio-istiod-1-31"]);
    });

    it("step 3 creates and deletes nothing: the stable tag keeps its resource and object, updated in place", () => {
        assert.deepEqual(diff(ids(runs[1]), ids(runs[2])), []);
        assert.deepEqual(diff(ids(runs[2]), ids(runs[1])), []);
        assert.deepEqual(
            tagWebhooks(runs[2]).map((t) => [t.resource, t.name, t.calls, t.waitsFor]),
            [
                ["dev-istio-tag-canary", "istio-revision-tag-canary", ["istiod-1-31"], ["dev-istio-istiod-1-31"]],
                ["dev-istio-tag-stable", "istio-revision-tag-stable", ["istiod-1-31"], ["dev-istio-istiod-1-31"]],
            ],
        );
        // What changes is what names the control plane: the istiod Service called, the revision,
        // the release and chart labels; the Service's selector likewise. Nothing Kubernetes replaces.
        const inputs = (i: number, type: string, name: string) => runs[i].one(type, name).inputs;
        assert.deepEqual(
            changedPaths(inputs(1, WEBHOOK, "dev-istio-tag-stable"), inputs(2, WEBHOOK, "dev-istio-tag-stable")),
            [
                "metadata.labels.app.kubernetes.io/instance",
                "metadata.labels.app.kubernetes.io/version",
                "metadata.labels.helm.sh/chart",
                "metadata.labels.istio.io/rev",
                "metadata.labels.release",
                "webhooks.0.clientConfig.service.name",
                "webhooks.1.clientConfig.service.name",
            ],
        );
        assert.deepEqual(
            changedPaths(
                inputs(1, SERVICE, "dev-istio-tag-stable-service"),
                inputs(2, SERVICE, "dev-istio-tag-stable-service"),
            ),
            [
                "metadata.labels.app.kubernetes.io/instance",
                "metadata.labels.app.kubernetes.io/version",
                "metadata.labels.helm.sh/chart",
                "metadata.labels.istio.io/rev",
                "metadata.labels.release",
                "spec.selector.istio",
                "spec.selector.istio.io/rev",
            ],
        );
        assert.deepEqual(
            istiods(runs[2]).map((i) => [i.resource, i.waitsFor]),
            [
                ["dev-istio-istiod", ["dev-cluster-nodes", "dev-istio-base"]],
                ["dev-istio-istiod-1-31", ["dev-cluster-nodes", "dev-istio-base"]],
            ],
        );
    });

    it("step 4 deletes the 1.30 istiod and the canary tag; the 1.31 istiod keeps its names, stable its resource, and default is added", () => {
        assert.deepEqual(diff(ids(runs[2]), ids(runs[3])), [
            `${WEBHOOK}::dev-istio-tag-default`,
            `${SERVICE}::dev-istio-tag-default-service`,
        ]);
        assert.deepEqual(diff(ids(runs[3]), ids(runs[2])), [
            `${WEBHOOK}::dev-istio-tag-canary`,
            `${SERVICE}::dev-istio-tag-canary-service`,
            `${RELEASE}::dev-istio-istiod`,
        ]);
        assert.deepEqual(istiods(runs[3]), [
            {
                resource: "dev-istio-istiod-1-31",
                release: "istiod-1-31",
                version: "1.31.1",
                revision: "1-31",
                rendersTags: undefined,
                waitsFor: ["dev-cluster-nodes", "dev-istio-base"],
            },
        ]);
        assert.deepEqual(
            tagWebhooks(runs[3]).map((t) => [t.name, t.calls]),
            [
                ["istio-revision-tag-default", ["istiod-1-31"]],
                ["istio-revision-tag-stable", ["istiod-1-31"]],
            ],
        );
        assert.deepEqual(runs[3].outputs.istioRevisionTags, [
            { tag: "stable", release: "istiod-1-31", revision: "1-31", version: "1.31.1" },
            { tag: "default", release: "istiod-1-31", revision: "1-31", version: "1.31.1" },
        ]);
    });

    it("Istio objects wait for every installed istiod", () => {
        const vs = runs[1].one("kubernetes:networking.istio.io/v1:VirtualService", "dev-edge-shop-vs");
        assert.deepEqual([...vs.dependsOn].sort(), [
            "dev-edge-shop-namespace",
            "dev-istio-istiod",
            "dev-istio-istiod-1-31",
        ]);
    });

    it("rolling back (stable back to 1.30.5) is step 2 again: same resources, the stable tag moved back in place", async () => {
        const back = await runProgram("dev", stepConfig(STEPS[1].istio, "canary"), { [SELF]: exported(runs[2]) });
        assert.deepEqual(diff(ids(runs[2]), ids(back)), []);
        assert.deepEqual(diff(ids(back), ids(runs[2])), []);
        assert.deepEqual(tagWebhooks(back), tagWebhooks(runs[1]));
        assert.deepEqual(clusterViolations(back.resources), []);
    });

    it("refuses a step that deletes the control plane still serving stable, before creating anything", async () => {
        await assert.rejects(
            runProgram("dev", stepConfig({ revisions: ["1.30.5"] }), { [SELF]: exported(runs[2]) }),
            (e: unknown) => {
                assert.ok(e instanceof ConfigError);
                assert.deepEqual(
                    e.problems.map((p) => `${p.path}: ${p.message}`),
                    [
                        "eks-istio:istio.revisions: would delete istiod-1-31 (Istio 1.31.1), which the stable tag still points to: every app namespace and the ingress gateway run on it. First set istio.stable to 1.30.5 and run pulumi up, restart the workloads, then retire 1.31.1",
                    ],
                );
                return true;
            },
        );
    });

    it("refuses going back to istio.version once control planes are revisioned", async () => {
        await assert.rejects(
            runProgram("dev", stepConfig({ version: "1.31.1" }), { [SELF]: exported(runs[3]) }),
            (e: unknown) =>
                e instanceof ConfigError &&
                e.problems[0].message ===
                    "this stack runs revisioned control planes (istiod-1-31 1.31.1); going back to istio.version would reinstall the control plane that serves traffic. Keep istio.revisions: [1.31.1]",
        );
    });
});

describe("revisions: a stack created with revisions", () => {
    it("names every control plane after its minor version; the stable one takes the default tag", () => {
        const plan = controlPlanePlan(
            { version: "1.30.5", revisions: { versions: ["1.30.5", "1.31.1"], stable: "1.30.5", canary: "1.31.1" } },
            { deployed: false },
        );
        assert.deepEqual(
            plan.planes.map((p) => [p.release, p.revision, p.tags]),
            [
                ["istiod-1-30", "1-30", ["stable", "default"]],
                ["istiod-1-31", "1-31", ["canary"]],
            ],
        );
        assert.deepEqual(plan.base, { version: "1.31.1", defaultRevision: "1-30" });
        assert.deepEqual(plan.gateway, { version: "1.30.5", revision: "stable" }, "the gateway follows stable");
        assert.deepEqual(exportedControlPlanes(plan), [
            { version: "1.30.5", revision: "1-30", release: "istiod-1-30", tags: ["stable", "default"] },
            { version: "1.31.1", revision: "1-31", release: "istiod-1-31", tags: ["canary"] },
        ]);
    });

    it("istio.version installs one unrevisioned istiod with no tags: its own webhook injects", () => {
        const plan = controlPlanePlan({ version: "1.30.5" }, { deployed: false });
        assert.deepEqual(plan.planes, [
            { version: "1.30.5", revision: "default", release: "istiod", resourceSuffix: "istiod", tags: [] },
        ]);
        assert.deepEqual(plan.gateway, { version: "1.30.5" });
    });

    it("an app namespace selects its control plane by tag with revisions, by istio-injection without", () => {
        const revisions = { versions: ["1.30.5", "1.31.1"], stable: "1.30.5", canary: "1.31.1" };
        assert.deepEqual(injectionLabels(revisions, "canary"), { "istio.io/rev": "canary" });
        assert.deepEqual(injectionLabels(revisions, "stable"), { "istio.io/rev": "stable" });
        assert.deepEqual(injectionLabels(undefined, "stable"), { "istio-injection": "enabled" });
    });

    it("a patch upgrade of a revision is in place: same release, new chart version", () => {
        const planes = (v: string) =>
            controlPlanePlan(
                { version: v, revisions: { versions: [v], stable: v } },
                {
                    deployed: true,
                    controlPlanes: [{ version: "1.31.1", revision: "1-31", release: "istiod-1-31", tags: ["stable"] }],
                },
            ).planes.map((p) => [p.release, p.version]);
        assert.deepEqual(planes("1.31.2"), [["istiod-1-31", "1.31.2"]]);
    });
});

describe("revisions: what the previous update left decides the names", () => {
    const canary = { versions: ["1.30.5", "1.31.1"], stable: "1.30.5", canary: "1.31.1" };

    it("istio.version exports its one istiod as serving stable", () => {
        const plan = controlPlanePlan({ version: "1.30.5" }, { deployed: false });
        assert.deepEqual(exportedControlPlanes(plan), [
            { version: "1.30.5", revision: "default", release: "istiod", tags: ["stable"] },
        ]);
    });

    it("a stack deployed before control planes were exported ran istio.version: its oldest revision keeps istiod", () => {
        const plan = controlPlanePlan(
            { version: "1.30.5", revisions: { ...canary, versions: ["1.31.1", "1.30.5"] } },
            { deployed: true },
        );
        assert.deepEqual(
            plan.planes.map((p) => [p.version, p.release, p.revision]),
            [
                ["1.31.1", "istiod-1-31", "1-31"],
                ["1.30.5", "istiod", "default"],
            ],
        );
        assert.deepEqual(
            plan.base,
            { version: "1.31.1", defaultRevision: "default" },
            "base from the newest, listed first",
        );
        assert.deepEqual(plan.problems, []);
    });

    it("such a stack listing one revision keeps its istiod and upgrades it in place (its version was never exported)", () => {
        const plan = controlPlanePlan(
            { version: "1.31.1", revisions: { versions: ["1.31.1"], stable: "1.31.1" } },
            { deployed: true },
        );
        assert.deepEqual(
            plan.planes.map((p) => [p.version, p.release, p.revision, p.tags]),
            [["1.31.1", "istiod", "default", ["stable"]]],
        );
        assert.deepEqual(plan.problems, []);
    });

    it("going back to istio.version names every revisioned control plane and the key", () => {
        const plan = controlPlanePlan(
            { version: "1.31.1" },
            {
                deployed: true,
                controlPlanes: [
                    { version: "1.30.5", revision: "1-30", release: "istiod-1-30", tags: [] },
                    { version: "1.31.1", revision: "1-31", release: "istiod-1-31", tags: ["stable"] },
                ],
            },
        );
        assert.deepEqual(plan.problems, [
            {
                at: "istio.version",
                message:
                    "this stack runs revisioned control planes (istiod-1-30 1.30.5, istiod-1-31 1.31.1); going back to istio.version would reinstall the control plane that serves traffic. Keep istio.revisions: [1.30.5, 1.31.1]",
            },
        ]);
    });
});

describe("revisions: Helm values of both versions exist in their own charts", () => {
    const chart = (name: string) => path.join(ROOT, "tests/fixtures/charts", name);
    const gatewaySchema = (minor: string) =>
        new Ajv({ strict: false, allErrors: true, validateSchema: false }).compile(
            JSON.parse(fs.readFileSync(chart(`istio-gateway-${minor}.values.schema.json`), "utf8")),
        );
    const files = { "1.30": "1.30.3", "1.31": "1.31" };
    const gw = gatewayValues({
        production: false,
        statusNodePort: 30021,
        ports: [{ environment: "dev", port: 8000, nodePort: 30080 }],
        revision: "stable",
        controlPlaneVersion: "1.31.1",
    });
    const istiod = istiodValues({ production: false, revision: { revision: "1-31" } });
    for (const [minor, file] of Object.entries(files)) {
        it(`Istio ${minor}: istiod with its revision`, () =>
            assert.deepEqual(
                helmKeyProblems(istiod, chart(`istio-istiod-${file}.values.yaml`), {
                    freeForm: ["meshConfig"],
                    // Documented in a comment of the chart's values.yaml.
                    documented: ["pdb.maxUnavailable"],
                }),
                [],
            ));
        it(`Istio ${minor}: base with its default revision`, () =>
            assert.deepEqual(helmKeyProblems(istioBaseValues("1-31"), chart(`istio-base-${file}.values.yaml`)), []));
        it(`Istio ${minor}: gateway with its revision, against values.yaml and values.schema.json`, () => {
            assert.deepEqual(
                helmKeyProblems(gw, chart(`istio-gateway-${file}.values.yaml`), { freeForm: ["podAnnotations"] }),
                [],
            );
            const validate = gatewaySchema(file);
            assert.equal(validate(gw), true, JSON.stringify(validate.errors));
        });
    }
});

describe("revisions: objects pass the CRDs of both versions installed", () => {
    it("every Istio object of the canary step is valid under Istio 1.30's and 1.31's CRD files", () => {
        const cfg = parseStackConfig(rawConfigFromMap("dev", stepConfig(STEPS[1].istio, "canary")));
        const files = [crdFileFor("1.30.5"), crdFileFor("1.31.1")];
        assert.notEqual(files[0], files[1], "two CRD files are consulted");
        const objects = generatedIstioObjects(cfg).map((g) => g.object);
        assert.ok(objects.length >= 4, objects.map((o) => o.kind).join(", "));
        for (const file of files)
            for (const o of objects)
                assert.deepEqual(crdIssues(o, file), [], `${o.kind} ${o.metadata.name} in ${file}`);
    });
});
