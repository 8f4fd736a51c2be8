// Istio's Helm values: every key exists in the chart's values.yaml (a misspelt key is silently
// ignored by Helm and the default deploys), and the gateway values pass the chart's own JSON schema,
// which Helm enforces at install time.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv from "ajv";
import { type StackConfig } from "../components/config";
import { parseStackConfig } from "../components/stack";
import { gatewayValues, istioBaseValues, istiodValues } from "../components/manifests/istio";
import { helmKeyProblems } from "./helmKeys";
import { ROOT } from "./harness";

const chart = (name: string) => path.join(ROOT, "tests/fixtures/charts", name);
const schema = JSON.parse(fs.readFileSync(chart("istio-gateway-1.30.3.values.schema.json"), "utf8"));
const validateGateway = new Ajv({ strict: false, allErrors: true, validateSchema: false }).compile(schema);

const configs: Record<string, StackConfig> = {
    dev: parseStackConfig({ stack: "dev", region: "ap-northeast-1", values: { ingress: { port: 8000 } } }),
    product: parseStackConfig({
        stack: "product",
        region: "ap-northeast-1",
        values: { ingress: { port: 80, allowPlainHttpInProduction: true } },
    }),
    "shared owner": parseStackConfig({
        stack: "dev",
        region: "ap-northeast-1",
        values: {
            ingress: { port: 8000 },
            istio: {
                outboundTrafficPolicy: "REGISTRY_ONLY",
                extraGatewayPorts: [
                    { environment: "stg", port: 9000 },
                    { environment: "product", port: 80 },
                ],
            },
        },
    }),
};

describe("istio: Helm values keys exist in the charts (Istio 1.30.3)", () => {
    for (const [name, cfg] of Object.entries(configs)) {
        const gw = gatewayValues({
            production: cfg.production,
            statusNodePort: cfg.gateway.statusNodePort,
            ports: cfg.gateway.ports,
        });
        it(`${name}: base`, () =>
            assert.deepEqual(helmKeyProblems(istioBaseValues(), chart("istio-base-1.30.3.values.yaml")), []));
        it(`${name}: istiod (meshConfig is Istio's MeshConfig, free-form in the chart)`, () =>
            assert.deepEqual(
                helmKeyProblems(
                    istiodValues(
                        cfg.istio
                            ? { production: cfg.production, outboundTrafficPolicy: cfg.istio.outboundTrafficPolicy }
                            : cfg,
                    ),
                    chart("istio-istiod-1.30.3.values.yaml"),
                    // pdb.maxUnavailable is documented in a comment of the chart's values.yaml.
                    { freeForm: ["meshConfig"], documented: ["pdb.maxUnavailable"] },
                ),
                [],
            ));
        it(`${name}: gateway`, () =>
            // podAnnotations is the pods' annotation map; the chart ships it with sample entries.
            assert.deepEqual(
                helmKeyProblems(gw, chart("istio-gateway-1.30.3.values.yaml"), { freeForm: ["podAnnotations"] }),
                [],
            ));
        it(`${name}: gateway values pass the chart's values.schema.json`, () => {
            assert.equal(validateGateway(gw), true, JSON.stringify(validateGateway.errors));
        });
    }

    it("the key check is not vacuous: a misspelt gateway key is reported", () => {
        assert.deepEqual(
            helmKeyProblems({ autoscaling: { minReplica: 2 } }, chart("istio-gateway-1.30.3.values.yaml")),
            ["autoscaling.minReplica"],
        );
    });

    it("the schema check is not vacuous: a wrong type is refused as Helm would", () => {
        assert.equal(validateGateway({ autoscaling: { minReplicas: "two" } }), false);
        assert.equal(validateGateway({ replicas: 2 }), false, "unknown top-level keys are refused by the chart schema");
    });
});
