import * as assert from "node:assert/strict";
import * as path from "node:path";
import { DEFAULT_STATUS_NODE_PORT, defaultNodePort } from "../components/config";
import { parseStackConfig } from "../components/stack";
import {
    gatewayServicePorts,
    gatewayValues,
    ISTIO,
    istioBaseValues,
    istiodValues,
    meshPeerAuthentication,
} from "../components/manifests/istio";
import { ROOT, runProgram, stackFileConfig, type ProgramRun } from "./harness";

describe("istio: pinned NodePorts", () => {
    const rule: [number, number][] = [
        [80, 30080],
        [8000, 30010],
        [9000, 30075],
        [7000, 30030],
        [443, 30018],
        [84, 30084],
        [85, 30000],
        [65535, 30000],
    ];
    for (const [port, nodePort] of rule)
        it(`port ${port} → nodePort ${nodePort} (30000 + port mod 85)`, () =>
            assert.equal(defaultNodePort(port), nodePort));

    it("every derived nodePort is inside the static band 30000-30084 (KEP-3668), below the status port's 30085", () => {
        for (let port = 1; port <= 65535; port += 97) {
            const n = defaultNodePort(port);
            assert.ok(n >= 30000 && n <= 30084, `${port} → ${n}`);
        }
        assert.equal(DEFAULT_STATUS_NODE_PORT, 30085);
    });
});

describe("istio: the gateway Service", () => {
    const cases: { name: string; values: Record<string, unknown>; ports: [string, number, number][] }[] = [
        {
            name: "dev: status-port + http-dev 8000",
            values: { ingress: { port: 8000 } },
            ports: [
                ["status-port", 15021, 30085],
                ["http-dev", 8000, 30010],
            ],
        },
        {
            name: "overridden nodePorts",
            values: { ingress: { port: 8000, nodePort: 30800 }, istio: { statusNodePort: 30021 } },
            ports: [
                ["status-port", 15021, 30021],
                ["http-dev", 8000, 30800],
            ],
        },
        {
            name: "shared cluster: dev owns the gateway and serves stg and product too",
            values: {
                ingress: { port: 8000 },
                istio: {
                    extraGatewayPorts: [
                        { environment: "stg", port: 9000 },
                        { environment: "product", port: 80, nodePort: 30081 },
                    ],
                },
            },
            ports: [
                ["status-port", 15021, 30085],
                ["http-dev", 8000, 30010],
                ["http-stg", 9000, 30075],
                ["http-product", 80, 30081],
            ],
        },
    ];
    for (const c of cases) {
        it(c.name, () => {
            const cfg = parseStackConfig({ stack: "dev", region: "ap-northeast-1", values: c.values });
            const ports = gatewayServicePorts({ statusNodePort: cfg.gateway.statusNodePort, ports: cfg.gateway.ports });
            assert.deepEqual(
                ports,
                c.ports.map(([name, port, nodePort]) => ({ name, port, protocol: "TCP", targetPort: port, nodePort })),
            );
            const names = ports.map((p) => p.name);
            for (const n of names) assert.match(n, /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "IANA service name");
            for (const n of names) assert.ok(n.length <= 15, `${n}: Kubernetes port names are at most 15 characters`);
        });
    }

    it("is a NodePort Service with autoscaling, spread over zones, and a PodDisruptionBudget", () => {
        const v = gatewayValues({
            production: false,
            statusNodePort: 31181,
            ports: [{ environment: "dev", port: 8000, nodePort: 32464 }],
        });
        assert.equal(v.service.type, "NodePort");
        assert.equal(v.autoscaling.enabled, true);
        assert.ok(v.autoscaling.minReplicas >= 2, "a single gateway pod would drop traffic on every rollout");
        assert.deepEqual(v.podDisruptionBudget, { maxUnavailable: 1 });
        assert.equal(v.topologySpreadConstraints[0].topologyKey, "topology.kubernetes.io/zone");
        assert.deepEqual(v.topologySpreadConstraints[0].labelSelector.matchLabels, { istio: "ingressgateway" });
    });

    it("production runs at least three gateway replicas (one per AZ) and two istiods", () => {
        const v = gatewayValues({
            production: true,
            statusNodePort: 31181,
            ports: [{ environment: "product", port: 80, nodePort: 30080 }],
        });
        assert.ok(v.autoscaling.minReplicas >= 3);
        assert.ok(v.autoscaling.maxReplicas > v.autoscaling.minReplicas);
        assert.equal(istiodValues({ production: true }).autoscaleMin, 2);
        assert.equal(istiodValues({ production: false }).autoscaleMin, 1);
    });

    it("istiod logs Envoy access to stdout; base installs the default revision", () => {
        assert.equal(istiodValues({ production: false }).meshConfig.accessLogFile, "/dev/stdout");
        assert.deepEqual(istioBaseValues(), { defaultRevision: "default" });
    });

    it("mesh-wide mTLS is STRICT: PeerAuthentication default in istio-system", () => {
        assert.deepEqual(meshPeerAuthentication(), {
            apiVersion: "security.istio.io/v1",
            kind: "PeerAuthentication",
            metadata: { name: "default", namespace: "istio-system" },
            spec: { mtls: { mode: "STRICT" } },
        });
    });
});

describe("istio + edge under mocks (the dev stack)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram("dev", stackFileConfig(path.join(ROOT, "Pulumi.dev.yaml")));
    });
    const releases = () => run.ofType("kubernetes:helm.sh/v3:Release");
    const release = (name: string) => releases().find((r) => r.inputs.name === name)!;

    it("installs base → istiod → istio-ingressgateway, one pinned version from Istio's repository", () => {
        const [base, istiod, gateway] = ["istio-base", "istiod", "istio-ingressgateway"].map(release);
        assert.deepEqual(
            [base, istiod, gateway].map((r) => [
                r.inputs.chart,
                r.inputs.version,
                r.inputs.repositoryOpts.repo,
                r.inputs.namespace,
            ]),
            [
                ["base", "1.30.5", ISTIO.repo, "istio-system"],
                ["istiod", "1.30.5", ISTIO.repo, "istio-system"],
                ["gateway", "1.30.5", ISTIO.repo, "istio-system"],
            ],
        );
        assert.ok(
            base.dependsOn.some((d) => d.endsWith("-istio-namespace")),
            "base waits for istio-system",
        );
        // Both run pods: they wait for the node group too; the gateway's pods also wait for the
        // controller, whose webhook gives ip targets their readiness gate.
        assert.deepEqual(istiod.dependsOn, [base.name, "dev-cluster-nodes"]);
        assert.deepEqual(gateway.dependsOn, [istiod.name, "dev-cluster-nodes", "dev-alb-controller-release"]);
    });

    it("the gateway release gets this environment's port on a pinned NodePort", () => {
        assert.deepEqual(release("istio-ingressgateway").inputs.values.service.ports[1], {
            name: "http-dev",
            port: 8000,
            protocol: "TCP",
            targetPort: 8000,
            nodePort: 30010,
        });
    });

    it("Istio objects wait for istiod; the Ingress waits for the controller, the nodes and the gateway", () => {
        const istiod = release("istiod").name;
        const istioObjects = run.resources.filter((r) => /^kubernetes:(networking|security)\.istio\.io\//.test(r.type));
        assert.deepEqual(istioObjects.map((o) => o.inputs.kind).sort(), [
            "AuthorizationPolicy",
            "DestinationRule",
            "DestinationRule",
            "Gateway",
            "PeerAuthentication",
            "ServiceEntry",
            "VirtualService",
        ]);
        for (const o of istioObjects) assert.ok(o.dependsOn.includes(istiod), `${o.name} waits for istiod`);
        const ingress = run.one("kubernetes:networking.k8s.io/v1:Ingress");
        assert.deepEqual(
            new Set(ingress.dependsOn),
            new Set([
                release("aws-load-balancer-controller").name,
                "dev-cluster-nodes",
                release("istio-ingressgateway").name,
            ]),
        );
    });

    it("every Kubernetes object goes through the stack's provider", () => {
        const provider = run.one("pulumi:providers:kubernetes").name;
        const k8s = run.resources.filter((r) => r.type.startsWith("kubernetes:"));
        assert.ok(k8s.length >= 10);
        for (const r of k8s) assert.equal(r.provider, provider, `${r.type} ${r.name}`);
    });

    it("Istio objects are children of the Istio and edge components", () => {
        assert.equal(run.one("kubernetes:security.istio.io/v1:PeerAuthentication").parent, "dev-istio");
        assert.equal(run.one("kubernetes:networking.istio.io/v1:Gateway").parent, "dev-edge");
        assert.equal(run.one("kubernetes:networking.istio.io/v1:VirtualService").parent, "dev-edge");
        assert.equal(run.one("eks-istio:mesh:Istio").name, "dev-istio");
        assert.equal(run.one("eks-istio:edge:EnvironmentEdge").name, "dev-edge");
    });

    it("outputs gatewayPorts and the ALB url", () => {
        assert.deepEqual(run.outputs.gatewayPorts, [{ environment: "dev", port: 8000 }]);
        assert.match(String(run.outputs.url), /^http:\/\/k8s-istio-ingress-dev-.*\.elb\.amazonaws\.com$/);
    });
});
