// What pulumi-eks (the version in versions.ts) creates inside eks:index:Cluster for the arguments
// the program passed (nodejs/eks/cluster/cluster.ts, createCore and createCluster; the managed node
// group: pulumiEksNodes.ts). Under mocks the remote component registers no children; `pulumi up`
// creates all of these. Both branches of every condition are modelled, so a changed argument
// changes the model as it would change the stack. Each child carries the inputs pulumi-eks gives it
// as far as the update planner (tools/plan) diffs them, and which of the program's or the model's
// resources each input reads (`deps`).
import { createHash } from "node:crypto";
import { keyOf, type Recorded } from "./graph";
import type { Builder, ChildOptions, Sdk } from "./model";
import { RULES, type Rule } from "./rules";
import { defaultProvider, MODELLED } from "./versions";

export const EKS_AWS: Sdk = {
    provider: defaultProvider(MODELLED.eks.aws),
    registeredWith: `@pulumi/aws ${MODELLED.eks.aws}`,
    version: MODELLED.eks.aws,
};
const OVERWRITE = "OVERWRITE";
const aws = (opts: ChildOptions = {}): ChildOptions => ({ ...EKS_AWS, ...opts });

/** pulumi-eks ServiceRole: `<name>-role` and one attachment per managed policy, `<name>-<sha1(policy id)[0:8]>`. */
export function attachmentName(role: string, policy: string): string {
    const id = `arn:aws:iam::aws:policy/${policy}`;
    return `${role}-${createHash("sha1").update(id).digest("hex").slice(0, 8)}`;
}

/** A ServiceRole component, its role and attachments (servicerole.ts:73-110); returns the role's key. */
function serviceRole(
    b: Builder,
    parent: string,
    name: string,
    rule: Rule,
    service: string,
    policies: string[],
    role: { description?: string; tags?: unknown } = {},
): string {
    const component = b.child(parent, "eks:index:ServiceRole", name, rule, { service, policies });
    // pulumi-eks sets no role name: pulumi-aws names it `<name>-role-<random>`, which cannot collide.
    const assumeRolePolicy = JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Action: ["sts:AssumeRole"], Effect: "Allow", Principal: { Service: [service] } }],
    });
    const roleKey = b.child(
        component,
        "aws:iam/role:Role",
        `${name}-role`,
        rule,
        { description: role.description, assumeRolePolicy, tags: role.tags },
        aws(),
    );
    for (const policy of policies)
        b.child(
            component,
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            attachmentName(name, policy),
            rule,
            { policyArn: `arn:<partition>:iam::aws:policy/${policy}`, role: `<${name}-role>` },
            aws({ deps: { role: [roleKey] } }),
        );
    return roleKey;
}

/** The add-on version pulumi-eks asks AWS for when none is given: the most recent, so it can move at any preview. */
const mostRecent = (addon: string, version: unknown) =>
    `<EKS most recent ${addon} for Kubernetes ${typeof version === "string" ? version : "<cluster version>"}>`;

/** A managed add-on as pulumi-eks registers kube-proxy, vpc-cni and coredns: OVERWRITE and preserve unless told otherwise. */
function addon(
    b: Builder,
    parent: string,
    name: string,
    rule: Rule,
    addonName: string,
    cluster: { name: string; version: unknown; key: string; tags: unknown },
    options: Record<string, any> | undefined,
    configurationValues: unknown,
) {
    b.child(
        parent,
        "aws:eks/addon:Addon",
        name,
        rule,
        {
            addonName,
            clusterName: cluster.name,
            addonVersion: options?.version ?? options?.addonVersion ?? mostRecent(addonName, cluster.version),
            resolveConflictsOnCreate: options?.resolveConflictsOnCreate ?? OVERWRITE,
            resolveConflictsOnUpdate: options?.resolveConflictsOnUpdate ?? OVERWRITE,
            preserve: true,
            configurationValues:
                configurationValues === undefined || typeof configurationValues === "string"
                    ? configurationValues
                    : JSON.stringify(configurationValues),
            serviceAccountRoleArn: options?.serviceAccountRoleArn,
            tags: cluster.tags,
        },
        aws({ deps: { clusterName: [cluster.key] } }),
    );
}

const supportsConfigMap = (mode: unknown) =>
    mode === undefined || mode === "CONFIG_MAP" || mode === "API_AND_CONFIG_MAP";
const supportsAccessEntries = (mode: unknown) => mode === "API" || mode === "API_AND_CONFIG_MAP";

/** A group a rule names: a modelled child's key, or the text of a group the program gave. */
type GroupRef = { key?: string; text: string };
const groupRef = (key: string | undefined, given: unknown): GroupRef =>
    key ? { key, text: `<${key.split("::").pop()}>` } : { text: `<the clusterSecurityGroup ${String(given)}>` };

/** A security group rule of the cluster's or the nodes' groups (cluster.ts:572-584, nodes/securitygroup.ts:130-199). */
function sgRule(
    b: Builder,
    parent: string,
    name: string,
    rule: Rule,
    inputs: Record<string, unknown>,
    group: GroupRef,
    source?: GroupRef,
) {
    b.child(
        parent,
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        name,
        rule,
        { ...inputs, securityGroupId: group.text, sourceSecurityGroupId: source?.text },
        aws({ deps: { securityGroupId: [group.key], sourceSecurityGroupId: [source?.key] } }),
    );
}

const ports = (type: string, protocol: string, fromPort: number, toPort: number) => ({
    type,
    protocol,
    fromPort,
    toPort,
});

/** The children of one `eks:index:Cluster` (nodejs/eks/cluster/cluster.ts, createCore and createCluster). */
export function clusterChildren(b: Builder, cluster: Recorded): void {
    const a = cluster.inputs;
    const N = cluster.name;
    const parent = keyOf(cluster);
    const pd = cluster.graph.propertyDependencies ?? {};
    const clusterName = b.g.eksClusterName(cluster);
    const tags = a.tags;
    const autoMode = a.autoMode?.enabled === true;
    const skipSecurityGroups = a.skipDefaultSecurityGroups ?? autoMode;
    const skipDefaultNodeGroup = Boolean(a.skipDefaultNodeGroup || a.fargate || autoMode);

    const roleKey = a.serviceRole
        ? undefined
        : serviceRole(
              b,
              parent,
              `${N}-eksRole`,
              RULES.eksServiceRole,
              "eks.amazonaws.com",
              [
                  "AmazonEKSClusterPolicy",
                  ...(autoMode
                      ? [
                            "AmazonEKSComputePolicy",
                            "AmazonEKSBlockStoragePolicy",
                            "AmazonEKSLoadBalancingPolicy",
                            "AmazonEKSNetworkingPolicy",
                        ]
                      : []),
              ],
              { description: "Allows EKS to manage clusters on your behalf.", tags },
          );
    let clusterSg: string | undefined;
    if (!a.clusterSecurityGroup && !skipSecurityGroups) {
        const rule = RULES.eksClusterSecurityGroup;
        clusterSg = b.child(
            parent,
            "aws:ec2/securityGroup:SecurityGroup",
            `${N}-eksClusterSecurityGroup`,
            rule,
            { vpcId: a.vpcId, revokeRulesOnDelete: true, tags: { Name: `${N}-eksClusterSecurityGroup`, ...tags } },
            aws({ deps: { vpcId: pd.vpcId ?? [] } }),
        );
        sgRule(
            b,
            parent,
            `${N}-eksClusterInternetEgressRule`,
            rule,
            { ...ports("egress", "-1", 0, 0), cidrBlocks: ["0.0.0.0/0"] },
            groupRef(clusterSg, undefined),
        );
    }
    if (autoMode && a.autoMode.createNodeRole !== false)
        serviceRole(b, parent, `${N}-nodeRole`, RULES.eksAutoModeNodeRole, "ec2.amazonaws.com", [
            "AmazonEKSWorkerNodeMinimalPolicy",
            "AmazonEC2ContainerRegistryPullOnly",
        ]);
    const eksCluster = b.child(
        parent,
        "aws:eks/cluster:Cluster",
        `${N}-eksCluster`,
        RULES.eksCluster,
        {
            name: clusterName,
            roleArn: roleKey ? `arn:aws:iam::<account>:role/${N}-eksRole-role` : "<the serviceRole's ARN>",
            version: a.version,
            bootstrapSelfManagedAddons: autoMode ? false : (a.bootstrapSelfManagedAddons ?? true),
            vpcConfig: {
                securityGroupIds: [clusterSg ? `${N}-eksClusterSecurityGroup` : a.clusterSecurityGroup].filter(Boolean),
                subnetIds: [...(a.publicSubnetIds ?? []), ...(a.privateSubnetIds ?? [])],
                endpointPrivateAccess: a.endpointPrivateAccess,
                endpointPublicAccess: a.endpointPublicAccess,
                publicAccessCidrs: a.publicAccessCidrs,
            },
            enabledClusterLogTypes: a.enabledClusterLogTypes,
            encryptionConfig: a.encryptionConfigKeyArn
                ? { provider: { keyArn: a.encryptionConfigKeyArn }, resources: ["secrets"] }
                : undefined,
            accessConfig: { authenticationMode: a.authenticationMode, bootstrapClusterCreatorAdminPermissions: true },
            upgradePolicy: a.upgradePolicy,
            deletionProtection: a.deletionProtection,
            tags: { Name: `${N}-eksCluster`, ...tags },
        },
        aws({
            deps: {
                roleArn: [roleKey],
                vpcConfig: [...(pd.publicSubnetIds ?? []), ...(pd.privateSubnetIds ?? []), clusterSg],
                encryptionConfig: pd.encryptionConfigKeyArn ?? [],
            },
            ignoreChanges: ["accessConfig.bootstrapClusterCreatorAdminPermissions", "bootstrapSelfManagedAddons"],
            backsParentOutputs: true,
        }),
    );
    const onCluster = { name: clusterName, version: a.version, key: eksCluster, tags };
    if (a.kubeProxyAddonOptions?.enabled ?? !autoMode)
        addon(
            b,
            parent,
            `${N}-kube-proxy`,
            RULES.eksKubeProxy,
            "kube-proxy",
            onCluster,
            a.kubeProxyAddonOptions,
            a.kubeProxyAddonOptions?.configurationValues,
        );
    const k8sProvider = b.child(
        parent,
        "pulumi:providers:kubernetes",
        `${N}-eks-k8s`,
        RULES.eksK8sProvider,
        { kubeconfig: `<kubeconfig of ${clusterName}>` },
        {
            registeredWith: `@pulumi/kubernetes ${MODELLED.eks.kubernetes}`,
            version: MODELLED.eks.kubernetes,
            deps: { kubeconfig: [eksCluster] },
        },
    );
    const K8S: ChildOptions = {
        provider: `${N}-eks-k8s`,
        providerKey: k8sProvider,
        registeredWith: `@pulumi/kubernetes ${MODELLED.eks.kubernetes}`,
        version: MODELLED.eks.kubernetes,
        cluster: clusterName,
    };

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
                aws(),
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
                aws(),
            );
        if (!a.instanceProfileName)
            b.child(
                parent,
                "aws:iam/instanceProfile:InstanceProfile",
                `${N}-instanceProfile`,
                RULES.eksInstanceRole,
                {},
                aws(),
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
        );
    if (supportsAccessEntries(a.authenticationMode)) {
        const onClusterName = aws({ deps: { clusterName: [eksCluster] } });
        if (defaultInstanceRole)
            b.child(
                parent,
                "aws:eks/accessEntry:AccessEntry",
                `${N}-defaultNodeGroupInstanceRole`,
                RULES.eksDefaultNodeGroupAccessEntry,
                { clusterName, principalArn: defaultInstanceRole, type: "EC2_LINUX" },
                onClusterName,
            );
        const entries = a.accessEntries && typeof a.accessEntries === "object" ? a.accessEntries : {};
        for (const [entryKey, entry] of Object.entries(entries as Record<string, any>)) {
            const entryRef = b.child(
                parent,
                "aws:eks/accessEntry:AccessEntry",
                `${N}-${entryKey}`,
                RULES.eksAccessEntry,
                {
                    clusterName,
                    principalArn: entry?.principalArn,
                    type: entry?.type ?? "STANDARD",
                    kubernetesGroups: entry?.kubernetesGroups,
                    userName: entry?.username,
                },
                onClusterName,
            );
            for (const [policyKey, policy] of Object.entries((entry?.accessPolicies ?? {}) as Record<string, any>))
                b.child(
                    entryRef,
                    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
                    `${N}-${entryKey}-${policyKey}`,
                    RULES.eksAccessEntry,
                    {
                        clusterName,
                        principalArn: entry?.principalArn,
                        policyArn: policy?.policyArn,
                        accessScope: policy?.accessScope,
                    },
                    onClusterName,
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
        );

    if (a.useDefaultVpcCni !== undefined ? !a.useDefaultVpcCni : !autoMode) {
        // The add-on itself is built in addons/cni-addon.ts:250-312 (OVERWRITE on create and update,
        // the most recent version unless one is given, no service account role unless given), and
        // computeEnv always sets WARM_ENI_TARGET, 1 by default (addons/cni-addon.ts:372-390).
        const options = a.vpcCniOptions ?? {};
        const component = b.child(parent, "eks:index:VpcCniAddon", `${N}-vpc-cni`, RULES.eksVpcCni);
        addon(b, component, `${N}-vpc-cni`, RULES.eksVpcCni, "vpc-cni", onCluster, options, {
            env: { WARM_ENI_TARGET: String(options.warmEniTarget ?? 1) },
        });
        if (options.securityContextPrivileged)
            b.child(
                component,
                "kubernetes:apps/v1:DaemonSetPatch",
                `${N}-vpc-cni`,
                RULES.eksVpcCniPatch,
                { metadata: { name: "aws-node", namespace: "kube-system" } },
                K8S,
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
        b.child(parent, "aws:eks/fargateProfile:FargateProfile", profile, RULES.eksFargate, { clusterName }, aws());
    }

    const coredns = a.corednsAddonOptions;
    if (
        coredns?.enabled === true ||
        coredns?.configurationValues ||
        ((a.fargate || !a.skipDefaultNodeGroup || autoMode) && (coredns?.enabled ?? true))
    )
        addon(
            b,
            parent,
            `${N}-coredns`,
            RULES.eksCoredns,
            "coredns",
            onCluster,
            coredns,
            a.fargate ? { computeType: "Fargate", ...coredns?.configurationValues } : coredns?.configurationValues,
        );

    if (a.createOidcProvider)
        b.child(
            parent,
            "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
            `${N}-oidcProvider`,
            RULES.eksOidcProvider,
            { clientIdLists: ["sts.amazonaws.com"], url: `<OIDC issuer of ${clusterName}>` },
            aws({ deps: { url: [eksCluster] }, backsParentOutputs: true }),
        );

    if (!skipSecurityGroups) {
        const rule = RULES.eksNodeSecurityGroup;
        const nodeSg = b.child(
            parent,
            "aws:ec2/securityGroup:SecurityGroup",
            `${N}-nodeSecurityGroup`,
            rule,
            {
                vpcId: a.vpcId,
                revokeRulesOnDelete: true,
                tags: { Name: `${N}-nodeSecurityGroup`, [`kubernetes.io/cluster/${clusterName}`]: "owned", ...tags },
            },
            aws({ deps: { vpcId: pd.vpcId ?? [] } }),
        );
        const [nodes, clusterGroup] = [groupRef(nodeSg, undefined), groupRef(clusterSg, a.clusterSecurityGroup)];
        const onNodes = (name: string, inputs: Record<string, unknown>, source?: GroupRef) =>
            sgRule(b, parent, `${N}-${name}`, rule, inputs, nodes, source);
        onNodes("eksNodeIngressRule", { ...ports("ingress", "-1", 0, 0), self: true });
        onNodes("eksNodeClusterIngressRule", ports("ingress", "tcp", 1025, 65535), clusterGroup);
        onNodes("eksExtApiServerClusterIngressRule", ports("ingress", "tcp", 443, 443), clusterGroup);
        onNodes("eksNodeInternetEgressRule", { ...ports("egress", "-1", 0, 0), cidrBlocks: ["0.0.0.0/0"] });
        sgRule(b, parent, `${N}-eksClusterIngressRule`, rule, ports("ingress", "tcp", 443, 443), clusterGroup, nodes);
    }

    if (!skipDefaultNodeGroup) {
        const rule = RULES.eksDefaultNodeGroup;
        b.child(parent, "aws:ec2/launchTemplate:LaunchTemplate", `${N}-launchTemplate`, rule, {}, aws());
        b.child(parent, "aws:autoscaling/group:Group", N, rule, {}, aws());
    }
}
