// The traffic path holds together across objects: ALB Ingress → gateway Service port → Gateway
// server → VirtualService. Checked for every config the validator accepts (generated), for every
// stack file the project ships (whole program under mocks), and for one config none of them has.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import fc from "fast-check";
import { ConfigError, defaultNodePort, rawConfigFromMap, type StackConfig } from "../components/config";
import { parseStackConfig } from "../components/stack";
import { gatewayManifest, ingressManifest, virtualServiceManifest } from "../components/manifests/edge";
import { gatewayValues } from "../components/manifests/istio";
import { findStackFiles } from "../tools/render/render";
import { ROOT, runProgram, runStackFile, stackFileConfig, toConfigMap, type ProgramRun } from "./harness";
import { checkProperty, effectiveNodePorts, gatewayConfigs } from "./property";

interface ServicePort {
    name: string;
    port: number;
    nodePort?: number;
}
/** The objects on the traffic path, as the cluster receives them (only the fields the path uses). */
interface PathObjects {
    /** Name and ports of the gateway Service (from the gateway chart's values). */
    service: { name: string; ports: ServicePort[] };
    ingresses: { metadata: { name: string }; spec: any }[];
    gateways: { metadata: { name: string; namespace: string }; spec: any }[];
    virtualServices: { metadata: { name: string; namespace: string }; spec: any }[];
}

/** Every break in the path between objects, one line each; [] when traffic can flow end to end. */
function pathProblems(o: PathObjects): string[] {
    const out: string[] = [];
    const byNumber = new Map(o.service.ports.map((p) => [p.port, p]));
    for (const ing of o.ingresses)
        for (const rule of ing.spec.rules ?? [])
            for (const p of rule.http?.paths ?? []) {
                const backend = p.backend?.service;
                if (backend?.name !== o.service.name)
                    out.push(`Ingress ${ing.metadata.name}: backend Service ${backend?.name} is not ${o.service.name}`);
                else if (!byNumber.has(backend.port?.number))
                    out.push(`Ingress ${ing.metadata.name}: port ${backend.port?.number} is not a port of the Service`);
            }
    for (const gw of o.gateways)
        for (const server of gw.spec.servers ?? []) {
            const svc = byNumber.get(server.port.number);
            if (!svc) out.push(`Gateway ${gw.metadata.name}: port ${server.port.number} is not a port of the Service`);
            else if (svc.name !== server.port.name)
                out.push(
                    `Gateway ${gw.metadata.name}: port ${server.port.number} is named ${server.port.name}, the Service's ${svc.name}`,
                );
        }
    const gateways = new Set(o.gateways.map((g) => `${g.metadata.namespace}/${g.metadata.name}`));
    for (const vs of o.virtualServices)
        for (const g of vs.spec.gateways ?? [])
            if (!gateways.has(g))
                out.push(`VirtualService ${vs.metadata.namespace}/${vs.metadata.name}: no Gateway ${g}`);
    const seen = new Map<number, string>();
    for (const p of o.service.ports) {
        if (p.nodePort === undefined) {
            out.push(`Service port ${p.name}: no pinned nodePort`);
            continue;
        }
        if (seen.has(p.nodePort))
            out.push(`Service ports ${seen.get(p.nodePort)} and ${p.name}: nodePort ${p.nodePort}`);
        seen.set(p.nodePort, p.name);
    }
    return out;
}

/** The path's objects as the pure manifest functions build them for a parsed config. */
function objectsOf(cfg: StackConfig): PathObjects {
    return {
        service: {
            name: "istio-ingressgateway",
            ports: gatewayValues({
                production: cfg.production,
                statusNodePort: cfg.gateway.statusNodePort,
                ports: cfg.gateway.ports,
            }).service.ports,
        },
        ingresses: [ingressManifest(cfg)],
        gateways: [gatewayManifest(cfg)],
        virtualServices: cfg.apps.map((a) => virtualServiceManifest(cfg, a)),
    };
}

/** The path's objects a program run registered; `owner` supplies the Service for an attached stack. */
function registered(run: ProgramRun, owner: ProgramRun = run): PathObjects {
    const release = owner.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === "istio-ingressgateway");
    assert.ok(release, "the owner stack installs the gateway");
    return {
        service: { name: release.inputs.name, ports: release.inputs.values.service.ports },
        ingresses: run.ofType("kubernetes:networking.k8s.io/v1:Ingress").map((r) => r.inputs as any),
        gateways: run.ofType("kubernetes:networking.istio.io/v1:Gateway").map((r) => r.inputs as any),
        virtualServices: run.ofType("kubernetes:networking.istio.io/v1:VirtualService").map((r) => r.inputs as any),
    };
}

describe("traffic path: the consistency check itself", () => {
    it("reports each kind of break, naming the objects", () => {
        assert.deepEqual(
            pathProblems({
                service: {
                    name: "istio-ingressgateway",
                    ports: [
                        { name: "status-port", port: 15021, nodePort: 30021 },
                        { name: "http-dev", port: 8000, nodePort: 30021 },
                        { name: "http-qa", port: 7000 },
                    ],
                },
                ingresses: [
                    {
                        metadata: { name: "istio-ingress-dev" },
                        spec: {
                            rules: [
                                {
                                    http: {
                                        paths: [
                                            {
                                                backend: {
                                                    service: { name: "istio-ingressgateway", port: { number: 8001 } },
                                                },
                                            },
                                            { backend: { service: { name: "other", port: { number: 8000 } } } },
                                        ],
                                    },
                                },
                            ],
                        },
                    },
                ],
                gateways: [
                    {
                        metadata: { name: "dev-gateway", namespace: "istio-system" },
                        spec: {
                            servers: [
                                { port: { number: 8000, name: "http-stg" } },
                                { port: { number: 9000, name: "http-stg" } },
                            ],
                        },
                    },
                ],
                virtualServices: [
                    { metadata: { name: "web", namespace: "web" }, spec: { gateways: ["istio-system/stg-gateway"] } },
                    { metadata: { name: "api", namespace: "api" }, spec: { gateways: ["istio-system/dev-gateway"] } },
                ],
            }),
            [
                "Ingress istio-ingress-dev: port 8001 is not a port of the Service",
                "Ingress istio-ingress-dev: backend Service other is not istio-ingressgateway",
                "Gateway dev-gateway: port 8000 is named http-stg, the Service's http-dev",
                "Gateway dev-gateway: port 9000 is not a port of the Service",
                "VirtualService web/web: no Gateway istio-system/stg-gateway",
                "Service ports status-port and http-dev: nodePort 30021",
                "Service port http-qa: no pinned nodePort",
            ],
        );
    });
});

// ---- generated configs ----------------------------------------------------------------------

describe("traffic path: every generated config", () => {
    const TITLE =
        "is accepted exactly when its NodePorts are distinct, and then Ingress, Service, Gateway and VirtualServices connect";
    it(TITLE, async () => {
        let accepted = 0;
        let refused = 0;
        await checkProperty(
            TITLE,
            fc.property(gatewayConfigs, (values) => {
                const effective = effectiveNodePorts(values);
                const distinct = new Set(effective).size === effective.length;
                let cfg: StackConfig;
                try {
                    cfg = parseStackConfig({ stack: "gen", region: "ap-northeast-1", values });
                } catch (e) {
                    if (!(e instanceof ConfigError)) throw e;
                    refused++;
                    assert.equal(distinct, false, `refused although its NodePorts are distinct:\n${e.message}`);
                    for (const p of e.problems) {
                        assert.match(
                            p.path,
                            /^eks-istio:(ingress\.nodePort|istio\.extraGatewayPorts\[\d\]\.nodePort)$/,
                        );
                        assert.match(p.message, /is also the nodePort of eks-istio:/);
                    }
                    return;
                }
                accepted++;
                assert.equal(distinct, true, `accepted with NodePorts ${effective.join(", ")}`);
                assert.deepEqual(pathProblems(objectsOf(cfg)), []);
                assert.deepEqual(
                    objectsOf(cfg).service.ports.map((p) => p.nodePort),
                    effective,
                    "each Service port gets the NodePort pinned for it, or the one derived from its port",
                );
            }),
            200,
            [
                // A collision on a pinned NodePort and a config without any pin: both sides every run.
                [
                    {
                        environment: "dev",
                        ingress: { port: 8000, nodePort: 30001, hosts: ["*"] },
                        istio: {
                            statusNodePort: 30001,
                            extraGatewayPorts: [],
                        },
                        apps: [
                            {
                                name: "a",
                                http: [{ match: [{ uri: { prefix: "/a" } }], route: [{ destination: { host: "a" } }] }],
                            },
                        ],
                    },
                ],
                [
                    {
                        environment: "dev",
                        ingress: { port: 8000, hosts: ["*"] },
                        istio: { extraGatewayPorts: [{ environment: "stg", port: 9000 }] },
                        apps: [
                            {
                                name: "a",
                                http: [{ match: [{ uri: { prefix: "/a" } }], route: [{ destination: { host: "a" } }] }],
                            },
                        ],
                    },
                ],
            ] as never,
        );
        if (!process.env.FC_PATH) assert.ok(accepted > 0 && refused > 0, `accepted ${accepted}, refused ${refused}`);
    });
});

// ---- whole programs -------------------------------------------------------------------------

describe("traffic path: every stack file the project ships", () => {
    for (const file of findStackFiles()) {
        const label = path.relative(ROOT, file);
        it(`${label}: Ingress, gateway Service, Gateway and VirtualServices connect`, async () => {
            const run = await runStackFile(file);
            // An attached stack's Ingress points at the owner's Service (its stack file beside it).
            const cluster = rawConfigFromMap("", stackFileConfig(file)).values.cluster as
                { stackReference?: string } | undefined;
            const ref = cluster?.stackReference;
            const owner = ref
                ? await runStackFile(path.join(path.dirname(file), `Pulumi.${ref.split("/").pop()}.yaml`))
                : run;
            const objects = registered(run, owner);
            assert.equal(objects.ingresses.length, 1, "one ALB per environment");
            assert.equal(objects.gateways.length, 1, "one Gateway per environment");
            assert.ok(objects.virtualServices.length >= 1);
            assert.deepEqual(pathProblems(objects), []);
        });
    }
});

describe("traffic path: a config no stack file has (shared gateway, pinned NodePorts, egress allow-list)", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(
            "qa",
            toConfigMap({
                "aws:region": "eu-west-1",
                "eks-istio:ingress": { port: 7000, nodePort: 30070, hosts: ["qa.example.com", "*.qa.example.com"] },
                "eks-istio:istio": {
                    outboundTrafficPolicy: "REGISTRY_ONLY",
                    statusNodePort: 30021,
                    extraGatewayPorts: [
                        { environment: "uat", port: 7100 },
                        { environment: "demo", port: 443, nodePort: 30043 },
                    ],
                },
                "eks-istio:apps": [
                    {
                        name: "shop",
                        hosts: ["shop.qa.example.com"],
                        http: [{ route: [{ destination: { host: "shop" } }] }],
                        serviceEntries: [
                            {
                                hosts: ["payments.example.net"],
                                ports: [{ number: 443, name: "https", protocol: "TLS" }],
                                resolution: "DNS",
                                location: "MESH_EXTERNAL",
                            },
                        ],
                    },
                    { name: "docs", hosts: ["qa.example.com"], http: [{ route: [{ destination: { host: "docs" } }] }] },
                ],
            }),
        );
    });

    it("REGISTRY_ONLY reaches istiod: sidecars may call only the mesh and the ServiceEntries", () => {
        const istiod = run.ofType("kubernetes:helm.sh/v3:Release").find((r) => r.inputs.name === "istiod")!;
        assert.deepEqual(istiod.inputs.values.meshConfig.outboundTrafficPolicy, { mode: "REGISTRY_ONLY" });
        assert.deepEqual(
            run.ofType("kubernetes:networking.istio.io/v1:ServiceEntry").map((r) => r.inputs.spec.hosts),
            [["payments.example.net"]],
        );
    });

    it("the Service serves every environment, with the pinned NodePorts where set", () => {
        const { service } = registered(run);
        assert.deepEqual(
            service.ports.map((p) => [p.name, p.port]),
            [
                ["status-port", 15021],
                ["http-qa", 7000],
                ["http-uat", 7100],
                ["http-demo", 443],
            ],
        );
        const pinned = Object.fromEntries(service.ports.map((p) => [p.name, p.nodePort]));
        assert.equal(pinned["status-port"], 30021);
        assert.equal(pinned["http-qa"], 30070);
        assert.equal(pinned["http-demo"], 30043);
        assert.equal(pinned["http-uat"], defaultNodePort(7100), "derived from its port when not pinned");
    });

    it("Ingress, Service, Gateway and both VirtualServices connect", () => {
        const objects = registered(run);
        assert.deepEqual(
            objects.virtualServices.map((v) => [v.metadata.name, v.spec.gateways]),
            [
                ["shop", ["istio-system/qa-gateway"]],
                ["docs", ["istio-system/qa-gateway"]],
            ],
        );
        assert.deepEqual(pathProblems(objects), []);
    });
});
