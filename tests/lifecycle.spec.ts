// The lifecycle model (tests/lifecycle/): the orders in which the Pulumi engine may create and
// delete a stack's resources, and the invariants a real cluster imposes on them (DESIGN.md, "What a
// real cluster asks"), on every stack file the project ships, on configs across the switches that
// change the graph, and on deliberately broken graphs that must fail for the right reasons.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { type RecordedResource, ROOT, runProgram, runStackFile } from "./harness";
import { allowedDisruptions, clusterViolations, type Violation } from "./lifecycle/cluster";
import { createOrders, lifecycleOf } from "./lifecycle/model";
import { configOf, SWITCH_RUNS, SWITCHES } from "./switchConfigs";

type Graph = Partial<RecordedResource["graph"]>;
const res = (type: string, name: string, graph: Graph = {}, inputs: Record<string, any> = {}): RecordedResource => ({
    type,
    name,
    inputs,
    dependsOn: [],
    protect: false,
    graph: { kind: "custom", dependsOn: [], inputs: [], ...graph },
});

describe("lifecycle model: the engine's orders", () => {
    // A component C with children a (custom) and r (remote); x depends on C; p is a provider y uses;
    // z reads an output of y; w is a child of C's sibling component with nothing to wait for.
    const resources = [
        res("t:C", "C", { kind: "component" }),
        res("t:a", "a", { parent: "t:C::C" }),
        res("t:r", "r", { kind: "remote", parent: "t:C::C" }),
        res("t:x", "x", { dependsOn: ["t:C::C"] }),
        res("pulumi:providers:k", "p", { inputs: ["t:a::a"] }),
        res("t:y", "y", { provider: "pulumi:providers:k::p" }),
        res("t:z", "z", { inputs: ["t:y::y"] }),
        res("t:D", "D", { kind: "component", dependsOn: ["t:x::x"] }),
        res("t:w", "w", { parent: "t:D::D" }),
    ];
    const lc = lifecycleOf(resources);

    it("waits for a component's children when it depends on the component, and for providers and inputs", () => {
        const waits = Object.fromEntries([...lc.steps.values()].map((s) => [s.key, [...lc.ancestors(s.key)].sort()]));
        assert.deepEqual(waits, {
            "t:a::a": [],
            "t:r::r": [],
            "t:x::x": ["t:a::a", "t:r::r"],
            "pulumi:providers:k::p": ["t:a::a"],
            "t:y::y": ["pulumi:providers:k::p", "t:a::a"],
            "t:z::z": ["pulumi:providers:k::p", "t:a::a", "t:y::y"],
            // A child waits for nothing of its parent, even a parent that has dependsOn.
            "t:w::w": [],
        });
    });

    it("says A before B exactly when A precedes B in every create order (and follows it in every delete order)", () => {
        const keys = [...lc.steps.keys()];
        const orders = [...createOrders(lc)];
        assert.equal(orders.length, 98);
        for (const a of keys)
            for (const b of keys) {
                if (a === b) continue;
                const always = orders.every((o) => o.indexOf(a) < o.indexOf(b));
                assert.equal(lc.before(a, b), always, `${a} before ${b}`);
                // Deletion runs the same graph backwards.
                assert.equal(
                    orders.map((o) => [...o].reverse()).every((o) => o.indexOf(b) < o.indexOf(a)),
                    always,
                );
            }
    });

    it("refuses a graph with a cycle or a reference to nothing", () => {
        const cycle = [res("t:a", "a", { dependsOn: ["t:b::b"] }), res("t:b", "b", { dependsOn: ["t:a::a"] })];
        assert.throws(() => lifecycleOf(cycle), /dependency cycle: t:a::a → t:b::b → t:a::a/);
        assert.throws(() => lifecycleOf([res("t:a", "a", { dependsOn: ["t:gone::gone"] })]), /never registered/);
    });
});

describe("lifecycle model: PodDisruptionBudgets", () => {
    const cases: [Parameters<typeof allowedDisruptions>[0], number][] = [
        [{ minReplicas: 1, minAvailable: 1 }, 0],
        [{ minReplicas: 2, minAvailable: 1 }, 1],
        [{ minReplicas: 1, maxUnavailable: 1 }, 1],
        [{ minReplicas: 3, maxUnavailable: "25%" }, 1],
        [{ minReplicas: 2, minAvailable: "50%" }, 1],
        [{ minReplicas: 1, minAvailable: "50%" }, 0],
    ];
    for (const [pdb, allowed] of cases)
        it(`${JSON.stringify(pdb)} allows ${allowed} eviction(s)`, () =>
            assert.equal(allowedDisruptions(pdb), allowed));
});

const stackFiles = [
    ...fs.readdirSync(ROOT).filter((f) => /^Pulumi\.\w+\.yaml$/.test(f) && f !== "Pulumi.yaml"),
    ...fs
        .readdirSync(path.join(ROOT, "examples"))
        .flatMap((d) => fs.readdirSync(path.join(ROOT, "examples", d)).map((f) => path.join("examples", d, f)))
        .filter((f) => /Pulumi\.\w+\.yaml$/.test(f)),
].sort();

describe("lifecycle model: every stack file the project ships", () => {
    it("finds the stack files", () => assert.ok(stackFiles.length >= 8, stackFiles.join(", ")));
    for (const file of stackFiles)
        it(`${file}: no order the engine may choose breaks what the cluster asks`, async () => {
            const run = await runStackFile(path.join(ROOT, file));
            assert.deepEqual(clusterViolations(run.resources), []);
        });
});

describe("lifecycle model: generated configs across the switches that change the graph", () => {
    it("no order the engine may choose breaks what the cluster asks, whatever the switches", async () => {
        await fc.assert(
            fc.asyncProperty(SWITCHES, async (s) => {
                const run = await runProgram("qa", configOf(s));
                assert.deepEqual(clusterViolations(run.resources), []);
            }),
            SWITCH_RUNS,
        );
    });
});

describe("lifecycle model: the dev stack, step by step", () => {
    let resources: RecordedResource[];
    before(async () => {
        resources = (await runStackFile(path.join(ROOT, "Pulumi.dev.yaml"))).resources;
    });
    const key = (type: string, name: string) => `${type}::${name}`;
    // Recorded inputs are plain data apart from the odd function in SDK internals, which JSON drops.
    const clone = (rs: RecordedResource[]): RecordedResource[] => JSON.parse(JSON.stringify(rs));
    const NODES = key("eks:index:ManagedNodeGroup", "dev-cluster-nodes");
    const CONTROLLER = key("kubernetes:helm.sh/v3:Release", "dev-alb-controller-release");
    const INGRESS = key("kubernetes:networking.k8s.io/v1:Ingress", "dev-edge-ingress");
    const ISTIO_NS = key("kubernetes:core/v1:Namespace", "dev-istio-namespace");
    const GATEWAY = key("kubernetes:helm.sh/v3:Release", "dev-istio-gateway");

    it("creates nodes → controller → Ingress in that one order, and destroys them in reverse", () => {
        const lc = lifecycleOf(resources);
        assert.deepEqual([...createOrders(lc, [INGRESS, CONTROLLER, NODES])], [[NODES, CONTROLLER, INGRESS]]);
    });

    it("keeps istio-system until the Ingress in it is gone, and the controller until istio-system is", () => {
        const lc = lifecycleOf(resources);
        assert.deepEqual(
            [...createOrders(lc, [INGRESS, ISTIO_NS, GATEWAY, CONTROLLER])],
            [[CONTROLLER, ISTIO_NS, GATEWAY, INGRESS]],
        );
    });

    it("creates the nodes, the controller and istiod before an app namespace, and deletes it first", () => {
        const lc = lifecycleOf(resources);
        const ns = key("kubernetes:core/v1:Namespace", "dev-edge-vote-dog-cat-namespace");
        const istiod = key("kubernetes:helm.sh/v3:Release", "dev-istio-istiod");
        assert.deepEqual([...createOrders(lc, [ns, istiod, CONTROLLER, NODES])], [[NODES, CONTROLLER, istiod, ns]]);
    });

    // Each row undoes one fix on a copy of the dev stack's graph: the model must name the failure.
    const release = (rs: RecordedResource[], name: string) => rs.find((r) => r.name === name)!;
    const dropDep = (r: RecordedResource, dep: string) => {
        r.graph.dependsOn = r.graph.dependsOn.filter((d) => d !== dep);
    };
    const broken: { name: string; mutate: (rs: RecordedResource[]) => RecordedResource[]; expected: Violation[] }[] = [
        {
            name: "the controller's Service mutator back on (chart default)",
            mutate: (rs) => {
                delete release(rs, "dev-alb-controller-release").inputs.values.enableServiceMutatorWebhook;
                // Or istiod and the gateway would still follow the controller through istio-system.
                dropDep(release(rs, "dev-istio-gateway"), CONTROLLER);
                dropDep(release(rs, "dev-istio-namespace"), CONTROLLER);
                return rs;
            },
            expected: [
                {
                    rule: "webhook",
                    message:
                        "dev-cluster-autoscaler-release may be created before dev-alb-controller-release serves its Service mutator webhook: the API server refuses it (failurePolicy Fail)",
                },
                {
                    rule: "webhook",
                    message:
                        "dev-istio-gateway may be created before dev-alb-controller-release serves its Service mutator webhook: the API server refuses it (failurePolicy Fail)",
                },
                {
                    rule: "webhook",
                    message:
                        "dev-istio-istiod may be created before dev-alb-controller-release serves its Service mutator webhook: the API server refuses it (failurePolicy Fail)",
                },
                {
                    rule: "webhook",
                    message:
                        "dev-metrics-server-release may be created before dev-alb-controller-release serves its Service mutator webhook: the API server refuses it (failurePolicy Fail)",
                },
                {
                    rule: "finalizers",
                    message:
                        "dev-istio-namespace may outlive dev-alb-controller-release on destroy: nothing clears the finalizers of the Ingresses, TargetGroupBindings and LoadBalancer Services in namespace istio-system, so the namespace hangs and its ALBs leak",
                },
            ],
        },
        {
            name: "releases that do not wait for the node group",
            mutate: (rs) => {
                for (const n of ["dev-alb-controller-release", "dev-istio-istiod", "dev-istio-gateway"])
                    dropDep(release(rs, n), NODES);
                dropDep(release(rs, "dev-edge-ingress"), NODES);
                // Or the Istio releases would still follow the nodes through istio-system.
                release(rs, "dev-istio-namespace").graph.dependsOn = [];
                return rs;
            },
            expected: [
                {
                    rule: "nodes",
                    message: "dev-alb-controller-release runs pods but may be created before any node group exists",
                },
                {
                    rule: "nodes",
                    message: "dev-istio-gateway runs pods but may be created before any node group exists",
                },
                {
                    rule: "nodes",
                    message: "dev-istio-istiod runs pods but may be created before any node group exists",
                },
                {
                    rule: "destroy",
                    message:
                        "dev-edge-ingress may outlive dev-cluster-nodes on destroy: the controller's pods are gone",
                },
                {
                    rule: "finalizers",
                    message:
                        "dev-istio-namespace may outlive dev-alb-controller-release on destroy: nothing clears the finalizers of the Ingresses, TargetGroupBindings and LoadBalancer Services in namespace istio-system, so the namespace hangs and its ALBs leak",
                },
                {
                    rule: "finalizers",
                    message:
                        "dev-istio-namespace may outlive dev-cluster-nodes on destroy: with the controller's pods gone, nothing clears the finalizers of the Ingresses, TargetGroupBindings and LoadBalancer Services in namespace istio-system",
                },
            ],
        },
        {
            name: "an Ingress that does not wait for the controller",
            mutate: (rs) => {
                dropDep(release(rs, "dev-edge-ingress"), CONTROLLER);
                // Or the Ingress would still follow the controller through the gateway, or through
                // istio-system (the gateway's namespace).
                dropDep(release(rs, "dev-istio-gateway"), CONTROLLER);
                dropDep(release(rs, "dev-istio-namespace"), CONTROLLER);
                return rs;
            },
            expected: [
                {
                    rule: "webhook",
                    message:
                        "dev-edge-ingress may be created before dev-alb-controller-release serves its Ingress validator webhook: the API server refuses it (failurePolicy Fail)",
                },
                {
                    rule: "destroy",
                    message:
                        "dev-edge-ingress may outlive dev-alb-controller-release on destroy: nobody deletes its ALB",
                },
                {
                    rule: "finalizers",
                    message:
                        "dev-istio-namespace may outlive dev-alb-controller-release on destroy: nothing clears the finalizers of the Ingresses, TargetGroupBindings and LoadBalancer Services in namespace istio-system, so the namespace hangs and its ALBs leak",
                },
            ],
        },
        {
            name: "an Istio resource that does not wait for istiod",
            mutate: (rs) => {
                release(rs, "dev-edge-gateway").graph.dependsOn = [];
                return rs;
            },
            expected: [
                {
                    rule: "webhook",
                    message:
                        "dev-edge-gateway may be created before dev-istio-istiod serves its config validation webhook: the API server refuses it (failurePolicy Fail)",
                },
                {
                    rule: "namespace",
                    message:
                        "dev-edge-gateway may be created before, or outlive on destroy, its namespace istio-system",
                },
            ],
        },
        {
            name: "istiod's chart PDB (minAvailable 1) with one replica",
            mutate: (rs) => {
                delete release(rs, "dev-istio-istiod").inputs.values.pdb;
                return rs;
            },
            expected: [
                {
                    rule: "pdb",
                    message:
                        'dev-istio-istiod\'s PodDisruptionBudget allows no eviction at 1 replica(s) ({"minAvailable":1}): node group updates fail with PodEvictionFailure',
                },
            ],
        },
        {
            name: "no metrics-server",
            mutate: (rs) => rs.filter((r) => !r.name.startsWith("dev-metrics-server")),
            expected: [
                {
                    rule: "hpa",
                    message: "dev-istio-gateway has an HPA but nothing in the cluster serves metrics.k8s.io",
                },
                {
                    rule: "hpa",
                    message: "dev-istio-istiod has an HPA but nothing in the cluster serves metrics.k8s.io",
                },
            ],
        },
        {
            name: "the ALB's attributes left unstated (deletion protection, access logs), and an environment in the controller's default tags",
            mutate: (rs) => {
                delete release(rs, "dev-edge-ingress").inputs.metadata.annotations[
                    "alb.ingress.kubernetes.io/load-balancer-attributes"
                ];
                release(rs, "dev-alb-controller-release").inputs.values.defaultTags["eks-istio/environment"] = "dev";
                return rs;
            },
            expected: [
                {
                    rule: "deletion-protection",
                    message: "dev-edge-ingress does not state deletion_protection.enabled=true|false",
                },
                {
                    rule: "access-logs",
                    message: "dev-edge-ingress does not state access_logs.s3.enabled=true|false",
                },
                {
                    rule: "tags",
                    message:
                        "dev-alb-controller-release's defaultTags set eks-istio/environment, overriding dev-edge-ingress's own tag",
                },
            ],
        },
        {
            name: "NodePorts of the old derivation, and the chart's rollout timings",
            mutate: (rs) => {
                const values = release(rs, "dev-istio-gateway").inputs.values;
                values.service.ports[0].nodePort = 31181;
                values.service.ports[1].nodePort = 32464;
                delete values.lifecycle;
                delete values.podAnnotations;
                delete values.terminationGracePeriodSeconds;
                delete release(rs, "dev-edge-ingress").inputs.metadata.annotations[
                    "alb.ingress.kubernetes.io/target-group-attributes"
                ];
                return rs;
            },
            expected: [
                {
                    rule: "nodeport",
                    message: "dev-istio-gateway pins NodePort 31181 (status-port) outside the static band 30000-30085",
                },
                {
                    rule: "nodeport",
                    message: "dev-istio-gateway pins NodePort 32464 (http-dev) outside the static band 30000-30085",
                },
                {
                    rule: "rollout",
                    message: "dev-edge-ingress: deregistration delay 300s is not shorter than Envoy's drain 5s",
                },
                {
                    rule: "rollout",
                    message: "dev-istio-gateway: no preStop delay, so Envoy drains while the pod is still an endpoint",
                },
            ],
        },
        {
            name: "ip targets without the readiness gate label",
            mutate: (rs) => {
                release(rs, "dev-edge-ingress").inputs.metadata.annotations["alb.ingress.kubernetes.io/target-type"] =
                    "ip";
                delete release(rs, "dev-istio-namespace").inputs.metadata.labels[
                    "elbv2.k8s.aws/pod-readiness-gate-inject"
                ];
                dropDep(release(rs, "dev-istio-gateway"), CONTROLLER);
                dropDep(release(rs, "dev-istio-namespace"), CONTROLLER);
                return rs;
            },
            expected: [
                {
                    rule: "webhook",
                    message:
                        "dev-istio-gateway may be created before dev-alb-controller-release serves its pod readiness gate injector webhook: its pods start without the mutation (failurePolicy Ignore)",
                },
                {
                    rule: "finalizers",
                    message:
                        "dev-istio-namespace may outlive dev-alb-controller-release on destroy: nothing clears the finalizers of the Ingresses, TargetGroupBindings and LoadBalancer Services in namespace istio-system, so the namespace hangs and its ALBs leak",
                },
                {
                    rule: "rollout",
                    message: "namespace istio-system lacks elbv2.k8s.aws/pod-readiness-gate-inject=enabled",
                },
            ],
        },
    ];
    it("fails on a broken graph: a teardown that leaves protection on", () => {
        const rs = clone(resources);
        const ingress = release(rs, "dev-edge-ingress");
        ingress.inputs.metadata.labels["eks-istio/teardown"] = "true";
        ingress.inputs.metadata.annotations["alb.ingress.kubernetes.io/load-balancer-attributes"] =
            "deletion_protection.enabled=true,access_logs.s3.enabled=false";
        release(rs, "dev-network-vpc").protect = true;
        release(rs, "dev-cluster-eks").inputs.deletionProtection = true;
        assert.deepEqual(clusterViolations(rs), [
            {
                rule: "teardown",
                message: "dev-cluster-eks still has deletion protection: its deletion fails",
            },
            {
                rule: "teardown",
                message: "dev-edge-ingress's ALB keeps deletion protection: its finalizer never clears",
            },
            {
                rule: "teardown",
                message: "dev-network-vpc is still protected (Pulumi protect): pulumi destroy refuses it",
            },
        ]);
    });

    for (const c of broken)
        it(`fails on a broken graph: ${c.name}`, () => {
            assert.deepEqual(clusterViolations(c.mutate(clone(resources))), c.expected);
        });

    it("refuses a Helm chart it has no facts for, instead of vouching for it", () => {
        const rs = clone(resources);
        release(rs, "dev-metrics-server-release").inputs.chart = "mystery";
        assert.throws(() => clusterViolations(rs), /chart "mystery" is not in tests\/lifecycle\/cluster.ts CHARTS/);
    });
});
