// What pulumi-eks (the version in versions.ts) creates inside eks:index:Cluster and
// eks:index:ManagedNodeGroup for the arguments the program passed. Under mocks those remote
// components register no children; `pulumi up` creates all of these. Both branches of every
// condition are modelled, so a changed argument changes the model as it would change the stack.
import { createHash } from "node:crypto";
import { keyOf, referencedName, type Recorded } from "./graph";
import type { Builder, Sdk } from "./model";
import { RULES, type Rule } from "./rules";
import { defaultProvider, MODELLED } from "./versions";

const AWS: Sdk = { provider: defaultProvider(MODELLED.eks.aws), registeredWith: `@pulumi/aws ${MODELLED.eks.aws}` };
const OVERWRITE = "OVERWRITE";

/** pulumi-eks ServiceRole: `<name>-role` and one attachment per managed policy, `<name>-<sha1(policy id)[0:8]>`. */
export function attachmentName(role: string, policy: string): string {
    const id = `arn:aws:iam::aws:policy/${policy}`;
    return `${role}-${createHash("sha1").update(id).digest("hex").slice(0, 8)}`;
}

function serviceRole(b: Builder, parent: string, name: string, rule: Rule, service: string, policies: string[]) {
    const component = b.child(parent, "eks:index:ServiceRole", name, rule, { service, policies });
    // pulumi-eks sets no role name: pulumi-aws names it `<name>-role-<random>`, which cannot collide.
    b.child(component, "aws:iam/role:Role", `${name}-role`, rule, { service }, AWS);
    for (const policy of policies)
        b.child(
            component,
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            attachmentName(name, policy),
            rule,
            { policyArn: `arn:<partition>:iam::aws:policy/${policy}` },
            AWS,
        );
}

/** The add-on version pulumi-eks asks AWS for when none is given: the most recent, so it can move at any preview. */
const mostRecent = (addon: string, version: unknown) =>
    `<EKS most recent ${addon} for Kubernetes ${typeof version === "string" ? version : "<cluster version>"}>`;

function addon(
    b: Builder,
    parent: string,
    name: string,
    rule: Rule,
    addonName: string,
    clusterName: string,
    version: unknown,
    options: Record<string, any> | undefined,
) {
    b.child(
        parent,
        "aws:eks/addon:Addon",
        name,
        rule,
        {
            addonName,
            clusterName,
            addonVersion: options?.version ?? options?.addonVersion ?? mostRecent(addonName, version),
            resolveConflictsOnCreate: options?.resolveConflictsOnCreate ?? OVERWRITE,
            resolveConflictsOnUpdate: options?.resolveConflictsOnUpdate ?? OVERWRITE,
            preserve: true,
            ...(options?.serviceAccountRoleArn ? { serviceAccountRoleArn: options.serviceAccountRoleArn } : {}),
        },
        AWS,
    );
}

const supportsConfigMap = (mode: unknown) =>
    mode === undefined || mode === "CONFIG_MAP" || mode === "API_AND_CONFIG_MAP";
const supportsAccessEntries = (mode: unknown) => mode === "API" || mode === "API_AND_CONFIG_MAP";

/** The children of one `eks:index:Cluster` (nodejs/eks/cluster/cluster.ts, createCore and createCluster). */
export function clusterChildren(b: Builder, cluster: Recorded): void {
    const a = cluster.inputs;
    const N = cluster.name;
    const parent = keyOf(cluster);
    const clusterName = b.g.eksClusterName(cluster);
    const autoMode = a.autoMode?.enabled === true;
    const skipSecurityGroups = a.skipDefaultSecurityGroups ?? autoMode;
    const skipDefaultNodeGroup = Boolean(a.skipDefaultNodeGroup || a.fargate || autoMode);

    if (!a.serviceRole)
        serviceRole(b, parent, `${N}-eksRole`, RULES.eksServiceRole, "eks.amazonaws.com", [
            "AmazonEKSClusterPolicy",
            ...(autoMode
                ? [
                      "AmazonEKSComputePolicy",
                      "AmazonEKSBlockStoragePolicy",
                      "AmazonEKSLoadBalancingPolicy",
                      "AmazonEKSNetworkingPolicy",
                  ]
                : []),
        ]);
    if (!a.clusterSecurityGroup && !skipSecurityGroups) {
        const rule = RULES.eksClusterSecurityGroup;
        b.child(
            parent,
            "aws:ec2/securityGroup:SecurityGroup",
            `${N}-eksClusterSecurityGroup`,
            rule,
            { tags: { Name: `${N}-eksClusterSecurityGroup` }, revokeRulesOnDelete: true },
            AWS,
        );
        b.child(
            parent,
            "aws:ec2/securityGroupRule:SecurityGroupRule",
            `${N}-eksClusterInternetEgressRule`,
            rule,
            { type: "egress", cidrBlocks: ["0.0.0.0/0"] },
            AWS,
        );
    }
    if (autoMode && a.autoMode.createNodeRole !== false)
        serviceRole(b, parent, `${N}-nodeRole`, RULES.eksAutoModeNodeRole, "ec2.amazonaws.com", [
            "AmazonEKSWorkerNodeMinimalPolicy",
            "AmazonEC2ContainerRegistryPullOnly",
        ]);
    b.child(
        parent,
        "aws:eks/cluster:Cluster",
        `${N}-eksCluster`,
        RULES.eksCluster,
        {
            name: clusterName,
            version: a.version,
            enabledClusterLogTypes: Array.isArray(a.enabledClusterLogTypes) ? a.enabledClusterLogTypes : [],
            bootstrapSelfManagedAddons: autoMode ? false : (a.bootstrapSelfManagedAddons ?? true),
            authenticationMode: a.authenticationMode,
        },
        AWS,
    );
    if (a.kubeProxyAddonOptions?.enabled ?? !autoMode)
        addon(
            b,
            parent,
            `${N}-kube-proxy`,
            RULES.eksKubeProxy,
            "kube-proxy",
            clusterName,
            a.version,
            a.kubeProxyAddonOptions,
        );
    b.child(
        parent,
        "pulumi:providers:kubernetes",
        `${N}-eks-k8s`,
        RULES.eksK8sProvider,
        {},
        {
            registeredWith: `@pulumi/kubernetes ${MODELLED.eks.kubernetes}`,
        },
    );
    const K8S: Sdk = { provider: `${N}-eks-k8s`, registeredWith: `@pulumi/kubernetes ${MODELLED.eks.kubernetes}` };

    // The instance role of self-managed nodes: given, created, or none.
    let defaultInstanceRole: string | undefined;
    if (a.instanceRoles) defaultInstanceRole = undefined;
    else if (a.instanceRole) {
        defaultInstanceRole = "<the instanceRole's ARN>";
        if (!skipDefaultNodeGroup && !a.instanceProfileName)
            b.child(
                parent,
                "aws:iam/instanceProfile:InstanceProfile",
                `${N}-instanceProfile`,
                RULES.eksInstanceRole,
                {},
                AWS,
            );
    } else if (a.createInstanceRole || (!a.skipDefaultNodeGroup && a.createInstanceRole === undefined)) {
        serviceRole(b, parent, `${N}-instanceRole`, RULES.eksInstanceRole, "ec2.amazonaws.com", [
            "AmazonEKSWorkerNodePolicy",
            "AmazonEKS_CNI_Policy",
            "AmazonEC2ContainerRegistryReadOnly",
        ]);
        defaultInstanceRole = `<${N}-instanceRole-role's ARN>`;
        if (a.customInstanceRolePolicy)
            b.child(
                parent,
                "aws:iam/rolePolicy:RolePolicy",
                `${N}-EKSWorkerCustomPolicy`,
                RULES.eksInstanceRole,
                {},
                AWS,
            );
        if (!a.instanceProfileName)
            b.child(
                parent,
                "aws:iam/instanceProfile:InstanceProfile",
                `${N}-instanceProfile`,
                RULES.eksInstanceRole,
                {},
                AWS,
            );
    }

    if (supportsConfigMap(a.authenticationMode))
        b.child(
            parent,
            "kubernetes:core/v1:ConfigMap",
            `${N}-nodeAccess`,
            RULES.eksAwsAuth,
            { metadata: { name: "aws-auth", namespace: "kube-system" } },
            K8S,
            clusterName,
        );
    if (supportsAccessEntries(a.authenticationMode)) {
        if (defaultInstanceRole)
            b.child(
                parent,
                "aws:eks/accessEntry:AccessEntry",
                `${N}-defaultNodeGroupInstanceRole`,
                RULES.eksDefaultNodeGroupAccessEntry,
                { clusterName, principalArn: defaultInstanceRole, type: "EC2_LINUX" },
                AWS,
            );
        const entries = a.accessEntries && typeof a.accessEntries === "object" ? a.accessEntries : {};
        for (const [entryKey, entry] of Object.entries(entries as Record<string, any>)) {
            const entryRef = b.child(
                parent,
                "aws:eks/accessEntry:AccessEntry",
                `${N}-${entryKey}`,
                RULES.eksAccessEntry,
                { clusterName, principalArn: entry?.principalArn, type: entry?.type ?? "STANDARD" },
                AWS,
            );
            for (const [policyKey, policy] of Object.entries((entry?.accessPolicies ?? {}) as Record<string, any>))
                b.child(
                    entryRef,
                    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
                    `${N}-${entryKey}-${policyKey}`,
                    RULES.eksAccessEntry,
                    { clusterName, principalArn: entry?.principalArn, policyArn: policy?.policyArn },
                    AWS,
                );
        }
    }
    const storageClasses = typeof a.storageClasses === "string" ? { [a.storageClasses]: {} } : (a.storageClasses ?? {});
    for (const sc of Object.keys(storageClasses))
        b.child(
            parent,
            "kubernetes:storage.k8s.io/v1:StorageClass",
            `${N.toLowerCase()}-${sc}`,
            RULES.eksStorageClass,
            {},
            K8S,
            clusterName,
        );

    const vpcCniOn = a.useDefaultVpcCni !== undefined ? !a.useDefaultVpcCni : !autoMode;
    if (vpcCniOn) {
        // The add-on itself is built in addons/cni-addon.ts:250-312 (OVERWRITE on create and update,
        // the most recent version unless one is given, no service account role unless given).
        const component = b.child(parent, "eks:index:VpcCniAddon", `${N}-vpc-cni`, RULES.eksVpcCni);
        addon(b, component, `${N}-vpc-cni`, RULES.eksVpcCni, "vpc-cni", clusterName, a.version, a.vpcCniOptions ?? {});
        if (a.vpcCniOptions?.securityContextPrivileged)
            b.child(
                component,
                "kubernetes:apps/v1:DaemonSetPatch",
                `${N}-vpc-cni`,
                RULES.eksVpcCniPatch,
                { metadata: { name: "aws-node", namespace: "kube-system" } },
                K8S,
                clusterName,
            );
    }

    if (a.fargate) {
        const fargate = a.fargate === true ? {} : a.fargate;
        if (!fargate.podExecutionRoleArn)
            serviceRole(b, parent, `${N}-podExecutionRole`, RULES.eksFargate, "eks-fargate-pods.amazonaws.com", [
                "AmazonEKSFargatePodExecutionRolePolicy",
            ]);
        const profile =
            N === "eks" || /^eks-/i.test(N) ? `${N.replace("-", "_")}fargateProfile` : `${N}-fargateProfile`;
        b.child(parent, "aws:eks/fargateProfile:FargateProfile", profile, RULES.eksFargate, { clusterName }, AWS);
    }

    const coredns = a.corednsAddonOptions;
    if (
        coredns?.enabled === true ||
        coredns?.configurationValues ||
        ((a.fargate || !a.skipDefaultNodeGroup || autoMode) && (coredns?.enabled ?? true))
    )
        addon(b, parent, `${N}-coredns`, RULES.eksCoredns, "coredns", clusterName, a.version, coredns);

    if (a.createOidcProvider)
        b.child(
            parent,
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
            `${N}-oidcProvider`,
            RULES.eksOidcProvider,
            { clientIdLists: ["sts.amazonaws.com"] },
            AWS,
        );

    if (!skipSecurityGroups) {
        const rule = RULES.eksNodeSecurityGroup;
        b.child(
            parent,
            "aws:ec2/securityGroup:SecurityGroup",
            `${N}-nodeSecurityGroup`,
            rule,
            { tags: { Name: `${N}-nodeSecurityGroup`, [`kubernetes.io/cluster/${clusterName}`]: "owned" } },
            AWS,
        );
        for (const sgRule of [
            "eksNodeIngressRule",
            "eksNodeClusterIngressRule",
            "eksExtApiServerClusterIngressRule",
            "eksNodeInternetEgressRule",
            "eksClusterIngressRule",
        ])
            b.child(parent, "aws:ec2/securityGroupRule:SecurityGroupRule", `${N}-${sgRule}`, rule, {}, AWS);
    }

    if (!skipDefaultNodeGroup) {
        const rule = RULES.eksDefaultNodeGroup;
        b.child(parent, "aws:ec2/launchTemplate:LaunchTemplate", `${N}-launchTemplate`, rule, {}, AWS);
        b.child(parent, "aws:autoscaling/group:Group", N, rule, {}, AWS);
    }
}

/** Arguments that make pulumi-eks build its own launch template for a managed node group (nodes/nodegroup.ts:2128-2138). */
const CUSTOM_LAUNCH_TEMPLATE = [
    "bootstrapExtraArgs",
    "kubeletExtraArgs",
    "bottlerocketSettings",
    "nodeadmExtraOptions",
    "enableIMDSv2",
    "userData",
    "amiId",
    "enableEfaSupport",
];
/** Arguments that put an AMI into that template, which then leaves version and amiType unset (nodes/nodegroup.ts:2065-2072). */
const CUSTOM_AMI = [
    "bootstrapExtraArgs",
    "kubeletExtraArgs",
    "bottlerocketSettings",
    "nodeadmExtraOptions",
    "userData",
    "amiId",
];

/** The children of one `eks:index:ManagedNodeGroup` (nodejs/eks/nodes/nodegroup.ts, createManagedNodeGroup). */
export function managedNodeGroupChildren(b: Builder, group: Recorded): void {
    const a = group.inputs;
    const M = group.name;
    const parent = keyOf(group);
    const cluster = b.g.byKey.get(`eks:index:Cluster::${referencedName(a.cluster)}`);
    const clusterName: string =
        typeof a.clusterName === "string" ? a.clusterName : cluster ? b.g.eksClusterName(cluster) : "<its cluster>";

    if (a.enableEfaSupport === true)
        b.child(
            parent,
            "aws:ec2/placementGroup:PlacementGroup",
            M,
            RULES.mngPlacementGroup,
            { strategy: "cluster" },
            AWS,
        );
    const ownTemplate = CUSTOM_LAUNCH_TEMPLATE.some((k) => a[k] !== undefined);
    // pulumi-eks refuses a launchTemplate together with these (nodes/nodegroup.ts:2016-2024).
    if (ownTemplate && !a.launchTemplate)
        b.child(
            parent,
            "aws:ec2/launchTemplate:LaunchTemplate",
            `${M}-launchTemplate`,
            RULES.mngLaunchTemplate,
            {},
            AWS,
        );

    // The version: as given; the cluster's when neither version nor launchTemplate is given; and
    // none when pulumi-eks put an AMI in its own template.
    const amiInTemplate = CUSTOM_AMI.some((k) => a[k] !== undefined);
    const followsCluster = !amiInTemplate && !a.version && !a.launchTemplate;
    const version = amiInTemplate ? undefined : followsCluster ? cluster?.inputs.version : a.version;
    b.child(
        parent,
        "aws:eks/nodeGroup:NodeGroup",
        M,
        RULES.mngNodeGroup,
        {
            clusterName,
            ...(version !== undefined ? { version } : {}),
            versionFollowsCluster: followsCluster,
            ...(a.nodeGroupName ? { nodeGroupName: a.nodeGroupName } : {}),
            nodeRoleArn: typeof a.nodeRoleArn === "string" ? a.nodeRoleArn : "<the node role's ARN>",
            launchTemplate: a.launchTemplate
                ? "<given>"
                : ownTemplate
                  ? `<${M}-launchTemplate>`
                  : "<none: EKS's default>",
            amiType: amiInTemplate ? undefined : a.amiType,
            instanceTypes: a.instanceTypes,
        },
        AWS,
    );
}
