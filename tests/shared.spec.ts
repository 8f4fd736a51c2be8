// Shared-cluster topology: one owner stack runs the mesh and one gateway Service with a port per
// environment; attached stacks add only their environment's edge, through a stack reference.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { attachmentProblem, ConfigError } from "../components/config";
import { renderStack, type RenderResult } from "../tools/render/render";
import { registeredWithMockEngine, ROOT, runProgram, stackFileConfig, type ProgramRun } from "./harness";

const EXAMPLES = path.join(ROOT, "examples", "shared");
const example = (stack: string) => stackFileConfig(path.join(EXAMPLES, `Pulumi.${stack}.yaml`));
const REF = "organization/eks-istio/product";
const KUBECONFIG = '{"apiVersion":"v1","kind":"Config","clusters":[{"name":"eks-istio-product"}]}';
const ownerOutputs = (gatewayPorts: unknown) => ({
    [REF]: { clusterName: "eks-istio-product", kubeconfig: KUBECONFIG, gatewayPorts },
});
const ALL_PORTS = [
    { environment: "product", port: 80 },
    { environment: "dev", port: 8000 },
    { environment: "stg", port: 9000 },
];

describe("shared cluster: the owner stack", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram("product", example("product"));
    });

    it("one gateway Service with a port per environment, each on a pinned NodePort", () => {
        const gateway = run
            .ofType("kubernetes:helm.sh/v3:Release")
            .find((r) => r.inputs.name === "istio-ingressgateway")!;
        assert.deepEqual(
            gateway.inputs.values.service.ports.map((p: any) => [p.name, p.port, p.targetPort, p.nodePort]),
            [
                ["status-port", 15021, 15021, 30085],
                ["http-product", 80, 80, 30080],
                ["http-dev", 8000, 8000, 30010],
                ["http-stg", 9000, 9000, 30075],
            ],
        );
        assert.equal(gateway.inputs.values.service.type, "NodePort");
    });

    it("exports clusterName, a secret kubeconfig and every gateway port", () => {
        assert.equal(run.outputs.clusterName, "eks-istio-product");
        assert.ok(typeof (run.outputs.kubeconfig as { secret?: string }).secret === "string");
        assert.deepEqual(run.outputs.gatewayPorts, ALL_PORTS);
    });

    it("has only its own edge: one Ingress and one Gateway", () => {
        assert.equal(run.one("kubernetes:networking.k8s.io/v1:Ingress").inputs.metadata.name, "istio-ingress-product");
        assert.equal(run.one("kubernetes:networking.istio.io/v1:Gateway").inputs.metadata.name, "product-gateway");
    });
});

describe("shared cluster: an attached stack", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram("stg", example("stg"), ownerOutputs(ALL_PORTS));
    });

    it("creates no VPC, cluster, controller or Istio release", () => {
        for (const type of [
            "awsx:ec2:Vpc",
            "eks:index:Cluster",
            "kubernetes:helm.sh/v3:Release",
            "aws:iam/role:Role",
            "aws:iam/policy:Policy",
        ])
            assert.deepEqual(run.ofType(type), [], type);
    });

    it("talks to the owner's cluster through a provider built from the owner's kubeconfig", () => {
        assert.equal(run.one("pulumi:pulumi:StackReference").inputs.name, REF);
        const provider = run.one("pulumi:providers:kubernetes");
        assert.equal(provider.name, "stg-k8s");
        assert.equal(JSON.stringify(provider.inputs.kubeconfig).includes("eks-istio-product"), true);
        for (const r of run.resources.filter((x) => x.type.startsWith("kubernetes:")))
            assert.equal(r.provider, "stg-k8s", `${r.type} ${r.name}`);
    });

    it("adds this environment's edge: Ingress to its port, its Gateway, its VirtualServices", () => {
        const ingress = run.one("kubernetes:networking.k8s.io/v1:Ingress").inputs;
        assert.equal(ingress.metadata.name, "istio-ingress-stg");
        assert.equal(ingress.spec.rules[0].http.paths[0].backend.service.port.number, 9000);
        assert.equal(run.one("kubernetes:networking.istio.io/v1:Gateway").inputs.spec.servers[0].port.name, "http-stg");
        assert.equal(
            run.one("kubernetes:networking.istio.io/v1:VirtualService").inputs.metadata.namespace,
            "stg-express",
        );
    });

    it("exports the owner's cluster name, its own gateway port and url, and no kubeconfig", () => {
        assert.equal(run.outputs.clusterName, "eks-istio-product");
        assert.deepEqual(run.outputs.gatewayPorts, [{ environment: "stg", port: 9000 }]);
        assert.match(String(run.outputs.url), /^http:\/\/k8s-istio-ingress-stg-/);
        assert.equal("kubeconfig" in run.outputs, false);
    });
});

describe("shared cluster: an environment the owner does not serve", () => {
    it("fails before creating anything, naming the port and the config to add to which stack", async () => {
        const withoutStg = ALL_PORTS.filter((p) => p.environment !== "stg");
        await assert.rejects(runProgram("stg", example("stg"), ownerOutputs(withoutStg)), (e: unknown) => {
            assert.ok(e instanceof ConfigError);
            assert.equal(e.problems[0].path, "eks-istio:cluster.stackReference");
            assert.match(e.message, /does not serve port 9000 for environment "stg"/);
            assert.match(
                e.message,
                /add \{environment: stg, port: 9000\} to eks-istio:istio\.extraGatewayPorts in the owner's Pulumi\.product\.yaml/,
            );
            return true;
        });
        assert.deepEqual(await registeredWithMockEngine(), ["pulumi:pulumi:StackReference::stg-owner"]);
    });

    const cases: { name: string; owner: unknown; port: number; want: RegExp | undefined }[] = [
        { name: "served", owner: ALL_PORTS, port: 9000, want: undefined },
        {
            name: "not listed",
            owner: [{ environment: "product", port: 80 }],
            port: 9000,
            want: /serves: product 80\); add \{environment: stg, port: 9000\}/,
        },
        {
            name: "listed on another port",
            owner: [{ environment: "stg", port: 9100 }],
            port: 9000,
            want: /serves environment "stg" on port 9100, not 9000/,
        },
        {
            name: "port taken by another environment",
            owner: [{ environment: "dev", port: 9000 }],
            port: 9000,
            want: /port 9000 of .* belongs to environment "dev"/,
        },
        {
            name: "owner without gatewayPorts (not deployed, or not an eks-istio owner)",
            owner: undefined,
            port: 9000,
            want: /has no gatewayPorts output/,
        },
    ];
    for (const c of cases)
        it(`attachmentProblem: ${c.name}`, () => {
            const p = attachmentProblem({
                environment: "stg",
                port: c.port,
                stackReference: REF,
                ownerGatewayPorts: c.owner,
            });
            if (c.want === undefined) assert.equal(p, undefined);
            else assert.match(p ?? "", c.want);
        });
});

describe("shared cluster: the example files reproduce the original design", () => {
    it("one gateway Service with three ports, three ALBs, three Gateways, all distinct", async () => {
        // One at a time: the mock engine is process-wide.
        const rendered: RenderResult[] = [];
        for (const s of ["product", "dev", "stg"])
            rendered.push(await renderStack(path.join(EXAMPLES, `Pulumi.${s}.yaml`)));
        const file = (i: number, p: string) => rendered[i].files.find((f) => f.path === p)?.content ?? "";
        const gatewayValues = rendered.map((r) =>
            r.files.filter((f) => f.path === "helm/istio-ingressgateway.values.yaml"),
        );
        assert.deepEqual(
            gatewayValues.map((g) => g.length),
            [1, 0, 0],
            "only the owner installs the gateway",
        );
        for (const port of ["http-product", "http-dev", "http-stg"])
            assert.match(file(0, "helm/istio-ingressgateway.values.yaml"), new RegExp(`name: ${port}`));
        const names = rendered.map((_, i) => /name: (istio-ingress-\w+)/.exec(file(i, "kubernetes/Ingress.yaml"))?.[1]);
        assert.deepEqual(names, ["istio-ingress-product", "istio-ingress-dev", "istio-ingress-stg"]);
        const lbs = rendered.map((_, i) => /load-balancer-name: (\S+)/.exec(file(i, "kubernetes/Ingress.yaml"))?.[1]);
        assert.equal(new Set(lbs).size, 3, "three ALBs");
        const gateways = rendered.map((_, i) => /name: (\w+-gateway)/.exec(file(i, "kubernetes/Gateway.yaml"))?.[1]);
        assert.deepEqual(gateways, ["product-gateway", "dev-gateway", "stg-gateway"]);
    });
});

describe("shared cluster: tenancy", () => {
    /** [kind, namespace/name, exportTo] of every Istio object a rendered stack registers. */
    const exportsOf = (r: RenderResult) =>
        r.files
            .filter((f) => /^kubernetes\/(VirtualService|DestinationRule|ServiceEntry)\.yaml$/.test(f.path))
            .flatMap((f) => parseAllDocuments(f.content).map((d) => d.toJS()))
            .map((o) => [o.kind, `${o.metadata.namespace}/${o.metadata.name}`, o.spec.exportTo]);

    it("the example stacks' VirtualServices are exported to their namespace and the gateway's only", async () => {
        const rendered: RenderResult[] = [];
        for (const s of ["product", "dev", "stg"])
            rendered.push(await renderStack(path.join(EXAMPLES, `Pulumi.${s}.yaml`)));
        assert.deepEqual(rendered.map(exportsOf), [
            [["VirtualService", "product-bookinfo/bookinfo", [".", "istio-system"]]],
            [["VirtualService", "dev-vote-dog-cat/vote-dog-cat", [".", "istio-system"]]],
            [["VirtualService", "stg-express/express", [".", "istio-system"]]],
        ]);
    });

    it("an attached stack's DestinationRules and ServiceEntries: seen by its namespace, and by the gateway where it routes", async () => {
        const config = example("dev");
        const apps = JSON.parse(config["eks-istio:apps"]);
        // A route through the gateway to an external host, before the catch-all.
        apps[0].http.splice(1, 0, {
            name: "status",
            match: [{ uri: { prefix: "/status" } }],
            route: [{ destination: { host: "status.example.com", port: { number: 443 } } }],
        });
        apps[0].destinationRules = [
            { host: "httpbin", trafficPolicy: { connectionPool: { http: { http1MaxPendingRequests: 32 } } } },
        ];
        const tls = [{ number: 443, name: "https", protocol: "TLS" }];
        apps[0].serviceEntries = [
            { hosts: ["api.github.com"], location: "MESH_EXTERNAL", resolution: "DNS", ports: tls },
            { hosts: ["status.example.com"], location: "MESH_EXTERNAL", resolution: "DNS", ports: tls },
        ];
        const run = await runProgram(
            "dev",
            { ...config, "eks-istio:apps": JSON.stringify(apps) },
            ownerOutputs(ALL_PORTS),
        );
        const kinds = ["VirtualService", "DestinationRule", "ServiceEntry"].map(
            (k) => `kubernetes:networking.istio.io/v1:${k}`,
        );
        assert.deepEqual(
            run.resources
                .filter((r) => kinds.includes(r.type))
                .map((r) => [r.inputs.kind, r.inputs.metadata.name, r.inputs.spec.exportTo])
                .sort((x, y) => `${x[0]}/${x[1]}`.localeCompare(`${y[0]}/${y[1]}`)),
            [
                ["DestinationRule", "httpbin", [".", "istio-system"]],
                ["ServiceEntry", "api-github-com", ["."]],
                ["ServiceEntry", "status-example-com", [".", "istio-system"]],
                ["VirtualService", "vote-dog-cat", [".", "istio-system"]],
            ],
        );
    });

    it("an attached stack routing to another environment's namespace is refused before anything is registered", async () => {
        const config = example("dev");
        const apps = JSON.parse(config["eks-istio:apps"]);
        apps[0].http[1].route[0].destination.host = "orders.product-orders.svc.cluster.local";
        await assert.rejects(
            runProgram("dev", { ...config, "eks-istio:apps": JSON.stringify(apps) }, ownerOutputs(ALL_PORTS)),
            (e: unknown) => {
                assert.ok(e instanceof ConfigError);
                assert.deepEqual(
                    e.problems.map((p) => p.path),
                    ["eks-istio:apps[0].http[1].route[0].destination.host"],
                );
                assert.match(
                    e.message,
                    /reaches namespace "product-orders", which is not one of this stack's \("dev-vote-dog-cat"\)/,
                );
                return true;
            },
        );
        assert.deepEqual(await registeredWithMockEngine(), []);
    });
});
