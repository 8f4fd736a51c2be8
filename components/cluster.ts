import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
    type addonSpec,
    type addonVersionQuery,
    type ClusterSpec,
    type controlPlaneLogGroup,
    EKS_ADDONS,
    ebsCsiPolicyArn,
    irsaTrustPolicy,
    type nodeLaunchTemplateSpec,
    nodeRolePolicyArns,
    pulumiEksVpcCniAddonUrn,
    secretsKeySpec,
    serviceTrustPolicy,
    vpcCniPolicyArn,
} from "./manifests/aws";

type AddonSettings = { spec: ReturnType<typeof addonSpec>; version: ReturnType<typeof addonVersionQuery> };

export interface ClusterArgs {
    /** Cluster settings, from `clusterSpec(config)`. */
    spec: ClusterSpec;
    /**
     * The control-plane log group, from `controlPlaneLogGroup(config)`; absent when no log type is
     * on. With `importId` the existing group is imported instead of created.
     */
    logGroup?: NonNullable<ReturnType<typeof controlPlaneLogGroup>>;
    /** Each node group's launch template (IMDSv2, hop limit 1), from `nodeLaunchTemplateSpec(config)`. */
    launchTemplate: ReturnType<typeof nodeLaunchTemplateSpec>;
    /**
     * The EKS managed add-ons created here, from `addonSpec` and `addonVersionQuery`; the EBS CSI
     * driver only when Prometheus keeps its data on a volume.
     */
    addons: { vpcCni: AddonSettings; coredns: AddonSettings; ebsCsi?: AddonSettings };
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
 * EKS cluster with managed node groups in private subnets (each with its own launch template: IMDSv2,
 * hop limit 1), an OIDC provider for IRSA, access entries, control-plane logs in a log group of its
 * own, Secrets encrypted with a KMS key, the core add-ons as EKS managed add-ons (the VPC CNI on its
 * own IRSA role), and the stack's Kubernetes provider.
 *
 * Order on the first `pulumi up`: log group → cluster (kube-proxy add-on inside) → vpc-cni add-on
 * → node groups → coredns add-on. The CNI add-on takes over the bootstrap aws-node before any node
 * joins, so nodes come up with the CNI's IRSA credentials; CoreDNS is a Deployment, and its add-on
 * only reports ACTIVE once pods run, so it waits for the nodes.
 */
export class Cluster extends pulumi.ComponentResource {
    static readonly TYPE = "eks-istio:cluster:Cluster";
    readonly clusterName: pulumi.Output<string>;
    /** Kubeconfig as a JSON string; secret, since it grants access to the cluster. */
    readonly kubeconfig: pulumi.Output<string>;
    readonly oidcProviderArn: pulumi.Output<string>;
    readonly oidcProviderUrl: pulumi.Output<string>;
    /** The provider every Kubernetes object of the stack is created with. */
    readonly provider: k8s.Provider;
    /**
     * Every managed node group: whatever runs pods waits for all of them (a pod may land on any),
     * and on destroy goes before all of them.
     */
    readonly nodes: eks.ManagedNodeGroup[];
    /** CoreDNS, ACTIVE once its pods run on the nodes: what a release whose pods resolve names waits for. */
    readonly dns: aws.eks.Addon;
    /**
     * The EBS CSI driver, ACTIVE once its controller runs: what a release with an EBS volume waits
     * for (its PersistentVolumeClaim stays Pending without it). Absent unless `addons.ebsCsi`.
     */
    readonly storageDriver?: aws.eks.Addon;

    constructor(name: string, args: ClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        super(Cluster.TYPE, name, {}, opts);
        const { spec } = args;

        const secretsKey = new aws.kms.Key(`${name}-secrets`, args.secretsKey, { parent: this, protect: args.protect });
        // Exists before the cluster, so EKS writes to it instead of creating one that never expires
        // and outlives the stack. Adopted (imported, ID = name) where EKS made it already: the import
        // reads the group, then the engine updates it to these inputs in the same update (retention,
        // tags) — Pulumi CLI 3.174.0 and later (pulumi/pulumi#19339); earlier CLIs refused an import
        // whose inputs differ. Once the group is in the state with that ID, the option imports nothing
        // (step_generator.go: an import only without an old resource or with another ID), so a
        // second `pulumi up` is an ordinary one; where the group does not exist, the import fails.
        const logGroup = args.logGroup
            ? new aws.cloudwatch.LogGroup(`${name}-control-plane-logs`, args.logGroup.args, {
                  parent: this,
                  protect: args.protect,
                  ...(args.logGroup.importId ? { import: args.logGroup.importId } : {}),
              })
            : undefined;

        const eksName = `${name}-eks`;
        const cluster = new eks.Cluster(
            eksName,
            {
                name: spec.name,
                version: spec.version,
                vpcId: args.vpcId,
                publicSubnetIds: args.publicSubnetIds,
                privateSubnetIds: args.privateSubnetIds,
                nodeAssociatePublicIpAddress: false,
                // The managed node groups below replace the default self-managed one.
                skipDefaultNodeGroup: true,
                // The vpc-cni add-on is this component's (below), not pulumi-eks's.
                useDefaultVpcCni: spec.useDefaultVpcCni,
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
            key: "vpcCni" | "coredns" | "ebsCsi",
            extra: Partial<aws.eks.AddonArgs>,
            dependsOn: pulumi.Resource[],
            aliases: string[] = [],
        ) =>
            new aws.eks.Addon(
                `${name}-${EKS_ADDONS[key].addonName}`,
                {
                    ...args.addons[key]!.spec,
                    clusterName: spec.name,
                    addonVersion: aws.eks
                        .getAddonVersionOutput(args.addons[key]!.version, { parent: this })
                        .apply((v) => v.version),
                    ...extra,
                },
                { parent: this, dependsOn: [cluster, ...dependsOn], aliases },
            );

        // An add-on's IRSA role: only its own service account may assume it.
        const irsaRole = (roleName: string, account: { namespace: string; serviceAccount: string }) =>
            new aws.iam.Role(
                roleName,
                {
                    assumeRolePolicy: pulumi
                        .all([this.oidcProviderArn, this.oidcProviderUrl])
                        .apply(([oidcProviderArn, issuer]) =>
                            JSON.stringify(irsaTrustPolicy({ oidcProviderArn, issuer, ...account })),
                        ),
                    tags: spec.tags,
                },
                { parent: this },
            );

        // The VPC CNI's AWS permissions on its own service account (IRSA), not on the node role.
        const cniRole = irsaRole(`${name}-vpc-cni`, EKS_ADDONS.vpcCni);
        const cniPolicy = new aws.iam.RolePolicyAttachment(
            `${name}-vpc-cni`,
            { role: cniRole.name, policyArn: vpcCniPolicyArn(args.region) },
            { parent: this },
        );
        // Stacks of release c1dbf01 hold pulumi-eks's own vpc-cni add-on (no IRSA role). The alias
        // makes this add-on that one: EKS gets an UpdateAddon (role, version) instead of a delete and
        // a create, and aws-node is never without its add-on. The engine then diffs it with this
        // program's AWS provider (default_7_48_0) instead of pulumi-eks's bundled one (default_7_25_0):
        // both are default providers of one package that differ only in version, which the engine
        // treats as a provider upgrade, not a replacement (pulumi/pulumi step_generator.go
        // providerChanged, #2753). The alias is a full URN: this component must sit directly under
        // the stack (tests compare it with the component's own URN).
        const vpcCni = addon(
            "vpcCni",
            {
                serviceAccountRoleArn: cniRole.arn,
                // As pulumi-eks created it: removing the add-on leaves aws-node running.
                preserve: true,
            },
            [cniPolicy],
            [
                pulumiEksVpcCniAddonUrn({
                    stack: pulumi.getStack(),
                    project: pulumi.getProject(),
                    parentTypes: [Cluster.TYPE],
                    eksClusterName: eksName,
                }),
            ],
        );

        const nodeRole = new aws.iam.Role(
            `${name}-node`,
            { assumeRolePolicy: JSON.stringify(serviceTrustPolicy("ec2.amazonaws.com")), tags: spec.tags },
            { parent: this },
        );
        const legacyNodes = spec.nodeGroups.some((g) => !g.launchTemplate);
        const attachments = nodeRolePolicyArns(args.region, { legacyNodes }).map(
            (policyArn) =>
                new aws.iam.RolePolicyAttachment(
                    `${name}-node-${policyArn.split("/").pop()}`,
                    { role: nodeRole.name, policyArn },
                    { parent: this },
                ),
        );
        this.nodes = spec.nodeGroups.map((group) => {
            const groupName = `${name}-${group.name}`;
            // Each group its own template: a group's launch template ID is ForceNew, so groups never share one.
            const launchTemplate = group.launchTemplate
                ? new aws.ec2.LaunchTemplate(groupName, args.launchTemplate, { parent: this })
                : undefined;
            return new eks.ManagedNodeGroup(
                groupName,
                {
                    cluster,
                    version: group.version,
                    nodeRoleArn: nodeRole.arn,
                    subnetIds: args.privateSubnetIds,
                    instanceTypes: group.instanceTypes,
                    scalingConfig: group.scalingConfig,
                    ignoreScalingChanges: group.ignoreScalingChanges,
                    amiType: group.amiType,
                    labels: group.labels,
                    ...(group.taints ? { taints: group.taints } : {}),
                    // The root volume and metadata options come from here (the node group's diskSize
                    // and remoteAccess cannot be combined with a launch template).
                    ...(launchTemplate
                        ? {
                              launchTemplate: {
                                  id: launchTemplate.id,
                                  version: launchTemplate.latestVersion.apply(String),
                              },
                          }
                        : {}),
                    tags: spec.tags,
                },
                // The role must carry its policies before nodes try to join, or they never become Ready;
                // the CNI add-on must have taken over the bootstrap aws-node, so nodes start with its role.
                { parent: this, dependsOn: [...attachments, vpcCni] },
            );
        });
        this.dns = addon("coredns", {}, this.nodes);

        // The EBS CSI driver on its own IRSA role: nodes keep IMDS out of the pods' reach (hop
        // limit 1), so the driver has no credentials but these. After the nodes, like CoreDNS: its
        // add-on reports ACTIVE only once the controller's pods run.
        if (args.addons.ebsCsi) {
            const ebsRole = irsaRole(`${name}-ebs-csi`, EKS_ADDONS.ebsCsi);
            const ebsPolicy = new aws.iam.RolePolicyAttachment(
                `${name}-ebs-csi`,
                { role: ebsRole.name, policyArn: ebsCsiPolicyArn(args.region) },
                { parent: this },
            );
            this.storageDriver = addon("ebsCsi", { serviceAccountRoleArn: ebsRole.arn }, [ebsPolicy, ...this.nodes]);
        }

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
