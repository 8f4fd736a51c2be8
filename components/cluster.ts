import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { type ClusterSpec, nodeRolePolicyArns, secretsKeySpec, serviceTrustPolicy } from "./manifests/aws";

export interface ClusterArgs {
    /** Cluster settings, from `clusterSpec(config)`. */
    spec: ClusterSpec;
    /** KMS key settings for envelope encryption of Secrets, from `secretsKeySpec(config)`. */
    secretsKey: ReturnType<typeof secretsKeySpec>;
    /** Region, for partition-correct managed policy ARNs. */
    region: string;
    vpcId: pulumi.Input<string>;
    publicSubnetIds: pulumi.Input<string[]>;
    /** Nodes run here; they are never given public addresses. */
    privateSubnetIds: pulumi.Input<string[]>;
    /** Protect the cluster and its key from `pulumi destroy` and replacement (production). */
    protect: boolean;
}

/**
 * EKS cluster with a managed node group in private subnets, an OIDC provider for IRSA, access
 * entries, control-plane logs, Secrets encrypted with a KMS key, and the stack's Kubernetes provider.
 */
export class Cluster extends pulumi.ComponentResource {
    readonly clusterName: pulumi.Output<string>;
    /** Kubeconfig as a JSON string; secret, since it grants access to the cluster. */
    readonly kubeconfig: pulumi.Output<string>;
    readonly oidcProviderArn: pulumi.Output<string>;
    readonly oidcProviderUrl: pulumi.Output<string>;
    /** The provider every Kubernetes object of the stack is created with. */
    readonly provider: k8s.Provider;
    /** The managed node group: whatever runs pods waits for it, and is deleted before it. */
    readonly nodes: pulumi.Resource;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-istio:cluster:Cluster", name, {}, opts);
        const { spec } = args;

        const secretsKey = new aws.kms.Key(`${name}-secrets`, args.secretsKey, { parent: this, protect: args.protect });

        const cluster = new eks.Cluster(
            `${name}-eks`,
            {
                name: spec.name,
                version: spec.version,
                vpcId: args.vpcId,
                publicSubnetIds: args.publicSubnetIds,
                privateSubnetIds: args.privateSubnetIds,
                nodeAssociatePublicIpAddress: false,
                // The managed node group below replaces the default self-managed one.
                skipDefaultNodeGroup: true,
                authenticationMode: eks.AuthenticationMode.Api,
                accessEntries: spec.accessEntries,
                endpointPublicAccess: spec.endpointPublicAccess,
                endpointPrivateAccess: spec.endpointPrivateAccess,
                publicAccessCidrs: spec.publicAccessCidrs,
                enabledClusterLogTypes: spec.enabledClusterLogTypes,
                createOidcProvider: spec.createOidcProvider,
                encryptionConfigKeyArn: secretsKey.arn,
                deletionProtection: spec.deletionProtection,
                tags: spec.tags,
            },
            { parent: this, protect: args.protect },
        );

        const nodeRole = new aws.iam.Role(
            `${name}-node`,
            { assumeRolePolicy: JSON.stringify(serviceTrustPolicy("ec2.amazonaws.com")), tags: spec.tags },
            { parent: this },
        );
        const attachments = nodeRolePolicyArns(args.region).map(
            (policyArn) =>
                new aws.iam.RolePolicyAttachment(
                    `${name}-node-${policyArn.split("/").pop()}`,
                    { role: nodeRole.name, policyArn },
                    { parent: this },
                ),
        );
        this.nodes = new eks.ManagedNodeGroup(
            `${name}-nodes`,
            {
                cluster,
                nodeRoleArn: nodeRole.arn,
                subnetIds: args.privateSubnetIds,
                instanceTypes: spec.nodeGroup.instanceTypes,
                scalingConfig: spec.nodeGroup.scalingConfig,
                amiType: spec.nodeGroup.amiType,
                labels: spec.nodeGroup.labels,
                tags: spec.tags,
            },
            // The role must carry its policies before nodes try to join, or they never become Ready.
            { parent: this, dependsOn: attachments },
        );

        this.clusterName = pulumi.output(spec.name);
        this.kubeconfig = pulumi.secret(cluster.kubeconfigJson);
        this.oidcProviderArn = cluster.oidcProviderArn;
        this.oidcProviderUrl = cluster.oidcProviderUrl;
        this.provider = new k8s.Provider(
            `${name}-k8s`,
            { kubeconfig: this.kubeconfig, enableServerSideApply: true },
            { parent: this },
        );
        this.registerOutputs({
            clusterName: this.clusterName,
            kubeconfig: this.kubeconfig,
            oidcProviderArn: this.oidcProviderArn,
            oidcProviderUrl: this.oidcProviderUrl,
        });
    }
}
