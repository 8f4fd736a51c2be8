// Node groups, the control-plane log group's adoption and the vpc-cni alias, as plain data: the
// config a user writes (cluster.nodeGroups, cluster.adoptLogGroup) and what each error says, and the
// pure functions that turn it into what the Cluster component registers.
import * as assert from "node:assert/strict";
import {
    ConfigError,
    type ConfigProblem,
    labelKeyProblem,
    labelValueProblem,
    MAX_NODE_GROUP_NAME_LENGTH,
    type StackConfig,
} from "../components/config";
import { checkAdoptionCli, parseStackConfig } from "../components/stack";
import {
    controlPlaneLogGroup,
    nodeGroupSpec,
    nodeRolePolicyArns,
    pulumiEksVpcCniAddonUrn,
    urnOf,
} from "../components/manifests/aws";
import { assertExactProblem, renderProblems } from "./problems";

const REGION = "ap-northeast-1";
// internal: an internet-facing dev ALB would add its own warning (tests/edgeConfig.spec.ts).
const port8000 = { port: 8000, scheme: "internal" };
const parse = (cluster: Record<string, unknown>, stack = "dev"): StackConfig =>
    parseStackConfig({ stack, region: REGION, values: { ingress: port8000, cluster } });
function problemsOf(cluster: unknown): ConfigProblem[] {
    try {
        parseStackConfig({ stack: "dev", region: REGION, values: { ingress: port8000, cluster } });
        return [];
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
        return e.problems;
    }
}
const group = (name: string, extra: Record<string, unknown> = {}) => ({ name, instanceTypes: ["t3.large"], ...extra });

describe("node groups: config errors name the key path", () => {
    const cases: { name: string; cluster: unknown; path: string; message: string }[] = [
        {
            name: "the default group's instance types next to nodeGroups",
            cluster: { instanceTypes: ["t3.large"], nodeGroups: [group("nodes")] },
            path: "eks-istio:cluster.instanceTypes",
            message:
                "is set together with eks-istio:cluster.nodeGroups, which then says everything about the nodes; each group has its own instanceTypes: move it there and remove it here",
        },
        {
            name: "the default group's maxSize next to nodeGroups",
            cluster: { maxSize: 6, nodeGroups: [group("nodes")] },
            path: "eks-istio:cluster.maxSize",
            message:
                "is set together with eks-istio:cluster.nodeGroups, which then says everything about the nodes; each group has its own maxSize: move it there and remove it here",
        },
        {
            name: "an empty list",
            cluster: { nodeGroups: [] },
            path: "eks-istio:cluster.nodeGroups",
            message:
                "must list at least one node group (or leave the key out for the single default group, sized by cluster.instanceTypes, minSize, desiredSize and maxSize)",
        },
        {
            name: "a group without a name",
            cluster: { nodeGroups: [{ instanceTypes: ["t3.large"] }] },
            path: "eks-istio:cluster.nodeGroups[0].name",
            message: 'is required: a DNS label naming the group, such as "nodes" or "arm"',
        },
        {
            name: "a name that is not a DNS label",
            cluster: { nodeGroups: [group("Blue_1")] },
            path: "eks-istio:cluster.nodeGroups[0].name",
            message: 'must be a DNS-1123 label such as "nodes" or "arm-2"',
        },
        {
            name: "a name too long for EKS's 63-character node group name",
            cluster: { nodeGroups: [group("a".repeat(MAX_NODE_GROUP_NAME_LENGTH + 1))] },
            path: "eks-istio:cluster.nodeGroups[0].name",
            message:
                "must be at most 36 characters: EKS names the group <env>-cluster-<name> plus 8 random characters, within its 63",
        },
        {
            name: "two groups of one name",
            cluster: { nodeGroups: [group("blue"), group("green"), group("blue")] },
            path: "eks-istio:cluster.nodeGroups[2].name",
            message:
                '"blue" is also the name of eks-istio:cluster.nodeGroups[0]; each group needs its own (it names the group\'s resources, <env>-cluster-blue)',
        },
        {
            name: "ARM and x86 in one group",
            cluster: { nodeGroups: [group("nodes"), group("mixed", { instanceTypes: ["m7g.large", "m7i.large"] })] },
            path: "eks-istio:cluster.nodeGroups[1].instanceTypes",
            message:
                "mixes ARM (Graviton) and x86 instance types (m7g.large, m7i.large); a node group runs one architecture (one AMI type): list types of one kind here, and give the others a group of their own",
        },
        {
            name: "a group's sizes out of order (its maxSize defaulted)",
            cluster: { nodeGroups: [group("nodes", { minSize: 3, desiredSize: 5 })] },
            path: "eks-istio:cluster.nodeGroups[0]",
            message:
                "node counts must satisfy minSize <= desiredSize <= maxSize, got minSize 3, desiredSize 5, maxSize 4",
        },
        {
            name: "a group's maxSize over EKS's quota",
            cluster: { nodeGroups: [group("nodes", { maxSize: 451 })] },
            path: "eks-istio:cluster.nodeGroups[0].maxSize",
            message: "must be at most 450, got 451",
        },
        {
            name: "a misspelt key in a group",
            cluster: { nodeGroups: [{ name: "nodes", instanceType: ["t3.large"] }] },
            path: "eks-istio:cluster.nodeGroups[0]",
            message: 'unknown key "instanceType" (did you mean "instanceTypes"?)',
        },
        {
            name: "launchTemplate: false on a group the previous release never had",
            cluster: { nodeGroups: [group("nodes"), group("blue", { launchTemplate: false })] },
            path: "eks-istio:cluster.nodeGroups[1].launchTemplate",
            message:
                'false keeps a node group as release c1dbf01 created it, and that release had only the group "nodes"; a new group always gets the stack\'s launch template (IMDS hop limit 1, encrypted root volume): remove the key',
        },
        {
            name: "the environment label, which the stack sets",
            cluster: { nodeGroups: [group("nodes", { labels: { "eks-istio/environment": "prod" } })] },
            path: "eks-istio:cluster.nodeGroups[0].labels.eks-istio/environment",
            message: "is set by the stack on every node (the environment's name); choose another key",
        },
        {
            name: "a label key with a space",
            cluster: { nodeGroups: [group("nodes", { labels: { "team name": "x" } })] },
            path: "eks-istio:cluster.nodeGroups[0].labels.team name",
            message:
                '"team name" is not a label key: the name after any prefix must be 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (such as "workload" or "example.com/team")',
        },
        {
            name: "a label value given as a number",
            cluster: { nodeGroups: [group("nodes", { labels: { tier: 2 } })] },
            path: "eks-istio:cluster.nodeGroups[0].labels.tier",
            message: "must be a string (quote numbers and booleans)",
        },
        {
            name: "a taint effect in Kubernetes' spelling instead of EKS's",
            cluster: { nodeGroups: [group("nodes"), group("gpu", { taints: [{ key: "gpu", effect: "NoSchedule" }] })] },
            path: "eks-istio:cluster.nodeGroups[1].taints[0].effect",
            message: 'must be one of "NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE"',
        },
        {
            name: "every group repels pods without a toleration",
            cluster: {
                nodeGroups: [
                    group("a", { taints: [{ key: "team", value: "a", effect: "NO_SCHEDULE" }] }),
                    group("b", { taints: [{ key: "team", effect: "NO_EXECUTE" }] }),
                ],
            },
            path: "eks-istio:cluster.nodeGroups",
            message:
                "every group has a NO_SCHEDULE or NO_EXECUTE taint: CoreDNS, istiod, the gateway and the controllers tolerate none and would never start; leave at least one group without such a taint",
        },
        {
            name: "adoptLogGroup that is not a boolean",
            cluster: { adoptLogGroup: "yes" },
            path: "eks-istio:cluster.adoptLogGroup",
            message: 'must be a boolean, got "yes"',
        },
        {
            name: "adoptLogGroup with no log type on",
            cluster: { adoptLogGroup: true, logTypes: [] },
            path: "eks-istio:cluster.adoptLogGroup",
            message:
                "there is no log group to adopt: eks-istio:cluster.logTypes is empty, so the stack creates none and EKS writes none; remove the key",
        },
    ];
    for (const c of cases)
        it(`${c.name} → ${c.path}`, () => assertExactProblem(problemsOf(c.cluster), c.path, c.message));

    it("reports every conflicting key of the default group at once, each at its own path", () => {
        const paths = problemsOf({ instanceTypes: ["t3.large"], minSize: 1, desiredSize: 1, nodeGroups: [group("x")] })
            .map((p) => p.path)
            .sort();
        assert.deepEqual(paths, [
            "eks-istio:cluster.desiredSize",
            "eks-istio:cluster.instanceTypes",
            "eks-istio:cluster.minSize",
        ]);
    });

    it("accepts tainted groups beside one that takes any pod (PREFER_NO_SCHEDULE only repels softly)", () => {
        const cfg = parse({
            nodeGroups: [
                group("system", { taints: [{ key: "spot", effect: "PREFER_NO_SCHEDULE" }] }),
                group("gpu", {
                    instanceTypes: ["g6.xlarge"],
                    taints: [{ key: "nvidia.com/gpu", effect: "NO_SCHEDULE" }],
                }),
            ],
        });
        assert.deepEqual(
            cfg.cluster.nodeGroups.map((g) => g.taints.map((t) => t.effect)),
            [["PREFER_NO_SCHEDULE"], ["NO_SCHEDULE"]],
        );
        assert.deepEqual(cfg.warnings, []);
    });
});

describe("node groups: defaults", () => {
    it('without nodeGroups, the top-level keys are the one group "nodes" (the name every earlier release used)', () => {
        const cfg = parse({ instanceTypes: ["m7g.large"], minSize: 1, desiredSize: 3, maxSize: 5 });
        assert.deepEqual(cfg.cluster.nodeGroups, [
            {
                name: "nodes",
                instanceTypes: ["m7g.large"],
                minSize: 1,
                desiredSize: 3,
                maxSize: 5,
                labels: {},
                taints: [],
                launchTemplate: true,
            },
        ]);
    });

    it("each listed group gets the default instance types and sizes it does not state", () => {
        const cfg = parse({
            nodeGroups: [{ name: "blue" }, group("arm", { instanceTypes: ["m7g.large"], maxSize: 8 })],
        });
        assert.deepEqual(
            cfg.cluster.nodeGroups.map((g) => [g.name, g.instanceTypes, g.minSize, g.desiredSize, g.maxSize]),
            [
                ["blue", ["t3.large"], 2, 2, 4],
                ["arm", ["m7g.large"], 2, 2, 8],
            ],
        );
    });

    it("warns while a group of the previous release is listed, and while the log group is being adopted", () => {
        const cfg = parse({
            adoptLogGroup: true,
            nodeGroups: [group("nodes", { launchTemplate: false }), group("blue")],
        });
        assert.deepEqual(
            cfg.warnings.map((w) => w.path),
            ["eks-istio:cluster.nodeGroups[0].launchTemplate", "eks-istio:cluster.adoptLogGroup"],
        );
        assert.match(cfg.warnings[0].message, /^false: this group runs as release c1dbf01 created it/);
        assert.equal(
            cfg.warnings[1].message,
            "imports /aws/eks/eks-istio-dev/cluster into the stack instead of creating it (Pulumi CLI 3.174.0 or later), then sets its retention and tags; " +
                "remove the key once that `pulumi up` is done: left on, the update fails wherever the group does not exist (a new stack, another cluster name)",
        );
        assert.deepEqual(parse({}).warnings, [], "nothing to warn about by default");
    });
});

describe("node groups: label keys and values (the API server's rules)", () => {
    const keys: [string, boolean][] = [
        ["workload", true],
        ["example.com/team", true],
        ["node.kubernetes.io/lifecycle", true],
        ["a", true],
        ["A_b.c-D", true],
        ["", false],
        ["-workload", false],
        ["workload-", false],
        ["team name", false],
        ["Example.com/team", false],
        ["example.com/", false],
        ["/team", false],
        [`x/${"a".repeat(63)}`, true],
        [`x/${"a".repeat(64)}`, false],
    ];
    for (const [key, ok] of keys)
        it(`${JSON.stringify(key)} is ${ok ? "" : "not "}a label key`, () =>
            assert.equal(labelKeyProblem(key) === undefined, ok, labelKeyProblem(key)));
    const values: [string, boolean][] = [
        ["", true],
        ["general", true],
        ["v1.2_3-x", true],
        ["-x", false],
        ["a b", false],
        ["a".repeat(63), true],
        ["a".repeat(64), false],
    ];
    for (const [value, ok] of values)
        it(`${JSON.stringify(value.length > 20 ? `${value.slice(0, 5)}…(${value.length})` : value)} is ${ok ? "" : "not "}a label value`, () =>
            assert.equal(labelValueProblem(value) === undefined, ok));
});

describe("node groups: what each group registers (nodeGroupSpec)", () => {
    const cases: { name: string; cluster: Record<string, unknown>; stack?: string; expect: unknown[] }[] = [
        {
            name: "the default group follows the cluster's Kubernetes version and carries the launch template",
            cluster: { kubernetesVersion: "1.34" },
            expect: [
                {
                    name: "nodes",
                    version: "1.34",
                    instanceTypes: ["t3.large"],
                    scalingConfig: { minSize: 2, desiredSize: 2, maxSize: 4 },
                    amiType: "AL2023_x86_64_STANDARD",
                    labels: { "eks-istio/environment": "dev" },
                    ignoreScalingChanges: true,
                    launchTemplate: true,
                },
            ],
        },
        {
            name: "a Graviton group beside the previous release's group, with labels and a taint, autoscaler off",
            cluster: {
                autoscaler: false,
                nodeGroups: [
                    group("nodes", { launchTemplate: false }),
                    group("arm", {
                        instanceTypes: ["m7g.large", "c7g.large"],
                        minSize: 1,
                        desiredSize: 1,
                        maxSize: 3,
                        labels: { workload: "batch" },
                        taints: [{ key: "workload", value: "batch", effect: "PREFER_NO_SCHEDULE" }],
                    }),
                ],
            },
            stack: "stg",
            expect: [
                {
                    name: "nodes",
                    version: "1.35",
                    instanceTypes: ["t3.large"],
                    scalingConfig: { minSize: 2, desiredSize: 2, maxSize: 4 },
                    amiType: "AL2023_x86_64_STANDARD",
                    labels: { "eks-istio/environment": "stg" },
                    ignoreScalingChanges: false,
                    launchTemplate: false,
                },
                {
                    name: "arm",
                    version: "1.35",
                    instanceTypes: ["m7g.large", "c7g.large"],
                    scalingConfig: { minSize: 1, desiredSize: 1, maxSize: 3 },
                    amiType: "AL2023_ARM_64_STANDARD",
                    labels: { workload: "batch", "eks-istio/environment": "stg" },
                    taints: [{ key: "workload", value: "batch", effect: "PREFER_NO_SCHEDULE" }],
                    ignoreScalingChanges: false,
                    launchTemplate: true,
                },
            ],
        },
    ];
    for (const c of cases)
        it(c.name, () => {
            const cfg = parse(c.cluster, c.stack);
            assert.deepEqual(
                cfg.cluster.nodeGroups.map((g) => nodeGroupSpec(cfg, g)),
                c.expect,
            );
        });
});

describe("node role: AmazonEKS_CNI_Policy only while a group of the previous release runs", () => {
    const cases: [string, { legacyNodes?: boolean }, string[]][] = [
        [
            "ap-northeast-1",
            {},
            [
                "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
                "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
            ],
        ],
        [
            "ap-northeast-1",
            { legacyNodes: true },
            [
                "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
                "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
                "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
            ],
        ],
        [
            "cn-north-1",
            { legacyNodes: true },
            [
                "arn:aws-cn:iam::aws:policy/AmazonEKSWorkerNodePolicy",
                "arn:aws-cn:iam::aws:policy/AmazonEKS_CNI_Policy",
                "arn:aws-cn:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
            ],
        ],
    ];
    for (const [region, opts, expected] of cases)
        it(`${region} ${JSON.stringify(opts)}`, () => assert.deepEqual(nodeRolePolicyArns(region, opts), expected));
});

describe("vpc-cni: the URN of pulumi-eks's own add-on, which the stack's add-on aliases", () => {
    const cases: { name: string; args: Parameters<typeof pulumiEksVpcCniAddonUrn>[0]; urn: string }[] = [
        {
            name: "the dev stack (CHILDREN.md row 13a: Cluster → VpcCniAddon → Addon, all named <N>-vpc-cni)",
            args: {
                stack: "dev",
                project: "eks-istio",
                parentTypes: ["eks-istio:cluster:Cluster"],
                eksClusterName: "dev-cluster-eks",
            },
            urn: "urn:pulumi:dev::eks-istio::eks-istio:cluster:Cluster$eks:index:Cluster$eks:index:VpcCniAddon$aws:eks/addon:Addon::dev-cluster-eks-vpc-cni",
        },
        {
            name: "another stack and project: both come from the engine, never from the environment's name",
            args: {
                stack: "product",
                project: "platform",
                parentTypes: ["eks-istio:cluster:Cluster"],
                eksClusterName: "product-cluster-eks",
            },
            urn: "urn:pulumi:product::platform::eks-istio:cluster:Cluster$eks:index:Cluster$eks:index:VpcCniAddon$aws:eks/addon:Addon::product-cluster-eks-vpc-cni",
        },
        {
            name: "an eks.Cluster directly under the stack has no component type in front",
            args: { stack: "dev", project: "eks-istio", parentTypes: [], eksClusterName: "c" },
            urn: "urn:pulumi:dev::eks-istio::eks:index:Cluster$eks:index:VpcCniAddon$aws:eks/addon:Addon::c-vpc-cni",
        },
    ];
    for (const c of cases) it(c.name, () => assert.equal(pulumiEksVpcCniAddonUrn(c.args), c.urn));

    it("urnOf joins the type chain with $ and the parts with ::", () =>
        assert.equal(
            urnOf({ stack: "s", project: "p", types: ["a:b:C", "d:e:F"], name: "n" }),
            "urn:pulumi:s::p::a:b:C$d:e:F::n",
        ));
});

describe("control-plane log group: created, adopted, or none", () => {
    const cases: { name: string; cluster: Record<string, unknown>; expect: unknown }[] = [
        {
            name: "created by default, with retention and tags",
            cluster: {},
            expect: {
                args: {
                    name: "/aws/eks/eks-istio-dev/cluster",
                    retentionInDays: 30,
                    tags: {
                        "eks-istio/environment": "dev",
                        "eks-istio/stack": "dev",
                        "eks-istio/production": "false",
                        "managed-by": "pulumi",
                    },
                },
            },
        },
        {
            name: "adopted: imported by its ID, its name, with the same inputs (the engine updates it to them)",
            cluster: { adoptLogGroup: true, logRetentionDays: 90 },
            expect: {
                args: {
                    name: "/aws/eks/eks-istio-dev/cluster",
                    retentionInDays: 90,
                    tags: {
                        "eks-istio/environment": "dev",
                        "eks-istio/stack": "dev",
                        "eks-istio/production": "false",
                        "managed-by": "pulumi",
                    },
                },
                importId: "/aws/eks/eks-istio-dev/cluster",
            },
        },
        { name: "none without a log type", cluster: { logTypes: [] }, expect: undefined },
    ];
    for (const c of cases) it(c.name, () => assert.deepEqual(controlPlaneLogGroup(parse(c.cluster)), c.expect));
});

describe("adoptLogGroup: the CLI must import then update", () => {
    const adopting = parse({ adoptLogGroup: true });
    it("asks the engine for Pulumi CLI >=3.174.0, and only when adopting", async () => {
        const asked: string[] = [];
        const record = async (range: string) => void asked.push(range);
        await checkAdoptionCli(parse({}), record);
        assert.deepEqual(asked, []);
        await checkAdoptionCli(adopting, record);
        assert.deepEqual(asked, [">=3.174.0"]);
    });

    it("turns the engine's refusal into a ConfigError at the key, with both ways forward", async () => {
        const old = async () => {
            throw new Error("Pulumi CLI version 3.160.0 does not satisfy the version range >=3.174.0");
        };
        await assert.rejects(checkAdoptionCli(adopting, old), (e: unknown) => {
            assert.ok(e instanceof ConfigError);
            assert.equal(
                renderProblems(e.problems),
                "eks-istio:cluster.adoptLogGroup: needs Pulumi CLI 3.174.0 or later, which imports the log group and then sets its retention and tags in one update " +
                    "(Pulumi CLI version 3.160.0 does not satisfy the version range >=3.174.0); upgrade the CLI, or import the group with `pulumi import` instead (README, Upgrading) and remove the key",
            );
            return true;
        });
    });

    it("under mocks (no engine) Pulumi's own check passes", async () => await checkAdoptionCli(adopting));
});
