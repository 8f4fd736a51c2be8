// The model of what runs out of sight (tools/outOfSight): for given component arguments, exactly
// the children the pinned pulumi-eks and awsx create, and what EKS, the load balancer controller
// and Kubernetes create themselves. Tables of arguments, both branches of every condition, each
// row read from the upstream lines its rule cites. (The tie of the model's versions to
// package.json: outOfSightVersions.spec.ts.)
import * as assert from "node:assert/strict";
import { outOfSight, RULES, type OutOfSightObject, type Recorded } from "../tools/outOfSight";
import { autoSubnetCidr } from "../tools/outOfSight/awsx";
import { attachmentName } from "../tools/outOfSight/pulumiEks";
import { CLUSTER_KEY, clusterStack, k8s, rec, STACK } from "./outOfSightGraph";

/** Every rule a table row produced: the last test checks that no rule goes unexercised. */
const exercised = new Set<string>();
function model(resources: Recorded[]): OutOfSightObject[] {
    const objects = outOfSight(resources);
    for (const o of objects) exercised.add(o.rule.id);
    return objects;
}
const names = (objects: OutOfSightObject[], kind: "child" | "implicit" = "child") =>
    objects.filter((o) => o.kind === kind).map((o) => `${o.type.split(":").pop()} ${o.name}`);
const one = (objects: OutOfSightObject[], type: string, name?: string) => {
    const found = objects.filter((o) => o.type === type && (name === undefined || o.name === name));
    assert.equal(found.length, 1, `one ${type} ${name ?? ""}: ${found.map((o) => o.name).join(", ")}`);
    return found[0];
};

/** What eks.Cluster("gen-eks", args) creates, as `Type name`, in creation order. */
const clusterChildren = (args: Record<string, any>) => names(model(clusterStack(args)));

// The program's arguments (components/cluster.ts), as CHILDREN.md section 1 lists them.
const PROGRAM = {
    skipDefaultNodeGroup: true,
    authenticationMode: "API",
    accessEntries: {
        "admin-0": {
            principalArn: "arn:aws:iam::123456789012:role/admin",
            accessPolicies: { admin: { policyArn: "arn:aws:eks::aws:cluster-access-policy/X", accessScope: {} } },
        },
    },
    createOidcProvider: true,
    enabledClusterLogTypes: ["api"],
    kubeProxyAddonOptions: { enabled: true, resolveConflictsOnCreate: "OVERWRITE" },
};

describe("out of sight: what eks:index:Cluster (pulumi-eks 4.3.0) creates", () => {
    it("for the program's arguments: CHILDREN.md section 1, rows 1-6, 10, 11, 13, 16-22", () => {
        assert.deepEqual(clusterChildren(PROGRAM), [
            "ServiceRole gen-eks-eksRole",
            "Role gen-eks-eksRole-role",
            "RolePolicyAttachment gen-eks-eksRole-4b490823",
            "SecurityGroup gen-eks-eksClusterSecurityGroup",
            "SecurityGroupRule gen-eks-eksClusterInternetEgressRule",
            "Cluster gen-eks-eksCluster",
            "Addon gen-eks-kube-proxy",
            "kubernetes gen-eks-eks-k8s",
            "AccessEntry gen-eks-admin-0",
            "AccessPolicyAssociation gen-eks-admin-0-admin",
            "VpcCniAddon gen-eks-vpc-cni",
            "Addon gen-eks-vpc-cni",
            "OpenIdConnectProvider gen-eks-oidcProvider",
            "SecurityGroup gen-eks-nodeSecurityGroup",
            "SecurityGroupRule gen-eks-eksNodeIngressRule",
            "SecurityGroupRule gen-eks-eksNodeClusterIngressRule",
            "SecurityGroupRule gen-eks-eksExtApiServerClusterIngressRule",
            "SecurityGroupRule gen-eks-eksNodeInternetEgressRule",
            "SecurityGroupRule gen-eks-eksClusterIngressRule",
        ]);
    });

    it("with no arguments: the default node group, its instance role, aws-auth and CoreDNS; no access entries, no OIDC provider", () => {
        const children = clusterChildren({});
        for (const c of [
            "ServiceRole gen-eks-instanceRole",
            "RolePolicyAttachment gen-eks-instanceRole-03516f97",
            "RolePolicyAttachment gen-eks-instanceRole-e1b295bd",
            "InstanceProfile gen-eks-instanceProfile",
            "ConfigMap gen-eks-nodeAccess",
            "Addon gen-eks-coredns",
            "Addon gen-eks-kube-proxy",
            "Addon gen-eks-vpc-cni",
            "LaunchTemplate gen-eks-launchTemplate",
            "Group gen-eks",
        ])
            assert.ok(children.includes(c), `${c} in ${children.join(", ")}`);
        for (const c of ["AccessEntry", "OpenIdConnectProvider", "FargateProfile"])
            assert.ok(!children.some((x) => x.startsWith(c)), `no ${c}`);
    });

    // Both branches of each condition: [arguments (over the program's), present, absent].
    const BRANCHES: [string, Record<string, any>, string[], string[]][] = [
        ["useDefaultVpcCni: true", { useDefaultVpcCni: true }, [], ["VpcCniAddon gen-eks-vpc-cni"]],
        ["useDefaultVpcCni: false", { useDefaultVpcCni: false }, ["Addon gen-eks-vpc-cni"], []],
        [
            "Auto Mode: no vpc-cni, kube-proxy (unless enabled) or security groups; its node role and CoreDNS",
            { autoMode: { enabled: true }, kubeProxyAddonOptions: undefined },
            ["ServiceRole gen-eks-nodeRole", "RolePolicyAttachment gen-eks-eksRole-d86a545b", "Addon gen-eks-coredns"],
            ["Addon gen-eks-vpc-cni", "Addon gen-eks-kube-proxy", "SecurityGroup gen-eks-eksClusterSecurityGroup"],
        ],
        [
            "Auto Mode with useDefaultVpcCni: false and createNodeRole: false",
            { autoMode: { enabled: true, createNodeRole: false }, useDefaultVpcCni: false },
            ["Addon gen-eks-vpc-cni"],
            ["ServiceRole gen-eks-nodeRole"],
        ],
        [
            "kubeProxyAddonOptions.enabled: false",
            { kubeProxyAddonOptions: { enabled: false } },
            [],
            ["Addon gen-eks-kube-proxy"],
        ],
        [
            "corednsAddonOptions.enabled: true",
            { corednsAddonOptions: { enabled: true } },
            ["Addon gen-eks-coredns"],
            [],
        ],
        [
            "corednsAddonOptions.configurationValues",
            { corednsAddonOptions: { configurationValues: { replicaCount: 3 } } },
            ["Addon gen-eks-coredns"],
            [],
        ],
        [
            "Fargate: a profile, its pod execution role and CoreDNS",
            { fargate: true },
            ["FargateProfile gen-eks-fargateProfile", "ServiceRole gen-eks-podExecutionRole", "Addon gen-eks-coredns"],
            [],
        ],
        [
            "Fargate with its own role and CoreDNS off",
            { fargate: { podExecutionRoleArn: "arn:aws:iam::1:role/p" }, corednsAddonOptions: { enabled: false } },
            ["FargateProfile gen-eks-fargateProfile"],
            ["ServiceRole gen-eks-podExecutionRole", "Addon gen-eks-coredns"],
        ],
        ["serviceRole given", { serviceRole: "arn:aws:iam::1:role/eks" }, [], ["ServiceRole gen-eks-eksRole"]],
        [
            "skipDefaultSecurityGroups",
            { skipDefaultSecurityGroups: true },
            [],
            ["SecurityGroup gen-eks-eksClusterSecurityGroup", "SecurityGroup gen-eks-nodeSecurityGroup"],
        ],
        [
            "clusterSecurityGroup given: no cluster group of its own, the node group still",
            { clusterSecurityGroup: "sg-1" },
            ["SecurityGroup gen-eks-nodeSecurityGroup"],
            ["SecurityGroup gen-eks-eksClusterSecurityGroup"],
        ],
        [
            "createOidcProvider unset",
            { createOidcProvider: undefined },
            [],
            ["OpenIdConnectProvider gen-eks-oidcProvider"],
        ],
        [
            "API_AND_CONFIG_MAP: access entries and aws-auth",
            { authenticationMode: "API_AND_CONFIG_MAP" },
            ["ConfigMap gen-eks-nodeAccess", "AccessEntry gen-eks-admin-0"],
            [],
        ],
        [
            "CONFIG_MAP: aws-auth only",
            { authenticationMode: "CONFIG_MAP" },
            ["ConfigMap gen-eks-nodeAccess"],
            ["AccessEntry gen-eks-admin-0"],
        ],
        [
            "createInstanceRole with access entries: the default node group's access entry",
            { createInstanceRole: true, customInstanceRolePolicy: "{}" },
            [
                "ServiceRole gen-eks-instanceRole",
                "AccessEntry gen-eks-defaultNodeGroupInstanceRole",
                "RolePolicy gen-eks-EKSWorkerCustomPolicy",
            ],
            [],
        ],
        [
            "instanceRole given with a default node group: its instance profile",
            { instanceRole: "arn:aws:iam::1:role/n", skipDefaultNodeGroup: false },
            ["InstanceProfile gen-eks-instanceProfile", "AccessEntry gen-eks-defaultNodeGroupInstanceRole"],
            ["ServiceRole gen-eks-instanceRole"],
        ],
        ["storageClasses: gp3", { storageClasses: "gp3" }, ["StorageClass gen-eks-gp3"], []],
        [
            "vpcCniOptions.securityContextPrivileged",
            { vpcCniOptions: { securityContextPrivileged: true } },
            ["DaemonSetPatch gen-eks-vpc-cni"],
            [],
        ],
    ];
    for (const [title, args, present, absent] of BRANCHES)
        it(title, () => {
            const children = clusterChildren({ ...PROGRAM, ...args });
            for (const c of present) assert.ok(children.includes(c), `${c} in ${children.join(", ")}`);
            for (const c of absent) assert.ok(!children.includes(c), `no ${c}`);
        });

    it("names the Fargate profile eks_<...>fargateProfile when the component is named eks-<...> (cluster.ts:1145-1153)", () => {
        const objects = model([STACK, rec("eks:index:Cluster", "eks-prod", { fargate: true })]);
        one(objects, "aws:eks/fargateProfile:FargateProfile", "eks_prodfargateProfile");
    });

    it("ServiceRole attachments are named after sha1 of the policy id (servicerole.ts:19-25)", () => {
        assert.equal(
            attachmentName("dev-cluster-eks-eksRole", "AmazonEKSClusterPolicy"),
            "dev-cluster-eks-eksRole-4b490823",
        );
    });

    it("children inherit protect from a protected component (production), implicit objects have none to inherit", () => {
        const [stack, cluster, ...rest] = clusterStack(PROGRAM);
        const objects = model([stack, { ...cluster, protect: true }, ...rest]);
        assert.deepEqual(
            objects.filter((o) => o.kind === "child" && !o.protect).map((o) => o.name),
            [],
        );
        assert.ok(objects.filter((o) => o.kind === "implicit").every((o) => o.protect === undefined));
        assert.ok(model(clusterStack(PROGRAM)).every((o) => !o.protect));
    });

    it("registers AWS children with @pulumi/aws 7.25.0 (their own default provider) and gives them URNs under the component", () => {
        const addon = one(model(clusterStack(PROGRAM)), "aws:eks/addon:Addon", "gen-eks-vpc-cni");
        assert.equal(addon.provider, "default_7_25_0");
        assert.equal(addon.registeredWith, "@pulumi/aws 7.25.0");
        assert.equal(
            addon.urn,
            "urn:pulumi:gen::eks-istio::eks:index:Cluster$eks:index:VpcCniAddon$aws:eks/addon:Addon::gen-eks-vpc-cni",
        );
        assert.deepEqual(
            { ...addon.inputs },
            {
                addonName: "vpc-cni",
                clusterName: "gen",
                addonVersion: "<EKS most recent vpc-cni for Kubernetes 1.35>",
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
                preserve: true,
                // computeEnv always sets it (addons/cni-addon.ts:372-390).
                configurationValues: '{"env":{"WARM_ENI_TARGET":"1"}}',
            },
        );
    });
});

describe("out of sight: what eks:index:ManagedNodeGroup (pulumi-eks 4.3.0) creates", () => {
    const group = (args: Record<string, any>) =>
        model(
            clusterStack(
                {},
                rec("eks:index:ManagedNodeGroup", "gen-nodes", {
                    cluster: CLUSTER_KEY.replace("eks:index:Cluster::", ""),
                    ...args,
                }),
            ),
        );
    const nodeGroup = (args: Record<string, any>) => one(group(args), "aws:eks/nodeGroup:NodeGroup", "gen-nodes");

    // [arguments, version the node group gets, follows the cluster, pulumi-eks's own launch template]
    const VERSIONS: [string, Record<string, any>, string | undefined, boolean, boolean][] = [
        ["neither version nor launchTemplate: the cluster's", {}, "1.35", true, false],
        [
            "a launchTemplate and no version: none (EKS keeps what it has)",
            { launchTemplate: { id: "lt" } },
            undefined,
            false,
            false,
        ],
        [
            "a launchTemplate and a version: that version",
            { launchTemplate: { id: "lt" }, version: "1.35" },
            "1.35",
            false,
            false,
        ],
        ["a version: that version", { version: "1.34" }, "1.34", false, false],
        ["enableIMDSv2: its own template, the cluster's version", { enableIMDSv2: true }, "1.35", true, true],
        [
            "kubeletExtraArgs: an AMI in its own template, no version",
            { kubeletExtraArgs: "--x", version: "1.35" },
            undefined,
            false,
            true,
        ],
    ];
    for (const [title, args, version, follows, ownTemplate] of VERSIONS)
        it(title, () => {
            const { inputs, facts, deps } = nodeGroup(args);
            assert.equal(inputs.version, version);
            // The node group reads its own template's ID and latest version: a template update rolls the nodes.
            assert.deepEqual(
                deps?.launchTemplate,
                ownTemplate ? ["aws:ec2/launchTemplate:LaunchTemplate::gen-nodes-launchTemplate"] : undefined,
            );
            assert.equal(facts?.versionFollowsCluster, follows);
            assert.equal(inputs.clusterName, "gen");
            const names_ = names(group(args));
            assert.equal(names_.includes("LaunchTemplate gen-nodes-launchTemplate"), ownTemplate);
        });

    it("enableEfaSupport: a placement group named after the component", () => {
        one(
            group({ enableEfaSupport: true, placementGroupAvailabilityZone: "a" }),
            "aws:ec2/placementGroup:PlacementGroup",
            "gen-nodes",
        );
    });

    it("EKS adds the node group's Auto Scaling group and an access entry for its node role", () => {
        const implicit = names(group({ nodeRoleArn: "arn:aws:iam::1:role/node" }), "implicit");
        assert.ok(implicit.includes("Group eks-gen-nodes-<random>-<uuid>"));
        assert.ok(implicit.includes("AccessEntry arn:aws:iam::1:role/node"));
    });
});

describe("out of sight: what awsx:ec2:Vpc (awsx 3.9.0) creates", () => {
    const vpc = (args: Record<string, any>) => model([STACK, rec("awsx:ec2:Vpc", "v", args)]);
    const specs = [{ type: "Public" }, { type: "Private" }];

    it("2 AZs, Single NAT: 20 resources, one NAT gateway in AZ 1 that both private routes use (CHILDREN.md section 3)", () => {
        const objects = vpc({
            cidrBlock: "10.10.0.0/16",
            numberOfAvailabilityZones: 2,
            natGateways: { strategy: "Single" },
            subnetStrategy: "Auto",
            subnetSpecs: specs,
        });
        assert.equal(objects.length, 20);
        assert.deepEqual(
            objects.filter((o) => o.type === "aws:ec2/subnet:Subnet").map((o) => [o.name, o.inputs.cidrBlock]),
            [
                ["v-public-1", "10.10.0.0/18"],
                ["v-private-1", "10.10.64.0/18"],
                ["v-public-2", "10.10.128.0/18"],
                ["v-private-2", "10.10.192.0/18"],
            ],
        );
        assert.deepEqual(
            names(objects).filter((n) => /Eip|NatGateway/.test(n)),
            ["Eip v-1", "NatGateway v-1"],
        );
        assert.deepEqual(
            objects
                .filter((o) => o.type === "aws:ec2/route:Route" && o.name.includes("private"))
                .map((o) => o.inputs.natGatewayId),
            ["<v-1>", "<v-1>"],
        );
        assert.equal(one(objects, "aws:ec2/vpc:Vpc").provider, "default_7_43_0");
    });

    it("3 AZs, OnePerAz: 32 resources, a NAT gateway per AZ, /19 subnets", () => {
        const objects = vpc({
            cidrBlock: "10.30.0.0/16",
            numberOfAvailabilityZones: 3,
            natGateways: { strategy: "OnePerAz" },
            subnetStrategy: "Auto",
            subnetSpecs: specs,
        });
        assert.equal(objects.length, 32);
        assert.deepEqual(
            objects.filter((o) => o.type === "aws:ec2/subnet:Subnet").map((o) => o.inputs.cidrBlock),
            ["10.30.0.0/19", "10.30.32.0/19", "10.30.64.0/19", "10.30.96.0/19", "10.30.128.0/19", "10.30.160.0/19"],
        );
        assert.deepEqual(
            objects
                .filter((o) => o.type === "aws:ec2/route:Route" && o.name.includes("private"))
                .map((o) => o.inputs.natGatewayId),
            ["<v-1>", "<v-2>", "<v-3>"],
        );
    });

    it("4 AZs keep the 3-AZ layout and add the last AZ's /19s; across 2 <-> 3 every subnet moves", () => {
        assert.equal(autoSubnetCidr("10.30.0.0/16", 4, 2, 3, 0), "10.30.192.0/19");
        assert.equal(autoSubnetCidr("10.30.0.0/16", 4, 2, 3, 1), "10.30.224.0/19");
        assert.notEqual(autoSubnetCidr("10.30.0.0/16", 2, 2, 0, 1), autoSubnetCidr("10.30.0.0/16", 3, 2, 0, 1));
    });

    it("strategy None: no Elastic IP, NAT gateway or private route; no specs: awsx's own private and public subnets", () => {
        const none = names(
            vpc({
                cidrBlock: "10.0.0.0/16",
                numberOfAvailabilityZones: 2,
                natGateways: { strategy: "None" },
                subnetStrategy: "Auto",
                subnetSpecs: specs,
            }),
        );
        assert.ok(!none.some((n) => /Eip|NatGateway|Route v-private/.test(n)), none.join(", "));
        const defaults = vpc({ cidrBlock: "10.0.0.0/16", vpcEndpointSpecs: [{ serviceName: "com.amazonaws.s3" }] });
        assert.equal(defaults.filter((o) => o.type === "aws:ec2/subnet:Subnet").length, 6, "three AZs by default");
        assert.equal(one(defaults, "aws:ec2/subnet:Subnet", "v-private-1").inputs.cidrBlock, "<allocated by awsx>");
        assert.equal(
            defaults.filter((o) => o.type === "aws:ec2/natGateway:NatGateway").length,
            3,
            "OnePerAz by default",
        );
        one(defaults, "aws:ec2/vpcEndpoint:VpcEndpoint", "com.amazonaws.s3");
    });
});

describe("out of sight: what EKS, the load balancer controller and Kubernetes create", () => {
    it("EKS: the cluster security group, the log group when a log type is on, the bootstrap add-ons; Kubernetes: four namespaces", () => {
        assert.deepEqual(names(model(clusterStack(PROGRAM)), "implicit"), [
            "SecurityGroup eks-cluster-sg-gen-<uniqueID>",
            "LogGroup /aws/eks/gen/cluster",
            "DaemonSet kube-system/aws-node",
            "DaemonSet kube-system/kube-proxy",
            "Deployment kube-system/coredns",
            "Namespace default",
            "Namespace kube-node-lease",
            "Namespace kube-public",
            "Namespace kube-system",
        ]);
        const quiet = names(
            model(clusterStack({ ...PROGRAM, enabledClusterLogTypes: [], bootstrapSelfManagedAddons: false })),
            "implicit",
        );
        assert.ok(!quiet.some((n) => /LogGroup|DaemonSet|Deployment/.test(n)), quiet.join(", "));
    });

    const controller = k8s("helm.sh/v3:Release", "lbc", {
        name: "aws-load-balancer-controller",
        namespace: "kube-system",
        chart: "aws-load-balancer-controller",
        values: { clusterName: "gen" },
    });
    const ingress = (annotations: Record<string, string>, className = "alb") =>
        k8s("networking.k8s.io/v1:Ingress", "ing", {
            metadata: { name: "istio-ingress-gen", namespace: "istio-system", annotations },
            spec: {
                ingressClassName: className,
                rules: [
                    {
                        http: {
                            paths: [{ backend: { service: { name: "istio-ingressgateway", port: { number: 8000 } } } }],
                        },
                    },
                ],
            },
        });
    const lbc = (...rs: Recorded[]) =>
        names(model(clusterStack({}, ...rs)), "implicit").filter(
            (n) => !/eks-cluster-sg|kube-|default|LogGroup|coredns/.test(n),
        );

    // [annotations, controller values, what the controller creates]
    const INGRESSES: [string, Record<string, string>, Record<string, unknown>, string[]][] = [
        [
            "load-balancer-name: that name, a target group and its binding, the frontend and the shared backend group",
            { "alb.ingress.kubernetes.io/load-balancer-name": "eks-istio-gen" },
            {},
            [
                "LoadBalancer eks-istio-gen",
                "TargetGroup k8s-istiosys-istioing-<hash>",
                "TargetGroupBinding istio-system/k8s-istiosys-istioing-<hash>",
                `SecurityGroup k8s-istiosys-istioing-${"ec2a1a8306"}`,
                "SecurityGroup k8s-traffic-gen-3b6a765ede",
            ],
        ],
        [
            "no name: k8s-<namespace:8>-<name:8>-<hash of cluster, group, scheme>",
            {},
            {},
            [
                "LoadBalancer k8s-istiosys-istioing-",
                "TargetGroup",
                "TargetGroupBinding",
                "SecurityGroup k8s-istiosys",
                "SecurityGroup k8s-traffic",
            ],
        ],
        [
            "group.name: k8s-<group:17>-<hash>",
            { "alb.ingress.kubernetes.io/group.name": "shared-edge" },
            {},
            [
                "LoadBalancer k8s-sharededge-",
                "TargetGroup",
                "TargetGroupBinding",
                "SecurityGroup k8s-sharededge-",
                "SecurityGroup k8s-traffic",
            ],
        ],
        [
            "security-groups given: no managed groups",
            { "alb.ingress.kubernetes.io/security-groups": "sg-1" },
            {},
            ["LoadBalancer", "TargetGroup", "TargetGroupBinding"],
        ],
        [
            "enableBackendSecurityGroup: false: no backend group",
            {},
            { enableBackendSecurityGroup: false },
            ["LoadBalancer", "TargetGroup", "TargetGroupBinding", "SecurityGroup k8s-istiosys"],
        ],
    ];
    for (const [title, annotations, values, expected] of INGRESSES)
        it(title, () => {
            const got = lbc(
                { ...controller, inputs: { ...controller.inputs, values: { ...controller.inputs.values, ...values } } },
                ingress(annotations),
            );
            assert.equal(got.length, expected.length, got.join(", "));
            expected.forEach((e, i) => assert.ok(got[i].startsWith(e), `${got[i]} starts with ${e}`));
        });

    it("an Ingress of another class, or none: the controller creates nothing", () => {
        assert.deepEqual(lbc(controller, ingress({}, "nginx")), []);
    });
});

describe("out of sight: the rules", () => {
    it("every rule cites an upstream file and lines or document", () => {
        for (const r of Object.values(RULES)) assert.match(r.source, /(\.(ts|go|adoc):\d+|kubernetes\.io\/docs)/, r.id);
    });

    it("every rule is exercised by a row above", function () {
        // The rows above record what they exercised; a run of this test alone (mocha -g) has none to judge.
        if (exercised.size === 0) this.skip();
        assert.deepEqual(
            Object.keys(RULES).filter((id) => !exercised.has(id) && id !== "eksAddonTakesOver"),
            [],
        );
    });
});
