// The third layer of "Preview is the truth": istiod's validating webhook rules that the CRD does
// not carry, on the objects this config produces, with the message a user reads at the config key.
import * as assert from "node:assert/strict";
import { hostsMatch, isCidr, isIpAddress, labelProblems, regexProblem } from "../components/validation/webhook";
import { problemLines } from "./problems";

const dest = (host = "web", extra: Record<string, unknown> = {}) => ({ destination: { host, ...extra } });
const app = (extra: Record<string, unknown>, http: unknown[] = [{ route: [dest()] }]) => ({
    apps: [{ name: "shop", http, ...extra }],
});
const vs = (at: string) => `istiod's validating webhook would refuse VirtualService shop/shop (${at})`;
const dr = (at: string) => `istiod's validating webhook would refuse DestinationRule shop/web (${at})`;
const se = (at: string) => `istiod's validating webhook would refuse ServiceEntry shop/api-example-com (${at})`;
const ap = (at: string) => `istiod's validating webhook would refuse AuthorizationPolicy shop/shop (${at})`;

describe("istiod's webhook: regexes are RE2 (Go's regexp), not JavaScript's", () => {
    const cases: { name: string; http: unknown[]; expected: string[] }[] = [
        {
            name: "a lookahead in a uri match",
            http: [{ match: [{ uri: { regex: "^/(?!admin).*" } }], route: [dest()] }],
            expected: [
                `eks-istio:apps[0].http[0].match[0].uri.regex: "uri": error parsing regexp: invalid or unsupported Perl syntax: \`(?!\`; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax); ${vs("spec.http[0].match[0].uri.regex")}`,
            ],
        },
        {
            name: "a lookbehind in a header match",
            http: [{ match: [{ headers: { "x-user": { regex: "(?<=a)b" } } }], route: [dest()] }],
            expected: [
                `eks-istio:apps[0].http[0].match[0].headers.x-user.regex: "headers": error parsing regexp: invalid named capture: \`(?<=a)b\`; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax); ${vs("spec.http[0].match[0].headers.x-user.regex")}`,
            ],
        },
        {
            name: "a backreference in a rewrite",
            http: [
                {
                    match: [{ uri: { prefix: "/a" } }],
                    rewrite: { uriRegexRewrite: { match: "(a)\\1", rewrite: "/" } },
                    route: [dest()],
                },
            ],
            expected: [
                `eks-istio:apps[0].http[0].rewrite.uriRegexRewrite.match: "HTTPRewrite.UriRegexRewrite.Match": error parsing regexp: invalid escape sequence: \`\\1\`; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax); ${vs("spec.http[0].rewrite.uriRegexRewrite.match")}`,
            ],
        },
        {
            name: "a regex longer than 1024 bytes",
            http: [{ match: [{ uri: { regex: `/${"a".repeat(1024)}` } }], route: [dest()] }],
            expected: [
                `eks-istio:apps[0].http[0].match[0].uri.regex: "uri": regex is too large, max length allowed is 1024; ${vs("spec.http[0].match[0].uri.regex")}`,
            ],
        },
    ];
    for (const c of cases) it(c.name, () => assert.deepEqual(problemLines(app({}, c.http)), c.expected));

    it("RE2 syntax JavaScript lacks is accepted ((?P<name>...), \\pL, (?i))", () => {
        assert.equal(regexProblem("(?P<v>v[0-9]+)/\\pL+(?i)x", "uri"), undefined);
    });
});

describe("istiod's webhook: VirtualService rules the CRD does not carry", () => {
    const cases: { name: string; values: Record<string, unknown>; expected: string[] }[] = [
        {
            name: "a destination host with a scheme",
            values: app({}, [{ route: [dest("http://web")] }]),
            expected: [
                `eks-istio:apps[0].http[0].route[0].destination.host: domain name "http://web" invalid (label "http://web" invalid); ${vs("spec.http[0].route[0].destination.host")}`,
            ],
        },
        {
            name: "a destination host with a port",
            values: app({}, [{ route: [dest("web:8080")] }]),
            expected: [
                `eks-istio:apps[0].http[0].route[0].destination.host: domain name "web:8080" invalid (label "web:8080" invalid); ${vs("spec.http[0].route[0].destination.host")}`,
            ],
        },
        {
            name: "a bare * as destination host",
            values: app({}, [{ route: [dest("*")] }]),
            expected: [
                `eks-istio:apps[0].http[0].route[0].destination.host: invalid destination host *; ${vs("spec.http[0].route[0].destination.host")}`,
            ],
        },
        {
            name: "a mirror host with a path",
            values: app({}, [{ route: [dest()], mirror: { host: "web/v2" } }]),
            expected: [
                `eks-istio:apps[0].http[0].mirror.host: domain name "web/v2" invalid (label "web/v2" invalid); ${vs("spec.http[0].mirror.host")}`,
            ],
        },
        {
            name: "destination port 0 and 70000 (the CRD allows any uint32)",
            values: app({}, [{ route: [dest("web", { port: { number: 70000 } })] }]),
            expected: [
                `eks-istio:apps[0].http[0].route[0].destination.port.number: port number 70000 must be in the range 1..65535; ${vs("spec.http[0].route[0].destination.port.number")}`,
            ],
        },
        {
            name: "a redirect port out of range",
            values: app({}, [{ redirect: { port: 70000 } }]),
            expected: [
                `eks-istio:apps[0].http[0].redirect.port: port number 70000 must be in the range 1..65535; ${vs("spec.http[0].redirect.port")}`,
            ],
        },
        {
            name: "an empty redirect",
            values: app({}, [{ redirect: {} }]),
            expected: [
                `eks-istio:apps[0].http[0].redirect: redirect must specify URI, authority, scheme, or port; ${vs("spec.http[0].redirect")}`,
            ],
        },
        {
            name: "a redirect scheme other than http or https",
            values: app({}, [{ redirect: { scheme: "ftp", uri: "/x" } }]),
            expected: [
                `eks-istio:apps[0].http[0].redirect.scheme: invalid redirect scheme, must be "http" or "https"; ${vs("spec.http[0].redirect.scheme")}`,
            ],
        },
        {
            name: "an empty rewrite",
            values: app({}, [{ rewrite: {}, route: [dest()] }]),
            expected: [
                `eks-istio:apps[0].http[0].rewrite: rewrite must specify at least one of URI, UriRegexRewrite, or authority. Only one of URI or UriRegexRewrite may be specified; ${vs("spec.http[0].rewrite")}`,
            ],
        },
        {
            name: "a header match name with a space",
            values: app({}, [{ match: [{ headers: { "x user": { exact: "a" } } }], route: [dest()] }]),
            expected: [
                `eks-istio:apps[0].http[0].match[0].headers.x user: header name x user is not a valid header name; ${vs("spec.http[0].match[0].headers.x user")}`,
            ],
        },
        {
            name: "setting the Host header on a response",
            values: app({}, [{ route: [dest()], headers: { response: { set: { host: "x" } } } }]),
            expected: [
                `eks-istio:apps[0].http[0].headers.response.set.host: invalid header "host": cannot set Host header; ${vs("spec.http[0].headers.response.set.host")}`,
            ],
        },
        {
            name: "a header value with an unterminated Envoy variable",
            values: app({}, [{ route: [dest()], headers: { request: { set: { "x-a": "100%" } } } }]),
            expected: [
                `eks-istio:apps[0].http[0].headers.request.set.x-a: header value configuration: invalid header configuration. Un-escaped %; ${vs("spec.http[0].headers.request.set.x-a")}`,
            ],
        },
        {
            name: "duplicate hosts in one VirtualService (a wildcard covers the other)",
            values: {
                ingress: { port: 8000, hosts: ["*.example.com"] },
                apps: [{ name: "shop", hosts: ["*.example.com", "shop.example.com"], http: [{ route: [dest()] }] }],
            },
            expected: [
                `eks-istio:apps[0].hosts[1]: duplicate hosts in virtual service: *.example.com & shop.example.com; ${vs("spec.hosts[1]")}`,
            ],
        },
        {
            name: "a timeout below millisecond precision",
            values: app({}, [{ route: [dest()], timeout: "1500us" }]),
            expected: [
                `eks-istio:apps[0].http[0].timeout: only durations to ms precision are supported; ${vs("spec.http[0].timeout")}`,
            ],
        },
        {
            name: "retries with attempts 0 and a retry policy",
            values: app({}, [{ route: [dest()], retries: { attempts: 0, retryOn: "5xx" } }]),
            expected: [
                `eks-istio:apps[0].http[0].retries: http retry policy configured when attempts are set to 0 (disabled); ${vs("spec.http[0].retries")}`,
            ],
        },
        {
            name: "an unknown retryOn policy",
            values: app({}, [{ route: [dest()], retries: { attempts: 2, retryOn: "5xx,oops" } }]),
            expected: [
                `eks-istio:apps[0].http[0].retries.retryOn: "oops" is not a valid retryOn policy; ${vs("spec.http[0].retries.retryOn")}`,
            ],
        },
        {
            name: "a directResponse body over 1 MB",
            values: app({}, [{ directResponse: { status: 200, body: { string: "x".repeat(1024 * 1024 + 1) } } }]),
            expected: [
                `eks-istio:apps[0].http[0].directResponse.body: large direct_responses may impact control plane performance, must be less than 1MB; ${vs("spec.http[0].directResponse.body")}`,
            ],
        },
        {
            name: "a CORS method Go does not know",
            values: app({}, [{ route: [dest()], corsPolicy: { allowMethods: ["GETS"] } }]),
            expected: [
                `eks-istio:apps[0].http[0].corsPolicy.allowMethods[0]: "GETS" is not a supported HTTP method; ${vs("spec.http[0].corsPolicy.allowMethods[0]")}`,
            ],
        },
        {
            // Both reasons at one key: one line, told once which object istiod would refuse.
            name: "source labels that are not Kubernetes labels",
            values: app({}, [{ match: [{ sourceLabels: { "app/x/y": "a b" } }], route: [dest()] }]),
            expected: [
                `eks-istio:apps[0].http[0].match[0].sourceLabels.app/x/y: invalid tag key: "app/x/y"; invalid tag value: "a b"; ${vs("spec.http[0].match[0].sourceLabels.app/x/y")}`,
            ],
        },
    ];
    for (const c of cases) it(c.name, () => assert.deepEqual(problemLines(c.values), c.expected));
});

describe("istiod's webhook: DestinationRule, ServiceEntry and AuthorizationPolicy rules", () => {
    const cases: { name: string; values: Record<string, unknown>; expected: string[] }[] = [
        {
            name: "subset labels that are not Kubernetes label values",
            values: app({ destinationRules: [{ host: "web", subsets: [{ name: "v1", labels: { version: "v1!" } }] }] }),
            expected: [
                `eks-istio:apps[0].destinationRules[0].subsets[0].labels.version: invalid tag value: "v1!"; ${dr("spec.subsets[0].labels.version")}`,
            ],
        },
        {
            name: "an empty trafficPolicy",
            values: app({ destinationRules: [{ host: "web", trafficPolicy: {} }] }),
            expected: [
                `eks-istio:apps[0].destinationRules[0].trafficPolicy: traffic policy must have at least one field; ${dr("spec.trafficPolicy")}`,
            ],
        },
        {
            name: "a maglev table size that is not prime",
            values: app({
                destinationRules: [
                    {
                        host: "web",
                        trafficPolicy: { loadBalancer: { consistentHash: { maglev: { tableSize: 65536 } } } },
                    },
                ],
            }),
            expected: [
                `eks-istio:apps[0].destinationRules[0].trafficPolicy.loadBalancer.consistentHash.maglev.tableSize: tableSize must be a prime number for maglev; ${dr("spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize")}`,
            ],
        },
        {
            name: "a ServiceEntry bare * host",
            values: app({ serviceEntries: [{ hosts: ["api.example.com", "*"], resolution: "NONE" }] }),
            expected: [
                // The CRD's own rule refuses it first; the webhook never sees the object.
                "eks-istio:apps[0].serviceEntries[0].hosts[1]: hostname cannot be wildcard; the API server would refuse ServiceEntry shop/api-example-com (spec.hosts[1], by the Istio CRD's schema)",
            ],
        },
        {
            name: "a ServiceEntry address with leading-zero octets",
            values: app({
                serviceEntries: [
                    {
                        hosts: ["api.example.com"],
                        addresses: ["10.01.0.0/16"],
                        resolution: "STATIC",
                        endpoints: [{ address: "10.1.0.1" }],
                    },
                ],
            }),
            expected: [
                `eks-istio:apps[0].serviceEntries[0].addresses[0]: 10.01.0.0/16 is not a valid CIDR block; ${se("spec.addresses[0]")}`,
            ],
        },
        {
            name: "a ServiceEntry port name that is not a DNS label",
            values: app({
                serviceEntries: [
                    {
                        hosts: ["api.example.com"],
                        ports: [{ number: 443, name: "https_1", protocol: "TLS" }],
                        resolution: "DNS",
                    },
                ],
            }),
            expected: [
                `eks-istio:apps[0].serviceEntries[0].ports[0].name: invalid port name: https_1; ${se("spec.ports[0].name")}`,
            ],
        },
        {
            name: "a STATIC endpoint that is a host name",
            values: app({
                serviceEntries: [
                    { hosts: ["api.example.com"], resolution: "STATIC", endpoints: [{ address: "db.internal" }] },
                ],
            }),
            expected: [
                `eks-istio:apps[0].serviceEntries[0].endpoints[0].address: endpoint address "db.internal" is not a valid IP address; ${se("spec.endpoints[0].address")}`,
            ],
        },
        {
            name: "an endpoint port the ServiceEntry does not define",
            values: app({
                serviceEntries: [
                    {
                        hosts: ["api.example.com"],
                        ports: [{ number: 443, name: "https", protocol: "TLS" }],
                        resolution: "STATIC",
                        endpoints: [{ address: "10.1.0.1", ports: { http: 80 } }],
                    },
                ],
            }),
            expected: [
                `eks-istio:apps[0].serviceEntries[0].endpoints[0].ports.http: endpoint port 80 is not defined by the service entry; ${se("spec.endpoints[0].ports.http")}`,
            ],
        },
        {
            name: "several hosts with a TCP port",
            values: app({
                serviceEntries: [
                    {
                        hosts: ["api.example.com", "b.example.com"],
                        ports: [{ number: 5432, name: "pg", protocol: "TCP" }],
                        resolution: "DNS",
                    },
                ],
            }),
            expected: [
                `eks-istio:apps[0].serviceEntries[0].ports: multiple hosts provided with non-HTTP, non-TLS ports; ${se("spec.ports")}`,
            ],
        },
        {
            name: "an AuthorizationPolicy CIDR with a leading-zero octet",
            values: app({ authorization: [{ from: [{ source: { ipBlocks: ["10.0.0.01/32"] } }] }] }),
            expected: [
                `eks-istio:apps[0].authorization[0].from[0].source.ipBlocks[0]: bad CIDR range (10.0.0.01/32); ${ap("spec.rules[1].from[0].source.ipBlocks[0]")}`,
            ],
        },
        {
            name: "an AuthorizationPolicy with an empty source",
            values: app({ authorization: [{ from: [{ source: {} }] }] }),
            expected: [
                `eks-istio:apps[0].authorization[0].from[0].source: \`from.source\` must not be empty, found at rule 1; ${ap("spec.rules[1].from[0].source")}`,
            ],
        },
        {
            name: "an AuthorizationPolicy port that is not a number",
            values: app({ authorization: [{ to: [{ operation: { ports: ["http"] } }] }] }),
            expected: [
                `eks-istio:apps[0].authorization[0].to[0].operation.ports[0]: bad port (http); ${ap("spec.rules[1].to[0].operation.ports[0]")}`,
            ],
        },
        {
            name: "an unsupported path template in an authorization rule",
            values: app({ authorization: [{ to: [{ operation: { paths: ["/{*}/items/{id}"] } }] }] }),
            expected: [
                `eks-istio:apps[0].authorization[0].to[0].operation.paths[0]: invalid or unsupported path template, found in Paths; ${ap("spec.rules[1].to[0].operation.paths[0]")}`,
            ],
        },
        {
            name: "a condition key istiod does not know",
            values: app({
                authorization: [
                    { from: [{ source: { namespaces: ["a"] } }], when: [{ key: "request.header[x]", values: ["1"] }] },
                ],
            }),
            expected: [
                `eks-istio:apps[0].authorization[0].when[0].values: invalid \`value\` for \`key\` request.header[x]: unknown attribute: request.header[x]; ${ap("spec.rules[1].when[0].values")}`,
            ],
        },
        {
            name: "a condition on source.ip that is not an IP",
            values: app({
                authorization: [
                    { from: [{ source: { namespaces: ["a"] } }], when: [{ key: "source.ip", values: ["10.0.0.256"] }] },
                ],
            }),
            expected: [
                `eks-istio:apps[0].authorization[0].when[0].values: invalid \`value\` for \`key\` source.ip: bad IP address (10.0.0.256); ${ap("spec.rules[1].when[0].values")}`,
            ],
        },
    ];
    for (const c of cases) it(c.name, () => assert.deepEqual(problemLines(c.values), c.expected));
});

describe("istiod's primitives", () => {
    it("IP addresses as Go's netip parses them", () => {
        const table: [string, boolean][] = [
            ["10.0.0.1", true],
            ["10.0.0.01", false],
            ["256.0.0.1", false],
            ["::1", true],
            ["2001:db8::", true],
            ["2001:db8:::1", false],
            ["::ffff:10.0.0.1", true],
            ["1:2:3:4:5:6:7:8", true],
            ["1:2:3:4:5:6:7:8:9", false],
        ];
        for (const [s, want] of table) assert.equal(isIpAddress(s), want, s);
    });
    it("CIDRs: prefix length in range and without leading zeros", () => {
        const table: [string, boolean][] = [
            ["10.0.0.0/8", true],
            ["10.0.0.0/08", false],
            ["10.0.0.0/33", false],
            ["2001:db8::/32", true],
            ["10.0.0.0", false],
        ];
        for (const [s, want] of table) assert.equal(isCidr(s), want, s);
    });
    it("host.Name.Matches: wildcards cover the hosts below them", () => {
        const table: [string, string, boolean][] = [
            ["*.example.com", "a.example.com", true],
            ["a.example.com", "*.example.com", true],
            ["*.com", "*.example.com", true],
            ["*", "anything", true],
            ["a.example.com", "b.example.com", false],
        ];
        for (const [a, b, want] of table) assert.equal(hostsMatch(a, b), want, `${a} ${b}`);
    });
    it("label keys with a DNS prefix, values up to 63 characters", () => {
        assert.deepEqual(labelProblems({ "app.kubernetes.io/name": "web", version: "v1" }), []);
        assert.deepEqual(labelProblems({ version: "v".repeat(64) }), [
            { key: "version", message: `invalid tag value: "${"v".repeat(39)}…"` },
        ]);
    });
});
