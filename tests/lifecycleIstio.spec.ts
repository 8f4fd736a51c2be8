// The lifecycle model's two rules about namespaces (tests/lifecycle/): each workload labelled for
// sidecar injection is injected by a webhook that exists before it (with the istiod behind it),
// and each namespace goes on destroy while the load balancer controller and the nodes still run.
// Both hold on every stack file (lifecycle.spec.ts); here each is broken on purpose, on the graphs
// of the canary steps and of the shipped stacks, and must be named in a sentence.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { type RecordedResource, resourceKey, ROOT, runProgram, runStackFile, stackFileConfig } from "./harness";
import { clusterViolations, type Violation } from "./lifecycle/cluster";
import { lifecycleOf } from "./lifecycle/model";

const CANARY = "examples/istio-canary/Pulumi.dev.yaml";
const PROMOTE = "examples/istio-promote/Pulumi.dev.yaml";
const WEBHOOK = "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration";

const graphOf = async (file: string): Promise<RecordedResource[]> =>
    // Recorded inputs are plain data apart from the odd function in SDK internals, which JSON drops.
    JSON.parse(JSON.stringify((await runStackFile(path.join(ROOT, file))).resources));
const named = (rs: RecordedResource[], name: string) => rs.find((r) => r.name === name)!;
const only = (rule: Violation["rule"], vs: Violation[]) => vs.filter((v) => v.rule === rule).map((v) => v.message);

/**
 * The graph as an eks-istio that kept revision tags inside the istiod releases registered it: each
 * release renders its tags (values.revisionTags), there is no tag resource, and an app namespace
 * waits for no injector (the controller and the nodes are kept, to isolate the tags).
 */
function tagsInReleases(rs: RecordedResource[], rendered: Record<string, string[]>): RecordedResource[] {
    const gone = new Set(rs.filter((r) => r.name.startsWith("dev-istio-tag")).map((r) => resourceKey(r)));
    const kept = rs.filter((r) => !gone.has(resourceKey(r)));
    for (const r of kept) {
        r.graph.dependsOn = r.graph.dependsOn.filter((d) => !gone.has(d));
        if (r.type === "kubernetes:core/v1:Namespace" && r.name.startsWith("dev-edge-"))
            r.graph.dependsOn = r.graph.dependsOn.filter((d) => !d.includes("dev-istio-"));
    }
    for (const [release, tags] of Object.entries(rendered)) named(kept, release).inputs.values.revisionTags = tags;
    return kept;
}

describe("lifecycle model: sidecar injection at each canary step", () => {
    it("step 2 (examples/istio-canary) with the tags back inside the istiod releases: each fault named", async () => {
        const rs = tagsInReleases(await graphOf(CANARY), {
            "dev-istio-istiod": ["stable"],
            "dev-istio-istiod-1-31": ["canary"],
        });
        assert.deepEqual(only("injection", clusterViolations(rs)), [
            "dev-istio-istiod renders revision tag stable's webhook istio-revision-tag-stable itself (values.revisionTags): when the tag moves to another release, Helm deletes it before that release recreates it, and pods created in between start without a sidecar",
            "dev-istio-istiod-1-31 renders revision tag canary's webhook istio-revision-tag-canary itself (values.revisionTags): when the tag moves to another release, Helm deletes it before that release recreates it, and pods created in between start without a sidecar",
            "namespace shop (istio.io/rev=canary) may be created before istio-revision-tag-canary (dev-istio-istiod-1-31) exists: its pods would start without a sidecar",
            "namespace vote (istio.io/rev=stable) may be created before istio-revision-tag-stable (dev-istio-istiod) exists: its pods would start without a sidecar",
        ]);
        assert.deepEqual(
            clusterViolations(rs).filter((v) => v.rule !== "injection"),
            [],
            "nothing else is wrong with that graph",
        );
    });

    it("step 3 (examples/istio-promote) with the tags back inside the 1.31 release: named the same way", async () => {
        const rs = tagsInReleases(await graphOf(PROMOTE), { "dev-istio-istiod-1-31": ["stable", "canary"] });
        assert.deepEqual(only("injection", clusterViolations(rs)), [
            "dev-istio-istiod-1-31 renders revision tag canary's webhook istio-revision-tag-canary itself (values.revisionTags): when the tag moves to another release, Helm deletes it before that release recreates it, and pods created in between start without a sidecar",
            "dev-istio-istiod-1-31 renders revision tag stable's webhook istio-revision-tag-stable itself (values.revisionTags): when the tag moves to another release, Helm deletes it before that release recreates it, and pods created in between start without a sidecar",
            "namespace shop (istio.io/rev=canary) may be created before istio-revision-tag-canary (dev-istio-istiod-1-31) exists: its pods would start without a sidecar",
            "namespace vote (istio.io/rev=stable) may be created before istio-revision-tag-stable (dev-istio-istiod-1-31) exists: its pods would start without a sidecar",
        ]);
    });

    it("a namespace relabelled before its tag's webhook exists (step 2 without the namespace's dependsOn)", async () => {
        const rs = await graphOf(CANARY);
        const shop = named(rs, "dev-edge-shop-namespace");
        shop.graph.dependsOn = shop.graph.dependsOn.filter((d) => !d.includes("dev-istio-"));
        assert.deepEqual(only("injection", clusterViolations(rs)), [
            "namespace shop (istio.io/rev=canary) may be created before istio-revision-tag-canary (dev-istio-tag-canary, dev-istio-istiod-1-31) exists: its pods would start without a sidecar",
        ]);
    });

    it("the gateway started before the stable tag's webhook", async () => {
        const rs = await graphOf(PROMOTE);
        const gateway = named(rs, "dev-istio-gateway");
        gateway.graph.dependsOn = gateway.graph.dependsOn.filter((d) => !d.includes("dev-istio-"));
        assert.deepEqual(only("injection", clusterViolations(rs)), [
            "dev-istio-gateway's pods (istio.io/rev=stable) may be created before istio-revision-tag-stable (dev-istio-tag-stable, dev-istio-istiod-1-31) exists: its pods would start without a sidecar",
        ]);
    });

    it("a tag's webhook calling an istiod no release serves, and a namespace no webhook selects", async () => {
        const rs = await graphOf(CANARY);
        for (const w of named(rs, "dev-istio-tag-canary").inputs.webhooks) w.clientConfig.service.name = "istiod-1-32";
        named(rs, "dev-edge-vote-namespace").inputs.metadata.labels["istio.io/rev"] = "beta";
        assert.deepEqual(only("injection", clusterViolations(rs)), [
            "istio-revision-tag-canary (dev-istio-tag-canary) calls an istiod Service that no istiod release of the stack serves: every pod it selects is refused",
            "namespace vote (istio.io/rev=beta): no injection webhook of the stack selects it, so its pods start without a sidecar",
        ]);
    });

    it("istio.version (the dev stack): an app namespace waits for the one istiod, whose own webhook injects it", async () => {
        const rs = await graphOf("Pulumi.dev.yaml");
        const ns = named(rs, "dev-edge-vote-dog-cat-namespace");
        assert.ok(ns.graph.dependsOn.includes("kubernetes:helm.sh/v3:Release::dev-istio-istiod"));
        ns.graph.dependsOn = ns.graph.dependsOn.filter((d) => !d.includes("dev-istio-"));
        assert.deepEqual(only("injection", clusterViolations(rs)), [
            "namespace vote-dog-cat (istio-injection=enabled) may be created before istio-sidecar-injector (dev-istio-istiod) exists: its pods would start without a sidecar",
        ]);
    });

    it("taking the tags over from an earlier eks-istio at step 3: no order breaks injection or anything else", async () => {
        // Step 2 as that eks-istio exported it: control planes with their tags, no istioRevisionTags.
        const previous = parse(
            fs.readFileSync(path.join(ROOT, "examples/istio-promote/Pulumi.dev.outputs.yaml"), "utf8"),
        );
        delete previous.istioRevisionTags;
        const run = await runProgram("dev", stackFileConfig(path.join(ROOT, PROMOTE)), {
            "organization/eks-istio/dev": previous,
        });
        assert.deepEqual(clusterViolations(run.resources), []);
        // The 1.30 release, which rendered stable, upgrades (dropping it) only after the tag's own
        // resources carry helm.sh/resource-policy: keep.
        const lc = lifecycleOf(run.resources);
        for (const tag of ["dev-istio-tag-stable", "dev-istio-tag-stable-service"])
            assert.ok(
                lc.before(
                    `${tag.endsWith("service") ? "kubernetes:core/v1:Service" : WEBHOOK}::${tag}`,
                    "kubernetes:helm.sh/v3:Release::dev-istio-istiod",
                ),
                tag,
            );
    });
});

describe("lifecycle model: namespaces go while the load balancer controller runs", () => {
    it("an app namespace that waits for nothing (as before): the controller and the nodes named", async () => {
        const rs = await graphOf("Pulumi.dev.yaml");
        named(rs, "dev-edge-vote-dog-cat-namespace").graph.dependsOn = [];
        assert.deepEqual(only("finalizers", clusterViolations(rs)), [
            "dev-edge-vote-dog-cat-namespace may outlive dev-alb-controller-release on destroy: nothing clears the finalizers of the Ingresses, TargetGroupBindings and LoadBalancer Services in namespace vote-dog-cat, so the namespace hangs and its ALBs leak",
            "dev-edge-vote-dog-cat-namespace may outlive dev-cluster-nodes on destroy: with the controller's pods gone, nothing clears the finalizers of the Ingresses, TargetGroupBindings and LoadBalancer Services in namespace vote-dog-cat",
        ]);
    });

    it("the add-ons' namespace (examples/observability) that waits for nothing", async () => {
        const rs = await graphOf("examples/observability/Pulumi.dev.yaml");
        named(rs, "dev-observability-namespace").graph.dependsOn = [];
        assert.deepEqual(only("finalizers", clusterViolations(rs)), [
            "dev-observability-namespace may outlive dev-alb-controller-release on destroy: nothing clears the finalizers of the Ingresses, TargetGroupBindings and LoadBalancer Services in namespace observability, so the namespace hangs and its ALBs leak",
            "dev-observability-namespace may outlive dev-cluster-nodes on destroy: with the controller's pods gone, nothing clears the finalizers of the Ingresses, TargetGroupBindings and LoadBalancer Services in namespace observability",
        ]);
    });

    it("an attached stack has no controller or nodes of its own: its namespaces rely on the owner's, destroyed after it", async () => {
        const rs = await graphOf("examples/shared/Pulumi.dev.yaml");
        const types = new Set(rs.map((r) => r.type));
        assert.ok(types.has("kubernetes:core/v1:Namespace"));
        assert.ok(!rs.some((r) => r.inputs.chart === "aws-load-balancer-controller"));
        assert.ok(!types.has("eks:index:ManagedNodeGroup"));
        assert.deepEqual(clusterViolations(rs), []);
    });
});
