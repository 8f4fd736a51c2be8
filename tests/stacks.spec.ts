// Whole stacks under mocks: every Pulumi.<stack>.yaml in the repository (discovered, so a new stack
// file is covered without editing this file) plus an environment that is none of the usual three.
// Asserts the foundation a user relies on; the program has more resources than these.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../components/config";
import {
    type ProgramRun,
    ROOT,
    mockOutputs,
    registeredWithMockEngine,
    runComponents,
    runProgram,
    secretInputValue,
    stackFileConfig,
    toConfigMap,
} from "./harness";

interface Expectation {
    environment: string;
    region: string;
    vpcCidr: string;
    azs: number;
    nat: "Single" | "OnePerAz";
    protect: boolean;
    scaling: { minSize: number; desiredSize: number; maxSize: number };
    /** The key paths `pulumi preview` warns about, in order. */
    warns: string[];
}

/** What the three known stack files must produce, written out by hand. */
const KNOWN: Record<string, Expectation> = {
    dev: {
        environment: "dev",
        region: "ap-northeast-1",
        vpcCidr: "10.10.0.0/16",
        azs: 2,
        nat: "Single",
        protect: false,
        scaling: { minSize: 2, desiredSize: 2, maxSize: 4 },
        // Internet-facing and open to everyone, on purpose: the sample apps are for trying out.
        warns: ["eks-istio:ingress.allowedCidrs"],
    },
    stg: {
        environment: "stg",
        region: "ap-northeast-1",
        vpcCidr: "10.20.0.0/16",
        azs: 2,
        nat: "Single",
        protect: false,
        scaling: { minSize: 2, desiredSize: 2, maxSize: 4 },
        warns: ["eks-istio:ingress.allowedCidrs"],
    },
    product: {
        environment: "product",
        region: "ap-northeast-1",
        vpcCidr: "10.30.0.0/16",
        azs: 3,
        nat: "OnePerAz",
        protect: true,
        scaling: { minSize: 3, desiredSize: 3, maxSize: 9 },
        // The shipped placeholders (platform.spec.ts has the messages).
        warns: [
            "eks-istio:ingress.certificateArn",
            "eks-istio:cluster.publicAccessCidrs",
            "eks-istio:ingress.wafAclArn",
        ],
    },
    qa: {
        environment: "qa",
        region: "eu-west-1",
        vpcCidr: "10.0.0.0/16",
        azs: 2,
        nat: "Single",
        protect: false,
        scaling: { minSize: 2, desiredSize: 2, maxSize: 4 },
        warns: ["eks-istio:ingress.allowedCidrs"],
    },
};

const STACK_FILES = fs
    .readdirSync(ROOT)
    .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();

const QA_CONFIG = toConfigMap({
    "aws:region": "eu-west-1",
    "eks-istio:ingress": { port: 7000 },
    "eks-istio:apps": [
        {
            name: "web",
            http: [
                {
                    match: [{ uri: { prefix: "/web" } }],
                    route: [{ destination: { host: "web", port: { number: 80 } } }],
                },
            ],
        },
    ],
});

const STACKS: { stack: string; source: string; config: Record<string, string> }[] = [
    ...STACK_FILES.map((stack) => ({
        stack,
        source: `Pulumi.${stack}.yaml`,
        config: stackFileConfig(path.join(ROOT, `Pulumi.${stack}.yaml`)),
    })),
    { stack: "qa", source: "inline config, port 7000", config: QA_CONFIG },
];

describe("stacks: discovery", () => {
    it("finds the dev, stg and product stack files", () => {
        for (const s of ["dev", "stg", "product"]) assert.ok(STACK_FILES.includes(s), `Pulumi.${s}.yaml not found`);
    });

    it("every stack file has its expectation written out by hand in KNOWN", () => {
        // An expectation computed from the file's own config would agree with any bug in the parser.
        assert.deepEqual(
            STACK_FILES.filter((s) => !(s in KNOWN)),
            [],
        );
    });
});

for (const { stack, source, config } of STACKS.filter((s) => s.stack in KNOWN)) {
    describe(`stack ${stack} (${source})`, () => {
        const expect = KNOWN[stack];
        const clusterName = `eks-istio-${expect.environment}`;
        let run: ProgramRun;
        before(async () => {
            run = await runProgram(stack, config);
        });

        it(`the preview warns about ${expect.warns.length ? expect.warns.join(" and ") : "nothing"}, and logs nothing else`, () =>
            assert.deepEqual(
                run.logs.map((l) => /^warning: ([^:]+:[^:]+): ./.exec(l)?.[1] ?? l),
                expect.warns,
            ));

        it(`creates EKS cluster ${clusterName} and exports its name`, () => {
            const eks = run.one("eks:index:Cluster");
            assert.equal(eks.inputs.name, clusterName);
            assert.equal(run.outputs.clusterName, clusterName);
        });

        it("exports the kubeconfig as a secret", () => {
            const kubeconfig = run.outputs.kubeconfig as { secret?: string };
            assert.equal(typeof kubeconfig?.secret, "string", "kubeconfig output is not secret");
            assert.equal(JSON.parse(kubeconfig.secret!).kind, "Config");
        });

        it(`VPC ${expect.vpcCidr} across ${expect.azs} AZs with NAT ${expect.nat}`, () => {
            const vpc = run.one("awsx:ec2:Vpc").inputs;
            assert.equal(vpc.cidrBlock, expect.vpcCidr);
            assert.equal(vpc.numberOfAvailabilityZones, expect.azs);
            assert.deepEqual(vpc.natGateways, { strategy: expect.nat });
        });

        it(`${expect.protect ? "protects" : "does not protect"} the VPC, the cluster and its KMS key`, () => {
            assert.equal(run.one("awsx:ec2:Vpc").protect, expect.protect);
            assert.equal(run.one("eks:index:Cluster").protect, expect.protect);
            assert.equal(run.one("aws:kms/key:Key").protect, expect.protect);
            assert.equal(run.one("eks:index:Cluster").inputs.deletionProtection, expect.protect);
        });

        it("runs the node group with the stack's scaling", () => {
            assert.deepEqual(run.one("eks:index:ManagedNodeGroup").inputs.scalingConfig, expect.scaling);
        });

        it(`the ALB controller release carries the stack's region (${expect.region}), cluster and VPC`, () => {
            const releases = run
                .ofType("kubernetes:helm.sh/v3:Release")
                .filter((r) => r.inputs.chart === "aws-load-balancer-controller");
            assert.equal(releases.length, 1);
            const values = releases[0].inputs.values;
            assert.equal(values.region, expect.region);
            assert.equal(values.clusterName, clusterName);
            assert.equal(values.vpcId, "vpc-0abc", "the VPC's id (as the mocked cloud returns it)");
            assert.match(
                values.serviceAccount.annotations["eks.amazonaws.com/role-arn"],
                /^arn:aws:iam::\d{12}:role\//,
            );
        });

        it("creates every Kubernetes object with the stack's own provider, built from the cluster's kubeconfig", () => {
            const eks = run.one("eks:index:Cluster");
            const kubeconfig = mockOutputs(eks.type, eks.name, eks.inputs).kubeconfigJson;
            const own = run
                .ofType("pulumi:providers:kubernetes")
                .filter((p) => secretInputValue(p.inputs.kubeconfig) === kubeconfig);
            assert.equal(
                own.length,
                1,
                "expected one kubernetes provider built from the cluster's kubeconfig (secret)",
            );
            const objects = run.resources.filter((r) => r.type.startsWith("kubernetes:"));
            assert.ok(objects.length > 0);
            const wrong = objects.filter((r) => r.provider !== own[0].name).map((r) => `${r.type} ${r.name}`);
            assert.deepEqual(wrong, []);
        });
    });
}

describe("stacks: a bad config", () => {
    const BAD: { name: string; config: Record<string, string>; fragments: string[] }[] = [
        {
            name: "reserved port and a typo key",
            config: toConfigMap({
                "aws:region": "ap-northeast-1",
                "eks-istio:ingress": { port: 15021 },
                "eks-istio:clustr": { minSize: 1 },
            }),
            fragments: [
                "eks-istio:ingress.port: 15021 is in Istio's reserved range",
                'eks-istio:clustr: unknown key (did you mean "cluster"?)',
            ],
        },
        {
            name: "a dev stack file without its region and with a nested typo",
            config: (() => {
                const c = stackFileConfig(path.join(ROOT, "Pulumi.dev.yaml"));
                delete c["aws:region"];
                const cluster = JSON.parse(c["eks-istio:cluster"]);
                cluster.maxSzie = cluster.maxSize;
                c["eks-istio:cluster"] = JSON.stringify(cluster);
                return c;
            })(),
            fragments: [
                "aws:region: is required",
                'eks-istio:cluster: unknown key "maxSzie" (did you mean "maxSize"?)',
            ],
        },
    ];
    for (const c of BAD)
        it(`${c.name}: rejects with a ConfigError naming the keys, and registers nothing`, async () => {
            await assert.rejects(runProgram("dev", c.config), (e: unknown) => {
                assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
                assert.ok(pulumi.RunError.isInstance(e));
                for (const f of c.fragments) assert.ok(e.message.includes(f), `"${f}" not in:\n${e.message}`);
                return true;
            });
            assert.deepEqual(await registeredWithMockEngine(), []);
        });

    it("the registration record does see a resource created before a failure (the check above is not vacuous)", async () => {
        await assert.rejects(
            runComponents(() => {
                new aws.s3.Bucket("early", {});
                throw new Error("late failure");
            }),
            /late failure/,
        );
        assert.deepEqual(await registeredWithMockEngine(), ["aws:s3/bucket:Bucket::early"]);
    });
});

describe("teardown (eks-istio:teardown) of the product stack", () => {
    // Everything a live production stack and the same stack being torn down register, per resource,
    // as the data the engine receives (a resource passed as an input is a reference: JSON compares it).
    const view = (run: ProgramRun) =>
        Object.fromEntries(
            run.resources.map((r) => [`${r.type}::${r.name}`, { protect: r.protect, inputs: r.inputs }]),
        );
    let live: ReturnType<typeof view>;
    let down: ReturnType<typeof view>;
    before(async () => {
        const config = stackFileConfig(path.join(ROOT, "Pulumi.product.yaml"));
        live = view(await runProgram("product", config));
        down = view(await runProgram("product", { ...config, "eks-istio:teardown": "true" }));
    });

    it("lifts every deletion protection and changes nothing else (no resizing under the live cluster)", () => {
        const changed = Object.keys(live).filter((k) => JSON.stringify(live[k]) !== JSON.stringify(down[k]));
        assert.deepEqual(Object.keys(down).sort(), Object.keys(live).sort());
        assert.deepEqual(changed.sort(), [
            "aws:cloudwatch/logGroup:LogGroup::product-cluster-control-plane-logs",
            "aws:kms/key:Key::product-cluster-secrets",
            "aws:s3/bucket:Bucket::product-edge-alb-logs",
            "awsx:ec2:Vpc::product-network-vpc",
            "eks:index:Cluster::product-cluster-eks",
            "kubernetes:networking.k8s.io/v1:Ingress::product-edge-ingress",
        ]);
        for (const k of [
            "aws:cloudwatch/logGroup:LogGroup::product-cluster-control-plane-logs",
            "aws:kms/key:Key::product-cluster-secrets",
            "awsx:ec2:Vpc::product-network-vpc",
        ]) {
            assert.equal(live[k].protect, true, k);
            assert.deepEqual(down[k], { ...live[k], protect: false }, k);
        }
        // The access-log bucket: unprotected, and emptied by the destroy (its logs go with it).
        const bucket = "aws:s3/bucket:Bucket::product-edge-alb-logs";
        assert.deepEqual(live[bucket].protect, true);
        assert.deepEqual(down[bucket], {
            protect: false,
            inputs: { ...live[bucket].inputs, forceDestroy: true },
        });
        const eks = "eks:index:Cluster::product-cluster-eks";
        assert.deepEqual(down[eks], {
            protect: false,
            inputs: { ...live[eks].inputs, deletionProtection: false },
        });
        const ingress = "kubernetes:networking.k8s.io/v1:Ingress::product-edge-ingress";
        const annotations = (v: (typeof live)[string]) => v.inputs.metadata.annotations;
        // Only the deletion protection changes; the ALB keeps writing its logs to the end.
        const logs = `access_logs.s3.enabled=true,access_logs.s3.bucket=eks-istio-product-alb-logs-123456789012-ap-northeast-1,access_logs.s3.prefix=product`;
        assert.equal(
            annotations(live[ingress])["alb.ingress.kubernetes.io/load-balancer-attributes"],
            `deletion_protection.enabled=true,${logs}`,
        );
        assert.equal(
            annotations(down[ingress])["alb.ingress.kubernetes.io/load-balancer-attributes"],
            `deletion_protection.enabled=false,${logs}`,
        );
        assert.equal(down[ingress].inputs.metadata.labels["eks-istio/teardown"], "true");
    });
});
