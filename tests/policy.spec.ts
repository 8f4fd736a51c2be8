// The policy pack (policy/), offline: each policy's validateResource is called the way the policy
// engine calls it, with resources that pass and resources that violate, and the reportViolation
// calls are collected. The last block runs the whole program of every stack file under mocks and
// holds it to the pack, so the guardrails and the program cannot drift apart unnoticed.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import {
    albControllerPolicy,
    albControllerPolicyDocuments,
    upstreamAlbControllerPolicy,
} from "../components/manifests/albControllerPolicy";
import { clusterAutoscalerPolicy, irsaTrustPolicy, serviceTrustPolicy } from "../components/manifests/aws";
import {
    type EksIstioPolicy,
    type PolicyProviderResource,
    type ResourceUnderTest,
    type ResourceValidationArgs,
    helmChartSourceCurrent,
    helmReleasePinnedVersion,
    iamDestructiveActionsScoped,
    iamNoWildcardActions,
    irsaTrustPinsSubAndAud,
    istioV1Apis,
    kubernetesExplicitProvider,
    policies,
    PRODUCTION_MARKER,
    productAlbDeletionProtection,
    UNSCOPABLE_ACTIONS,
    productEndpointNotOpen,
} from "../policy/policies";
import { findStackFiles } from "../tools/render/render";
import { ROOT, runProgram, runStackFile, stackFileConfig, type RecordedResource } from "./harness";

const POLICY_DIR = path.join(ROOT, "policy");

function argsFor(resource: ResourceUnderTest): ResourceValidationArgs {
    return {
        ...resource,
        urn: `urn:pulumi:test::eks-istio::${resource.type}::${resource.name}`,
        opts: {
            protect: false,
            ignoreChanges: [],
            aliases: [],
            customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
            additionalSecretOutputs: [],
        },
        stackTags: new Map(),
        isType: () => false,
        asType: () => undefined,
        getConfig: <T extends object>() => ({}) as T,
        notApplicable: (reason?: string): never => {
            throw new Error(`not applicable: ${reason}`);
        },
    };
}

/** What `policy` reports for `resource`, as the engine would collect it. */
function violations(policy: EksIstioPolicy, resource: ResourceUnderTest): string[] {
    const reported: string[] = [];
    policy.validateResource(argsFor(resource), (message) => reported.push(message));
    return reported;
}

function k8sProvider(name: string): PolicyProviderResource {
    return {
        type: "pulumi:providers:kubernetes",
        name,
        urn: `urn:pulumi:test::eks-istio::pulumi:providers:kubernetes::${name}`,
        props: {},
    };
}

const STACK_PROVIDER = k8sProvider("dev-cluster-k8s");

function assertClean(policy: EksIstioPolicy, resource: ResourceUnderTest): void {
    assert.deepEqual(violations(policy, resource), [], `${policy.name} flagged ${resource.type} ${resource.name}`);
}

/** Asserts exactly `count` violations, each matching every pattern of its row. */
function assertViolations(policy: EksIstioPolicy, resource: ResourceUnderTest, ...expected: RegExp[][]): void {
    const got = violations(policy, resource);
    assert.equal(got.length, expected.length, `${policy.name} on ${resource.name}:\n${got.join("\n")}`);
    expected.forEach((patterns, i) => {
        for (const p of patterns) assert.match(got[i], p);
    });
}

describe("policy pack eks-istio", () => {
    it("has every policy once, with the intended enforcement level", () => {
        const levels = Object.fromEntries(policies.map((p) => [p.name, p.enforcementLevel]));
        assert.deepEqual(levels, {
            "helm-release-pinned-version": "mandatory",
            "helm-chart-source-current": "mandatory",
            "istio-v1-apis": "mandatory",
            "kubernetes-explicit-provider": "mandatory",
            "irsa-trust-pins-sub-and-aud": "mandatory",
            "iam-no-wildcard-actions": "mandatory",
            "iam-destructive-actions-scoped": "mandatory",
            "product-alb-deletion-protection": "mandatory",
            "product-endpoint-not-open": "advisory",
        });
        assert.equal(new Set(policies.map((p) => p.name)).size, policies.length);
        for (const p of policies) {
            assert.ok(p.description.length > 20, `${p.name} needs a description`);
            assert.equal(typeof p.validateResource, "function");
        }
    });

    it("is served as eks-istio from index.ts, with a nodejs PulumiPolicy.yaml and exact dependency versions", () => {
        const index = fs.readFileSync(path.join(POLICY_DIR, "index.ts"), "utf8");
        assert.match(index, /new PolicyPack\("eks-istio",/);
        assert.match(index, /\bpolicies,/);
        assert.match(fs.readFileSync(path.join(POLICY_DIR, "PulumiPolicy.yaml"), "utf8"), /^runtime: nodejs$/m);
        const pkg = JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8"));
        assert.deepEqual(pkg.dependencies, {
            "@pulumi/policy": "1.21.0",
            "@pulumi/pulumi": "3.270.0",
            typescript: "5.9.3",
        });
        assert.ok(pkg.version, "the policy engine refuses a pack without a version");
        assert.ok(fs.existsSync(path.join(POLICY_DIR, "package-lock.json")));
    });

    it("ignores resources outside each policy's scope", () => {
        const bucket = { type: "aws:s3/bucket:Bucket", name: "b", props: { policy: '{"Statement":"*"}' } };
        for (const p of policies) assertClean(p, bucket);
    });
});

describe("helm-release-pinned-version", () => {
    const release = (props: Record<string, unknown>) => ({
        type: "kubernetes:helm.sh/v3:Release",
        name: "istiod",
        props: { chart: "istiod", ...props },
    });
    const repositoryOpts = { repo: "https://blob.istio.io/istio-release/charts" };

    it("passes an exact version with a repository", () => {
        assertClean(helmReleasePinnedVersion, release({ version: "1.30.3", repositoryOpts }));
        assertClean(helmReleasePinnedVersion, release({ version: "v3.5.0", repositoryOpts }));
        assertClean(helmReleasePinnedVersion, release({ version: "1.31.0-beta.1", repositoryOpts }));
    });

    it("passes an OCI chart, whose reference names its registry", () => {
        assertClean(
            helmReleasePinnedVersion,
            release({ chart: "oci://registry.example.com/charts/app", version: "1.0.0" }),
        );
    });

    it("flags a release without a version", () => {
        assertViolations(helmReleasePinnedVersion, release({ repositoryOpts }), [
            /'istiod'/,
            /no version/,
            /set 'version'/,
        ]);
        assertViolations(helmReleasePinnedVersion, release({ version: " ", repositoryOpts }), [/no version/]);
    });

    it("flags a version range or tag", () => {
        for (const version of ["^1.30.0", "~1.30", "1.x", ">=1.0.0", "latest"]) {
            assertViolations(helmReleasePinnedVersion, release({ version, repositoryOpts }), [
                new RegExp(`"${version.replace(/[.^~>=*]/g, "\\$&")}"`),
                /not a pinned version/,
            ]);
        }
    });

    it("flags a release without repositoryOpts.repo", () => {
        assertViolations(helmReleasePinnedVersion, release({ version: "1.30.3" }), [/no repositoryOpts\.repo/]);
        assertViolations(helmReleasePinnedVersion, release({ version: "1.30.3", repositoryOpts: { repo: "" } }), [
            /repositoryOpts\.repo/,
        ]);
    });

    it("reports both problems of a release with neither", () => {
        assertViolations(helmReleasePinnedVersion, release({}), [/no version/], [/no repositoryOpts\.repo/]);
    });

    it("also covers helm.sh/v4 Chart", () => {
        assertViolations(
            helmReleasePinnedVersion,
            { type: "kubernetes:helm.sh/v4:Chart", name: "c", props: { chart: "base", repositoryOpts } },
            [/no version/],
        );
    });
});

describe("helm-chart-source-current", () => {
    const release = (props: Record<string, unknown>) => ({
        type: "kubernetes:helm.sh/v3:Release",
        name: "istiod",
        props: { chart: "istiod", version: "1.30.5", ...props },
    });
    const current = { repo: "https://blob.istio.io/istio-release/charts" };

    it("passes Istio's current chart repository and hub, its OCI charts, and other charts' repositories", () => {
        assertClean(
            helmChartSourceCurrent,
            release({ repositoryOpts: current, values: { global: { hub: "docker.io/istio" } } }),
        );
        assertClean(helmChartSourceCurrent, release({ chart: "oci://ghcr.io/istio/release/charts/istiod" }));
        assertClean(helmChartSourceCurrent, release({ chart: "base", repositoryOpts: current, values: {} }));
        assertClean(
            helmChartSourceCurrent,
            release({
                chart: "cluster-autoscaler",
                repositoryOpts: { repo: "https://kubernetes.github.io/autoscaler" },
            }),
        );
    });

    it("flags the Google-hosted chart repository", () =>
        assertViolations(
            helmChartSourceCurrent,
            release({ repositoryOpts: { repo: "https://istio-release.storage.googleapis.com/charts" } }),
            [
                /'istiod'/,
                /comes from https:\/\/istio-release\.storage\.googleapis\.com\/charts \(repositoryOpts\.repo\), on storage\.googleapis\.com/,
                /https:\/\/blob\.istio\.io\/istio-release\/charts/,
            ],
        ));

    it("flags an OCI chart on gcr.io", () =>
        assertViolations(helmChartSourceCurrent, release({ chart: "oci://gcr.io/istio-release/charts/istiod" }), [
            /\(chart\), on gcr\.io/,
        ]));

    it("flags Istio image hubs on gcr.io or registry.istio.io, top-level or global", () => {
        assertViolations(
            helmChartSourceCurrent,
            release({ repositoryOpts: current, values: { global: { hub: "gcr.io/istio-release" } } }),
            [/pulls its images from gcr\.io\/istio-release \(values\.global\.hub\)/, /docker\.io\/istio/],
        );
        assertViolations(
            helmChartSourceCurrent,
            release({ chart: "gateway", repositoryOpts: current, values: { hub: "registry.istio.io/release" } }),
            [/registry\.istio\.io\/release \(values\.hub\), on registry\.istio\.io/],
        );
    });

    it("reports a retired repository and a retired hub of one release separately", () =>
        assertViolations(
            helmChartSourceCurrent,
            release({
                repositoryOpts: { repo: "https://istio-release.storage.googleapis.com/charts" },
                values: { global: { hub: "gcr.io/istio-release" } },
            }),
            [/repositoryOpts\.repo/],
            [/values\.global\.hub/],
        ));

    it("does not read the values of other charts (they may be unknown during a preview)", () => {
        const proxy = require("@pulumi/policy/proxy") as {
            unknownCheckingProxy<T>(o: T): T;
            unknownObjectValue: unknown;
        };
        const props = proxy.unknownCheckingProxy({
            chart: "aws-load-balancer-controller",
            version: "3.5.0",
            repositoryOpts: { repo: "https://aws.github.io/eks-charts" },
            values: proxy.unknownObjectValue,
        });
        assertClean(helmChartSourceCurrent, { type: "kubernetes:helm.sh/v3:Release", name: "alb", props });
    });
});

describe("istio-v1-apis", () => {
    const istio = (type: string, props: Record<string, unknown> = {}) => ({ type, name: "dev-gateway", props });

    it("passes v1 Istio resources", () => {
        assertClean(istioV1Apis, istio("kubernetes:networking.istio.io/v1:Gateway"));
        assertClean(
            istioV1Apis,
            istio("kubernetes:security.istio.io/v1:PeerAuthentication", {
                apiVersion: "security.istio.io/v1",
                kind: "PeerAuthentication",
            }),
        );
        assertClean(istioV1Apis, istio("kubernetes:telemetry.istio.io/v1:Telemetry"));
    });

    it("flags older networking and security versions, naming the version to use", () => {
        assertViolations(istioV1Apis, istio("kubernetes:networking.istio.io/v1beta1:VirtualService"), [
            /VirtualService/,
            /networking\.istio\.io\/v1beta1/,
            /use networking\.istio\.io\/v1\b/,
        ]);
        assertViolations(istioV1Apis, istio("kubernetes:security.istio.io/v1beta1:AuthorizationPolicy"), [
            /use security\.istio\.io\/v1\b/,
        ]);
        assertViolations(istioV1Apis, istio("kubernetes:networking.istio.io/v1alpha3:DestinationRule"), [/v1alpha3/]);
    });

    it("reads props.apiVersion too, and reports a resource once", () => {
        assertViolations(
            istioV1Apis,
            istio("kubernetes:apiextensions.k8s.io:CustomResource", {
                apiVersion: "networking.istio.io/v1beta1",
                kind: "Gateway",
            }),
            [/apiVersion networking\.istio\.io\/v1beta1/],
        );
        assertViolations(
            istioV1Apis,
            istio("kubernetes:networking.istio.io/v1beta1:Gateway", { apiVersion: "networking.istio.io/v1beta1" }),
            [/v1beta1/],
        );
    });

    it("exempts kinds that have no v1 (EnvoyFilter, ProxyConfig)", () => {
        assertClean(istioV1Apis, istio("kubernetes:networking.istio.io/v1alpha3:EnvoyFilter"));
        assertClean(istioV1Apis, istio("kubernetes:networking.istio.io/v1beta1:ProxyConfig"));
    });

    it("ignores other API groups", () => {
        assertClean(istioV1Apis, istio("kubernetes:networking.k8s.io/v1beta1:Ingress"));
        assertClean(istioV1Apis, istio("kubernetes:extensions.istio.io/v1alpha1:WasmPlugin"));
        assertClean(istioV1Apis, istio("kubernetes:core/v1:ConfigMap", { apiVersion: "v1" }));
    });
});

describe("kubernetes-explicit-provider", () => {
    const ns = (provider?: PolicyProviderResource) => ({
        type: "kubernetes:core/v1:Namespace",
        name: "dev-edge-app-namespace",
        props: {},
        provider,
    });

    it("passes a resource created with the stack's provider", () => {
        assertClean(kubernetesExplicitProvider, ns(STACK_PROVIDER));
        assertClean(kubernetesExplicitProvider, ns(k8sProvider("default-cluster-k8s")));
    });

    it("flags the default provider, whatever its version suffix", () => {
        for (const name of ["default", "default_4_34_2", "default_4_34_2_abc123"]) {
            assertViolations(kubernetesExplicitProvider, ns(k8sProvider(name)), [
                /default provider/,
                new RegExp(`::${name}\\)`),
                /pass the stack's kubernetes Provider/,
            ]);
        }
    });

    it("falls back to the provider URN when the engine sends no name", () => {
        assertViolations(kubernetesExplicitProvider, ns({ ...k8sProvider("default_4_34_2"), name: "" }), [
            /default provider/,
        ]);
    });

    it("covers Helm releases and custom resources, not providers or other packages", () => {
        const defaultProvider = k8sProvider("default_4_34_2");
        assertViolations(
            kubernetesExplicitProvider,
            { type: "kubernetes:helm.sh/v3:Release", name: "r", props: {}, provider: defaultProvider },
            [/helm\.sh/],
        );
        assertViolations(
            kubernetesExplicitProvider,
            { type: "kubernetes:networking.istio.io/v1:Gateway", name: "g", props: {}, provider: defaultProvider },
            [/Gateway/],
        );
        assertClean(kubernetesExplicitProvider, {
            type: "pulumi:providers:kubernetes",
            name: "dev-cluster-k8s",
            props: {},
            provider: defaultProvider,
        });
        assertClean(kubernetesExplicitProvider, {
            type: "aws:iam/role:Role",
            name: "r",
            props: {},
            provider: { ...defaultProvider, type: "pulumi:providers:aws" },
        });
    });

    it("leaves resources without provider information (components) to their children", () => {
        assertClean(kubernetesExplicitProvider, ns(undefined));
    });
});

describe("irsa-trust-pins-sub-and-aud", () => {
    const ISSUER = "oidc.eks.ap-northeast-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
    const PROVIDER_ARN = `arn:aws:iam::123456789012:oidc-provider/${ISSUER}`;
    const role = (assumeRolePolicy: unknown) => ({
        type: "aws:iam/role:Role",
        name: "dev-alb-controller-role",
        props: { assumeRolePolicy },
    });
    const trust = (
        condition: Record<string, unknown> | undefined,
        action: unknown = "sts:AssumeRoleWithWebIdentity",
    ) => ({
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: PROVIDER_ARN },
                Action: action,
                ...(condition === undefined ? {} : { Condition: condition }),
            },
        ],
    });
    const SUB = "system:serviceaccount:kube-system:aws-load-balancer-controller";

    it("passes the program's own IRSA trust policy (JSON string, as the Role receives it)", () => {
        const document = irsaTrustPolicy({
            oidcProviderArn: PROVIDER_ARN,
            issuer: `https://${ISSUER}`,
            namespace: "kube-system",
            serviceAccount: "aws-load-balancer-controller",
        });
        assertClean(irsaTrustPinsSubAndAud, role(JSON.stringify(document)));
        assertClean(irsaTrustPinsSubAndAud, role(document));
    });

    it("passes roles that are not assumed with web identity", () => {
        assertClean(irsaTrustPinsSubAndAud, role(JSON.stringify(serviceTrustPolicy("ec2.amazonaws.com"))));
        assertClean(irsaTrustPinsSubAndAud, role(undefined));
    });

    it("passes several exact subjects", () => {
        assertClean(
            irsaTrustPinsSubAndAud,
            role(
                trust({
                    StringEquals: { [`${ISSUER}:sub`]: [SUB, `${SUB}-2`], [`${ISSUER}:aud`]: "sts.amazonaws.com" },
                }),
            ),
        );
    });

    it("flags a subject matched with StringLike", () => {
        assertViolations(
            irsaTrustPinsSubAndAud,
            role(
                trust({
                    StringEquals: { [`${ISSUER}:aud`]: "sts.amazonaws.com" },
                    StringLike: { [`${ISSUER}:sub`]: "system:serviceaccount:kube-system:*" },
                }),
            ),
            [
                /does not pin .*:sub/,
                /only matched with StringLike/,
                /StringEquals\[".*:sub"\] = "system:serviceaccount:/,
            ],
        );
    });

    it("flags a missing audience, and a missing condition on both claims", () => {
        assertViolations(irsaTrustPinsSubAndAud, role(trust({ StringEquals: { [`${ISSUER}:sub`]: SUB } })), [
            /does not pin .*:aud/,
            /"sts\.amazonaws\.com"/,
        ]);
        assertViolations(irsaTrustPinsSubAndAud, role(trust(undefined)), [/:sub/], [/:aud/]);
    });

    it("flags an empty subject, and a condition on another issuer", () => {
        assertViolations(
            irsaTrustPinsSubAndAud,
            role(trust({ StringEquals: { [`${ISSUER}:sub`]: "", [`${ISSUER}:aud`]: "sts.amazonaws.com" } })),
            [/:sub/],
        );
        assertViolations(
            irsaTrustPinsSubAndAud,
            role(
                trust({
                    StringEquals: { "oidc.example.com:sub": SUB, "oidc.example.com:aud": "sts.amazonaws.com" },
                }),
            ),
            [new RegExp(`${ISSUER}:sub`)],
            [new RegExp(`${ISSUER}:aud`)],
        );
    });

    it("catches the action behind a wildcard or in a list", () => {
        assertViolations(irsaTrustPinsSubAndAud, role(trust(undefined, "sts:AssumeRole*")), [/:sub/], [/:aud/]);
        assertViolations(
            irsaTrustPinsSubAndAud,
            role(trust(undefined, ["sts:TagSession", "sts:*"])),
            [/:sub/],
            [/:aud/],
        );
    });

    it("reads the issuer from any condition key when the principal is not an OIDC provider ARN", () => {
        const document = {
            Statement: [
                {
                    Effect: "Allow",
                    Principal: { Federated: "cognito-identity.amazonaws.com" },
                    Action: "sts:AssumeRoleWithWebIdentity",
                    Condition: { StringEquals: { "cognito-identity.amazonaws.com:aud": "pool" } },
                },
            ],
        };
        assertViolations(irsaTrustPinsSubAndAud, role(document), [/<issuer>:sub/]);
    });

    it("ignores Deny statements and reports an unreadable document", () => {
        const deny = trust(undefined);
        deny.Statement[0].Effect = "Deny";
        assertClean(irsaTrustPinsSubAndAud, role(deny));
        assertViolations(irsaTrustPinsSubAndAud, role("{not json"), [/not valid JSON/]);
    });
});

describe("iam-no-wildcard-actions", () => {
    const doc = (...statements: Record<string, unknown>[]) =>
        JSON.stringify({ Version: "2012-10-17", Statement: statements });
    const iamPolicy = (policy: unknown, type = "aws:iam/policy:Policy") => ({
        type,
        name: "dev-alb-controller-policy",
        props: { policy },
    });

    it("passes the program's ALB controller policy (upstream v3.5.0 narrowed, explicit actions)", () => {
        const scope = { clusterName: "eks-istio-dev", account: "123456789012", vpcId: "vpc-0abc" };
        assertClean(
            iamNoWildcardActions,
            iamPolicy(JSON.stringify(albControllerPolicy({ ...scope, region: "ap-northeast-1" }))),
        );
        assertClean(iamNoWildcardActions, iamPolicy(albControllerPolicy({ ...scope, region: "cn-north-1" })));
    });

    it("passes wildcards in resources, and in Deny statements (which only take permissions away)", () => {
        assertClean(
            iamNoWildcardActions,
            iamPolicy(
                doc(
                    { Effect: "Allow", Action: ["ec2:DescribeSubnets"], Resource: "*" },
                    {
                        Effect: "Deny",
                        Action: "*",
                        Resource: "*",
                        Condition: { Bool: { "aws:SecureTransport": "false" } },
                    },
                    { Effect: "Deny", NotAction: ["iam:GetRole"], Resource: "*" },
                ),
            ),
        );
    });

    it('flags "*", "service:*" and partial wildcards, listing them', () => {
        assertViolations(iamNoWildcardActions, iamPolicy(doc({ Effect: "Allow", Action: "*", Resource: "*" })), [
            /statement 1/,
            /"\*"/,
            /list the exact actions/,
        ]);
        assertViolations(
            iamNoWildcardActions,
            iamPolicy(
                doc({
                    Sid: "Elb",
                    Effect: "Allow",
                    Action: ["ec2:DescribeVpcs", "elasticloadbalancing:*", "ec2:Describe*"],
                }),
            ),
            [/Sid Elb/, /"elasticloadbalancing:\*", "ec2:Describe\*"/],
        );
        assertViolations(iamNoWildcardActions, iamPolicy(doc({ Effect: "Allow", Action: "s3:Get?bject" })), [
            /Get\?bject/,
        ]);
    });

    it("flags NotAction with Allow", () => {
        assertViolations(iamNoWildcardActions, iamPolicy(doc({ Effect: "Allow", NotAction: "iam:*", Resource: "*" })), [
            /NotAction/,
            /grants every action not listed/,
        ]);
    });

    it("checks role policies, user and group policies, and a role's inline policies", () => {
        const wild = doc({ Effect: "Allow", Action: "s3:*", Resource: "*" });
        for (const type of [
            "aws:iam/rolePolicy:RolePolicy",
            "aws:iam/userPolicy:UserPolicy",
            "aws:iam/groupPolicy:GroupPolicy",
        ]) {
            assertViolations(iamNoWildcardActions, iamPolicy(wild, type), [new RegExp(type.replace(/[/]/g, "\\/"))]);
        }
        assertViolations(
            iamNoWildcardActions,
            { type: "aws:iam/role:Role", name: "r", props: { inlinePolicies: [{ name: "inline", policy: wild }] } },
            [/IAM role 'r', inline policy inline/],
        );
    });

    it("reports a document it cannot read", () => {
        assertViolations(iamNoWildcardActions, iamPolicy("{"), [/not valid JSON/]);
    });
});

describe("iam-destructive-actions-scoped", () => {
    const scope = { clusterName: "eks-istio-dev", account: "123456789012", vpcId: "vpc-0abc" };
    const doc = (...statements: Record<string, unknown>[]) => ({ Version: "2012-10-17", Statement: statements });
    const iamPolicy = (policy: unknown, type = "aws:iam/policy:Policy") => ({
        type,
        name: "dev-alb-controller-policy",
        props: { policy: typeof policy === "string" ? policy : JSON.stringify(policy) },
    });
    const allow = (Action: string | string[], Resource: unknown, Condition?: unknown) => ({
        Effect: "Allow",
        Action,
        Resource,
        ...(Condition ? { Condition } : {}),
    });

    it("passes the program's controller policy (both managed policies, every partition) and the autoscaler's", () => {
        for (const region of ["ap-northeast-1", "cn-north-1", "us-gov-west-1"]) {
            const { main, elb } = albControllerPolicyDocuments({ ...scope, region });
            assertClean(iamDestructiveActionsScoped, iamPolicy(main));
            assertClean(iamDestructiveActionsScoped, iamPolicy(elb));
        }
        assertClean(iamDestructiveActionsScoped, iamPolicy(clusterAutoscalerPolicy("eks-istio-dev")));
    });

    it("flags upstream's v3.5.0 policy: deletes gated only on a tag existing, and unconditioned listener, rule, target and ingress changes", () => {
        const got = violations(iamDestructiveActionsScoped, iamPolicy(upstreamAlbControllerPolicy("ap-northeast-1")));
        const flagged = got.map((m) => /statement (\d+)/.exec(m)?.[1]);
        // Statements 4, 7, 8, 10-13, 15 and 16 (1-based, upstream's order); 3 holds only unscopable actions.
        assert.deepEqual(flagged, ["4", "7", "8", "10", "11", "12", "13", "15", "16"]);
        assert.match(
            got[0],
            /"ec2:RevokeSecurityGroupIngress" on every resource with no condition naming a tag or VPC/,
        );
        assert.match(got[4], /"elasticloadbalancing:RemoveTags"/);
        assert.ok(!got.join("\n").includes("SetWebAcl") && !got.join("\n").includes("shield:DeleteProtection"));
    });

    it("passes a condition naming a tag (any service's tag key) or the VPC, and named resources", () => {
        const passing = [
            allow("ec2:DeleteSecurityGroup", "*", { StringEquals: { "aws:ResourceTag/team": "a" } }),
            allow("ec2:DeleteSecurityGroup", "*", { StringLike: { "ec2:ResourceTag/team": "a*" } }),
            allow("ec2:RevokeSecurityGroupIngress", "*", { ArnEquals: { "ec2:Vpc": "arn:aws:ec2:r:1:vpc/v" } }),
            allow(
                "elasticloadbalancing:DeleteLoadBalancer",
                "arn:aws:elasticloadbalancing:r:1:loadbalancer/app/web/123",
            ),
            allow("s3:DeleteObject", "arn:aws:s3:::state-bucket/*"),
            allow(["ec2:DescribeInstances", "elasticloadbalancing:CreateListener"], "*"),
            { Effect: "Deny", Action: "ec2:Delete*", Resource: "*" },
            allow(Object.keys(UNSCOPABLE_ACTIONS), "*"),
        ];
        for (const statement of passing) assertClean(iamDestructiveActionsScoped, iamPolicy(doc(statement)));
    });

    it("flags every shape of 'on everything': *, an all-wildcard typed ARN, NotResource, and a wildcard action", () => {
        const CASES: [Record<string, unknown>, RegExp][] = [
            [allow("ec2:DeleteSecurityGroup", "*"), /"ec2:DeleteSecurityGroup" on every resource/],
            [
                allow("elasticloadbalancing:DeregisterTargets", "arn:aws:elasticloadbalancing:*:*:targetgroup/*/*"),
                /DeregisterTargets/,
            ],
            [allow("iam:DeleteRole", "arn:aws:iam::123456789012:role/*"), /"iam:DeleteRole"/],
            [
                { Effect: "Allow", Action: "ec2:TerminateInstances", NotResource: "arn:aws:ec2:r:1:instance/i-1" },
                /on NotResource/,
            ],
            [allow("ec2:Delete*", "*"), /"ec2:Delete\*"/],
            [allow("*", "*"), /"\*"/],
            [
                allow(["autoscaling:SetDesiredCapacity", "autoscaling:DescribeTags"], "*"),
                /"autoscaling:SetDesiredCapacity" on/,
            ],
        ];
        for (const [statement, pattern] of CASES)
            assertViolations(iamDestructiveActionsScoped, iamPolicy(doc(statement)), [
                pattern,
                /Null test does not count/,
            ]);
    });

    it("does not count conditions that hold without naming an owner: Null, IfExists, negated, ForAllValues, empty values, other keys", () => {
        const CONDITIONS = [
            { Null: { "aws:ResourceTag/elbv2.k8s.aws/cluster": "false" } },
            { StringEqualsIfExists: { "aws:ResourceTag/team": "a" } },
            { StringNotEquals: { "aws:ResourceTag/team": "b" } },
            { "ForAllValues:StringEquals": { "aws:TagKeys": ["team"] } },
            { StringEquals: { "aws:ResourceTag/team": "" } },
            { StringEquals: { "aws:RequestedRegion": "ap-northeast-1" } },
        ];
        for (const condition of CONDITIONS)
            assertViolations(
                iamDestructiveActionsScoped,
                iamPolicy(doc(allow("ec2:DeleteSecurityGroup", "*", condition))),
                [/"ec2:DeleteSecurityGroup"/],
            );
    });

    it("checks role policies and a role's inline policies, naming them", () => {
        const bad = JSON.stringify(doc(allow("elasticloadbalancing:DeleteRule", "*")));
        assertViolations(iamDestructiveActionsScoped, iamPolicy(bad, "aws:iam/rolePolicy:RolePolicy"), [
            /aws:iam\/rolePolicy:RolePolicy/,
        ]);
        assertViolations(
            iamDestructiveActionsScoped,
            { type: "aws:iam/role:Role", name: "r", props: { inlinePolicies: [{ name: "extra", policy: bad }] } },
            [/IAM role 'r', inline policy extra, statement 1/],
        );
    });
});

describe("product-alb-deletion-protection", () => {
    const CERT = "arn:aws:acm:ap-northeast-1:123456789012:certificate/abc";
    const ingress = (labels: Record<string, string>, annotations: Record<string, string>) => ({
        type: "kubernetes:networking.k8s.io/v1:Ingress",
        name: "product-edge-ingress",
        props: { metadata: { name: "istio-ingress-product", namespace: "istio-system", labels, annotations } },
    });
    const production = { "eks-istio/production": "true" };
    const protectedLb = {
        "alb.ingress.kubernetes.io/load-balancer-attributes":
            "idle_timeout.timeout_seconds=60, deletion_protection.enabled=true",
    };
    const tls = {
        "alb.ingress.kubernetes.io/certificate-arn": CERT,
        "alb.ingress.kubernetes.io/ssl-redirect": "443",
        "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
    };

    it("passes a production ALB with deletion protection, with and without a certificate", () => {
        assertClean(productAlbDeletionProtection, ingress(production, protectedLb));
        assertClean(productAlbDeletionProtection, ingress(production, { ...protectedLb, ...tls }));
    });

    it("leaves non-production Ingresses alone", () => {
        assertClean(productAlbDeletionProtection, ingress({}, {}));
        assertClean(productAlbDeletionProtection, ingress({ "eks-istio/production": "false" }, {}));
    });

    it("flags a production ALB without deletion protection", () => {
        assertViolations(productAlbDeletionProtection, ingress(production, {}), [
            /deletion protection off/,
            /deletion_protection\.enabled=true/,
            /load-balancer-attributes/,
        ]);
        assertViolations(
            productAlbDeletionProtection,
            ingress(production, {
                "alb.ingress.kubernetes.io/load-balancer-attributes": "deletion_protection.enabled=false",
            }),
            [/deletion protection off/],
        );
    });

    it("lets a production ALB being torn down (eks-istio/teardown label) state deletion protection false", () => {
        assertClean(
            productAlbDeletionProtection,
            ingress(
                { ...production, "eks-istio/teardown": "true" },
                { "alb.ingress.kubernetes.io/load-balancer-attributes": "deletion_protection.enabled=false" },
            ),
        );
    });

    it("with a certificate, requires the redirect to 443 and an HTTPS 443 listener", () => {
        assertViolations(
            productAlbDeletionProtection,
            ingress(production, { ...protectedLb, "alb.ingress.kubernetes.io/certificate-arn": CERT }),
            [/ssl-redirect is not set/, /"443"/],
            [/listen-ports is not set/, /HTTPS": 443/],
        );
        assertViolations(
            productAlbDeletionProtection,
            ingress(production, {
                ...protectedLb,
                ...tls,
                "alb.ingress.kubernetes.io/ssl-redirect": "80",
                "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}]',
            }),
            [/ssl-redirect is "80"/],
            [/listen-ports is \[\{"HTTP": 80\}\]/],
        );
        assertViolations(
            productAlbDeletionProtection,
            ingress(production, { ...protectedLb, ...tls, "alb.ingress.kubernetes.io/listen-ports": "HTTPS:443" }),
            [/not a JSON list/],
        );
    });
});

describe("product-endpoint-not-open (advisory)", () => {
    const cluster = (props: Record<string, unknown>) => ({ type: "eks:index:Cluster", name: "product-cluster", props });
    const production = { "eks-istio/production": "true" };

    it("passes a production cluster reachable from listed ranges, or private only", () => {
        assertClean(productEndpointNotOpen, cluster({ tags: production, publicAccessCidrs: ["203.0.113.0/24"] }));
        assertClean(productEndpointNotOpen, cluster({ tags: production, endpointPublicAccess: false }));
    });

    it("leaves non-production clusters alone", () => {
        assertClean(
            productEndpointNotOpen,
            cluster({ tags: { "eks-istio/production": "false" }, publicAccessCidrs: ["0.0.0.0/0"] }),
        );
        assertClean(productEndpointNotOpen, cluster({ publicAccessCidrs: ["0.0.0.0/0"] }));
    });

    it("flags 0.0.0.0/0 and an omitted list (which EKS opens to everyone)", () => {
        assertViolations(
            productEndpointNotOpen,
            cluster({ tags: production, publicAccessCidrs: ["203.0.113.0/24", "0.0.0.0/0"] }),
            [/allows 0\.0\.0\.0\/0/, /eks-istio:cluster\.publicAccessCidrs/],
        );
        assertViolations(productEndpointNotOpen, cluster({ tags: production }), [/unset/]);
        assertViolations(productEndpointNotOpen, cluster({ tags: production, publicAccessCidrs: [] }), [/unset/]);
    });
});

describe("policies under the engine's unknown-value proxy", () => {
    // The engine wraps inputs so that reading a value unknown during preview throws UnknownValueError,
    // which it reports as "can't run policy during preview". A policy must let that error through.
    const proxy = require("@pulumi/policy/proxy") as {
        unknownCheckingProxy<T>(o: T): T;
        UnknownValueError: new (...args: unknown[]) => Error;
        unknownStringValue: unknown;
        unknownObjectValue: unknown;
    };

    it("does not swallow an unknown trust policy, annotation or version", () => {
        const cases: [EksIstioPolicy, ResourceUnderTest][] = [
            [
                irsaTrustPinsSubAndAud,
                { type: "aws:iam/role:Role", name: "r", props: { assumeRolePolicy: proxy.unknownStringValue } },
            ],
            [
                iamNoWildcardActions,
                { type: "aws:iam/policy:Policy", name: "p", props: { policy: proxy.unknownStringValue } },
            ],
            [
                iamDestructiveActionsScoped,
                { type: "aws:iam/policy:Policy", name: "p", props: { policy: proxy.unknownStringValue } },
            ],
            [
                productAlbDeletionProtection,
                {
                    type: "kubernetes:networking.k8s.io/v1:Ingress",
                    name: "i",
                    props: {
                        metadata: { labels: { "eks-istio/production": "true" }, annotations: proxy.unknownObjectValue },
                    },
                },
            ],
            [
                helmReleasePinnedVersion,
                { type: "kubernetes:helm.sh/v3:Release", name: "h", props: { version: proxy.unknownStringValue } },
            ],
        ];
        for (const [policy, resource] of cases) {
            const props = proxy.unknownCheckingProxy(resource.props);
            assert.throws(() => violations(policy, { ...resource, props }), proxy.UnknownValueError, policy.name);
        }
    });

    it("runs on known values read through the proxy", () => {
        const props = proxy.unknownCheckingProxy({
            metadata: { labels: { "eks-istio/production": "true" }, annotations: {} },
        });
        assertViolations(
            productAlbDeletionProtection,
            { type: "kubernetes:networking.k8s.io/v1:Ingress", name: "i", props },
            [/deletion protection off/],
        );
    });
});

describe("the program's stacks under the policy pack", () => {
    /** The provider the engine would report: the recorded explicit one; none when only inherited. */
    function providerOf(r: RecordedResource): PolicyProviderResource | undefined {
        return r.provider === undefined ? undefined : k8sProvider(r.provider);
    }

    // Every stack file, the examples included: what the project ships must pass its own pack.
    for (const file of findStackFiles()) {
        it(`${path.relative(ROOT, file)}: no policy reports anything`, async () => {
            const run = await runStackFile(file);
            const reported = run.resources.flatMap((r) =>
                policies.flatMap((p) =>
                    violations(p, { type: r.type, name: r.name, props: r.inputs, provider: providerOf(r) }).map(
                        (m) => `${p.name}: ${m}`,
                    ),
                ),
            );
            assert.deepEqual(reported, []);
            // The pack must actually have had something to look at.
            assert.ok(run.ofType("kubernetes:networking.k8s.io/v1:Ingress").length >= 1);
            if (!run.ofType("pulumi:pulumi:StackReference").length) {
                assert.ok(run.ofType("kubernetes:helm.sh/v3:Release").length >= 4);
                assert.ok(run.ofType("aws:iam/role:Role").length >= 1);
            }
        });
    }

    it("product: the production rules apply, because the program marks its ALB and cluster as production", async () => {
        // The production policies key on this marker: without it they would silently pass.
        const run = await runProgram("product", stackFileConfig(path.join(ROOT, "Pulumi.product.yaml")));
        const ingresses = run.ofType("kubernetes:networking.k8s.io/v1:Ingress");
        assert.ok(ingresses.length >= 1);
        for (const ingress of ingresses) assert.equal(ingress.inputs.metadata.labels[PRODUCTION_MARKER], "true");
        assert.equal(run.one("eks:index:Cluster").inputs.tags[PRODUCTION_MARKER], "true");
    });
});
