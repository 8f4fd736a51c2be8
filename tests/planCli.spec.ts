// `npm run plan`: its arguments and what it says when they are wrong, the JSON it prints, what the
// mock engine records for it (URNs as the engine makes them, aliases, per-input dependencies), and
// how it reads the model of the remote components' children (tools/outOfSight). No git and no npm here: the earlier
// revision comes from a fixture (tests/upgrade/), as `--fixture` reads it.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ROOT, runUnderMocks } from "../tools/mock/engine";
import { outOfSight } from "../tools/outOfSight";
import { expandChildren } from "../tools/plan/expand";
import { main, parseArgs } from "../tools/plan/main";
import { OPS } from "../tools/plan/plan";
import { res } from "./plan/resources";

const DEV_FIXTURE = path.join(ROOT, "tests", "upgrade", "c1dbf01", "dev.json");

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    let out = "";
    let err = "";
    const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
    return { code, out, err };
}

describe("npm run plan: arguments", () => {
    const errors: [string[], string][] = [
        [[], "plan: which stack? name one"],
        [["dev", "stg", "--from", "main"], "plan: one stack at a time, got dev, stg"],
        [["dev"], "plan: --from <git ref> (or --fixture <file>) is required"],
        [["dev", "--from"], "plan: --from needs a value"],
        [["dev", "--from", "--json"], "plan: --from needs a value"],
        [["dev", "--from", "a", "--from", "b"], "plan: --from is given twice"],
        [["dev", "--from", "main", "--fixture", "x.json"], "plan: --from and --fixture exclude each other"],
        [
            ["dev", "--fixture", "x.json", "--save-fixture", "y.json"],
            "plan: --from-stack-file and --save-fixture need --from (a fixture is already evaluated)",
        ],
        [["dev", "--from", "main", "--verbose"], "plan: unknown option --verbose"],
    ];
    for (const [argv, message] of errors)
        it(`${JSON.stringify(argv)}: exit 2, "${message}" and the usage`, async () => {
            const { code, out, err } = await run(argv);
            assert.equal(code, 2);
            assert.equal(out, "");
            const [first, usage] = err.split("\n");
            assert.equal(first, message);
            assert.match(
                usage,
                /^usage: npm run plan -- <stack \| path\/to\/Pulumi.<stack>.yaml> \(--from <git ref> \| --fixture <file>\)/,
            );
        });

    it("an unknown stack is named, with exit 2", async () => {
        const { code, err } = await run(["qa", "--fixture", DEV_FIXTURE]);
        assert.equal(code, 2);
        assert.equal(err.split("\n")[0], 'plan: unknown stack "qa": there is no Pulumi.qa.yaml');
    });

    it("a file that is not a fixture: exit 1, naming it", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-"));
        const bad = path.join(dir, "x.json");
        fs.writeFileSync(bad, "{}");
        try {
            const { code, err } = await run(["dev", "--fixture", bad]);
            assert.equal(code, 1);
            assert.equal(err, `plan: ${bad}: not a plan fixture (no stack or resources)\n`);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("flags take --name=value too, and --help prints the usage with exit 0", async () => {
        assert.deepEqual(parseArgs(["dev", "--from=main", "--json"]), {
            stack: "dev",
            from: "main",
            fixture: undefined,
            json: true,
            all: false,
            fromStackFile: undefined,
            saveFixture: undefined,
            out: undefined,
        });
        const { code, out } = await run(["--help"]);
        assert.equal(code, 0);
        assert.match(out, /^usage: npm run plan/);
    });
});

describe("npm run plan: --json", () => {
    let entries: Record<string, unknown>[];
    before(async function () {
        this.timeout(60_000);
        const { code, out } = await run(["dev", "--fixture", DEV_FIXTURE, "--json"]);
        assert.equal(code, 0);
        entries = JSON.parse(out);
    });

    it("is an array of {op, type, name, reasons, danger}, nothing else", () => {
        assert.ok(Array.isArray(entries) && entries.length > 40);
        for (const e of entries) {
            assert.deepEqual(Object.keys(e), ["op", "type", "name", "reasons", "danger"]);
            assert.ok(OPS.includes(e.op as never), String(e.op));
            assert.equal(typeof e.type, "string");
            assert.equal(typeof e.name, "string");
            assert.ok(Array.isArray(e.reasons) && (e.reasons as unknown[]).every((r) => typeof r === "string"));
            assert.equal(typeof e.danger, "boolean");
        }
    });

    it("names types and resources as Pulumi registers them", () => {
        assert.ok(entries.some((e) => e.type === "aws:eks/nodeGroup:NodeGroup" && e.name === "dev-cluster-nodes"));
        assert.ok(entries.some((e) => e.type === "kubernetes:helm.sh/v3:Release" && e.name === "dev-istio-gateway"));
        for (const e of entries) assert.match(String(e.type), /^[\w-]+:[\w./-]*:\w+$/);
    });

    it("a dangerous entry says why, and its op stays what Pulumi would do (exit 0 all the same)", () => {
        for (const e of entries.filter((x) => x.danger))
            assert.ok(
                (e.reasons as string[]).some((r) => r.startsWith("DANGER: ")),
                JSON.stringify(e),
            );
    });
});

describe("mock engine: what the planner reads", () => {
    it("URNs as the engine makes them, aliases as URNs, dependencies per input, import and the SDK version", async () => {
        class Parent extends pulumi.ComponentResource {
            constructor(name: string) {
                super("test:index:Parent", name);
                const key = new aws.kms.Key(`${name}-key`, { description: "k" }, { parent: this });
                new aws.cloudwatch.LogGroup(
                    `${name}-logs`,
                    { name: "/x", kmsKeyId: key.arn, retentionInDays: 7 },
                    { parent: this, aliases: [{ name: "old-logs" }], import: "/x" },
                );
            }
        }
        const run = await runUnderMocks(() => new Parent("p"), { stack: "test" });
        const logs = run.one("aws:cloudwatch/logGroup:LogGroup");
        assert.equal(
            logs.urn,
            "urn:pulumi:test::eks-istio::test:index:Parent$aws:cloudwatch/logGroup:LogGroup::p-logs",
        );
        assert.deepEqual(logs.aliases, [
            "urn:pulumi:test::eks-istio::test:index:Parent$aws:cloudwatch/logGroup:LogGroup::old-logs",
        ]);
        assert.deepEqual(logs.graph.propertyDependencies, { kmsKeyId: ["aws:kms/key:Key::p-key"] });
        assert.equal(logs.import, "/x");
        assert.equal(logs.version, "7.48.0");
        assert.equal(run.one("test:index:Parent").urn, "urn:pulumi:test::eks-istio::test:index:Parent::p");
    });
});

describe("plan model: the planner diffs tools/outOfSight's children, in the form the engine records", () => {
    const eks = res(
        "eks:index:Cluster",
        "c-eks",
        { name: "c", version: "1.35", skipDefaultNodeGroup: true, authenticationMode: "API", storageClasses: "gp3" },
        { kind: "remote" },
    );
    const template = res("aws:ec2/launchTemplate:LaunchTemplate", "c-nodes", {});
    const nodes = res(
        "eks:index:ManagedNodeGroup",
        "c-nodes",
        { launchTemplate: { id: "lt", version: "1" }, version: "1.35", instanceTypes: ["t3.large"] },
        { kind: "remote", reads: { cluster: [eks], launchTemplate: [template] } },
    );
    const recorded = [eks, template, nodes];
    const children = expandChildren(recorded);
    const child = (type: string, name: string) => children.find((c) => c.type === type && c.name === name)!;

    it("exactly the children of the model of record, none of what AWS creates on its own (in no state)", () => {
        const model = outOfSight(recorded);
        assert.deepEqual(
            children.map((c) => `${c.type}::${c.name}`),
            model.filter((o) => o.kind === "child").map((o) => o.key),
        );
        assert.ok(model.some((o) => o.kind === "implicit"));
        for (const c of children) assert.match(c.modelled, /^pulumi-eks 4\.3\.0 nodejs\/eks\/\S+\.ts:\d+/, c.name);
    });

    it("URNs under the component's recorded URN; AWS children on pulumi-eks's own @pulumi/aws, Kubernetes ones on its provider", () => {
        const addon = child("aws:eks/addon:Addon", "c-eks-kube-proxy");
        assert.equal(addon.urn, "urn:pulumi:test::eks-istio::eks:index:Cluster$aws:eks/addon:Addon::c-eks-kube-proxy");
        assert.equal(addon.version, "7.25.0");
        assert.equal(addon.provider, undefined, "a default provider: diffed as one, not replaced for a version");
        assert.deepEqual(addon.graph.propertyDependencies, {
            clusterName: ["aws:eks/cluster:Cluster::c-eks-eksCluster"],
        });
        const gp3 = child("kubernetes:storage.k8s.io/v1:StorageClass", "c-eks-gp3");
        assert.equal(gp3.provider, "c-eks-eks-k8s");
        assert.equal(gp3.graph.provider, "pulumi:providers:kubernetes::c-eks-eks-k8s");
        assert.equal(child("eks:index:VpcCniAddon", "c-eks-vpc-cni").graph.kind, "component");
    });

    it("the node group: its inputs as pulumi-eks passes them, and the resources they read", () => {
        const group = child("aws:eks/nodeGroup:NodeGroup", "c-nodes");
        assert.deepEqual(
            {
                version: group.inputs.version,
                launchTemplate: group.inputs.launchTemplate,
                instanceTypes: group.inputs.instanceTypes,
                scalingConfig: group.inputs.scalingConfig,
                clusterName: group.inputs.clusterName,
            },
            {
                version: "1.35",
                launchTemplate: { id: "lt", version: "1" },
                instanceTypes: ["t3.large"],
                scalingConfig: { desiredSize: 2, minSize: 1, maxSize: 2 },
                clusterName: "c",
            },
        );
        assert.deepEqual(group.graph.propertyDependencies, {
            clusterName: ["aws:eks/cluster:Cluster::c-eks-eksCluster"],
            launchTemplate: ["aws:ec2/launchTemplate:LaunchTemplate::c-nodes"],
        });
        assert.equal(group.parent, "c-nodes");
        assert.equal(group.graph.parent, "eks:index:ManagedNodeGroup::c-nodes");
    });
});
