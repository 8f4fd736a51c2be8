// One run reports every independent problem, each key once ("Preview is the truth" in DESIGN.md):
// a problem in one section, entry or layer never hides another's, no key is named twice, and no
// message echoes a value beyond its excerpt. The faults below are those a hostile-config review
// found (issue 22) and a few more; each names the keys it must be reported at.
import * as assert from "node:assert/strict";
import fc from "fast-check";
import { ConfigError, MAX_EXCERPT, type RawStackConfig } from "../components/config";
import { parseStackConfig } from "../components/stack";
import { checkProperty } from "./property";
import { problemLines, renderProblems } from "./problems";

const REGION = "ap-northeast-1";
const route = (host: string, extra: Record<string, unknown> = {}) => ({ ...extra, route: [{ destination: { host } }] });

/** A valid config with room for one fault per section, entry and layer. */
function baseValues(): Record<string, any> {
    return {
        ingress: { port: 8000, hosts: ["*.example.com"] },
        istio: {
            extraGatewayPorts: [
                { environment: "qa", port: 7000 },
                { environment: "stg", port: 9000 },
            ],
        },
        cluster: { minSize: 2, maxSize: 4, vpcCidr: "10.0.0.0/16" },
        observability: { tracing: { sampling: 1 } },
        apps: [
            {
                name: "shop",
                hosts: ["shop.example.com"],
                http: [{ route: [{ destination: { host: "web", subset: "v1" } }] }],
                destinationRules: [
                    { host: "web", subsets: [{ name: "v1" }, { name: "v2" }] },
                    { host: "cache", trafficPolicy: { connectionPool: { tcp: { maxConnections: 10 } } } },
                ],
            },
            {
                name: "api",
                hosts: ["api.example.com"],
                http: [route("api", { match: [{ uri: { prefix: "/a" } }] }), route("api")],
                serviceEntries: [
                    { hosts: ["ext.example.com"], ports: [{ number: 443, name: "https", protocol: "TLS" }] },
                ],
            },
            {
                name: "cart",
                hosts: ["cart.example.com"],
                http: [route("cart", { match: [{ headers: { "x-a": { exact: "1" } } }] }), route("cart")],
            },
            { name: "pay", hosts: ["pay.example.com"], http: [route("pay")] },
            { name: "mail", hosts: ["mail.example.com"], http: [route("mail")] },
        ],
    };
}

const HUGE = "x".repeat(2_000_000);

/** Independent faults: each breaks one thing, and must be reported at exactly these keys. */
const FAULTS: { name: string; keys: string[]; apply(v: Record<string, any>, raw: RawStackConfig): void }[] = [
    {
        name: "an environment that is no DNS label",
        keys: ["environment"],
        apply: (v) => (v.environment = "Dev"),
    },
    {
        name: "two extra environments named alike, neither a DNS label (the second: invalid and taken, one line)",
        keys: ["istio.extraGatewayPorts[0].environment", "istio.extraGatewayPorts[1].environment"],
        apply: (v) => (v.istio.extraGatewayPorts[0].environment = v.istio.extraGatewayPorts[1].environment = "QA"),
    },
    {
        name: "a gateway port taken twice (no derived NodePort clash besides it)",
        keys: ["istio.extraGatewayPorts[0].port"],
        apply: (v) => (v.istio.extraGatewayPorts[0].port = 8000),
    },
    {
        name: "a pinned NodePort that clashes with the one derived for ingress.port",
        keys: ["istio.extraGatewayPorts[1].nodePort"],
        apply: (v) => (v.istio.extraGatewayPorts[1].nodePort = 30010),
    },
    {
        name: "an environment of 2 MB in an extra gateway port",
        keys: ["istio.extraGatewayPorts[2].environment"],
        apply: (v) => v.istio.extraGatewayPorts.push({ environment: HUGE, port: 9100 }),
    },
    { name: "a VPC CIDR with host bits", keys: ["cluster.vpcCidr"], apply: (v) => (v.cluster.vpcCidr = "10.0.0.1/16") },
    { name: "node counts out of order", keys: ["cluster"], apply: (v) => (v.cluster.minSize = 5) },
    {
        name: "an ingress certificate that is no ARN",
        keys: ["ingress.certificateArn"],
        apply: (v) => (v.ingress.certificateArn = "arn:nope"),
    },
    {
        name: "a tracing sampling above 100",
        keys: ["observability.tracing.sampling"],
        apply: (v) => (v.observability.tracing.sampling = 200),
    },
    { name: "a misspelt top-level key", keys: ["clustr"], apply: (v) => (v.clustr = {}) },
    { name: "no region", keys: ["aws:region"], apply: (_, raw) => delete raw.region },
    {
        name: "an over-long namespace that is also a system one (one line)",
        keys: ["apps[0].namespace"],
        apply: (v) => (v.apps[0].namespace = `kube-${"n".repeat(64)}`),
    },
    {
        name: "a DestinationRule host with a label of 70 characters",
        keys: ["apps[0].destinationRules[1].host"],
        apply: (v) => (v.apps[0].destinationRules[1].host = `${"h".repeat(70)}.example.com`),
    },
    {
        name: "a subset name of 70 characters",
        keys: ["apps[0].destinationRules[0].subsets[1].name"],
        apply: (v) => (v.apps[0].destinationRules[0].subsets[1].name = "s".repeat(70)),
    },
    {
        name: "a retry timeout that is no duration",
        keys: ["apps[0].http[0].retries.perTryTimeout"],
        apply: (v) => (v.apps[0].http[0].retries = { attempts: 2, perTryTimeout: "5" }),
    },
    {
        name: "a regex Go cannot compile",
        keys: ["apps[1].http[0].match[0].uri.regex"],
        apply: (v) => (v.apps[1].http[0].match[0].uri = { regex: "(?<=x)a" }),
    },
    {
        name: "a timeout beyond Go's range",
        keys: ["apps[1].http[1].timeout"],
        apply: (v) => (v.apps[1].http[1].timeout = "3000000h"),
    },
    {
        name: "a ServiceEntry selector label with a wildcard (the API server)",
        keys: ["apps[1].serviceEntries[0].workloadSelector.labels.app"],
        apply: (v) => (v.apps[1].serviceEntries[0].workloadSelector = { labels: { app: "ext*" } }),
    },
    {
        name: "a ServiceEntry port name istiod refuses",
        keys: ["apps[1].serviceEntries[0].ports[0].name"],
        apply: (v) => (v.apps[1].serviceEntries[0].ports[0].name = "Bad_Name"),
    },
    {
        name: "a ServiceEntry address that is no IP",
        keys: ["apps[1].serviceEntries[0].addresses[0]"],
        apply: (v) => (v.apps[1].serviceEntries[0].addresses = ["300.1.1.1"]),
    },
    {
        name: "a system namespace",
        keys: ["apps[2].namespace"],
        apply: (v) => (v.apps[2].namespace = "kube-system"),
    },
    {
        name: "a header match keyed __proto__",
        keys: ["apps[2].http[0].match[0].headers.__proto__"],
        apply: (v) => (v.apps[2].http[0].match[0].headers = JSON.parse('{"__proto__":{"exact":"x"}}')),
    },
    { name: "an app name that is no DNS label", keys: ["apps[3].name"], apply: (v) => (v.apps[3].name = "Pay") },
    {
        name: "a bad timeout in the app after it (at its own index, though the app before is left out)",
        keys: ["apps[4].http[0].timeout"],
        apply: (v) => (v.apps[4].http[0].timeout = "3000000h"),
    },
];

/** The ConfigError of `faults` applied to the base config (keys without the "eks-istio:" prefix). */
function problemsOf(faults: typeof FAULTS): { keys: string[]; error: ConfigError } {
    const values = baseValues();
    const raw: RawStackConfig = { stack: "dev", region: REGION, values };
    for (const f of faults) f.apply(values, raw);
    try {
        parseStackConfig(raw);
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return { keys: e.problems.map((p) => p.path.replace(/^eks-istio:/, "")), error: e };
    }
    assert.fail(`expected a ConfigError for ${faults.map((f) => f.name).join(", ")}`);
}

/** Asserts that `faults` are reported at exactly their keys, each key once, in one ConfigError. */
function assertEachKeyOnce(faults: typeof FAULTS): ConfigError {
    const { keys, error } = problemsOf(faults);
    const expected = faults.flatMap((f) => f.keys);
    const twice = keys.filter((k, i) => keys.indexOf(k) !== i);
    assert.deepEqual(twice, [], `keys named twice:\n${renderProblems(error.problems)}`);
    assert.deepEqual([...keys].sort(), [...expected].sort(), renderProblems(error.problems));
    // The message a user reads has one line per problem.
    assert.equal(error.message.split("\n").length, error.problems.length + 1);
    return error;
}

describe("every problem at once, each key once", () => {
    it("the base config is valid", () => assert.doesNotThrow(() => parseStackConfig(baseValuesRaw())));

    it("a config with every fault of the review, and more, gets one ConfigError naming each key once", () => {
        const error = assertEachKeyOnce(FAULTS);
        const line = (key: string) => error.problems.find((p) => p.path === `eks-istio:${key}`)!.message;
        // Several reasons at one key are one line.
        assert.equal(
            line("apps[0].namespace"),
            `must be at most 63 characters, got 69; also: "kube-nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn… is a system namespace; give the app a namespace of its own`,
        );
        assert.equal(
            line("istio.extraGatewayPorts[1].environment"),
            '"QA" is not a DNS-1123 label; use lower-case letters, digits and "-", starting and ending with a letter or digit (e.g. "dev", "qa-1"); also: "QA" is already served by eks-istio:istio.extraGatewayPorts[0]',
        );
        // The 2 MB environment is shown as its excerpt, like every other value.
        assert.equal(
            line("istio.extraGatewayPorts[2].environment"),
            `"${"x".repeat(MAX_EXCERPT - 2)}… is 2000000 characters; at most 10 are allowed because the gateway Service port is named "http-${"x".repeat(MAX_EXCERPT - 7)}… and Kubernetes limits port names to 15 characters`,
        );
        assert.ok(error.message.length < 8_000, `${error.message.length} characters`);
    });

    it("any combination of the faults: each reported at its keys, each key once", async () =>
        checkProperty(
            "any combination of the faults: each reported at its keys, each key once",
            fc.property(fc.subarray(FAULTS, { minLength: 1 }), (faults) => {
                assertEachKeyOnce(faults);
            }),
            50,
            // Each fault alone is reported at its keys, without follow-on problems.
            FAULTS.map((f) => [[f]] as [typeof FAULTS]),
        ));
});

describe("what a problem hides, and what it does not", () => {
    const ok = (host: string, extra: Record<string, unknown> = {}) => route(host, extra);
    const vs = (field?: string) =>
        `the API server would refuse VirtualService a/a (${field ? `${field}, ` : ""}by the Istio CRD's schema)`;
    const cases: { name: string; values: Record<string, unknown>; expected: string[] }[] = [
        {
            // The contract stops nothing: the Gateway is built from the environment and is not
            // judged, the app's VirtualService is.
            name: "a refused environment and ingress host: the app's objects are still judged",
            values: {
                environment: "Dev",
                ingress: { port: 8000, hosts: ["a..b"] },
                apps: [{ name: "a", http: [ok("a", { timeout: "3000000h" })] }],
            },
            expected: [
                'eks-istio:environment: "Dev" is not a DNS-1123 label; use lower-case letters, digits and "-", starting and ending with a letter or digit (e.g. "dev", "qa-1")',
                'eks-istio:ingress.hosts[0]: must be "*", a DNS name such as "vote.example.com", or "*.example.com"',
                `eks-istio:apps[0].http[0].timeout: must be a valid duration greater than 1ms (duration out of range); ${vs("spec.http[0].timeout")}`,
            ],
        },
        {
            // A field left out concerns the fields next to it and what holds them, not the rest
            // of its route.
            name: "a retry timeout that is no duration, and a bad regex and timeout in the same route",
            values: {
                apps: [
                    {
                        name: "a",
                        http: [
                            ok("a", {
                                match: [{ uri: { regex: "(?<=x)a" } }],
                                retries: { attempts: 2, perTryTimeout: "5" },
                                timeout: "3000000h",
                            }),
                            ok("a"),
                        ],
                    },
                ],
            },
            expected: [
                'eks-istio:apps[0].http[0].retries.perTryTimeout: must be a duration such as "5s", "250ms" or "1m30s"',
                `eks-istio:apps[0].http[0].timeout: must be a valid duration greater than 1ms (duration out of range); ${vs("spec.http[0].timeout")}`,
                'eks-istio:apps[0].http[0].match[0].uri.regex: "uri": error parsing regexp: invalid named capture: `(?<=x)a`; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax); istiod\'s validating webhook would refuse VirtualService a/a (spec.http[0].match[0].uri.regex)',
            ],
        },
        {
            // Not "no endpoints should be provided for resolution type none": the entry's other
            // rules may read the value left out, so the cluster's rules wait for it.
            name: "a resolution the schema refuses: its ServiceEntry is left to the contract, with no follow-on",
            values: {
                apps: [
                    {
                        name: "a",
                        http: [ok("a")],
                        serviceEntries: [
                            {
                                hosts: ["api.example.com"],
                                resolution: "STATICX",
                                endpoints: [{ address: "10.0.0.1" }],
                                ports: [{ number: 443, name: "Bad_Name" }],
                            },
                        ],
                    },
                ],
            },
            expected: [
                'eks-istio:apps[0].serviceEntries[0].resolution: must be one of "NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN", "DYNAMIC_DNS"',
            ],
        },
        {
            // An entry of a map concerns its map alone.
            name: "a selector label of the wrong type: the entry's port name is still judged",
            values: {
                apps: [
                    {
                        name: "a",
                        http: [ok("a")],
                        serviceEntries: [
                            {
                                hosts: ["api.example.com"],
                                workloadSelector: { labels: { app: 5 } },
                                ports: [{ number: 443, name: "Bad_Name" }],
                            },
                        ],
                    },
                ],
            },
            expected: [
                "eks-istio:apps[0].serviceEntries[0].workloadSelector.labels.app: must be a string, got 5",
                "eks-istio:apps[0].serviceEntries[0].ports[0].name: invalid port name: Bad_Name; istiod's validating webhook would refuse ServiceEntry a/api-example-com (spec.ports[0].name)",
            ],
        },
        {
            // The object without that route has the next one first: the key is the stack file's,
            // and the place in the object is not told.
            name: "a route that is no map is left out; the routes after it keep their keys",
            values: {
                apps: [
                    {
                        name: "a",
                        http: [
                            "not a route",
                            ok("a", { match: [{ uri: { prefix: "/x" } }], timeout: "3000000h" }),
                            ok("a"),
                        ],
                    },
                ],
            },
            expected: [
                'eks-istio:apps[0].http[0]: must be an object, got "not a route"',
                `eks-istio:apps[0].http[1].timeout: must be a valid duration greater than 1ms (duration out of range); ${vs()}`,
            ],
        },
        {
            name: "two apps in one namespace: the namespace, and no collision of their DestinationRules besides it",
            values: {
                apps: ["a", "b"].map((name) => ({
                    name,
                    namespace: "x",
                    hosts: [`${name}.example.com`],
                    http: [ok("web")],
                    destinationRules: [{ host: "web" }],
                })),
            },
            expected: [
                'eks-istio:apps[1].namespace: "x" is also the namespace of apps[0]; each app owns its namespace',
            ],
        },
        {
            name: "a DestinationRule host twice: the contract's line, and no collision besides it",
            values: { apps: [{ name: "a", http: [ok("web")], destinationRules: [{ host: "web" }, { host: "web" }] }] },
            expected: [
                'eks-istio:apps[0].destinationRules[1].host: "web" already has a DestinationRule in this app; Istio applies only one rule per host, so merge them',
            ],
        },
        {
            name: "an app name twice: the contract's line, and no duplicate resource name besides it",
            values: {
                apps: ["x", "y"].map((namespace) => ({
                    name: "a",
                    namespace,
                    hosts: [`${namespace}.example.com`],
                    http: [ok("web")],
                })),
            },
            expected: ['eks-istio:apps[1].name: "a" is also the name of apps[0]; app names must be unique'],
        },
        {
            // Each one line: what is wrong at a key is said once, with every reason.
            name: "a label key and its value both refused: one line, one object named",
            values: { apps: [{ name: "a", http: [ok("a", { match: [{ sourceLabels: { "a b": "c d" } }] })] }] },
            expected: [
                `eks-istio:apps[0].http[0].match[0].sourceLabels.a b: invalid tag key: "a b"; invalid tag value: "c d"; istiod's validating webhook would refuse VirtualService a/a (spec.http[0].match[0].sourceLabels.a b)`,
            ],
        },
    ];
    for (const c of cases) it(c.name, () => assert.deepEqual(problemLines(c.values), c.expected));
});

function baseValuesRaw(): RawStackConfig {
    return { stack: "dev", region: REGION, values: baseValues() };
}
