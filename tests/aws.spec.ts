// The AWS side as plain data: what the VPC, the cluster and the IAM documents will look like to AWS.
import * as assert from "node:assert/strict";
import { partitionOf, type StackConfig } from "../components/config";
import { parseStackConfig } from "../components/stack";
import {
    amiTypeFor,
    clusterSpec,
    irsaTrustPolicy,
    nodeRolePolicyArns,
    secretsKeySpec,
    serviceTrustPolicy,
    stackTags,
    vpcSpec,
} from "../components/manifests/aws";

function config(stack: string, values: Record<string, unknown> = {}, region = "ap-northeast-1"): StackConfig {
    // Production stacks here are about the AWS side, not TLS: they opt out of the HTTPS rule explicitly.
    return parseStackConfig({
        stack,
        region,
        values: { ingress: { port: 8000, allowPlainHttpInProduction: true }, ...values },
    });
}

describe("aws: partitionOf", () => {
    const CASES: [string, string][] = [
        ["ap-northeast-1", "aws"],
        ["us-east-1", "aws"],
        ["eu-central-1", "aws"],
        ["cn-north-1", "aws-cn"],
        ["cn-northwest-1", "aws-cn"],
        ["us-gov-west-1", "aws-us-gov"],
        ["us-gov-east-1", "aws-us-gov"],
    ];
    for (const [region, partition] of CASES)
        it(`${region} → ${partition}`, () => assert.equal(partitionOf(region), partition));

    const NODE_POLICIES: [string, string][] = [
        ["ap-northeast-1", "arn:aws:iam::aws:policy/"],
        ["cn-north-1", "arn:aws-cn:iam::aws:policy/"],
        ["us-gov-west-1", "arn:aws-us-gov:iam::aws:policy/"],
    ];
    for (const [region, prefix] of NODE_POLICIES)
        it(`node role managed policies use ${prefix} in ${region}`, () =>
            assert.deepEqual(
                nodeRolePolicyArns(region),
                ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryReadOnly"].map((n) => prefix + n),
            ));
});

describe("aws: vpcSpec", () => {
    const CASES: {
        name: string;
        cfg: StackConfig;
        cidr: string;
        azs: number;
        nat: "Single" | "OnePerAz";
    }[] = [
        { name: "dev defaults", cfg: config("dev"), cidr: "10.0.0.0/16", azs: 2, nat: "Single" },
        {
            name: "stg with its CIDR",
            cfg: config("stg", { cluster: { vpcCidr: "10.20.0.0/16" } }),
            cidr: "10.20.0.0/16",
            azs: 2,
            nat: "Single",
        },
        { name: "product (production HA)", cfg: config("product"), cidr: "10.0.0.0/16", azs: 3, nat: "OnePerAz" },
        {
            name: "product with production: false",
            cfg: config("product", { production: false }),
            cidr: "10.0.0.0/16",
            azs: 2,
            nat: "Single",
        },
        {
            name: "dev overriding AZs, NAT and CIDR",
            cfg: config("dev", { cluster: { availabilityZones: 4, natGateways: "perAz", vpcCidr: "10.50.0.0/20" } }),
            cidr: "10.50.0.0/20",
            azs: 4,
            nat: "OnePerAz",
        },
        {
            name: "product with a single NAT gateway",
            cfg: config("product", { cluster: { natGateways: "single" } }),
            cidr: "10.0.0.0/16",
            azs: 3,
            nat: "Single",
        },
    ];
    for (const c of CASES)
        it(`${c.name}: ${c.cidr}, ${c.azs} AZs, NAT ${c.nat}`, () => {
            const spec = vpcSpec(c.cfg);
            assert.equal(spec.cidrBlock, c.cidr);
            assert.equal(spec.numberOfAvailabilityZones, c.azs);
            assert.equal(spec.natGatewayStrategy, c.nat);
        });

    it("tags public subnets for internet-facing ALBs and private subnets for internal ones", () => {
        const spec = vpcSpec(config("dev"));
        assert.deepEqual(spec.publicSubnetTags, {
            "kubernetes.io/role/elb": "1",
            "kubernetes.io/cluster/eks-istio-dev": "shared",
        });
        assert.deepEqual(spec.privateSubnetTags, {
            "kubernetes.io/role/internal-elb": "1",
            "kubernetes.io/cluster/eks-istio-dev": "shared",
        });
    });

    it("names the VPC after the cluster and carries the stack tags", () => {
        const cfg = config("qa");
        assert.deepEqual(vpcSpec(cfg).tags, {
            Name: "eks-istio-qa",
            "eks-istio/environment": "qa",
            "eks-istio/stack": "qa",
            "eks-istio/production": "false",
            "managed-by": "pulumi",
        });
    });
});

describe("aws: stackTags and secretsKeySpec", () => {
    it("stack tags say environment, stack, production and owner", () => {
        assert.deepEqual(stackTags(config("product")), {
            "eks-istio/environment": "product",
            "eks-istio/stack": "product",
            "eks-istio/production": "true",
            "managed-by": "pulumi",
        });
    });

    const KEYS: [string, StackConfig, number, string][] = [
        ["dev", config("dev"), 7, "false"],
        ["product", config("product"), 30, "true"],
    ];
    for (const [name, cfg, days, production] of KEYS)
        it(`secrets KMS key for ${name}: rotation on, ${days}-day deletion window`, () => {
            const key = secretsKeySpec(cfg);
            assert.equal(key.enableKeyRotation, true);
            assert.equal(key.deletionWindowInDays, days);
            assert.match(key.description, new RegExp(`eks-istio-${name}$`));
            assert.deepEqual(key.tags, {
                "eks-istio/environment": name,
                "eks-istio/stack": name,
                "eks-istio/production": production,
                "managed-by": "pulumi",
            });
        });

    it("node role trust policy lets only EC2 assume it", () => {
        assert.deepEqual(serviceTrustPolicy("ec2.amazonaws.com"), {
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
        });
    });
});

describe("aws: clusterSpec", () => {
    for (const env of ["dev", "stg", "product", "qa"])
        it(`cluster of ${env} is named eks-istio-${env}`, () =>
            assert.equal(clusterSpec(config(env)).name, `eks-istio-${env}`));

    it("uses EKS access entries (API mode), private + public endpoint, OIDC provider and all control-plane logs", () => {
        const spec = clusterSpec(config("dev"));
        assert.equal(spec.authenticationMode, "API");
        assert.equal(spec.endpointPrivateAccess, true);
        assert.equal(spec.endpointPublicAccess, true);
        assert.deepEqual(spec.publicAccessCidrs, ["0.0.0.0/0"]);
        assert.equal(spec.createOidcProvider, true);
        assert.deepEqual(spec.enabledClusterLogTypes, [
            "api",
            "audit",
            "authenticator",
            "controllerManager",
            "scheduler",
        ]);
        assert.equal(spec.version, "1.35");
        assert.deepEqual(spec.accessEntries, {});
    });

    it("restricts the public endpoint and log types as configured", () => {
        const spec = clusterSpec(
            config("dev", {
                cluster: { publicAccessCidrs: ["203.0.113.0/24", "198.51.100.0/24"], logTypes: ["audit"] },
            }),
        );
        assert.deepEqual(spec.publicAccessCidrs, ["203.0.113.0/24", "198.51.100.0/24"]);
        assert.deepEqual(spec.enabledClusterLogTypes, ["audit"]);
    });

    const PROTECTION: [string, StackConfig, boolean][] = [
        ["dev", config("dev"), false],
        ["stg", config("stg"), false],
        ["product", config("product"), true],
        ["product with production: false", config("product", { production: false }), false],
        ["dev with production: true", config("dev", { production: true }), true],
    ];
    for (const [name, cfg, on] of PROTECTION)
        it(`deletionProtection ${on ? "on" : "off"} for ${name}`, () =>
            assert.equal(clusterSpec(cfg).deletionProtection, on));

    const ADMIN_CASES: [string, string][] = [
        ["ap-northeast-1", "aws"],
        ["cn-north-1", "aws-cn"],
        ["us-gov-west-1", "aws-us-gov"],
    ];
    for (const [region, partition] of ADMIN_CASES)
        it(`access entries grant AmazonEKSClusterAdminPolicy cluster-wide to each admin principal (${region})`, () => {
            const admins = [
                `arn:${partition}:iam::123456789012:role/platform-admins`,
                `arn:${partition}:iam::123456789012:user/alice`,
            ];
            const spec = clusterSpec(config("dev", { cluster: { adminPrincipalArns: admins } }, region));
            const policyArn = `arn:${partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`;
            assert.deepEqual(spec.accessEntries, {
                "admin-0": {
                    principalArn: admins[0],
                    accessPolicies: { admin: { policyArn, accessScope: { type: "cluster" } } },
                },
                "admin-1": {
                    principalArn: admins[1],
                    accessPolicies: { admin: { policyArn, accessScope: { type: "cluster" } } },
                },
            });
        });

    for (const [region, partition] of ADMIN_CASES)
        it(`access entries grant AmazonEKSAdminViewPolicy (read-only) cluster-wide to each viewer principal, next to the admins (${region})`, () => {
            const admin = `arn:${partition}:iam::123456789012:role/platform-admins`;
            const viewers = [
                `arn:${partition}:iam::123456789012:role/eks-istio-preview-dev`,
                `arn:${partition}:iam::123456789012:user/auditor`,
            ];
            const spec = clusterSpec(
                config("dev", { cluster: { adminPrincipalArns: [admin], viewerPrincipalArns: viewers } }, region),
            );
            const policy = (name: string) => ({
                policyArn: `arn:${partition}:eks::aws:cluster-access-policy/${name}`,
                accessScope: { type: "cluster" },
            });
            assert.deepEqual(spec.accessEntries, {
                "admin-0": { principalArn: admin, accessPolicies: { admin: policy("AmazonEKSClusterAdminPolicy") } },
                "viewer-0": {
                    principalArn: viewers[0],
                    accessPolicies: { viewer: policy("AmazonEKSAdminViewPolicy") },
                },
                "viewer-1": {
                    principalArn: viewers[1],
                    accessPolicies: { viewer: policy("AmazonEKSAdminViewPolicy") },
                },
            });
        });

    it("node group: configured instance types, scaling, AMI and environment label", () => {
        const spec = clusterSpec(
            config("stg", { cluster: { instanceTypes: ["m7g.large"], minSize: 1, desiredSize: 3, maxSize: 5 } }),
        );
        assert.deepEqual(spec.nodeGroups, [
            {
                name: "nodes",
                version: "1.35",
                instanceTypes: ["m7g.large"],
                scalingConfig: { minSize: 1, desiredSize: 3, maxSize: 5 },
                amiType: "AL2023_ARM_64_STANDARD",
                labels: { "eks-istio/environment": "stg" },
                ignoreScalingChanges: true,
                launchTemplate: true,
            },
        ]);
        assert.equal(spec.useDefaultVpcCni, true);
        assert.deepEqual(spec.tags, {
            "eks-istio/environment": "stg",
            "eks-istio/stack": "stg",
            "eks-istio/production": "false",
            "managed-by": "pulumi",
        });
    });
});

describe("aws: amiTypeFor", () => {
    const CASES: [string[], string][] = [
        [["t3.large"], "AL2023_x86_64_STANDARD"],
        [["m6i.large", "m5.large"], "AL2023_x86_64_STANDARD"],
        [["g4dn.xlarge"], "AL2023_x86_64_STANDARD"],
        [["t4g.large"], "AL2023_ARM_64_STANDARD"],
        [["m7g.large", "c7g.large", "r7gd.large"], "AL2023_ARM_64_STANDARD"],
    ];
    for (const [types, ami] of CASES) it(`${types.join(", ")} → ${ami}`, () => assert.equal(amiTypeFor(types), ami));
});

describe("aws: irsaTrustPolicy", () => {
    const ISSUER = "oidc.eks.ap-northeast-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
    const PROVIDER = `arn:aws:iam::123456789012:oidc-provider/${ISSUER}`;
    const expected = {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: PROVIDER },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${ISSUER}:sub`]: "system:serviceaccount:kube-system:aws-load-balancer-controller",
                        [`${ISSUER}:aud`]: "sts.amazonaws.com",
                    },
                },
            },
        ],
    };
    const CASES: [string, string][] = [
        ["issuer URL with https://", `https://${ISSUER}`],
        ["issuer without scheme", ISSUER],
    ];
    for (const [name, issuer] of CASES)
        it(`${name}: only the controller's ServiceAccount, with an STS audience`, () => {
            const doc = irsaTrustPolicy({
                oidcProviderArn: PROVIDER,
                issuer,
                namespace: "kube-system",
                serviceAccount: "aws-load-balancer-controller",
            });
            assert.deepEqual(doc, expected);
            assert.ok(!JSON.stringify(doc).includes("StringLike"));
            assert.ok(!JSON.stringify(doc).includes("https://"));
        });

    it("binds another namespace and ServiceAccount exactly", () => {
        const doc = irsaTrustPolicy({
            oidcProviderArn: PROVIDER,
            issuer: ISSUER,
            namespace: "apps",
            serviceAccount: "web",
        });
        assert.equal(doc.Statement[0].Condition?.StringEquals?.[`${ISSUER}:sub`], "system:serviceaccount:apps:web");
    });
});
