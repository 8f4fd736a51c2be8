// Each foundation component alone under Pulumi mocks: what it sends to AWS / Kubernetes, and the
// options (parent, provider, dependsOn, protect) that decide ordering and safety.
import * as assert from "node:assert/strict";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AlbController } from "../components/albController";
import { Cluster } from "../components/cluster";
import { type StackConfig } from "../components/config";
import { parseStackConfig } from "../components/stack";
import { albControllerPolicyDocuments } from "../components/manifests/albControllerPolicy";
import { clusterSettings, irsaTrustPolicy, vpcSpec } from "../components/manifests/aws";
import { albControllerValues } from "../components/manifests/helmValues";
import { Network } from "../components/network";
import { ACCOUNT, type ComponentRun, mockOutputs, runComponents, secretInputValue, unwrap, valueOf } from "./harness";

const REGION = "ap-northeast-1";
const config = (stack: string, values: Record<string, unknown> = {}, region = REGION): StackConfig =>
    // Production stacks here are about the components, not TLS: they opt out of the HTTPS rule explicitly.
    parseStackConfig({
        stack,
        region,
        values: { ingress: { port: 8000, allowPlainHttpInProduction: true }, ...values },
    });

describe("component: Network", () => {
    let run: ComponentRun<{ dev: Network; product: Network }>;
    const dev = config("dev", { cluster: { vpcCidr: "10.10.0.0/16" } });
    const product = config("product");
    before(async () => {
        run = await runComponents(() => ({
            dev: new Network("dev-network", { spec: vpcSpec(dev), protect: false }),
            product: new Network("product-network", { spec: vpcSpec(product), protect: true }),
        }));
    });

    it("creates one awsx VPC per Network, parented to it", () => {
        const vpcs = run.ofType("awsx:ec2:Vpc");
        assert.deepEqual(vpcs.map((v) => [v.name, v.parent]).sort(), [
            ["dev-network-vpc", "dev-network"],
            ["product-network-vpc", "product-network"],
        ]);
        // The component's own type token, and no other component of that name.
        assert.deepEqual(
            run.resources.filter((r) => r.name === "dev-network").map((r) => r.type),
            ["eks-istio:network:Network"],
        );
    });

    it("sends the spec's CIDR, AZ count and NAT strategy", () => {
        const d = run.one("awsx:ec2:Vpc", "dev-network-vpc").inputs;
        assert.equal(d.cidrBlock, "10.10.0.0/16");
        assert.equal(d.numberOfAvailabilityZones, 2);
        assert.deepEqual(d.natGateways, { strategy: "Single" });
        assert.equal(d.enableDnsHostnames, true);
        assert.equal(d.enableDnsSupport, true);
        const p = run.one("awsx:ec2:Vpc", "product-network-vpc").inputs;
        assert.equal(p.numberOfAvailabilityZones, 3);
        assert.deepEqual(p.natGateways, { strategy: "OnePerAz" });
    });

    it("tags public and private subnets for load balancer discovery", () => {
        const { subnetSpecs, tags } = run.one("awsx:ec2:Vpc", "dev-network-vpc").inputs;
        const byType = Object.fromEntries(
            (subnetSpecs as { type: string; tags: Record<string, string> }[]).map((s) => [s.type, s.tags]),
        );
        assert.deepEqual(Object.keys(byType).sort(), ["Private", "Public"]);
        assert.equal(byType.Public["kubernetes.io/role/elb"], "1");
        assert.equal(byType.Public["kubernetes.io/role/internal-elb"], undefined);
        assert.equal(byType.Private["kubernetes.io/role/internal-elb"], "1");
        assert.equal(byType.Private["kubernetes.io/role/elb"], undefined);
        assert.equal(byType.Public["kubernetes.io/cluster/eks-istio-dev"], "shared");
        assert.deepEqual(tags, {
            Name: "eks-istio-dev",
            "eks-istio/environment": "dev",
            "eks-istio/stack": "dev",
            "eks-istio/production": "false",
            "managed-by": "pulumi",
        });
    });

    it("protects the VPC only when asked", () => {
        assert.equal(run.one("awsx:ec2:Vpc", "dev-network-vpc").protect, false);
        assert.equal(run.one("awsx:ec2:Vpc", "product-network-vpc").protect, true);
    });

    it("exposes the VPC's id and subnet ids", async () => {
        const n = run.result.dev;
        assert.equal(await valueOf(n.vpcId), "vpc-0abc");
        assert.deepEqual(await valueOf(n.privateSubnetIds), ["subnet-priv-a", "subnet-priv-c"]);
        assert.deepEqual(await valueOf(n.publicSubnetIds), ["subnet-pub-a", "subnet-pub-c"]);
    });
});

describe("component: Cluster", () => {
    let run: ComponentRun<{ dev: Cluster; product: Cluster }>;
    const dev = config("dev", {
        cluster: {
            publicAccessCidrs: ["203.0.113.0/24"],
            adminPrincipalArns: [`arn:aws:iam::${ACCOUNT}:role/platform-admins`],
        },
    });
    const product = config("product", { cluster: { minSize: 3, desiredSize: 3, maxSize: 9 } });
    const args = (cfg: StackConfig, protect: boolean) => ({
        ...clusterSettings(cfg),
        region: cfg.region,
        vpcId: "vpc-0abc",
        publicSubnetIds: ["subnet-pub-a", "subnet-pub-c"],
        privateSubnetIds: ["subnet-priv-a", "subnet-priv-c"],
        protect,
    });
    before(async () => {
        run = await runComponents(() => ({
            dev: new Cluster("dev-cluster", args(dev, false)),
            product: new Cluster("product-cluster", args(product, true)),
        }));
    });
    const eksOf = (name: string) => run.one("eks:index:Cluster", `${name}-eks`);

    it("creates the EKS cluster with its explicit name, API auth mode and OIDC provider", () => {
        const i = eksOf("dev-cluster").inputs;
        assert.equal(i.name, "eks-istio-dev");
        assert.equal(i.version, "1.35");
        assert.equal(i.authenticationMode, "API");
        assert.equal(i.createOidcProvider, true);
        assert.deepEqual(i.accessEntries, {
            "admin-0": {
                principalArn: "arn:aws:iam::123456789012:role/platform-admins",
                accessPolicies: {
                    admin: {
                        policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
                        accessScope: { type: "cluster" },
                    },
                },
            },
        });
        assert.deepEqual(i.enabledClusterLogTypes, ["api", "audit", "authenticator", "controllerManager", "scheduler"]);
        assert.equal(eksOf("dev-cluster").parent, "dev-cluster");
    });

    it("opens the API endpoint privately and publicly only to the configured CIDRs", () => {
        const i = eksOf("dev-cluster").inputs;
        assert.equal(i.endpointPrivateAccess, true);
        assert.equal(i.endpointPublicAccess, true);
        assert.deepEqual(i.publicAccessCidrs, ["203.0.113.0/24"]);
    });

    it("places the cluster in the VPC, skips the default node group, gives nodes no public IPs", () => {
        const i = eksOf("dev-cluster").inputs;
        assert.equal(i.vpcId, "vpc-0abc");
        assert.deepEqual(i.privateSubnetIds, ["subnet-priv-a", "subnet-priv-c"]);
        assert.deepEqual(i.publicSubnetIds, ["subnet-pub-a", "subnet-pub-c"]);
        assert.equal(i.skipDefaultNodeGroup, true);
        assert.equal(i.nodeAssociatePublicIpAddress, false);
    });

    it("encrypts Secrets with the cluster's own KMS key", () => {
        const key = run.one("aws:kms/key:Key", "dev-cluster-secrets");
        assert.equal(key.parent, "dev-cluster");
        assert.equal(key.inputs.enableKeyRotation, true);
        const keyArn = mockOutputs(key.type, key.name, key.inputs).arn;
        assert.equal(eksOf("dev-cluster").inputs.encryptionConfigKeyArn, keyArn);
    });

    it("runs a managed node group in the private subnets with the configured scaling", () => {
        const ng = run.one("eks:index:ManagedNodeGroup", "product-cluster-nodes");
        assert.deepEqual(ng.inputs.subnetIds, ["subnet-priv-a", "subnet-priv-c"]);
        assert.deepEqual(ng.inputs.scalingConfig, { minSize: 3, desiredSize: 3, maxSize: 9 });
        assert.deepEqual(ng.inputs.instanceTypes, ["t3.large"]);
        assert.equal(ng.inputs.amiType, "AL2023_x86_64_STANDARD");
        assert.equal(ng.inputs.nodeRoleArn, `arn:aws:iam::${ACCOUNT}:role/product-cluster-node`);
        assert.equal((ng.inputs.cluster as { __name?: string }).__name, "product-cluster-eks");
        assert.equal(ng.parent, "product-cluster");
    });

    it("starts nodes only after the node role carries its managed policies and the VPC CNI add-on exists", () => {
        const attachments = run
            .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
            .filter((a) => a.parent === "dev-cluster" && a.inputs.role === "dev-cluster-node");
        assert.deepEqual(attachments.map((a) => a.inputs.policyArn).sort(), [
            "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
            "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
        ]);
        const ng = run.one("eks:index:ManagedNodeGroup", "dev-cluster-nodes");
        assert.deepEqual([...ng.dependsOn].sort(), [...attachments.map((a) => a.name), "dev-cluster-vpc-cni"].sort());
        const role = JSON.parse(run.one("aws:iam/role:Role", "dev-cluster-node").inputs.assumeRolePolicy);
        assert.deepEqual(role.Statement[0].Principal, { Service: "ec2.amazonaws.com" });
    });

    it("gives the VPC CNI its own IRSA role (aws-node) with AmazonEKS_CNI_Policy, off the node role", () => {
        const role = run.one("aws:iam/role:Role", "dev-cluster-vpc-cni");
        const trust = JSON.parse(role.inputs.assumeRolePolicy);
        const issuer = "oidc.eks.ap-northeast-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
        assert.deepEqual(trust.Statement[0].Condition.StringEquals, {
            [`${issuer}:sub`]: "system:serviceaccount:kube-system:aws-node",
            [`${issuer}:aud`]: "sts.amazonaws.com",
        });
        const attachment = run
            .ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
            .filter((a) => a.inputs.role === "dev-cluster-vpc-cni");
        assert.deepEqual(
            attachment.map((a) => a.inputs.policyArn),
            ["arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy"],
        );
        const cni = run.one("aws:eks/addon:Addon", "dev-cluster-vpc-cni");
        assert.equal(cni.inputs.addonName, "vpc-cni");
        assert.equal(cni.inputs.clusterName, "eks-istio-dev");
        assert.equal(cni.inputs.serviceAccountRoleArn, `arn:aws:iam::${ACCOUNT}:role/dev-cluster-vpc-cni`);
        assert.deepEqual([...cni.dependsOn].sort(), ["dev-cluster-eks", "dev-cluster-vpc-cni"]);
    });

    it("core add-ons are EKS managed, take over the bootstrap ones, and follow the cluster's Kubernetes version", () => {
        for (const name of ["vpc-cni", "coredns"]) {
            const a = run.one("aws:eks/addon:Addon", `dev-cluster-${name}`).inputs;
            assert.equal(a.resolveConflictsOnCreate, "OVERWRITE");
            assert.equal(a.resolveConflictsOnUpdate, "OVERWRITE");
            // Resolved by aws.eks.getAddonVersion (the mocked cloud names what it was asked).
            assert.equal(a.addonVersion, `<EKS default ${name} for Kubernetes 1.35>`);
        }
        assert.deepEqual(eksOf("dev-cluster").inputs.kubeProxyAddonOptions, {
            enabled: true,
            resolveConflictsOnCreate: "OVERWRITE",
            resolveConflictsOnUpdate: "OVERWRITE",
        });
    });

    it("installs CoreDNS only once the nodes exist (its add-on waits for running pods)", () => {
        const coredns = run.one("aws:eks/addon:Addon", "dev-cluster-coredns");
        assert.deepEqual([...coredns.dependsOn].sort(), ["dev-cluster-eks", "dev-cluster-nodes"]);
        assert.equal(coredns.parent, "dev-cluster");
    });

    it("launches nodes from a launch template: IMDSv2 only, hop limit 1, encrypted root volume", () => {
        const lt = run.one("aws:ec2/launchTemplate:LaunchTemplate", "dev-cluster-nodes");
        assert.deepEqual(lt.inputs.metadataOptions, {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 1,
            instanceMetadataTags: "disabled",
        });
        assert.deepEqual(lt.inputs.blockDeviceMappings, [
            {
                deviceName: "/dev/xvda",
                ebs: { volumeSize: 20, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
            },
        ]);
        assert.equal(lt.inputs.imageId, undefined, "EKS picks the AMI from amiType");
        assert.equal(lt.inputs.userData, undefined, "EKS adds its own bootstrap");
        const ng = run.one("eks:index:ManagedNodeGroup", "dev-cluster-nodes").inputs;
        assert.deepEqual(ng.launchTemplate, { id: "dev-cluster-nodes-id", version: "1" });
        assert.equal(ng.diskSize, undefined, "diskSize conflicts with a launch template");
        assert.equal(ng.ignoreScalingChanges, true);
    });

    it("writes control-plane logs to a log group created first, with a retention (30 days, 90 in production)", () => {
        const dev = run.one("aws:cloudwatch/logGroup:LogGroup", "dev-cluster-control-plane-logs");
        assert.equal(dev.inputs.name, "/aws/eks/eks-istio-dev/cluster");
        assert.equal(dev.inputs.retentionInDays, 30);
        const product = run.one("aws:cloudwatch/logGroup:LogGroup", "product-cluster-control-plane-logs");
        assert.equal(product.inputs.retentionInDays, 90);
        assert.equal(product.protect, true);
        assert.deepEqual(eksOf("dev-cluster").dependsOn, ["dev-cluster-control-plane-logs"]);
    });

    it("states the upgrade policy (STANDARD by default)", () =>
        assert.deepEqual(eksOf("dev-cluster").inputs.upgradePolicy, { supportType: "STANDARD" }));

    it("exposes the node groups and CoreDNS for what runs pods to wait on", () => {
        assert.deepEqual(
            run.result.dev.nodes.map((n) => (n as unknown as { __name: string }).__name),
            ["dev-cluster-nodes"],
        );
        assert.equal((run.result.dev.dns as unknown as { __name: string }).__name, "dev-cluster-coredns");
    });

    it("exports the kubeconfig as a secret, and the cluster name and OIDC provider", async () => {
        const c = run.result.dev;
        const kubeconfig = (await unwrap(c.kubeconfig)) as { secret?: string };
        assert.ok(kubeconfig.secret, "kubeconfig is not secret");
        assert.equal(JSON.parse(kubeconfig.secret).clusters[0].name, "eks-istio-dev");
        assert.equal(await valueOf(c.clusterName), "eks-istio-dev");
        assert.match(await valueOf(c.oidcProviderArn), /^arn:aws:iam::\d{12}:oidc-provider\/oidc\.eks\./);
        assert.match(await valueOf(c.oidcProviderUrl), /^https:\/\/oidc\.eks\./);
    });

    it("builds the stack's kubernetes provider from the cluster's kubeconfig, kept secret", () => {
        const provider = run.one("pulumi:providers:kubernetes", "dev-cluster-k8s");
        const eks = eksOf("dev-cluster");
        const expected = mockOutputs(eks.type, eks.name, eks.inputs).kubeconfigJson;
        assert.equal(secretInputValue(provider.inputs.kubeconfig), expected);
        assert.equal(provider.parent, "dev-cluster");
        assert.equal(run.result.dev.provider.constructor, k8s.Provider);
    });

    it("protects the cluster and its KMS key when asked, and only then", () => {
        assert.equal(eksOf("product-cluster").protect, true);
        assert.equal(run.one("aws:kms/key:Key", "product-cluster-secrets").protect, true);
        assert.equal(eksOf("dev-cluster").protect, false);
        assert.equal(run.one("aws:kms/key:Key", "dev-cluster-secrets").protect, false);
    });

    it("turns EKS deletion protection and the 30-day key window on in production", () => {
        assert.equal(eksOf("product-cluster").inputs.deletionProtection, true);
        assert.equal(run.one("aws:kms/key:Key", "product-cluster-secrets").inputs.deletionWindowInDays, 30);
        assert.equal(eksOf("dev-cluster").inputs.deletionProtection, false);
    });
});

describe("component: AlbController", () => {
    const OIDC = "oidc.eks.ap-northeast-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
    const OIDC_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${OIDC}`;
    const tags = { "eks-istio/environment": "dev", "managed-by": "pulumi" };
    let run: ComponentRun<unknown>;
    before(async () => {
        run = await runComponents(() => {
            const provider = new k8s.Provider("test-k8s", { kubeconfig: "{}" });
            const common = {
                oidcProviderArn: OIDC_ARN,
                oidcProviderUrl: `https://${OIDC}`,
                version: "3.5.0",
                provider,
                nodes: [new pulumi.ComponentResource("test:cluster:Nodes", "test-nodes")],
                tags,
            };
            new AlbController("dev-alb", {
                ...common,
                clusterName: "eks-istio-dev",
                region: REGION,
                vpcId: "vpc-0abc",
            });
            new AlbController("cn-alb", {
                ...common,
                clusterName: "eks-istio-cn",
                region: "cn-north-1",
                vpcId: "vpc-0cn",
            });
            return undefined;
        });
    });
    const release = (name: string) => run.one("kubernetes:helm.sh/v3:Release", `${name}-release`);

    it("creates the two IAM policies of upstream's document narrowed to the cluster and its VPC (in the cluster's account), partition-correct", () => {
        const dev = albControllerPolicyDocuments({
            region: REGION,
            clusterName: "eks-istio-dev",
            account: ACCOUNT,
            vpcId: "vpc-0abc",
        });
        const main = run.one("aws:iam/policy:Policy", "dev-alb-policy");
        const elb = run.one("aws:iam/policy:Policy", "dev-alb-elb-policy");
        assert.deepEqual(JSON.parse(main.inputs.policy), dev.main);
        assert.deepEqual(JSON.parse(elb.inputs.policy), dev.elb);
        assert.deepEqual([main.inputs.tags, elb.inputs.tags], [tags, tags]);
        assert.ok(main.inputs.policy.includes(`"arn:aws:ec2:${REGION}:${ACCOUNT}:vpc/vpc-0abc"`));
        const cn = albControllerPolicyDocuments({
            region: "cn-north-1",
            clusterName: "eks-istio-cn",
            account: ACCOUNT,
            vpcId: "vpc-0cn",
        });
        assert.deepEqual(JSON.parse(run.one("aws:iam/policy:Policy", "cn-alb-policy").inputs.policy), cn.main);
        assert.deepEqual(JSON.parse(run.one("aws:iam/policy:Policy", "cn-alb-elb-policy").inputs.policy), cn.elb);
        assert.ok(!run.one("aws:iam/policy:Policy", "cn-alb-elb-policy").inputs.policy.includes('"arn:aws:'));
    });

    it("keeps the first policy's description, which IAM cannot change without replacing the policy", () => {
        assert.equal(
            run.one("aws:iam/policy:Policy", "dev-alb-policy").inputs.description,
            "AWS Load Balancer Controller v3.5.0 (upstream iam_policy.json)",
        );
    });

    it("creates a role only the controller's ServiceAccount can assume through the cluster's OIDC provider", () => {
        const role = run.one("aws:iam/role:Role", "dev-alb-role");
        const trust = JSON.parse(role.inputs.assumeRolePolicy);
        assert.deepEqual(
            trust,
            irsaTrustPolicy({
                oidcProviderArn: OIDC_ARN,
                issuer: OIDC,
                namespace: "kube-system",
                serviceAccount: "aws-load-balancer-controller",
            }),
        );
        assert.deepEqual(trust.Statement[0].Condition?.StringEquals, {
            [`${OIDC}:sub`]: "system:serviceaccount:kube-system:aws-load-balancer-controller",
            [`${OIDC}:aud`]: "sts.amazonaws.com",
        });
        assert.equal(role.parent, "dev-alb");
    });

    it("attaches both policies to the role", () => {
        for (const name of ["dev-alb-policy", "dev-alb-elb-policy"]) {
            const attachment = run.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", name);
            assert.equal(attachment.inputs.role, "dev-alb-role");
            assert.equal(attachment.inputs.policyArn, `arn:aws:iam::${ACCOUNT}:policy/${name}`);
            assert.equal(attachment.parent, "dev-alb");
        }
    });

    it("installs the pinned chart from the eks-charts repository into kube-system", () => {
        const i = release("dev-alb").inputs;
        assert.equal(i.name, "aws-load-balancer-controller");
        assert.equal(i.chart, "aws-load-balancer-controller");
        assert.equal(i.version, "3.5.0");
        assert.deepEqual(i.repositoryOpts, { repo: "https://aws.github.io/eks-charts" });
        assert.equal(i.namespace, "kube-system");
        assert.equal(i.atomic, true);
    });

    it("passes the cluster, region, VPC and the role ARN annotation as values", () => {
        assert.deepEqual(
            release("dev-alb").inputs.values,
            albControllerValues({
                clusterName: "eks-istio-dev",
                region: REGION,
                vpcId: "vpc-0abc",
                roleArn: `arn:aws:iam::${ACCOUNT}:role/dev-alb-role`,
            }),
        );
        const cn = release("cn-alb").inputs.values;
        assert.deepEqual([cn.clusterName, cn.region, cn.vpcId], ["eks-istio-cn", "cn-north-1", "vpc-0cn"]);
        assert.equal(
            cn.serviceAccount.annotations["eks.amazonaws.com/role-arn"],
            `arn:aws:iam::${ACCOUNT}:role/cn-alb-role`,
        );
    });

    it("uses the given kubernetes provider and waits for both policy attachments and the nodes", () => {
        const r = release("dev-alb");
        assert.equal(r.provider, "test-k8s");
        assert.deepEqual(r.dependsOn, ["dev-alb-policy", "dev-alb-elb-policy", "test-nodes"]);
        assert.equal(r.parent, "dev-alb");
    });
});
