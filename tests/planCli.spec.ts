// `npm run plan`: its arguments and what it says when they are wrong, the JSON it prints, what the
// mock engine records for it (URNs as the engine makes them, aliases, per-input dependencies), and
// the stop-gap model of the remote components' children. No git and no npm here: the earlier
// revision comes from a fixture (tests/upgrade/), as `--fixture` reads it.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ROOT, runUnderMocks } from "../tools/mock/engine";
import { minimalChildren } from "../tools/plan/expand";
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

describe("plan model (stop-gap for tools/outOfSight): the remote components' children", () => {
    const vpc = (cidr: string, azs: number, strategy: string) =>
        res(
            "awsx:ec2:Vpc",
            "v",
            {
                cidrBlock: cidr,
                numberOfAvailabilityZones: azs,
                natGateways: { strategy },
                subnetSpecs: [{ type: "Public" }, { type: "Private" }],
            },
            { kind: "remote" },
        );
    const cidrs = (r: ReturnType<typeof res>) =>
        minimalChildren([r])
            .filter((c) => c.type === "aws:ec2/subnet:Subnet")
            .map((c) => `${c.name} ${c.inputs.cidrBlock}`);

    it("awsx lays subnets out per AZ, public then private (2 AZs: /18s)", () => {
        assert.deepEqual(cidrs(vpc("10.10.0.0/16", 2, "Single")), [
            "v-public-1 10.10.0.0/18",
            "v-private-1 10.10.64.0/18",
            "v-public-2 10.10.128.0/18",
            "v-private-2 10.10.192.0/18",
        ]);
    });

    it("3 AZs: /19s, so going from 2 to 3 AZs moves every subnet (each one replaced)", () => {
        assert.deepEqual(cidrs(vpc("10.30.0.0/16", 3, "OnePerAz")).slice(0, 3), [
            "v-public-1 10.30.0.0/19",
            "v-private-1 10.30.32.0/19",
            "v-public-2 10.30.64.0/19",
        ]);
    });

    it("one NAT gateway for Single, one per AZ for OnePerAz", () => {
        const nats = (r: ReturnType<typeof res>) =>
            minimalChildren([r]).filter((c) => c.type === "aws:ec2/natGateway:NatGateway").length;
        assert.deepEqual([nats(vpc("10.0.0.0/16", 2, "Single")), nats(vpc("10.0.0.0/16", 3, "OnePerAz"))], [1, 3]);
    });

    it("pulumi-eks's own vpc-cni add-on unless useDefaultVpcCni; its node group carries no version with a launch template", () => {
        const cluster = (extra: Record<string, unknown>) =>
            res("eks:index:Cluster", "c-eks", { name: "c", version: "1.35", ...extra }, { kind: "remote" });
        const addons = (r: ReturnType<typeof res>) =>
            minimalChildren([r])
                .filter((c) => c.type === "aws:eks/addon:Addon")
                .map((c) => c.name);
        assert.deepEqual(addons(cluster({})), ["c-eks-kube-proxy", "c-eks-vpc-cni"]);
        assert.deepEqual(addons(cluster({ useDefaultVpcCni: true })), ["c-eks-kube-proxy"]);

        const eks = cluster({});
        const nodes = (launchTemplate?: object) =>
            res(
                "eks:index:ManagedNodeGroup",
                "c-nodes",
                { launchTemplate },
                { kind: "remote", reads: { cluster: [eks] } },
            );
        const versionOf = (m: ReturnType<typeof res>) =>
            minimalChildren([eks, m]).find((c) => c.type === "aws:eks/nodeGroup:NodeGroup")!.inputs.version;
        assert.equal(versionOf(nodes()), "1.35");
        assert.equal(versionOf(nodes({ id: "lt", version: "1" })), undefined);
    });
});
