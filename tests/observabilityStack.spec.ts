// The observability add-ons in whole stacks under Pulumi mocks: which releases are registered,
// through which provider and after what; the Istio objects that come with them; the stack with
// every add-on off registering exactly what it did before; attached stacks refusing them; and the
// offline render of the example stack files.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../components/config";
import { OBSERVABILITY } from "../components/manifests/observability";
import { policies } from "../policy/policies";
import { renderStack, type RenderResult } from "../tools/render/render";
import { type ProgramRun, registeredWithMockEngine, ROOT, runProgram, toConfigMap } from "./harness";
import { isIstioObject, istioSchemaErrors } from "./istioModels";

const RELEASE = "kubernetes:helm.sh/v3:Release";
const CERT = "arn:aws:acm:ap-northeast-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789";

/** An owner stack "dev" on port 8000 with one app, plus `extra` config keys. */
function devConfig(extra: Record<string, unknown> = {}): Record<string, string> {
    return toConfigMap({
        "aws:region": "ap-northeast-1",
        "eks-istio:ingress": { port: 8000, certificateArn: CERT },
        "eks-istio:apps": [
            {
                name: "web",
                http: [{ match: [{ uri: { prefix: "/web" } }], route: [{ destination: { host: "web" } }] }],
            },
        ],
        ...extra,
    });
}

const ADDON_RELEASES = Object.values(OBSERVABILITY).map((c) => c.release);

describe("observability under mocks: every add-on on, Kiali exposed", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(
            "dev",
            devConfig({
                "eks-istio:observability": {
                    prometheus: true,
                    grafana: true,
                    tracing: { sampling: 5 },
                    kiali: { expose: { hosts: ["kiali.example.com"], allowedIpBlocks: ["203.0.113.0/24"] } },
                },
            }),
        );
    });
    const release = (name: string) => run.ofType(RELEASE).find((r) => r.inputs.name === name)!;

    it("one component eks-istio:observability:Observability, parent of everything it makes", () => {
        const component = run.one("eks-istio:observability:Observability", "dev-observability");
        assert.equal(component.parent, undefined);
        const children = run.resources.filter((r) => r.parent === "dev-observability").map((r) => r.name);
        assert.deepEqual(children.sort(), [
            "dev-observability-grafana",
            "dev-observability-kiali",
            "dev-observability-kiali-allow-list",
            "dev-observability-kiali-route",
            "dev-observability-namespace",
            "dev-observability-prometheus",
            "dev-observability-telemetry",
            "dev-observability-tracing",
        ]);
    });

    it("four pinned releases from their repositories, in the observability namespace", () => {
        const table = Object.values(OBSERVABILITY).map((c) => {
            const r = release(c.release);
            assert.ok(r, `release ${c.release}`);
            return [r.inputs.chart, r.inputs.version, r.inputs.repositoryOpts.repo, r.inputs.namespace];
        });
        assert.deepEqual(table, [
            ["prometheus", "27.46.0", "https://prometheus-community.github.io/helm-charts", "observability"],
            ["kiali-server", "2.31.0", "https://kiali.org/helm-charts", "observability"],
            ["grafana", "11.1.6", "https://grafana-community.github.io/helm-charts", "observability"],
            ["jaeger", "4.4.8", "https://jaegertracing.github.io/helm-charts", "observability"],
        ]);
    });

    it("every add-on release goes through the stack's provider, after istiod and its namespace", () => {
        for (const name of ADDON_RELEASES) {
            const r = release(name);
            assert.equal(r.provider, "dev-cluster-k8s", name);
            assert.ok(r.dependsOn.includes("dev-istio-istiod"), `${name} waits for istiod`);
            assert.ok(r.dependsOn.includes("dev-observability-namespace"), `${name} waits for its namespace`);
        }
        assert.equal(
            run.one("kubernetes:core/v1:Namespace", "dev-observability-namespace").provider,
            "dev-cluster-k8s",
        );
    });

    it("Grafana after Prometheus; Kiali after Prometheus, Grafana and Jaeger, whose addresses it is given", () => {
        assert.ok(release("grafana").dependsOn.includes("dev-observability-prometheus"));
        const kiali = release("kiali").dependsOn;
        for (const d of ["dev-observability-prometheus", "dev-observability-grafana", "dev-observability-tracing"])
            assert.ok(kiali.includes(d), d);
        const es = release("kiali").inputs.values.external_services;
        assert.equal(es.prometheus.url, "http://prometheus.observability:9090");
        assert.equal(es.grafana.internal_url, "http://grafana.observability:3000");
        assert.equal(es.tracing.internal_url, "http://jaeger.observability:16685");
    });

    it("istiod sends spans to Jaeger and trusts the ALB's X-Forwarded-For; the Telemetry sets 5%", () => {
        const mc = release("istiod").inputs.values.meshConfig;
        assert.deepEqual(mc.extensionProviders, [
            { name: "jaeger", opentelemetry: { service: "jaeger.observability.svc.cluster.local", port: 4317 } },
        ]);
        assert.deepEqual(mc.defaultConfig, { gatewayTopology: { numTrustedProxies: 1 } });
        const telemetry = run.one("kubernetes:telemetry.istio.io/v1:Telemetry");
        assert.equal(telemetry.inputs.spec.tracing[0].randomSamplingPercentage, 5);
        assert.equal(telemetry.provider, "dev-cluster-k8s");
        assert.deepEqual(telemetry.dependsOn.sort(), ["dev-istio-istiod", "dev-observability-tracing"]);
    });

    it("Kiali's route exists only after its allow list, and both go through the stack's provider", () => {
        const route = run.one("kubernetes:networking.istio.io/v1:VirtualService", "dev-observability-kiali-route");
        const allow = run.one(
            "kubernetes:security.istio.io/v1:AuthorizationPolicy",
            "dev-observability-kiali-allow-list",
        );
        assert.ok(route.dependsOn.includes("dev-observability-kiali-allow-list"));
        assert.ok(route.dependsOn.includes("dev-observability-kiali"));
        assert.ok(allow.dependsOn.includes("dev-istio-istiod"));
        assert.deepEqual([route.provider, allow.provider], ["dev-cluster-k8s", "dev-cluster-k8s"]);
        assert.deepEqual(route.inputs.spec.gateways, ["istio-system/dev-gateway"]);
    });

    it("every Istio object the stack registers passes Istio's CRD schema", async () => {
        const objects = run.resources.map((r) => r.inputs).filter(isIstioObject);
        assert.ok(objects.some((o) => o.kind === "Telemetry"));
        for (const o of objects) assert.deepEqual(await istioSchemaErrors(o), [], `${o.kind} ${JSON.stringify(o)}`);
    });

    it("the policy pack reports nothing", () => {
        const reported = run.resources.flatMap((r) =>
            policies.flatMap((p) =>
                p
                    .check({
                        type: r.type,
                        name: r.name,
                        props: r.inputs,
                        provider: r.provider
                            ? { type: "pulumi:providers:kubernetes", name: r.provider, urn: "", props: {} }
                            : undefined,
                    })
                    .map((m) => `${p.name}: ${m}`),
            ),
        );
        assert.deepEqual(reported, []);
    });
});

describe("observability under mocks: Kiali alone, in istio-system", () => {
    let run: ProgramRun;
    before(async () => {
        run = await runProgram(
            "dev",
            devConfig({ "eks-istio:observability": { namespace: "istio-system", kiali: true } }),
        );
    });

    it("brings Prometheus along, and creates no namespace (the Istio component owns istio-system)", () => {
        const addons = run.ofType(RELEASE).filter((r) => r.parent === "dev-observability");
        assert.deepEqual(addons.map((r) => [r.inputs.name, r.inputs.namespace]).sort(), [
            ["kiali", "istio-system"],
            ["prometheus", "istio-system"],
        ]);
        assert.equal(run.resources.filter((r) => r.name === "dev-observability-namespace").length, 0);
        for (const r of addons) assert.ok(r.dependsOn.includes("dev-istio-istiod"), r.name);
    });

    it("no Telemetry, no route, and istiod's meshConfig untouched", () => {
        assert.equal(run.ofType("kubernetes:telemetry.istio.io/v1:Telemetry").length, 0);
        assert.equal(run.ofType("kubernetes:security.istio.io/v1:AuthorizationPolicy").length, 0);
        const mc = run.ofType(RELEASE).find((r) => r.inputs.name === "istiod")!.inputs.values.meshConfig;
        assert.deepEqual(Object.keys(mc).sort(), ["accessLogFile", "enablePrometheusMerge", "outboundTrafficPolicy"]);
    });
});

describe("observability under mocks: all off registers exactly what a stack without the section does", () => {
    it("same resources, same inputs, same options", async () => {
        // Inputs as plain data: a resource passed by reference (the node group's cluster) as its name.
        const plain = (x: unknown) =>
            JSON.parse(JSON.stringify(x, (_k, v) => (pulumi.Resource.isInstance(v) ? `<${(v as any).__name}>` : v)));
        const strip = (run: ProgramRun) =>
            run.resources.map(({ type, name, inputs, parent, provider, dependsOn, protect }) => ({
                type,
                name,
                inputs: plain(inputs),
                parent,
                provider,
                dependsOn,
                protect,
            }));
        const without = strip(await runProgram("dev", devConfig()));
        const allOff = strip(
            await runProgram(
                "dev",
                devConfig({
                    "eks-istio:observability": {
                        namespace: "istio-system",
                        prometheus: false,
                        kiali: false,
                        grafana: false,
                        tracing: false,
                    },
                }),
            ),
        );
        assert.deepEqual(allOff, without);
        assert.equal(without.filter((r) => r.type.startsWith("eks-istio:observability")).length, 0);
    });
});

describe("observability under mocks: an attached stack refuses the add-ons", () => {
    it("fails before creating anything, naming eks-istio:observability", async () => {
        const config = toConfigMap({
            "aws:region": "ap-northeast-1",
            "eks-istio:cluster": { stackReference: "organization/eks-istio/product" },
            "eks-istio:ingress": { port: 8000 },
            "eks-istio:observability": { kiali: true },
        });
        await assert.rejects(runProgram("dev", config, {}), (e: unknown) => {
            assert.ok(e instanceof ConfigError);
            assert.deepEqual(
                e.problems.map((p) => p.path),
                ["eks-istio:observability"],
            );
            assert.match(e.message, /installed by the owner stack/);
            return true;
        });
        assert.deepEqual(await registeredWithMockEngine(), []);
    });
});

describe("observability in the offline render (examples/observability)", () => {
    let dev: RenderResult;
    before(async () => {
        dev = await renderStack(path.join(ROOT, "examples", "observability", "Pulumi.dev.yaml"));
    });
    const file = (p: string) => {
        const f = dev.files.find((x) => x.path === p);
        assert.ok(f, `${p} is rendered; got ${dev.files.map((x) => x.path).join(", ")}`);
        return f.content;
    };

    it("renders each add-on's values and lists its release, waiting for istiod", () => {
        for (const name of ADDON_RELEASES) file(`helm/${name}.values.yaml`);
        const releases = file("helm/releases.yaml");
        for (const name of ADDON_RELEASES)
            assert.match(releases, new RegExp(`- name: ${name}\\n  namespace: observability\\n`), name);
        assert.equal(
            releases.match(/- istiod\n/g)?.length,
            1 + ADDON_RELEASES.length,
            "the gateway and the four add-ons",
        );
    });

    it("renders the Telemetry, Kiali's route and its allow list", () => {
        assert.match(file("kubernetes/Telemetry.yaml"), /name: mesh-default\n {2}namespace: istio-system/);
        assert.match(file("kubernetes/Telemetry.yaml"), /randomSamplingPercentage: 25/);
        assert.match(file("kubernetes/AuthorizationPolicy.yaml"), /action: DENY/);
        assert.match(file("kubernetes/VirtualService.yaml"), /- kiali\.dev\.example\.com/);
        assert.match(file("plan.txt"), /eks-istio:observability:Observability {2}dev-observability/);
    });

    it("warns about nothing but its placeholder certificate, and its ALB open to every address (a dev stack)", () =>
        assert.deepEqual(
            dev.warnings.map((w) => w.split(":")[0] + ":" + w.split(":")[1]),
            ["eks-istio:ingress.certificateArn", "eks-istio:ingress.allowedCidrs"],
        ));
});
