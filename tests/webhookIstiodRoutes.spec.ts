// istiod 1.30.3's route and ServiceEntry rules that Istio's own tests showed missing or wrong (issue
// 22): retries without attempts, mirror percentages, gateway names, delegates, JWT claims off a
// gateway, SNI hosts, TLS and TCP routes, DYNAMIC_DNS, protocols; and the API server's required spec.
// One table per rule, fed straight to webhookIssues (or crdIssues): the path and the message the
// cluster gives; the Go function is named in each describe, as components/validation/webhook/ cites it.
import * as assert from "node:assert/strict";
import { crdIssues, fieldPathText } from "../components/validation/crd";
import { webhookIssues } from "../components/validation/webhook";

const issues = (kind: string, spec: unknown, metadata: Record<string, unknown> = { name: "x", namespace: "shop" }) =>
    webhookIssues({ kind, metadata, spec }).map((i) => `${fieldPathText(i.path)}: ${i.message}`);
const table = <T>(cases: [string, T, string[]][], run: (input: T) => string[]) => {
    for (const [name, input, expected] of cases) it(name, () => assert.deepEqual(run(input), expected));
};
const to = [{ destination: { host: "web" } }];
/** A route of a VirtualService bound to a Gateway, as the program's are. */
const route = (r: Record<string, unknown>) =>
    issues("VirtualService", { hosts: ["web"], gateways: ["istio-system/dev-gateway"], http: [{ route: to, ...r }] });

describe("istiod: validateHTTPRetry without attempts, validateHTTPRoute's mirror percentages", () => {
    table<Record<string, unknown>>(
        [
            ["attempts alone", { retries: { attempts: 3, perTryTimeout: "2s" } }, []],
            ["an empty policy disables retries", { retries: {} }, []],
            ["attempts 0 alone", { retries: { attempts: 0 } }, []],
            ...[{ perTryTimeout: "2s" }, { retryOn: "5xx" }, { retryRemoteLocalities: false }].map(
                (r): [string, Record<string, unknown>, string[]] => [
                    `no attempts (0 to istiod) with ${Object.keys(r)[0]}`,
                    { retries: r },
                    ["spec.http[0].retries: http retry policy configured when attempts are set to 0 (disabled)"],
                ],
            ),
            [
                "mirrorPercentage 0 and 100",
                { mirror: { host: "web" }, mirrorPercentage: { value: 100 }, mirrors: undefined },
                [],
            ],
            [
                "mirrorPercentage 101",
                { mirror: { host: "web" }, mirrorPercentage: { value: 101 } },
                [
                    "spec.http[0].mirrorPercentage.value: mirror_percentage must have a max value of 100 (it has 101.000000)",
                ],
            ],
            [
                "mirrorPercentage -0.5",
                { mirror: { host: "web" }, mirrorPercentage: { value: -0.5 } },
                [
                    "spec.http[0].mirrorPercentage.value: mirror_percentage must have a min value of 0 (it has -0.500000)",
                ],
            ],
            [
                "mirrors' percentages",
                {
                    mirrors: [
                        { destination: { host: "a" }, percentage: { value: 150 } },
                        { destination: { host: "b" }, percentage: { value: -1 } },
                    ],
                },
                [
                    "spec.http[0].mirrors[0].percentage.value: mirror percentage must have a max value of 100 (it has 150.000000)",
                    "spec.http[0].mirrors[1].percentage.value: mirror percentage must have a min value of 0 (it has -1.000000)",
                ],
            ],
            [
                "percentages at their limits, and values that are not numbers (the API server's to refuse)",
                {
                    mirrorPercent: 100,
                    mirrorPercentage: { value: 0 },
                    mirrors: [{ destination: { host: "a" }, percentage: { value: "101" } }],
                },
                [],
            ],
            ["the deprecated mirrorPercent under 100", { mirror: { host: "web" }, mirrorPercent: 5 }, []],
            ["a deprecated mirrorPercent that is not a number", { mirror: { host: "web" }, mirrorPercent: "101" }, []],
            [
                "the deprecated mirrorPercent over 100",
                { mirror: { host: "web" }, mirrorPercent: 101 },
                ["spec.http[0].mirrorPercent: mirror_percent must have a max value of 100 (it has 101)"],
            ],
            [
                "a negative timeout (Go reads the sign)",
                { timeout: "-1s" },
                ["spec.http[0].timeout: duration must be greater than 1ms"],
            ],
            [
                "a null header match",
                { match: [{ headers: { "x-a": null } }] },
                ["spec.http[0].match[0].headers.x-a: header match x-a cannot be null"],
            ],
        ],
        route,
    );
});

describe("istiod: validateGatewayNames (spec.gateways and match[].gateways)", () => {
    const names = (gateways: string[]) => route({ match: [{ gateways }] });
    const at = "spec.http[0].match[0].gateways";
    table<string[]>(
        [
            ["namespace/name, mesh, a legacy FQDN", ["istio-system/dev-gateway", "mesh", "gw.istio-system"], []],
            ["b@d, read as an FQDN", ["b@d"], [`${at}[0]: domain name "b@d" invalid (label "b@d" invalid)`]],
            [
                "istiod stops at the first name without a namespace",
                ["b@d", "c@d"],
                [`${at}[0]: domain name "b@d" invalid (label "b@d" invalid)`],
            ],
            [
                "an empty namespace",
                ["/gw"],
                [
                    `${at}[0]: config namespace and gateway name cannot be empty`,
                    `${at}[0]: invalid value for namespace: ""`,
                ],
            ],
            ["a name that is no DNS label", ["ns/B_d"], [`${at}[0]: invalid value for gateway name: "B_d"`]],
            ["a * namespace", ["*/gw"], [`${at}[0]: invalid value for namespace: "*"`]],
            ["a name with a slash", ["ns/a/b"], [`${at}[0]: invalid value for gateway name: "a/b"`]],
            [
                "an empty name",
                ["ns/"],
                [
                    `${at}[0]: config namespace and gateway name cannot be empty`,
                    `${at}[0]: invalid value for gateway name: ""`,
                ],
            ],
        ],
        names,
    );
    it("the VirtualService's own gateways too", () =>
        assert.deepEqual(issues("VirtualService", { hosts: ["web"], gateways: ["ns1/*"], http: [{ route: to }] }), [
            'spec.gateways[0]: invalid value for gateway name: "*"',
        ]));
});

describe("istiod: ValidateVirtualService (delegates, JWT claims off a gateway, SNI hosts, no routes)", () => {
    const vs = (spec: Record<string, unknown>) => issues("VirtualService", spec);
    const sni = "outbound_.15010_._.istiod.istio-system.svc.cluster.local";
    const tlsRoute = (host: string) => [
        { match: [{ sniHosts: [host] }], route: [{ destination: { host: "istiod.istio-system.svc.cluster.local" } }] },
    ];
    table<Record<string, unknown>>(
        [
            [
                "an SNI name Envoy generates, on a gateway",
                { hosts: [sni], gateways: ["ns1/gw"], tls: tlsRoute(sni) },
                [],
            ],
            [
                "an SNI name without a port",
                { hosts: ["outbound_.x_._.a.b"], gateways: ["ns1/gw"], tls: tlsRoute("outbound_.x_._.a.b") },
                [
                    'spec.hosts[0]: domain name "outbound_.x_._.a.b" invalid (label "x" invalid). should follow outbound_.<PORT>_._.<HOSTNAME> format',
                    'spec.tls[0].match[0].sniHosts[0]: domain name "outbound_.x_._.a.b" invalid (label "x" invalid). should follow outbound_.<PORT>_._.<HOSTNAME> format',
                ],
            ],
            [
                "the same name as an HTTP host (no SNI route)",
                { hosts: [sni], gateways: ["ns1/gw"], http: [{ route: to }] },
                [`spec.hosts[0]: domain name "${sni}" invalid (label "outbound_" invalid)`],
            ],
            [
                "a JWT claim route on the mesh",
                {
                    hosts: ["web"],
                    gateways: ["mesh"],
                    http: [{ route: to, match: [{ headers: { "@request.auth.claims.group": { exact: "a" } } }] }],
                },
                [
                    "spec.http[0].match[0].headers.@request.auth.claims.group: JWT claim based routing (key: @request.auth.claims.group) is only supported for gateway, found no gateways: [mesh]",
                ],
            ],
            ["no routes at all", { hosts: ["web"] }, ["spec: http, tcp or tls must be provided in virtual service"]],
            [
                "a delegate with gateways, TLS and TCP routes, and a delegating route",
                {
                    gateways: ["ns/gw"],
                    http: [{ delegate: { name: "a" }, route: to }],
                    tls: [{}],
                    tcp: [{ route: to }],
                },
                [
                    "spec.gateways: delegate virtual service must have no gateways specified",
                    "spec.tls: delegate virtual service must have no tls route specified",
                    "spec.tcp: delegate virtual service must have no tcp route specified",
                    "spec.http[0]: delegate HTTP route cannot contain delegate",
                    "spec.tls[0].match: TLS route must have at least one match condition",
                    "spec.tls[0].route: TLS route is required",
                ],
            ],
            [
                "TCP routes: a bad subnet, weights all 0",
                {
                    hosts: ["web"],
                    tcp: [
                        {
                            match: [{ destinationSubnets: ["10.0.0.0/33"] }],
                            route: [{ destination: { host: "a" } }, { destination: { host: "b" } }],
                        },
                    ],
                },
                [
                    "spec.tcp[0].match[0].destinationSubnets[0]: 10.0.0.0/33 is not a valid CIDR block",
                    "spec.tcp[0].route: total destination weight = 0",
                ],
            ],
            [
                "an SNI host outside the VirtualService's hosts",
                { hosts: ["a.example.com"], gateways: ["ns/gw"], tls: tlsRoute("b.example.com") },
                [
                    'spec.tls[0].match[0].sniHosts[0]: SNI host "b.example.com" is not a compatible subset of any of the virtual service hosts: [a.example.com]',
                ],
            ],
            [
                "an SNI host under a wildcard host",
                { hosts: ["*.example.com"], gateways: ["ns/gw"], tls: tlsRoute("b.example.com") },
                [],
            ],
            [
                "an SNI host under one host of several",
                { hosts: ["a.example.com", "b.example.com"], gateways: ["ns/gw"], tls: tlsRoute("b.example.com") },
                [],
            ],
            [
                "a wildcard SNI host under a wider wildcard",
                { hosts: ["*.example.com"], gateways: ["ns/gw"], tls: tlsRoute("*.a.example.com") },
                [],
            ],
            [
                "a wildcard SNI host under an exact host, or a wider one",
                { hosts: ["a.example.com", "*.a.example.com"], gateways: ["ns/gw"], tls: tlsRoute("*.example.com") },
                [
                    'spec.tls[0].match[0].sniHosts[0]: SNI host "*.example.com" is not a compatible subset of any of the virtual service hosts: [a.example.com, *.a.example.com]',
                ],
            ],
            [
                "an SNI name on the mesh is a plain domain",
                { hosts: ["*.b"], gateways: ["mesh"], tls: tlsRoute("outbound_.80_._.a.b") },
                [
                    'spec.tls[0].match[0].sniHosts[0]: domain name "outbound_.80_._.a.b" invalid (label "outbound_" invalid)',
                ],
            ],
            [
                "an SNI name with a hostname of letters only",
                { hosts: ["outbound_.80_._.abc"], gateways: ["ns/gw"], tls: tlsRoute("outbound_.80_._.abc") },
                [],
            ],
            [
                "SNI names: too long, too few parts, no letter in the hostname, no digit in the port (dots trimmed)",
                {
                    hosts: [
                        `outbound_.80_._.${"a".repeat(250)}`,
                        "outbound_.80_.",
                        "outbound_.80_._..1",
                        "outbound_..x.._._.a",
                    ],
                    gateways: ["ns/gw"],
                    tls: [{ match: [{ sniHosts: ["outbound_.80_._.a"] }], route: to }],
                },
                [
                    `spec.hosts[0]: domain name "outbound_.80_._.${"a".repeat(24)}…" too long (max 255)`,
                    "spec.hosts[1]: domain name outbound_.80_. invalid, should follow 'outbound_.<PORT>_._.<HOSTNAME>' format",
                    'spec.hosts[2]: domain name "outbound_.80_._..1" invalid (label "1" invalid). should follow outbound_.<PORT>_._.<HOSTNAME> format',
                    'spec.hosts[3]: domain name "outbound_..x.._._.a" invalid (label "x" invalid). should follow outbound_.<PORT>_._.<HOSTNAME> format',
                    'spec.tls[0].match[0].sniHosts[0]: SNI host "outbound_.80_._.a" is not a compatible subset of any of the virtual service hosts: ' +
                        `[outbound_.80_._.${"a".repeat(250)}, outbound_.80_., outbound_.80_._..1, outbound_..x.._._.a]`,
                ],
            ],
            [
                "TLS routes without SNI hosts do not make the hosts SNI names",
                { hosts: ["outbound_.80_._.a.b"], gateways: ["ns/gw"], tls: [null, { match: [{}, null], route: to }] },
                [
                    'spec.hosts[0]: domain name "outbound_.80_._.a.b" invalid (label "outbound_" invalid)',
                    "spec.tls[1].match[0].sniHosts: TLS match must have at least one SNI host",
                    "spec.tls[1].match[1]: TLS match may not be null",
                ],
            ],
            [
                "a TLS match's port, source labels and gateways; its route's destinations",
                {
                    hosts: ["a.example.com"],
                    gateways: ["ns/gw"],
                    tls: [
                        {
                            match: [
                                {
                                    sniHosts: ["a.example.com"],
                                    port: 70000,
                                    sourceLabels: { app: "a b" },
                                    gateways: ["b@d"],
                                },
                                { sniHosts: ["a.example.com"], port: 0 },
                            ],
                            route: [{ destination: { host: "*" }, weight: -1 }, {}, null],
                        },
                    ],
                },
                [
                    "spec.tls[0].match[0].port: port number 70000 must be in the range 1..65535",
                    'spec.tls[0].match[0].sourceLabels.app: invalid tag value: "a b"',
                    'spec.tls[0].match[0].gateways[0]: domain name "b@d" invalid (label "b@d" invalid)',
                    "spec.tls[0].route[0].destination.host: invalid destination host *",
                    "spec.tls[0].route[0].weight: weight -1 < 0",
                    "spec.tls[0].route[1]: destination is required",
                    "spec.tls[0].route[2]: weight may not be nil",
                ],
            ],
            [
                "TCP routes: null routes and matches, no destinations, weights that add up",
                {
                    hosts: ["web"],
                    tcp: [
                        null,
                        { match: [null] },
                        {
                            route: [
                                { destination: { host: "a" }, weight: 50 },
                                { destination: { host: "b" }, weight: 50 },
                            ],
                        },
                    ],
                },
                ["spec.tcp[1].match[0]: tcp match may not be nil", "spec.tcp[1].route: TCP route is required"],
            ],
            ["a delegate with HTTP routes only", { http: [{ route: to }] }, []],
            [
                "a JWT claim route bound to the mesh and a gateway; other headers are fine",
                {
                    hosts: ["web"],
                    gateways: ["mesh", "ns/gw"],
                    http: [
                        {
                            route: to,
                            match: [
                                {
                                    headers: { "x-a": { exact: "a" } },
                                    withoutHeaders: { "@request.auth.claims.b": { exact: "b" } },
                                },
                            ],
                        },
                    ],
                },
                [
                    "spec.http[0].match[0].withoutHeaders.@request.auth.claims.b: JWT claim based routing (key: @request.auth.claims.b) is only supported for gateway, found no gateways: [mesh ns/gw]",
                ],
            ],
        ],
        vs,
    );
});

describe("istiod: ValidateServiceEntry for DYNAMIC_DNS, ValidateProtocol", () => {
    const se = (spec: Record<string, unknown>, labels?: Record<string, string>) =>
        issues(
            "ServiceEntry",
            { resolution: "DYNAMIC_DNS", hosts: ["*.example.com"], ...spec },
            { name: "x", namespace: "shop", labels },
        );
    table<Record<string, unknown>>(
        [
            [
                "wildcard hosts, HTTP TLS GRPC HTTP2 ports in any case",
                {
                    ports: ["http", "TLS", "grpc", "HTTP2"].map((protocol, i) => ({
                        number: 80 + i,
                        name: `p${i}`,
                        protocol,
                    })),
                },
                [],
            ],
            [
                "an exact host",
                { hosts: ["api.example.com"] },
                ["spec.hosts[0]: host must be wildcarded for resolution mode DYNAMIC_DNS"],
            ],
            [
                "no host",
                { hosts: [] },
                [
                    "spec.hosts: service entry must have at least one host",
                    "spec.hosts: at least one wildcard host must be provided for resolution type DYNAMIC_DNS",
                ],
            ],
            [
                "addresses and endpoints",
                { addresses: ["10.0.0.1"], endpoints: [{ address: "10.0.0.2" }] },
                [
                    "spec.addresses: addresses cannot be set for resolution type DYNAMIC_DNS. HTTP route domains will only be generatedfrom the hosts field values",
                    "spec.endpoints: endpoints cannot be set for resolution type DYNAMIC_DNS. Destination IP address determined from hostsfield values",
                ],
            ],
            [
                "a null port, a location istiod does not know",
                { ports: [null], location: "ELSEWHERE" },
                [
                    "spec.ports[0]: service entry port may not be null",
                    "spec.ports[0]: port cannot be nil",
                    "spec.location: location must be MESH_EXTERNAL or MESH_INTERNAL for resolution type DYNAMIC_DNS",
                ],
            ],
            [
                "TCP, HTTPS and unset protocols",
                {
                    ports: [
                        { number: 1, name: "a", protocol: "TCP" },
                        { number: 2, name: "b", protocol: "HTTPS" },
                        { number: 3, name: "c" },
                    ],
                },
                [0, 1, 2].map(
                    (i) =>
                        `spec.ports[${i}].protocol: only HTTP, TLS, GRPC, and HTTP2 protocols are supported for resolution type DYNAMIC_DNS`,
                ),
            ],
        ],
        (spec) => se(spec),
    );
    it("MESH_INTERNAL, only without a waypoint", () => {
        assert.deepEqual(se({ location: "MESH_INTERNAL" }, { "istio.io/use-waypoint": "none" }), []);
        assert.deepEqual(se({ location: "MESH_EXTERNAL" }, { "istio.io/use-waypoint": "waypoint" }), []);
        assert.deepEqual(se({ location: "MESH_INTERNAL" }, { "istio.io/use-waypoint": "waypoint" }), [
            "spec.location: location MESH_INTERNAL with resolution type DYNAMIC_DNS is not supported when using waypoints",
        ]);
    });
    it("a protocol istiod does not know, in any resolution", () =>
        assert.deepEqual(
            issues("ServiceEntry", {
                hosts: ["a.example.com"],
                ports: [{ number: 9092, name: "kafka", protocol: "kafka" }],
            }),
            ["spec.ports[0].protocol: unsupported protocol: kafka"],
        ));
    it("a protocol that only upper-casing would make known (Go lower-cases to compare)", () => {
        // "ſ" (long s) upper-cases to "S" but lower-cases to itself: protocol.Parse knows no "httpſ".
        assert.deepEqual(
            issues("ServiceEntry", { hosts: ["a.example.com"], ports: [{ number: 1, name: "a", protocol: "httpſ" }] }),
            ["spec.ports[0].protocol: unsupported protocol: httpſ"],
        );
        assert.deepEqual(se({ ports: [{ number: 1, name: "a", protocol: "tlſ" }] }), [
            "spec.ports[0].protocol: unsupported protocol: tlſ",
            "spec.ports[0].protocol: only HTTP, TLS, GRPC, and HTTP2 protocols are supported for resolution type DYNAMIC_DNS",
        ]);
        assert.deepEqual(
            issues("Gateway", {
                servers: [{ hosts: ["*"], port: { number: 443, name: "https", protocol: "httpſ" } }],
            }),
            [
                'spec.servers[0].port.protocol: invalid protocol "httpſ", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP',
            ],
        );
    });
});

describe("the API server: a CRD that requires spec", () => {
    it("a ServiceEntry without spec is refused, a VirtualService's CRD asks for none", () => {
        assert.deepEqual(
            crdIssues({ apiVersion: "networking.istio.io/v1", kind: "ServiceEntry" }).map(
                (i) => `${fieldPathText(i.path)}: ${i.message}`,
            ),
            ["spec: is required"],
        );
        assert.deepEqual(crdIssues({ apiVersion: "networking.istio.io/v1", kind: "VirtualService" }), []);
    });
});
