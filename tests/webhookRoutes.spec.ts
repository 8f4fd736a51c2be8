// istiod's validating webhook rules, one at a time, on small objects and on the exported
// primitives: the exact field path and message istiod would answer (pkg/config/validation,
// validation.go, virtualservice.go, agent/validation.go). Pure calls only: no config, no stack.
import * as assert from "node:assert/strict";
import { fieldPathText } from "../components/validation/crd";
import {
    durationProblem,
    fqdnProblem,
    hostsMatch,
    isCidr,
    isDns1123Label,
    isIpAddress,
    labelProblems,
    regexProblem,
    webhookIssues,
    wildcardDomainProblem,
} from "../components/validation/webhook";

const issues = (kind: string, spec: unknown) =>
    webhookIssues({ kind, metadata: { name: "x" }, spec }).map((i) => `${fieldPathText(i.path)}: ${i.message}`);
/** One VirtualService http route (no default route: add `route` when the case needs none of its own). */
/** One route of a VirtualService bound to a Gateway, as the program's are. */
const http = (route: Record<string, unknown>) =>
    issues("VirtualService", { hosts: ["web"], gateways: ["istio-system/dev-gateway"], http: [route] });
const to = (host = "web", extra: Record<string, unknown> = {}) => [{ destination: { host, ...extra } }];
const policy = (trafficPolicy: unknown) => issues("DestinationRule", { host: "web", trafficPolicy });
const a = (n: number) => "a".repeat(n);
const table = <T>(cases: [string, T, unknown][], run: (input: T) => unknown) => {
    for (const [name, input, expected] of cases) it(name, () => assert.deepEqual(run(input), expected));
};

describe("webhook primitives: DNS-1123 labels, FQDNs and wildcard domains", () => {
    table<string>(
        [
            ["63 characters is a label", a(63), true],
            ["64 characters is not", a(64), false],
            ["a leading dash is not", "-a", false],
            ["a dot is not", "a.b", false],
        ],
        isDns1123Label,
    );
    table<string>(
        [
            ["a plain FQDN", "web.shop.svc.cluster.local", undefined],
            ["a trailing dot", "example.com.", undefined],
            ["255 characters", `${a(63)}.${a(63)}.${a(63)}.${a(63)}`, undefined],
            ["256 characters", `${a(63)}.${a(63)}.${a(63)}.${a(64)}`, `domain name "${a(40)}…" too long (max 255)`],
            ["empty", "", "empty domain name not allowed"],
            [
                "an all-numeric top-level domain",
                "example.123",
                `domain name "example.123" invalid (top level domain "123" cannot be all-numeric)`,
            ],
            [
                "a signed number as top-level domain (strconv.Atoi reads it)",
                "example.+1",
                `domain name "example.+1" invalid (top level domain "+1" cannot be all-numeric)`,
            ],
            [
                "a top-level domain of one digit",
                "example.1",
                `domain name "example.1" invalid (top level domain "1" cannot be all-numeric)`,
            ],
            ["digits then letters is not numeric", "example.12x", undefined],
            ["letters then digits is not numeric", "example.x12", undefined],
            ["an empty label", "example..com", `domain name "example..com" invalid (label "" invalid)`],
            ["a lone dot", ".", `domain name "." invalid (label "" invalid)`],
            ["an invalid first label", "-a.com", `domain name "-a.com" invalid (label "-a" invalid)`],
            ["an empty label before the end", "a..", `domain name "a.." invalid (label "" invalid)`],
        ],
        fqdnProblem,
    );
    table<string>(
        [
            ["*", "*", undefined],
            ["*.example.com", "*.example.com", undefined],
            ["*-prefix and *prefix labels", "*-api.example.com", undefined],
            ["a 63-character wildcard label", `*${a(62)}.com`, undefined],
            [
                "a 64-character wildcard label",
                `*${a(63)}.com`,
                `domain name "*${a(63)}.com" invalid (label "*${a(63)}" invalid)`,
            ],
            ["a host without dots", "web", undefined],
            ["a wildcard not first", "a.*.com", `domain name "*.com" invalid (label "*" invalid)`],
            ["a leading dot", ".example.com", `domain name ".example.com" invalid (label "" invalid)`],
            ["an empty label after the first", "a..b", `domain name ".b" invalid (label "" invalid)`],
            ["empty", "", "empty domain name not allowed"],
            ["too long", `${a(63)}.${a(63)}.${a(63)}.${a(64)}`, `domain name "${a(40)}…" too long (max 255)`],
            ["a scheme", "http://web", `domain name "http://web" invalid (label "http://web" invalid)`],
        ],
        wildcardDomainProblem,
    );
});

describe("webhook primitives: IP addresses and CIDR blocks (netip)", () => {
    table<string>(
        [
            ["1.2.3.4", "1.2.3.4", true],
            ["255.255.255.255", "255.255.255.255", true],
            ["256 in a quad", "256.1.1.1", false],
            ["a leading zero", "01.2.3.4", false],
            ["0 alone", "0.0.0.0", true],
            ["three quads", "1.2.3", false],
            ["letters before", "a1.2.3.4", false],
            ["letters after", "1.2.3.4a", false],
            ["two-digit quads", "1.22.3.44", true],
            ["::1", "::1", true],
            ["::", "::", true],
            ["eight groups", "1:2:3:4:5:6:7:8", true],
            ["seven groups without ::", "1:2:3:4:5:6:7", false],
            ["three groups without ::", "1:2:3", false],
            [":: standing for no group", "1:2:3:4::5:6:7:8", false],
            ["two ::", "1::2::3", false],
            ["an embedded IPv4", "::ffff:1.2.3.4", true],
            ["an embedded IPv4 after six groups", "1:2:3:4:5:6:1.2.3.4", true],
            ["an embedded IPv4 after seven groups", "1:2:3:4:5:6:7:1.2.3.4", false],
            ["a broken embedded IPv4", "::1.2.3", false],
            ["five hex digits", "::12345", false],
            ["a non-hex group", "::g", false],
            ["a zone", "fe80::1%eth0", false],
        ],
        isIpAddress,
    );
    table<string>(
        [
            ["10.0.0.0/8", "10.0.0.0/8", true],
            ["/32", "10.0.0.1/32", true],
            ["/33", "10.0.0.0/33", false],
            ["/0", "0.0.0.0/0", true],
            ["a leading zero in the length", "10.0.0.0/08", false],
            ["no length", "10.0.0.0", false],
            ["two slashes", "10.0.0.0/8/9", false],
            ["::/128", "::/128", true],
            ["::/129", "::/129", false],
            ["not an address", "web/8", false],
        ],
        isCidr,
    );
    it("ServiceEntry addresses: an address or a CIDR block, each with its own message", () => {
        const addresses = ["10.0.0.1", "10.0.0.0/16", "10.0.0.300", "10.0.0.0/40"];
        assert.deepEqual(
            issues("ServiceEntry", { hosts: ["api.example.com"], addresses, resolution: "STATIC" }).filter((l) =>
                l.startsWith("spec.addresses"),
            ),
            [
                "spec.addresses[2]: 10.0.0.300 is not a valid IP",
                "spec.addresses[3]: 10.0.0.0/40 is not a valid CIDR block",
            ],
        );
    });
});

describe("webhook primitives: label keys and values", () => {
    table<Record<string, unknown>>(
        [
            ["a valid label", { app: "web", "example.com/tier": "front" }, []],
            ["a one-character key and value", { a: "b" }, []],
            ["an empty value", { app: "" }, []],
            ["two slashes", { "a/b/c": "x" }, [{ key: "a/b/c", message: 'invalid tag key: "a/b/c"' }]],
            [
                "an empty name",
                { "example.com/": "x" },
                [{ key: "example.com/", message: 'invalid tag key: "example.com/"' }],
            ],
            ["a 63-character name", { [a(63)]: "x" }, []],
            ["a 64-character name", { [a(64)]: "x" }, [{ key: a(64), message: `invalid tag key: "${a(64)}"` }]],
            ["a name starting with a dash", { "-app": "x" }, [{ key: "-app", message: 'invalid tag key: "-app"' }]],
            [
                "an empty prefix",
                { "/app": "x" },
                [{ key: "/app", message: 'invalid tag key: "/app" (invalid domain prefix "")' }],
            ],
            [
                "a prefix that is no domain",
                { "ex_ample.com/app": "x" },
                [
                    {
                        key: "ex_ample.com/app",
                        message: 'invalid tag key: "ex_ample.com/app" (invalid domain prefix "ex_ample.com")',
                    },
                ],
            ],
            ["a 253-character prefix", { [`${a(63)}.${a(63)}.${a(63)}.${a(61)}/app`]: "x" }, []],
            [
                "a 254-character prefix",
                { [`${a(63)}.${a(63)}.${a(63)}.${a(62)}/app`]: "x" },
                [
                    {
                        key: `${a(63)}.${a(63)}.${a(63)}.${a(62)}/app`,
                        message: `invalid tag key: "${a(63)}.${a(63)}.${a(63)}.${a(62)}/app" (invalid domain prefix "${a(63)}.${a(63)}.${a(63)}.${a(62)}")`,
                    },
                ],
            ],
            ["a 63-character value", { app: a(63) }, []],
            ["a 64-character value", { app: a(64) }, [{ key: "app", message: `invalid tag value: "${a(39)}…"` }]],
            [
                "a 40-character invalid value",
                { app: `-${a(39)}` },
                [{ key: "app", message: `invalid tag value: "-${a(39)}"` }],
            ],
            ["a value with a space", { app: "a b" }, [{ key: "app", message: 'invalid tag value: "a b"' }]],
        ],
        labelProblems,
    );
});

describe("webhook primitives: durations (ValidateDuration on Go durations)", () => {
    table<unknown>(
        [
            ["1ms", "1ms", undefined],
            ["1.5s", "1.5s", undefined],
            ["1h30m", "1h30m", undefined],
            [".5s", ".5s", undefined],
            ["1.s", "1.s", undefined],
            ["0", "0", "duration must be greater than 1ms"],
            ["999us", "999us", "duration must be greater than 1ms"],
            ["999µs", "999µs", "duration must be greater than 1ms"],
            [".0001s", ".0001s", "duration must be greater than 1ms"],
            ["1500000ns", "1500000ns", "only durations to ms precision are supported"],
            ["1.5ms", "1.5ms", "only durations to ms precision are supported"],
            ["1.25ms", "1.25ms", "only durations to ms precision are supported"],
            ["1.0005s", "1.0005s", "only durations to ms precision are supported"],
            ["a bare unit is no duration (the CRD reports it)", "s", undefined],
            ["not a duration (the CRD reports it)", "abc", undefined],
            ["a number (the CRD reports it)", 5, undefined],
        ],
        durationProblem,
    );
});

describe("webhook primitives: RE2 regexes and host matching", () => {
    table<string>(
        [
            ["empty", "", '"uri": regex string match should not be empty'],
            ["1024 bytes", a(1024), undefined],
            ["1025 bytes", a(1025), '"uri": regex is too large, max length allowed is 1024'],
            ["600 two-byte characters", "é".repeat(600), '"uri": regex is too large, max length allowed is 1024'],
        ],
        (re) => regexProblem(re, "uri"),
    );
    table<[string, string]>(
        [
            ["equal hosts", ["a.com", "a.com"], true],
            ["different hosts", ["a.com", "b.com"], false],
            ["a wildcard covering a host", ["*.a.com", "b.a.com"], true],
            ["a host under a wildcard", ["b.a.com", "*.a.com"], true],
            ["a wildcard not covering a host", ["*.a.com", "b.b.com"], false],
            ["a host not under a wildcard", ["b.b.com", "*.a.com"], false],
            ["a shorter wildcard first", ["*.a.com", "*.b.a.com"], true],
            ["a longer wildcard first", ["*.b.a.com", "*.a.com"], true],
            ["unrelated wildcards", ["*.a.com", "*.bb.com"], false],
            ["unrelated wildcards, longer first", ["*.bb.com", "*.a.com"], false],
            ["* and a wildcard", ["*", "*.a.com"], true],
        ],
        ([x, y]) => hostsMatch(x, y),
    );
});

describe("webhook: VirtualService hosts", () => {
    table<Record<string, unknown>>(
        [
            ["valid hosts", { hosts: ["web", "api.example.com"] }, []],
            ["an IP address", { hosts: ["10.0.0.1"] }, []],
            [
                "an invalid host",
                { hosts: ["web", "bad host"] },
                ['spec.hosts[1]: domain name "bad host" invalid (label "bad host" invalid)'],
            ],
            [
                "* bound to the mesh (no gateways)",
                { hosts: ["*"] },
                ["spec.hosts[0]: wildcard host * is not allowed for virtual services bound to the mesh gateway"],
            ],
            [
                "* bound to mesh and a gateway",
                { hosts: ["*"], gateways: ["gw", "mesh"] },
                ["spec.hosts[0]: wildcard host * is not allowed for virtual services bound to the mesh gateway"],
            ],
            ["* bound to a gateway only", { hosts: ["*"], gateways: ["gw"] }, []],
            [
                "literal duplicates",
                { hosts: ["a.com", "a.com"] },
                ["spec.hosts[1]: duplicate hosts in virtual service: a.com & a.com"],
            ],
            [
                "wildcard duplicates",
                { hosts: ["b.a.com", "c.com", "*.a.com"] },
                ["spec.hosts[2]: duplicate hosts in virtual service: b.a.com & *.a.com"],
            ],
            [
                "no duplicate check once a host is invalid",
                { hosts: ["bad host", "bad host"] },
                [
                    'spec.hosts[0]: domain name "bad host" invalid (label "bad host" invalid)',
                    'spec.hosts[1]: domain name "bad host" invalid (label "bad host" invalid)',
                ],
            ],
            [
                "no duplicate check once * is refused",
                { hosts: ["*", "*"] },
                [
                    "spec.hosts[0]: wildcard host * is not allowed for virtual services bound to the mesh gateway",
                    "spec.hosts[1]: wildcard host * is not allowed for virtual services bound to the mesh gateway",
                ],
            ],
            [
                "a null route is refused, a null match skipped",
                { hosts: ["web"], http: [null, { route: to(), match: [null] }] },
                ["spec.http[0]: http route may not be null"],
            ],
        ],
        // Each with a route of its own unless the case is about routes.
        (spec) => issues("VirtualService", { http: [{ route: to() }], ...spec }),
    );
});

describe("webhook: VirtualService destinations, weights and mirrors", () => {
    table<Record<string, unknown>>(
        [
            ["a valid destination", { route: to("web", { subset: "v1", port: { number: 8080 } }) }, []],
            ["a bare *", { route: to("*") }, ["spec.http[0].route[0].destination.host: invalid destination host *"]],
            [
                "an empty host",
                { route: to("") },
                ["spec.http[0].route[0].destination.host: empty domain name not allowed"],
            ],
            [
                "an invalid subset",
                { route: to("web", { subset: "V_1" }) },
                ["spec.http[0].route[0].destination.subset: subset name is invalid: V_1"],
            ],
            ["an empty subset is no subset", { route: to("web", { subset: "" }) }, []],
            [
                "port 0",
                { route: to("web", { port: { number: 0 } }) },
                ["spec.http[0].route[0].destination.port.number: port number 0 must be in the range 1..65535"],
            ],
            [
                "a port selector without a number",
                { route: to("web", { port: {} }) },
                ["spec.http[0].route[0].destination.port.number: port number 0 must be in the range 1..65535"],
            ],
            [
                "port 65536",
                { route: to("web", { port: { number: 65536 } }) },
                ["spec.http[0].route[0].destination.port.number: port number 65536 must be in the range 1..65535"],
            ],
            [
                "a port as a string",
                { route: to("web", { port: { number: "80" } }) },
                ["spec.http[0].route[0].destination.port.number: port number 80 must be in the range 1..65535"],
            ],
            [
                "ports 1 and 65535",
                {
                    route: [...to("web", { port: { number: 1 } }), ...to("web", { port: { number: 65535 } })].map(
                        (d) => ({ ...d, weight: 50 }),
                    ),
                },
                [],
            ],
            [
                "two destinations without weights",
                { route: [...to("a"), ...to("b")] },
                ["spec.http[0].route: total destination weight = 0"],
            ],
            ["two destinations with weights", { route: [{ ...to("a")[0], weight: 100 }, ...to("b")] }, []],
            ["one destination without weight", { route: to("a") }, []],
            [
                "a route entry that is no object",
                { route: ["x", { ...to("a")[0], weight: 1 }] },
                ["spec.http[0].route[0]: weight may not be nil"],
            ],
            [
                "a route entry without destination",
                { route: [{ weight: 100 }] },
                ["spec.http[0].route[0]: destination is required"],
            ],
            [
                "a negative weight",
                {
                    route: [
                        { ...to("a")[0], weight: -10 },
                        { ...to("b")[0], weight: 10 },
                    ],
                },
                ["spec.http[0].route[0].weight: weight -10 < 0", "spec.http[0].route: total destination weight = 0"],
            ],
            [
                "a mirror",
                { route: to(), mirror: { host: "*" } },
                ["spec.http[0].mirror.host: invalid destination host *"],
            ],
            ["a mirror that is no object is skipped", { route: to(), mirror: "web" }, []],
            [
                "a null route entry",
                { route: [null, { ...to()[0], weight: 100 }] },
                ["spec.http[0].route[0]: weight may not be nil"],
            ],
            [
                "mirrors",
                { route: to(), mirrors: [null, {}, { destination: { host: "bad host" } }] },
                [
                    "spec.http[0].mirrors[0]: mirror cannot be null",
                    "spec.http[0].mirrors[1]: destination is required for mirrors",
                    'spec.http[0].mirrors[2].destination.host: domain name "bad host" invalid (label "bad host" invalid)',
                ],
            ],
            ["a timeout", { route: to(), timeout: "10s" }, []],
            [
                "a timeout under 1ms",
                { route: to(), timeout: "0.5ms" },
                ["spec.http[0].timeout: duration must be greater than 1ms"],
            ],
        ],
        http,
    );
});

describe("webhook: VirtualService matches", () => {
    const match = (m: Record<string, unknown>) => http({ route: to(), match: [m] });
    table<Record<string, unknown>>(
        [
            ["header names", { headers: { "x-user": { exact: "a" }, x_id: { prefix: "b" } } }, []],
            [
                "an empty header name",
                { headers: { "": { exact: "a" } } },
                ["spec.http[0].match[0].headers.: header name cannot be empty"],
            ],
            [
                "a header name with a space",
                { headers: { "x user": { exact: "a" } } },
                ["spec.http[0].match[0].headers.x user: header name x user is not a valid header name"],
            ],
            [
                "an empty header regex",
                { headers: { "x-user": { regex: "" } } },
                ['spec.http[0].match[0].headers.x-user.regex: "headers": regex string match should not be empty'],
            ],
            [
                "a withoutHeaders name",
                { withoutHeaders: { "x user": {} } },
                ["spec.http[0].match[0].withoutHeaders.x user: header name x user is not a valid header name"],
            ],
            [
                "empty regexes in uri, scheme, method and authority",
                { uri: { regex: "" }, scheme: { regex: "" }, method: { regex: "" }, authority: { regex: "" } },
                [
                    'spec.http[0].match[0].uri.regex: "uri": regex string match should not be empty',
                    'spec.http[0].match[0].scheme.regex: "scheme": regex string match should not be empty',
                    'spec.http[0].match[0].method.regex: "method": regex string match should not be empty',
                    'spec.http[0].match[0].authority.regex: "authority": regex string match should not be empty',
                ],
            ],
            ["a uri regex", { uri: { regex: "/v[0-9]+" } }, []],
            ["an empty uri prefix (Envoy takes it)", { uri: { prefix: "" } }, []],
            [
                "empty prefixes elsewhere",
                {
                    scheme: { prefix: "" },
                    method: { prefix: "" },
                    authority: { prefix: "" },
                    headers: { "x-a": { prefix: "" } },
                    queryParams: { q: { prefix: "" } },
                },
                [
                    'spec.http[0].match[0].headers.x-a.prefix: "headers": prefix string match should not be empty',
                    'spec.http[0].match[0].scheme.prefix: "scheme": prefix string match should not be empty',
                    'spec.http[0].match[0].method.prefix: "method": prefix string match should not be empty',
                    'spec.http[0].match[0].authority.prefix: "authority": prefix string match should not be empty',
                    'spec.http[0].match[0].queryParams.q.prefix: "queryParams": prefix string match should not be empty',
                ],
            ],
            [
                "header names istiod takes as tokens",
                { headers: { "x.y": { exact: "a" }, "x,y": { exact: "a" }, "x~y!": { exact: "a" } } },
                [],
            ],
            [
                "pseudo headers",
                {
                    headers: {
                        ":method": { exact: "GET" },
                        ":scheme": { exact: "https" },
                        ":authority": { exact: "a" },
                        ":path": { prefix: "/a" },
                        ":status": { exact: "200" },
                    },
                },
                [],
            ],
            [
                "another colon header",
                { headers: { ":foo": { exact: "a" } } },
                ["spec.http[0].match[0].headers.:foo: header name :foo is not a valid header name"],
            ],
            [
                "JWT claims",
                {
                    headers: {
                        "@request.auth.claims.groups": { exact: "a" },
                        "@Request.Auth.Claims[a][b]": { exact: "b" },
                    },
                    withoutHeaders: { "@request.auth.claims.admin": { exact: "true" } },
                },
                [],
            ],
            [
                "JWT claims without a name",
                {
                    headers: {
                        "@request.auth.claims.": { exact: "a" },
                        "@request.auth.claims[]": { exact: "a" },
                        "@request.auth.claims": { exact: "a" },
                    },
                },
                [
                    "spec.http[0].match[0].headers.@request.auth.claims.: header name @request.auth.claims. is not a valid header name",
                    "spec.http[0].match[0].headers.@request.auth.claims[]: header name @request.auth.claims[] is not a valid header name",
                    "spec.http[0].match[0].headers.@request.auth.claims: header name @request.auth.claims is not a valid header name",
                ],
            ],
            [
                "half a JWT claim, or a dot after 20 characters",
                {
                    headers: {
                        "@request.auth.claims[ab": { exact: "a" },
                        "@request.auth.claimsab]": { exact: "a" },
                        "x yyyyyyyyyyyyyyyyyy.a": { exact: "a" },
                    },
                },
                [
                    "spec.http[0].match[0].headers.@request.auth.claims[ab: header name @request.auth.claims[ab is not a valid header name",
                    "spec.http[0].match[0].headers.@request.auth.claimsab]: header name @request.auth.claimsab] is not a valid header name",
                    "spec.http[0].match[0].headers.x yyyyyyyyyyyyyyyyyy.a: header name x yyyyyyyyyyyyyyyyyy.a is not a valid header name",
                ],
            ],
            ["withoutHeaders with regex * (present)", { withoutHeaders: { "x-a": { regex: "*" } } }, []],
            [
                "withoutHeaders values",
                { withoutHeaders: { "x-a": { regex: "(?!a)" }, "x-b": { prefix: "" } } },
                [
                    'spec.http[0].match[0].withoutHeaders.x-a.regex: "withoutHeaders": error parsing regexp: invalid or unsupported Perl syntax: `(?!`; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)',
                    'spec.http[0].match[0].withoutHeaders.x-b.prefix: "withoutHeaders": prefix string match should not be empty',
                ],
            ],
            [
                "an empty query parameter regex",
                { queryParams: { q: { regex: "" } } },
                ['spec.http[0].match[0].queryParams.q.regex: "queryParams": regex string match should not be empty'],
            ],
            ["port 0 is no port", { port: 0 }, []],
            ["port 8080", { port: 8080 }, []],
            [
                "port 70000",
                { port: 70000 },
                ["spec.http[0].match[0].port: port number 70000 must be in the range 1..65535"],
            ],
            [
                "source labels",
                { sourceLabels: { app: "web", "bad key!": "v" } },
                ['spec.http[0].match[0].sourceLabels.bad key!: invalid tag key: "bad key!"'],
            ],
            [
                "a source namespace that is no label",
                { sourceNamespace: "Shop_NS" },
                ["spec.http[0].match[0].sourceNamespace: sourceNamespace match Shop_NS is invalid"],
            ],
            ["a source namespace", { sourceNamespace: "shop" }, []],
            ["an empty source namespace", { sourceNamespace: "" }, []],
        ],
        match,
    );
});

describe("webhook: VirtualService header operations", () => {
    table<Record<string, unknown>>(
        [
            [
                "request set and add, response too",
                { request: { set: { "x-a": "1" }, add: { "x-b": "%HOSTNAME%" } }, response: { set: { "x-c": "3" } } },
                [],
            ],
            [
                "an empty name",
                { request: { set: { "": "v" } } },
                ["spec.http[0].headers.request.set.: header name cannot be empty"],
            ],
            [
                "a pseudo header in a request",
                { request: { add: { ":path": "/x" } } },
                ['spec.http[0].headers.request.add.:path: invalid header ":path": header cannot have ":" prefix'],
            ],
            ["Host and :authority in a request (authority rewrites)", { request: { set: { Host: "a" } } }, []],
            ["a mixed-case :Authority in a request", { request: { add: { ":Authority": "a" } } }, []],
            [
                "Host in a response",
                { response: { set: { Host: "a" } } },
                ['spec.http[0].headers.response.set.Host: invalid header "Host": cannot set Host header'],
            ],
            [
                ":authority in a response",
                { response: { add: { ":authority": "a" } } },
                [
                    'spec.http[0].headers.response.add.:authority: invalid header ":authority": header cannot have ":" prefix',
                ],
            ],
            [
                "removals",
                { request: { remove: ["", "HOST", ":path", "x-ok"] }, response: { remove: ["host"] } },
                [
                    "spec.http[0].headers.request.remove[0]: header name cannot be empty",
                    'spec.http[0].headers.request.remove[1]: invalid header "HOST": cannot set Host header',
                    'spec.http[0].headers.request.remove[2]: invalid header ":path": header cannot have ":" prefix',
                    'spec.http[0].headers.response.remove[0]: invalid header "host": cannot set Host header',
                ],
            ],
            ["request that is no object", { request: "x" }, []],
        ],
        (headers) => http({ route: to(), headers }),
    );
    it("route destinations carry header operations too", () => {
        assert.deepEqual(http({ route: [{ ...to()[0], headers: { response: { set: { ":status": "200" } } } }] }), [
            'spec.http[0].route[0].headers.response.set.:status: invalid header ":status": header cannot have ":" prefix',
        ]);
    });
    const value = (v: string) => http({ route: to(), headers: { request: { set: { "x-a": v } } } });
    const bad = (m: string) => [
        `spec.http[0].headers.request.set.x-a: header value configuration: invalid header configuration. ${m}`,
    ];
    table<string>(
        [
            ["a plain value", "foo bar", []],
            ["a tab", "a\tb", []],
            [
                "a control character",
                "a\u0001b",
                ["spec.http[0].headers.request.set.x-a: header value configuration a\u0001b is invalid"],
            ],
            ["a newline", "a\nb", ["spec.http[0].headers.request.set.x-a: header value configuration a\nb is invalid"]],
            [
                "DEL",
                "a\u007fb",
                ["spec.http[0].headers.request.set.x-a: header value configuration a\u007fb is invalid"],
            ],
            ["an escaped %", "100%%", []],
            ["escaped % then a variable", "%%%HOSTNAME%", []],
            ["a variable", "prefix %HOSTNAME% suffix", []],
            ["a variable with an argument", "%REQ(x-id)%", []],
            ["a variable with an array of strings", '%START_TIME(["%s", "b\\"c"] )%', []],
            ["a space before the array", '%X( ["a"])%', []],
            ["spaces before the closing %", '%X(["a"]) %', []],
            ["a trailing %", "abc%", bad("Un-escaped %")],
            ["a variable left open", "abc%123", bad("Un-terminated variable expression 'abc%123'")],
            ["a variable then a lone %", "%START_TIME%%", bad("Un-escaped %")],
            ["arguments left open", "%REQ(x", bad("Un-terminated variable expression '%REQ(x'")],
            ["an array item without quotes", "%X([a])%", bad(`Expecting '"'`)],
            ["a bad array delimiter", '%X(["a";"b"])%', bad("Expecting ',', ']', or whitespace")],
            ["a second array item", '%X(["a", "b"])%', []],
            ["spaces around array items", '%X( [ "a" , "b" ] )%', []],
            ["an array left open after an item", '%X(["a"', bad(`Un-terminated variable expression '%X(["a"'`)],
            ["an array left open", "%X([", bad("Un-terminated variable expression '%X(['")],
            ["a backslash at the end", '%X(["a\\', bad("Un-terminated backslash in JSON string")],
            ["something after the array", '%X(["a"]x)%', bad("Expecting ')' or whitespace after '{}', but found '{}'")],
            ["something after the arguments", "%X(a)x%", bad("Expecting '%' or whitespace after")],
        ],
        value,
    );
    table<Record<string, unknown>>(
        [
            ["rewrite.authority alone", { rewrite: { authority: "a" } }, []],
            ["Host alone", { headers: { request: { set: { host: "a" } } } }, []],
            [
                "rewrite.authority and :authority",
                { rewrite: { authority: "a" }, headers: { request: { set: { ":authority": "b" } } } },
                [
                    'spec.http[0].headers: authority header cannot be set multiple times: have "a", attempting to set "b"',
                ],
            ],
            [
                "Host set and :Authority added",
                { headers: { request: { set: { Host: "a" }, add: { ":Authority": "b" } } } },
                [
                    'spec.http[0].headers: authority header cannot be set multiple times: have "a", attempting to set "b"',
                ],
            ],
            ["an empty value sets nothing", { headers: { request: { set: { host: "" }, add: { host: "b" } } } }, []],
            ["other headers", { rewrite: { authority: "a" }, headers: { request: { set: { "x-host": "b" } } } }, []],
        ],
        (r) => http({ route: to(), ...r }),
    );
});

describe("webhook: VirtualService CORS", () => {
    const cors = (corsPolicy: Record<string, unknown>) => http({ route: to(), corsPolicy });
    table<Record<string, unknown>>(
        [
            [
                "origins",
                { allowOrigins: [{ exact: "https://a.example" }, { prefix: "https://b" }, { regex: "https://.*" }] },
                [],
            ],
            [
                "an empty origin",
                { allowOrigins: [{ exact: "https://a" }, { exact: "" }] },
                ["spec.http[0].corsPolicy.allowOrigins[1]: '' is not a valid match type for CORS allow origins"],
            ],
            [
                "an origin without a match",
                { allowOrigins: [{}] },
                ["spec.http[0].corsPolicy.allowOrigins[0]: '' is not a valid match type for CORS allow origins"],
            ],
            [
                "an origin that is a bare string",
                { allowOrigins: ["https://a"] },
                ["spec.http[0].corsPolicy.allowOrigins[0]: '' is not a valid match type for CORS allow origins"],
            ],
            [
                "an origin regex RE2 refuses",
                { allowOrigins: [{ regex: "(?!a)" }] },
                [
                    'spec.http[0].corsPolicy.allowOrigins[0].regex: "corsPolicy.allowOrigins": error parsing regexp: invalid or unsupported Perl syntax: `(?!`; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)',
                ],
            ],
            [
                "every supported method",
                { allowMethods: ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE"] },
                [],
            ],
            [
                "a lower-case method",
                { allowMethods: ["GET", "get"] },
                ['spec.http[0].corsPolicy.allowMethods[1]: "get" is not a supported HTTP method'],
            ],
            ["headers and *", { allowHeaders: ["*", "x-a"], exposeHeaders: ["*", "x-b"] }, []],
            [
                "CORS headers are tokens, not pseudo headers",
                { allowHeaders: ["x.y", ":path"] },
                ["spec.http[0].corsPolicy.allowHeaders[1]: header name :path is not a valid header name"],
            ],
            [
                "bad allow and expose headers",
                { allowHeaders: ["x a"], exposeHeaders: ["x-b", ""] },
                [
                    "spec.http[0].corsPolicy.allowHeaders[0]: header name x a is not a valid header name",
                    "spec.http[0].corsPolicy.exposeHeaders[1]: header name cannot be empty",
                ],
            ],
            ["maxAge in seconds", { maxAge: "24h" }, []],
            [
                "maxAge with a fraction of a second",
                { maxAge: "1.5s" },
                ["spec.http[0].corsPolicy.maxAge: max_age duration is accurate only to seconds precision"],
            ],
            [
                "maxAge under 1ms",
                { maxAge: "500us" },
                [
                    "spec.http[0].corsPolicy.maxAge: duration must be greater than 1ms",
                    "spec.http[0].corsPolicy.maxAge: max_age duration is accurate only to seconds precision",
                ],
            ],
            ["maxAge that is no duration (the CRD reports it)", { maxAge: "abc" }, []],
        ],
        cors,
    );
});

describe("webhook: VirtualService fault injection", () => {
    const fault = (f: Record<string, unknown>) => http({ route: to(), fault: f });
    const pct = (k: string, v: number) =>
        `spec.http[0].fault.${k}.percentage.value: percentage ${v} is neither 0.0, nor in range [0.0001, 100.0]`;
    table<Record<string, unknown>>(
        [
            [
                "percentages 0, 0.0001 and 100",
                {
                    abort: { httpStatus: 503, percentage: { value: 0.0001 } },
                    delay: { fixedDelay: "1s", percentage: { value: 100 } },
                },
                [],
            ],
            ["percentage 0", { abort: { httpStatus: 503, percentage: { value: 0 } } }, []],
            ["abort percentage 101", { abort: { httpStatus: 503, percentage: { value: 101 } } }, [pct("abort", 101)]],
            ["abort percentage -1", { abort: { httpStatus: 503, percentage: { value: -1 } } }, [pct("abort", -1)]],
            [
                "delay percentage 0.00005",
                { delay: { fixedDelay: "1s", percentage: { value: 0.00005 } } },
                [pct("delay", 0.00005)],
            ],
            ["a delay without percentage", { delay: { fixedDelay: "1s" } }, []],
            [
                "a fault without abort or delay",
                {},
                ["spec.http[0].fault: HTTP fault injection must have an abort and/or a delay"],
            ],
            ["an abort status 200", { abort: { httpStatus: 200 } }, []],
            [
                "an abort status 199",
                { abort: { httpStatus: 199 } },
                ["spec.http[0].fault.abort.httpStatus: HTTP status 199 is not in range 200-599"],
            ],
            [
                "an HTTP/2 error",
                { abort: { http2Error: "CANCEL" } },
                ["spec.http[0].fault.abort.http2Error: HTTP/2 abort fault injection not supported yet"],
            ],
            [
                "an unknown gRPC status",
                { abort: { grpcStatus: "NOPE" } },
                [
                    `spec.http[0].fault.abort.grpcStatus: gRPC status "NOPE" is not supported. See https://github.com/grpc/grpc/blob/master/doc/statuscodes.md for a list of supported codes, for example 'NOT_FOUND'`,
                ],
            ],
            [
                "a fixed delay under 1ms",
                { delay: { fixedDelay: "0.1ms" } },
                ["spec.http[0].fault.delay.fixedDelay: duration must be greater than 1ms"],
            ],
            [
                "an exponential delay",
                { delay: { exponentialDelay: "0.5ms" } },
                [
                    "spec.http[0].fault.delay.exponentialDelay: duration must be greater than 1ms",
                    "spec.http[0].fault.delay.exponentialDelay: exponentialDelay not supported yet",
                ],
            ],
        ],
        fault,
    );
    it("every gRPC status istiod knows", () => {
        const codes = [
            "OK",
            "CANCELLED",
            "UNKNOWN",
            "INVALID_ARGUMENT",
            "DEADLINE_EXCEEDED",
            "NOT_FOUND",
            "ALREADY_EXISTS",
        ];
        const more = ["PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE"];
        const rest = ["UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED"];
        const routes = [...codes, ...more, ...rest].map((grpcStatus) => ({
            route: to(),
            fault: { abort: { grpcStatus } },
        }));
        assert.deepEqual(issues("VirtualService", { hosts: ["web"], http: routes }), []);
    });
});

describe("webhook: VirtualService redirect, retries, rewrite and direct response", () => {
    table<Record<string, unknown>>(
        [
            ["a redirect with a uri", { redirect: { uri: "/x" } }, []],
            ["a redirect with an authority", { redirect: { authority: "a.example" } }, []],
            ["a redirect with a port", { redirect: { port: 8443 } }, []],
            ["a redirect with a derived port", { redirect: { derivePort: "FROM_REQUEST_PORT" } }, []],
            ["a redirect with a scheme", { redirect: { scheme: "https" } }, []],
            ["a redirect to http", { redirect: { scheme: "http" } }, []],
            [
                "an empty redirect",
                { redirect: {} },
                ["spec.http[0].redirect: redirect must specify URI, authority, scheme, or port"],
            ],
            [
                "a redirect with empty strings",
                { redirect: { uri: "", authority: "", scheme: "" } },
                ["spec.http[0].redirect: redirect must specify URI, authority, scheme, or port"],
            ],
            [
                "an ftp redirect",
                { redirect: { scheme: "ftp" } },
                ['spec.http[0].redirect.scheme: invalid redirect scheme, must be "http" or "https"'],
            ],
            ["a redirect port 0 is not checked", { redirect: { port: 0 } }, []],
            ["a redirect code 300", { redirect: { uri: "/x", redirectCode: 300 } }, []],
            ["a redirect code 399", { redirect: { uri: "/x", redirectCode: 399 } }, []],
            ["a redirect code 0 is the default", { redirect: { uri: "/x", redirectCode: 0 } }, []],
            [
                "a redirect code 200",
                { redirect: { uri: "/x", redirectCode: 200, scheme: "ftp" } },
                ["spec.http[0].redirect.redirectCode: 200 is not a valid redirect code, must be 3xx"],
            ],
            [
                "a redirect code 400",
                { redirect: { uri: "/x", redirectCode: 400 } },
                ["spec.http[0].redirect.redirectCode: 400 is not a valid redirect code, must be 3xx"],
            ],
            [
                "a bad scheme hides a bad port (istiod stops at the first)",
                { redirect: { scheme: "ftp", port: 70000 } },
                ['spec.http[0].redirect.scheme: invalid redirect scheme, must be "http" or "https"'],
            ],
            [
                "a redirect port 70000",
                { redirect: { port: 70000 } },
                ["spec.http[0].redirect.port: port number 70000 must be in the range 1..65535"],
            ],
            ["retries", { route: to(), retries: { attempts: 3, perTryTimeout: "2s", retryOn: "5xx,reset" } }, []],
            ["retries disabled", { route: to(), retries: { attempts: 0 } }, []],
            [
                "negative attempts",
                { route: to(), retries: { attempts: -1 } },
                ["spec.http[0].retries.attempts: attempts cannot be negative"],
            ],
            [
                "a backoff under 1ms",
                { route: to(), retries: { attempts: 2, backoff: "0.5ms" } },
                ["spec.http[0].retries.backoff: duration must be greater than 1ms"],
            ],
            ["retries disabled with an empty retryOn", { route: to(), retries: { attempts: 0, retryOn: "" } }, []],
            [
                "a per-try timeout with attempts 0",
                { route: to(), retries: { attempts: 0, perTryTimeout: "2s" } },
                ["spec.http[0].retries: http retry policy configured when attempts are set to 0 (disabled)"],
            ],
            [
                "retryOn with attempts 0",
                { route: to(), retries: { attempts: 0, retryOn: "5xx" } },
                ["spec.http[0].retries: http retry policy configured when attempts are set to 0 (disabled)"],
            ],
            [
                "retryRemoteLocalities with attempts 0",
                { route: to(), retries: { attempts: 0, retryRemoteLocalities: false } },
                ["spec.http[0].retries: http retry policy configured when attempts are set to 0 (disabled)"],
            ],
            [
                "a per-try timeout under 1ms",
                { route: to(), retries: { attempts: 1, perTryTimeout: "0.5ms" } },
                ["spec.http[0].retries.perTryTimeout: duration must be greater than 1ms"],
            ],
            [
                "retryOn policies and status codes",
                { route: to(), retries: { attempts: 1, retryOn: "5xx,bogus,503,418,999,+503" } },
                [
                    'spec.http[0].retries.retryOn: "bogus" is not a valid retryOn policy',
                    'spec.http[0].retries.retryOn: "999" is not a valid retryOn policy',
                ],
            ],
            [
                "status codes with spaces (strconv.Atoi refuses them)",
                { route: to(), retries: { attempts: 1, retryOn: "5xx, 503,503 " } },
                [
                    'spec.http[0].retries.retryOn: " 503" is not a valid retryOn policy',
                    'spec.http[0].retries.retryOn: "503 " is not a valid retryOn policy',
                ],
            ],
            [
                "every retryOn policy Envoy supports",
                {
                    route: to(),
                    retries: {
                        attempts: 1,
                        retryOn:
                            "5xx,gateway-error,reset,reset-before-request,connect-failure,retriable-4xx,refused-stream,retriable-status-codes,retriable-headers,envoy-ratelimited,http3-post-connect-failure,cancelled,deadline-exceeded,internal,resource-exhausted,unavailable",
                    },
                },
                [],
            ],
            ["a rewrite of the uri", { route: to(), rewrite: { uri: "/v2" } }, []],
            ["a rewrite of the authority", { route: to(), rewrite: { authority: "b" } }, []],
            [
                "a regex rewrite",
                { route: to(), rewrite: { uriRegexRewrite: { match: "^/a(.*)", rewrite: "/b\\1" } } },
                [],
            ],
            [
                "a rewrite of both uri and regex",
                { route: to(), rewrite: { uri: "/v2", uriRegexRewrite: { match: "(", rewrite: "/" } } },
                ["spec.http[0].rewrite: rewrite may only contain one of URI or UriRegexRewrite"],
            ],
            [
                "a regex rewrite with an authority",
                { route: to(), rewrite: { authority: "a", uriRegexRewrite: { match: "^/a", rewrite: "/" } } },
                [],
            ],
            [
                "an empty rewrite",
                { route: to(), rewrite: { uri: "" } },
                [
                    "spec.http[0].rewrite: rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI or UriRegexRewrite may be specified",
                ],
            ],
            [
                "a regex rewrite without rewrite",
                { route: to(), rewrite: { uriRegexRewrite: { match: "^/a" } } },
                [
                    "spec.http[0].rewrite.uriRegexRewrite: UriRegexRewrite requires both Rewrite and Match fields to be specified",
                ],
            ],
            [
                "a regex rewrite without match",
                { route: to(), rewrite: { uriRegexRewrite: { rewrite: "/b" } } },
                [
                    "spec.http[0].rewrite.uriRegexRewrite: UriRegexRewrite requires both Rewrite and Match fields to be specified",
                ],
            ],
            [
                "a regex rewrite RE2 refuses",
                { route: to(), rewrite: { uriRegexRewrite: { match: "(?<=a)", rewrite: "/" } } },
                [
                    'spec.http[0].rewrite.uriRegexRewrite.match: "HTTPRewrite.UriRegexRewrite.Match": error parsing regexp: invalid named capture: `(?<=a)`; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)',
                ],
            ],
            ["a 1MB body", { directResponse: { status: 200, body: { string: a(1024 * 1024) } } }, []],
            [
                "a body over 1MB",
                { directResponse: { status: 200, body: { string: a(1024 * 1024 + 1) } } },
                [
                    "spec.http[0].directResponse.body: large direct_responses may impact control plane performance, must be less than 1MB",
                ],
            ],
            [
                "a multi-byte body over 1MB",
                { directResponse: { status: 200, body: { string: "é".repeat(512 * 1024 + 1) } } },
                [
                    "spec.http[0].directResponse.body: large direct_responses may impact control plane performance, must be less than 1MB",
                ],
            ],
            [
                "1MB of bytes",
                { directResponse: { status: 200, body: { bytes: Buffer.alloc(1024 * 1024).toString("base64") } } },
                [],
            ],
            [
                "bytes over 1MB",
                { directResponse: { status: 200, body: { bytes: Buffer.alloc(1024 * 1024 + 1).toString("base64") } } },
                [
                    "spec.http[0].directResponse.body: large direct_responses may impact control plane performance, must be less than 1MB",
                ],
            ],
            ["a body without content", { directResponse: { status: 200, body: {} } }, []],
            ["a direct response without body", { directResponse: { status: 404 } }, []],
            ["status 600", { directResponse: { status: 600 } }, []],
            [
                "status 199",
                { directResponse: { status: 199 } },
                ["spec.http[0].directResponse.status: HTTP status 199 is not in range 200-599"],
            ],
            [
                "status 601",
                { directResponse: { status: 601 } },
                ["spec.http[0].directResponse.status: HTTP status 601 is not in range 200-599"],
            ],
            [
                "no status",
                { directResponse: { body: { string: "x" } } },
                ["spec.http[0].directResponse.status: HTTP status 0 is not in range 200-599"],
            ],
        ],
        http,
    );
});

describe("webhook: VirtualService route conflicts (validateHTTPRouteConflict)", () => {
    const redirect = { uri: "/x" };
    const directResponse = { status: 200 };
    table<Record<string, unknown>>(
        [
            [
                "no route, redirect or direct response",
                { timeout: "1s" },
                ["spec.http[0]: HTTP route, redirect or direct_response is required"],
            ],
            [
                "an empty route list",
                { route: [] },
                ["spec.http[0]: HTTP route, redirect or direct_response is required"],
            ],
            ["a redirect alone", { redirect }, []],
            ["a direct response alone", { directResponse }, []],
            [
                "a redirect with a route, a fault, a rewrite and a direct response",
                {
                    redirect,
                    route: to(),
                    fault: { abort: { httpStatus: 503 } },
                    rewrite: { uri: "/y" },
                    directResponse,
                },
                [
                    "spec.http[0]: HTTP route cannot contain both route and redirect",
                    "spec.http[0]: HTTP route cannot contain both fault and redirect",
                    "spec.http[0]: HTTP route rule cannot contain both rewrite and redirect",
                    "spec.http[0]: HTTP route rule cannot contain both direct_response and redirect",
                ],
            ],
            [
                "a direct response with a route, a fault and a rewrite",
                { directResponse, route: to(), fault: { delay: { fixedDelay: "1s" } }, rewrite: { uri: "/y" } },
                [
                    "spec.http[0]: HTTP route cannot contain both route and direct_response",
                    "spec.http[0]: HTTP route cannot contain both fault and direct_response",
                    "spec.http[0]: HTTP route rule cannot contain both rewrite and direct_response",
                ],
            ],
            [
                "mirror and mirrors",
                { route: to(), mirror: { host: "a" }, mirrors: [{ destination: { host: "b" } }] },
                ["spec.http[0]: HTTP route cannot contain both mirror and mirrors"],
            ],
            ["mirror and no mirrors", { route: to(), mirror: { host: "a" }, mirrors: [] }, []],
            ["a delegate alone", { delegate: { name: "child" } }, []],
            [
                "a delegate with a route and a redirect",
                { name: "root", delegate: { name: "child" }, route: to(), redirect },
                [
                    "spec.http[0]: root HTTP route root must not specify redirect",
                    "spec.http[0]: root HTTP route root must not specify route",
                ],
            ],
            ["a null redirect is none", { route: to(), redirect: null }, []],
        ],
        http,
    );
});

describe("webhook: DestinationRule traffic policy", () => {
    table<unknown>(
        [
            ["an empty policy", {}, ["spec.trafficPolicy: traffic policy must have at least one field"]],
            ["outlier detection alone", { outlierDetection: { interval: "10s" } }, []],
            ["a connection pool alone", { connectionPool: { tcp: { maxConnections: 10 } } }, []],
            ["a load balancer alone", { loadBalancer: { simple: "ROUND_ROBIN" } }, []],
            ["TLS alone", { tls: { mode: "ISTIO_MUTUAL" } }, []],
            [
                "port-level settings alone",
                { portLevelSettings: [{ port: { number: 80 }, tls: { mode: "DISABLE" } }] },
                [],
            ],
            ["a tunnel alone", { tunnel: { targetHost: "api.example.com", targetPort: 443 } }, []],
            ["proxy protocol alone", { proxyProtocol: {} }, []],
            [
                "tunnel and proxy protocol (nothing else is checked)",
                { tunnel: { protocol: "UDP" }, proxyProtocol: {} },
                ["spec.trafficPolicy: tunnel and proxyProtocol must not be set together"],
            ],
            [
                "outlier durations",
                { outlierDetection: { baseEjectionTime: "0.5ms", interval: "1.5ms" } },
                [
                    "spec.trafficPolicy.outlierDetection.baseEjectionTime: duration must be greater than 1ms",
                    "spec.trafficPolicy.outlierDetection.interval: only durations to ms precision are supported",
                ],
            ],
            [
                "local origin failures without the split",
                { outlierDetection: { consecutiveLocalOriginFailures: 5 } },
                [
                    "spec.trafficPolicy.outlierDetection: outlier detection consecutive local origin failures is specified, but split external local origin errors is set to false",
                ],
            ],
            [
                "local origin failures with the split",
                { outlierDetection: { consecutiveLocalOriginFailures: 5, splitExternalLocalOriginErrors: true } },
                [],
            ],
            ["zero local origin failures", { outlierDetection: { consecutiveLocalOriginFailures: 0 } }, []],
            [
                "an empty connection pool",
                { connectionPool: {} },
                ["spec.trafficPolicy.connectionPool: connection pool must have at least one field"],
            ],
            ["an HTTP connection pool alone", { connectionPool: { http: { idleTimeout: "10s" } } }, []],
            [
                "an HTTP idle timeout under 1ms",
                { connectionPool: { http: { idleTimeout: "0.5ms" } } },
                ["spec.trafficPolicy.connectionPool.http.idleTimeout: duration must be greater than 1ms"],
            ],
            [
                "client protocol with UPGRADE",
                { connectionPool: { http: { h2UpgradePolicy: "UPGRADE", useClientProtocol: true } } },
                [
                    "spec.trafficPolicy.connectionPool.http: use client protocol must not be true when H2UpgradePolicy is UPGRADE",
                ],
            ],
            [
                "client protocol with DEFAULT",
                { connectionPool: { http: { h2UpgradePolicy: "DEFAULT", useClientProtocol: true } } },
                [],
            ],
            [
                "UPGRADE without client protocol",
                { connectionPool: { http: { h2UpgradePolicy: "UPGRADE", useClientProtocol: false } } },
                [],
            ],
            [
                "TCP durations",
                {
                    connectionPool: {
                        tcp: { connectTimeout: "0.5ms", maxConnectionDuration: "1.5ms", idleTimeout: "2.5ms" },
                    },
                },
                [
                    "spec.trafficPolicy.connectionPool.tcp.connectTimeout: duration must be greater than 1ms",
                    "spec.trafficPolicy.connectionPool.tcp.maxConnectionDuration: only durations to ms precision are supported",
                    "spec.trafficPolicy.connectionPool.tcp.idleTimeout: only durations to ms precision are supported",
                ],
            ],
            ["a TCP idle timeout of 0s disables it", { connectionPool: { tcp: { idleTimeout: "0s" } } }, []],
            ["a TCP idle timeout under 1ms disables it", { connectionPool: { tcp: { idleTimeout: "500us" } } }, []],
            ["a TCP idle timeout of 1ms", { connectionPool: { tcp: { idleTimeout: "1ms" } } }, []],
            [
                "keepalive durations",
                { connectionPool: { tcp: { tcpKeepalive: { time: "0.5ms", interval: "1.5ms" } } } },
                [
                    "spec.trafficPolicy.connectionPool.tcp.tcpKeepalive.time: duration must be greater than 1ms",
                    "spec.trafficPolicy.connectionPool.tcp.tcpKeepalive.interval: only durations to ms precision are supported",
                ],
            ],
        ],
        policy,
    );
    table<unknown>(
        [
            [
                "a cookie without a name",
                { consistentHash: { httpCookie: { ttl: "10s" } } },
                ["spec.trafficPolicy.loadBalancer.consistentHash.httpCookie: name required for HttpCookie"],
            ],
            ["a cookie with a name", { consistentHash: { httpCookie: { name: "user", ttl: "10s" } } }, []],
            [
                "a minimum ring size with a ring hash",
                { consistentHash: { httpHeaderName: "x", minimumRingSize: 1024, ringHash: { minimumRingSize: 1024 } } },
                [
                    "spec.trafficPolicy.loadBalancer.consistentHash: only one of MinimumRingSize or Maglev/Ringhash can be specified",
                ],
            ],
            [
                "a minimum ring size with maglev",
                { consistentHash: { httpHeaderName: "x", minimumRingSize: 1024, maglev: { tableSize: 65537 } } },
                [
                    "spec.trafficPolicy.loadBalancer.consistentHash: only one of MinimumRingSize or Maglev/Ringhash can be specified",
                ],
            ],
            ["a minimum ring size alone", { consistentHash: { httpHeaderName: "x", minimumRingSize: 1024 } }, []],
            [
                "a minimum ring size 0 with a ring hash",
                { consistentHash: { httpHeaderName: "x", minimumRingSize: 0, ringHash: {} } },
                [],
            ],
            ["a prime maglev table", { consistentHash: { httpHeaderName: "x", maglev: { tableSize: 65537 } } }, []],
            ["maglev table 3", { consistentHash: { httpHeaderName: "x", maglev: { tableSize: 3 } } }, []],
            [
                "maglev table 5000011 - 2 (prime? no: 5000009 = 7 × 714287)",
                { consistentHash: { httpHeaderName: "x", maglev: { tableSize: 5000009 } } },
                [
                    "spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize: tableSize must be a prime number for maglev",
                ],
            ],
            [
                "a maglev table without size",
                { consistentHash: { httpHeaderName: "x", maglev: {} } },
                [
                    "spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize: tableSize must be set for maglev",
                    "spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize: tableSize must be a prime number for maglev",
                ],
            ],
            [
                "maglev table 5000011",
                { consistentHash: { httpHeaderName: "x", maglev: { tableSize: 5000011 } } },
                [
                    "spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize: tableSize must be less than 5000011 for maglev",
                ],
            ],
            [
                "an even maglev table",
                { consistentHash: { httpHeaderName: "x", maglev: { tableSize: 65536 } } },
                [
                    "spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize: tableSize must be a prime number for maglev",
                ],
            ],
            [
                "an odd composite maglev table",
                { consistentHash: { httpHeaderName: "x", maglev: { tableSize: 9 } } },
                [
                    "spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize: tableSize must be a prime number for maglev",
                ],
            ],
            [
                "a square of a prime",
                { consistentHash: { httpHeaderName: "x", maglev: { tableSize: 25 } } },
                [
                    "spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize: tableSize must be a prime number for maglev",
                ],
            ],
            ["warmup in whole ms", { simple: "LEAST_REQUEST", warmupDurationSecs: "60s" }, []],
            [
                "warmup under 1ms",
                { simple: "LEAST_REQUEST", warmupDurationSecs: "0.5ms" },
                ["spec.trafficPolicy.loadBalancer.warmupDurationSecs: duration must be greater than 1ms"],
            ],
            [
                "locality distribute and failover together",
                {
                    localityLbSetting: {
                        distribute: [{ from: "a", to: { b: 100 } }],
                        failover: [{ from: "a", to: "b" }],
                    },
                },
                [
                    "spec.trafficPolicy.loadBalancer.localityLbSetting: can not simultaneously specify 'distribute' and 'failover'",
                ],
            ],
            [
                "locality distribute alone",
                { localityLbSetting: { distribute: [{ from: "a", to: { b: 100 } }], failover: [] } },
                [],
            ],
            [
                "locality failover alone",
                { localityLbSetting: { distribute: [], failover: [{ from: "a", to: "b" }] } },
                [],
            ],
        ],
        (loadBalancer) => policy({ loadBalancer }),
    );
    const tls = "spec.trafficPolicy.tls";
    table<unknown>(
        [
            ["SIMPLE with a CA", { mode: "SIMPLE", caCertificates: "/ca.pem" }, []],
            [
                "SIMPLE skipping verification with a CA",
                { mode: "SIMPLE", insecureSkipVerify: true, caCertificates: "/ca.pem" },
                [
                    `${tls}: cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true`,
                ],
            ],
            [
                "SIMPLE skipping verification with a credential",
                { mode: "SIMPLE", insecureSkipVerify: true, credentialName: "cred" },
                [
                    `${tls}: cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true`,
                ],
            ],
            [
                "SIMPLE skipping verification with SANs",
                { mode: "SIMPLE", insecureSkipVerify: true, subjectAltNames: ["a"] },
                [
                    `${tls}: cannot specify CaCertificates or CredentialName or SubjectAltNames when InsecureSkipVerify is set true`,
                ],
            ],
            ["SIMPLE skipping verification alone", { mode: "SIMPLE", insecureSkipVerify: true }, []],
            [
                "SIMPLE not skipping verification",
                { mode: "SIMPLE", insecureSkipVerify: false, caCertificates: "/ca.pem" },
                [],
            ],
            [
                "MUTUAL skipping verification with a CA",
                {
                    mode: "MUTUAL",
                    insecureSkipVerify: true,
                    caCertificates: "/ca.pem",
                    clientCertificate: "/c.pem",
                    privateKey: "/k.pem",
                },
                [`${tls}: cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true`],
            ],
            [
                "MUTUAL skipping verification with a credential (it may hold the client's certificate only)",
                { mode: "MUTUAL", insecureSkipVerify: true, credentialName: "cred" },
                [],
            ],
            [
                "a credential with a client certificate",
                { mode: "SIMPLE", credentialName: "cred", clientCertificate: "/c.pem" },
                [`${tls}: cannot specify client certificates or CA certificate or CA CRL If credentialName is set`],
            ],
            [
                "a credential with a CA",
                { mode: "MUTUAL", credentialName: "cred", caCertificates: "/ca.pem" },
                [`${tls}: cannot specify client certificates or CA certificate or CA CRL If credentialName is set`],
            ],
            [
                "a credential with a private key",
                { mode: "MUTUAL", credentialName: "cred", privateKey: "/k.pem" },
                [`${tls}: cannot specify client certificates or CA certificate or CA CRL If credentialName is set`],
            ],
            [
                "a credential with a CRL",
                { mode: "MUTUAL", credentialName: "cred", caCrl: "/crl.pem" },
                [`${tls}: cannot specify client certificates or CA certificate or CA CRL If credentialName is set`],
            ],
            ["MUTUAL with a credential", { mode: "MUTUAL", credentialName: "cred" }, []],
            ["MUTUAL with files", { mode: "MUTUAL", clientCertificate: "/c.pem", privateKey: "/k.pem" }, []],
            [
                "MUTUAL without files",
                { mode: "MUTUAL" },
                [`${tls}: client certificate required for mutual tls`, `${tls}: private key required for mutual tls`],
            ],
            [
                "MUTUAL without a key",
                { mode: "MUTUAL", clientCertificate: "/c.pem" },
                [`${tls}: private key required for mutual tls`],
            ],
            ["SIMPLE without files", { mode: "SIMPLE" }, []],
            [
                "ISTIO_MUTUAL with a credential is not checked here",
                { mode: "ISTIO_MUTUAL", credentialName: "cred", caCertificates: "/ca.pem" },
                [],
            ],
        ],
        (t) => policy({ tls: t }),
    );
    table<unknown>(
        [
            [
                "a port-level policy without port",
                [{ tls: { mode: "DISABLE" } }],
                ["spec.trafficPolicy.portLevelSettings[0]: portTrafficPolicy must have valid port"],
            ],
            ["a port-level load balancer alone", [{ port: { number: 80 }, loadBalancer: { simple: "RANDOM" } }], []],
            [
                "a port-level policy with only a tunnel",
                [{ port: { number: 80 }, tunnel: { targetHost: "a.example", targetPort: 443 } }],
                ["spec.trafficPolicy.portLevelSettings[0]: port traffic policy must have at least one field"],
            ],
            [
                "a port-level policy with only proxy protocol",
                [{ port: { number: 80 }, proxyProtocol: {} }],
                ["spec.trafficPolicy.portLevelSettings[0]: port traffic policy must have at least one field"],
            ],
            [
                "a port-level policy with only port-level settings",
                [{ port: { number: 80 }, portLevelSettings: [] }],
                ["spec.trafficPolicy.portLevelSettings[0]: port traffic policy must have at least one field"],
            ],
            [
                "port-level rules",
                [
                    { port: { number: 80 }, connectionPool: {} },
                    { port: { number: 81 }, outlierDetection: { interval: "1.5ms" } },
                ],
                [
                    "spec.trafficPolicy.portLevelSettings[0].connectionPool: connection pool must have at least one field",
                    "spec.trafficPolicy.portLevelSettings[1].outlierDetection.interval: only durations to ms precision are supported",
                ],
            ],
            ["a null port-level entry is skipped", [null], []],
        ],
        (portLevelSettings) => policy({ portLevelSettings }),
    );
    table<unknown>(
        [
            ["CONNECT to a host", { protocol: "CONNECT", targetHost: "api.example.com", targetPort: 443 }, []],
            ["POST to an IP", { protocol: "POST", targetHost: "10.0.0.1", targetPort: 443 }, []],
            ["to an IPv6 address", { targetHost: "::1", targetPort: 443 }, []],
            [
                "another protocol",
                { protocol: "UDP", targetHost: "a.example", targetPort: 443 },
                ['spec.trafficPolicy.tunnel.protocol: tunnel protocol must be "CONNECT" or "POST"'],
            ],
            [
                "a host that is neither",
                { targetHost: "bad host", targetPort: 443 },
                [
                    'spec.trafficPolicy.tunnel.targetHost: tunnel target host must be valid FQDN or IP address: domain name "bad host" invalid (label "bad host" invalid); bad host is not a valid IP',
                ],
            ],
            [
                "no host and no port",
                {},
                [
                    "spec.trafficPolicy.tunnel.targetHost: tunnel target host must be valid FQDN or IP address: empty domain name not allowed;  is not a valid IP",
                    "spec.trafficPolicy.tunnel.targetPort: tunnel target port is invalid: port number 0 must be in the range 1..65535",
                ],
            ],
            [
                "port 65536",
                { targetHost: "a.example", targetPort: 65536 },
                [
                    "spec.trafficPolicy.tunnel.targetPort: tunnel target port is invalid: port number 65536 must be in the range 1..65535",
                ],
            ],
        ],
        (tunnel) => policy({ tunnel }),
    );
    it("subsets carry their own traffic policy", () => {
        assert.deepEqual(issues("DestinationRule", { host: "web", subsets: [{ name: "v1", trafficPolicy: {} }] }), [
            "spec.subsets[0].trafficPolicy: traffic policy must have at least one field",
        ]);
    });
});
