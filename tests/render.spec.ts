// The offline render: golden files for every stack file, determinism, and the errors a user reads.
import * as assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { findStackFiles, renderStack, resolveStackArg, type RenderResult } from "../tools/render/render";
import { main } from "../tools/render/main";
import { ROOT } from "../tools/mock/engine";

const GOLDEN = path.join(ROOT, "tests", "golden");
const UPDATE = process.env.UPDATE_GOLDEN === "1";

function listFiles(dir: string): string[] {
    if (!fs.existsSync(dir)) return [];
    return fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
        .sort();
}

describe("render: golden output of every stack file", () => {
    const files = findStackFiles();
    it("finds the root stack files and the examples", () => {
        const rel = files.map((f) => path.relative(ROOT, f));
        for (const s of ["Pulumi.dev.yaml", "Pulumi.stg.yaml", "Pulumi.product.yaml"]) assert.ok(rel.includes(s), s);
    });

    for (const file of files) {
        const label = path.relative(ROOT, file);
        it(`${label} renders exactly as tests/golden (UPDATE_GOLDEN=1 npm test to accept a change)`, async function () {
            const result = await renderStack(file);
            const dir = path.join(GOLDEN, result.outDir);
            if (UPDATE) {
                fs.rmSync(dir, { recursive: true, force: true });
                for (const f of result.files) {
                    fs.mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
                    fs.writeFileSync(path.join(dir, f.path), f.content);
                }
                // Comparing with files just written would pass whatever was rendered: the run that
                // rewrites the goldens checks nothing (pending); review the diff, then run npm test.
                this.skip();
            }
            assert.deepEqual(
                result.files.map((f) => f.path),
                listFiles(dir),
                "the same set of files",
            );
            for (const f of result.files)
                assert.equal(f.content, fs.readFileSync(path.join(dir, f.path), "utf8"), `${result.outDir}/${f.path}`);
        });
    }
});

describe("render: content", () => {
    let dev: RenderResult;
    before(async () => {
        dev = await renderStack(resolveStackArg("dev"));
    });
    const file = (p: string) => {
        const f = dev.files.find((x) => x.path === p);
        assert.ok(f, `${p} is rendered; got ${dev.files.map((x) => x.path).join(", ")}`);
        return f.content;
    };

    it("is deterministic: two renders are byte-identical", async () => {
        // The one deliberate second evaluation of the suite: every other run is shared.
        const again = await renderStack(resolveStackArg("dev"), { fresh: true });
        assert.deepEqual(again.files, dev.files);
    });

    it("writes each Helm release's values named after the release, and where each chart comes from", () => {
        assert.match(file("helm/istio-ingressgateway.values.yaml"), /type: NodePort/);
        assert.match(file("helm/aws-load-balancer-controller.values.yaml"), /clusterName: eks-istio-dev/);
        const releases = file("helm/releases.yaml");
        for (const r of ["istio-base", "istiod", "istio-ingressgateway", "aws-load-balancer-controller"])
            assert.match(releases, new RegExp(`name: ${r}\\n`));
        assert.match(releases, /version: 1\.30\.5/);
        assert.match(releases, /repository: https:\/\/aws\.github\.io\/eks-charts/);
        assert.match(releases, /repository: https:\/\/blob\.istio\.io\/istio-release\/charts/);
        assert.match(
            releases,
            /chart: cluster-autoscaler\n {2}repository: https:\/\/kubernetes\.github\.io\/autoscaler\n.*\n {2}version: 9\.56\.0\n/,
        );
    });

    it("writes Kubernetes objects as YAML grouped by kind", () => {
        assert.match(file("kubernetes/Ingress.yaml"), /name: istio-ingress-dev/);
        assert.match(file("kubernetes/Gateway.yaml"), /name: dev-gateway/);
        assert.match(file("kubernetes/VirtualService.yaml"), /prefix: \/azure-vote/);
        assert.match(file("kubernetes/Namespace.yaml"), /istio-injection: enabled/);
    });

    it("writes the IAM policy and trust documents as JSON", () => {
        // The controller's policy, narrowed to the cluster, in two managed policies (IAM's size limit).
        const policy = JSON.parse(file("aws/iam/dev-alb-controller-policy.policy.json"));
        const elb = JSON.parse(file("aws/iam/dev-alb-controller-elb-policy.policy.json"));
        assert.equal(policy.Statement.length + elb.Statement.length, 20);
        assert.ok(JSON.stringify(elb).includes('"aws:ResourceTag/elbv2.k8s.aws/cluster":"eks-istio-dev"'));
        const trust = JSON.parse(file("aws/iam/dev-alb-controller-role.trust.json"));
        assert.equal(trust.Statement[0].Action, "sts:AssumeRoleWithWebIdentity");
    });

    it("writes a plan tree with counts, and the outputs with secrets redacted", () => {
        const plan = file("plan.txt");
        assert.match(plan, /^pulumi:pulumi:Stack {2}eks-istio-dev$/m);
        assert.match(plan, /├─ eks-istio:mesh:Istio {2}dev-istio/);
        assert.match(plan, /^\d+ resources:$/m);
        assert.match(plan, / {3}6 {2}kubernetes:helm\.sh\/v3:Release/);
        assert.match(file("outputs.yaml"), /kubeconfig: "\[secret\]"/);
    });

    it("shows what runs out of sight under its parent, marked as modelled, and lists first what would have two owners (none in dev)", () => {
        const plan = file("plan.txt");
        assert.match(
            plan,
            /├─ aws:eks\/addon:Addon {2}dev-cluster-eks-kube-proxy {2}\(provider=default_7_25_0; modelled: pulumi-eks 4\.3\.0 creates it, nodejs\/eks\/cluster\/cluster\.ts:764-797\)\n/,
        );
        assert.match(
            plan,
            /aws:cloudwatch\/logGroup:LogGroup {2}\/aws\/eks\/eks-istio-dev\/cluster {2}\(modelled: Amazon EKS creates it, not in the Pulumi state; taken over by dev-cluster-control-plane-logs\)/,
        );
        assert.match(plan, /^\d+ children of remote components \(modelled: in the state, not under mocks\):$/m);
        assert.match(plan, /^\d+ objects AWS, the controllers and Kubernetes create \(modelled: in no state\):$/m);
        // The dev stack has none: pulumi-eks makes no vpc-cni add-on of its own, the node groups carry the version.
        assert.match(file("out-of-sight.yaml"), /^problems: \[\]\nobjects:\n/);
    });
});

describe("render: the hardened product stack", () => {
    let product: RenderResult;
    before(async () => {
        product = await renderStack(resolveStackArg("product"));
    });
    const file = (p: string) => {
        const f = product.files.find((x) => x.path === p);
        assert.ok(f, `${p} is rendered; got ${product.files.map((x) => x.path).join(", ")}`);
        return f.content;
    };

    it("shows the HTTPS listener, redirecting HTTP to it", () => {
        const ingress = file("kubernetes/Ingress.yaml");
        assert.match(ingress, /alb\.ingress\.kubernetes\.io\/listen-ports: '\[\{"HTTP": ?80\}, ?\{"HTTPS": ?443\}\]'/);
        assert.match(ingress, /alb\.ingress\.kubernetes\.io\/ssl-redirect: "443"/);
        assert.match(ingress, /alb\.ingress\.kubernetes\.io\/certificate-arn: arn:aws:acm:ap-northeast-1:/);
        // TLS 1.3 (with 1.2 for older clients), whatever else the edge controls add.
        assert.match(ingress, /alb\.ingress\.kubernetes\.io\/ssl-policy: ELBSecurityPolicy-TLS13-1-2-2021-06\n/);
    });

    it("shows the edge controls: a web ACL, and access logs to the bucket it creates, with that bucket's policy", () => {
        const ingress = file("kubernetes/Ingress.yaml");
        assert.match(
            ingress,
            /alb\.ingress\.kubernetes\.io\/wafv2-acl-arn: arn:aws:wafv2:ap-northeast-1:123456789012:regional\/webacl\//,
        );
        assert.match(
            ingress,
            /load-balancer-attributes: deletion_protection\.enabled=true,access_logs\.s3\.enabled=true,access_logs\.s3\.bucket=eks-istio-product-alb-logs-123456789012-ap-northeast-1,access_logs\.s3\.prefix=product\n/,
        );
        assert.match(
            file("aws/s3.yaml"),
            /bucket: eks-istio-product-alb-logs-123456789012-ap-northeast-1\n {2}forceDestroy: false\n {2}protect: true\n/,
        );
        assert.match(file("aws/s3/product-edge-alb-logs-policy.json"), /"AWS": "arn:aws:iam::582318560864:root"/);
    });

    it("shows the log group with its retention, the launch template and the add-ons", () => {
        assert.match(
            file("aws/log-group.yaml"),
            /name: \/aws\/eks\/eks-istio-product\/cluster\n(.*\n)* {2}retentionInDays: 90\n/,
        );
        const lt = file("aws/launch-template.yaml");
        assert.match(lt, /httpPutResponseHopLimit: 1/);
        assert.match(lt, /httpTokens: required/);
        const addons = file("aws/eks-addons.yaml");
        assert.match(addons, /addonName: vpc-cni/);
        assert.match(addons, /addonName: coredns/);
        assert.match(file("aws/eks-cluster.yaml"), /kubeProxyAddonOptions:/);
        assert.match(file("aws/eks-cluster.yaml"), /supportType: STANDARD/);
    });

    it("warns about its three placeholders", () =>
        assert.deepEqual(
            product.warnings.map((w) => w.split(":").slice(0, 2).join(":")),
            ["eks-istio:ingress.certificateArn", "eks-istio:cluster.publicAccessCidrs", "eks-istio:ingress.wafAclArn"],
        ));
});

describe("render: the command", () => {
    /** Runs the command in this process, capturing what it prints. */
    async function render(...args: string[]) {
        let stdout = "";
        let stderr = "";
        const status = await main(args, { out: (t) => (stdout += t), err: (t) => (stderr += t) });
        return { status, stdout, stderr };
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eks-istio-render-"));

    // The one real process of the suite, started while the specs load so that it runs beside them
    // (two cores) instead of after them; its test waits for it. Under mutation testing (npm run
    // mutate) the specs load once per test process, so it starts only if its test runs.
    const startCli = () =>
        new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
            const child = spawn(
                process.execPath,
                ["-r", "./scripts/register.cjs", "tools/render/main.ts", "dev", "--out", path.join(dir, "ok")],
                { cwd: ROOT, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1" } },
            );
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (d) => (stdout += d));
            child.stderr.on("data", (d) => (stderr += d));
            child.on("close", (status) => resolve({ status, stdout, stderr }));
        });
    const cli = "__stryker__" in globalThis ? undefined : startCli();

    it("the real entry point renders a stack: plan and file list on stdout, progress and timing on stderr, files written", async () => {
        const r = await (cli ?? startCli());
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /# dev: plan\n\npulumi:pulumi:Stack {2}eks-istio-dev/);
        assert.match(r.stdout, /helm\/istio-ingressgateway\.values\.yaml/);
        // Its warnings, if any, come between the stack's name and its timing.
        assert.match(r.stderr, /render Pulumi\.dev\.yaml \.\.\. (\n {2}warning: .*)*\n? *\d+\.\d\ds, \d+ resources/);
        assert.ok(fs.existsSync(path.join(dir, "ok", "dev", "kubernetes", "Gateway.yaml")));
    });

    it("an unknown stack exits 2 and names it, with the stack files there are", async () => {
        assert.throws(() => resolveStackArg("nope"), /unknown stack "nope": there is no Pulumi\.nope\.yaml/);
        const r = await render("nope");
        assert.equal(r.status, 2);
        assert.match(r.stderr, /unknown stack "nope"/);
        assert.match(r.stderr, /stack files: .*Pulumi\.dev\.yaml/);
        assert.equal(r.stdout, "");
    });

    it("prints what the program logged, each line once, as the preview shows it", async () => {
        const r = await render("product", "--out", path.join(dir, "product"), "--quiet");
        assert.equal(r.status, 0, r.stderr);
        const logged = r.stderr.split("\n").filter((l) => /warning/.test(l));
        assert.deepEqual(
            logged.map((l) => /^ {2}warning: ([^:]+:[^:]+): ./.exec(l)?.[1] ?? l),
            ["eks-istio:ingress.certificateArn", "eks-istio:cluster.publicAccessCidrs", "eks-istio:ingress.wafAclArn"],
        );
    });

    it("no arguments print the usage and exit 2", async () => {
        const r = await render();
        assert.equal(r.status, 2);
        assert.match(r.stderr, /^usage: npm run render -- <stack/);
    });

    it("an invalid config exits 1, names the key, and writes nothing", async () => {
        const invalid = path.join(dir, "Pulumi.qa.yaml");
        fs.writeFileSync(invalid, "config:\n  aws:region: ap-northeast-1\n  eks-istio:ingress:\n    port: 15021\n");
        const r = await render(invalid, "--out", path.join(dir, "bad"));
        assert.equal(r.status, 1);
        assert.match(r.stderr, /eks-istio:ingress\.port: 15021 is in Istio's reserved range/);
        assert.equal(fs.existsSync(path.join(dir, "bad")), false);
    });
});
