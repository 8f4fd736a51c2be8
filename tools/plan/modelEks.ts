// The stop-gap model of pulumi-eks 4.3.0's children (see expand.ts), for the arguments this
// program passes: each child cites the pulumi-eks source line it follows (nodejs/eks/...).
import { type RecordedResource, resourceKey } from "../mock/engine";
import { type ChildSpec, child, EKS, EKS_AWS, EKS_K8S, type ModelledResource } from "./modelChild";

/** eks:index:Cluster, for the arguments this program can pass (skipDefaultNodeGroup, API auth). */
export function eksClusterChildren(c: RecordedResource): ModelledResource[] {
    const a = c.inputs;
    const n = c.name;
    const pd = c.graph.propertyDependencies ?? {};
    const out: ModelledResource[] = [];
    const add = (parent: RecordedResource, spec: ChildSpec) => {
        const r = child(parent, spec);
        out.push(r);
        return r;
    };
    const tags = (a.tags ?? {}) as Record<string, string>;

    const serviceRole = add(c, {
        type: "eks:index:ServiceRole",
        name: `${n}-eksRole`,
        inputs: {},
        custom: false,
        modelled: `${EKS}cluster/cluster.ts:514-545`,
    });
    const role = add(serviceRole, {
        type: "aws:iam/role:Role",
        name: `${n}-eksRole-role`,
        inputs: { description: "Allows EKS to manage clusters on your behalf.", tags },
        version: EKS_AWS,
        modelled: `${EKS}servicerole.ts:89-98`,
    });
    add(serviceRole, {
        type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        name: `${n}-eksRole-4b490823`,
        inputs: { policyArn: "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy", role: role.name },
        deps: { role: [resourceKey(role)] },
        version: EKS_AWS,
        modelled: `${EKS}servicerole.ts:100-110`,
    });
    const vpcDeps = pd.vpcId ?? [];
    const clusterSg = add(c, {
        type: "aws:ec2/securityGroup:SecurityGroup",
        name: `${n}-eksClusterSecurityGroup`,
        inputs: { vpcId: a.vpcId, revokeRulesOnDelete: true, tags: { Name: `${n}-eksClusterSecurityGroup`, ...tags } },
        deps: { vpcId: vpcDeps },
        version: EKS_AWS,
        modelled: `${EKS}cluster/cluster.ts:547-570`,
    });
    const sgRule = (name: string, inputs: Record<string, unknown>, sgs: ModelledResource[], lines: string) =>
        add(c, {
            type: "aws:ec2/securityGroupRule:SecurityGroupRule",
            name: `${n}-${name}`,
            inputs,
            deps: { securityGroupId: [resourceKey(sgs[0])], sourceSecurityGroupId: sgs.slice(1).map(resourceKey) },
            version: EKS_AWS,
            modelled: lines,
        });
    sgRule(
        "eksClusterInternetEgressRule",
        {
            type: "egress",
            protocol: "-1",
            fromPort: 0,
            toPort: 0,
            cidrBlocks: ["0.0.0.0/0"],
            securityGroupId: clusterSg.name,
        },
        [clusterSg],
        `${EKS}cluster/cluster.ts:572-584`,
    );

    const eksCluster = add(c, {
        type: "aws:eks/cluster:Cluster",
        name: `${n}-eksCluster`,
        inputs: {
            name: a.name,
            roleArn: `arn:aws:iam::<account>:role/${role.name}`,
            version: a.version,
            bootstrapSelfManagedAddons: a.bootstrapSelfManagedAddons ?? true,
            vpcConfig: {
                securityGroupIds: [clusterSg.name],
                subnetIds: [...((a.publicSubnetIds as string[]) ?? []), ...((a.privateSubnetIds as string[]) ?? [])],
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
            tags: { Name: `${n}-eksCluster`, ...tags },
        },
        deps: {
            roleArn: [resourceKey(role)],
            vpcConfig: [...(pd.publicSubnetIds ?? []), ...(pd.privateSubnetIds ?? []), resourceKey(clusterSg)],
            encryptionConfig: pd.encryptionConfigKeyArn ?? [],
        },
        ignoreChanges: ["accessConfig.bootstrapClusterCreatorAdminPermissions", "bootstrapSelfManagedAddons"],
        version: EKS_AWS,
        backsParentOutputs: true,
        modelled: `${EKS}cluster/cluster.ts:686-762`,
    });
    const onCluster = { clusterName: [resourceKey(eksCluster)] };
    const addonVersion = (addon: string, given: unknown) =>
        given ?? `<EKS most recent ${addon} for Kubernetes ${String(a.version)}>`;

    const kubeProxy = (a.kubeProxyAddonOptions ?? {}) as Record<string, unknown>;
    if (kubeProxy.enabled ?? true)
        add(c, {
            type: "aws:eks/addon:Addon",
            name: `${n}-kube-proxy`,
            inputs: {
                addonName: "kube-proxy",
                clusterName: a.name,
                addonVersion: addonVersion("kube-proxy", kubeProxy.version),
                preserve: true,
                resolveConflictsOnCreate: kubeProxy.resolveConflictsOnCreate,
                resolveConflictsOnUpdate: kubeProxy.resolveConflictsOnUpdate,
                configurationValues: kubeProxy.configurationValues,
                tags,
            },
            deps: onCluster,
            version: EKS_AWS,
            modelled: `${EKS}cluster/cluster.ts:764-797`,
        });
    add(c, {
        type: "pulumi:providers:kubernetes",
        name: `${n}-eks-k8s`,
        inputs: { kubeconfig: `<kubeconfig of ${String(a.name)}>` },
        deps: { kubeconfig: [resourceKey(eksCluster)] },
        version: EKS_K8S,
        modelled: `${EKS}cluster/cluster.ts:914-921`,
    });
    for (const [entryKey, entry] of Object.entries((a.accessEntries ?? {}) as Record<string, Record<string, any>>)) {
        const accessEntry = add(c, {
            type: "aws:eks/accessEntry:AccessEntry",
            name: `${n}-${entryKey}`,
            inputs: {
                clusterName: a.name,
                principalArn: entry.principalArn,
                type: entry.type,
                kubernetesGroups: entry.kubernetesGroups,
                userName: entry.username,
            },
            deps: onCluster,
            version: EKS_AWS,
            modelled: `${EKS}cluster/authenticationMode.ts:178-195`,
        });
        for (const [policyKey, policy] of Object.entries((entry.accessPolicies ?? {}) as Record<string, any>))
            add(accessEntry, {
                type: "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
                name: `${n}-${entryKey}-${policyKey}`,
                inputs: {
                    clusterName: a.name,
                    principalArn: entry.principalArn,
                    policyArn: policy.policyArn,
                    accessScope: policy.accessScope,
                },
                deps: onCluster,
                version: EKS_AWS,
                modelled: `${EKS}cluster/authenticationMode.ts:196-213`,
            });
    }
    // Enabled unless useDefaultVpcCni is true (or Auto Mode): cluster.ts:1091-1113.
    const autoMode = (a.autoMode as { enabled?: boolean } | undefined)?.enabled === true;
    if (a.useDefaultVpcCni !== undefined ? !a.useDefaultVpcCni : !autoMode) {
        const cni = add(c, {
            type: "eks:index:VpcCniAddon",
            name: `${n}-vpc-cni`,
            inputs: {},
            custom: false,
            modelled: `${EKS}cluster/cluster.ts:1091-1113`,
        });
        const options = (a.vpcCniOptions ?? {}) as Record<string, unknown>;
        add(cni, {
            type: "aws:eks/addon:Addon",
            name: `${n}-vpc-cni`,
            inputs: {
                addonName: "vpc-cni",
                clusterName: a.name,
                addonVersion: addonVersion("vpc-cni", options.addonVersion),
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
                preserve: true,
                // computeEnv always adds WARM_ENI_TARGET (default 1): addons/cni-addon.ts:372-390.
                configurationValues: JSON.stringify({ env: { WARM_ENI_TARGET: String(options.warmEniTarget ?? 1) } }),
                serviceAccountRoleArn: options.serviceAccountRoleArn,
                tags,
            },
            deps: onCluster,
            version: EKS_AWS,
            modelled: `${EKS}addons/cni-addon.ts:250-312`,
        });
    }
    const coredns = (a.corednsAddonOptions ?? {}) as Record<string, unknown>;
    if (coredns.enabled === true || coredns.configurationValues !== undefined)
        add(c, {
            type: "aws:eks/addon:Addon",
            name: `${n}-coredns`,
            inputs: {
                addonName: "coredns",
                clusterName: a.name,
                addonVersion: addonVersion("coredns", coredns.version),
                tags,
            },
            deps: onCluster,
            version: EKS_AWS,
            modelled: `${EKS}cluster/cluster.ts:1175-1245`,
        });
    if (a.createOidcProvider)
        add(c, {
            type: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
            name: `${n}-oidcProvider`,
            inputs: { clientIdLists: ["sts.amazonaws.com"], url: `<OIDC issuer of ${String(a.name)}>` },
            deps: { url: [resourceKey(eksCluster)] },
            version: EKS_AWS,
            backsParentOutputs: true,
            modelled: `${EKS}cluster/cluster.ts:1247-1264`,
        });
    if (!(a.skipDefaultSecurityGroups ?? autoMode)) {
        const nodeSg = add(c, {
            type: "aws:ec2/securityGroup:SecurityGroup",
            name: `${n}-nodeSecurityGroup`,
            inputs: {
                vpcId: a.vpcId,
                revokeRulesOnDelete: true,
                tags: { Name: `${n}-nodeSecurityGroup`, [`kubernetes.io/cluster/${String(a.name)}`]: "owned", ...tags },
            },
            deps: { vpcId: vpcDeps },
            version: EKS_AWS,
            modelled: `${EKS}cluster/cluster.ts:2118-2147; nodes/securitygroup.ts:113-128`,
        });
        const rule = (type: string, protocol: string, from: number, to: number) => ({
            type,
            protocol,
            fromPort: from,
            toPort: to,
        });
        sgRule(
            "eksNodeIngressRule",
            { ...rule("ingress", "-1", 0, 0), self: true },
            [nodeSg],
            `${EKS}nodes/securitygroup.ts:130-142`,
        );
        sgRule(
            "eksNodeClusterIngressRule",
            rule("ingress", "tcp", 1025, 65535),
            [nodeSg, clusterSg],
            `${EKS}nodes/securitygroup.ts:144-157`,
        );
        sgRule(
            "eksExtApiServerClusterIngressRule",
            rule("ingress", "tcp", 443, 443),
            [nodeSg, clusterSg],
            `${EKS}nodes/securitygroup.ts:159-172`,
        );
        sgRule(
            "eksNodeInternetEgressRule",
            { ...rule("egress", "-1", 0, 0), cidrBlocks: ["0.0.0.0/0"] },
            [nodeSg],
            `${EKS}nodes/securitygroup.ts:174-185`,
        );
        sgRule(
            "eksClusterIngressRule",
            rule("ingress", "tcp", 443, 443),
            [clusterSg, nodeSg],
            `${EKS}nodes/securitygroup.ts:187-199`,
        );
    }
    return out;
}

/** eks:index:ManagedNodeGroup: the node group itself (no placement group or launch template of its own here). */
export function managedNodeGroupChildren(m: RecordedResource, all: Map<string, RecordedResource>): ModelledResource[] {
    const a = m.inputs;
    const pd = m.graph.propertyDependencies ?? {};
    const cluster = (pd.cluster ?? []).map((k) => all.get(k)).find((r) => r?.type === "eks:index:Cluster");
    const clusterInputs = cluster?.inputs ?? {};
    const clusterChild = cluster
        ? [resourceKey({ type: "aws:eks/cluster:Cluster", name: `${cluster.name}-eksCluster` })]
        : [];
    const scaling = (a.scalingConfig ?? { desiredSize: 2, minSize: 1, maxSize: 2 }) as Record<string, unknown>;
    return [
        child(m, {
            type: "aws:eks/nodeGroup:NodeGroup",
            name: m.name,
            inputs: {
                amiType: a.amiType,
                capacityType: a.capacityType,
                clusterName: a.clusterName ?? clusterInputs.name,
                diskSize: a.diskSize,
                instanceTypes: a.instanceTypes,
                labels: a.labels,
                launchTemplate: a.launchTemplate,
                nodeRoleArn: a.nodeRoleArn,
                scalingConfig: scaling,
                subnetIds: a.subnetIds ?? clusterInputs.privateSubnetIds,
                taints: a.taints,
                tags: a.tags,
                // Defaulted to the cluster's version only with neither version nor launch template:
                // nodes/nodegroup.ts:1885-1892.
                version: a.version ?? (a.launchTemplate ? undefined : clusterInputs.version),
                releaseVersion: a.releaseVersion,
            },
            deps: {
                clusterName: a.clusterName ? [] : clusterChild,
                launchTemplate: pd.launchTemplate ?? [],
                nodeRoleArn: pd.nodeRoleArn ?? [],
                subnetIds: pd.subnetIds ?? [],
            },
            ignoreChanges: a.ignoreScalingChanges ? ["scalingConfig.desiredSize"] : undefined,
            version: EKS_AWS,
            modelled: `${EKS}nodes/nodegroup.ts:1885-1892, 2007-2011, 2085-2120`,
        }),
    ];
}
