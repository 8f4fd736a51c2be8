// Every Istio object the program can produce must pass the vendored Istio CRD (schema and CEL) and
// istiod's webhook rules: those of every stack file, and those of configs generated at random
// (property-based), so that no config the validator accepts can produce an object the cluster
// would refuse, and no config it refuses registers anything.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import fc from "fast-check";
import { ConfigError, defaultNodePort, rawConfigFromMap, STATUS_PORT, type StackConfig } from "../components/config";
import { parseStackConfig } from "../components/stack";
import { ingressManifest } from "../components/manifests/edge";
import { generatedIstioObjects } from "../components/validation";
import { registeredWithMockEngine, ROOT, runProgram, runStackFile, stackFileConfig, toConfigMap } from "./harness";
import { isIstioObject, istioSchemaErrors } from "./istioModels";
import { checkProperty } from "./property";

const stackFiles = fs.readdirSync(ROOT).filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f));
const exampleFiles = fs
    .readdirSync(path.join(ROOT, "examples"), { recursive: true })
    .map(String)
    .filter((f) => /(^|\/)Pulumi\.[^.]+\.yaml$/.test(f))
    .map((f) => path.join(ROOT, "examples", f));

function istioObjects(cfg: StackConfig) {
    return generatedIstioObjects(cfg).map((g) => g.object);
}

const objectKey = (o: { kind: string; metadata?: { namespace?: string; name?: string } }) =>
    `${o.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name ?? ""}`;

describe("Istio objects of every stack file pass Istio's CRD schemas", () => {
    it("there are stack files to check", () => assert.ok(stackFiles.length >= 3, stackFiles.join(", ")));
    for (const file of stackFiles) {
        const stack = file.split(".")[1];
        it(`${file}: every Istio custom resource the program registers is schema-valid`, async () => {
            const run = await runProgram(stack, stackFileConfig(path.join(ROOT, file)));
            const objects = run.resources.map((r) => r.inputs).filter(isIstioObject);
            assert.ok(objects.length >= 3, "PeerAuthentication, Gateway and at least one VirtualService");
            for (const o of objects) assert.deepEqual(await istioSchemaErrors(o), [], `${o.kind} ${JSON.stringify(o)}`);
        });
    }

    it("the schema check is not vacuous: a wrong object is reported", async () => {
        const bad = {
            apiVersion: "networking.istio.io/v1",
            kind: "VirtualService",
            metadata: { name: "x" },
            spec: { hosts: ["*"], http: [{ route: [{ destination: { host: "a" }, weight: "fifty" }] }] },
        };
        assert.deepEqual(await istioSchemaErrors(bad), [
            'spec.http[0].route[0].weight must be of type integer, got string "fifty"',
        ]);
    });

    // The validator checks the objects of generatedIstioObjects(); this is what keeps that list
    // honest: it must be exactly the Istio objects the program registers, for every stack file.
    for (const file of [...stackFiles.map((f) => path.join(ROOT, f)), ...exampleFiles]) {
        const name = path.relative(ROOT, file);
        it(`${name}: the validated objects are exactly the Istio objects the program registers`, async () => {
            const run = await runStackFile(file);
            const istioResources = run.resources.filter((r) => isIstioObject(r.inputs));
            const registered = istioResources.map((r) => r.inputs as { apiVersion: string; kind: string });
            const stack = path.basename(file).split(".")[1];
            const cfg = parseStackConfig(rawConfigFromMap(stack, stackFileConfig(file)));
            const validated = istioObjects(cfg);
            assert.deepEqual(registered.map(objectKey).sort(), validated.map(objectKey).sort());
            // ... under the Pulumi resource names the collision check assumes.
            assert.deepEqual(
                istioResources.map((r) => r.name).sort(),
                generatedIstioObjects(cfg)
                    .map((g) => g.resourceName)
                    .sort(),
            );
            for (const o of validated) {
                const twin = registered.find((r) => objectKey(r) === objectKey(o));
                assert.deepEqual(JSON.parse(JSON.stringify(twin)), JSON.parse(JSON.stringify(o)), objectKey(o));
            }
        });
    }
});

// ---- generated configs ----------------------------------------------------------------------

const label = fc.stringMatching(/^[a-z][a-z0-9]{0,5}$/);
const environment = fc.stringMatching(/^[a-z][a-z0-9-]{0,8}[a-z0-9]$/).filter((e) => !e.includes("--"));
/** Any port a user may give an environment: outside Istio's reserved range. */
const anyPort = fc.integer({ min: 1, max: 65535 }).filter((p) => p < 15000 || p > 15099);
/**
 * A valid ingress.port: also one whose derived NodePort is not the status port's (that config is
 * rightly refused: "is also the nodePort of eks-istio:istio.statusNodePort").
 */
const port = anyPort.filter((p) => defaultNodePort(p) !== defaultNodePort(STATUS_PORT));
const path_ = fc.stringMatching(/^\/[a-z0-9-]{1,12}$/);
const stringMatch = fc.oneof(
    path_.map((p) => ({ exact: p })),
    path_.map((p) => ({ prefix: p })),
    path_.map((p) => ({ regex: `^${p}(/.*)?$` })),
);
const duration = fc
    .tuple(fc.integer({ min: 1, max: 600 }), fc.constantFrom("ms", "s", "m"))
    .map(([n, u]) => `${n}${u}`);
// istiod refuses percentages between 0 and 0.0001 (exclusive).
const percentage = fc
    .oneof(fc.constant(0), fc.double({ min: 0.0001, max: 100, noNaN: true }))
    .map((value) => ({ value }));
const destination = fc.record(
    { host: label, port: fc.integer({ min: 1, max: 65535 }).map((number) => ({ number })) },
    { requiredKeys: ["host"] },
);
const weights = (n: number) =>
    fc.array(fc.integer({ min: 0, max: 100 }), { minLength: n - 1, maxLength: n - 1 }).map((cuts) => {
        const sorted = [0, ...cuts.sort((a, b) => a - b), 100];
        return sorted.slice(1).map((c, i) => c - sorted[i]);
    });
const routeDestinations = fc
    .integer({ min: 1, max: 3 })
    .chain((n) =>
        fc
            .tuple(fc.array(destination, { minLength: n, maxLength: n }), weights(n))
            .map(([ds, ws]) => ds.map((d, i) => (n === 1 ? { destination: d } : { destination: d, weight: ws[i] }))),
    );
const match = fc.record(
    {
        uri: stringMatch,
        headers: fc.dictionary(fc.stringMatching(/^x-[a-z]{1,8}$/), stringMatch, { maxKeys: 2 }),
        method: fc.constantFrom("GET", "POST").map((exact) => ({ exact })),
        ignoreUriCase: fc.boolean(),
    },
    { requiredKeys: ["uri"] },
);
const action = fc.oneof(
    { weight: 6, arbitrary: routeDestinations.map((route) => ({ route })) },
    { weight: 1, arbitrary: path_.map((uri) => ({ redirect: { uri, redirectCode: 301 } })) },
    {
        weight: 1,
        arbitrary: fc
            .integer({ min: 200, max: 599 })
            .map((status) => ({ directResponse: { status, body: { string: "ok" } } })),
    },
);
const extras = fc.record(
    {
        timeout: duration,
        retries: fc.record({
            // attempts 0 with a retry policy is refused by istiod ("retry policy configured when attempts are set to 0").
            attempts: fc.integer({ min: 1, max: 5 }),
            perTryTimeout: duration,
            retryOn: fc.constant("5xx,reset"),
        }),
        // istiod refuses a fault with neither an abort nor a delay.
        fault: fc
            .record(
                {
                    delay: fc.record({ fixedDelay: duration, percentage }),
                    abort: fc.record({ httpStatus: fc.integer({ min: 400, max: 599 }), percentage }),
                },
                { requiredKeys: [] },
            )
            .filter((f) => Object.keys(f).length > 0),
        headers: fc.record({
            request: fc.record({ set: fc.dictionary(fc.stringMatching(/^x-[a-z]{1,8}$/), label, { maxKeys: 2 }) }),
        }),
    },
    { requiredKeys: [] },
);
const httpRoute = fc
    .tuple(fc.array(match, { minLength: 1, maxLength: 3 }), action, extras, fc.option(label, { nil: undefined }))
    .map(([m, a, e, name]) => ({ ...(name ? { name } : {}), match: m, ...a, ...("route" in a ? e : {}) }));
const trafficPolicy = fc
    .record(
        {
            loadBalancer: fc.constantFrom("ROUND_ROBIN", "LEAST_REQUEST", "RANDOM").map((simple) => ({ simple })),
            connectionPool: fc.record({
                tcp: fc.record({ maxConnections: fc.nat(1000), connectTimeout: duration }, { requiredKeys: [] }),
                http: fc.record(
                    { http1MaxPendingRequests: fc.nat(1000), maxRequestsPerConnection: fc.nat(100) },
                    { requiredKeys: [] },
                ),
            }),
            outlierDetection: fc.record(
                {
                    consecutive5xxErrors: fc.nat(20),
                    interval: duration,
                    baseEjectionTime: duration,
                    maxEjectionPercent: fc.integer({ min: 0, max: 100 }),
                },
                { requiredKeys: [] },
            ),
            tls: fc.constantFrom("ISTIO_MUTUAL", "SIMPLE", "DISABLE").map((mode) => ({ mode })),
        },
        { requiredKeys: [] },
        // istiod refuses an empty trafficPolicy ("traffic policy must have at least one field").
    )
    .filter((tp) => Object.keys(tp).length > 0);
const destinationRules = fc.uniqueArray(label, { maxLength: 2 }).chain((hosts) =>
    fc.tuple(
        ...hosts.map((host) =>
            fc.record(
                {
                    host: fc.constant(host),
                    subsets: fc
                        .uniqueArray(label, { minLength: 1, maxLength: 3 })
                        .map((names) => names.map((name) => ({ name, labels: { version: name } }))),
                    trafficPolicy,
                },
                { requiredKeys: ["host"] },
            ),
        ),
    ),
);
const rule = fc.record(
    {
        from: fc.array(
            fc.record({ source: fc.record({ namespaces: fc.array(label, { minLength: 1, maxLength: 2 }) }) }),
            { minLength: 1, maxLength: 2 },
        ),
        to: fc.array(
            fc.record({
                operation: fc.record({
                    methods: fc.constant(["GET"]),
                    paths: fc.array(path_, { minLength: 1, maxLength: 2 }),
                }),
            }),
            { minLength: 1, maxLength: 2 },
        ),
    },
    { requiredKeys: ["from"] },
);
const serviceEntries = fc.uniqueArray(label, { maxLength: 2 }).map((hosts) =>
    hosts.map((h) => ({
        hosts: [`${h}.example.com`],
        ports: [{ number: 443, name: "https", protocol: "TLS" }],
        resolution: "DNS",
        location: "MESH_EXTERNAL",
    })),
);
// Routes may send to a subset only if a DestinationRule defines it, as the config requires.
const app = fc
    .tuple(
        destinationRules,
        fc.array(httpRoute, { minLength: 1, maxLength: 4 }),
        fc.array(rule, { maxLength: 2 }),
        serviceEntries,
    )
    .chain(([drs, http, authorization, ses]) => {
        const subsets = drs.flatMap((dr) => (dr.subsets ?? []).map((s) => ({ host: dr.host, subset: s.name })));
        const pick = subsets.length
            ? fc.array(fc.option(fc.constantFrom(...subsets), { nil: undefined }), { minLength: 3, maxLength: 3 })
            : fc.constant([]);
        return pick.map((picks) => ({
            http: http.map((r) =>
                "route" in r && r.route
                    ? {
                          ...r,
                          route: r.route.map((d, i) =>
                              picks[i]
                                  ? {
                                        ...d,
                                        destination: {
                                            ...d.destination,
                                            host: picks[i]!.host,
                                            subset: picks[i]!.subset,
                                        },
                                    }
                                  : d,
                          ),
                      }
                    : r,
            ),
            ...(drs.length ? { destinationRules: drs } : {}),
            ...(authorization.length ? { authorization } : {}),
            ...(ses.length ? { serviceEntries: ses } : {}),
        }));
    });
const stackValues = fc
    .tuple(
        environment,
        port,
        fc.uniqueArray(label, { minLength: 1, maxLength: 3 }),
        fc.array(app, { minLength: 3, maxLength: 3 }),
    )
    .map(([env, p, names, apps]) => ({
        environment: env,
        ingress: { port: p },
        apps: names.map((name, i) => ({ name, ...apps[i] })),
    }));

describe("generated configs (property-based)", () => {
    const ACCEPTED = "every generated valid config is accepted, and all its Istio objects pass the CRD schema";
    it(ACCEPTED, async () => {
        await checkProperty(
            ACCEPTED,
            fc.asyncProperty(stackValues, async (values) => {
                // Accepting a config is passing every Istio object it yields through the CRD schema,
                // its CEL rules and istiod's rules (generatedObjectProblems, inside parseStackConfig):
                // a refusal of a valid config fails here with the refusal's message. Checking the
                // objects again here would run the same validator on the same objects.
                const cfg = parseStackConfig({ stack: "gen", region: "ap-northeast-1", values });
                assert.deepEqual(
                    cfg.apps.map((a) => a.name),
                    values.apps.map((a) => a.name),
                    "every app is kept, in order",
                );
                const ing = ingressManifest(cfg);
                assert.ok(ing.metadata.name.length <= 63);
                assert.ok(ing.metadata.annotations["alb.ingress.kubernetes.io/load-balancer-name"].length <= 32);
                assert.ok(`http-${cfg.environment}`.length <= 15);
            }),
            80,
        );
    });

    const ARBITRARY = "arbitrary input never gets past the validator into an invalid object, and never crashes it";
    it(ARBITRARY, async () => {
        const anyRoute = fc.oneof(
            httpRoute,
            fc.anything(),
            fc.dictionary(fc.constantFrom("match", "route", "weight", "timeout", "redirect"), fc.anything()),
        );
        const values = fc.record({
            environment: fc.oneof(environment, fc.string()),
            ingress: fc.oneof(fc.record({ port: fc.oneof(anyPort, fc.integer(), fc.string()) }), fc.anything()),
            apps: fc.array(
                fc.record({ name: fc.oneof(label, fc.string()), http: fc.array(anyRoute, { maxLength: 3 }) }),
                { maxLength: 2 },
            ),
        });
        let accepted = 0;
        await checkProperty(
            ARBITRARY,
            fc.asyncProperty(values, async (v) => {
                let cfg: StackConfig;
                try {
                    cfg = parseStackConfig({ stack: "gen", region: "ap-northeast-1", values: v });
                } catch (e) {
                    if (!(e instanceof ConfigError)) throw e;
                    assert.ok(e.problems.length > 0 && e.problems.every((p) => p.path.startsWith("eks-istio:")));
                    return;
                }
                accepted++;
                for (const o of istioObjects(cfg)) assert.deepEqual(await istioSchemaErrors(o), [], JSON.stringify(o));
            }),
            300,
            // Random input is rarely valid: one valid config is always among the inputs, so the
            // schema side is exercised whatever the seed.
            [
                [
                    {
                        environment: "qa",
                        ingress: { port: 7000 },
                        apps: [{ name: "a", http: [{ route: [{ destination: { host: "a" } }] }] }],
                    },
                ],
            ],
        );
        // A replay (FC_PATH) runs only the failing input.
        if (!process.env.FC_PATH) assert.ok(accepted > 0, "a valid input reached the schema check");
    });

    it("a config refused at any layer (contract, CRD, webhook, hostile keys) registers nothing", async () => {
        // One breakage per layer, applied to an otherwise valid generated config.
        const breakages: { layer: string; apply(v: any): void }[] = [
            { layer: "contract", apply: (v) => (v.ingress.port = 15021) },
            { layer: "CRD CEL", apply: (v) => (v.apps[0].http[0].timeout = "3000000h") },
            {
                layer: "webhook RE2",
                apply: (v) => (v.apps[0].http[0].match = [{ uri: { regex: "^/(?!admin)" } }]),
            },
            {
                layer: "hostile key",
                apply: (v) => (v.apps[0].http[0].match = JSON.parse('[{"headers":{"__proto__":{"exact":"x"}}}]')),
            },
        ];
        await fc.assert(
            fc.asyncProperty(stackValues, fc.nat(breakages.length - 1), async (values, b) => {
                const v = JSON.parse(JSON.stringify(values));
                breakages[b].apply(v);
                const config = toConfigMap({
                    "aws:region": "ap-northeast-1",
                    ...Object.fromEntries(Object.entries(v).map(([k, x]) => [`eks-istio:${k}`, x])),
                });
                await assert.rejects(runProgram("gen", config), (e) => e instanceof ConfigError, breakages[b].layer);
                assert.deepEqual(await registeredWithMockEngine(), [], breakages[b].layer);
            }),
            { numRuns: 12 },
        );
    });
});
