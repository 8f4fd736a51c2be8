import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    type addonSpec,
    type addonVersionQuery,
    type ClusterSpec,
    type controlPlaneLogGroupSpec,
    EKS_ADDONS,
    irsaTrustPolicy,
    type nodeLaunchTemplateSpec,
    nodeRolePolicyArns,
    secretsKeySpec,
    serviceTrustPolicy,
    vpcCniPolicyArn,
} from "./manifests/aws";

type AddonSettings = { spec: ReturnType<typeof addonSpec>; version: ReturnType<typeof addonVersionQuery> };

export interface ClusterArgs {
    /** Cluster settings, from `clusterSpec(config)`. */
    spec: ClusterSpec;
    /** The control-plane log group, from `controlPlaneLogGroupSpec(config)`; absent when no log type is on. */
    logGroup?: ReturnType<typeof controlPlaneLogGroupSpec>;
    /** The nodes' launch template (IMDSv2, hop limit 1), from `nodeLaunchTemplateSpec(config)`. */
    launchTemplate: ReturnType<typeof nodeLaunchTemplateSpec>;
    /** The EKS managed add-ons created here, from `addonSpec` and `addonVersionQuery`. */
    addons: { vpcCni: AddonSettings; coredns: AddonSettings };
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
 * EKS cluster with a managed node group in private subnets (launch template: IMDSv2, hop limit 1),
 * an OIDC provider for IRSA, access entries, control-plane logs in a log group of its own, Secrets
 * encrypted with a KMS key, the core add-ons as EKS managed add-ons (the VPC CNI on its own IRSA
 * role), and the stack's Kubernetes provider.
 *
 * Order on the first `pulumi up`: log group → cluster (kube-proxy add-on inside) → vpc-cni add-on
 * → node group → coredns add-on. The CNI add-on replaces the bootstrap aws-node before any node
 * joins, so nodes come up with the CNI's IRSA credentials; CoreDNS is a Deployment, and its add-on
 * only reports ACTIVE once pods run, so it waits for the nodes.
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
    readonly nodes: eks.ManagedNodeGroup;
    /** CoreDNS, ACTIVE once its pods run on the nodes: what a release whose pods resolve names waits for. */
    readonly dns: aws.eks.Addon;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-istio:cluster:Cluster", name, {}, opts);
        const { spec } = args;

        const secretsKey = new aws.kms.Key(`${name}-secrets`, args.secretsKey, { parent: this, protect: args.protect });
        // Exists before the cluster, so EKS writes to it instead of creating one that never expires
        // and outlives the stack.
        const logGroup = args.logGroup
            ? new aws.cloudwatch.LogGroup(`${name}-control-plane-logs`, args.logGroup, {
                  parent: this,
                  protect: args.protect,
              })
            : undefined;

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
                upgradePolicy: spec.upgradePolicy,
                kubeProxyAddonOptions: spec.kubeProxyAddonOptions,
                tags: spec.tags,
            },
            { parent: this, protect: args.protect, dependsOn: logGroup ? [logGroup] : [] },
        );
        this.oidcProviderArn = cluster.oidcProviderArn;
        this.oidcProviderUrl = cluster.oidcProviderUrl;

        const addon = (
            key: "vpcCni" | "coredns",
            extra: { serviceAccountRoleArn?: pulumi.Input<string> },
            dependsOn: pulumi.Resource[],
        ) =>
            new aws.eks.Addon(
                `${name}-${EKS_ADDONS[key].addonName}`,
                {
                    ...args.addons[key].spec,
                    clusterName: spec.name,
                    addonVersion: aws.eks
                        .getAddonVersionOutput(args.addons[key].version, { parent: this })
                        .apply((v) => v.version),
                    ...extra,
                },
                { parent: this, dependsOn: [cluster, ...dependsOn] },
            );

        // The VPC CNI's AWS permissions on its own service account (IRSA), not on the node role.
        const cniRole = new aws.iam.Role(
            `${name}-vpc-cni`,
            {
                assumeRolePolicy: pulumi
                    .all([this.oidcProviderArn, this.oidcProviderUrl])
                    .apply(([oidcProviderArn, issuer]) =>
                        JSON.stringify(
                            irsaTrustPolicy({
                                oidcProviderArn,
                                issuer,
                                namespace: EKS_ADDONS.vpcCni.namespace,
                                serviceAccount: EKS_ADDONS.vpcCni.serviceAccount,
                            }),
                        ),
                    ),
                tags: spec.tags,
            },
            { parent: this },
        );
        const cniPolicy = new aws.iam.RolePolicyAttachment(
            `${name}-vpc-cni`,
            { role: cniRole.name, policyArn: vpcCniPolicyArn(args.region) },
            { parent: this },
        );
        const vpcCni = addon("vpcCni", { serviceAccountRoleArn: cniRole.arn }, [cniPolicy]);

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
        const launchTemplate = new aws.ec2.LaunchTemplate(`${name}-nodes`, args.launchTemplate, { parent: this });
        this.nodes = new eks.ManagedNodeGroup(
            `${name}-nodes`,
            {
                cluster,
                nodeRoleArn: nodeRole.arn,
                subnetIds: args.privateSubnetIds,
                instanceTypes: spec.nodeGroup.instanceTypes,
                scalingConfig: spec.nodeGroup.scalingConfig,
                ignoreScalingChanges: spec.nodeGroup.ignoreScalingChanges,
                amiType: spec.nodeGroup.amiType,
                labels: spec.nodeGroup.labels,
                // The root volume and metadata options come from here (the node group's diskSize
                // and remoteAccess cannot be combined with a launch template).
                launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
                tags: spec.tags,
            },
            // The role must carry its policies before nodes try to join, or they never become Ready;
            // the CNI add-on must have replaced the bootstrap aws-node, so nodes start with its role.
            { parent: this, dependsOn: [...attachments, vpcCni] },
        );
        this.dns = addon("coredns", {}, [this.nodes]);

        this.clusterName = pulumi.output(spec.name);
        this.kubeconfig = pulumi.secret(cluster.kubeconfigJson);
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
