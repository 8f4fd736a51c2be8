// The AWS Load Balancer Controller's IAM policy: upstream's v3.5.0 `iam_policy.json`, every action
// kept, narrowed to this cluster's objects wherever AWS evaluates a condition key that can say so.
//
// Upstream lets a controller change any load balancer, target group or security group that carries
// the tag `elbv2.k8s.aws/cluster` with *any* value (`Null … "false"`), and leaves listeners, rules,
// targets and security-group ingress unconditioned: with several stacks in one account, dev's
// controller could rewrite product's listeners or open its security groups. Here every such
// statement names this cluster (the tag's value is the controller's --cluster-name, the chart's
// `clusterName`) or this cluster's VPC. Each condition key is one the Service Authorization
// Reference lists for the action or for every resource type the statement's Resource covers
// (tests/iamConditions.spec.ts checks them against the vendored reference data): an unsupported key
// in an Allow never matches, and the controller would silently get AccessDenied.
//
// What AWS cannot narrow, and why separate accounts stay the strong boundary: README, "Environment
// isolation in one account".
import upstreamAlbPolicy from "./albControllerIamPolicy.v3.5.0.json";
import { partitionOf } from "../config/primitives";
import type { PolicyDocument, PolicyStatement } from "./aws";

/** The tag the controller puts on everything it creates, valued with its --cluster-name. */
export const ALB_CLUSTER_TAG = "elbv2.k8s.aws/cluster";

export interface AlbPolicyScope {
    /** The stack's region: its partition goes into every ARN. */
    region: string;
    /** The EKS cluster's name, which the chart's `clusterName` passes to the controller. */
    clusterName: string;
    /** The account the cluster's VPC is in (the stack's). */
    account: string;
    vpcId: string;
}

/** The ARN `ec2:Vpc` compares with: `arn:<partition>:ec2:<region>:<account>:vpc/<id>`. */
export function vpcArn(s: Pick<AlbPolicyScope, "region" | "account" | "vpcId">): string {
    return `arn:${partitionOf(s.region)}:ec2:${s.region}:${s.account}:vpc/${s.vpcId}`;
}

/** The account of an ARN (`arn:<partition>:<service>:<region>:<account>:…`). */
export function accountOf(arn: string): string {
    const account = arn.split(":")[4];
    if (!/^\d{12}$/.test(account ?? "")) throw new Error(`no account in ARN ${arn}`);
    return account;
}

/** Upstream's document verbatim, in the stack's partition: what the narrowed policy is compared with. */
export function upstreamAlbControllerPolicy(region: string): PolicyDocument {
    const json = JSON.stringify(upstreamAlbPolicy).replaceAll('"arn:aws:', `"arn:${partitionOf(region)}:`);
    return JSON.parse(json) as PolicyDocument;
}

const statement = (
    Sid: string,
    Action: string[],
    Resource: string | string[],
    Condition?: PolicyStatement["Condition"],
): PolicyStatement => ({ Sid, Effect: "Allow", Action, Resource, ...(Condition ? { Condition } : {}) });

/**
 * The controller's policy for one cluster. Statements follow upstream's order (S1…S16 in the
 * comments); a statement AWS evaluates different keys for is split in two.
 */
export function albControllerPolicy(scope: AlbPolicyScope): PolicyDocument {
    const upstream = upstreamAlbControllerPolicy(scope.region).Statement;
    const arn = (service: string, resource: string) => `arn:${partitionOf(scope.region)}:${service}:*:*:${resource}`;
    const securityGroups = arn("ec2", "security-group/*");
    const resourceTag = `aws:ResourceTag/${ALB_CLUSTER_TAG}`;
    const requestTag = `aws:RequestTag/${ALB_CLUSTER_TAG}`;
    // "The object is this cluster's", and "the new object will be".
    const ours = { StringEquals: { [resourceTag]: scope.clusterName } };
    const createdAsOurs = { StringEquals: { [requestTag]: scope.clusterName } };
    // Existing objects keep their cluster tag: no request may set or change it.
    const keepsClusterTag = { Null: { [requestTag]: "true" }, ...ours };
    const listenersAndRules = [
        "listener/net/*/*/*",
        "listener/app/*/*/*",
        "listener-rule/net/*/*/*",
        "listener-rule/app/*/*/*",
    ].map((r) => arn("elasticloadbalancing", r));
    return {
        Version: "2012-10-17",
        Statement: [
            // S1-S3: the service-linked role, reads, and WAF / Shield / certificates: nothing AWS
            // evaluates there names a cluster (README).
            { Sid: "ElbServiceLinkedRole", ...upstream[0] },
            { Sid: "Read", ...upstream[1] },
            { Sid: "WafShieldCertificates", ...upstream[2] },
            // S4: ingress rules, also on the nodes' security groups, which carry no cluster tag:
            // narrowed by VPC (ec2:Vpc is evaluated for the security-group resource type).
            statement(
                "IngressInClusterVpc",
                ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
                securityGroups,
                {
                    ArnEquals: { "ec2:Vpc": vpcArn(scope) },
                },
            ),
            // S5: a new group is authorized against the group (tags of the request) and against the
            // VPC it goes into (no request tag there): one statement each.
            statement("CreateClusterSecurityGroup", ["ec2:CreateSecurityGroup"], securityGroups, createdAsOurs),
            statement("CreateSecurityGroupInClusterVpc", ["ec2:CreateSecurityGroup"], vpcArn(scope)),
            // S6: tags on a group being created.
            statement("TagNewClusterSecurityGroup", ["ec2:CreateTags"], securityGroups, {
                StringEquals: { "ec2:CreateAction": "CreateSecurityGroup", [requestTag]: scope.clusterName },
            }),
            // S7: tags on this cluster's groups.
            statement(
                "TagClusterSecurityGroups",
                ["ec2:CreateTags", "ec2:DeleteTags"],
                securityGroups,
                keepsClusterTag,
            ),
            // S8: this cluster's groups.
            statement(
                "ClusterSecurityGroups",
                ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress", "ec2:DeleteSecurityGroup"],
                securityGroups,
                ours,
            ),
            // S9: new load balancers and target groups.
            statement(
                "CreateClusterLoadBalancers",
                ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
                "*",
                createdAsOurs,
            ),
            // S10: listeners and rules, created with the cluster tag (the ListenerRulesTagging
            // feature gate, on in the chart values) and deleted only when they carry it.
            statement(
                "CreateClusterListeners",
                ["elasticloadbalancing:CreateListener", "elasticloadbalancing:CreateRule"],
                "*",
                createdAsOurs,
            ),
            statement(
                "DeleteClusterListeners",
                ["elasticloadbalancing:DeleteListener", "elasticloadbalancing:DeleteRule"],
                "*",
                ours,
            ),
            // S11: tags of this cluster's load balancers and target groups.
            statement(
                "TagClusterLoadBalancers",
                ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
                list(upstream[10].Resource),
                keepsClusterTag,
            ),
            // S12: tags of this cluster's listeners and rules; and the tags a new listener or rule is
            // created with, which AWS also authorizes as AddTags on the new, still untagged object.
            statement(
                "TagClusterListeners",
                ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
                listenersAndRules,
                keepsClusterTag,
            ),
            statement("TagNewClusterListeners", ["elasticloadbalancing:AddTags"], listenersAndRules, {
                StringEquals: {
                    "elasticloadbalancing:CreateAction": ["CreateListener", "CreateRule"],
                    [requestTag]: scope.clusterName,
                },
            }),
            // S13: changes to and deletion of this cluster's load balancers, target groups, listeners.
            statement("ChangeClusterLoadBalancers", list(upstream[12].Action), "*", ours),
            // S14: the tags a new load balancer or target group is created with.
            statement("TagNewClusterLoadBalancers", ["elasticloadbalancing:AddTags"], list(upstream[13].Resource), {
                StringEquals: {
                    "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"],
                    [requestTag]: scope.clusterName,
                },
            }),
            // S15: targets of this cluster's target groups.
            statement(
                "ClusterTargets",
                ["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
                list(upstream[14].Resource),
                ours,
            ),
            // S16: this cluster's listeners and rules. SetWebAcl has no condition key at all, and
            // SetRulePriorities none in its own row of the reference: a condition would deny them.
            statement(
                "ChangeClusterListeners",
                [
                    "elasticloadbalancing:ModifyListener",
                    "elasticloadbalancing:AddListenerCertificates",
                    "elasticloadbalancing:RemoveListenerCertificates",
                    "elasticloadbalancing:ModifyRule",
                ],
                "*",
                ours,
            ),
            statement(
                "NoConditionKey",
                ["elasticloadbalancing:SetWebAcl", "elasticloadbalancing:SetRulePriorities"],
                "*",
            ),
        ],
    };
}

/**
 * The policy as IAM managed policies, each within IAM's 6,144-character limit (the narrowed
 * document is longer than upstream's, which already used 5,200): EC2, IAM and the reads in one,
 * Elastic Load Balancing's changes in the other. Together they are exactly `albControllerPolicy`.
 */
export function albControllerPolicyDocuments(scope: AlbPolicyScope): { main: PolicyDocument; elb: PolicyDocument } {
    const all = albControllerPolicy(scope).Statement;
    const elb = (s: PolicyStatement) => list(s.Action).every((a) => a.startsWith("elasticloadbalancing:"));
    return {
        main: { Version: "2012-10-17", Statement: all.filter((s) => !elb(s)) },
        elb: { Version: "2012-10-17", Statement: all.filter(elb) },
    };
}

function list(x: string | string[] | undefined): string[] {
    return x === undefined ? [] : Array.isArray(x) ? x : [x];
}
