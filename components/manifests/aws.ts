// Pure shapes of the AWS side: VPC layout, cluster settings, IAM documents. Plain data in, plain
// data out, so tests and the offline render see exactly what the components send to AWS.
import { ENVIRONMENT_LABEL, type StackConfig, type UpgradePolicy } from "../config/contract";
import type { NodeGroupConfig, TaintEffect } from "../config/nodeGroups";
import { isArmInstanceType, partitionOf } from "../config/primitives";

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
/**
 * Read-only on every object of the cluster, Secrets included: what `pulumi preview` needs to diff
 * the Helm releases (Helm keeps each release's record in a Secret) and the Kubernetes objects.
 */
export const EKS_VIEW_POLICY = "AmazonEKSAdminViewPolicy";

type AccessEntries = ClusterSpec["accessEntries"];

/**
 * One access entry per principal: `admin-<i>` with AmazonEKSClusterAdminPolicy for
 * cluster.adminPrincipalArns, `viewer-<i>` with AmazonEKSAdminViewPolicy for
 * cluster.viewerPrincipalArns (the CI preview role), both cluster-wide. The config refuses a
 * principal in both lists.
 */
export function accessEntries(
    cluster: Pick<StackConfig["cluster"], "adminPrincipalArns" | "viewerPrincipalArns">,
    partition: string,
): AccessEntries {
    const entries = (prefix: string, arns: string[], policy: string): AccessEntries =>
        Object.fromEntries(
            arns.map((principalArn, i) => [
                `${prefix}-${i}`,
                {
                    principalArn,
                    accessPolicies: {
                        [prefix]: {
                            policyArn: `arn:${partition}:eks::aws:cluster-access-policy/${policy}`,
                            accessScope: { type: "cluster" as const },
                        },
                    },
                },
            ]),
        );
    return {
        ...entries("admin", cluster.adminPrincipalArns, EKS_ADMIN_POLICY),
        ...entries("viewer", cluster.viewerPrincipalArns, EKS_VIEW_POLICY),
    };
}

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
    /** pulumi-eks passes its own default (EXTENDED) unless told: always stated. */
    upgradePolicy: { supportType: UpgradePolicy };
    /**
     * kube-proxy as an EKS managed add-on. pulumi-eks creates it (the only core add-on it manages
     * without its default node group) at the version EKS lists for the cluster's Kubernetes
     * version, so it moves with an upgrade; stated here so the render shows it.
     */
    kubeProxyAddonOptions: AddonConflictResolution & { enabled: true };
    accessEntries: Record<
        string,
        {
            principalArn: string;
            accessPolicies: Record<string, { policyArn: string; accessScope: { type: "cluster" } }>;
        }
    >;
    /**
     * true: pulumi-eks creates no `vpc-cni` add-on of its own. pulumi-eks 4.3.0 creates one unless
     * this is true or Auto Mode is on (nodejs/eks/cluster/cluster.ts:1091-1113; its SDK comment
     * says the opposite), and this stack creates the add-on itself, on its IRSA role: a second
     * CreateAddon for vpc-cni fails with "ResourceInUseException: Addon already exists".
     */
    useDefaultVpcCni: true;
    /** The managed node groups, in config order. */
    nodeGroups: NodeGroupSpec[];
    tags: Record<string, string>;
}

/** One managed node group as plain data: what the Cluster component gives eks.ManagedNodeGroup. */
export interface NodeGroupSpec {
    /** The group's name in config; the node group and its launch template are <cluster component>-<name>. */
    name: string;
    /**
     * The nodes' Kubernetes version: the cluster's. pulumi-eks defaults it to the cluster's only
     * when no launch template is given (nodejs/eks/nodes/nodegroup.ts:1886-1891), so with one the
     * group would stay behind a control-plane upgrade, and the next upgrade would be refused (EKS
     * requires node groups to match the cluster). A change is an in-place rolling update of the
     * group (UpdateNodegroupVersion), after the control plane: the group takes the cluster as input.
     */
    version: string;
    /** ForceNew upstream (instance_types): a change replaces the group, so it is a new group instead. */
    instanceTypes: string[];
    scalingConfig: { minSize: number; desiredSize: number; maxSize: number };
    amiType: string;
    labels: Record<string, string>;
    /** Absent when the group has none: the previous release sent none. */
    taints?: { key: string; value?: string; effect: TaintEffect }[];
    /**
     * The Cluster Autoscaler owns the desired size once it runs: Pulumi sets it on create and
     * then ignores changes to it (pulumi-eks's switch for this, documented for the Cluster
     * Autoscaler; the node group is inside a remote component, where an ignoreChanges option of
     * ours would not reach), so an update never scales the group back under the autoscaler.
     */
    ignoreScalingChanges: boolean;
    /**
     * Nodes start from the stack's launch template (nodeLaunchTemplateSpec). false: none, as
     * release c1dbf01 created its group; adding one later replaces the group (launch_template.id
     * is ForceNew), so such a group is only kept while its nodes are moved to another.
     */
    launchTemplate: boolean;
}

export function nodeGroupSpec(cfg: StackConfig, group: NodeGroupConfig): NodeGroupSpec {
    return {
        name: group.name,
        version: cfg.cluster.kubernetesVersion,
        instanceTypes: group.instanceTypes,
        scalingConfig: { minSize: group.minSize, desiredSize: group.desiredSize, maxSize: group.maxSize },
        amiType: amiTypeFor(group.instanceTypes),
        labels: { ...group.labels, [ENVIRONMENT_LABEL]: cfg.environment },
        ...(group.taints.length ? { taints: group.taints } : {}),
        ignoreScalingChanges: cfg.cluster.autoscaler,
        launchTemplate: group.launchTemplate,
    };
}

/** How EKS treats fields an add-on finds changed: the add-on's own values win, on create and update. */
export interface AddonConflictResolution {
    resolveConflictsOnCreate: "OVERWRITE";
    resolveConflictsOnUpdate: "OVERWRITE";
}

/** Core add-ons exist from bootstrap (self-managed); OVERWRITE lets the managed add-on take them over. */
const OVERWRITE: AddonConflictResolution = {
    resolveConflictsOnCreate: "OVERWRITE",
    resolveConflictsOnUpdate: "OVERWRITE",
};

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
        upgradePolicy: { supportType: cfg.cluster.upgradePolicy },
        kubeProxyAddonOptions: { enabled: true, ...OVERWRITE },
        accessEntries: accessEntries(cfg.cluster, partition),
        useDefaultVpcCni: true,
        nodeGroups: cfg.cluster.nodeGroups.map((g) => nodeGroupSpec(cfg, g)),
        tags: stackTags(cfg),
    };
}

/**
 * The log group EKS writes control-plane logs to. Created by the stack before the cluster, so EKS
 * finds it instead of creating its own (with "never expire", left behind by a destroy).
 */
export function controlPlaneLogGroupSpec(cfg: StackConfig) {
    return {
        // The name EKS writes to; it cannot be changed.
        name: `/aws/eks/${cfg.cluster.name}/cluster`,
        retentionInDays: cfg.cluster.logRetentionDays,
        tags: stackTags(cfg),
    };
}

/** AL2023's root device; EKS-optimized AMIs default to a 20 GiB root volume. */
export const NODE_ROOT_VOLUME = { deviceName: "/dev/xvda", sizeGiB: 20 } as const;

/**
 * The node group's launch template. IMDSv2 only, with a hop limit of 1: the node's own processes
 * (kubelet, the VPC CNI on the host network) reach instance metadata, pods behind a network hop do
 * not, so no pod can borrow the node role's credentials (AL2023's default hop limit is 2). Pods get
 * AWS access through IRSA instead, and the controllers that used to read region or VPC from IMDS
 * are given them explicitly. No image and no user data: EKS picks the AMI from the node group's
 * amiType and adds its bootstrap.
 */
export function nodeLaunchTemplateSpec(cfg: StackConfig) {
    const tags: Record<string, string> = { ...stackTags(cfg), Name: `${cfg.cluster.name}-node` };
    return {
        description: `Nodes of EKS cluster ${cfg.cluster.name}: IMDSv2 only, hop limit 1, encrypted gp3 root volume`,
        metadataOptions: {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 1,
            instanceMetadataTags: "disabled",
        },
        blockDeviceMappings: [
            {
                deviceName: NODE_ROOT_VOLUME.deviceName,
                ebs: {
                    volumeSize: NODE_ROOT_VOLUME.sizeGiB,
                    volumeType: "gp3",
                    encrypted: "true",
                    deleteOnTermination: "true",
                },
            },
        ],
        // Instances and their volumes carry the stack's tags, so cost reports see them per environment.
        tagSpecifications: ["instance", "volume"].map((resourceType) => ({ resourceType, tags })),
        // A new version becomes the default, and the node group rolls to it.
        updateDefaultVersion: true,
        tags: stackTags(cfg),
    };
}

/** The EKS managed add-ons the stack creates itself (kube-proxy comes from pulumi-eks, see ClusterSpec). */
export const EKS_ADDONS = {
    vpcCni: { addonName: "vpc-cni", namespace: "kube-system", serviceAccount: "aws-node" },
    coredns: { addonName: "coredns" },
    /** The EBS CSI driver: only with observability.prometheus.storage, whose volume it provisions. */
    ebsCsi: { addonName: "aws-ebs-csi-driver", namespace: "kube-system", serviceAccount: "ebs-csi-controller-sa" },
} as const;

/** The EBS CSI driver's provisioner name, as StorageClasses name it. */
export const EBS_CSI_PROVISIONER = "ebs.csi.aws.com";

/**
 * Whether the stack installs the EBS CSI driver: when Prometheus keeps its data on a volume. Only
 * an owner stack has add-ons (the config refuses observability in attached stacks).
 */
export function needsEbsCsiDriver(cfg: Pick<StackConfig, "observability">): boolean {
    return cfg.observability.prometheus?.storage !== undefined;
}

/**
 * An EKS managed add-on. Its version is resolved at deploy time to the one EKS lists as the default
 * for the cluster's Kubernetes version (aws.eks.getAddonVersion, mostRecent false): changing
 * kubernetesVersion moves the add-on with the cluster, and no table of eksbuild versions goes stale
 * in the repository. The preview shows the resolved version before anything changes.
 */
export function addonSpec(cfg: StackConfig, addonName: string) {
    return { addonName, ...OVERWRITE, tags: stackTags(cfg) };
}

/** What getAddonVersion is asked: the default (EKS-recommended) version for the cluster's Kubernetes version. */
export function addonVersionQuery(cfg: StackConfig, addonName: string) {
    return { addonName, kubernetesVersion: cfg.cluster.kubernetesVersion, mostRecent: false };
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

/**
 * Managed policies the node role needs: the kubelet's and image pulls from ECR. Not the VPC CNI's
 * (AmazonEKS_CNI_Policy): that is on the aws-node service account's own role (IRSA), so the
 * credentials that can change every ENI in the VPC are not on every node.
 *
 * Except while a group of release c1dbf01 runs (`legacyNodes`): its aws-node pods started before the
 * add-on had its IRSA role and keep using the node role, which EKS's update of the add-on does not
 * change (the role only reaches pods created after the service account's annotation: EKS user guide,
 * "Configure Amazon VPC CNI plugin to use IRSA", step 2). The attachment keeps the name that release
 * gave it, so it stays in place, and goes with the last such group.
 */
export function nodeRolePolicyArns(region: string, { legacyNodes = false } = {}): string[] {
    const p = partitionOf(region);
    return [
        "AmazonEKSWorkerNodePolicy",
        ...(legacyNodes ? ["AmazonEKS_CNI_Policy"] : []),
        "AmazonEC2ContainerRegistryReadOnly",
    ].map((n) => `arn:${p}:iam::aws:policy/${n}`);
}

/**
 * The EBS CSI driver's managed policy (a service-role policy, hence its path), attached to the
 * ebs-csi-controller-sa service account's IRSA role: with IMDS out of the pods' reach (hop limit 1)
 * the driver has no other credentials.
 */
export function ebsCsiPolicyArn(region: string): string {
    return `arn:${partitionOf(region)}:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy`;
}

/** The VPC CNI's managed policy, attached to the aws-node service account's IRSA role. */
export function vpcCniPolicyArn(region: string): string {
    return `arn:${partitionOf(region)}:iam::aws:policy/AmazonEKS_CNI_Policy`;
}

export const CLUSTER_AUTOSCALER = {
    namespace: "kube-system",
    serviceAccount: "cluster-autoscaler",
    release: "cluster-autoscaler",
    chart: "cluster-autoscaler",
    repo: "https://kubernetes.github.io/autoscaler",
} as const;

/**
 * Least privilege for the Cluster Autoscaler (kubernetes/autoscaler
 * cluster-autoscaler/cloudprovider/aws/README.md, "IAM Policy" and "Auto-Discovery Setup"): read
 * the Auto Scaling groups, launch templates and instance types everywhere (Describe calls take no
 * resource), and change only the groups tagged as this cluster's. A managed node group's Auto
 * Scaling group is "automatically tagged for auto-discovery by the Cluster Autoscaler" (EKS user
 * guide, managed node groups): k8s.io/cluster-autoscaler/enabled and
 * k8s.io/cluster-autoscaler/<cluster>=owned, the tags the chart's auto-discovery looks for.
 */
export function clusterAutoscalerPolicy(clusterName: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "Discover",
                Effect: "Allow",
                Action: [
                    "autoscaling:DescribeAutoScalingGroups",
                    "autoscaling:DescribeAutoScalingInstances",
                    "autoscaling:DescribeScalingActivities",
                    "autoscaling:DescribeTags",
                    "ec2:DescribeImages",
                    "ec2:DescribeInstanceTypes",
                    "ec2:DescribeLaunchTemplateVersions",
                    "ec2:GetInstanceTypesFromInstanceRequirements",
                    "eks:DescribeNodegroup",
                ],
                Resource: "*",
            },
            {
                Sid: "ScaleOwnGroupsOnly",
                Effect: "Allow",
                Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                Resource: "*",
                Condition: {
                    StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" },
                },
            },
        ],
    };
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

/**
 * A URN as the engine builds it: stack, project, the type of every ancestor below the stack and of
 * the resource itself joined by "$", then the name (pulumi/pulumi resource/urn: "urn:pulumi:<Stack>::
 * <Project>::<Qualified$Type$Name>::<Name>"; the root stack resource is not part of the chain).
 */
export function urnOf(a: { stack: string; project: string; types: string[]; name: string }): string {
    return `urn:pulumi:${a.stack}::${a.project}::${a.types.join("$")}::${a.name}`;
}

/** The children pulumi-eks 4.3.0 puts between its Cluster and its own vpc-cni add-on. */
export const PULUMI_EKS_VPC_CNI_ADDON = {
    // cluster/cluster.ts:1096-1100 (VpcCniAddon `${name}-vpc-cni`, parent: the Cluster) and
    // addons/cni-addon.ts:254, 297-312 (aws.eks.Addon named like its component, parent: it).
    types: ["eks:index:Cluster", "eks:index:VpcCniAddon", "aws:eks/addon:Addon"],
    suffix: "-vpc-cni",
} as const;

/**
 * The URN of the vpc-cni add-on pulumi-eks created inside `eksClusterName` (stacks of release
 * c1dbf01 have it, without an IRSA role). The stack's own add-on carries it as an alias, so that
 * update takes that add-on over in place instead of deleting it and creating another.
 * `parentTypes`: the types above the eks.Cluster, outermost first (here the Cluster component's).
 */
export function pulumiEksVpcCniAddonUrn(a: {
    stack: string;
    project: string;
    parentTypes: string[];
    eksClusterName: string;
}): string {
    return urnOf({
        stack: a.stack,
        project: a.project,
        types: [...a.parentTypes, ...PULUMI_EKS_VPC_CNI_ADDON.types],
        name: `${a.eksClusterName}${PULUMI_EKS_VPC_CNI_ADDON.suffix}`,
    });
}

/**
 * The control-plane log group, when a log type is on: created by the stack, or with
 * cluster.adoptLogGroup imported (the `import` resource option; the group's ID is its name).
 */
export function controlPlaneLogGroup(cfg: StackConfig) {
    if (cfg.cluster.logTypes.length === 0) return undefined;
    const args = controlPlaneLogGroupSpec(cfg);
    return { args, ...(cfg.cluster.adoptLogGroup ? { importId: args.name } : {}) };
}

/** Everything the Cluster component takes from config, as plain data. */
export function clusterSettings(cfg: StackConfig) {
    return {
        spec: clusterSpec(cfg),
        secretsKey: secretsKeySpec(cfg),
        logGroup: controlPlaneLogGroup(cfg),
        launchTemplate: nodeLaunchTemplateSpec(cfg),
        addons: {
            vpcCni: {
                spec: addonSpec(cfg, EKS_ADDONS.vpcCni.addonName),
                version: addonVersionQuery(cfg, EKS_ADDONS.vpcCni.addonName),
            },
            coredns: {
                spec: addonSpec(cfg, EKS_ADDONS.coredns.addonName),
                version: addonVersionQuery(cfg, EKS_ADDONS.coredns.addonName),
            },
            ...(needsEbsCsiDriver(cfg)
                ? {
                      ebsCsi: {
                          spec: addonSpec(cfg, EKS_ADDONS.ebsCsi.addonName),
                          version: addonVersionQuery(cfg, EKS_ADDONS.ebsCsi.addonName),
                      },
                  }
                : {}),
        },
    };
}
