// components/stack.ts composes the layers: the contract (config/) first, then what the API server
// and istiod would refuse of the objects the config produces (validation/ over manifests/), as one
// ConfigError. config/ alone never builds an object: it stands below what it configures.
import * as assert from "node:assert/strict";
import { ConfigError, parseContract, type RawStackConfig } from "../components/config";
import { parseStackConfig } from "../components/stack";

const REGION = "ap-northeast-1";
const route = { route: [{ destination: { host: "web" } }] };
// A timeout the contract accepts (a duration) but Go cannot hold: the CRD's CEL rule refuses it.
const raw = (values: Record<string, unknown>, secretKeys?: string[]): RawStackConfig => ({
    stack: "dev",
    region: REGION,
    values: { ingress: { port: 8000 }, ...values },
    ...(secretKeys ? { secretKeys } : {}),
});
const outOfRange = { apps: [{ name: "shop", http: [{ ...route, timeout: "3000000h" }] }] };

function problemsOf(run: () => unknown): string[] {
    try {
        run();
    } catch (e) {
        if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: ${p.message}`);
        throw e;
    }
    return [];
}

describe("stack: contract → generated objects → validation → ConfigError", () => {
    it("the contract alone accepts a config whose VirtualService the API server would refuse", () => {
        const config = parseContract(raw(outOfRange));
        assert.equal(config.apps[0].http[0].timeout, "3000000h");
    });

    it("parseStackConfig refuses it at the config key behind the field, with the API server's reason", () =>
        assert.deepEqual(
            problemsOf(() => parseStackConfig(raw(outOfRange))),
            [
                "eks-istio:apps[0].http[0].timeout: must be a valid duration greater than 1ms (duration out of range); the API server would refuse VirtualService shop/shop (spec.http[0].timeout, by the Istio CRD's schema)",
            ],
        ));

    it("a config that breaks the contract still gets the refusals of the objects that do not depend on the broken value", () =>
        // The Gateway is built from ingress.port and is not judged; the app's VirtualService is.
        assert.deepEqual(
            problemsOf(() => parseStackConfig(raw({ ...outOfRange, ingress: { port: 15021 } }))),
            [
                "eks-istio:ingress.port: 15021 is in Istio's reserved range 15000-15099 (15021 is the gateway's status port); pick another port such as 8000",
                "eks-istio:apps[0].http[0].timeout: must be a valid duration greater than 1ms (duration out of range); the API server would refuse VirtualService shop/shop (spec.http[0].timeout, by the Istio CRD's schema)",
            ],
        ));

    it("a refusal of a generated object never prints a secret value", () => {
        const regex = "(?<=hunter2)b";
        const apps = [{ name: "shop", http: [{ match: [{ headers: { "x-user": { regex } } }], ...route }] }];
        const [line, ...rest] = problemsOf(() => parseStackConfig(raw({ apps }, ["apps"])));
        assert.deepEqual(rest, []);
        assert.ok(!line.includes("hunter2"), line);
        assert.match(
            line,
            /^eks-istio:apps\[0\]\.http\[0\]\.match\[0\]\.headers\.x-user\.regex: .*invalid named capture: `\[secret\]`/,
        );
    });

    it("the warnings of a config that passes are those of the contract, in its order", () => {
        const values = { ...raw({}).values, cluster: { publicAccessCidrs: ["203.0.113.0/24"] } };
        assert.deepEqual(parseStackConfig(raw(values)).warnings, parseContract(raw(values)).warnings);
        assert.deepEqual(
            parseStackConfig(raw(values)).warnings.map((w) => w.path),
            ["eks-istio:cluster.publicAccessCidrs", "eks-istio:ingress.allowedCidrs"],
        );
    });
});
