// Every rule of the out-of-sight model, with where it is read from. A rule says who creates an
// object the program does not register itself, and when; the code in pulumiEks.ts, awsx.ts and
// implicit.ts applies it. On a version bump (see versions.ts and the README, "What runs out of
// sight"), each rule is re-read at its source.
//
// Sources:
// - pulumi-eks: github.com/pulumi/pulumi-eks at tag v4.3.0 (commit 0f5a5447), paths in that repository.
// - awsx: github.com/pulumi/pulumi-awsx; its v3.9.0 tag was not available, read at e60adf3c
//   (2026-08-20, after v3.8.0; awsx/ec2/ unchanged since 8b224114, which v3.8.0 contains). The
//   VpcArgs of @pulumi/awsx 3.9.0 list the same properties.
// - EKS: the Amazon EKS User Guide (github.com/awsdocs/amazon-eks-user-guide at 4d52b4d0, the last
//   public snapshot), paths under latest/ug/.
// - AWS Load Balancer Controller: github.com/kubernetes-sigs/aws-load-balancer-controller at tag
//   v3.5.0 (commit 11eb202c), the version whose chart and IAM policy the program pins.
import { MODELLED } from "./versions";

export interface Rule {
    id: string;
    /** Who creates the object: a component's pinned version, AWS, a controller, Kubernetes. */
    creator: string;
    /** When, as it reads after the creator: "creates it unless useDefaultVpcCni: true or Auto Mode". */
    why: string;
    /** Upstream file and lines (or document) the rule is read from. */
    source: string;
}

const EKS = `pulumi-eks ${MODELLED.eks.version}`;
const AWSX = `awsx ${MODELLED.awsx.version}`;
const LBC = `the AWS Load Balancer Controller v${MODELLED.albController.version}`;
const AWS_EKS = "Amazon EKS";
const GUIDE = "EKS User Guide latest/ug/";
const LBC_SRC = "aws-load-balancer-controller ";
const EKS_SRC = "nodejs/eks/";
const AWSX_SRC = "awsx/ec2/";

const rule = (id: string, creator: string, why: string, source: string): Rule => ({ id, creator, why, source });

/** The rules by id. */
export const RULES = {
    // ---- eks:index:Cluster (pulumi-eks nodejs/eks/cluster/cluster.ts createCore / createCluster) ----
    eksServiceRole: rule(
        "eksServiceRole",
        EKS,
        "creates it unless serviceRole is given (AmazonEKSClusterPolicy, plus four policies with Auto Mode)",
        `${EKS_SRC}cluster/cluster.ts:514-545, ${EKS_SRC}servicerole.ts:89-110`,
    ),
    eksClusterSecurityGroup: rule(
        "eksClusterSecurityGroup",
        EKS,
        "creates it and its egress rule unless clusterSecurityGroup is given or skipDefaultSecurityGroups (default: Auto Mode) is on",
        `${EKS_SRC}cluster/cluster.ts:547-584`,
    ),
    eksAutoModeNodeRole: rule(
        "eksAutoModeNodeRole",
        EKS,
        "creates it with Auto Mode unless autoMode.createNodeRole: false",
        `${EKS_SRC}cluster/cluster.ts:626-646`,
    ),
    eksCluster: rule(
        "eksCluster",
        EKS,
        "always creates it (bootstrapSelfManagedAddons: false only with Auto Mode or when given)",
        `${EKS_SRC}cluster/cluster.ts:686-762`,
    ),
    eksKubeProxy: rule(
        "eksKubeProxy",
        EKS,
        "creates it when kubeProxyAddonOptions.enabled (default: not Auto Mode), at the most recent version unless one is given",
        `${EKS_SRC}cluster/cluster.ts:764-797`,
    ),
    eksK8sProvider: rule("eksK8sProvider", EKS, "always creates it", `${EKS_SRC}cluster/cluster.ts:914-921`),
    eksInstanceRole: rule(
        "eksInstanceRole",
        EKS,
        "creates it and its instance profile unless instanceRole(s) is given, when createInstanceRole, or for the default node group when createInstanceRole is unset",
        `${EKS_SRC}cluster/cluster.ts:923-999, ${EKS_SRC}cluster/cluster.ts:161-187`,
    ),
    eksAwsAuth: rule(
        "eksAwsAuth",
        EKS,
        "creates it when authenticationMode is unset, CONFIG_MAP or API_AND_CONFIG_MAP",
        `${EKS_SRC}cluster/cluster.ts:1001-1026, ${EKS_SRC}cluster/authenticationMode.ts:102-109`,
    ),
    eksDefaultNodeGroupAccessEntry: rule(
        "eksDefaultNodeGroupAccessEntry",
        EKS,
        "creates it when authenticationMode is API or API_AND_CONFIG_MAP and the cluster has a default instance role",
        `${EKS_SRC}cluster/cluster.ts:1031-1048`,
    ),
    eksAccessEntry: rule(
        "eksAccessEntry",
        EKS,
        "creates one per accessEntries key, and one association per accessPolicies key, when authenticationMode is API or API_AND_CONFIG_MAP",
        `${EKS_SRC}cluster/cluster.ts:1050-1058, ${EKS_SRC}cluster/authenticationMode.ts:178-213`,
    ),
    eksStorageClass: rule(
        "eksStorageClass",
        EKS,
        "creates one per storageClasses entry",
        `${EKS_SRC}cluster/cluster.ts:1066-1087`,
    ),
    eksVpcCni: rule(
        "eksVpcCni",
        EKS,
        "creates it unless useDefaultVpcCni: true or Auto Mode",
        `${EKS_SRC}cluster/cluster.ts:1091-1113`,
    ),
    eksVpcCniPatch: rule(
        "eksVpcCniPatch",
        EKS,
        "creates it when vpcCniOptions.securityContextPrivileged is set",
        `${EKS_SRC}addons/cni-addon.ts:316-365`,
    ),
    eksFargate: rule(
        "eksFargate",
        EKS,
        "creates it (and a pod execution role unless one is given) when fargate is set",
        `${EKS_SRC}cluster/cluster.ts:1114-1173`,
    ),
    eksCoredns: rule(
        "eksCoredns",
        EKS,
        "creates it when corednsAddonOptions.enabled: true or configurationValues are given, or with a default node group, Fargate or Auto Mode unless corednsAddonOptions.enabled: false",
        `${EKS_SRC}cluster/cluster.ts:1175-1243`,
    ),
    eksOidcProvider: rule(
        "eksOidcProvider",
        EKS,
        "creates it when createOidcProvider",
        `${EKS_SRC}cluster/cluster.ts:1247-1264`,
    ),
    eksNodeSecurityGroup: rule(
        "eksNodeSecurityGroup",
        EKS,
        "creates it and five rules unless skipDefaultSecurityGroups (default: Auto Mode) is on, even without a default node group",
        `${EKS_SRC}cluster/cluster.ts:2118-2147, ${EKS_SRC}nodes/securitygroup.ts:113-199`,
    ),
    eksDefaultNodeGroup: rule(
        "eksDefaultNodeGroup",
        EKS,
        "creates it unless skipDefaultNodeGroup, fargate or Auto Mode",
        `${EKS_SRC}cluster/cluster.ts:2150-2164, ${EKS_SRC}nodes/nodegroup.ts:1422-1423, 1487-1488`,
    ),
    // ---- eks:index:ManagedNodeGroup (nodejs/eks/nodes/nodegroup.ts createManagedNodeGroup) ----
    mngPlacementGroup: rule(
        "mngPlacementGroup",
        EKS,
        "creates it when enableEfaSupport: true",
        `${EKS_SRC}nodes/nodegroup.ts:1974-1985`,
    ),
    mngLaunchTemplate: rule(
        "mngLaunchTemplate",
        EKS,
        "creates it when any of bootstrapExtraArgs, kubeletExtraArgs, bottlerocketSettings, nodeadmExtraOptions, enableIMDSv2, userData, amiId, enableEfaSupport is set",
        `${EKS_SRC}nodes/nodegroup.ts:2049-2062, 2128-2138`,
    ),
    mngNodeGroup: rule(
        "mngNodeGroup",
        EKS,
        "always creates it, sets its version to the cluster's only when neither version nor launchTemplate is given, defaults each size of its scalingConfig (2, 1, 2) and ignores desiredSize with ignoreScalingChanges",
        `${EKS_SRC}nodes/nodegroup.ts:1885-1891, 2007-2011, 2065-2072, 2085-2120`,
    ),
    // ---- awsx:ec2:Vpc (pulumi-awsx awsx/ec2/vpc.ts) ----
    awsxVpc: rule("awsxVpc", AWSX, "always creates it", `${AWSX_SRC}vpc.ts:481-514`),
    awsxInternetGateway: rule(
        "awsxInternetGateway",
        AWSX,
        "always creates it, even without a public subnet",
        `${AWSX_SRC}vpc.ts:159-173`,
    ),
    awsxSubnet: rule(
        "awsxSubnet",
        AWSX,
        "creates one per availability zone and subnet spec, each with its route table and association",
        `${AWSX_SRC}vpc.ts:188-274, ${AWSX_SRC}subnetNaming.ts:47-73, ${AWSX_SRC}subnetDistributorNew.ts:123-185`,
    ),
    awsxNatGateway: rule(
        "awsxNatGateway",
        AWSX,
        "creates an Elastic IP and a NAT gateway in AZ 1's public subnet with natGateways.strategy Single, in every AZ's with OnePerAz (the default), none with None",
        `${AWSX_SRC}vpc.ts:276-310, 1032-1046`,
    ),
    awsxRoute: rule(
        "awsxRoute",
        AWSX,
        "creates a default route per public subnet (to the internet gateway) and per private subnet unless natGateways.strategy None (to a NAT gateway)",
        `${AWSX_SRC}vpc.ts:313-349`,
    ),
    awsxVpcEndpoint: rule(
        "awsxVpcEndpoint",
        AWSX,
        "creates one per vpcEndpointSpecs entry",
        `${AWSX_SRC}vpc.ts:355-412`,
    ),
    // ---- Amazon EKS ----
    eksClusterSg: rule(
        "eksClusterSg",
        AWS_EKS,
        "creates it with every cluster, puts it on the control plane's ENIs and on managed node group nodes whose launch template names no security group, and deletes it with the cluster",
        `${GUIDE}networking/sec-group-reqs.adoc:23-81, ${GUIDE}nodes/launch-templates.adoc:98-105`,
    ),
    eksLogGroup: rule(
        "eksLogGroup",
        AWS_EKS,
        "creates it when control-plane logging is on and no group of that name exists, with no retention, and never deletes it",
        `${GUIDE}observability/control-plane-logs.adoc:147 (the name); creation and leaks reported in terraform-aws-modules/terraform-aws-eks#920, #2446`,
    ),
    eksBootstrapAddon: rule(
        "eksBootstrapAddon",
        AWS_EKS,
        "installs it at cluster creation unless bootstrapSelfManagedAddons: false",
        `${GUIDE}clusters/create-cluster.adoc:236-241, ${GUIDE}workloads/eks-add-ons.adoc:23`,
    ),
    eksAddonTakesOver: rule(
        "eksAddonTakesOver",
        AWS_EKS,
        "hands the self-managed object to a managed add-on created with resolveConflictsOnCreate: OVERWRITE; without it the add-on's creation fails",
        `${GUIDE}workloads/eks-add-ons.adoc:1726`,
    ),
    eksNodeRoleAccess: rule(
        "eksNodeRoleAccess",
        AWS_EKS,
        "adds an entry for a managed node group's node role",
        `${GUIDE}manage-access/k8s-access/grant-k8s-access.adoc:209`,
    ),
    eksNodeGroupAsg: rule(
        "eksNodeGroupAsg",
        AWS_EKS,
        "creates it for every managed node group, and replaces its nodes on a new launch template version or Kubernetes version",
        `${GUIDE}nodes/managed-node-groups.adoc:33-51`,
    ),
    k8sInitialNamespace: rule(
        "k8sInitialNamespace",
        "Kubernetes",
        "creates it in every cluster",
        "kubernetes.io/docs/concepts/overview/working-with-objects/namespaces/ (Initial namespaces)",
    ),
    // ---- AWS Load Balancer Controller, per Ingress of class alb ----
    lbcLoadBalancer: rule(
        "lbcLoadBalancer",
        LBC,
        "creates one per Ingress group, named by the load-balancer-name annotation, else k8s-<namespace:8>-<name:8>-<sha256(cluster, group, scheme):10>",
        `${LBC_SRC}pkg/ingress/model_build_load_balancer.go:97-136`,
    ),
    lbcTargetGroup: rule(
        "lbcTargetGroup",
        LBC,
        "creates one per backend Service port, k8s-<namespace:8>-<service:8>-<sha256(..., Service UID, ...):10>, and a TargetGroupBinding of that name in the Service's namespace",
        `${LBC_SRC}pkg/ingress/model_build_target_group.go:29-98, 231-253`,
    ),
    lbcFrontendSg: rule(
        "lbcFrontendSg",
        LBC,
        "creates it per Ingress group unless the security-groups annotation names groups, k8s-<namespace:8>-<name:8>-<sha256(cluster, group):10>",
        `${LBC_SRC}pkg/ingress/model_build_load_balancer.go:285-309, pkg/ingress/model_build_managed_sg.go:20-62`,
    ),
    lbcBackendSg: rule(
        "lbcBackendSg",
        LBC,
        "creates one per cluster, shared by its load balancers, unless enableBackendSecurityGroup: false or backendSecurityGroup is given, k8s-traffic-<cluster>-<sha256(cluster):10>",
        `${LBC_SRC}pkg/networking/backend_sg_provider.go:437-442, pkg/config/controller_config.go:50, 203`,
    ),
} satisfies Record<string, Rule>;

export type RuleId = keyof typeof RULES;
