// Pure shapes of the AWS side: VPC layout, cluster settings, IAM documents. Plain data in, plain
// data out, so tests and the offline render see exactly what the components send to AWS.
import { isArmInstanceType, type StackConfig } from "../config";
import upstreamAlbPolicy from "./albControllerIamPolicy.v3.5.0.json";

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}
export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: Record<string, string | string[]>;
    Action: string | string[];
    Resource?: string | string[];
    Condition?: Record<string, Record<string, string | string[]>>;
}

/** The AWS partition of a region: ARNs in China and GovCloud do not start with arn:aws:. */
export function partitionOf(region: string): "aws" | "aws-cn" | "aws-us-gov" {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    return "aws";
}

/** Tags every AWS resource of the stack carries, so cost and ownership are visible per environment. */
export function stackTags(cfg: Pick<StackConfig, "environment" | "stack" | "production">): Record<string, string> {
    return {
        "eks-istio/environment": cfg.environment,
        "eks-istio/stack": cfg.stack,
        // Read by the policy pack, which holds production to stricter rules.
        "eks-istio/production": String(cfg.production),
        "managed-by": "pulumi",
    };
}

export interface VpcSpec {
    cidrBlock: string;
    numberOfAvailabilityZones: number;
    natGatewayStrategy: "Single" | "OnePerAz";
    publicSubnetTags: Record<string, string>;
    privateSubnetTags: Record<string, string>;
    tags: Record<string, string>;
}

/**
 * The VPC: public subnets for internet-facing ALBs, private subnets for nodes and internal ALBs.
 * The role tags are how the AWS Load Balancer Controller discovers subnets; without them an
 * Ingress never gets a load balancer.
 */
export function vpcSpec(cfg: StackConfig): VpcSpec {
    const owned = { [`kubernetes.io/cluster/${cfg.cluster.name}`]: "shared" };
    return {
        cidrBlock: cfg.cluster.vpcCidr,
        numberOfAvailabilityZones: cfg.cluster.availabilityZones,
        natGatewayStrategy: cfg.cluster.natGateways === "perAz" ? "OnePerAz" : "Single",
        publicSubnetTags: { "kubernetes.io/role/elb": "1", ...owned },
        privateSubnetTags: { "kubernetes.io/role/internal-elb": "1", ...owned },
        tags: { ...stackTags(cfg), Name: cfg.cluster.name },
    };
}

export const EKS_ADMIN_POLICY = "AmazonEKSClusterAdminPolicy";

export interface ClusterSpec {
    name: string;
    version: string;
    authenticationMode: "API";
    endpointPublicAccess: true;
    endpointPrivateAccess: true;
    publicAccessCidrs: string[];
    enabledClusterLogTypes: string[];
    createOidcProvider: true;
    deletionProtection: boolean;
    accessEntries: Record<
        string,
        {
            principalArn: string;
            accessPolicies: Record<string, { policyArn: string; accessScope: { type: "cluster" } }>;
        }
    >;
    nodeGroup: {
        instanceTypes: string[];
        scalingConfig: { minSize: number; desiredSize: number; maxSize: number };
        amiType: string;
        labels: Record<string, string>;
    };
    tags: Record<string, string>;
}

/** The EKS cluster and its managed node group as plain data. */
export function clusterSpec(cfg: StackConfig): ClusterSpec {
    const partition = partitionOf(cfg.region);
    return {
        name: cfg.cluster.name,
        version: cfg.cluster.kubernetesVersion,
        // Access entries instead of the aws-auth ConfigMap: IAM access is managed by the EKS API and
        // cannot be broken by a bad ConfigMap edit.
        authenticationMode: "API",
        endpointPublicAccess: true,
        endpointPrivateAccess: true,
        publicAccessCidrs: cfg.cluster.publicAccessCidrs,
        enabledClusterLogTypes: cfg.cluster.logTypes,
        createOidcProvider: true,
        // Off for a teardown (eks-istio:teardown), so that `pulumi destroy` can delete the cluster.
        deletionProtection: cfg.production && !cfg.teardown,
        accessEntries: Object.fromEntries(
            cfg.cluster.adminPrincipalArns.map((arn, i) => [
                `admin-${i}`,
                {
                    principalArn: arn,
                    accessPolicies: {
                        admin: {
                            policyArn: `arn:${partition}:eks::aws:cluster-access-policy/${EKS_ADMIN_POLICY}`,
                            accessScope: { type: "cluster" as const },
                        },
                    },
                },
            ]),
        ),
        nodeGroup: {
            instanceTypes: cfg.cluster.instanceTypes,
            scalingConfig: {
                minSize: cfg.cluster.minSize,
                desiredSize: cfg.cluster.desiredSize,
                maxSize: cfg.cluster.maxSize,
            },
            amiType: amiTypeFor(cfg.cluster.instanceTypes),
            labels: { "eks-istio/environment": cfg.environment },
        },
        tags: stackTags(cfg),
    };
}

/** Amazon Linux 2023 for the node group's architecture (the config rejects mixed architectures). */
export function amiTypeFor(instanceTypes: string[]): string {
    return instanceTypes.every(isArmInstanceType) ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}

/** Trust policy letting an AWS service (EC2 for nodes) assume a role. */
export function serviceTrustPolicy(service: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
    };
}

/** Managed policies a managed node group's role needs (kubelet, VPC CNI, image pulls from ECR). */
export function nodeRolePolicyArns(region: string): string[] {
    const p = partitionOf(region);
    return ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"].map(
        (n) => `arn:${p}:iam::aws:policy/${n}`,
    );
}

/** Key policy-free settings of the KMS key that envelope-encrypts Kubernetes Secrets. */
export function secretsKeySpec(cfg: StackConfig) {
    return {
        description: `Envelope encryption of Kubernetes Secrets in EKS cluster ${cfg.cluster.name}`,
        enableKeyRotation: true,
        // The longest window in production: a key deleted by mistake makes every Secret unreadable.
        deletionWindowInDays: cfg.production ? 30 : 7,
        tags: stackTags(cfg),
    };
}

export const ALB_CONTROLLER = {
    namespace: "kube-system",
    serviceAccount: "aws-load-balancer-controller",
    release: "aws-load-balancer-controller",
    chart: "aws-load-balancer-controller",
    repo: "https://aws.github.io/eks-charts",
} as const;

/**
 * The controller's IAM policy: upstream's v3.5.0 `iam_policy.json`, verbatim except for the ARN
 * partition, so it can be diffed against upstream when the controller is upgraded.
 */
export function albControllerPolicy(region: string): PolicyDocument {
    const partition = partitionOf(region);
    const json = JSON.stringify(upstreamAlbPolicy).replaceAll('"arn:aws:', `"arn:${partition}:`);
    return JSON.parse(json) as PolicyDocument;
}

/**
 * IRSA trust policy: only the controller's ServiceAccount, and only tokens minted for STS, may
 * assume the role. Both conditions are StringEquals; `issuer` is the OIDC issuer URL, with or
 * without its https:// scheme (IAM condition keys use it without).
 */
export function irsaTrustPolicy(args: {
    oidcProviderArn: string;
    issuer: string;
    namespace: string;
    serviceAccount: string;
}): PolicyDocument {
    const issuer = args.issuer.replace(/^https:\/\//, "");
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: args.oidcProviderArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${issuer}:sub`]: `system:serviceaccount:${args.namespace}:${args.serviceAccount}`,
                        [`${issuer}:aud`]: "sts.amazonaws.com",
                    },
                },
            },
        ],
    };
}
