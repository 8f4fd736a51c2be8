// The update planner's classifier (tools/plan): given what two revisions registered, which
// resources Pulumi would create, update, replace or delete, and why. One table per rule, each case
// a change a user could make and what the plan must say about it.
import { strict as assert } from "node:assert";
import { awsReplaceKeys, parsePath, formatPath, upstreamOf } from "../tools/plan/rules";
import { plan, res, step, summary, withInputs } from "./plan/resources";

const NG = "aws:eks/nodeGroup:NodeGroup";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const ROLE = "aws:iam/role:Role";
const ATTACH = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";

const nodeGroup = {
    amiType: "AL2023_x86_64_STANDARD",
    clusterName: "eks-istio-dev",
    instanceTypes: ["t3.large"],
    nodeRoleArn: "arn:aws:iam::123456789012:role/node",
    scalingConfig: { desiredSize: 2, minSize: 2, maxSize: 4 },
    subnetIds: ["subnet-a", "subnet-c"],
    launchTemplate: { id: "lt-1", version: "1" },
};

describe("plan: ForceNew arguments of the pinned AWS provider", () => {
    const cases: {
        title: string;
        type: string;
        version?: string;
        before: Record<string, unknown>;
        after: Record<string, unknown>;
        op: "replace" | "update" | "same";
        cites?: RegExp;
        ignoreChanges?: string[];
    }[] = [
        {
            title: "a node group's instance types (pulumi-eks's aws 7.25.0 → upstream v6.40.0)",
            type: NG,
            version: "7.25.0",
            before: nodeGroup,
            after: { ...nodeGroup, instanceTypes: ["m6i.large"] },
            op: "replace",
            cites: /ForceNew instanceTypes: \["t3.large"\] → \["m6i.large"\] \(terraform-provider-aws v6.40.0 internal\/service\/eks\/node_group.go resourceNodeGroup\+56\)/,
        },
        {
            title: "the same attribute cited at v6.58.0 for the program's aws 7.48.0",
            type: NG,
            version: "7.48.0",
            before: nodeGroup,
            after: { ...nodeGroup, instanceTypes: ["m6i.large"] },
            op: "replace",
            cites: /v6.58.0 internal\/service\/eks\/node_group.go resourceNodeGroup\+53/,
        },
        {
            title: "a node group's launch template id",
            type: NG,
            version: "7.25.0",
            before: nodeGroup,
            after: { ...nodeGroup, launchTemplate: { id: "lt-2", version: "1" } },
            op: "replace",
            cites: /ForceNew launchTemplate.id.*resourceNodeGroup\+74/,
        },
        {
            title: "a launch template added to a node group that had none",
            type: NG,
            version: "7.25.0",
            before: { ...nodeGroup, launchTemplate: undefined },
            after: nodeGroup,
            op: "replace",
            cites: /^ForceNew launchTemplate.id: \(unset\) → lt-1 \(/m,
        },
        {
            title: "a new launch template version is an update (the nodes roll)",
            type: NG,
            before: nodeGroup,
            after: { ...nodeGroup, launchTemplate: { id: "lt-1", version: "2" } },
            op: "update",
        },
        {
            title: "scaling is an update",
            type: NG,
            before: nodeGroup,
            after: { ...nodeGroup, scalingConfig: { desiredSize: 2, minSize: 2, maxSize: 6 } },
            op: "update",
        },
        {
            title: "ignoreChanges hides desiredSize (pulumi-eks ignoreScalingChanges)",
            type: NG,
            before: nodeGroup,
            after: { ...nodeGroup, scalingConfig: { desiredSize: 5, minSize: 2, maxSize: 4 } },
            op: "same",
            ignoreChanges: ["scalingConfig.desiredSize"],
        },
        {
            title: "an Optional+Computed attribute left unset keeps its value: no diff",
            type: NG,
            before: { ...nodeGroup, version: "1.34" },
            after: nodeGroup,
            op: "same",
        },
        {
            title: "the cluster's name",
            type: "aws:eks/cluster:Cluster",
            version: "7.25.0",
            before: { name: "a", version: "1.34" },
            after: { name: "b", version: "1.34" },
            op: "replace",
            cites: /cluster.go resourceCluster\+259/,
        },
        {
            title: "the cluster's Kubernetes version is an update",
            type: "aws:eks/cluster:Cluster",
            version: "7.25.0",
            before: { name: "a", version: "1.34" },
            after: { name: "a", version: "1.35" },
            op: "update",
        },
        {
            title: "removing the cluster's encryption config (CustomizeDiff ForceNewIfChange, 1 → 0)",
            type: "aws:eks/cluster:Cluster",
            version: "7.25.0",
            before: { name: "a", encryptionConfig: { provider: { keyArn: "k1" }, resources: ["secrets"] } },
            after: { name: "a" },
            op: "replace",
            cites: /ForceNewIfChange\("encryption_config"\).*resourceCluster\+19/,
        },
        {
            title: "another key for the cluster's encryption config is an update",
            type: "aws:eks/cluster:Cluster",
            version: "7.25.0",
            before: { name: "a", encryptionConfig: { provider: { keyArn: "k1" }, resources: ["secrets"] } },
            after: { name: "a", encryptionConfig: { provider: { keyArn: "k2" }, resources: ["secrets"] } },
            op: "update",
        },
        {
            title: "an add-on's namespaceConfig, added upstream after v6.40.0: not ForceNew for pulumi-eks's add-ons",
            type: "aws:eks/addon:Addon",
            version: "7.25.0",
            before: { addonName: "vpc-cni", clusterName: "c" },
            after: { addonName: "vpc-cni", clusterName: "c", namespaceConfig: { namespace: "x" } },
            op: "update",
        },
        {
            title: "… and ForceNew for the program's own add-ons (7.48.0 → v6.58.0)",
            type: "aws:eks/addon:Addon",
            version: "7.48.0",
            before: { addonName: "vpc-cni", clusterName: "c" },
            after: { addonName: "vpc-cni", clusterName: "c", namespaceConfig: { namespace: "x" } },
            op: "replace",
            cites: /addon.go resourceAddon\+58/,
        },
        {
            title: "an IAM policy's description (the autoscaler's names its version)",
            type: "aws:iam/policy:Policy",
            before: { description: "Cluster Autoscaler 1.34.2", policy: "{}" },
            after: { description: "Cluster Autoscaler 1.35.0", policy: "{}" },
            op: "replace",
            cites: /policy.go resourcePolicy\+23/,
        },
        {
            title: "a KMS key's description is an update",
            type: "aws:kms/key:Key",
            before: { description: "a" },
            after: { description: "b" },
            op: "update",
        },
        {
            title: "a VPC's CIDR",
            type: "aws:ec2/vpc:Vpc",
            version: "7.43.0",
            before: { cidrBlock: "10.10.0.0/16" },
            after: { cidrBlock: "10.20.0.0/16" },
            op: "replace",
            cites: /vpc_.go resourceVPC\+34/,
        },
        {
            title: "a route's NAT gateway is an update",
            type: "aws:ec2/route:Route",
            version: "7.43.0",
            before: { routeTableId: "rt", destinationCidrBlock: "0.0.0.0/0", natGatewayId: "nat-1" },
            after: { routeTableId: "rt", destinationCidrBlock: "0.0.0.0/0", natGatewayId: "nat-2" },
            op: "update",
        },
    ];
    for (const c of cases)
        it(`${c.title}: ${c.op}`, () => {
            const before = res(c.type, "r", c.before, { version: c.version, ignoreChanges: c.ignoreChanges });
            const after = withInputs(before, c.after);
            const s = step(plan([before], [after]), c.type, "r");
            assert.equal(s.op, c.op, s.reasons.join("\n"));
            if (c.cites) assert.match(s.reasons.join("\n"), c.cites);
        });

    it("pulumi-eks's aws 7.25.0 is diffed with upstream v6.40.0, the program's 7.48.0 and awsx's 7.43.0 with v6.58.0", () => {
        assert.deepEqual(["7.25.0", "7.43.0", "7.48.0"].map(upstreamOf), ["v6.40.0", "v6.58.0", "v6.58.0"]);
    });

    it("a type without a table entry replaces nothing", () => {
        assert.deepEqual(awsReplaceKeys("aws:s3/bucket:Bucket", { a: 1 }, { a: 2 }, { unknown: new Map() }), []);
    });

    it("paths round-trip, keys with dots quoted", () => {
        for (const text of [
            'metadata.annotations["alb.ingress.kubernetes.io/scheme"]',
            "spec.ports[0].nodePort",
            "name",
        ])
            assert.equal(formatPath(parsePath(text)), text);
    });
});

describe("plan: Kubernetes objects and Helm releases", () => {
    const cases: { title: string; type: string; before: object; after: object; op: string; dbr?: boolean }[] = [
        {
            title: "a Namespace's name",
            type: "kubernetes:core/v1:Namespace",
            before: { metadata: { name: "a" } },
            after: { metadata: { name: "b" } },
            op: "replace",
            dbr: false,
        },
        {
            title: "a Namespace's labels",
            type: "kubernetes:core/v1:Namespace",
            before: { metadata: { name: "a", labels: { x: "1" } } },
            after: { metadata: { name: "a", labels: { x: "2" } } },
            op: "update",
        },
        {
            title: "a Service's clusterIP (deleted first: same name)",
            type: "kubernetes:core/v1:Service",
            before: { metadata: { name: "s", namespace: "n" }, spec: { clusterIP: "10.0.0.1" } },
            after: { metadata: { name: "s", namespace: "n" }, spec: { clusterIP: "10.0.0.2" } },
            op: "replace",
            dbr: true,
        },
        {
            title: "a Service's type is an update",
            type: "kubernetes:core/v1:Service",
            before: { metadata: { name: "s", namespace: "n" }, spec: { type: "NodePort" } },
            after: { metadata: { name: "s", namespace: "n" }, spec: { type: "ClusterIP" } },
            op: "update",
        },
        {
            title: "a Deployment's selector",
            type: "kubernetes:apps/v1:Deployment",
            before: { metadata: { name: "d" }, spec: { selector: { matchLabels: { a: "1" } } } },
            after: { metadata: { name: "d" }, spec: { selector: { matchLabels: { a: "2" } } } },
            op: "replace",
            dbr: true,
        },
        {
            title: "an Ingress moved to another namespace",
            type: "kubernetes:networking.k8s.io/v1:Ingress",
            before: { metadata: { name: "i", namespace: "a" } },
            after: { metadata: { name: "i", namespace: "b" } },
            op: "replace",
        },
        {
            title: "an Ingress's rules are an update",
            type: "kubernetes:networking.k8s.io/v1:Ingress",
            before: { metadata: { name: "i", namespace: "a" }, spec: { rules: [] } },
            after: { metadata: { name: "i", namespace: "a" }, spec: { rules: [{ host: "x" }] } },
            op: "update",
        },
        {
            title: "a MutatingWebhookConfiguration's webhooks are an update",
            type: "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration",
            before: { metadata: { name: "w" }, webhooks: [{ name: "a" }] },
            after: { metadata: { name: "w" }, webhooks: [{ name: "b" }] },
            op: "update",
        },
        {
            title: "an Istio custom resource's name",
            type: "kubernetes:networking.istio.io/v1:Gateway",
            before: { metadata: { name: "g", namespace: "n" } },
            after: { metadata: { name: "h", namespace: "n" } },
            op: "replace",
        },
        {
            title: "a Helm release's values are one helm upgrade",
            type: "kubernetes:helm.sh/v3:Release",
            before: { name: "istiod", namespace: "istio-system", values: { a: 1 } },
            after: { name: "istiod", namespace: "istio-system", values: { a: 2 } },
            op: "update",
        },
        {
            title: "a Helm release's name (created before the old one goes)",
            type: "kubernetes:helm.sh/v3:Release",
            before: { name: "istiod", namespace: "istio-system" },
            after: { name: "istiod-1-31", namespace: "istio-system" },
            op: "replace",
            dbr: false,
        },
        {
            title: "a Helm release's namespace",
            type: "kubernetes:helm.sh/v3:Release",
            before: { name: "x", namespace: "a" },
            after: { name: "x", namespace: "b" },
            op: "replace",
        },
    ];
    for (const c of cases)
        it(`${c.title}: ${c.op}`, () => {
            const before = res(c.type, "r", c.before as Record<string, unknown>);
            const s = step(plan([before], [withInputs(before, c.after as Record<string, unknown>)]), c.type, "r");
            assert.equal(s.op, c.op, s.reasons.join("\n"));
            if (c.dbr !== undefined) assert.equal(s.deleteBeforeReplace !== undefined, c.dbr, s.reasons.join("\n"));
        });

    it("a custom resource's apiVersion moving is a new type: the old object deleted, a new one created", () => {
        const before = res("kubernetes:networking.istio.io/v1beta1:Gateway", "g", { metadata: { name: "g" } });
        const after = res("kubernetes:networking.istio.io/v1:Gateway", "g", { metadata: { name: "g" } });
        assert.deepEqual(plan([before], [after]).map(summary), [
            // The same object under a new URN: the create collides with the one still there.
            "create! kubernetes:networking.istio.io/v1:Gateway g",
            "delete kubernetes:networking.istio.io/v1beta1:Gateway g",
        ]);
    });
});

describe("plan: a replacement cascades through unknown inputs", () => {
    const role = res(ROLE, "node", { assumeRolePolicy: "{}" });
    const lt = res(LT, "nodes", { metadataOptions: { httpPutResponseHopLimit: 2 } });
    const ng = res(NG, "ng", nodeGroup, { version: "7.25.0", reads: { nodeRoleArn: [role], launchTemplate: [lt] } });
    const attach = res(
        ATTACH,
        "node-worker",
        { role: "node", policyArn: "arn:aws:iam::aws:policy/W" },
        { reads: { role: [role] } },
    );

    it("a replaced role: its attachment (role ForceNew) and the node group (nodeRoleArn ForceNew) are replaced", () => {
        const renamed = withInputs(role, { assumeRolePolicy: "{}", path: "/eks/" });
        const steps = plan([role, lt, ng, attach], [renamed, lt, ng, attach]);
        assert.deepEqual(steps.filter((s) => s.op !== "same").map(summary), [
            `replace ${ROLE} node`,
            `replace! ${NG} ng`,
            `replace ${ATTACH} node-worker`,
        ]);
        assert.match(
            step(steps, NG, "ng").reasons[0],
            /^ForceNew nodeRoleArn unknown until aws:iam\/role:Role node is replaced \(terraform-provider-aws v6.40.0 .*resourceNodeGroup\+186\)/,
        );
        assert.match(
            step(steps, ATTACH, "node-worker").reasons.join("\n"),
            /deleted before its replacement is created: pulumi-aws/,
        );
    });

    it("a new launch template for the node group: the node group is replaced", () => {
        const steps = plan([role, ng], [role, lt, ng]);
        assert.equal(step(steps, LT, "nodes").op, "create");
        assert.match(
            step(steps, NG, "ng").reasons[0],
            /ForceNew launchTemplate.id unknown until .*LaunchTemplate nodes is created/,
        );
    });

    it("a launch template changed in place: a new version, and the node group is updated (the nodes roll)", () => {
        const lt2 = withInputs(lt, { metadataOptions: { httpPutResponseHopLimit: 3 } });
        const steps = plan([role, lt, ng], [role, lt2, ng]);
        assert.equal(step(steps, LT, "nodes").op, "update");
        const s = step(steps, NG, "ng");
        assert.equal(s.op, "update");
        assert.deepEqual(s.reasons, ["launchTemplate: nodes gets a new version"]);
    });

    it("an input that is not ForceNew and reads a replaced resource is an update", () => {
        const key = res("aws:kms/key:Key", "k", {});
        const group = res(
            "aws:cloudwatch/logGroup:LogGroup",
            "lg",
            { name: "/x", kmsKeyId: "k" },
            { reads: { kmsKeyId: [key] } },
        );
        const steps = plan([key, group], [withInputs(key, { keyUsage: "SIGN_VERIFY" }), group]);
        assert.equal(step(steps, "aws:cloudwatch/logGroup:LogGroup", "lg").op, "update");
        assert.match(
            step(steps, "aws:cloudwatch/logGroup:LogGroup", "lg").reasons[0],
            /kmsKeyId is unknown until aws:kms\/key:Key k is replaced/,
        );
    });
});

describe("plan: providers", () => {
    const eks = res("aws:eks/cluster:Cluster", "eks", { name: "c", version: "1.34" }, { version: "7.25.0" });
    const k8s = res("pulumi:providers:kubernetes", "k8s", { kubeconfig: "{c}" }, { reads: { kubeconfig: [eks] } });
    const ns = res("kubernetes:core/v1:Namespace", "ns", { metadata: { name: "apps" } }, { provider: k8s });

    it("a replaced cluster replaces the Kubernetes provider (unknown kubeconfig) and every object it manages", () => {
        const steps = plan([eks, k8s, ns], [withInputs(eks, { name: "d", version: "1.34" }), k8s, ns]);
        assert.deepEqual(steps.map(summary), [
            "replace! aws:eks/cluster:Cluster eks",
            "replace pulumi:providers:kubernetes k8s",
            "replace! kubernetes:core/v1:Namespace ns",
        ]);
        assert.match(
            step(steps, "pulumi:providers:kubernetes", "k8s").reasons[0],
            /kubeconfig unknown until .* is replaced/,
        );
        assert.match(step(steps, "kubernetes:core/v1:Namespace", "ns").reasons[0], /its provider k8s is replaced/);
    });

    it("an object moved to another explicit provider is replaced", () => {
        const other = res("pulumi:providers:kubernetes", "k8s-2", { kubeconfig: "{c}" });
        const moved = res("kubernetes:core/v1:Namespace", "ns", { metadata: { name: "apps" } }, { provider: other });
        assert.match(
            step(plan([k8s, ns], [k8s, other, moved]), "kubernetes:core/v1:Namespace", "ns").reasons[0],
            /provider k8s → k8s-2/,
        );
    });

    it("another default provider version alone changes nothing; with a change, the plan says which schema diffs it", () => {
        const addon = res(
            "aws:eks/addon:Addon",
            "a",
            { addonName: "vpc-cni", clusterName: "c" },
            { version: "7.25.0" },
        );
        assert.equal(step(plan([addon], [{ ...addon, version: "7.48.0" }]), "aws:eks/addon:Addon", "a").op, "same");
        const changed = {
            ...withInputs(addon, { addonName: "vpc-cni", clusterName: "c", serviceAccountRoleArn: "r" }),
            version: "7.48.0",
        };
        const s = step(plan([addon], [changed]), "aws:eks/addon:Addon", "a");
        assert.equal(s.op, "update");
        assert.match(s.reasons.join("\n"), /@pulumi\/aws 7.48.0 \(upstream v6.58.0\), was 7.25.0 \(upstream v6.40.0\)/);
    });
});

describe("plan: components", () => {
    it("a component is never replaced by its inputs, unless its schema says so (pulumi-eks Cluster.ipFamily)", () => {
        const c = res("eks:index:Cluster", "eks", { version: "1.34" }, { kind: "remote" });
        assert.equal(step(plan([c], [withInputs(c, { version: "1.35" })]), c.type, "eks").op, "update");
        const s = step(plan([c], [withInputs(c, { version: "1.34", ipFamily: "ipv6" })]), c.type, "eks");
        assert.equal(s.op, "replace");
        assert.ok(s.danger);
        assert.match(s.reasons[0], /ipFamily changed: replaceOnChanges \(pulumi-eks v4.3.0 .*schema.json:1384/);
    });

    it("the replaceOnChanges option turns a matching change into a replace", () => {
        const r = res("aws:kms/key:Key", "k", { description: "a" }, { replaceOnChanges: ["description"] });
        assert.equal(step(plan([r], [withInputs(r, { description: "b" })]), r.type, "k").op, "replace");
    });
});
