// One owner per cloud object (tools/outOfSight/owners.ts) over the expanded graph: the program's
// resources, what its remote components create, and what AWS, the controllers and Kubernetes
// create. Tables for each rule on graphs written by hand; the defects of issue 20 restored one at a
// time in the recorded dev graph, each named in one sentence; every shipped stack file; and the
// NodePorts of every generated gateway config.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import fc from "fast-check";
import { ConfigError, parseContract } from "../components/config";
import { gatewayValues } from "../components/manifests/istio";
import { findStackFiles } from "../tools/render/render";
import {
    claims,
    outOfSight,
    ownershipViolations,
    sharedClusterViolations,
    versionViolations,
    type Recorded,
    type Violation,
} from "../tools/outOfSight";
import { ROOT, runProgram, runStackFile } from "./harness";
import { CLUSTER_KEY, clusterStack, k8s, mutate, rec, STACK, withInputs } from "./outOfSightGraph";
import { checkProperty, effectiveNodePorts, gatewayConfigs } from "./property";
import { configOf, SWITCH_RUNS, SWITCHES } from "./switchConfigs";

const messages = (resources: Recorded[], opts = {}) => ownershipViolations(resources, opts).map((v) => v.message);
const PROGRAM_LOGS = { enabledClusterLogTypes: ["api"], skipDefaultNodeGroup: true, authenticationMode: "API" };
const LOG_GROUP = "/aws/eks/gen/cluster";
const EKS_LOG_GROUP_OWNER =
    "Amazon EKS (creates it when control-plane logging is on and no group of that name exists, with no retention, and never deletes it, EKS User Guide latest/ug/observability/control-plane-logs.adoc:147 (the name); creation and leaks reported in terraform-aws-modules/terraform-aws-eks#920, #2446)";

/** The program's log group, created before the cluster when `before`. */
function withLogGroup(before: boolean, extra: Partial<Parameters<typeof rec>[3]> = {}): Recorded[] {
    const group = rec("aws:cloudwatch/logGroup:LogGroup", "gen-logs", { name: LOG_GROUP }, extra);
    const [stack, cluster, ...rest] = clusterStack(PROGRAM_LOGS);
    const waiting = before
        ? { ...cluster, graph: { ...cluster.graph, dependsOn: ["aws:cloudwatch/logGroup:LogGroup::gen-logs"] } }
        : cluster;
    return [stack, group, waiting, ...rest];
}

describe("one owner: the rules, on graphs written by hand", () => {
    const addon = (name: string, addonName: string, clusterName = "gen", extra: Record<string, unknown> = {}) =>
        rec("aws:eks/addon:Addon", name, { addonName, clusterName, resolveConflictsOnCreate: "OVERWRITE", ...extra });
    const release = (name: string, ns: string, extra: Record<string, unknown> = {}, provider = "gen-k8s") =>
        rec(
            "kubernetes:helm.sh/v3:Release",
            `r-${name}-${ns}-${provider}`,
            { name, namespace: ns, chart: "c", ...extra },
            { provider: `pulumi:providers:kubernetes::${provider}` },
        );
    const gateway = (ports: { name: string; nodePort?: number }[]) =>
        release("istio-ingressgateway", "istio-system", {
            chart: "gateway",
            values: { service: { type: "NodePort", ports: ports.map((p, i) => ({ port: 8000 + i, ...p })) } },
        });
    const ns = (name: string, resource = `ns-${name}`) => k8s("core/v1:Namespace", resource, { metadata: { name } });

    // [title, graph, violations as sentences (their start when the rest is a long citation)]
    const TABLE: [string, Recorded[], string[]][] = [
        [
            "the program's arguments alone: one owner each",
            clusterStack({ ...PROGRAM_LOGS, useDefaultVpcCni: true }),
            [],
        ],
        [
            "an add-on pulumi-eks also creates",
            clusterStack({ ...PROGRAM_LOGS, useDefaultVpcCni: true }, addon("a", "kube-proxy")),
            [
                "EKS add-on kube-proxy on cluster gen has two owners: a (the program) and gen-eks-kube-proxy (pulumi-eks 4.3.0 creates it when kubeProxyAddonOptions.enabled",
            ],
        ],
        [
            "the same add-on on two clusters",
            clusterStack(
                { useDefaultVpcCni: true, skipDefaultNodeGroup: true },
                addon("a", "coredns", "gen"),
                addon("b", "coredns", "other"),
            ),
            [],
        ],
        [
            "an add-on taking over the bootstrap DaemonSet without OVERWRITE",
            clusterStack(
                { useDefaultVpcCni: true, skipDefaultNodeGroup: true },
                addon("cni", "vpc-cni", "gen", { resolveConflictsOnCreate: "NONE" }),
            ),
            [
                "DaemonSet kube-system/aws-node on cluster gen has two owners: the EKS add-on vpc-cni, cni (the program) and Amazon EKS (installs it at cluster creation unless bootstrapSelfManagedAddons: false, EKS User Guide latest/ug/clusters/create-cluster.adoc:236-241, EKS User Guide latest/ug/workloads/eks-add-ons.adoc:23); cni takes it over only with resolveConflictsOnCreate: OVERWRITE, and has NONE (EKS User Guide latest/ug/workloads/eks-add-ons.adoc:1726)",
            ],
        ],
        ["the program's log group created before the cluster: a hand-over", withLogGroup(true), []],
        [
            "the program's log group not created before the cluster",
            withLogGroup(false),
            [
                `CloudWatch log group ${LOG_GROUP} has two owners: gen-logs (the program) and ${EKS_LOG_GROUP_OWNER}; gen-logs takes it over from Amazon EKS only if created before the cluster, and gen-eks does not wait for it`,
            ],
        ],
        [
            "two log groups of one name",
            [
                ...clusterStack(),
                rec("aws:cloudwatch/logGroup:LogGroup", "a", { name: "/app" }),
                rec("aws:cloudwatch/logGroup:LogGroup", "b", { name: "/app" }),
            ],
            ["CloudWatch log group /app has two owners: a (the program) and b (the program)"],
        ],
        [
            "two IAM roles of one name; auto-named ones cannot collide",
            [
                ...clusterStack({ useDefaultVpcCni: true }),
                rec("aws:iam/role:Role", "a", { name: "ci" }),
                rec("aws:iam/role:Role", "b", { name: "ci" }),
                rec("aws:iam/role:Role", "c", {}),
                rec("aws:iam/role:Role", "d", {}),
            ],
            ["IAM role ci has two owners: a (the program) and b (the program)"],
        ],
        [
            "two Helm releases of one name in one namespace of one cluster",
            clusterStack({}, release("istiod", "istio-system"), {
                ...release("istiod", "istio-system"),
                name: "again",
            }),
            [
                "Helm release istiod in namespace istio-system on cluster gen has two owners: r-istiod-istio-system-gen-k8s (the program) and again (the program)",
            ],
        ],
        ["one release name in two namespaces", clusterStack({}, release("istiod", "a"), release("istiod", "b")), []],
        [
            "a NodePort twice in one Service",
            clusterStack(
                {},
                gateway([
                    { name: "http-dev", nodePort: 30080 },
                    { name: "http-stg", nodePort: 30080 },
                ]),
            ),
            [
                "NodePort 30080 on cluster gen has two owners: port http-dev of Service istio-system/istio-ingressgateway (r-istio-ingressgateway-istio-system-gen-k8s, the program) and port http-stg of Service istio-system/istio-ingressgateway (r-istio-ingressgateway-istio-system-gen-k8s, the program)",
            ],
        ],
        [
            "a NodePort in two Services",
            clusterStack(
                {},
                gateway([{ name: "http-dev", nodePort: 30080 }]),
                k8s("core/v1:Service", "svc", {
                    metadata: { name: "web", namespace: "web" },
                    spec: { type: "NodePort", ports: [{ name: "http", port: 80, nodePort: 30080 }] },
                }),
            ),
            [
                "NodePort 30080 on cluster gen has two owners: port http-dev of Service istio-system/istio-ingressgateway (r-istio-ingressgateway-istio-system-gen-k8s, the program) and port http of Service web/web (svc, the program)",
            ],
        ],
        ["unpinned NodePorts", clusterStack({}, gateway([{ name: "a" }, { name: "b" }])), []],
        [
            "one principal in two access entries",
            clusterStack(
                { authenticationMode: "API", useDefaultVpcCni: true },
                rec("aws:eks/accessEntry:AccessEntry", "e", {
                    clusterName: "gen",
                    principalArn: "arn:aws:iam::1:role/a",
                }),
            ).map((r) =>
                r.type === "eks:index:Cluster"
                    ? withInputs(r, { accessEntries: { "admin-0": { principalArn: "arn:aws:iam::1:role/a" } } })
                    : r,
            ),
            [
                "EKS access entry for arn:aws:iam::1:role/a on cluster gen has two owners: e (the program) and gen-eks-admin-0 (pulumi-eks 4.3.0 creates one per accessEntries key",
            ],
        ],
        [
            "a namespace Kubernetes creates, and one namespace twice",
            clusterStack({}, ns("kube-system"), ns("web", "a"), ns("web", "b")),
            [
                "Namespace kube-system on cluster gen has two owners: ns-kube-system (the program) and Kubernetes (creates it in every cluster, kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/ (Initial namespaces))",
                "Namespace web on cluster gen has two owners: a (the program) and b (the program)",
            ],
        ],
        [
            "two Ingress groups naming one ALB",
            clusterStack(
                {},
                ...["a", "b"].map((n) =>
                    k8s("networking.k8s.io/v1:Ingress", n, {
                        metadata: {
                            name: n,
                            namespace: "web",
                            annotations: { "alb.ingress.kubernetes.io/load-balancer-name": "edge" },
                        },
                        spec: { ingressClassName: "alb" },
                    }),
                ),
            ),
            [
                "ALB edge has two owners: the AWS Load Balancer Controller v3.5.0 for Ingress group web/a (creates one per Ingress group",
            ],
        ],
    ];
    for (const [title, graph, expected] of TABLE)
        it(title, () => {
            const got = messages(graph);
            assert.equal(got.length, expected.length, got.join("\n"));
            expected.forEach((e, i) => assert.ok(got[i].startsWith(e), `${got[i]}\n  should start with\n${e}`));
        });

    it("an earlier deployment's log group: the program must import it, even created before the cluster", () => {
        const earlier = [{ label: "release c1dbf01", resources: clusterStack(PROGRAM_LOGS) }];
        assert.deepEqual(messages(withLogGroup(true), { earlier }), [
            `CloudWatch log group ${LOG_GROUP} has two owners: gen-logs (the program) and Amazon EKS (created it for release c1dbf01, whose cluster gen logged with no log group of the program's before it, and never deletes it, EKS User Guide latest/ug/observability/control-plane-logs.adoc:147 (the name); creation and leaks reported in terraform-aws-modules/terraform-aws-eks#920, #2446); gen-logs takes it over only by importing it (the import option), since it exists since release c1dbf01, whose cluster gen logged with no log group of the program's before it`,
        ]);
        assert.deepEqual(messages(withLogGroup(true, { import: LOG_GROUP }), { earlier }), [], "imported");
        assert.deepEqual(
            messages(withLogGroup(true), { earlier: [{ label: "x", resources: withLogGroup(true) }] }),
            [],
            "the earlier release created it itself",
        );
        assert.deepEqual(
            messages(
                clusterStack(PROGRAM_LOGS).map((r) =>
                    r.type === "eks:index:Cluster" ? withInputs(r, { useDefaultVpcCni: true }) : r,
                ),
                { earlier },
            ),
            [],
            "EKS writes to it again",
        );
    });

    it("node groups: every one carries its cluster's version", () => {
        const group = (args: Record<string, unknown>) =>
            versionViolations(
                clusterStack(
                    {},
                    rec("eks:index:ManagedNodeGroup", "gen-nodes", { cluster: CLUSTER_KEY.split("::").pop(), ...args }),
                ),
            ).map((v) => v.message);
        assert.deepEqual(group({}), [], "follows the cluster");
        assert.deepEqual(group({ launchTemplate: { id: "lt" }, version: "1.35" }), []);
        assert.deepEqual(group({ launchTemplate: { id: "lt" }, version: "1.34" }), [
            "Managed node group gen-nodes does not carry cluster gen's Kubernetes version 1.35: it asks for 1.34, so an upgrade of the cluster leaves its nodes behind and the next one fails until they catch up",
        ]);
    });
});

// ---- the defects of issue 20, restored in the recorded dev graph ------------------------------
// (a) to (c) here; (d), the node group replaced instead of moved blue/green: upgrade.spec.ts (the
// staged path, and node groups named by position); (e), pods started before their injector:
// lifecycleIstio.spec.ts (tags inside the releases, a namespace relabelled before its tag's webhook).

describe("one owner: each defect restored in the dev stack is named in one sentence", () => {
    let dev: Recorded[];
    let adopting: Recorded[];
    before(async () => {
        dev = (await runStackFile(path.join(ROOT, "Pulumi.dev.yaml"))).resources as Recorded[];
        adopting = (await runStackFile(path.join(ROOT, "examples", "upgrade-c1dbf01-adopt", "Pulumi.dev.yaml")))
            .resources as Recorded[];
    });
    const EKS = "eks:index:Cluster::dev-cluster-eks";
    const NODES = "eks:index:ManagedNodeGroup::dev-cluster-nodes";
    const all = (resources: Recorded[], opts = {}) => [
        ...ownershipViolations(resources, opts).map((v: Violation) => v.message),
        ...versionViolations(resources).map((v) => v.message),
    ];
    /** A dev stack of release c1dbf01, as far as the log group goes: all five log types on, no log group of its own. */
    const c1dbf01 = () => ({
        label: "release c1dbf01",
        resources: mutate(dev, EKS, (r) => ({ ...r, dependsOn: [], graph: { ...r.graph, dependsOn: [] } })).filter(
            (r) => r.type !== "aws:cloudwatch/logGroup:LogGroup",
        ),
    });

    it("as shipped: one owner everywhere, and the node group at the cluster's version", () => {
        assert.deepEqual(all(dev), []);
    });

    it("(a) pulumi-eks's vpc-cni add-on beside the program's", () => {
        assert.deepEqual(all(mutate(dev, EKS, (r) => withInputs(r, { useDefaultVpcCni: undefined }))), [
            "EKS add-on vpc-cni on cluster eks-istio-dev has two owners: dev-cluster-vpc-cni (the program) and dev-cluster-eks-vpc-cni (pulumi-eks 4.3.0 creates it unless useDefaultVpcCni: true or Auto Mode, nodejs/eks/cluster/cluster.ts:1091-1113)",
        ]);
    });

    it("the program's vpc-cni add-on aliases exactly the URN pulumi-eks 4.3.0 gives its own, so a stack of c1dbf01 keeps its add-on", () => {
        const restored = mutate(dev, EKS, (r) => withInputs(r, { useDefaultVpcCni: undefined }));
        const theirs = outOfSight(restored).find(
            (o) => o.type === "aws:eks/addon:Addon" && o.name === "dev-cluster-eks-vpc-cni",
        );
        const ours = dev.find((r) => r.type === "aws:eks/addon:Addon" && r.name === "dev-cluster-vpc-cni");
        assert.equal(
            theirs?.urn,
            "urn:pulumi:dev::eks-istio::eks-istio:cluster:Cluster$eks:index:Cluster$eks:index:VpcCniAddon$aws:eks/addon:Addon::dev-cluster-eks-vpc-cni",
        );
        assert.deepEqual(ours?.aliases, [theirs?.urn]);
    });

    it("(b) the log group created where EKS makes it: not before the cluster", () => {
        const notBefore = mutate(dev, EKS, (r) => ({ ...r, dependsOn: [], graph: { ...r.graph, dependsOn: [] } }));
        assert.deepEqual(all(notBefore), [
            `CloudWatch log group /aws/eks/eks-istio-dev/cluster has two owners: dev-cluster-control-plane-logs (the program) and ${EKS_LOG_GROUP_OWNER}; dev-cluster-control-plane-logs takes it over from Amazon EKS only if created before the cluster, and dev-cluster-eks does not wait for it`,
        ]);
    });

    it("(b) the log group created where EKS made it for release c1dbf01, unless adopted (cluster.adoptLogGroup)", () => {
        assert.deepEqual(all(dev, { earlier: [c1dbf01()] }), [
            "CloudWatch log group /aws/eks/eks-istio-dev/cluster has two owners: dev-cluster-control-plane-logs (the program) and Amazon EKS (created it for release c1dbf01, whose cluster eks-istio-dev logged with no log group of the program's before it, and never deletes it, EKS User Guide latest/ug/observability/control-plane-logs.adoc:147 (the name); creation and leaks reported in terraform-aws-modules/terraform-aws-eks#920, #2446); dev-cluster-control-plane-logs takes it over only by importing it (the import option), since it exists since release c1dbf01, whose cluster eks-istio-dev logged with no log group of the program's before it",
        ]);
        // examples/upgrade-c1dbf01-adopt imports the group: one owner again.
        assert.equal(
            adopting.find((r) => r.type === "aws:cloudwatch/logGroup:LogGroup")?.import,
            "/aws/eks/eks-istio-dev/cluster",
        );
        assert.deepEqual(all(adopting, { earlier: [c1dbf01()] }), []);
    });

    it("(c) the node group not carrying the cluster's version", () => {
        assert.deepEqual(all(mutate(dev, NODES, (r) => withInputs(r, { version: undefined }))), [
            "Managed node group dev-cluster-nodes does not carry cluster eks-istio-dev's Kubernetes version 1.35: it has a launchTemplate and no version, and pulumi-eks 4.3.0 sets a node group's version to the cluster's only when given neither a version nor a launchTemplate (nodejs/eks/nodes/nodegroup.ts:1885-1891), so an upgrade of the cluster leaves its nodes behind and the next one fails until they catch up",
        ]);
    });
});

describe("one owner: the EBS CSI add-on of a stack with Prometheus on a volume", () => {
    let product: Recorded[];
    before(async () => {
        const file = path.join(ROOT, "examples", "observability", "Pulumi.product.yaml");
        product = (await runStackFile(file)).resources as Recorded[];
    });
    const EBS = "aws:eks/addon:Addon::product-cluster-aws-ebs-csi-driver";

    it("is claimed once, by the program's add-on, on the stack's cluster", () => {
        const addon = claims(product).filter((c) => c.object.key === "eks-addon:eks-istio-product/aws-ebs-csi-driver");
        assert.deepEqual(
            addon.map((c) => `${c.object.label}: ${c.owner.text}`),
            [
                "EKS add-on aws-ebs-csi-driver on cluster eks-istio-product: product-cluster-aws-ebs-csi-driver (the program)",
            ],
        );
    });

    it("registered twice (another component installing the driver too): named in one sentence", () => {
        const ours = product.find((r) => `${r.type}::${r.name}` === EBS)!;
        const again = {
            ...ours,
            name: "product-storage-ebs-csi",
            urn: ours.urn!.replace(/::[^:]+$/, "::product-storage-ebs-csi"),
        };
        assert.deepEqual(messages([...product, again]), [
            "EKS add-on aws-ebs-csi-driver on cluster eks-istio-product has two owners: product-cluster-aws-ebs-csi-driver (the program) and product-storage-ebs-csi (the program)",
        ]);
    });
});

// ---- every stack file the project ships ------------------------------------------------------

describe("one owner: every stack file the project ships", () => {
    for (const file of findStackFiles()) {
        const label = path.relative(ROOT, file);
        it(`${label}: one owner per cloud object, and every managed node group at its cluster's version`, async () => {
            const { resources } = await runStackFile(file);
            assert.deepEqual(
                [
                    ...ownershipViolations(resources as Recorded[]).map((v) => v.message),
                    ...versionViolations(resources as Recorded[]).map((v) => v.message),
                ],
                [],
            );
        });
    }
});

describe("one owner: the shared-cluster example, its owner and attached stacks together", () => {
    const dir = path.join(ROOT, "examples", "shared");
    let stacks: Record<string, Recorded[]>;
    let stackClusters: Record<string, string>;
    before(async () => {
        stacks = {};
        for (const s of ["product", "dev", "stg"])
            stacks[s] = (await runStackFile(path.join(dir, `Pulumi.${s}.yaml`))).resources as Recorded[];
        const owner = await runStackFile(path.join(dir, "Pulumi.product.yaml"));
        stackClusters = { "organization/eks-istio/product": String(owner.outputs.clusterName) };
    });
    const check = (graphs: Recorded[][]) => sharedClusterViolations(graphs, { stackClusters }).map((v) => v.message);

    it("one owner per object on the shared cluster", () => {
        assert.deepEqual(check([stacks.product, stacks.dev, stacks.stg]), []);
    });

    it("two attached stacks creating one namespace: each valid alone, together two owners", () => {
        const namespace = (r: Recorded) => r.type === "kubernetes:core/v1:Namespace";
        const devNamespace = stacks.dev.find(namespace)!.inputs.metadata.name;
        const stg = stacks.stg.map((r) =>
            namespace(r) ? withInputs(r, { metadata: { ...r.inputs.metadata, name: devNamespace } }) : r,
        );
        assert.deepEqual(check([stacks.product, stg]), []);
        assert.deepEqual(check([stacks.product, stacks.dev, stg]), [
            `Namespace ${devNamespace} on cluster eks-istio-product has two owners: dev-edge-vote-dog-cat-namespace (the program) and stg-edge-express-namespace (the program)`,
        ]);
    });
});

// ---- generated configs -----------------------------------------------------------------------

describe("one owner: generated stack configs across the switches that change the graph", () => {
    // The configs lifecycle.spec.ts evaluates (same seed): each evaluation is shared, not repeated.
    it("every cloud object has one owner and every node group its cluster's version, whatever the switches", async () => {
        await fc.assert(
            fc.asyncProperty(SWITCHES, async (s) => {
                const { resources } = await runProgram("qa", configOf(s));
                assert.deepEqual(
                    [
                        ...ownershipViolations(resources as Recorded[]).map((v) => v.message),
                        ...versionViolations(resources as Recorded[]).map((v) => v.message),
                    ],
                    [],
                );
            }),
            SWITCH_RUNS,
        );
    });
});

describe("one owner: the NodePorts of every generated gateway config", () => {
    /** The gateway Service a config gives the cluster, as the program's Helm release registers it. */
    // The release and the provider it lands through: the cluster behind it adds nothing to judge here.
    const gatewayGraph = (ports: { name: string; nodePort: number }[]) => [
        STACK,
        rec("pulumi:providers:kubernetes", "gen-k8s"),
        rec(
            "kubernetes:helm.sh/v3:Release",
            "gen-istio-gateway",
            {
                name: "istio-ingressgateway",
                namespace: "istio-system",
                chart: "gateway",
                values: { service: { type: "NodePort", ports } },
            },
            { provider: "pulumi:providers:kubernetes::gen-k8s" },
        ),
    ];
    const nodePortViolations = (ports: { name: string; nodePort: number }[]) =>
        ownershipViolations(gatewayGraph(ports)).filter((v) => v.rule === "node-port");

    const APP = { apps: [{ name: "a", http: [{ route: [{ destination: { host: "a" } }] }] }] };
    const TITLE = "the config contract accepts a config exactly when its gateway Service has one owner per NodePort";
    it(TITLE, async () => {
        await checkProperty(
            TITLE,
            fc.property(gatewayConfigs, (values) => {
                let accepted;
                try {
                    accepted = parseContract({ stack: "gen", region: "ap-northeast-1", values });
                } catch (e) {
                    if (!(e instanceof ConfigError)) throw e;
                    // What the cluster would receive had the config passed: the same NodePort on two ports.
                    const ports = effectiveNodePorts(values).map((nodePort, i) => ({ name: `p${i}`, nodePort }));
                    assert.ok(
                        nodePortViolations(ports).length > 0,
                        `refused, yet one owner per NodePort:\n${e.message}`,
                    );
                    return;
                }
                const { ports } = gatewayValues({
                    production: accepted.production,
                    statusNodePort: accepted.gateway.statusNodePort,
                    ports: accepted.gateway.ports,
                }).service;
                assert.deepEqual(nodePortViolations(ports as { name: string; nodePort: number }[]), []);
            }),
            // Fewer runs than the traffic-path property over the same generator: both share its cases' cost.
            100,
            [
                // A pinned NodePort on two ports, and none pinned: both sides every run.
                [
                    {
                        ...APP,
                        environment: "dev",
                        ingress: { port: 8000, nodePort: 30001, hosts: ["*"] },
                        istio: { statusNodePort: 30001, extraGatewayPorts: [] },
                    },
                ],
                [
                    {
                        ...APP,
                        environment: "dev",
                        ingress: { port: 8000, hosts: ["*"] },
                        istio: { extraGatewayPorts: [{ environment: "stg", port: 9000 }] },
                    },
                ],
            ] as never,
        );
    });
});
