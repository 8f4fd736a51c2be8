// istiod's validating webhook on DestinationRule, ServiceEntry, AuthorizationPolicy, Gateway and
// Telemetry objects, fed straight to webhookIssues: the exact path and message istiod reports
// (istio/istio pkg/config/validation validation.go, pkg/config/security, pkg/config/visibility).
import * as assert from "node:assert/strict";
import { fieldPathText } from "../components/validation/crd";
import { attributeProblem, webhookIssues } from "../components/validation/webhook";

const issues = (kind: string, spec: unknown, metadata: { name?: string; namespace?: string } = { name: "x" }) =>
    webhookIssues({ kind, metadata, spec }).map((i) => `${fieldPathText(i.path)}: ${i.message}`);

type Case = { name: string; spec: unknown; expected: string[]; namespace?: string };
const table = (kind: string, cases: Case[]) => {
    for (const c of cases)
        it(c.name, () =>
            assert.deepEqual(issues(kind, c.spec, { name: "x", namespace: c.namespace ?? "shop" }), c.expected),
        );
};

const maglev = (tableSize: unknown) => ({
    host: "web",
    trafficPolicy: { loadBalancer: { consistentHash: { httpHeaderName: "u", maglev: { tableSize } } } },
});
const MAGLEV = "spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize";

describe("istiod's webhook: DestinationRule", () => {
    table("DestinationRule", [
        { name: "a plain rule is admitted", spec: { host: "web.shop.svc.cluster.local" }, expected: [] },
        {
            name: "a host that is not a domain",
            spec: { host: "web_1" },
            expected: ['spec.host: domain name "web_1" invalid (label "web_1" invalid)'],
        },
        { name: "an empty host", spec: {}, expected: ["spec.host: empty domain name not allowed"] },
        {
            name: "maglev: no table size",
            spec: maglev(undefined),
            expected: [
                `${MAGLEV}: tableSize must be set for maglev`,
                `${MAGLEV}: tableSize must be a prime number for maglev`,
            ],
        },
        { name: "maglev: 1, 2, 3 pass istiod's (Envoy's) prime test", spec: maglev(2), expected: [] },
        { name: "maglev: 3", spec: maglev(3), expected: [] },
        { name: "maglev: 1", spec: maglev(1), expected: [] },
        { name: "maglev: 4", spec: maglev(4), expected: [`${MAGLEV}: tableSize must be a prime number for maglev`] },
        {
            name: "maglev: 9 = 3²",
            spec: maglev(9),
            expected: [`${MAGLEV}: tableSize must be a prime number for maglev`],
        },
        {
            name: "maglev: 25 = 5²",
            spec: maglev(25),
            expected: [`${MAGLEV}: tableSize must be a prime number for maglev`],
        },
        {
            name: "maglev: 35 = 5·7",
            spec: maglev(35),
            expected: [`${MAGLEV}: tableSize must be a prime number for maglev`],
        },
        { name: "maglev: 65537 is prime", spec: maglev(65537), expected: [] },
        {
            name: "maglev: 5000011 is prime but too large",
            spec: maglev(5000011),
            expected: [`${MAGLEV}: tableSize must be less than 5000011 for maglev`],
        },
        {
            name: "subsets: duplicate, invalid and empty names, bad labels, their own traffic policy",
            spec: {
                host: "web",
                subsets: [
                    { name: "v1", labels: { version: "v1" } },
                    { name: "v1" },
                    { name: "V_2" },
                    { labels: { "a/b/c": "v", ok: "-bad" } },
                    {
                        name: "v3",
                        trafficPolicy: {
                            loadBalancer: { consistentHash: { httpHeaderName: "u", maglev: { tableSize: 4 } } },
                        },
                    },
                ],
            },
            expected: [
                "spec.subsets[1].name: duplicate subset names: v1",
                "spec.subsets[2].name: subset name is invalid: V_2",
                "spec.subsets[3].name: subset name cannot be empty",
                'spec.subsets[3].labels.a/b/c: invalid tag key: "a/b/c"',
                'spec.subsets[3].labels.ok: invalid tag value: "-bad"',
                "spec.subsets[4].trafficPolicy.loadBalancer.consistentHash.maglev.tableSize: tableSize must be a prime number for maglev",
            ],
        },
        {
            name: "a null subset",
            spec: { host: "web", subsets: [{ name: "v1" }, null] },
            expected: ["spec.subsets[1]: subset may not be null"],
        },
        {
            name: "subsets: an empty name twice is a duplicate too",
            spec: { host: "web", subsets: [{}, {}] },
            expected: [
                "spec.subsets[0].name: subset name cannot be empty",
                "spec.subsets[1].name: duplicate subset names: ",
                "spec.subsets[1].name: subset name cannot be empty",
            ],
        },
        {
            name: "workload selector: wildcards and an empty key",
            spec: { host: "web", workloadSelector: { matchLabels: { "app*": "web", "": "v", tier: "*" } } },
            expected: [
                'spec.workloadSelector.matchLabels.app*: wildcard is not supported in selector: "app*=web"',
                'spec.workloadSelector.matchLabels.: empty key is not supported in selector: "=v"',
                'spec.workloadSelector.matchLabels.tier: wildcard is not supported in selector: "tier=*"',
            ],
        },
        // exportTo: pkg/config/visibility and validateExportTo
        { name: "exportTo . and a namespace", spec: { host: "web", exportTo: [".", "other"] }, expected: [] },
        {
            name: "exportTo * with another entry",
            spec: { host: "web", exportTo: ["*", "."] },
            expected: ["spec.exportTo: cannot have both public (*) and non-public exportTo values for a resource"],
        },
        { name: "exportTo * alone", spec: { host: "web", exportTo: ["*"] }, expected: [] },
        {
            name: "exportTo: a duplicate entry",
            spec: { host: "web", exportTo: ["other", "other"] },
            expected: ["spec.exportTo[1]: duplicate entries in exportTo for entry other"],
        },
        {
            name: "exportTo: the namespace after .",
            spec: { host: "web", exportTo: [".", "shop"] },
            expected: ["spec.exportTo[1]: duplicate entries in exportTo for entry shop"],
        },
        {
            name: "exportTo: . after the namespace",
            spec: { host: "web", exportTo: ["shop", "."] },
            expected: ["spec.exportTo[1]: duplicate entries in exportTo: . and current namespace shop"],
        },
        {
            name: "exportTo: . is the namespace the object is in",
            namespace: "other",
            spec: { host: "web", exportTo: ["shop", "."] },
            expected: [],
        },
        {
            name: "exportTo: an entry that is not a namespace name, twice (refused entries are not remembered)",
            spec: { host: "web", exportTo: ["Shop_", "Shop_"] },
            expected: [
                "spec.exportTo[0]: only .,*,~, or a valid DNS 1123 label is allowed as exportTo entry",
                "spec.exportTo[1]: only .,*,~, or a valid DNS 1123 label is allowed as exportTo entry",
            ],
        },
        {
            name: "exportTo: ~ is for ServiceEntries only",
            spec: { host: "web", exportTo: ["~"] },
            expected: ["spec.exportTo[0]: exportTo ~ (none) is not allowed for Istio configuration objects"],
        },
        {
            name: "exportTo: a refused entry next to * still counts as another entry",
            spec: { host: "web", exportTo: ["*", "~"] },
            expected: [
                "spec.exportTo[1]: exportTo ~ (none) is not allowed for Istio configuration objects",
                "spec.exportTo: cannot have both public (*) and non-public exportTo values for a resource",
            ],
        },
        {
            name: "workload selector with exportTo beyond the namespace",
            spec: { host: "web", workloadSelector: { matchLabels: { app: "web" } }, exportTo: ["other"] },
            expected: [
                "spec.exportTo: destination rule with workload selector cannot have exportTo beyond current namespace",
            ],
        },
        {
            name: "workload selector with exportTo . and more",
            spec: { host: "web", workloadSelector: { matchLabels: { app: "web" } }, exportTo: [".", "other"] },
            expected: [
                "spec.exportTo: destination rule with workload selector cannot have multiple entries in exportTo",
            ],
        },
        {
            name: "workload selector with exportTo . only",
            spec: { host: "web", workloadSelector: { matchLabels: { app: "web" } }, exportTo: ["."] },
            expected: [],
        },
        {
            name: "workload selector with exportTo naming its own namespace",
            spec: { host: "web", workloadSelector: {}, exportTo: ["shop"] },
            expected: [],
        },
        {
            name: "workload selector with only refused exportTo entries: nothing beyond the entry's own message",
            spec: { host: "web", workloadSelector: {}, exportTo: ["Shop_"] },
            expected: ["spec.exportTo[0]: only .,*,~, or a valid DNS 1123 label is allowed as exportTo entry"],
        },
    ]);

    it("an object without a namespace is judged in default", () =>
        assert.deepEqual(issues("DestinationRule", { host: "web", exportTo: ["default", "."] }, { name: "x" }), [
            "spec.exportTo[1]: duplicate entries in exportTo: . and current namespace default",
        ]));
});

const se = (extra: Record<string, unknown>) => ({
    hosts: ["api.example.com"],
    ports: [{ number: 443, name: "https", protocol: "TLS" }],
    ...extra,
});

describe("istiod's webhook: ServiceEntry", () => {
    table("ServiceEntry", [
        { name: "a plain entry is admitted", spec: se({ resolution: "DNS" }), expected: [] },
        {
            name: "hosts: * and a non-domain",
            spec: se({ hosts: ["*", "api_1.example.com", "*.example.com"] }),
            expected: [
                "spec.hosts[0]: invalid host *",
                'spec.hosts[1]: domain name "api_1.example.com" invalid (label "api_1" invalid)',
            ],
        },
        {
            name: "addresses: IPs and CIDR blocks",
            spec: se({ addresses: ["10.0.0.1", "10.0.0.0/8", "10.0.0.0/33", "10.0.0", "fd00::/8/1"] }),
            expected: [
                "spec.addresses[2]: 10.0.0.0/33 is not a valid CIDR block",
                "spec.addresses[3]: 10.0.0 is not a valid IP",
                "spec.addresses[4]: fd00::/8/1 is not a valid IP",
            ],
        },
        {
            name: "ports: duplicate names and numbers, bad names, numbers and target ports",
            spec: se({
                ports: [
                    { number: 80, name: "http", targetPort: 8080 },
                    { number: 80, name: "http" },
                    { number: 0, name: "Web_1", targetPort: 70000 },
                    { number: 81, name: "tcp", targetPort: 0 },
                    "not a port",
                ],
            }),
            expected: [
                'spec.ports[1].name: service entry port name "http" already defined',
                "spec.ports[1].number: service entry port 80 already defined",
                "spec.ports[2].targetPort: port number 70000 must be in the range 1..65535",
                "spec.ports[2].name: invalid port name: Web_1",
                "spec.ports[2].number: port number 0 must be in the range 1..65535",
                "spec.ports[4]: service entry port may not be null",
            ],
        },
        {
            name: "STATIC endpoints: addresses, ports and labels",
            spec: se({
                resolution: "STATIC",
                ports: [{ number: 80, name: "http", protocol: "HTTP" }],
                endpoints: [
                    { address: "10.0.0.1", ports: { http: 8080 }, labels: { app: "api" } },
                    { address: "api.internal" },
                    { address: "" },
                    { address: "10.0.0.2", ports: { grpc: 9090, Bad_: 0 }, labels: { "-x": "y" } },
                    null,
                ],
            }),
            expected: [
                'spec.endpoints[1].address: endpoint address "api.internal" is not a valid IP address',
                "spec.endpoints[2].address: address is required",
                "spec.endpoints[3].ports.grpc: endpoint port 9090 is not defined by the service entry",
                "spec.endpoints[3].ports.Bad_: endpoint port 0 is not defined by the service entry",
                "spec.endpoints[3].ports.Bad_: invalid port name: Bad_",
                "spec.endpoints[3].ports.Bad_: port number 0 must be in the range 1..65535",
                'spec.endpoints[3].labels.-x: invalid tag key: "-x"',
                "spec.endpoints[4]: endpoint cannot be nil",
            ],
        },
        {
            name: "STATIC unix endpoints",
            spec: se({
                resolution: "STATIC",
                hosts: ["api.example.com"],
                ports: [{ number: 80, name: "http", protocol: "HTTP" }],
                endpoints: [
                    { address: "unix:///var/run/api.sock" },
                    { address: "unix://@abstract" },
                    { address: "unix://" },
                    { address: "unix://var/run/api.sock" },
                    { address: "unix:///var/run/" },
                    { address: "unix:///var/run/api.sock", ports: { http: 80 } },
                ],
            }),
            expected: [
                "spec.endpoints[2].address: unix address must not be empty",
                "spec.endpoints[3].address: var/run/api.sock is not an absolute path to a file",
                "spec.endpoints[4].address: /var/run/ is not an absolute path to a file",
                "spec.endpoints[5].ports: unix endpoint unix:///var/run/api.sock must not include ports",
            ],
        },
        {
            name: "STATIC unix endpoint with two service ports",
            spec: se({
                resolution: "STATIC",
                ports: [
                    { number: 80, name: "http", protocol: "HTTP" },
                    { number: 81, name: "http2", protocol: "HTTP" },
                ],
                endpoints: [{ address: "unix:///var/run/api.sock" }],
            }),
            expected: ["spec.endpoints[0].address: exactly 1 service port required for unix endpoints"],
        },
        {
            name: "DNS endpoints: addresses, ports and labels",
            spec: se({
                resolution: "DNS",
                endpoints: [
                    { address: "10.0.0.1" },
                    { address: "api.internal", ports: { https: 8443 } },
                    { address: "api_1.internal", ports: { grpc: 70000 }, labels: { app: "a b" } },
                    null,
                ],
            }),
            expected: [
                'spec.endpoints[2].address: endpoint address "api_1.internal" is not a valid FQDN or an IP address',
                'spec.endpoints[2].labels.app: invalid tag value: "a b"',
                "spec.endpoints[2].ports.grpc: endpoint port 70000 is not defined by the service entry",
                "spec.endpoints[2].ports.grpc: port number 70000 must be in the range 1..65535",
                "spec.endpoints[3]: endpoint cannot be nil",
            ],
        },
        {
            name: "DNS without endpoints needs FQDN hosts (istiod names the first that is not)",
            spec: se({ resolution: "DNS", hosts: ["api.example.com", "*.example.com", "*.example.org"] }),
            expected: [
                'spec.hosts[1]: hosts must be FQDN or contain only prefix wildcards if no endpoints are provided for resolution mode DNS, domain name "*.example.com" invalid (label "*" invalid)',
            ],
        },
        {
            name: "DNS_ROUND_ROBIN without endpoints needs FQDN hosts",
            spec: se({ resolution: "DNS_ROUND_ROBIN", hosts: ["*.example.com"] }),
            expected: [
                'spec.hosts[0]: hosts must be FQDN or contain only prefix wildcards if no endpoints are provided for resolution mode DNS_ROUND_ROBIN, domain name "*.example.com" invalid (label "*" invalid)',
            ],
        },
        {
            name: "DNS_ROUND_ROBIN endpoints are checked as DNS ones",
            spec: se({ resolution: "DNS_ROUND_ROBIN", hosts: ["*.example.com"], endpoints: [{ address: "a_b" }] }),
            expected: ['spec.endpoints[0].address: endpoint address "a_b" is not a valid FQDN or an IP address'],
        },
        {
            name: "DNS with endpoints does not need FQDN hosts",
            spec: se({ resolution: "DNS", hosts: ["*.example.com"], endpoints: [{ address: "api.internal" }] }),
            expected: [],
        },
        {
            name: "NONE: several hosts with a TCP port are fine, endpoints are not",
            spec: se({
                hosts: ["a.example.com", "b.example.com"],
                ports: [{ number: 5432, name: "tcp", protocol: "TCP" }],
                endpoints: [{ address: "not an address" }],
            }),
            expected: ["spec.endpoints: no endpoints should be provided for resolution type none"],
        },
        {
            name: "DNS: several hosts with a TCP port (reported once)",
            spec: se({
                resolution: "DNS",
                hosts: ["a.example.com", "b.example.com"],
                ports: [
                    { number: 5432, name: "tcp", protocol: "TCP" },
                    { number: 5433, name: "tcp2" },
                ],
            }),
            expected: ["spec.ports: multiple hosts provided with non-HTTP, non-TLS ports"],
        },
        {
            name: "DNS: several hosts with HTTP (any case), HTTP2, GRPC, GRPC-WEB, HTTP_PROXY, HTTPS and TLS ports",
            spec: se({
                resolution: "DNS",
                hosts: ["a.example.com", "b.example.com"],
                ports: [
                    { number: 1, name: "a", protocol: "http" },
                    { number: 2, name: "b", protocol: "HTTP2" },
                    { number: 3, name: "c", protocol: "GRPC" },
                    { number: 4, name: "d", protocol: "GRPC-WEB" },
                    { number: 5, name: "e", protocol: "HTTP_PROXY" },
                    { number: 6, name: "f", protocol: "HTTPS" },
                    { number: 7, name: "g", protocol: "TLS" },
                ],
            }),
            expected: [],
        },
        {
            name: "STATIC: several hosts with a port of no protocol; a null port",
            spec: se({
                resolution: "STATIC",
                hosts: ["a.example.com", "b.example.com"],
                ports: [null, { number: 7, name: "p" }],
                endpoints: [{ address: "10.0.0.1" }],
            }),
            expected: [
                "spec.ports[0]: service entry port may not be null",
                "spec.ports[0]: ports cannot be nil",
                "spec.ports: multiple hosts provided with non-HTTP, non-TLS ports",
            ],
        },
        {
            name: "STATIC: an endpoint on another network may leave its address out",
            spec: se({ resolution: "STATIC", endpoints: [{ network: "west", ports: { https: 15443 } }] }),
            expected: [],
        },
        {
            name: "no hosts",
            spec: se({ hosts: [] }),
            expected: ["spec.hosts: service entry must have at least one host"],
        },
        {
            name: "CIDR addresses with DNS resolution",
            spec: se({ resolution: "DNS", addresses: ["10.0.0.1", "10.0.0.0/24"] }),
            expected: ["spec.addresses: CIDR addresses are allowed only for NONE/STATIC resolution types"],
        },
        {
            name: "CIDR addresses with STATIC and NONE resolution, IP addresses with DNS",
            spec: se({ resolution: "STATIC", addresses: ["10.0.0.0/24"], endpoints: [{ address: "10.0.0.1" }] }),
            expected: [],
        },
        { name: "CIDR addresses with NONE resolution", spec: se({ addresses: ["10.0.0.0/24"] }), expected: [] },
        {
            name: "IP addresses with DNS resolution",
            spec: se({ resolution: "DNS", addresses: ["10.0.0.1"] }),
            expected: [],
        },
        {
            name: "DNS_ROUND_ROBIN with two endpoints",
            spec: se({
                resolution: "DNS_ROUND_ROBIN",
                endpoints: [{ address: "a.internal" }, { address: "b.internal" }],
            }),
            expected: ["spec.endpoints: there must only be 0 or 1 endpoint for resolution mode DNS_ROUND_ROBIN"],
        },
        {
            name: "DNS with two endpoints",
            spec: se({ resolution: "DNS", endpoints: [{ address: "a.internal" }, { address: "b.internal" }] }),
            expected: [],
        },
        {
            name: "workload selector and endpoints",
            spec: se({
                resolution: "STATIC",
                workloadSelector: { labels: { app: "api" } },
                endpoints: [{ address: "10.0.0.1" }],
            }),
            expected: ["spec.endpoints: only one of WorkloadSelector or Endpoints is allowed in Service Entry"],
        },
        {
            name: "workload selector with null endpoints",
            spec: se({ resolution: "STATIC", workloadSelector: { labels: { app: "api" } }, endpoints: null }),
            expected: [],
        },
        {
            name: "workload selector without endpoints",
            spec: se({ resolution: "STATIC", workloadSelector: { labels: { app: "api" } } }),
            expected: [],
        },
        {
            name: "DNS: one host with a TCP port",
            spec: se({ resolution: "DNS", ports: [{ number: 5432, name: "tcp", protocol: "TCP" }] }),
            expected: [],
        },
        { name: "exportTo ~ alone", spec: se({ exportTo: ["~"] }), expected: [] },
        {
            name: "exportTo entries of a ServiceEntry are checked too",
            spec: se({ exportTo: ["Shop_"] }),
            expected: ["spec.exportTo[0]: only .,*,~, or a valid DNS 1123 label is allowed as exportTo entry"],
        },
        {
            name: "exportTo ~ and someone",
            spec: se({ exportTo: ["~", "."] }),
            expected: ["spec.exportTo: cannot export service entry to no one (~) and someone"],
        },
        {
            name: "exportTo ~ twice",
            spec: se({ exportTo: ["~", "~"] }),
            expected: [
                "spec.exportTo[1]: duplicate entries in exportTo for entry ~",
                "spec.exportTo: cannot export service entry to no one (~) and someone",
            ],
        },
        {
            // istiod stops at a bad selector; the rest is judged all the same (one run, every reason).
            name: "a bad workload selector does not hide the rest of the entry",
            spec: se({ hosts: ["*"], workloadSelector: { labels: { app: "api*" } }, endpoints: [] }),
            expected: [
                'spec.workloadSelector.labels.app: wildcard is not supported in selector: "app=api*"',
                "spec.endpoints: only one of WorkloadSelector or Endpoints is allowed in Service Entry",
                "spec.hosts[0]: invalid host *",
            ],
        },
    ]);
});

const ap = (rules: unknown[], extra: Record<string, unknown> = {}) => ({ rules, ...extra });
const SOURCE_FIELDS: [string, string][] = [
    ["principals", "cluster.local/ns/a/sa/b"],
    ["requestPrincipals", "iss/sub"],
    ["namespaces", "a"],
    ["ipBlocks", "10.0.0.1"],
    ["remoteIpBlocks", "10.0.0.0/8"],
    ["notPrincipals", "cluster.local/ns/a/sa/b"],
    ["notRequestPrincipals", "iss/sub"],
    ["notNamespaces", "a"],
    ["notIpBlocks", "10.0.0.1"],
    ["notRemoteIpBlocks", "fd00::/8"],
    ["serviceAccounts", "a/b"],
    ["notServiceAccounts", "a/b"],
];
const OPERATION_FIELDS: [string, string][] = [
    ["ports", "80"],
    ["methods", "GET"],
    ["paths", "/a"],
    ["hosts", "a.example.com"],
    ["notPorts", "8080"],
    ["notMethods", "POST"],
    ["notPaths", "/b"],
    ["notHosts", "b.example.com"],
];
const cap = (k: string) => `${k[0].toUpperCase()}${k.slice(1)}`;

describe("istiod's webhook: AuthorizationPolicy", () => {
    table("AuthorizationPolicy", [
        { name: "ALLOW nothing (no rules) is admitted", spec: { action: "ALLOW" }, expected: [] },
        {
            name: "DENY without rules",
            spec: { action: "DENY" },
            expected: [
                "spec: DENY action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request",
            ],
        },
        { name: "DENY with an empty rule", spec: ap([{}], { action: "DENY" }), expected: [] },
        {
            name: "CUSTOM without rules",
            spec: { action: "CUSTOM", provider: { name: "ext-authz" } },
            expected: [
                "spec: CUSTOM action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request",
            ],
        },
        {
            name: "CUSTOM without a provider name",
            spec: ap([{}], { action: "CUSTOM", provider: {} }),
            expected: ["spec.provider.name: `provider.name` must not be empty"],
        },
        {
            name: "CUSTOM without a provider",
            spec: ap([{}], { action: "CUSTOM" }),
            expected: ["spec.provider.name: `provider.name` must not be empty"],
        },
        {
            name: "CUSTOM: identities are not supported, IP blocks and other keys are",
            spec: ap(
                [
                    null,
                    {
                        from: [
                            null,
                            {},
                            {
                                source: Object.fromEntries(
                                    [...SOURCE_FIELDS]
                                        .map(([k, v]) => [k, [v]])
                                        .filter(([k]) => !/ccounts$/.test(k as string)),
                                ),
                            },
                            { source: { serviceAccounts: ["a/b"], notServiceAccounts: ["c/d"] } },
                        ],
                        when: [
                            { key: "source.namespace", values: ["a"] },
                            { key: "source.serviceAccount", values: ["a/b"] },
                            { key: "source.principal", values: ["a"] },
                            { key: "request.auth.claims[iss]", values: ["a"] },
                            { key: "source.ip", values: ["10.0.0.1"] },
                            { key: "request.headers[x]", values: ["a"] },
                            null,
                        ],
                    },
                ],
                { action: "CUSTOM", provider: { name: "ext-authz" } },
            ),
            expected: [
                "spec.rules[1].from[2].source.namespaces: From.Namespaces is currently not supported with CUSTOM action",
                "spec.rules[1].from[2].source.notNamespaces: From.NotNamespaces is currently not supported with CUSTOM action",
                "spec.rules[1].from[2].source.principals: From.Principals is currently not supported with CUSTOM action",
                "spec.rules[1].from[2].source.notPrincipals: From.NotPrincipals is currently not supported with CUSTOM action",
                "spec.rules[1].from[2].source.requestPrincipals: From.RequestPrincipals is currently not supported with CUSTOM action",
                "spec.rules[1].from[2].source.notRequestPrincipals: From.NotRequestPrincipals is currently not supported with CUSTOM action",
                "spec.rules[1].from[3].source.serviceAccounts: From.ServiceAccounts is currently not supported with CUSTOM action",
                "spec.rules[1].from[3].source.notServiceAccounts: From.NotServiceAccounts is currently not supported with CUSTOM action",
                "spec.rules[1].when[0].key: source.namespace is currently not supported with CUSTOM action",
                "spec.rules[1].when[1].key: source.serviceAccount is currently not supported with CUSTOM action",
                "spec.rules[1].when[2].key: source.principal is currently not supported with CUSTOM action",
                "spec.rules[1].when[3].key: request.auth.claims[iss] is currently not supported with CUSTOM action",
                "spec.rules[1].when[6]: when field cannot be nil",
                "spec.rules[0]: `rule` must not be nil, found at rule 0",
                "spec.rules[1].from[0]: `from` must not be nil, found at rule 1",
                "spec.rules[1].from[1]: `from.source` must not be nil, found at rule 1",
                "spec.rules[1].when[1].values: invalid `value` for `key` source.serviceAccount: unknown attribute: source.serviceAccount",
                "spec.rules[1].when[6].key: `key` must not be empty",
            ],
        },
        {
            name: "a provider with ALLOW (the default action) or DENY",
            spec: ap([{}], { provider: { name: "ext-authz" } }),
            expected: ["spec.provider: `provider` must not be with non CUSTOM action, found ALLOW"],
        },
        {
            name: "a provider with DENY",
            spec: ap([{}], { action: "DENY", provider: { name: "ext-authz" } }),
            expected: ["spec.provider: `provider` must not be with non CUSTOM action, found DENY"],
        },
        {
            name: "selector and targetRef",
            spec: ap([{}], { selector: { matchLabels: { app: "web" } }, targetRef: { kind: "Service", name: "web" } }),
            expected: ["spec: only one of targetRefs or workloadSelector can be set"],
        },
        {
            name: "targetRef and targetRefs",
            spec: ap([{}], {
                targetRef: { kind: "Service", name: "web" },
                targetRefs: [{ kind: "Service", name: "api" }],
            }),
            expected: ["spec: only one of targetRefs or workloadSelector can be set"],
        },
        {
            name: "selector and an empty targetRefs",
            spec: ap([{}], { selector: { matchLabels: { app: "web" } }, targetRefs: [] }),
            expected: [],
        },
        {
            name: "targetRefs alone",
            spec: ap([{}], { targetRefs: [{ kind: "Service", name: "api" }] }),
            expected: [],
        },
        {
            name: "selector labels",
            spec: ap([{}], { selector: { matchLabels: { "app*": "web" } } }),
            expected: ['spec.selector.matchLabels.app*: wildcard is not supported in selector: "app*=web"'],
        },
        {
            name: "a null rule",
            spec: ap([{}, null]),
            expected: ["spec.rules[1]: `rule` must not be nil, found at rule 1"],
        },
        {
            name: "empty from and to",
            spec: ap([{}, { from: [], to: [] }]),
            expected: [
                "spec.rules[1].from: `from` must not be empty, found at rule 1",
                "spec.rules[1].to: `to` must not be empty, found at rule 1",
            ],
        },
        {
            name: "null from and to, no source or operation",
            spec: ap([{ from: [null, {}], to: [null, {}] }]),
            expected: [
                "spec.rules[0].from[0]: `from` must not be nil, found at rule 0",
                "spec.rules[0].from[1]: `from.source` must not be nil, found at rule 0",
                "spec.rules[0].to[0]: `to` must not be nil, found at rule 0",
                "spec.rules[0].to[1]: `to.operation` must not be nil, found at rule 0",
            ],
        },
        {
            name: "empty source and operation",
            spec: ap([{}, { from: [{ source: {} }], to: [{ operation: { methods: [] } }] }]),
            expected: [
                "spec.rules[1].from[0].source: `from.source` must not be empty, found at rule 1",
                "spec.rules[1].to[0].operation: `to.operation` must not be empty, found at rule 1",
            ],
        },
        ...SOURCE_FIELDS.map(([k, v]): Case => ({
            name: `source.${k} alone makes a source; an empty value in it`,
            spec: ap([{ from: [{ source: { [k]: [v, ""] } }] }]),
            expected: [
                ...(/IpBlocks$/i.test(k) ? [`spec.rules[0].from[0].source.${k}[1]: bad IP address ()`] : []),
                `spec.rules[0].from[0].source.${k}[1]: empty value not allowed, found in ${cap(k)}`,
            ],
        })),
        ...OPERATION_FIELDS.map(([k, v]): Case => ({
            name: `operation.${k} alone makes an operation; an empty value in it`,
            spec: ap([{ to: [{ operation: { [k]: [v, ""] } }] }]),
            expected: [
                ...(/orts$/.test(k) ? [`spec.rules[0].to[0].operation.${k}[1]: bad port ()`] : []),
                `spec.rules[0].to[0].operation.${k}[1]: empty value not allowed, found in ${cap(k)}`,
            ],
        })),
        ...(
            [
                ["principals", "serviceAccounts"],
                ["notPrincipals", "serviceAccounts"],
                ["namespaces", "notServiceAccounts"],
                ["notNamespaces", "notServiceAccounts"],
            ] as const
        ).map(([a, b]): Case => ({
            name: `serviceAccounts with ${a}`,
            spec: ap([{}, { from: [{ source: { [a]: ["x"], [b]: ["a/b"] } }] }]),
            expected: [
                "spec.rules[1].from[0].source: cannot set serviceAccounts with namespaces or principals, found at rule 1",
            ],
        })),
        {
            name: "serviceAccounts with requestPrincipals and IP blocks are fine",
            spec: ap([
                {
                    from: [
                        { source: { requestPrincipals: ["*"], ipBlocks: ["10.0.0.0/8"], serviceAccounts: ["a/b"] } },
                    ],
                },
            ]),
            expected: [],
        },
        {
            name: "IP blocks of every kind",
            spec: ap([
                {
                    from: [
                        {
                            source: {
                                ipBlocks: ["10.0.0.1", "010.0.0.1"],
                                notIpBlocks: ["10.0.0.0/33"],
                                remoteIpBlocks: ["::1", "1::2::3"],
                                notRemoteIpBlocks: ["fd00::/129", "fd00::/64"],
                            },
                        },
                    ],
                },
            ]),
            expected: [
                "spec.rules[0].from[0].source.ipBlocks[1]: bad IP address (010.0.0.1)",
                "spec.rules[0].from[0].source.notIpBlocks[0]: bad CIDR range (10.0.0.0/33)",
                "spec.rules[0].from[0].source.remoteIpBlocks[1]: bad IP address (1::2::3)",
                "spec.rules[0].from[0].source.notRemoteIpBlocks[0]: bad CIDR range (fd00::/129)",
            ],
        },
        {
            name: "ports and notPorts",
            spec: ap([{ to: [{ operation: { ports: ["0", "65535", "65536", "http"], notPorts: ["-1", "08"] } }] }]),
            expected: [
                "spec.rules[0].to[0].operation.ports[2]: bad port (65536)",
                "spec.rules[0].to[0].operation.ports[3]: bad port (http)",
                "spec.rules[0].to[0].operation.notPorts[0]: bad port (-1)",
            ],
        },
        {
            name: "path templates istiod supports and refuses",
            spec: ap([
                {
                    to: [
                        {
                            operation: {
                                paths: [
                                    "/{*}/foo",
                                    "/foo/{**}",
                                    "/foo/{bar}",
                                    "/foo/*",
                                    "/{*}/{bar}",
                                    "/{*}/{}",
                                    "/{name=*}/{*}",
                                    "/{name=**}/{*}",
                                ],
                                notPaths: ["/{**}/*", "/{*}/**", "/a*/{*}", "/{*}**/b", "/{*}/x*"],
                            },
                        },
                    ],
                },
            ]),
            expected: [
                "spec.rules[0].to[0].operation.paths[4]: invalid or unsupported path template, found in Paths",
                "spec.rules[0].to[0].operation.paths[5]: invalid or unsupported path template, found in Paths",
                "spec.rules[0].to[0].operation.paths[6]: invalid or unsupported path template, found in Paths",
                "spec.rules[0].to[0].operation.paths[7]: invalid or unsupported path template, found in Paths",
                "spec.rules[0].to[0].operation.notPaths[0]: invalid or unsupported path template, found in NotPaths",
                "spec.rules[0].to[0].operation.notPaths[1]: invalid or unsupported path template, found in NotPaths",
                "spec.rules[0].to[0].operation.notPaths[2]: invalid or unsupported path template, found in NotPaths",
                "spec.rules[0].to[0].operation.notPaths[3]: invalid or unsupported path template, found in NotPaths",
            ],
        },
        {
            name: "conditions: key, values, notValues",
            spec: ap([
                {},
                {
                    when: [
                        { key: "", values: ["a"] },
                        { key: "source.ip" },
                        { key: "source.ip", values: ["10.0.0.1"], notValues: ["10.0.0.999"] },
                        { key: "request.headers", values: ["a"] },
                        { key: "destination.port", notValues: ["http"] },
                        { key: "source.namespace", values: ["a"] },
                        { key: "foo", values: ["a"] },
                        { key: "foo", notValues: ["a"] },
                        null,
                    ],
                },
            ]),
            expected: [
                "spec.rules[1].when[0].key: `key` must not be empty",
                "spec.rules[1].when[1]: at least one of `values` or `notValues` must be set for key source.ip",
                "spec.rules[1].when[2].notValues: invalid `notValue` for `key` source.ip: bad IP address (10.0.0.999)",
                "spec.rules[1].when[3].values: invalid `value` for `key` request.headers: bad key (request.headers): should have format a[b]",
                "spec.rules[1].when[4].notValues: invalid `notValue` for `key` destination.port: bad port (http)",
                "spec.rules[1].when[6].values: invalid `value` for `key` foo: unknown attribute: foo",
                "spec.rules[1].when[7].notValues: invalid `notValue` for `key` foo: unknown attribute: foo",
                "spec.rules[1].when[8].key: `key` must not be empty",
            ],
        },
    ]);
});

describe("istiod's condition keys (security.ValidateAttribute)", () => {
    const cases: [string, string[], string | undefined][] = [
        ["request.headers[x-user]", ["a"], undefined],
        ["request.headers[]", ["a"], "bad key (request.headers[]): should have format a[b]"],
        ["request.headers[x", ["a"], "bad key (request.headers[x): should have format a[b]"],
        ["request.headers[x]y", ["a"], "bad key (request.headers[x]y): should have format a[b]"],
        ["request.headersx]", ["a"], "bad key (request.headersx]): should have format a[b]"],
        ["[x]", ["a"], "unknown attribute: [x]"],
        ["request.auth.claims[iss]", ["a"], undefined],
        ["request.auth.claims", ["a"], "bad key (request.auth.claims): should have format a[b]"],
        ["experimental.envoy.filters.a[b]", ["a"], undefined],
        ["experimental.envoy.filters.ab", ["a"], "bad key (experimental.envoy.filters.ab): should have format a[b]"],
        ["experimental.envoy.filter", ["a"], "unknown attribute: experimental.envoy.filter"],
        ["source.ip", ["10.0.0.1", "10.0.0.0/8"], undefined],
        ["source.ip", ["10.0.0.1", "x", "y"], "bad IP address (x)"],
        ["remote.ip", ["10.0.0.0/40"], "bad CIDR range (10.0.0.0/40)"],
        ["destination.ip", ["::1", "10.0.0"], "bad IP address (10.0.0)"],
        ["destination.port", ["443"], undefined],
        ["destination.port", ["443", "99999"], "bad port (99999)"],
        ["destination.port", ["1a"], "bad port (1a)"],
        ["destination.port", ["1e3"], "bad port (1e3)"],
        ["source.namespace", ["anything at all"], undefined],
        ["source.principal", ["x"], undefined],
        ["request.auth.principal", ["x"], undefined],
        ["request.auth.audiences", ["x"], undefined],
        ["request.auth.presenter", ["x"], undefined],
        ["connection.sni", ["x"], undefined],
        ["source.namespace", ["a", ""], "empty value not allowed, found in source.namespace"],
        ["request.headers[x]", [""], "empty value not allowed, found in request.headers[x]"],
        ["destination.namespace", ["a"], "attribute destination.namespace is replaced by the metadata.namespace"],
        ["destination.labels[app]", ["a"], "attribute destination.labels[app] is replaced by the workload selector"],
        ["destination.name", ["a"], "deprecated attribute destination.name: only supported in v1alpha1"],
        ["destination.user", ["a"], "deprecated attribute destination.user: only supported in v1alpha1"],
        ["source.ipx", ["10.0.0.1"], "unknown attribute: source.ipx"],
        ["source.serviceAccount", ["a"], "unknown attribute: source.serviceAccount"],
    ];
    for (const [key, values, expected] of cases)
        it(`${key} = ${JSON.stringify(values)}`, () => assert.equal(attributeProblem(key, values), expected));
});

const gw = (servers: unknown[]) => ({ selector: { istio: "ingressgateway" }, servers });
const server = (hosts: string[], port: unknown = { number: 80, name: "http", protocol: "HTTP" }) => ({ hosts, port });

describe("istiod's webhook: Gateway", () => {
    const H = (i: number, j: number) => `spec.servers[${i}].hosts[${j}]`;
    table("Gateway", [
        {
            name: "hosts istiod admits: *, ns/*, */host, *.domain, an IP, ./host",
            spec: gw([
                server(["*", "shop/*", "*/web.example.com", "*.example.com", "shop/10.0.0.1", "./a.example.com"]),
            ]),
            expected: [],
        },
        {
            name: "short names, bad domains, partial wildcards",
            spec: gw([server(["web", "shop/web", "web_1.example.com", "*web.example.com", "web*.example.com"])]),
            expected: [
                `${H(0, 0)}: short names (non FQDN) are not allowed`,
                `${H(0, 1)}: short names (non FQDN) are not allowed`,
                `${H(0, 2)}: domain name "web_1.example.com" invalid (label "web_1" invalid)`,
                `${H(0, 3)}: partial wildcard "*web.example.com" not allowed`,
                `${H(0, 4)}: domain name "web*.example.com" invalid (label "web*" invalid)`,
                `${H(0, 4)}: partial wildcard "web*.example.com" not allowed`,
            ],
        },
        {
            name: "namespace/host: empty parts, a namespace that is not a DNS label",
            spec: gw([server(["/a.example.com", "shop/", "Shop_1/a.example.com", "~/a.example.com"])]),
            expected: [
                `${H(0, 0)}: config namespace and dnsName in host entry cannot be empty`,
                `${H(0, 0)}: invalid namespace value "" in gateway`,
                `${H(0, 1)}: config namespace and dnsName in host entry cannot be empty`,
                `${H(0, 1)}: short names (non FQDN) are not allowed`,
                `${H(0, 1)}: empty domain name not allowed`,
                `${H(0, 2)}: invalid namespace value "Shop_1" in gateway`,
                `${H(0, 3)}: invalid namespace value "~" in gateway`,
            ],
        },
        {
            name: "no servers",
            spec: gw([]),
            expected: ["spec.servers: gateway must have at least one server"],
        },
        {
            name: "a null server, a server without hosts or port",
            spec: gw([null, { hosts: [] }]),
            expected: [
                "spec.servers[0]: cannot have nil server",
                "spec.servers[1].hosts: server config must contain at least one host",
                "spec.servers[1].port: port is required",
                "spec.servers[0]: server may not be nil",
            ],
        },
        {
            name: "port number, protocol, target port and name",
            spec: gw([
                server(["*"], { number: 0, protocol: "HTTP" }),
                server(["*"], { number: 65536, name: "", protocol: "QUIC", targetPort: 8080 }),
                server(["*"], { number: 443, name: "https", protocol: "https" }),
                server(["*"], { number: 444, name: "p", protocol: "" }),
            ]),
            expected: [
                "spec.servers[0].port.number: port number 0 must be in the range 1..65535",
                "spec.servers[0].port.name: port name must be set",
                'spec.servers[1].port.protocol: invalid protocol "QUIC", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP',
                "spec.servers[1].port.number: port number 65536 must be in the range 1..65535",
                "spec.servers[1].port.targetPort: targetPort has no impact on Gateways",
                "spec.servers[1].port.name: port name must be set",
                'spec.servers[3].port.protocol: invalid protocol "", supported protocols are HTTP, HTTP2, GRPC, GRPC-WEB, MONGO, REDIS, MYSQL, TCP',
                "spec.servers[1].port.name: port names in servers must be unique: duplicate name ",
            ],
        },
        {
            name: "every protocol istiod knows",
            spec: gw(
                [
                    "TCP",
                    "UDP",
                    "GRPC",
                    "GRPC-Web",
                    "HTTP",
                    "HTTP_PROXY",
                    "HTTP2",
                    "HTTPS",
                    "TLS",
                    "Mongo",
                    "Redis",
                    "MySQL",
                ].map((protocol, i) => server(["*"], { number: 1000 + i, name: `p${i}`, protocol })),
            ),
            expected: [],
        },
        {
            name: "duplicate port names",
            spec: gw([server(["a.example.com"]), server(["b.example.com"]), server(["c.example.com"])]),
            expected: [
                "spec.servers[1].port.name: port names in servers must be unique: duplicate name http",
                "spec.servers[2].port.name: port names in servers must be unique: duplicate name http",
            ],
        },
        {
            name: "bind: an IP, a unix socket (port 0 allowed), neither",
            spec: gw([
                { ...server(["*"]), bind: "10.0.0.1" },
                { ...server(["*"], { number: 0, name: "uds", protocol: "HTTP" }), bind: "unix:///var/run/gw.sock" },
                { ...server(["*"], { number: 81, name: "b", protocol: "HTTP" }), bind: "localhost" },
                { ...server(["*"], { number: 82, name: "c", protocol: "HTTP" }), bind: "unix://" },
                {
                    ...server(["*"], { number: 70000, name: "d", protocol: "HTTP", targetPort: 0 }),
                    bind: "unix:///a.sock",
                },
            ]),
            expected: [
                "spec.servers[2].bind: localhost is not a valid IP",
                "spec.servers[3].bind: unix address must not be empty",
                "spec.servers[4].port.number: port number 70000 must be in the range 1..65535",
            ],
        },
    ]);

    const one = gw([server(["*"])]);
    it("the Gateway's own name must be a DNS label", () => {
        assert.deepEqual(issues("Gateway", one, { name: "Shop_GW" }), [
            'metadata.name: invalid gateway name: "Shop_GW"',
        ]);
        assert.deepEqual(issues("Gateway", one, {}), ['metadata.name: invalid gateway name: ""']);
        assert.deepEqual(issues("Gateway", one, { name: "shop-gw" }), []);
    });
});

describe("istiod's webhook: Telemetry", () => {
    table("Telemetry", [
        {
            name: "sampling percentage in [0, 100]; the first unnamed provider of each list",
            spec: {
                tracing: [
                    null,
                    { randomSamplingPercentage: 0, providers: [{ name: "otel" }] },
                    { randomSamplingPercentage: 100 },
                    { randomSamplingPercentage: -0.1 },
                    { randomSamplingPercentage: 100.5, providers: [{ name: "otel" }, {}, null, { name: "" }] },
                    // not a number: the CRD's schema reports it, not the webhook
                    { randomSamplingPercentage: "150" },
                ],
            },
            expected: [
                "spec.tracing[3].randomSamplingPercentage: randomSamplingPercentage must be in range [0.0, 100.0]",
                "spec.tracing[4].providers[1]: providers.name may not be empty",
                "spec.tracing[4].randomSamplingPercentage: randomSamplingPercentage must be in range [0.0, 100.0]",
            ],
        },
        {
            name: "metrics and access logging providers, in istiod's order",
            spec: {
                accessLogging: [{ providers: [{ name: "" }] }, null, { providers: [{ name: "envoy" }] }],
                tracing: [{ providers: [null] }],
                metrics: [null, { providers: [{ name: "prometheus" }] }, { providers: [{}] }],
            },
            expected: [
                "spec.metrics[2].providers[0]: providers.name may not be empty",
                "spec.tracing[0].providers[0]: providers.name may not be empty",
                "spec.accessLogging[0].providers[0]: providers.name may not be empty",
            ],
        },
    ]);
});

describe("istiod's webhook: which rules apply to which kind", () => {
    // One spec that breaks a rule of every kind: each kind reports only its own.
    const spec = {
        host: "a_b",
        hosts: ["*"],
        servers: [server(["web"])],
        tracing: [{ randomSamplingPercentage: 101 }],
        action: "DENY",
        http: [{ route: [] }],
    };
    const cases: [string, string[]][] = [
        ["DestinationRule", ['spec.host: domain name "a_b" invalid (label "a_b" invalid)']],
        ["ServiceEntry", ["spec.hosts[0]: invalid host *"]],
        [
            "Gateway",
            [
                'metadata.name: invalid gateway name: "x_y"',
                "spec.servers[0].hosts[0]: short names (non FQDN) are not allowed",
            ],
        ],
        [
            "Telemetry",
            ["spec.tracing[0].randomSamplingPercentage: randomSamplingPercentage must be in range [0.0, 100.0]"],
        ],
        [
            "AuthorizationPolicy",
            [
                "spec: DENY action without `rules` is meaningless as it will never be triggered, add an empty rule `{}` if you want it be triggered for every request",
            ],
        ],
        ["Sidecar", []],
    ];
    for (const [kind, expected] of cases)
        it(kind, () => assert.deepEqual(issues(kind, spec, { name: "x_y" }), expected));

    it("VirtualService: its own rules, not a Gateway's name rule", () =>
        assert.deepEqual(issues("VirtualService", spec, { name: "x_y" }), [
            "spec.hosts[0]: wildcard host * is not allowed for virtual services bound to the mesh gateway",
            "spec.http[0]: HTTP route, redirect or direct_response is required",
        ]));

    it("an object without metadata: a Gateway without a name, in the default namespace", () => {
        assert.deepEqual(
            webhookIssues({ kind: "Gateway", spec: gw([server(["*"])]) }).map((i) => i.message),
            ['invalid gateway name: ""'],
        );
        assert.deepEqual(
            webhookIssues({ kind: "DestinationRule", spec: { host: "web", exportTo: ["default", "."] } }),
            [
                {
                    path: ["spec", "exportTo", 1],
                    message: "duplicate entries in exportTo: . and current namespace default",
                },
            ],
        );
    });

    it("a spec that is not an object is judged as an empty one", () =>
        assert.deepEqual(issues("DestinationRule", "nonsense"), ["spec.host: empty domain name not allowed"]));
});
