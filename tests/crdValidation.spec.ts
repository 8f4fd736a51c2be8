// The second layer of "Preview is the truth": every generated Istio object is validated against the
// vendored Istio CRD file (structural schema and every CEL rule) before anything is registered, and
// a refusal is reported at the config key that produced the field.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { celProgram, goParseUrl } from "../components/validation/cel";
import { parseStackConfig } from "../components/stack";
import { generatedIstioObjects, type FieldPath } from "../components/validation";
import { crdFileFor, crdIssues, ISTIO_CRD_FILE } from "../components/validation/crd";
import { compactCrds } from "../tools/crds/compactCrds";
import { loadCompactCrds, sha256, VENDOR_DIR, vendoredSources, type Schema } from "../components/validation/vendorData";
import { problemLines } from "./problems";

const route = [{ route: [{ destination: { host: "web" } }] }];
const app = (extra: Record<string, unknown>) => ({ apps: [{ name: "shop", http: route, ...extra }] });

// Byte for byte what `npm run vendor:crds` writes for the derivation (a diff of 200 KB of JSON
// would say less than the command to run).
function assertWrittenBy(compactFile: string, derived: unknown): void {
    const written = fs.readFileSync(path.join(VENDOR_DIR, compactFile), "utf8");
    assert.ok(
        written === `${JSON.stringify(derived)}\n`,
        `${compactFile} is not what the vendored YAML yields: run npm run vendor:crds`,
    );
}

describe("vendored Istio CRDs: a lock file, like package-lock.json", () => {
    const sources = vendoredSources();

    it("the CRD file is istio/istio's crd-all.gen.yaml at tag 1.30.3, with its sha256", () => {
        assert.deepEqual(sources[ISTIO_CRD_FILE], {
            repo: "istio/istio",
            path: "manifests/charts/base/files/crd-all.gen.yaml",
            ref: "tag 1.30.3",
            commit: "56df41f63e513f834c9a3af33d8aed82d1d961f2",
            size: 871394,
            sha256: "dcb43ff6b9af2f629b80b6a82597f5a91db259c757e66cc5353ac007da28351a",
            compact: "istio-1.30.3.crds.json",
        });
        assert.equal(sha256(path.join(VENDOR_DIR, ISTIO_CRD_FILE)), sources[ISTIO_CRD_FILE].sha256);
    });

    it("the compact JSON the program reads is exactly what the vendored YAML yields (npm run vendor:crds)", () => {
        const s = sources[ISTIO_CRD_FILE];
        const derived = compactCrds(
            fs.readFileSync(path.join(VENDOR_DIR, ISTIO_CRD_FILE), "utf8"),
            `${s.repo} ${s.path} (${s.ref})`,
            s.sha256,
        );
        assertWrittenBy(s.compact, derived);
    });

    it("Istio 1.31's CRD file (for canary revisions), from release-1.31 at the 1.31.0 release, with its sha256", () => {
        const file = "istio-1.31.crd-all.gen.yaml";
        assert.equal(sources[file].sha256, "c0ad59e008658765412badb836e73a523a355e3d792a32ad3c0711a728be5aff");
        assert.equal(sources[file].commit, "a8d7012191ebf42bacd48fa72b32a05828e4c564");
        assert.equal(sha256(path.join(VENDOR_DIR, file)), sources[file].sha256);
        const s = sources[file];
        const derived = compactCrds(
            fs.readFileSync(path.join(VENDOR_DIR, file), "utf8"),
            `${s.repo} ${s.path} (${s.ref})`,
            s.sha256,
        );
        assertWrittenBy(s.compact, derived);
    });

    it("the compact form: served versions of CRDs only, descriptions and examples dropped, fields kept whatever their name", () => {
        const yaml = [
            "---", // an empty document
            "---",
            "apiVersion: v1",
            "kind: Service",
            "metadata: { name: not-a-crd }",
            "spec: { ports: [] }",
            "---",
            "apiVersion: apiextensions.k8s.io/v1",
            "kind: CustomResourceDefinition",
            "metadata: { name: widgets.example.io }",
            "spec:",
            "  group: example.io",
            "  names: { kind: Widget }",
            "  versions:",
            "    - name: v1",
            "      served: true",
            "      schema:",
            "        openAPIV3Schema:",
            "          description: A widget.",
            "          type: object",
            "          properties:",
            "            spec:",
            "              type: object",
            "              example: { description: x }",
            "              properties:",
            "                description: { type: string, description: The field called description. }",
            "                example: { type: integer, example: 3 }",
            "                items: { type: array, items: { type: string, description: One. } }",
            "    - name: v1alpha1",
            "      served: false",
            "      schema: { openAPIV3Schema: { type: object } }",
        ].join("\n");
        assert.deepEqual(compactCrds(yaml, "example", "abc"), {
            source: "example",
            sha256: "abc",
            schemas: {
                "example.io/v1/Widget": {
                    type: "object",
                    properties: {
                        spec: {
                            type: "object",
                            properties: {
                                description: { type: "string" },
                                example: { type: "integer" },
                                items: { type: "array", items: { type: "string" } },
                            },
                        },
                    },
                },
            },
        });
    });

    it("a CRD file that is not vendored is named as such", () =>
        assert.throws(() => loadCompactCrds("istio-1.29.crd-all.gen.yaml"), {
            message: `no vendored CRD file istio-1.29.crd-all.gen.yaml in ${VENDOR_DIR}/SOURCES.json`,
        }));

    it("a vendored file is read once per process", () =>
        assert.equal(loadCompactCrds(ISTIO_CRD_FILE), loadCompactCrds(ISTIO_CRD_FILE)));

    it("each Istio version is validated against its minor's CRDs", () => {
        assert.equal(crdFileFor("1.30.3"), "istio-1.30.3.crd-all.gen.yaml");
        assert.equal(crdFileFor("1.30.5"), "istio-1.30.3.crd-all.gen.yaml");
        assert.equal(crdFileFor("1.31.1"), "istio-1.31.crd-all.gen.yaml");
        // A field 1.31 added (http2KeepAlive) is unknown to 1.30's API server.
        const dr = {
            apiVersion: "networking.istio.io/v1",
            kind: "DestinationRule",
            metadata: { name: "web" },
            spec: { host: "web", trafficPolicy: { connectionPool: { http: { http2KeepAlive: { interval: "10s" } } } } },
        };
        assert.deepEqual(crdIssues(dr, crdFileFor("1.31.1")), []);
        assert.deepEqual(crdIssues(dr, crdFileFor("1.30.5")), [
            {
                path: ["spec", "trafficPolicy", "connectionPool", "http", "http2KeepAlive"],
                message: "is not a field of this object (the API server would drop it)",
            },
        ]);
    });

    it("carries all 362 CEL rules of the file (398 in 1.31's), and every one compiles in the validator's CEL environment", () => {
        const rules: string[] = [];
        const walk = (s: Schema | undefined) => {
            if (!s || typeof s !== "object") return;
            for (const r of s["x-kubernetes-validations"] ?? []) rules.push(r.rule);
            Object.values(s.properties ?? {}).forEach(walk);
            walk(s.items);
            if (typeof s.additionalProperties === "object") walk(s.additionalProperties);
            [...(s.oneOf ?? []), ...(s.anyOf ?? []), ...(s.allOf ?? [])].forEach(walk);
        };
        Object.values(loadCompactCrds(ISTIO_CRD_FILE).schemas).forEach(walk);
        assert.equal(rules.length, 362);
        assert.equal(new Set(rules).size, 36);
        const in131 = rules.length;
        Object.values(loadCompactCrds("istio-1.31.crd-all.gen.yaml").schemas).forEach(walk);
        assert.equal(rules.length - in131, 398);
        for (const r of new Set(rules)) assert.doesNotThrow(() => celProgram(r), r);
    });
});

describe("the CRD's schema and CEL rules, reported at the config key", () => {
    const cases: { name: string; values: Record<string, unknown>; expected: string[] }[] = [
        {
            name: "a duration beyond Go's range (CEL duration() fails: int64 nanoseconds)",
            values: app({ http: [{ ...route[0], timeout: "3000000h" }] }),
            expected: [
                "eks-istio:apps[0].http[0].timeout: must be a valid duration greater than 1ms (duration out of range); the API server would refuse VirtualService shop/shop (spec.http[0].timeout, by the Istio CRD's schema)",
            ],
        },
        {
            // Both control planes' CRD files refuse them: each refusal once, each at its own field.
            name: "durations beyond Go's range with two control planes (istio.revisions)",
            values: {
                istio: { revisions: ["1.30.5", "1.31.1"] },
                ...app({
                    http: [
                        { ...route[0], match: [{ uri: { prefix: "/a" } }], timeout: "3000000h" },
                        { ...route[0], timeout: "4000000h" },
                    ],
                }),
            },
            expected: [
                "eks-istio:apps[0].http[0].timeout: must be a valid duration greater than 1ms (duration out of range); the API server would refuse VirtualService shop/shop (spec.http[0].timeout, by the Istio CRD's schema)",
                "eks-istio:apps[0].http[1].timeout: must be a valid duration greater than 1ms (duration out of range); the API server would refuse VirtualService shop/shop (spec.http[1].timeout, by the Istio CRD's schema)",
            ],
        },
        {
            name: "a DestinationRule duration beyond Go's range",
            values: app({
                destinationRules: [
                    { host: "web", trafficPolicy: { outlierDetection: { baseEjectionTime: "9999999999s" } } },
                ],
            }),
            expected: [
                "eks-istio:apps[0].destinationRules[0].trafficPolicy.outlierDetection.baseEjectionTime: must be a valid duration greater than 1ms (duration out of range); the API server would refuse DestinationRule shop/web (spec.trafficPolicy.outlierDetection.baseEjectionTime, by the Istio CRD's schema)",
            ],
        },
        {
            name: "ServiceEntry endpoint port names (CEL)",
            values: app({
                serviceEntries: [
                    {
                        hosts: ["db.example.com"],
                        resolution: "STATIC",
                        endpoints: [{ address: "10.0.0.1", ports: { my_port: 5432 } }],
                    },
                ],
            }),
            expected: [
                "eks-istio:apps[0].serviceEntries[0].endpoints[0].ports: port name must be valid; the API server would refuse ServiceEntry shop/db-example-com (spec.endpoints[0].ports, by the Istio CRD's schema)",
            ],
        },
        {
            name: "ServiceEntry endpoint: a unix socket that is a directory (CEL)",
            values: app({
                serviceEntries: [
                    { hosts: ["db.example.com"], resolution: "STATIC", endpoints: [{ address: "unix:///var/run/" }] },
                ],
            }),
            expected: [
                "eks-istio:apps[0].serviceEntries[0].endpoints[0].address: UDS may not be a dir; the API server would refuse ServiceEntry shop/db-example-com (spec.endpoints[0].address, by the Istio CRD's schema)",
            ],
        },
        {
            name: "workloadSelector label values with a wildcard (CEL)",
            values: app({ destinationRules: [{ host: "web", workloadSelector: { matchLabels: { app: "web*" } } }] }),
            expected: [
                "eks-istio:apps[0].destinationRules[0].workloadSelector.matchLabels.app: wildcard not allowed in label value match; the API server would refuse DestinationRule shop/web (spec.workloadSelector.matchLabels.app, by the Istio CRD's schema)",
            ],
        },
        {
            name: "authorization: serviceAccounts with namespaces (CEL), reported at the config's own rule index",
            values: app({ authorization: [{ from: [{ source: { serviceAccounts: ["a"], namespaces: ["b"] } }] }] }),
            expected: [
                "eks-istio:apps[0].authorization[0].from[0].source: Cannot set serviceAccounts with namespaces or principals; the API server would refuse AuthorizationPolicy shop/shop (spec.rules[1].from[0].source, by the Istio CRD's schema)",
            ],
        },
        {
            name: "an int32 field given more than an int32 holds",
            values: app({
                destinationRules: [
                    { host: "web", trafficPolicy: { connectionPool: { tcp: { maxConnections: 3000000000 } } } },
                ],
            }),
            expected: [
                "eks-istio:apps[0].destinationRules[0].trafficPolicy.connectionPool.tcp.maxConnections: 3000000000 does not fit in an int32; the API server would refuse DestinationRule shop/web (spec.trafficPolicy.connectionPool.tcp.maxConnections, by the Istio CRD's schema)",
            ],
        },
    ];
    for (const c of cases) it(c.name, () => assert.deepEqual(problemLines(c.values), c.expected));
});

describe("the way back from a field of a generated object to its config key", () => {
    const objects = (values: Record<string, unknown>) =>
        generatedIstioObjects(parseStackConfig({ stack: "dev", region: "ap-northeast-1", values: values as never }));
    // Built inside the tests (not at load), so that mutation testing credits them per test.
    const everything = () =>
        objects({
            ingress: { port: 8000, hosts: ["a.example.com", "kiali.example.com"] },
            observability: {
                kiali: {
                    expose: {
                        hosts: ["kiali.example.com"],
                        allowedIpBlocks: ["203.0.113.0/24"],
                        allowedSourceNamespaces: ["monitoring"],
                    },
                },
            },
            apps: [
                {
                    name: "shop",
                    hosts: ["a.example.com"],
                    http: route,
                    allowIngressGateway: true,
                    authorization: [{ from: [{ source: { namespaces: ["x"] } }] }],
                    destinationRules: [{ host: "web" }],
                    serviceEntries: [
                        {
                            hosts: ["db.example.com"],
                            resolution: "DNS",
                            ports: [{ number: 443, name: "https", protocol: "TLS" }],
                        },
                    ],
                },
            ],
        });
    const tracing = () => objects({ ingress: { port: 8000 }, observability: { tracing: { sampling: 5 } }, apps: [] });

    it("each object, its Pulumi resource name and the config entry that produced it", () => {
        assert.deepEqual(
            everything().map((g) => [`${g.object.kind} ${g.object.metadata.name}`, g.resourceName, g.key]),
            [
                ["PeerAuthentication default", "dev-istio-mtls", "istio"],
                ["Gateway dev-gateway", "dev-edge-gateway", "ingress"],
                ["VirtualService shop", "dev-edge-shop-vs", "apps[0]"],
                ["DestinationRule web", "dev-edge-shop-dr-web", "apps[0].destinationRules[0]"],
                ["ServiceEntry db-example-com", "dev-edge-shop-se-db-example-com", "apps[0].serviceEntries[0]"],
                ["AuthorizationPolicy shop", "dev-edge-shop-authz", "apps[0].authorization"],
                [
                    "AuthorizationPolicy dev-kiali-allow-list",
                    "dev-observability-kiali-allow-list",
                    "observability.kiali.expose",
                ],
                ["VirtualService kiali", "dev-observability-kiali-route", "observability.kiali.expose"],
            ],
        );
        assert.deepEqual(
            tracing().map((g) => [`${g.object.kind} ${g.object.metadata.name}`, g.resourceName, g.key]),
            [
                ["PeerAuthentication default", "dev-istio-mtls", "istio"],
                ["Gateway dev-gateway", "dev-edge-gateway", "ingress"],
                ["Telemetry mesh-default", "dev-observability-telemetry", "observability.tracing"],
            ],
        );
    });

    const cases: [resourceName: string, path: FieldPath, key: string][] = [
        ["dev-istio-mtls", ["spec", "mtls", "mode"], "istio"],
        ["dev-edge-gateway", ["spec", "servers", 0, "port", "number"], "ingress.port"],
        ["dev-edge-gateway", ["spec", "servers", 0, "port", "name"], "environment"],
        ["dev-edge-gateway", ["spec", "servers", 0, "hosts", 1], "ingress.hosts[1]"],
        ["dev-edge-gateway", ["spec", "servers", 0, "port", "protocol"], "ingress"],
        ["dev-edge-gateway", ["spec", "selector", "istio"], "ingress"],
        ["dev-edge-shop-vs", ["spec", "hosts", 0], "apps[0].hosts[0]"],
        ["dev-edge-shop-vs", ["spec", "http", 0, "route", 0, "weight"], "apps[0].http[0].route[0].weight"],
        ["dev-edge-shop-vs", ["spec", "gateways", 0], "apps[0]"],
        ["dev-edge-shop-dr-web", ["spec", "trafficPolicy", "tls"], "apps[0].destinationRules[0].trafficPolicy.tls"],
        ["dev-edge-shop-dr-web", ["metadata", "name"], "apps[0]"],
        ["dev-edge-shop-se-db-example-com", ["spec", "ports", 0, "name"], "apps[0].serviceEntries[0].ports[0].name"],
        // Rule 0 is the gateway's own (allowIngressGateway): config rule i is spec.rules[i + 1].
        ["dev-edge-shop-authz", ["spec", "rules", 1, "from", 0], "apps[0].authorization[0].from[0]"],
        ["dev-edge-shop-authz", ["spec", "rules", 0, "from", 0], "apps[0].authorization"],
        ["dev-edge-shop-authz", ["spec", "rules"], "apps[0].authorization"],
        ["dev-edge-shop-authz", ["spec", "action"], "apps[0].authorization"],
        [
            "dev-observability-kiali-allow-list",
            ["spec", "rules", 0, "from", 0, "source", "notRemoteIpBlocks", 0],
            "observability.kiali.expose.allowedIpBlocks",
        ],
        [
            "dev-observability-kiali-allow-list",
            ["spec", "rules", 0, "from", 1, "source", "notNamespaces", 0],
            "observability.kiali.expose.allowedSourceNamespaces",
        ],
        [
            "dev-observability-kiali-allow-list",
            ["spec", "rules", 0, "to", 0, "operation", "paths", 1],
            "observability.kiali.expose.path",
        ],
        ["dev-observability-kiali-allow-list", ["spec", "action"], "observability.kiali.expose"],
        ["dev-observability-kiali-route", ["spec", "hosts", 0], "observability.kiali.expose.hosts[0]"],
        ["dev-observability-kiali-route", ["spec", "http", 0, "match", 1, "uri"], "observability.kiali.expose.path"],
        ["dev-observability-kiali-route", ["spec", "http", 0, "route"], "observability.kiali.expose"],
        [
            "dev-observability-telemetry",
            ["spec", "tracing", 0, "randomSamplingPercentage"],
            "observability.tracing.sampling",
        ],
    ];
    // One test per object (one config parse each): the suite stays fast.
    for (const resourceName of new Set(cases.map((c) => c[0])))
        it(`${resourceName}: each field's config key`, () => {
            const all = resourceName.endsWith("-telemetry") ? tracing() : everything();
            const g = all.find((o) => o.resourceName === resourceName)!;
            const mine = cases.filter((c) => c[0] === resourceName);
            assert.deepEqual(
                mine.map(([, at]) => [at.join("."), g.configKey(at)]),
                mine.map(([, at, key]) => [at.join("."), key]),
            );
        });
});

describe("the structural schema (direct)", () => {
    const vs = (spec: Record<string, unknown>) => ({
        apiVersion: "networking.istio.io/v1",
        kind: "VirtualService",
        metadata: { name: "x" },
        spec,
    });
    const cases: { name: string; spec: Record<string, unknown>; expected: string[] }[] = [
        {
            name: "a wrong type",
            spec: { hosts: ["*"], http: [{ route: [{ destination: { host: "a" }, weight: "fifty" }] }] },
            expected: ['spec.http[0].route[0].weight: must be of type integer, got string "fifty"'],
        },
        {
            name: "an unknown field (the API server would prune it)",
            spec: { hosts: ["*"], http: [{ route: [{ destination: { host: "a" } }], weigth: 5 }] },
            expected: ["spec.http[0].weigth: is not a field of this object (the API server would drop it)"],
        },
        {
            name: "a missing required field",
            spec: { hosts: ["*"], http: [{ route: [{ weight: 5 }] }] },
            expected: ["spec.http[0].route[0].destination: is required"],
        },
        {
            name: "oneOf: a StringMatch with two kinds",
            spec: {
                hosts: ["*"],
                http: [{ match: [{ uri: { exact: "/a", prefix: "/b" } }], route: [{ destination: { host: "a" } }] }],
            },
            expected: [
                "spec.http[0].match[0].uri: must validate one and only one schema (oneOf); found 2 valid alternatives",
            ],
        },
    ];
    const text = (i: { path: (string | number)[]; message: string }) =>
        `${i.path.map((p, n) => (typeof p === "number" ? `[${p}]` : n ? `.${p}` : p)).join("")}: ${i.message}`;
    for (const c of cases) it(c.name, () => assert.deepEqual(crdIssues(vs(c.spec)).map(text), c.expected));

    it("list-map keys: two ServiceEntry ports with one number", () => {
        const se = {
            apiVersion: "networking.istio.io/v1",
            kind: "ServiceEntry",
            metadata: { name: "x" },
            spec: {
                hosts: ["a.example.com"],
                ports: [
                    { number: 443, name: "https" },
                    { number: 443, name: "tls" },
                ],
            },
        };
        assert.deepEqual(crdIssues(se).map(text), ["spec.ports: port number cannot be duplicated"]);
    });
});

describe("Kubernetes' CEL URL library (urls.go), on a port of Go's net/url", () => {
    const isURL = (s: string) => celProgram("isURL(self)")(s);
    const table: [string, boolean][] = [
        ["https://example.com/jwks", true],
        ["oci://ghcr.io/org/plugin:1.0", true],
        ["/just/a/path", true],
        ["*", true],
        ["example.com/path", false], // ParseRequestURI: no scheme and not absolute
        ["", false],
        ["http://exa mple.com", false], // space in host
        ["http://example.com:80a", false], // bad port
        [":nope", false], // missing protocol scheme
        ["http://example.com/%zz", false], // bad escape
    ];
    for (const [s, want] of table) it(`isURL(${JSON.stringify(s)}) is ${want}`, () => assert.equal(isURL(s), want));

    it("url().getScheme/getHostname/getPort/getEscapedPath", () => {
        const r = celProgram(
            'url(self).getScheme() + "|" + url(self).getHostname() + "|" + url(self).getPort() + "|" + url(self).getEscapedPath()',
        )("HTTPS://[::1]:8443/a/b#frag");
        assert.equal(r, "https|::1|8443|/a/b");
    });

    it("url() of something that is not a URL is an evaluation error with Go's message", () => {
        const r = celProgram("url(self).getScheme()")("not a url");
        assert.ok(r instanceof Error);
        assert.equal(
            r.message,
            'URL parse error during conversion from string: parse "not a url": invalid URI for request',
        );
    });

    it("Go's Parse (not ParseRequestURI) allows a relative reference, but not a colon in the first segment", () => {
        assert.equal(goParseUrl("a/b", false).path, "a/b");
        assert.equal(goParseUrl("a:b/c", false).opaque, "b/c");
        assert.throws(() => goParseUrl("1a:b", false), /first path segment in URL cannot contain colon/);
    });
});
