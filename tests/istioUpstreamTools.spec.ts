// tools/istioUpstream: the reader of Istio's Go test tables (Go literal → the JSON the API server
// would receive) and the reachability rule that sorts the translated cases. What the fixtures under
// tests/fixtures/istio-upstream/ say is only as right as these two.
import * as assert from "node:assert/strict";
import { goTable, parseGoExpr } from "../tools/istioUpstream/goLiteral";
import { Converter, durationText, enumValue, jsonName } from "../tools/istioUpstream/protoJson";
import { reachability } from "../tools/istioUpstream/reachability";

const json = (go: string, env = {}) => new Converter(env).value(parseGoExpr(go));

describe("istioUpstream: a Go protobuf literal as the JSON the API server receives", () => {
    const cases: [string, string, unknown][] = [
        [
            "scalars at zero are left out (proto3 has no presence), a Duration is its JSON text",
            `&networking.HTTPRetry{Attempts: 0, PerTryTimeout: &durationpb.Duration{Seconds: 2}, RetryOn: "5xx"}`,
            { perTryTimeout: "2s", retryOn: "5xx" },
        ],
        [
            "a oneof wrapper becomes its one field, kept at its zero value",
            `&networking.StringMatch{MatchType: &networking.StringMatch_Prefix{Prefix: ""}}`,
            { prefix: "" },
        ],
        [
            "a oneof chosen by the field's shape (HashKey)",
            `&networking.LoadBalancerSettings_ConsistentHashLB{HashKey: &networking.LoadBalancerSettings_ConsistentHashLB_HttpCookie{HttpCookie: &networking.LoadBalancerSettings_ConsistentHashLB_HTTPCookie{Name: "c"}}}`,
            { httpCookie: { name: "c" } },
        ],
        [
            "a wrapper type at false is sent (it is a message)",
            `&networking.HTTPRetry{RetryRemoteLocalities: &wrapperspb.BoolValue{Value: false}}`,
            { retryRemoteLocalities: false },
        ],
        [
            "an enum value by name; nested enums keep only the value",
            `&networking.ConnectionPoolSettings_HTTPSettings{H2UpgradePolicy: networking.ConnectionPoolSettings_HTTPSettings_UPGRADE, UseClientProtocol: true}`,
            { h2UpgradePolicy: "UPGRADE", useClientProtocol: true },
        ],
        [
            "an empty slice is kept (istiod tells it from nil), nil is left out",
            `&security_beta.Rule{From: []*security_beta.Rule_From{}, To: nil}`,
            { from: [] },
        ],
        [
            "elided element types, maps, nil list entries",
            `&networking.HTTPRoute{Match: []*networking.HTTPMatchRequest{nil, {Headers: map[string]*networking.StringMatch{"h": {MatchType: &networking.StringMatch_Exact{Exact: "v"}}}}}}`,
            { match: [null, { headers: { h: { exact: "v" } } }] },
        ],
        [
            "bytes are base64",
            `&networking.HTTPBody{Specifier: &networking.HTTPBody_Bytes{Bytes: []byte("hello")}}`,
            { bytes: "aGVsbG8=" },
        ],
        [
            "a long repeated string stays a recipe",
            `&networking.HTTPBody{Specifier: &networking.HTTPBody_String_{String_: strings.Repeat("a", 2*mb)}}`,
            { string: { $repeat: "a", count: 2 * 1024 * 1024 } },
        ],
        ["durationpb.New of time arithmetic", `durationpb.New(time.Second * 5)`, "5s"],
        ["a Duration with a negative nanos part", `&durationpb.Duration{Seconds: 1, Nanos: -1}`, "0.999999999s"],
        ["Go's constants", `fmt.Sprintf("%s/%s", someNamespace, someName)`, "bar/foo"],
        ["uint32(1 << 30)", `uint32(1 << 30)`, 1073741824],
    ];
    for (const [name, go, expected] of cases) it(name, () => assert.deepEqual(json(go), expected));

    it("a local variable comes from the recipe's environment, and an unknown one is an error naming it", () => {
        assert.deepEqual(json(`&networking.HTTPCookie{Ttl: &duration}`, { duration: "3600s" }), { ttl: "3600s" });
        assert.throws(() => json(`&networking.HTTPCookie{Ttl: &duration}`), /unknown value duration/);
    });

    it("names: Go field → JSON name, Go constant → enum value, nanoseconds → Duration text", () => {
        assert.deepEqual(["Consecutive_5XxErrors", "String_", "Http1MaxPendingRequests", "SniHosts"].map(jsonName), [
            "consecutive5xxErrors",
            "string",
            "http1MaxPendingRequests",
            "sniHosts",
        ]);
        assert.deepEqual(
            [
                "networking.ClientTLSSettings_ISTIO_MUTUAL",
                "networking.ServerTLSSettings_TLSV1_2",
                "networking.Server",
            ].map(enumValue),
            ["ISTIO_MUTUAL", "TLSV1_2", undefined],
        );
        assert.deepEqual([1e9, 1.5e9, 1e6, 42, -1].map(durationText), [
            "1s",
            "1.500s",
            "0.001s",
            "0.000000042s",
            "-0.000000001s",
        ]);
    });
});

describe("istioUpstream: a Go test function's table", () => {
    const src = [
        "func TestA(t *testing.T) {",
        "\tcases := []struct {",
        "\t\tname  string",
        "\t\tin    *networking.Destination",
        "\t\tvalid bool",
        "\t}{",
        '\t\t{name: "simple", in: &networking.Destination{Host: "a"}, valid: true},',
        "\t\t{",
        '\t\t\t"positional", nil, false,',
        "\t\t},",
        "\t}",
        "}",
        "func TestB(t *testing.T) {",
        "\ttype check struct {",
        "\t\td *durationpb.Duration",
        "\t\tok bool",
        "\t}",
        "\tchecks := []check{",
        "\t\t{d: &durationpb.Duration{Seconds: 1}, ok: true},",
        "\t}",
        "}",
        "func TestC(t *testing.T) {",
        "\tports := map[int]bool{",
        "\t\t0: false,",
        "\t}",
        "}",
        "",
    ].join("\n");
    const rows = (name: string) => {
        const t = goTable(src, name);
        const c = new Converter();
        return t.rows.map((r) => ({
            line: r.line,
            ...Object.fromEntries(
                r.elems.map((e, i) => [e.key ? (e.key as { name: string }).name : t.fields[i], c.value(e.value)]),
            ),
        }));
    };
    it("an anonymous struct table, keyed and positional rows, each with its line", () =>
        assert.deepEqual(rows("TestA"), [
            { line: 7, name: "simple", in: { host: "a" }, valid: true },
            { line: 8, name: "positional", in: undefined, valid: false },
        ]));
    it("a table of a struct type the function declares", () =>
        assert.deepEqual(rows("TestB"), [{ line: 19, d: "1s", ok: true }]));
    it("a map table: rows of key and value", () =>
        assert.deepEqual(rows("TestC"), [{ line: 24, key: 0, value: false }]));
});

describe("istioUpstream: which cases a stack config can reach", () => {
    const vs = (spec: object) => ({ kind: "VirtualService", spec });
    const route = [{ route: [{ destination: { host: "a" } }] }];
    const cases: [string, object, true | RegExp][] = [
        ["an HTTP route on a gateway", vs({ hosts: ["a.b"], gateways: ["ns/gw"], http: route }), true],
        [
            "a field apps[].http has no key for",
            vs({ hosts: ["a.b"], http: [{ mirrorPercent: 5 }] }),
            /spec\.http\[0\]\.mirrorPercent/,
        ],
        ["TCP routes", vs({ hosts: ["a.b"], tcp: [] }), /spec\.tcp/],
        ["a delegate (no hosts)", vs({ http: route }), /spec\.hosts/],
        ['a mesh-bound "*" host', vs({ hosts: ["*"], http: route }), /bound to the mesh/],
        ["gateways the program never writes", vs({ hosts: ["a.b"], gateways: ["b@d"], http: route }), /spec\.gateways/],
        [
            "a DestinationRule field by field",
            { kind: "DestinationRule", spec: { host: "a", trafficPolicy: { retryBudget: {} } } },
            true,
        ],
        [
            "a cookie attribute",
            {
                kind: "DestinationRule",
                spec: {
                    host: "a",
                    trafficPolicy: { loadBalancer: { consistentHash: { httpCookie: { attributes: [] } } } },
                },
            },
            /attributes/,
        ],
        [
            "a ServiceEntry with a waypoint label",
            { kind: "ServiceEntry", metadata: { labels: { a: "b" } }, spec: { hosts: ["a"] } },
            /metadata\.labels/,
        ],
        [
            "an ALLOW policy with a well-formed selector",
            { kind: "AuthorizationPolicy", spec: { selector: { matchLabels: { a: "b" } }, rules: [{}] } },
            true,
        ],
        [
            "a policy about its selector",
            { kind: "AuthorizationPolicy", spec: { selector: { matchLabels: { a: "*" } }, rules: [{}] } },
            /spec\.selector/,
        ],
        ["a DENY policy", { kind: "AuthorizationPolicy", spec: { action: "DENY", rules: [{}] } }, /spec\.action/],
        [
            "the mesh Telemetry's sampling",
            { kind: "Telemetry", spec: { tracing: [{ randomSamplingPercentage: 101 }] } },
            true,
        ],
        ["a PeerAuthentication", { kind: "PeerAuthentication", spec: {} }, /fixed mesh-wide STRICT/],
        ["a Gateway of two servers", { kind: "Gateway", spec: { servers: [{}, {}] } }, /exactly one server/],
        [
            "a Gateway server with TLS",
            { kind: "Gateway", spec: { servers: [{ port: { number: 1, name: "a", protocol: "HTTP" }, tls: {} }] } },
            /tls/,
        ],
    ];
    for (const [name, object, expected] of cases)
        it(name, () => {
            const r = reachability(object as Record<string, unknown>);
            if (expected === true) assert.deepEqual(r, { reachable: true });
            else assert.match(r.reason ?? "reachable", expected);
        });
});
