// What the first `pulumi up` of a stack, and the first update of a stack of release c1dbf01, need
// from the Cluster component (issue 20): one owner of the vpc-cni add-on (pulumi-eks makes none;
// the stack's own takes over pulumi-eks's through an alias), the control-plane log group imported
// where EKS already made it, node groups that carry the cluster's Kubernetes version, and a group of
// the previous release kept exactly as that release registered it.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { Cluster } from "../components/cluster";
import { rawConfigFromMap, type StackConfig } from "../components/config";
import { clusterSettings } from "../components/manifests/aws";
import { parseStackConfig } from "../components/stack";
import { findStackFiles } from "../tools/render/render";
import { type ComponentRun, ROOT, runComponents, runStackFile, stackFileConfig } from "./harness";

const REGION = "ap-northeast-1";
const config = (stack: string, cluster: Record<string, unknown>): StackConfig =>
    parseStackConfig({ stack, region: REGION, values: { ingress: { port: 8000 }, cluster } });
const args = (cfg: StackConfig) => ({
    ...clusterSettings(cfg),
    region: cfg.region,
    vpcId: "vpc-0abc",
    publicSubnetIds: ["subnet-pub-a", "subnet-pub-c"],
    privateSubnetIds: ["subnet-priv-a", "subnet-priv-c"],
    protect: false,
});

/** URNs the mock engine registered (it builds them as the engine does: parent types joined by $). */
function registeredUrns(): string[] {
    const settings = require("@pulumi/pulumi/runtime/settings") as {
        getMonitor(): { getRegisteredResources?(): Map<string, unknown> } | undefined;
    };
    return [...(settings.getMonitor()?.getRegisteredResources?.().keys() ?? [])];
}

describe("component: Cluster — node groups, the vpc-cni add-on and the log group across releases", () => {
    let run: ComponentRun<{ dev: Cluster; stg: Cluster }>;
    let urns: string[];
    // dev: a new stack, defaults. stg: a stack of release c1dbf01 being moved: its log group
    // adopted, its group kept as that release made it, a second group beside it, and an ARM group.
    const dev = config("dev", {});
    const stg = config("stg", {
        adoptLogGroup: true,
        nodeGroups: [
            { name: "nodes", launchTemplate: false },
            { name: "blue", instanceTypes: ["m7i.large"], maxSize: 6 },
            { name: "arm", instanceTypes: ["m7g.large"], labels: { arch: "arm64" } },
        ],
    });
    before(async () => {
        run = await runComponents(() => ({
            dev: new Cluster("dev-cluster", args(dev)),
            stg: new Cluster("stg-cluster", args(stg)),
        }));
        urns = registeredUrns();
    });
    const groups = (cluster: string) => run.ofType("eks:index:ManagedNodeGroup").filter((g) => g.parent === cluster);

    it("tells pulumi-eks to create no vpc-cni add-on, so the stack's own is the only one on the cluster", () => {
        for (const name of ["dev-cluster", "stg-cluster"]) {
            assert.equal(run.one("eks:index:Cluster", `${name}-eks`).inputs.useDefaultVpcCni, true);
            const cni = run
                .ofType("aws:eks/addon:Addon")
                .filter((a) => a.parent === name && a.inputs.addonName === "vpc-cni");
            assert.deepEqual(
                cni.map((a) => a.name),
                [`${name}-vpc-cni`],
            );
        }
    });

    it("the vpc-cni add-on takes over the bootstrap aws-node (OVERWRITE on create and update) and, like pulumi-eks's, preserves it on removal", () => {
        const cni = run.one("aws:eks/addon:Addon", "dev-cluster-vpc-cni").inputs;
        assert.equal(cni.resolveConflictsOnCreate, "OVERWRITE");
        assert.equal(cni.resolveConflictsOnUpdate, "OVERWRITE");
        assert.equal(cni.preserve, true);
        assert.equal(cni.serviceAccountRoleArn, "arn:aws:iam::123456789012:role/dev-cluster-vpc-cni");
        assert.equal(run.one("aws:eks/addon:Addon", "dev-cluster-coredns").inputs.preserve, undefined);
    });

    it("aliases pulumi-eks's add-on at the URN the engine gives that child: below the eks.Cluster as registered, through VpcCniAddon", () => {
        for (const name of ["dev-cluster", "stg-cluster"]) {
            const eksUrn = urns.find((u) => u.endsWith(`$eks:index:Cluster::${name}-eks`));
            assert.ok(eksUrn, `no eks.Cluster ${name}-eks among ${urns.length} URNs`);
            const [head] = eksUrn.split(`::${name}-eks`);
            assert.deepEqual(run.one("aws:eks/addon:Addon", `${name}-vpc-cni`).aliases, [
                `${head}$eks:index:VpcCniAddon$aws:eks/addon:Addon::${name}-eks-vpc-cni`,
            ]);
        }
        assert.equal(run.one("aws:eks/addon:Addon", "dev-cluster-coredns").aliases, undefined);
    });

    it("creates one managed node group per configured group, each carrying the cluster's Kubernetes version", () => {
        assert.deepEqual(
            groups("stg-cluster").map((g) => [g.name, g.inputs.version, g.inputs.instanceTypes, g.inputs.amiType]),
            [
                ["stg-cluster-nodes", "1.35", ["t3.large"], "AL2023_x86_64_STANDARD"],
                ["stg-cluster-blue", "1.35", ["m7i.large"], "AL2023_x86_64_STANDARD"],
                ["stg-cluster-arm", "1.35", ["m7g.large"], "AL2023_ARM_64_STANDARD"],
            ],
        );
        assert.equal(run.one("eks:index:Cluster", "stg-cluster-eks").inputs.version, "1.35");
        assert.deepEqual(run.one("eks:index:ManagedNodeGroup", "stg-cluster-arm").inputs.labels, {
            arch: "arm64",
            "eks-istio/environment": "stg",
        });
    });

    it("gives each group with a launch template its own, and the previous release's group none", () => {
        const templates = run
            .ofType("aws:ec2/launchTemplate:LaunchTemplate")
            .filter((t) => t.parent === "stg-cluster")
            .map((t) => t.name);
        assert.deepEqual(templates.sort(), ["stg-cluster-arm", "stg-cluster-blue"]);
        for (const g of ["blue", "arm"])
            assert.deepEqual(run.one("eks:index:ManagedNodeGroup", `stg-cluster-${g}`).inputs.launchTemplate, {
                id: `stg-cluster-${g}-id`,
                version: "1",
            });
        assert.equal(run.one("eks:index:ManagedNodeGroup", "stg-cluster-nodes").inputs.launchTemplate, undefined);
        // A new stack: its one group "nodes" keeps the names the stack always had.
        assert.deepEqual(
            groups("dev-cluster").map((g) => [g.name, g.inputs.launchTemplate]),
            [["dev-cluster-nodes", { id: "dev-cluster-nodes-id", version: "1" }]],
        );
    });

    it("keeps AmazonEKS_CNI_Policy on the node role while the previous release's group runs, and only then", () => {
        const onNodeRole = (cluster: string) =>
            run
                .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
                .filter((a) => a.inputs.role === `${cluster}-node`)
                .map((a) => a.name)
                .sort();
        assert.deepEqual(onNodeRole("stg-cluster"), [
            "stg-cluster-node-AmazonEC2ContainerRegistryReadOnly",
            "stg-cluster-node-AmazonEKSWorkerNodePolicy",
            "stg-cluster-node-AmazonEKS_CNI_Policy",
        ]);
        assert.deepEqual(onNodeRole("dev-cluster"), [
            "dev-cluster-node-AmazonEC2ContainerRegistryReadOnly",
            "dev-cluster-node-AmazonEKSWorkerNodePolicy",
        ]);
    });

    it("starts every group after the node role's policies and the vpc-cni add-on; CoreDNS waits for all of them", () => {
        for (const g of groups("stg-cluster"))
            assert.deepEqual([...g.dependsOn].sort(), [
                "stg-cluster-node-AmazonEC2ContainerRegistryReadOnly",
                "stg-cluster-node-AmazonEKSWorkerNodePolicy",
                "stg-cluster-node-AmazonEKS_CNI_Policy",
                "stg-cluster-vpc-cni",
            ]);
        assert.deepEqual([...run.one("aws:eks/addon:Addon", "stg-cluster-coredns").dependsOn].sort(), [
            "stg-cluster-arm",
            "stg-cluster-blue",
            "stg-cluster-eks",
            "stg-cluster-nodes",
        ]);
    });

    it("exposes every group, in config order, for whatever runs pods to wait on", () => {
        const names = (c: Cluster) => c.nodes.map((n) => (n as unknown as { __name: string }).__name);
        assert.deepEqual(names(run.result.stg), ["stg-cluster-nodes", "stg-cluster-blue", "stg-cluster-arm"]);
        assert.deepEqual(names(run.result.dev), ["dev-cluster-nodes"]);
    });

    it("imports the control-plane log group by its name only when adopting, and creates it otherwise", () => {
        const stgLogs = run.one("aws:cloudwatch/logGroup:LogGroup", "stg-cluster-control-plane-logs");
        assert.equal(stgLogs.import, "/aws/eks/eks-istio-stg/cluster");
        assert.equal(stgLogs.inputs.name, "/aws/eks/eks-istio-stg/cluster");
        assert.equal(
            stgLogs.inputs.retentionInDays,
            30,
            "the import is followed by an update to the stack's retention",
        );
        assert.equal(run.one("aws:cloudwatch/logGroup:LogGroup", "dev-cluster-control-plane-logs").import, undefined);
        assert.deepEqual(run.one("eks:index:Cluster", "stg-cluster-eks").dependsOn, ["stg-cluster-control-plane-logs"]);
    });
});

describe("component: Cluster — a group of release c1dbf01 registers what that release registered", () => {
    // What c1dbf01's Cluster component gave eks.ManagedNodeGroup "dev-cluster-nodes" for its shipped
    // Pulumi.dev.yaml, evaluated under the same mocks (git worktree of c1dbf01, its own mock engine).
    const C1DBF01_INPUTS = {
        amiType: "AL2023_x86_64_STANDARD",
        cluster: "dev-cluster-eks",
        instanceTypes: ["t3.large"],
        labels: { "eks-istio/environment": "dev" },
        nodeRoleArn: "arn:aws:iam::123456789012:role/dev-cluster-node",
        scalingConfig: { desiredSize: 2, maxSize: 4, minSize: 2 },
        subnetIds: ["subnet-priv-a", "subnet-priv-c"],
        tags: {
            "eks-istio/environment": "dev",
            "eks-istio/production": "false",
            "eks-istio/stack": "dev",
            "managed-by": "pulumi",
        },
    };
    let inputs: Record<string, unknown>;
    before(async () => {
        const cfg = config("dev", {
            kubernetesVersion: "1.34",
            nodeGroups: [{ name: "nodes", launchTemplate: false }, { name: "blue" }],
        });
        const run = await runComponents(() => new Cluster("dev-cluster", args(cfg)), { stack: "dev" });
        const group = run.one("eks:index:ManagedNodeGroup", "dev-cluster-nodes");
        inputs = { ...group.inputs, cluster: (group.inputs.cluster as { __name: string }).__name };
    });

    it("every input c1dbf01 sent is sent unchanged: nothing ForceNew (instance types, AMI type, subnets, role, launch template) differs", () => {
        const sent = Object.fromEntries(Object.keys(C1DBF01_INPUTS).map((k) => [k, inputs[k]]));
        assert.deepEqual(sent, C1DBF01_INPUTS);
        assert.equal(inputs.launchTemplate, undefined);
    });

    it("adds only version (what pulumi-eks set for c1dbf01 without a launch template: the cluster's) and ignoreScalingChanges (an ignoreChanges option of the child, no input)", () => {
        const added = Object.keys(inputs).filter((k) => !(k in C1DBF01_INPUTS));
        assert.deepEqual(added.sort(), ["ignoreScalingChanges", "version"]);
        assert.equal(inputs.version, "1.34");
    });
});

describe("stacks: every shipped stack file, for the first `pulumi up` and the update from c1dbf01", () => {
    for (const file of findStackFiles()) {
        const label = path.relative(ROOT, file);
        const cluster = (rawConfigFromMap("", stackFileConfig(file)).values.cluster ?? {}) as Record<string, unknown>;
        if (cluster.stackReference !== undefined) {
            it(`${label}: an attached stack creates no cluster, add-on, node group or log group`, async () => {
                const run = await runStackFile(file);
                for (const type of [
                    "eks:index:Cluster",
                    "eks:index:ManagedNodeGroup",
                    "aws:eks/addon:Addon",
                    "aws:cloudwatch/logGroup:LogGroup",
                ])
                    assert.deepEqual(run.ofType(type), [], type);
            });
            continue;
        }
        it(`${label}: pulumi-eks makes no vpc-cni add-on, the stack's one aliases pulumi-eks's, and every node group carries the cluster's version`, async () => {
            const run = await runStackFile(file);
            const eks = run.one("eks:index:Cluster");
            assert.equal(eks.inputs.useDefaultVpcCni, true);
            const cni = run.ofType("aws:eks/addon:Addon").filter((a) => a.inputs.addonName === "vpc-cni");
            assert.equal(cni.length, 1);
            assert.match(
                cni[0].aliases?.[0] ?? "",
                new RegExp(`\\$eks:index:VpcCniAddon\\$aws:eks/addon:Addon::${eks.name}-vpc-cni$`),
            );
            const nodeGroups = run.ofType("eks:index:ManagedNodeGroup");
            assert.ok(nodeGroups.length > 0);
            for (const g of nodeGroups) assert.equal(g.inputs.version, eks.inputs.version, g.name);
        });
        it(`${label}: the log group is imported ${cluster.adoptLogGroup === true ? "(adoptLogGroup is on)" : "only with adoptLogGroup, which is off"}`, async () => {
            const run = await runStackFile(file);
            const imported = run.ofType("aws:cloudwatch/logGroup:LogGroup").map((g) => g.import);
            assert.deepEqual(
                imported,
                cluster.adoptLogGroup === true
                    ? [`/aws/eks/${run.one("eks:index:Cluster").inputs.name}/cluster`]
                    : [undefined],
            );
        });
    }
});
