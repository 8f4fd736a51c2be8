// The edge controls and Prometheus's storage as the cloud receives them: the ALB's annotations and
// attributes, the access-log bucket (name, settings, policy per region and partition, from the
// vendored table), the EBS CSI driver's add-on and role, the StorageClass; then the components
// that register them, under mocks.
import * as assert from "node:assert/strict";
import { type StackConfig } from "../components/config";
import { ELB_LOG_DELIVERY, elbLogDeliveryPrincipal } from "../components/config/elbLogDelivery";
import { AlbAccessLogs } from "../components/albAccessLogs";
import { parseStackConfig } from "../components/stack";
import {
    ACCESS_LOG_BUCKET,
    accessLogBucketName,
    accessLogBucketPolicy,
    accessLogBucketSpec,
    accessLogLifecycleRules,
} from "../components/manifests/accessLogs";
import { clusterSettings, ebsCsiPolicyArn, EKS_ADDONS } from "../components/manifests/aws";
import { ingressAnnotations, loadBalancerAttributes } from "../components/manifests/edge";
import { storageClassManifest } from "../components/manifests/observability";
import { type Evaluation, evaluateConfig, evaluateStackFile } from "../tools/plan/evaluate";
import { planUpdate } from "../tools/plan/plan";
import type { PlanStep } from "../tools/plan/types";
import { ACCOUNT, type ComponentRun, ROOT, runComponents, runStackFile, stackFileConfig } from "./harness";
import { GLOBAL_KEYS } from "./iamDocuments";
import * as path from "node:path";

const CERT = "arn:aws:acm:ap-northeast-1:111122223333:certificate/0a1b2c3d-0000-4000-8000-000000000001";
const ACL = "arn:aws:wafv2:ap-northeast-1:111122223333:regional/webacl/edge/0a1b2c3d-0000-4000-8000-000000000002";

function config(
    stack: string,
    ingress: Record<string, unknown> = {},
    values: Record<string, unknown> = {},
): StackConfig {
    const https = stack === "product" ? { certificateArn: CERT } : {};
    return parseStackConfig({
        stack,
        region: "ap-northeast-1",
        values: { ingress: { port: 8000, ...https, ...ingress }, ...values },
    });
}

describe("edge controls: the ALB's attributes, every one stated", () => {
    const BUCKET = "eks-istio-dev-alb-logs-111122223333-ap-northeast-1";
    const CASES: {
        name: string;
        stack: string;
        ingress?: Record<string, unknown>;
        teardown?: boolean;
        bucket?: string;
        expected: string;
    }[] = [
        {
            name: "dev, logs off",
            stack: "dev",
            expected: "deletion_protection.enabled=false,access_logs.s3.enabled=false",
        },
        {
            name: "product, logs off: protection on, logs stated off",
            stack: "product",
            expected: "deletion_protection.enabled=true,access_logs.s3.enabled=false",
        },
        {
            name: "dev, to the stack's own bucket",
            stack: "dev",
            ingress: { accessLogs: true },
            bucket: BUCKET,
            expected: `deletion_protection.enabled=false,access_logs.s3.enabled=true,access_logs.s3.bucket=${BUCKET},access_logs.s3.prefix=dev`,
        },
        {
            name: "product, to a given bucket and prefix (the stack's bucket name, if passed, is not used)",
            stack: "product",
            ingress: { accessLogs: { bucket: "acme-alb-logs", prefix: "edge/product" } },
            bucket: BUCKET,
            expected:
                "deletion_protection.enabled=true,access_logs.s3.enabled=true,access_logs.s3.bucket=acme-alb-logs,access_logs.s3.prefix=edge/product",
        },
        {
            name: "product being torn down: only the protection changes, logs keep flowing",
            stack: "product",
            ingress: { accessLogs: { bucket: "acme-alb-logs" } },
            teardown: true,
            expected:
                "deletion_protection.enabled=false,access_logs.s3.enabled=true,access_logs.s3.bucket=acme-alb-logs,access_logs.s3.prefix=product",
        },
    ];
    for (const c of CASES)
        it(c.name, () => {
            const cfg = config(c.stack, c.ingress, c.teardown ? { teardown: true } : {});
            assert.equal(loadBalancerAttributes(cfg, c.bucket), c.expected);
            assert.equal(
                ingressAnnotations(cfg, c.bucket)["alb.ingress.kubernetes.io/load-balancer-attributes"],
                c.expected,
            );
        });

    it("refuses to render logs to the stack's own bucket without that bucket's name", () =>
        assert.throws(
            () => loadBalancerAttributes(config("dev", { accessLogs: true })),
            /the name of the stack's log bucket is missing/,
        ));
});

describe("edge controls: the web ACL and the allow list as annotations", () => {
    const WAF = "alb.ingress.kubernetes.io/wafv2-acl-arn";
    const CIDRS = "alb.ingress.kubernetes.io/inbound-cidrs";
    const CASES: { name: string; ingress: Record<string, unknown>; expected: Record<string, string | undefined> }[] = [
        // "none" detaches a web ACL config no longer names; absent, the controller would keep it.
        { name: "no web ACL: stated none", ingress: {}, expected: { [WAF]: "none", [CIDRS]: undefined } },
        { name: "a web ACL", ingress: { wafAclArn: ACL }, expected: { [WAF]: ACL } },
        { name: "one block", ingress: { allowedCidrs: ["192.0.3.0/24"] }, expected: { [CIDRS]: "192.0.3.0/24" } },
        {
            name: "several blocks, in the order given",
            ingress: { allowedCidrs: ["198.18.0.0/15", "192.0.3.0/24"] },
            expected: { [CIDRS]: "198.18.0.0/15,192.0.3.0/24" },
        },
    ];
    for (const c of CASES)
        it(c.name, () => {
            const a = ingressAnnotations(config("dev", c.ingress));
            for (const [k, v] of Object.entries(c.expected)) assert.equal(a[k], v, k);
        });

    it("production keeps its TLS 1.3 policy, HTTPS listener and redirect beside every control", () => {
        const a = ingressAnnotations(
            config("product", { wafAclArn: ACL, allowedCidrs: ["192.0.3.0/24"], accessLogs: true }),
            "b",
        );
        assert.equal(a["alb.ingress.kubernetes.io/ssl-policy"], "ELBSecurityPolicy-TLS13-1-2-2021-06");
        assert.equal(a["alb.ingress.kubernetes.io/ssl-redirect"], "443");
        assert.equal(a["alb.ingress.kubernetes.io/listen-ports"], '[{"HTTP":80},{"HTTPS":443}]');
    });
});

describe("edge controls: who delivers access logs, per region (the vendored table)", () => {
    // Every row of components/config/elbLogDeliveryAccounts.json, written out from AWS's pages:
    // the table must not change without this list changing with it.
    const ACCOUNTS: Record<string, string> = {
        "us-east-1": "127311923021",
        "us-east-2": "033677994240",
        "us-west-1": "027434742980",
        "us-west-2": "797873946194",
        "af-south-1": "098369216593",
        "ap-east-1": "754344448648",
        "ap-southeast-3": "589379963580",
        "ap-south-1": "718504428378",
        "ap-northeast-3": "383597477331",
        "ap-northeast-2": "600734575887",
        "ap-southeast-1": "114774131450",
        "ap-southeast-2": "783225319266",
        "ap-northeast-1": "582318560864",
        "ca-central-1": "985666609251",
        "eu-central-1": "054676820928",
        "eu-west-1": "156460612806",
        "eu-west-2": "652711504416",
        "eu-south-1": "635631232127",
        "eu-west-3": "009996457667",
        "eu-north-1": "897822967062",
        "me-south-1": "076674570225",
        "sa-east-1": "507241528517",
        "us-gov-west-1": "048591011584",
        "us-gov-east-1": "190560391635",
        "cn-north-1": "638102146993",
        "cn-northwest-1": "037604701340",
    };
    it("holds exactly the documented regions and accounts", () =>
        assert.deepEqual(ELB_LOG_DELIVERY.accounts, ACCOUNTS));

    const CASES: [string, ReturnType<typeof elbLogDeliveryPrincipal>][] = [
        ["ap-northeast-1", { AWS: "arn:aws:iam::582318560864:root" }],
        // Jakarta opened in December 2021: before August 2022, so an account.
        ["ap-southeast-3", { AWS: "arn:aws:iam::589379963580:root" }],
        ["us-gov-west-1", { AWS: "arn:aws-us-gov:iam::048591011584:root" }],
        ["cn-north-1", { AWS: "arn:aws-cn:iam::638102146993:root" }],
        ["cn-northwest-1", { AWS: "arn:aws-cn:iam::037604701340:root" }],
        // Opened after August 2022: the service principal.
        ["me-central-1", { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }],
        ["ap-southeast-7", { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }],
        // Not documented outside the commercial partition.
        ["us-gov-central-1", undefined],
        ["cn-south-1", undefined],
    ];
    for (const [region, expected] of CASES)
        it(`${region}: ${expected ? JSON.stringify(expected) : "none documented"}`, () =>
            assert.deepEqual(elbLogDeliveryPrincipal(region), expected));
});

describe("edge controls: the access-log bucket", () => {
    const NAMES: [string, string, string][] = [
        ["dev", "ap-northeast-1", "eks-istio-dev-alb-logs-111122223333-ap-northeast-1"],
        ["abcdefghij", "ap-southeast-7", "eks-istio-abcdefghij-alb-logs-111122223333-ap-southeast-7"],
        ["product", "cn-northwest-1", "eks-istio-product-alb-logs-111122223333-cn-northwest-1"],
    ];
    for (const [environment, region, expected] of NAMES)
        it(`is named ${expected}: at most 63 characters, S3's limit, for the longest environment and region`, () => {
            assert.equal(accessLogBucketName({ environment, region }, "111122223333"), expected);
            assert.ok(expected.length <= 63);
        });

    const FLAGS: [string, { production: boolean; teardown: boolean }, boolean][] = [
        ["dev: emptied on destroy (dev logs are disposable)", { production: false, teardown: false }, true],
        ["production: never emptied by a destroy", { production: true, teardown: false }, false],
        ["production being torn down: emptied", { production: true, teardown: true }, true],
    ];
    for (const [name, flags, forceDestroy] of FLAGS)
        it(name, () =>
            assert.equal(
                accessLogBucketSpec({ environment: "x", region: "ap-northeast-1", stack: "x", ...flags }).forceDestroy,
                forceDestroy,
            ),
        );

    it("encrypts with SSE-S3 (the only encryption ELB writes with), owns every object, blocks public access", () =>
        assert.deepEqual(ACCESS_LOG_BUCKET, {
            ownershipControls: { rule: { objectOwnership: "BucketOwnerEnforced" } },
            publicAccessBlock: {
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            encryption: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
        }));

    it("expires every log file after the retention", () =>
        assert.deepEqual(accessLogLifecycleRules(90), [
            { id: "expire-access-logs", status: "Enabled", filter: {}, expiration: { days: 90 } },
        ]));

    const POLICIES: [string, string, Record<string, string>][] = [
        ["ap-northeast-1", "aws", { AWS: "arn:aws:iam::582318560864:root" }],
        ["us-gov-east-1", "aws-us-gov", { AWS: "arn:aws-us-gov:iam::190560391635:root" }],
        ["cn-north-1", "aws-cn", { AWS: "arn:aws-cn:iam::638102146993:root" }],
        ["il-central-1", "aws", { Service: "logdelivery.elasticloadbalancing.amazonaws.com" }],
    ];
    for (const [region, partition, principal] of POLICIES)
        it(`policy in ${region}: the log delivery writes under <prefix>/AWSLogs/<account>/ only, and TLS is required`, () => {
            const arn = `arn:${partition}:s3:::logs`;
            assert.deepEqual(
                accessLogBucketPolicy({ bucket: "logs", prefix: "dev", accountId: "111122223333", region }),
                {
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Sid: "ElbAccessLogDelivery",
                            Effect: "Allow",
                            Principal: principal,
                            Action: "s3:PutObject",
                            Resource: `${arn}/dev/AWSLogs/111122223333/*`,
                        },
                        {
                            Sid: "DenyInsecureTransport",
                            Effect: "Deny",
                            Principal: { AWS: "*" },
                            Action: "s3:*",
                            Resource: [arn, `${arn}/*`],
                            Condition: { Bool: { "aws:SecureTransport": "false" } },
                        },
                    ],
                },
            );
        });

    it("uses only global condition keys, which S3 evaluates for every action", () => {
        const doc = accessLogBucketPolicy({ bucket: "b", prefix: "p", accountId: "111122223333", region: "us-east-1" });
        const keys = doc.Statement.flatMap((s) => Object.values(s.Condition ?? {}).flatMap((b) => Object.keys(b)));
        assert.deepEqual(keys, ["aws:SecureTransport"]);
        for (const k of keys) assert.ok(GLOBAL_KEYS.includes(k), k);
    });

    it("has no policy where AWS documents no principal (the config refuses such a stack first)", () =>
        assert.throws(
            () =>
                accessLogBucketPolicy({
                    bucket: "b",
                    prefix: "p",
                    accountId: "111122223333",
                    region: "us-gov-central-1",
                }),
            /no Elastic Load Balancing log-delivery principal is known for us-gov-central-1/,
        ));
});

describe("storage: the EBS CSI driver and the StorageClass", () => {
    it("the driver's add-on, service account and managed policy (a service-role policy) in each partition", () => {
        assert.deepEqual(EKS_ADDONS.ebsCsi, {
            addonName: "aws-ebs-csi-driver",
            namespace: "kube-system",
            serviceAccount: "ebs-csi-controller-sa",
        });
        assert.deepEqual(["ap-northeast-1", "cn-north-1", "us-gov-west-1"].map(ebsCsiPolicyArn), [
            "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
            "arn:aws-cn:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
            "arn:aws-us-gov:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
        ]);
    });

    const withStorage = (storage: unknown) => config("dev", {}, { observability: { prometheus: { storage } } });
    it("is installed only with prometheus.storage, at EKS's default version for the cluster", () => {
        assert.equal("ebsCsi" in clusterSettings(config("dev")).addons, false);
        assert.equal(
            "ebsCsi" in clusterSettings(config("dev", {}, { observability: { prometheus: true } })).addons,
            false,
        );
        const { ebsCsi } = clusterSettings(withStorage({ size: "20Gi" })).addons as { ebsCsi?: unknown };
        assert.deepEqual(ebsCsi, {
            spec: {
                addonName: "aws-ebs-csi-driver",
                resolveConflictsOnCreate: "OVERWRITE",
                resolveConflictsOnUpdate: "OVERWRITE",
                tags: {
                    "eks-istio/environment": "dev",
                    "eks-istio/stack": "dev",
                    "eks-istio/production": "false",
                    "managed-by": "pulumi",
                },
            },
            version: { addonName: "aws-ebs-csi-driver", kubernetesVersion: "1.35", mostRecent: false },
        });
        // With a class that exists too: the class may be the driver's (an io2 or KMS-keyed gp3).
        assert.ok("ebsCsi" in clusterSettings(withStorage({ size: "20Gi", storageClass: "io2" })).addons);
    });

    it("the StorageClass: EBS gp3, encrypted, bound where the pod lands, expandable, tagged like the stack", () =>
        assert.deepEqual(storageClassManifest(config("product"), "gp3"), {
            apiVersion: "storage.k8s.io/v1",
            kind: "StorageClass",
            metadata: {
                name: "gp3",
                labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "eks-istio" },
            },
            provisioner: "ebs.csi.aws.com",
            parameters: {
                type: "gp3",
                encrypted: "true",
                tagSpecification_1: "eks-istio/environment=product",
                tagSpecification_2: "eks-istio/stack=product",
                tagSpecification_3: "eks-istio/production=true",
                tagSpecification_4: "managed-by=pulumi",
            },
            reclaimPolicy: "Delete",
            volumeBindingMode: "WaitForFirstConsumer",
            allowVolumeExpansion: true,
        }));
});

describe("component: AlbAccessLogs", () => {
    let run: ComponentRun<AlbAccessLogs[]>;
    const flags = (production: boolean, teardown: boolean) => ({
        environment: production ? "product" : "dev",
        region: "ap-northeast-1",
        stack: production ? "product" : "dev",
        production,
        teardown,
    });
    before(async () => {
        run = await runComponents(() => [
            new AlbAccessLogs("dev-edge-alb-logs", { config: flags(false, false), prefix: "dev", retentionDays: 30 }),
            new AlbAccessLogs("product-edge-alb-logs", {
                config: flags(true, false),
                prefix: "product",
                retentionDays: 90,
            }),
        ]);
    });
    const bucketName = (env: string) => `eks-istio-${env}-alb-logs-${ACCOUNT}-ap-northeast-1`;

    it("names the bucket after the account it deploys to; production protects it, dev lets a destroy empty it", () => {
        const dev = run.one("aws:s3/bucket:Bucket", "dev-edge-alb-logs");
        const product = run.one("aws:s3/bucket:Bucket", "product-edge-alb-logs");
        assert.deepEqual([dev.inputs.bucket, dev.inputs.forceDestroy, dev.protect], [bucketName("dev"), true, false]);
        assert.deepEqual(
            [product.inputs.bucket, product.inputs.forceDestroy, product.protect],
            [bucketName("product"), false, true],
        );
    });

    it("applies the bucket's settings one at a time, the policy last", () => {
        const chain = [
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls::dev-edge-alb-logs-ownership",
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock::dev-edge-alb-logs-public-access",
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration::dev-edge-alb-logs-encryption",
            "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration::dev-edge-alb-logs-lifecycle",
            "aws:s3/bucketPolicy:BucketPolicy::dev-edge-alb-logs-policy",
        ];
        const [first, ...rest] = chain.map((k) => run.resources.find((r) => `${r.type}::${r.name}` === k)!);
        assert.deepEqual(first.dependsOn, []);
        rest.forEach((r, i) => assert.deepEqual(r.dependsOn, [chain[i].split("::")[1]], r.name));
        for (const r of [first, ...rest]) assert.equal(r.inputs.bucket, bucketName("dev"), r.name);
    });

    it("writes the policy for the bucket's own name, prefix and account", () => {
        const policy = JSON.parse(
            run.one("aws:s3/bucketPolicy:BucketPolicy", "product-edge-alb-logs-policy").inputs.policy,
        );
        assert.equal(
            policy.Statement[0].Resource,
            `arn:aws:s3:::${bucketName("product")}/product/AWSLogs/${ACCOUNT}/*`,
        );
        assert.deepEqual(
            run.one(
                "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                "product-edge-alb-logs-lifecycle",
            ).inputs.rules[0].expiration,
            { days: 90 },
        );
    });
});

describe("stack: the EBS CSI driver on its IRSA role (examples/observability/Pulumi.product.yaml)", () => {
    let run: Awaited<ReturnType<typeof runStackFile>>;
    before(async () => {
        run = await runStackFile(path.join(ROOT, "examples", "observability", "Pulumi.product.yaml"));
    });

    it("the add-on runs as ebs-csi-controller-sa, whose role only that service account may assume", () => {
        const addon = run.one("aws:eks/addon:Addon", "product-cluster-aws-ebs-csi-driver");
        assert.equal(addon.inputs.serviceAccountRoleArn, `arn:aws:iam::${ACCOUNT}:role/product-cluster-ebs-csi`);
        const trust = JSON.parse(run.one("aws:iam/role:Role", "product-cluster-ebs-csi").inputs.assumeRolePolicy);
        const condition = trust.Statement[0].Condition.StringEquals;
        assert.deepEqual(
            Object.entries(condition).map(([k, v]) => [k.split(":").pop(), v]),
            [
                ["sub", "system:serviceaccount:kube-system:ebs-csi-controller-sa"],
                ["aud", "sts.amazonaws.com"],
            ],
        );
        assert.equal(
            run.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "product-cluster-ebs-csi").inputs.policyArn,
            "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
        );
    });

    it("Prometheus claims its volume from the gp3 class the stack creates", () => {
        const values = run.one("kubernetes:helm.sh/v3:Release", "product-observability-prometheus").inputs.values;
        assert.deepEqual(values.server.persistentVolume, { enabled: true, size: "100Gi", storageClass: "gp3" });
        assert.equal(run.one("kubernetes:storage.k8s.io/v1:StorageClass").inputs.metadata.name, "gp3");
    });

    it("one add-on of each name on the cluster (a second would be refused by EKS)", () => {
        const names = run.ofType("aws:eks/addon:Addon").map((a) => a.inputs.addonName as string);
        assert.deepEqual(names.sort(), ["aws-ebs-csi-driver", "coredns", "vpc-cni"]);
    });
});

describe("update: access logs turned on and off on the running production stack (the offline planner)", () => {
    let on: Evaluation;
    let off: Evaluation;
    before(async () => {
        const file = path.join(ROOT, "Pulumi.product.yaml");
        const config = stackFileConfig(file);
        const ingress = JSON.parse(config["eks-istio:ingress"]) as Record<string, unknown>;
        delete ingress.accessLogs;
        on = await evaluateStackFile(file);
        off = await evaluateConfig(
            "product",
            { ...config, "eks-istio:ingress": JSON.stringify(ingress) },
            { dir: ROOT },
        );
    });
    const step = (steps: PlanStep[], type: string, name: string) =>
        steps.find((s) => s.type === type && s.name === name)!;

    it("on: the bucket is created and the Ingress updated in place, never replaced (its name stays known at preview)", () => {
        const steps = planUpdate(off.resources, on.resources);
        const ingress = step(steps, "kubernetes:networking.k8s.io/v1:Ingress", "product-edge-ingress");
        assert.deepEqual([ingress.op, ingress.danger], ["update", false]);
        assert.equal(step(steps, "aws:s3/bucket:Bucket", "product-edge-alb-logs").op, "create");
    });

    it("off: the Ingress states access_logs.s3.enabled=false, and the protected bucket's delete is a danger", () => {
        const steps = planUpdate(on.resources, off.resources);
        assert.equal(step(steps, "kubernetes:networking.k8s.io/v1:Ingress", "product-edge-ingress").op, "update");
        const bucket = step(steps, "aws:s3/bucket:Bucket", "product-edge-alb-logs");
        assert.deepEqual([bucket.op, bucket.danger], ["delete", true]);
        const annotations = off.resources.find((r) => r.name === "product-edge-ingress")!.inputs.metadata.annotations;
        assert.match(
            annotations["alb.ingress.kubernetes.io/load-balancer-attributes"],
            /,access_logs\.s3\.enabled=false$/,
        );
    });
});
