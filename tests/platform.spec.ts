// Platform currency and cluster hardening: the compatibility preflight (versions the program has
// data for), HTTPS on a production edge, the shipped placeholders, and the shapes and wiring of
// the hardened cluster (log group, launch template, add-ons, Cluster Autoscaler).
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import { ClusterAutoscaler } from "../components/clusterAutoscaler";
import {
    albControllerSchema,
    CLUSTER_AUTOSCALER_CHARTS,
    clusterSchema,
    compareMinor,
    compareVersions,
    ConfigError,
    DEFAULTS,
    ingressSchema,
    istioSchema,
    ISTIO_RELEASES,
    minorOf,
    type StackConfig,
} from "../components/config";
import { parseStackConfig } from "../components/stack";
import {
    addonVersionQuery,
    clusterAutoscalerPolicy,
    clusterSpec,
    controlPlaneLogGroupSpec,
    nodeLaunchTemplateSpec,
    stackTags,
    vpcCniPolicyArn,
} from "../components/manifests/aws";
import { clusterAutoscalerValues } from "../components/manifests/helmValues";
import { ISTIO, istiodValues } from "../components/manifests/istio";
import { ACCOUNT, type ComponentRun, ROOT, runComponents, runProgram, toConfigMap } from "./harness";
import { helmKeyProblems } from "./helmKeys";
import { assertProblem, renderProblems } from "./problems";

const REGION = "ap-northeast-1";
const CERT = `arn:aws:acm:${REGION}:210987654321:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
const PLACEHOLDER_CERT = `arn:aws:acm:${REGION}:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;

function parse(values: Record<string, unknown>, stack = "dev"): StackConfig {
    return parseStackConfig({ stack, region: REGION, values: { ingress: { port: 8000 }, ...values } });
}

function problemsOf(values: Record<string, unknown>, stack = "dev") {
    try {
        parse(values, stack);
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
        return e.problems;
    }
    return [];
}

describe("platform: the compatibility table", () => {
    it("defaults to the newest 1.30 patch and a Kubernetes version inside its range and EKS standard support", () => {
        assert.equal(DEFAULTS.istio.version, "1.30.5");
        assert.equal(DEFAULTS.cluster.kubernetesVersion, "1.35");
        assert.deepEqual(ISTIO_RELEASES["1.30"].kubernetes, { from: "1.32", to: "1.36" });
    });

    it("pins one Cluster Autoscaler chart per Kubernetes minor, whose appVersion has that minor", () => {
        assert.deepEqual(CLUSTER_AUTOSCALER_CHARTS, {
            "1.32": { chart: "9.46.6", appVersion: "1.32.0" },
            "1.33": { chart: "9.51.0", appVersion: "1.33.0" },
            "1.34": { chart: "9.53.0", appVersion: "1.34.2" },
            "1.35": { chart: "9.56.0", appVersion: "1.35.0" },
        });
        for (const [minor, c] of Object.entries(CLUSTER_AUTOSCALER_CHARTS))
            assert.ok(c.appVersion.startsWith(`${minor}.`), `${minor}: ${c.appVersion}`);
    });
});

describe("platform: version comparison (numbers, not strings)", () => {
    const CASES: [string, string, "<" | "=" | ">"][] = [
        ["1.9", "1.10", "<"],
        ["1.35", "1.35", "="],
        ["1.36", "1.32", ">"],
        ["1.30.2", "1.30.10", "<"],
        ["1.30.3", "1.30.3", "="],
        ["1.30.5", "1.30.3-beta.1", ">"],
        // A missing part counts as 0: the shorter version is compared part by part to the end of the longer.
        ["1.30", "1.30.1", "<"],
        ["1.30.1", "1.30", ">"],
        ["1.30", "1.30.0", "="],
    ];
    const sign = (n: number) => (n < 0 ? "<" : n > 0 ? ">" : "=");
    const isMinor = (v: string) => v.split(".").length === 2;
    for (const [a, b, expected] of CASES)
        it(`${a} ${expected} ${b}`, () => {
            assert.equal(sign(compareVersions(a, b)), expected);
            if (isMinor(a) && isMinor(b)) assert.equal(sign(compareMinor(a, b)), expected);
        });

    // The minor a version belongs to picks its reference data (ISTIO_RELEASES); anything that is
    // not a whole version has none.
    const MINORS: [string, string | undefined][] = [
        ["1.30.5", "1.30"],
        ["1.30", "1.30"],
        ["1.30.10", "1.30"],
        ["10.2.3", "10.2"],
        ["1.31.0-beta.1", "1.31"],
        ["1.31.0+build.7", "1.31"],
        ["v1.30.5", undefined],
        ["1.30.5x", undefined],
        ["1.30.5.1", undefined],
        ["1", undefined],
        ["latest", undefined],
    ];
    for (const [version, expected] of MINORS)
        it(`minorOf(${version}) → ${String(expected)}`, () => assert.equal(minorOf(version), expected));
});

describe("platform: compatibility preflight (config errors before anything is created)", () => {
    const ERRORS: { name: string; values: Record<string, unknown>; path: string; message: string | RegExp }[] = [
        {
            name: "an Istio minor without reference data",
            values: { istio: { version: "1.32.0" } },
            path: "eks-istio:istio.version",
            message:
                "the program has no reference data for Istio 1.32 (1.32.0): its charts' values, CRDs and supported Kubernetes versions are unchecked; use 1.30.x (newest known 1.30.5, Kubernetes 1.32-1.36), 1.31.x (newest known 1.31.1, Kubernetes 1.32-1.36)",
        },
        {
            name: "a revision without reference data",
            values: { istio: { revisions: ["2.0.0"] } },
            path: "eks-istio:istio.revisions[0]",
            message:
                "the program has no reference data for Istio 2.0 (2.0.0): its charts' values, CRDs and supported Kubernetes versions are unchecked; use 1.30.x (newest known 1.30.5, Kubernetes 1.32-1.36), 1.31.x (newest known 1.31.1, Kubernetes 1.32-1.36)",
        },
        {
            name: "Kubernetes above Istio's range",
            values: { cluster: { kubernetesVersion: "1.37", autoscaler: false } },
            path: "eks-istio:cluster.kubernetesVersion",
            message:
                '"1.37" is outside the Kubernetes versions Istio 1.30.5 supports (1.32-1.36); pick a version in that range',
        },
        {
            name: "Kubernetes below Istio's range",
            values: { cluster: { kubernetesVersion: "1.31", autoscaler: false } },
            path: "eks-istio:cluster.kubernetesVersion",
            message: '"1.31" is outside the Kubernetes versions Istio 1.30.5 supports (1.32-1.36)',
        },
        {
            name: "1.9 sorts below 1.32 (minors compare as numbers)",
            values: { cluster: { kubernetesVersion: "1.10", autoscaler: false } },
            path: "eks-istio:cluster.kubernetesVersion",
            message: '"1.10" is outside the Kubernetes versions Istio 1.30.5 supports (1.32-1.36)',
        },
        {
            name: "the autoscaler on a Kubernetes version it has no chart for",
            values: { cluster: { kubernetesVersion: "1.36" } },
            path: "eks-istio:cluster.autoscaler",
            message:
                "the program knows no Cluster Autoscaler release for Kubernetes 1.36 (CA's minor version must match the cluster's; known: 1.32-1.35); set eks-istio:cluster.kubernetesVersion to one of those, or eks-istio:cluster.autoscaler: false to run the node group at a fixed size",
        },
        {
            name: "a controller chart whose IAM policy the program does not carry",
            values: { albController: { version: "3.6.0" } },
            path: "eks-istio:albController.version",
            message:
                "the program carries the controller's IAM policy only for chart version 3.5.0; chart 3.6.0 may call AWS APIs that policy does not allow",
        },
    ];
    for (const c of ERRORS) it(`${c.name} → ${c.path}`, () => assertProblem(problemsOf(c.values), c.path, c.message));

    it("reports every version problem of a config at once", () =>
        assert.deepEqual(
            problemsOf({ cluster: { kubernetesVersion: "1.37" }, albController: { version: "3.4.0" } }).map(
                (p) => p.path,
            ),
            ["eks-istio:cluster.kubernetesVersion", "eks-istio:cluster.autoscaler", "eks-istio:albController.version"],
        ));

    const VALID: { name: string; values: Record<string, unknown> }[] = [
        { name: "the defaults", values: {} },
        { name: "an older 1.30 patch", values: { istio: { version: "1.30.3" } } },
        { name: "each Kubernetes minor with a CA chart", values: { cluster: { kubernetesVersion: "1.32" } } },
        { name: "1.36 without the autoscaler", values: { cluster: { kubernetesVersion: "1.36", autoscaler: false } } },
        { name: "the controller chart it carries the policy of", values: { albController: { version: "3.5.0" } } },
    ];
    for (const c of VALID) it(`accepts ${c.name}`, () => assert.deepEqual(renderProblems(problemsOf(c.values)), ""));

    // A malformed version is reported once, by its own field rule: the preflight judges only
    // values that passed it, so no guessed range or "no reference data for Istio undefined" on top.
    const MALFORMED: { name: string; values: Record<string, unknown>; expected: string[] }[] = [
        {
            name: "an unquoted Kubernetes version (YAML's number 1.37)",
            values: { cluster: { kubernetesVersion: 1.37 } },
            expected: [
                'eks-istio:cluster.kubernetesVersion: must be a quoted string such as "1.35" (YAML reads an unquoted 1.30 as the number 1.3)',
            ],
        },
        {
            name: "a Kubernetes version that is a word",
            values: { cluster: { kubernetesVersion: "latest" } },
            expected: ['eks-istio:cluster.kubernetesVersion: must be a Kubernetes minor version such as "1.35"'],
        },
        {
            name: "a Kubernetes version with a major of two digits",
            values: { cluster: { kubernetesVersion: "11.37" } },
            expected: ['eks-istio:cluster.kubernetesVersion: must be a Kubernetes minor version such as "1.35"'],
        },
        {
            name: "a Kubernetes minor of three digits",
            values: { cluster: { kubernetesVersion: "1.355" } },
            expected: ['eks-istio:cluster.kubernetesVersion: must be a Kubernetes minor version such as "1.35"'],
        },
        {
            name: "an unquoted Istio version",
            values: { istio: { version: 1.32 } },
            expected: ["eks-istio:istio.version: must be a string, got 1.32"],
        },
        {
            name: "an Istio version that is a word",
            values: { istio: { version: "latest" } },
            expected: ['eks-istio:istio.version: must be an Istio release such as "1.30.5"'],
        },
        {
            name: "revisions that are a word and a number",
            values: { istio: { revisions: ["latest", 1.32] } },
            expected: [
                'eks-istio:istio.revisions[0]: must be an Istio release such as "1.31.1"',
                "eks-istio:istio.revisions[1]: must be a string, got 1.32",
            ],
        },
    ];
    for (const c of MALFORMED)
        it(`${c.name}: only its own field's error`, () =>
            assert.deepEqual(
                problemsOf(c.values).map((p) => `${p.path}: ${p.message}`),
                c.expected,
            ));

    it("judges no chart version of an attached stack (the owner runs the controller)", () =>
        assert.deepEqual(
            problemsOf({
                cluster: { stackReference: "acme/eks-istio/product" },
                albController: { version: "3.6.0" },
            }).map((p) => `${p.path}: ${p.message}`),
            [
                "eks-istio:albController: has no effect with cluster.stackReference: the owner stack (the one cluster.stackReference names) runs the controller",
            ],
        ));

    it("leaves attached stacks to their owner (which installs all of it)", () => {
        const problems = problemsOf({
            cluster: { stackReference: "acme/eks-istio/product" },
            istio: { version: "1.31.0" },
        });
        assert.deepEqual(
            problems.map((p) => p.path),
            ["eks-istio:istio.version"],
        );
        assert.match(problems[0].message, /has no effect with cluster\.stackReference/);
    });
});

describe("platform: production on the internet speaks HTTPS", () => {
    const MESSAGE =
        "is required on a production, internet-facing ALB: set it to an ACM certificate in the stack's region (the ALB then listens on HTTPS 443 and redirects HTTP 80 to it), or set eks-istio:ingress.allowPlainHttpInProduction: true to serve plain HTTP on purpose";

    it("refuses a production, internet-facing stack without a certificate, naming both keys", () => {
        const problems = problemsOf({ ingress: { port: 80 } }, "product");
        assert.deepEqual(
            problems.map((p) => `${p.path}: ${p.message}`),
            [`eks-istio:ingress.certificateArn: ${MESSAGE}`],
        );
    });

    it("applies to any stack marked production", () =>
        assertProblem(problemsOf({ production: true }, "qa"), "eks-istio:ingress.certificateArn", MESSAGE));

    const ACCEPTED: { name: string; values: Record<string, unknown>; stack: string }[] = [
        {
            name: "production with a certificate",
            values: { ingress: { port: 80, certificateArn: CERT } },
            stack: "product",
        },
        {
            name: "production with the explicit opt-out",
            values: { ingress: { port: 80, allowPlainHttpInProduction: true } },
            stack: "product",
        },
        { name: "an internal production ALB", values: { ingress: { port: 80, scheme: "internal" } }, stack: "product" },
        { name: "production: false on the product stack", values: { production: false }, stack: "product" },
        { name: "a dev stack on plain HTTP", values: {}, stack: "dev" },
    ];
    for (const c of ACCEPTED) it(`accepts ${c.name}`, () => assert.deepEqual(problemsOf(c.values, c.stack), []));

    it("the opt-out must be a boolean", () =>
        assertProblem(
            problemsOf({ ingress: { port: 80, allowPlainHttpInProduction: "yes" } }, "product"),
            "eks-istio:ingress.allowPlainHttpInProduction",
            'must be a boolean, got "yes"',
        ));
});

describe("platform: the shipped placeholders are warnings that say what to set", () => {
    // Without the open-ALB warning of every internet-facing dev stack (tests/edgeConfig.spec.ts).
    const warningsOf = (values: Record<string, unknown>, stack = "dev") =>
        parse(values, stack)
            .warnings.filter((w) => w.path !== "eks-istio:ingress.allowedCidrs")
            .map((w) => `${w.path}: ${w.message}`);

    it("an Istio patch older than a fix the program relies on", () =>
        assert.deepEqual(warningsOf({ istio: { version: "1.30.2" } }), [
            "eks-istio:istio.version: 1.30.2 predates 1.30.3, in which metadata-only VirtualService changes no longer push config to every proxy (istio/istio#60629); use 1.30.5",
        ]));

    it("a certificate of AWS's documentation account", () =>
        assert.deepEqual(warningsOf({ ingress: { port: 8000, certificateArn: PLACEHOLDER_CERT } }), [
            "eks-istio:ingress.certificateArn: names account 123456789012, AWS's documentation example: replace it with the ARN of your ACM certificate in ap-northeast-1 before `pulumi up`, or the ALB is never created",
        ]));

    it("an API endpoint open only to documentation ranges", () =>
        assert.deepEqual(warningsOf({ cluster: { publicAccessCidrs: ["203.0.113.0/24", "198.51.100.0/25"] } }), [
            "eks-istio:cluster.publicAccessCidrs: 203.0.113.0/24, 198.51.100.0/25 are documentation ranges (RFC 5737) that no client has: nothing can reach the Kubernetes API, so `pulumi up` creates the cluster and then times out on the first Helm release. Set it to the egress addresses of whoever deploys (your CI runners' and your VPN's), or see docs/pipeline.md for a runner inside the VPC",
        ]));

    it("an opt-out that a certificate makes pointless", () =>
        assert.deepEqual(
            warningsOf(
                {
                    ingress: { port: 80, certificateArn: CERT, allowPlainHttpInProduction: true },
                    cluster: { publicAccessCidrs: ["192.0.3.0/24"] },
                },
                "product",
            ),
            [
                "eks-istio:ingress.allowPlainHttpInProduction: has no effect: ingress.certificateArn is set, so the ALB serves HTTPS; remove the key",
            ],
        ));

    it("an API endpoint open only to one documentation range", () =>
        assert.deepEqual(warningsOf({ cluster: { publicAccessCidrs: ["192.0.2.0/24"] } }), [
            "eks-istio:cluster.publicAccessCidrs: 192.0.2.0/24 is a documentation range (RFC 5737) that no client has: nothing can reach the Kubernetes API, so `pulumi up` creates the cluster and then times out on the first Helm release. Set it to the egress addresses of whoever deploys (your CI runners' and your VPN's), or see docs/pipeline.md for a runner inside the VPC",
        ]));

    const QUIET: { name: string; values: Record<string, unknown> }[] = [
        { name: "a real-looking certificate", values: { ingress: { port: 8000, certificateArn: CERT } } },
        {
            name: "one reachable range among documentation ones",
            values: { cluster: { publicAccessCidrs: ["203.0.113.0/24", "192.0.3.0/24"] } },
        },
        { name: "the default 0.0.0.0/0", values: {} },
        { name: "Istio 1.30.3, which has the fix", values: { istio: { version: "1.30.3" } } },
        { name: "an Istio patch newer than the newest known", values: { istio: { version: "1.30.10" } } },
        { name: "Istio 1.31.0, a minor with no fix to wait for", values: { istio: { version: "1.31.0" } } },
        {
            name: "a range that starts at a documentation range and reaches past it",
            values: { cluster: { publicAccessCidrs: ["192.0.2.0/23"] } },
        },
        {
            name: "a range that merely contains a documentation range",
            values: { cluster: { publicAccessCidrs: ["203.0.0.0/16"] } },
        },
    ];
    for (const c of QUIET) it(`nothing for ${c.name}`, () => assert.deepEqual(warningsOf(c.values), []));
});

describe("platform: shapes of the hardened cluster", () => {
    const dev = parse({});
    const product = parse({ ingress: { port: 80, certificateArn: CERT } }, "product");

    it("log group: the name EKS writes to, with the configured retention", () => {
        assert.deepEqual(controlPlaneLogGroupSpec(dev), {
            name: "/aws/eks/eks-istio-dev/cluster",
            retentionInDays: 30,
            tags: stackTags(dev),
        });
        assert.equal(controlPlaneLogGroupSpec(product).retentionInDays, 90);
        assert.equal(controlPlaneLogGroupSpec(parse({ cluster: { logRetentionDays: 365 } })).retentionInDays, 365);
    });

    it("log retention must be a period CloudWatch accepts", () =>
        assertProblem(
            problemsOf({ cluster: { logRetentionDays: 45 } }),
            "eks-istio:cluster.logRetentionDays",
            "45 is not a retention CloudWatch Logs accepts; use one of 1, 3, 5, 7, 14, 30, 60, 90",
        ));

    it("upgrade policy is STANDARD or EXTENDED", () => {
        assert.equal(parse({ cluster: { upgradePolicy: "EXTENDED" } }).cluster.upgradePolicy, "EXTENDED");
        assertProblem(
            problemsOf({ cluster: { upgradePolicy: "standard" } }),
            "eks-istio:cluster.upgradePolicy",
            'must be one of "STANDARD", "EXTENDED"',
        );
    });

    it("launch template: IMDSv2 only, one hop, tagged instances and volumes", () => {
        const lt = nodeLaunchTemplateSpec(dev);
        assert.deepEqual(lt.metadataOptions, {
            httpEndpoint: "enabled",
            httpTokens: "required",
            httpPutResponseHopLimit: 1,
            instanceMetadataTags: "disabled",
        });
        assert.deepEqual(
            lt.tagSpecifications.map((t) => [t.resourceType, t.tags.Name, t.tags["eks-istio/environment"]]),
            [
                ["instance", "eks-istio-dev-node", "dev"],
                ["volume", "eks-istio-dev-node", "dev"],
            ],
        );
        assert.equal(lt.updateDefaultVersion, true);
    });

    it("launch template: an encrypted 20 GiB gp3 root volume that goes with the instance, described as such", () => {
        const lt = nodeLaunchTemplateSpec(dev);
        assert.deepEqual(lt.blockDeviceMappings, [
            {
                deviceName: "/dev/xvda",
                ebs: { volumeSize: 20, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" },
            },
        ]);
        assert.equal(
            lt.description,
            "Nodes of EKS cluster eks-istio-dev: IMDSv2 only, hop limit 1, encrypted gp3 root volume",
        );
    });

    it("the cluster states its support policy and keeps kube-proxy as a managed add-on", () => {
        const spec = clusterSpec(parse({ cluster: { upgradePolicy: "EXTENDED" } }));
        assert.deepEqual(spec.upgradePolicy, { supportType: "EXTENDED" });
        assert.deepEqual(clusterSpec(dev).upgradePolicy, { supportType: "STANDARD" });
        assert.deepEqual(spec.kubeProxyAddonOptions, {
            enabled: true,
            resolveConflictsOnCreate: "OVERWRITE",
            resolveConflictsOnUpdate: "OVERWRITE",
        });
    });

    it("the VPC CNI's managed policy is in the region's partition", () => {
        assert.equal(vpcCniPolicyArn("ap-northeast-1"), "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy");
        assert.equal(vpcCniPolicyArn("cn-north-1"), "arn:aws-cn:iam::aws:policy/AmazonEKS_CNI_Policy");
        assert.equal(vpcCniPolicyArn("us-gov-west-1"), "arn:aws-us-gov:iam::aws:policy/AmazonEKS_CNI_Policy");
    });

    it("add-on versions: the EKS default for the configured Kubernetes version", () =>
        assert.deepEqual(addonVersionQuery(parse({ cluster: { kubernetesVersion: "1.34" } }), "coredns"), {
            addonName: "coredns",
            kubernetesVersion: "1.34",
            mostRecent: false,
        }));

    it("node group keeps its desired size only while no autoscaler runs", () => {
        assert.equal(parse({}).cluster.autoscaler, true);
        const fixed = parse({ cluster: { autoscaler: false } });
        assert.equal(fixed.cluster.autoscaler, false);
    });

    it("Istio: charts from blob.istio.io, images from docker.io/istio (istiod and every injected proxy)", () => {
        assert.equal(ISTIO.repo, "https://blob.istio.io/istio-release/charts");
        assert.equal(istiodValues({ production: false }).global.hub, "docker.io/istio");
    });
});

describe("platform: Cluster Autoscaler IAM and values", () => {
    it("reads everywhere, scales only this cluster's groups", () =>
        assert.deepEqual(clusterAutoscalerPolicy("eks-istio-dev"), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "Discover",
                    Effect: "Allow",
                    Action: [
                        "autoscaling:DescribeAutoScalingGroups",
                        "autoscaling:DescribeAutoScalingInstances",
                        "autoscaling:DescribeScalingActivities",
                        "autoscaling:DescribeTags",
                        "ec2:DescribeImages",
                        "ec2:DescribeInstanceTypes",
                        "ec2:DescribeLaunchTemplateVersions",
                        "ec2:GetInstanceTypesFromInstanceRequirements",
                        "eks:DescribeNodegroup",
                    ],
                    Resource: "*",
                },
                {
                    Sid: "ScaleOwnGroupsOnly",
                    Effect: "Allow",
                    Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                    Resource: "*",
                    Condition: { StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/eks-istio-dev": "owned" } },
                },
            ],
        }));

    const values = clusterAutoscalerValues({
        clusterName: "eks-istio-dev",
        region: REGION,
        roleArn: `arn:aws:iam::${ACCOUNT}:role/dev-cluster-autoscaler-role`,
    });

    it("discovers this cluster's node groups in the stack's region, with its IRSA role", () => {
        assert.deepEqual(values.autoDiscovery, { clusterName: "eks-istio-dev" });
        assert.equal(values.awsRegion, "ap-northeast-1");
        assert.deepEqual(values.rbac.serviceAccount, {
            create: true,
            name: "cluster-autoscaler",
            annotations: { "eks.amazonaws.com/role-arn": `arn:aws:iam::${ACCOUNT}:role/dev-cluster-autoscaler-role` },
        });
        // Meshed pods carry emptyDir volumes (Istio's sidecar): they must not pin their nodes.
        assert.equal(values.extraArgs["skip-nodes-with-local-storage"], false);
    });

    it("sets only keys the chart documents", () =>
        assert.deepEqual(
            helmKeyProblems(
                values,
                path.join(ROOT, "tests", "fixtures", "charts", "cluster-autoscaler-9.56.0.keys.yaml"),
                {
                    freeForm: ["extraArgs"],
                },
            ),
            [],
        ));
});

describe("platform: ClusterAutoscaler under mocks", () => {
    const OIDC = "oidc.eks.ap-northeast-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
    let run: ComponentRun<unknown>;
    before(async () => {
        run = await runComponents(() => {
            const provider = new k8s.Provider("test-k8s", { kubeconfig: "{}" });
            const nodes = new k8s.core.v1.Namespace("stand-in-nodes", {}, { provider });
            return new ClusterAutoscaler("dev-cluster-autoscaler", {
                clusterName: "eks-istio-dev",
                region: REGION,
                chart: CLUSTER_AUTOSCALER_CHARTS["1.35"],
                oidcProviderArn: `arn:aws:iam::${ACCOUNT}:oidc-provider/${OIDC}`,
                oidcProviderUrl: `https://${OIDC}`,
                dependsOn: [nodes],
                provider,
                tags: { "eks-istio/environment": "dev" },
            });
        });
    });

    it("installs the pinned chart for the cluster's Kubernetes minor into kube-system", () => {
        const r = run.one("kubernetes:helm.sh/v3:Release", "dev-cluster-autoscaler-release");
        assert.deepEqual(
            [r.inputs.name, r.inputs.chart, r.inputs.version, r.inputs.repositoryOpts.repo, r.inputs.namespace],
            [
                "cluster-autoscaler",
                "cluster-autoscaler",
                "9.56.0",
                "https://kubernetes.github.io/autoscaler",
                "kube-system",
            ],
        );
        assert.equal(r.provider, "test-k8s");
        assert.equal(r.parent, "dev-cluster-autoscaler");
    });

    it("waits for the nodes and for its policy to be attached", () => {
        const r = run.one("kubernetes:helm.sh/v3:Release", "dev-cluster-autoscaler-release");
        assert.deepEqual([...r.dependsOn].sort(), ["dev-cluster-autoscaler-policy", "stand-in-nodes"]);
    });

    it("trusts only kube-system:cluster-autoscaler tokens for STS", () => {
        const trust = JSON.parse(run.one("aws:iam/role:Role", "dev-cluster-autoscaler-role").inputs.assumeRolePolicy);
        assert.deepEqual(trust.Statement[0].Condition.StringEquals, {
            [`${OIDC}:sub`]: "system:serviceaccount:kube-system:cluster-autoscaler",
            [`${OIDC}:aud`]: "sts.amazonaws.com",
        });
        const attachment = run.one(
            "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
            "dev-cluster-autoscaler-policy",
        );
        assert.equal(attachment.inputs.role, "dev-cluster-autoscaler-role");
    });
});

describe("platform: whole stacks", () => {
    const stack = (values: Record<string, unknown>) =>
        runProgram("dev", toConfigMap({ "aws:region": REGION, "eks-istio:ingress": { port: 8000 }, ...values }));

    it("the autoscaler waits for the nodes and CoreDNS", async () => {
        const run = await stack({});
        const r = run.one("kubernetes:helm.sh/v3:Release", "dev-cluster-autoscaler-release");
        assert.deepEqual([...r.dependsOn].sort(), [
            "dev-cluster-autoscaler-policy",
            "dev-cluster-coredns",
            "dev-cluster-nodes",
        ]);
    });

    it("cluster.autoscaler: false installs no autoscaler and lets Pulumi own the desired size", async () => {
        const run = await stack({ "eks-istio:cluster": { autoscaler: false, kubernetesVersion: "1.36" } });
        assert.deepEqual(run.ofType("eks-istio:cluster:ClusterAutoscaler"), []);
        assert.equal(run.one("eks:index:ManagedNodeGroup").inputs.ignoreScalingChanges, false);
        assert.equal(
            run.one("aws:eks/addon:Addon", "dev-cluster-coredns").inputs.addonVersion,
            "<EKS default coredns for Kubernetes 1.36>",
        );
    });

    it("no control-plane log types, no log group", async () => {
        const run = await stack({ "eks-istio:cluster": { logTypes: [] } });
        assert.deepEqual(run.ofType("aws:cloudwatch/logGroup:LogGroup"), []);
        assert.deepEqual(run.one("eks:index:Cluster").dependsOn, []);
    });
});

describe("platform: the config reference documents every key (EN and JA)", () => {
    const readme = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
    const SECTIONS = {
        cluster: clusterSchema,
        istio: istioSchema,
        albController: albControllerSchema,
        ingress: ingressSchema,
    };
    for (const file of ["README.md", "README.ja.md"])
        for (const [section, schema] of Object.entries(SECTIONS))
            it(`${file}: every ${section} key has a row`, () => {
                const text = readme(file);
                const start = text.indexOf(`### \`${section}\``);
                assert.ok(start >= 0, `no ${section} section`);
                const table = text.slice(start, text.indexOf("\n### ", start + 1));
                const missing = Object.keys(schema.shape).filter(
                    (k) => !table.includes(`| \`${k}\` |`) && !new RegExp(`\`${k}\` /|/ \`${k}\``).test(table),
                );
                assert.deepEqual(missing, []);
            });
});
