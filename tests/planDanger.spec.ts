// What the planner marks as dangerous (tools/plan/danger.ts), how it matches resources across
// revisions (URN, aliases), and in which order it lists the steps. Each case is an update a user
// could run, and whether the plan warns them, with the reason they would read.
import { strict as assert } from "node:assert";
import { CRITICAL_REPLACEMENTS, nodePorts } from "../tools/plan/danger";
import { plan, res, step, summary, urnFor, withInputs } from "./plan/resources";

const NG = "aws:eks/nodeGroup:NodeGroup";
const ROLE = "aws:iam/role:Role";
const ATTACH = "aws:iam/rolePolicyAttachment:RolePolicyAttachment";
const RELEASE = "kubernetes:helm.sh/v3:Release";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const danger = (reasons: string[]) => reasons.filter((r) => r.startsWith("DANGER: ")).join("\n");

describe("plan danger: replacing what traffic or data lives on", () => {
    // One change per type that replaces it.
    const replacing: Record<string, [Record<string, unknown>, Record<string, unknown>]> = {
        "aws:eks/cluster:Cluster": [{ name: "a" }, { name: "b" }],
        "aws:eks/nodeGroup:NodeGroup": [{ instanceTypes: ["t3.large"] }, { instanceTypes: ["m6i.large"] }],
        "aws:ec2/vpc:Vpc": [{ cidrBlock: "10.10.0.0/16" }, { cidrBlock: "10.20.0.0/16" }],
        "aws:ec2/subnet:Subnet": [{ cidrBlock: "10.10.0.0/18" }, { cidrBlock: "10.10.0.0/19" }],
        "aws:kms/key:Key": [{ keyUsage: "ENCRYPT_DECRYPT" }, { keyUsage: "SIGN_VERIFY" }],
        "kubernetes:core/v1:Namespace": [{ metadata: { name: "a" } }, { metadata: { name: "b" } }],
        "kubernetes:networking.k8s.io/v1:Ingress": [
            { metadata: { name: "i", namespace: "a" } },
            { metadata: { name: "i", namespace: "b" } },
        ],
    };
    for (const [type, [before, after]] of Object.entries(replacing))
        it(`${type}: replaced and dangerous`, () => {
            const r = res(type, "r", before);
            const s = step(plan([r], [withInputs(r, after)]), type, "r");
            assert.equal(`${s.op} ${s.danger}`, "replace true", s.reasons.join("\n"));
            assert.equal(danger(s.reasons), `DANGER: ${CRITICAL_REPLACEMENTS[type]}`);
        });

    it("an IAM role replaced is not dangerous by itself", () => {
        const r = res(ROLE, "r", { path: "/" });
        assert.equal(summary(step(plan([r], [withInputs(r, { path: "/x/" })]), ROLE, "r")), `replace ${ROLE} r`);
    });

    it("an Ingress whose scheme changes keeps its object, but the controller replaces its ALB: dangerous", () => {
        const scheme = (s: string) => ({
            metadata: { name: "i", namespace: "a", annotations: { "alb.ingress.kubernetes.io/scheme": s } },
        });
        const r = res("kubernetes:networking.k8s.io/v1:Ingress", "i", scheme("internet-facing"));
        const s = step(plan([r], [withInputs(r, scheme("internal"))]), r.type, "i");
        assert.equal(`${s.op} ${s.danger}`, "update true");
        assert.match(danger(s.reasons), /the ALB's DNS name changes: .*scheme.*internet-facing → internal/);
    });
});

describe("plan danger: protected resources", () => {
    it("deleting a protected resource stops the update: dangerous", () => {
        const key = res("aws:kms/key:Key", "k", {}, { protect: true });
        const s = step(plan([key], []), key.type, "k");
        assert.equal(`${s.op} ${s.danger}`, "delete true");
        assert.match(danger(s.reasons), /protected \(protect: true\): pulumi up stops with an error/);
    });

    it("children inherit protect from their parent (a protected eks.Cluster's children)", () => {
        const parent = res("eks:index:Cluster", "eks", {}, { protect: true, kind: "remote" });
        const child = res("aws:eks/addon:Addon", "eks-vpc-cni", { addonName: "vpc-cni", clusterName: "c" }, { parent });
        const s = step(plan([parent, child], [parent]), child.type, child.name);
        assert.match(danger(s.reasons), /protected/);
    });

    it("deleting an unprotected resource is not dangerous by itself", () => {
        const key = res("aws:kms/key:Key", "k", {});
        assert.equal(summary(step(plan([key], []), key.type, "k")), "delete aws:kms/key:Key k");
    });
});

describe("plan danger: NodePorts", () => {
    const gateway = (ports: { name: string; port: number; nodePort?: number }[]) =>
        res(RELEASE, "gw", { name: "istio-ingressgateway", namespace: "istio-system", values: { service: { ports } } });
    const cases: { title: string; before: object[]; after: object[]; danger?: RegExp }[] = [
        {
            title: "a NodePort that moves",
            before: [{ name: "http-dev", port: 8000, nodePort: 32464 }],
            after: [{ name: "http-dev", port: 8000, nodePort: 30010 }],
            danger: /NodePort http-dev moves 32464 → 30010: the ALB sends traffic to the old port/,
        },
        {
            title: "a port added in front of the others",
            before: [{ name: "http-dev", port: 8000, nodePort: 30010 }],
            after: [
                { name: "http-stg", port: 9000, nodePort: 30011 },
                { name: "http-dev", port: 8000, nodePort: 30010 },
            ],
        },
        {
            title: "a NodePort given where Kubernetes assigned one",
            before: [{ name: "http-dev", port: 8000 }],
            after: [{ name: "http-dev", port: 8000, nodePort: 30010 }],
        },
    ];
    for (const c of cases)
        it(`${c.title}: ${c.danger ? "dangerous" : "not dangerous"}`, () => {
            const before = gateway(c.before as never);
            const s = step(plan([before], [withInputs(before, gateway(c.after as never).inputs)]), RELEASE, "gw");
            assert.equal(s.op, "update");
            if (c.danger) assert.match(danger(s.reasons), c.danger);
            else assert.equal(s.danger, false, s.reasons.join("\n"));
        });

    it("NodePorts are keyed by the port they serve, in Helm values and Service specs alike", () => {
        const spec = {
            spec: {
                ports: [
                    { name: "a", nodePort: 30001 },
                    { port: 80, nodePort: 30002 },
                ],
            },
        };
        assert.deepEqual(
            [...nodePorts(spec)],
            [
                ["spec.ports(a)", 30001],
                ["spec.ports(80)", 30002],
            ],
        );
    });
});

describe("plan danger: permissions taken from roles that pods use", () => {
    const trust = (service: string) =>
        JSON.stringify({ Statement: [{ Action: "sts:AssumeRole", Principal: { Service: service } }] });
    const nodeRole = res(ROLE, "node", { assumeRolePolicy: trust("ec2.amazonaws.com") });
    const irsa = res(ROLE, "alb", {
        assumeRolePolicy: JSON.stringify({ Statement: [{ Action: "sts:AssumeRoleWithWebIdentity" }] }),
    });
    const clusterRole = res(ROLE, "eks", { assumeRolePolicy: trust("eks.amazonaws.com") });
    const mng = res(NG, "ng", { nodeRoleArn: "arn:node" }, { reads: { nodeRoleArn: [nodeRole] }, version: "7.25.0" });
    const attach = (role: typeof nodeRole, policy: string, name = `${role.name}-${policy}`) =>
        res(
            ATTACH,
            name,
            { role: role.name, policyArn: `arn:aws:iam::aws:policy/${policy}` },
            { reads: { role: [role] } },
        );

    const cases: {
        title: string;
        olds: (typeof nodeRole)[];
        news: (typeof nodeRole)[];
        flagged?: string;
        why?: RegExp;
    }[] = [
        {
            title: "a managed policy detached from the node role",
            olds: [nodeRole, mng, attach(nodeRole, "AmazonEKS_CNI_Policy")],
            news: [nodeRole, mng],
            flagged: "node-AmazonEKS_CNI_Policy",
            why: /AmazonEKS_CNI_Policy is detached from node, which the pods on node group ng \(node role\) use/,
        },
        {
            title: "a policy detached from an IRSA role",
            olds: [irsa, attach(irsa, "P")],
            news: [irsa],
            flagged: "alb-P",
            why: /which its service account's pods \(IRSA\) use/,
        },
        {
            title: "a policy detached from a role no pod uses",
            olds: [clusterRole, attach(clusterRole, "P")],
            news: [clusterRole],
        },
        {
            title: "the same attachment under another name",
            olds: [nodeRole, mng, attach(nodeRole, "W", "old-name")],
            news: [nodeRole, mng, attach(nodeRole, "W", "new-name")],
        },
    ];
    for (const c of cases)
        it(`${c.title}: ${c.flagged ? "dangerous" : "not dangerous"}`, () => {
            const steps = plan(c.olds, c.news);
            assert.deepEqual(
                steps.filter((s) => s.danger).map((s) => s.name),
                c.flagged ? [c.flagged] : [],
            );
            if (c.why) assert.match(danger(step(steps, ATTACH, c.flagged!).reasons), c.why);
        });

    describe("actions removed from a policy attached to an IRSA role", () => {
        const doc = (actions: string[]) =>
            JSON.stringify({ Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] });
        const policy = res("aws:iam/policy:Policy", "p", { policy: doc(["ec2:A", "ec2:B"]) });
        const att = res(
            ATTACH,
            "a",
            { role: "alb", policyArn: "arn:p" },
            { reads: { role: [irsa], policyArn: [policy] } },
        );
        const narrowed = withInputs(policy, { policy: doc(["ec2:A"]) });

        it("lost by the role: dangerous", () => {
            const s = step(plan([irsa, policy, att], [irsa, narrowed, att]), policy.type, "p");
            assert.equal(
                danger(s.reasons),
                "DANGER: the policy no longer allows ec2:B, and no other policy of alb does; its service account's pods (IRSA) use it",
            );
        });

        it("moved to another policy of the same role: not dangerous, and the plan says where they went", () => {
            const other = res("aws:iam/policy:Policy", "p2", { policy: doc(["ec2:B"]) });
            const att2 = res(
                ATTACH,
                "a2",
                { role: "alb", policyArn: "arn:p2" },
                { reads: { role: [irsa], policyArn: [other] } },
            );
            const s = step(plan([irsa, policy, att], [irsa, narrowed, att, other, att2]), policy.type, "p");
            assert.equal(s.danger, false);
            assert.deepEqual(s.reasons, [
                "changed: policy",
                "1 actions move to another policy of alb, attached in the same update",
            ]);
        });
    });

    it("IMDS hop limit 1 on the nodes takes the node role's credentials from pods without IRSA", () => {
        const lt = res("aws:ec2/launchTemplate:LaunchTemplate", "lt", {
            metadataOptions: { httpPutResponseHopLimit: 1 },
        });
        const before = res(NG, "ng", { nodeRoleArn: "arn:node" }, { version: "7.25.0" });
        const after = res(
            NG,
            "ng",
            { nodeRoleArn: "arn:node", launchTemplate: { id: "lt-id", version: "1" } },
            { reads: { launchTemplate: [lt] }, version: "7.25.0" },
        );
        assert.match(
            danger(step(plan([before], [lt, after]), NG, "ng").reasons),
            /IMDS hop limit becomes 1 .*pods without an IRSA role lose the node role's credentials/,
        );
    });
});

describe("plan danger: creating what already exists", () => {
    const logGroup = (o: { import?: string } = {}) =>
        res(LOG_GROUP, "logs", { name: "/aws/eks/eks-istio-dev/cluster", retentionInDays: 30 }, o);
    const cluster = (logTypes: string[]) =>
        res(
            "eks:index:Cluster",
            "eks",
            { name: "eks-istio-dev", enabledClusterLogTypes: logTypes },
            { kind: "remote" },
        );

    it("the control-plane log group EKS created while logging was on: dangerous", () => {
        const s = step(plan([cluster(["api", "audit"])], [cluster(["api", "audit"]), logGroup()]), LOG_GROUP, "logs");
        assert.equal(`${s.op} ${s.danger}`, "create true");
        assert.match(
            danger(s.reasons),
            /the log group \/aws\/eks\/eks-istio-dev\/cluster already exists: Amazon EKS created it for eks:index:Cluster eks \(it creates it when control-plane logging is on and no group of that name exists, with no retention, and never deletes it: EKS User Guide latest\/ug\/observability\/control-plane-logs\.adoc:147.*\); the create fails \(adopt it with the import option/,
        );
    });

    it("… adopted with the import option: not dangerous, and the plan says it adopts it", () => {
        const s = step(
            plan([cluster(["api"])], [cluster(["api"]), logGroup({ import: "/aws/eks/eks-istio-dev/cluster" })]),
            LOG_GROUP,
            "logs",
        );
        assert.equal(`${s.op} ${s.danger}`, "create false");
        assert.deepEqual(s.reasons, [
            "imports the existing object /aws/eks/eks-istio-dev/cluster",
            "adopts the log group /aws/eks/eks-istio-dev/cluster that already exists (import)",
        ]);
    });

    it("… with logging off before, there is none: not dangerous", () => {
        assert.equal(step(plan([cluster([])], [cluster([]), logGroup()]), LOG_GROUP, "logs").danger, false);
    });

    it("whatever else the out-of-sight model says AWS created: the access entry EKS adds for a managed node group's role", () => {
        const eks = res("eks:index:Cluster", "eks", { name: "c", authenticationMode: "API" }, { kind: "remote" });
        const nodes = res(
            "eks:index:ManagedNodeGroup",
            "ng",
            { cluster: "eks", nodeRoleArn: "arn:aws:iam::1:role/node" },
            { kind: "remote" },
        );
        const entry = res("aws:eks/accessEntry:AccessEntry", "node-entry", {
            clusterName: "c",
            principalArn: "arn:aws:iam::1:role/node",
        });
        const s = step(plan([eks, nodes], [eks, nodes, entry]), "aws:eks/accessEntry:AccessEntry", "node-entry");
        assert.equal(`${s.op} ${s.danger}`, "create true");
        assert.match(
            danger(s.reasons),
            /access entry of arn:aws:iam::1:role\/node on cluster c already exists: Amazon EKS created it for eks:index:ManagedNodeGroup ng \(it adds an entry for a managed node group's node role: EKS User Guide/,
        );
    });

    it("an add-on the earlier release's component created, created again under another URN: dangerous", () => {
        const eks = res("eks:index:Cluster", "eks", {}, { kind: "remote" });
        const theirs = res(
            "aws:eks/addon:Addon",
            "eks-vpc-cni",
            { addonName: "vpc-cni", clusterName: "c" },
            { parent: eks },
        );
        const ours = res("aws:eks/addon:Addon", "cluster-vpc-cni", { addonName: "vpc-cni", clusterName: "c" });
        const steps = plan([eks, theirs], [eks, ours]);
        assert.deepEqual(steps.filter((s) => s.op !== "same").map(summary), [
            "create! aws:eks/addon:Addon cluster-vpc-cni",
            "delete aws:eks/addon:Addon eks-vpc-cni",
        ]);
        assert.match(
            danger(steps[1].reasons),
            /EKS add-on vpc-cni of cluster c already exists: aws:eks\/addon:Addon eks-vpc-cni of the earlier revision holds it, and Pulumi creates before it deletes/,
        );
    });

    it("… the same add-on aliased to the component's child URN: updated in place, nothing created", () => {
        const eks = res("eks:index:Cluster", "eks", {}, { kind: "remote" });
        const theirs = res(
            "aws:eks/addon:Addon",
            "eks-vpc-cni",
            { addonName: "vpc-cni", clusterName: "c" },
            { parent: eks },
        );
        const ours = res(
            "aws:eks/addon:Addon",
            "cluster-vpc-cni",
            { addonName: "vpc-cni", clusterName: "c", serviceAccountRoleArn: "arn:cni" },
            {
                aliases: [theirs.urn!],
            },
        );
        const steps = plan([eks, theirs], [eks, ours]);
        assert.deepEqual(steps.map(summary), [
            "same eks:index:Cluster eks",
            "update aws:eks/addon:Addon cluster-vpc-cni",
        ]);
        assert.equal(steps[1].reasons[0], "was eks:index:Cluster$aws:eks/addon:Addon::eks-vpc-cni (alias)");
    });

    it("a Helm release renamed in Pulumi but not in Helm: dangerous (two owners of one release)", () => {
        const before = res(RELEASE, "dev-istio-istiod", { name: "istiod", namespace: "istio-system" });
        const after = res(RELEASE, "dev-istio-istiod-1-30", { name: "istiod", namespace: "istio-system" });
        assert.deepEqual(plan([before], [after]).map(summary), [
            `create! ${RELEASE} dev-istio-istiod-1-30`,
            `delete ${RELEASE} dev-istio-istiod`,
        ]);
    });
});

describe("plan: node groups", () => {
    const ng = (name: string) => res(NG, name, { instanceTypes: ["t3.large"] }, { version: "7.25.0" });

    it("blue/green, step 1: a second node group is created and the first stays", () => {
        assert.deepEqual(plan([ng("blue")], [ng("blue"), ng("green")]).map(summary), [
            `same ${NG} blue`,
            `create ${NG} green`,
        ]);
    });

    it("blue/green, step 2: the drained group is deleted while the other runs: not dangerous", () => {
        assert.deepEqual(plan([ng("blue"), ng("green")], [ng("green")]).map(summary), [
            `same ${NG} green`,
            `delete ${NG} blue`,
        ]);
    });

    it("both at once: the new group is created before the old one is deleted, and the delete is dangerous", () => {
        const steps = plan([ng("blue")], [ng("green")]);
        assert.deepEqual(steps.map(summary), [`create ${NG} green`, `delete! ${NG} blue`]);
        assert.match(danger(steps[1].reasons), /no node group that already runs pods stays/);
    });
});

describe("plan: matching and order", () => {
    it("a renamed component's children keep their URNs through the component's alias", () => {
        const oldParent = res("eks-istio:cluster:Cluster", "dev-cluster");
        const oldChild = res("aws:kms/key:Key", "dev-cluster-secrets", {}, { parent: oldParent });
        const newParent = { ...res("eks-istio:cluster:Cluster", "dev-platform"), aliases: [oldParent.urn!] };
        const newChild = res("aws:kms/key:Key", "dev-platform-secrets", {}, { parent: newParent });
        assert.deepEqual(plan([oldParent, oldChild], [newParent, newChild]).map(summary), [
            "same eks-istio:cluster:Cluster dev-platform",
            "same aws:kms/key:Key dev-platform-secrets",
        ]);
    });

    it("a URN holds the parents' types, not their names: another parent of the same type keeps the child's URN", () => {
        const key = (parent: ReturnType<typeof res>) => res("aws:kms/key:Key", "k", {}, { parent });
        assert.equal(key(res("eks-istio:cluster:Cluster", "a")).urn, key(res("eks-istio:cluster:Cluster", "b")).urn);
    });

    it("without an alias, a parent of another type means a new URN: created, and the old one deleted", () => {
        const a = res("eks-istio:cluster:Cluster", "a");
        const b = res("eks-istio:nodes:NodeGroups", "a");
        const key = (parent: typeof a) => res("aws:kms/key:Key", "k", {}, { parent });
        assert.equal(key(b).urn, urnFor("aws:kms/key:Key", "k", b));
        assert.deepEqual(plan([a, key(a)], [b, key(b)]).map(summary), [
            "create eks-istio:nodes:NodeGroups a",
            "create aws:kms/key:Key k",
            "delete aws:kms/key:Key k",
            "delete eks-istio:cluster:Cluster a",
        ]);
    });

    it("creates and updates run dependencies first; deletes come last, dependents first", () => {
        const role = res(ROLE, "r", {});
        const att = res(ATTACH, "att", { role: "r", policyArn: "p" }, { reads: { role: [role] } });
        const role2 = res(ROLE, "r2", {});
        const att2 = res(ATTACH, "att2", { role: "r2", policyArn: "p" }, { reads: { role: [role2] } });
        // Listed dependents first: the order comes from the graph, not the listing.
        assert.deepEqual(plan([att2, role2], [att, role]).map(summary), [
            `create ${ROLE} r`,
            `create ${ATTACH} att`,
            `delete ${ATTACH} att2`,
            `delete ${ROLE} r2`,
        ]);
    });
});
