// The AWS Load Balancer Controller's IAM policy: upstream's v3.5.0 iam_policy.json, every action kept,
// every condition kept or narrowed to this cluster (its tag value, or its VPC), never dropped or
// widened; what is left unnarrowed is exactly what the README lists; each managed policy fits IAM.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
    accountOf,
    ALB_CLUSTER_TAG,
    albControllerPolicy,
    albControllerPolicyDocuments,
    upstreamAlbControllerPolicy,
    vpcArn,
} from "../components/manifests/albControllerPolicy";
import type { PolicyStatement } from "../components/manifests/aws";
import upstreamPolicy from "../components/manifests/albControllerIamPolicy.v3.5.0.json";
import { ROOT } from "./harness";
import { conditionImplies, list, statementWithin } from "./iamDocuments";

const SCOPE = { region: "ap-northeast-1", clusterName: "eks-istio-dev", account: "123456789012", vpcId: "vpc-0abc" };
const VPC = "arn:aws:ec2:ap-northeast-1:123456789012:vpc/vpc-0abc";
const policy = albControllerPolicy(SCOPE);
const upstream = upstreamAlbControllerPolicy(SCOPE.region);
const actionsOf = (statements: PolicyStatement[]) => [...new Set(statements.flatMap((s) => list(s.Action)))];

/** Whether a statement confines itself to this cluster: its tag with this cluster's name, or its VPC. */
function namesThisCluster(s: PolicyStatement): boolean {
    const values = Object.values(s.Condition ?? {}).flatMap((block) =>
        Object.entries(block).map(([key, v]) => ({ key: key.toLowerCase(), v: list(v) })),
    );
    const tagged = values.some(
        ({ key, v }) => key.endsWith(`tag/${ALB_CLUSTER_TAG}`) && v.length === 1 && v[0] === SCOPE.clusterName,
    );
    const inVpc =
        values.some(({ key, v }) => key === "ec2:vpc" && v.length === 1 && v[0] === VPC) ||
        list(s.Resource).every((r) => r === VPC);
    return tagged || inVpc;
}

/** Statements AWS lets no condition narrow to a cluster: the README lists their actions, with the reason. */
const UNNARROWABLE_SIDS = ["ElbServiceLinkedRole", "Read", "WafShieldCertificates", "NoConditionKey"];

describe("albControllerPolicy: upstream v3.5.0, narrowed to this cluster", () => {
    it("still grants every action of upstream's iam_policy.json, and no other", () => {
        assert.deepEqual(actionsOf(policy.Statement).sort(), actionsOf(upstream.Statement).sort());
        assert.equal(actionsOf(policy.Statement).length, 80);
    });

    it("grants nothing upstream does not: each statement, action by action, is within an upstream statement (conditions kept or narrowed, resources kept or narrowed)", () => {
        for (const s of policy.Statement)
            for (const action of list(s.Action))
                assert.ok(
                    upstream.Statement.some((u) => statementWithin(s, u, action)),
                    `${s.Sid}: ${action} is granted more widely than upstream allows it`,
                );
    });

    it("the comparison itself catches a dropped condition, a widened value and a widened resource", () => {
        const [tagOnCreate] = upstream.Statement.filter(
            (u) => list(u.Action).includes("ec2:CreateTags") && u.Condition?.StringEquals,
        );
        const dropped: PolicyStatement = {
            ...tagOnCreate,
            Condition: { StringEquals: { "ec2:CreateAction": "CreateSecurityGroup" } },
        };
        assert.equal(
            upstream.Statement.some((u) => statementWithin(dropped, u, "ec2:CreateTags")),
            false,
        );
        const widened: PolicyStatement = {
            ...tagOnCreate,
            Condition: {
                StringEquals: { "ec2:CreateAction": ["CreateSecurityGroup", "RunInstances"] },
                Null: tagOnCreate.Condition!.Null!,
            },
        };
        assert.equal(
            upstream.Statement.some((u) => statementWithin(widened, u, "ec2:CreateTags")),
            false,
        );
        const anyResource: PolicyStatement = { ...tagOnCreate, Resource: "*" };
        assert.equal(
            upstream.Statement.some((u) => statementWithin(anyResource, u, "ec2:CreateTags")),
            false,
        );
        // The tag "exists" (Null false) is implied by "equals this cluster", not by "is absent".
        assert.ok(
            conditionImplies(
                { StringEquals: { "aws:ResourceTag/x": "c" } },
                { Null: { "aws:ResourceTag/x": "false" } },
            ),
        );
        assert.equal(
            conditionImplies({ Null: { "aws:ResourceTag/x": "true" } }, { Null: { "aws:ResourceTag/x": "false" } }),
            false,
        );
    });

    it("replaces each of upstream's 'has a cluster tag' (Null false) with 'is this cluster's' (StringEquals)", () => {
        const existence = policy.Statement.filter((s) =>
            Object.entries(s.Condition?.Null ?? {}).some(([, v]) => v === "false"),
        );
        assert.deepEqual(existence, []);
        const upstreamTagged = upstream.Statement.filter((u) => u.Condition?.Null).flatMap((u) => list(u.Action));
        for (const action of upstreamTagged)
            for (const s of policy.Statement.filter((x) => list(x.Action).includes(action)))
                assert.ok(namesThisCluster(s), `${s.Sid}: ${action}`);
    });

    it("confines every statement AWS lets a condition narrow to this cluster's tag or VPC", () => {
        const unnarrowed = policy.Statement.filter((s) => !namesThisCluster(s)).map((s) => s.Sid);
        assert.deepEqual(unnarrowed, UNNARROWABLE_SIDS);
    });

    // The Done-when list of the issue: ingress and deletion of security groups, deletion and change
    // of load balancers, target groups, listeners, rules and targets.
    const CONFINED = [
        "ec2:AuthorizeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupIngress",
        "ec2:DeleteSecurityGroup",
        "ec2:CreateSecurityGroup",
        "ec2:CreateTags",
        "ec2:DeleteTags",
        "elasticloadbalancing:DeleteLoadBalancer",
        "elasticloadbalancing:ModifyLoadBalancerAttributes",
        "elasticloadbalancing:SetSecurityGroups",
        "elasticloadbalancing:SetSubnets",
        "elasticloadbalancing:DeleteTargetGroup",
        "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:ModifyTargetGroupAttributes",
        "elasticloadbalancing:RegisterTargets",
        "elasticloadbalancing:DeregisterTargets",
        "elasticloadbalancing:CreateListener",
        "elasticloadbalancing:DeleteListener",
        "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:CreateRule",
        "elasticloadbalancing:DeleteRule",
        "elasticloadbalancing:ModifyRule",
        "elasticloadbalancing:AddTags",
        "elasticloadbalancing:RemoveTags",
    ];
    for (const action of CONFINED)
        it(`${action}: every statement granting it names this cluster or its VPC`, () => {
            const granting = policy.Statement.filter((s) => list(s.Action).includes(action));
            assert.ok(granting.length > 0);
            for (const s of granting) assert.ok(namesThisCluster(s), `${s.Sid}`);
        });

    it("opens security groups only in the cluster's VPC (the nodes' groups carry no cluster tag)", () => {
        const [ingress] = policy.Statement.filter((s) => s.Sid === "IngressInClusterVpc");
        assert.deepEqual(ingress.Condition, { ArnEquals: { "ec2:Vpc": VPC } });
        assert.deepEqual(ingress.Resource, "arn:aws:ec2:*:*:security-group/*");
    });

    it("never puts ec2:Vpc on an elasticloadbalancing action (ELB defines no VPC key: the Allow would never match)", () => {
        for (const s of policy.Statement.filter((x) =>
            list(x.Action).some((a) => a.startsWith("elasticloadbalancing:")),
        ))
            for (const block of Object.values(s.Condition ?? {}))
                assert.ok(!Object.keys(block).some((k) => k.toLowerCase().startsWith("ec2:")), s.Sid);
    });

    it("lets new listeners and rules be tagged on creation (AddTags through CreateListener/CreateRule), with this cluster's tag only", () => {
        const [s] = policy.Statement.filter((x) => x.Sid === "TagNewClusterListeners");
        assert.deepEqual(s.Action, ["elasticloadbalancing:AddTags"]);
        assert.deepEqual(s.Condition, {
            StringEquals: {
                "elasticloadbalancing:CreateAction": ["CreateListener", "CreateRule"],
                [`aws:RequestTag/${ALB_CLUSTER_TAG}`]: SCOPE.clusterName,
            },
        });
        for (const r of list(s.Resource))
            assert.match(r, /^arn:aws:elasticloadbalancing:\*:\*:listener(-rule)?\/(app|net)\//);
    });

    it("is upstream's document when the narrowing is taken out (the same 16 statements, split where AWS needs it)", () => {
        assert.deepEqual(upstreamAlbControllerPolicy("ap-northeast-1"), upstreamPolicy);
        assert.equal(upstream.Statement.length, 16);
        assert.equal(policy.Statement.length, 20);
    });

    it("names another cluster and VPC for another stack", () => {
        const other = albControllerPolicy({ ...SCOPE, clusterName: "eks-istio-product", vpcId: "vpc-0prod" });
        const json = JSON.stringify(other);
        assert.ok(json.includes('"eks-istio-product"') && !json.includes('"eks-istio-dev"'));
        assert.ok(json.includes("vpc/vpc-0prod") && !json.includes("vpc-0abc"));
    });

    const PARTITIONS: [string, string][] = [
        ["ap-northeast-1", "aws"],
        ["cn-north-1", "aws-cn"],
        ["us-gov-west-1", "aws-us-gov"],
    ];
    for (const [region, partition] of PARTITIONS)
        it(`${region}: every ARN, the VPC's included, is in partition ${partition}`, () => {
            const p = albControllerPolicy({ ...SCOPE, region });
            const resources = p.Statement.flatMap((s) => list(s.Resource)).filter((r) => r !== "*");
            assert.ok(resources.length > 10);
            for (const r of resources) assert.ok(r.startsWith(`arn:${partition}:`), r);
            assert.equal(vpcArn({ ...SCOPE, region }), `arn:${partition}:ec2:${region}:123456789012:vpc/vpc-0abc`);
            assert.ok(
                JSON.stringify(p).includes(`"ec2:Vpc":"arn:${partition}:ec2:${region}:123456789012:vpc/vpc-0abc"`),
            );
        });

    it("reads the account from an ARN, and refuses one without", () => {
        assert.equal(
            accountOf("arn:aws-cn:iam::210987654321:oidc-provider/oidc.eks.cn-north-1.amazonaws.com.cn/id/X"),
            "210987654321",
        );
        assert.throws(() => accountOf("arn:aws:s3:::bucket"), /no account in ARN arn:aws:s3:::bucket/);
    });
});

describe("albControllerPolicyDocuments: the policy as IAM managed policies", () => {
    // The longest cluster name config allows (environments have at most 10 characters) and the
    // longest partition.
    const longest = {
        region: "us-gov-west-1",
        clusterName: "eks-istio-abcdefghij",
        account: "123456789012",
        vpcId: "vpc-0123456789abcdef0",
    };

    it("are together exactly the narrowed policy: EC2, IAM and reads in one, Elastic Load Balancing's changes in the other", () => {
        const { main, elb } = albControllerPolicyDocuments(SCOPE);
        assert.deepEqual(
            [...main.Statement, ...elb.Statement].map((s) => s.Sid).sort(),
            policy.Statement.map((s) => s.Sid).sort(),
        );
        for (const s of elb.Statement) for (const a of list(s.Action)) assert.match(a, /^elasticloadbalancing:/);
        for (const s of main.Statement)
            assert.ok(
                list(s.Action).some((a) => !a.startsWith("elasticloadbalancing:")),
                s.Sid,
            );
    });

    it("each fits IAM's 6,144-character limit for a managed policy, for the longest cluster name and partition", () => {
        const { main, elb } = albControllerPolicyDocuments(longest);
        for (const doc of [main, elb])
            assert.ok(JSON.stringify(doc).length <= 6144, `${JSON.stringify(doc).length} characters`);
        // One document would not fit: that is why there are two.
        assert.ok(JSON.stringify(albControllerPolicy(longest)).length > 6144);
    });
});

describe("README: the statements AWS cannot narrow, with the reason (EN and JA)", () => {
    const unnarrowed = policy.Statement.filter((s) => UNNARROWABLE_SIDS.includes(s.Sid!));
    // The long lists of reads are named by pattern; every other action by name.
    const named = actionsOf(unnarrowed).filter((a) => !/:(Describe|Get|List)/.test(a));
    for (const file of ["README.md", "README.ja.md"])
        it(`${file} names each unnarrowed write action`, () => {
            const text = fs.readFileSync(path.join(ROOT, file), "utf8");
            for (const action of named) assert.ok(text.includes(action), `${file} does not name ${action}`);
            assert.ok(!/IAM boundaries between environments/.test(text), "the old claim is gone");
        });
});
