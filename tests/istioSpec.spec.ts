// The parts of Istio's API users write in stack config (components/config/istioSpec.ts), at their edges:
// for each rule the last value accepted next to the first refused, with the message the user reads
// at the key path where they wrote it.
import * as assert from "node:assert/strict";
import { ConfigError } from "../components/config";
import { parseStackConfig } from "../components/stack";
import { durationMs } from "../components/config/istioSpec";

/** "path: message" for every problem of a stack whose one app has `app` merged in; [] when valid. */
function problems(app: Record<string, unknown>): string[] {
    try {
        parseStackConfig({
            stack: "dev",
            region: "ap-northeast-1",
            values: {
                ingress: { port: 8000 },
                apps: [{ name: "web", http: [{ route: [{ destination: { host: "web" } }] }], ...app }],
            },
        });
        return [];
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return e.problems.map((p) => `${p.path.replace("eks-istio:apps[0].", "")}: ${p.message}`);
    }
}
/** Problems of one route (apps[0].http[0]) given in full. */
const route = (r: Record<string, unknown>) => problems({ http: [r] });
const to = (host = "web") => ({ route: [{ destination: { host } }] });
/** Problems of one DestinationRule for the route's host. */
const rule = (r: Record<string, unknown>) => problems({ destinationRules: [{ host: "web", ...r }] });
const policy = (trafficPolicy: Record<string, unknown>) => rule({ trafficPolicy });
/** Problems of one ServiceEntry. */
const entry = (e: Record<string, unknown>) => problems({ serviceEntries: [{ hosts: ["api.example.com"], ...e }] });

interface Case {
    name: string;
    got: () => string[];
    want: string[];
}
const table = (title: string, cases: Case[]) =>
    describe(title, () => {
        for (const c of cases) it(c.name, () => assert.deepEqual(c.got(), c.want));
    });

table("istio spec: routes", [
    { name: "weight 0 and 100 on two destinations", got: () => route(weights(0, 100)), want: [] },
    {
        name: "weight -1",
        got: () => route(weights(-1, 101)),
        want: [
            "http[0].route[0].weight: must be at least 0, got -1",
            "http[0].route[1].weight: must be at most 100, got 101",
        ],
    },
    {
        name: "weight 50.5",
        got: () => route(weights(50.5, 49.5)),
        want: [
            "http[0].route[0].weight: must be an integer, got 50.5",
            "http[0].route[1].weight: must be an integer, got 49.5",
        ],
    },
    {
        name: "an empty route list",
        got: () => route({ route: [] }),
        want: ["http[0].route: must list at least 1 item, got []"],
    },
    {
        name: "destination port 65535, the largest istiod accepts",
        got: () => route({ route: [{ destination: { host: "web", port: { number: 65535 } } }] }),
        want: [],
    },
    {
        name: "destination port 4294967295: a uint32 for the CRD, refused by istiod",
        got: () => route({ route: [{ destination: { host: "web", port: { number: 4294967295 } } }] }),
        want: [
            "http[0].route[0].destination.port.number: port number 4294967295 must be in the range 1..65535; istiod's validating webhook would refuse VirtualService web/web (spec.http[0].route[0].destination.port.number)",
        ],
    },
    {
        name: "destination port 4294967296",
        got: () => route({ route: [{ destination: { host: "web", port: { number: 4294967296 } } }] }),
        want: ["http[0].route[0].destination.port.number: must be at most 4294967295, got 4294967296"],
    },
    {
        name: "an empty destination host",
        got: () => route({ route: [{ destination: { host: "" } }] }),
        want: [
            "http[0].route[0].destination.host: is required: the Kubernetes Service (or ServiceEntry host) to send traffic to",
        ],
    },
    {
        name: "an empty subset name",
        got: () => route({ route: [{ destination: { host: "web", subset: "" } }] }),
        want: ['http[0].route[0].destination.subset: must not be empty, got ""'],
    },
    { name: "redirect codes 300 and 399", got: () => [301, 399, 300].flatMap((c) => route(redirect(c))), want: [] },
    {
        name: "redirect code 299 and 400",
        got: () => [...route(redirect(299)), ...route(redirect(400))],
        want: [
            "http[0].redirect.redirectCode: must be at least 300, got 299",
            "http[0].redirect.redirectCode: must be at most 399, got 400",
        ],
    },
    {
        name: "redirect derivePort",
        got: () => route({ redirect: { derivePort: "FROM_REQUEST_PORT" } }),
        want: [],
    },
    {
        name: "redirect derivePort not one of Istio's",
        got: () => route({ redirect: { derivePort: "FROM_HEADER" } }),
        want: ['http[0].redirect.derivePort: must be one of "FROM_PROTOCOL_DEFAULT", "FROM_REQUEST_PORT"'],
    },
    { name: "direct response 200 and 599", got: () => [200, 599].flatMap((s) => route(direct(s))), want: [] },
    {
        name: "direct response 199 and 600",
        got: () => [...route(direct(199)), ...route(direct(600))],
        want: [
            "http[0].directResponse.status: must be at least 200, got 199",
            "http[0].directResponse.status: must be at most 599, got 600",
        ],
    },
    {
        name: "direct response body: string or bytes (base64)",
        got: () => [
            ...route({ directResponse: { status: 200, body: { string: "ok" } } }),
            ...route({ directResponse: { status: 200, body: { bytes: "b2s=" } } }),
        ],
        want: [],
    },
    {
        name: "direct response body with both, with neither, with bytes not base64",
        got: () => [
            ...route({ directResponse: { status: 200, body: { string: "ok", bytes: "b2s=" } } }),
            ...route({ directResponse: { status: 200, body: {} } }),
            ...route({ directResponse: { status: 200, body: { bytes: "not base64!" } } }),
        ],
        want: [
            "http[0].directResponse.body: must set exactly one of string or bytes",
            "http[0].directResponse.body: must set exactly one of string or bytes",
            "http[0].directResponse.body.bytes: Invalid base64-encoded string",
        ],
    },
    {
        name: "a StringMatch with none of exact, prefix, regex",
        got: () => route({ match: [{ uri: {} }], ...to() }),
        want: ["http[0].match[0].uri: must set exactly one of exact, prefix or regex"],
    },
    {
        name: "match on every field Istio has",
        got: () =>
            route({
                match: [
                    {
                        name: "m",
                        uri: { regex: "^/a" },
                        scheme: { exact: "https" },
                        method: { exact: "GET" },
                        authority: { prefix: "web" },
                        headers: { "x-a": { exact: "1" } },
                        port: 8000,
                        sourceLabels: { app: "a" },
                        gateways: ["mesh"],
                        queryParams: { q: { exact: "1" } },
                        ignoreUriCase: true,
                        withoutHeaders: { "x-b": { exact: "1" } },
                        sourceNamespace: "a",
                        statPrefix: "s",
                    },
                ],
                ...to(),
            }),
        want: [],
    },
    {
        name: "retries: attempts 3 and every option",
        got: () =>
            route({
                ...to(),
                retries: {
                    attempts: 3,
                    perTryTimeout: "1ms",
                    retryOn: "5xx",
                    retryRemoteLocalities: true,
                    retryIgnorePreviousHosts: true,
                    backoff: "25ms",
                },
            }),
        want: [],
    },
    {
        name: "retries: attempts 0 turns retries off, and then takes no other option (istiod)",
        got: () => [
            ...route({ ...to(), retries: { attempts: 0 } }),
            ...route({ ...to(), retries: { attempts: 0, retryOn: "5xx" } }),
        ],
        want: [
            "http[0].retries: http retry policy configured when attempts are set to 0 (disabled); istiod's validating webhook would refuse VirtualService web/web (spec.http[0].retries)",
        ],
    },
    {
        name: "retries: attempts -1, backoff below 1ms",
        got: () => route({ ...to(), retries: { attempts: -1, backoff: "0.5ms" } }),
        want: ["http[0].retries.attempts: must be at least 0, got -1", "http[0].retries.backoff: must be at least 1ms"],
    },
    {
        name: "fault percentages 0 and 100",
        got: () =>
            route({
                ...to(),
                fault: {
                    delay: { fixedDelay: "1s", percentage: { value: 0 } },
                    abort: { httpStatus: 200, percentage: { value: 100 } },
                },
            }),
        want: [],
    },
    {
        name: "fault percentage -0.1 and 100.1, abort status 199 and 600",
        got: () => [
            ...route({ ...to(), fault: { delay: { fixedDelay: "1s", percentage: { value: -0.1 } } } }),
            ...route({ ...to(), fault: { abort: { httpStatus: 600, percentage: { value: 100.1 } } } }),
            ...route({ ...to(), fault: { abort: { httpStatus: 199 } } }),
        ],
        want: [
            "http[0].fault.delay.percentage.value: must be at least 0, got -0.1",
            "http[0].fault.abort.httpStatus: must be at most 599, got 600",
            "http[0].fault.abort.percentage.value: must be at most 100, got 100.1",
            "http[0].fault.abort.httpStatus: must be at least 200, got 199",
        ],
    },
    {
        name: "mirrors, CORS and header operations",
        got: () =>
            route({
                ...to(),
                mirrors: [{ destination: { host: "shadow2" }, percentage: { value: 1 } }],
                corsPolicy: {
                    allowOrigins: [{ exact: "https://a.example.com" }],
                    allowMethods: ["GET"],
                    allowHeaders: ["x-a"],
                    exposeHeaders: ["x-b"],
                    maxAge: "24h",
                    allowCredentials: false,
                    unmatchedPreflights: "IGNORE",
                },
                headers: { request: { set: { a: "1" }, add: { b: "2" }, remove: ["c"] }, response: { remove: ["d"] } },
            }),
        want: [],
    },
    {
        name: "CORS unmatchedPreflights not one of Istio's, maxAge without a unit",
        got: () => route({ ...to(), corsPolicy: { unmatchedPreflights: "DROP", maxAge: "24" } }),
        want: [
            'http[0].corsPolicy.maxAge: must be a duration such as "5s", "250ms" or "1m30s"',
            'http[0].corsPolicy.unmatchedPreflights: must be one of "UNSPECIFIED", "FORWARD", "IGNORE"',
        ],
    },
    {
        name: "mirror and mirrors together (istiod takes one or the other)",
        got: () => route({ ...to(), mirror: { host: "shadow" }, mirrors: [{ destination: { host: "shadow2" } }] }),
        want: [
            "http[0]: HTTP route cannot contain both mirror and mirrors; istiod's validating webhook would refuse VirtualService web/web (spec.http[0])",
        ],
    },
    {
        name: "mirror percentage above 100",
        got: () => route({ ...to(), mirror: { host: "shadow" }, mirrorPercentage: { value: 101 } }),
        want: ["http[0].mirrorPercentage.value: must be at most 100, got 101"],
    },
]);

function weights(a: number, b: number) {
    return {
        route: [
            { destination: { host: "a" }, weight: a },
            { destination: { host: "b" }, weight: b },
        ],
    };
}
function redirect(redirectCode: number) {
    return { redirect: { uri: "/new", redirectCode } };
}
function direct(status: number) {
    return { directResponse: { status } };
}

table("istio spec: durations", [
    ...(
        [
            ["1ms", 1],
            ["1.5s", 1500],
            ["1m30s", 90_000],
            ["1h", 3_600_000],
            ["2h45m10s", 9_910_000],
            ["1000us", 1],
            ["1000µs", 1],
            ["2000000ns", 2],
            ["0.001s", 1],
            ["1.25s", 1250],
        ] as const
    ).map(([d, ms]) => ({ name: `durationMs(${d}) = ${ms}`, got: () => [String(durationMs(d))], want: [String(ms)] })),
]);

table("istio spec: DestinationRules", [
    { name: "a one-letter subset name", got: () => rule({ subsets: [{ name: "v" }] }), want: [] },
    {
        name: "every simple load balancer Istio has",
        got: () =>
            ["UNSPECIFIED", "LEAST_CONN", "RANDOM", "PASSTHROUGH", "ROUND_ROBIN", "LEAST_REQUEST"].flatMap((simple) =>
                policy({ loadBalancer: { simple } }),
            ),
        want: [],
    },
    {
        name: "consistent hashing by cookie, ring hash, maglev; locality settings",
        got: () => [
            ...policy({ loadBalancer: { consistentHash: { httpCookie: { name: "u", path: "/", ttl: "1h" } } } }),
            ...policy({ loadBalancer: { consistentHash: { useSourceIp: true, ringHash: { minimumRingSize: 1024 } } } }),
            ...policy({
                loadBalancer: { consistentHash: { httpQueryParameterName: "u", maglev: { tableSize: 65537 } } },
            }),
            ...policy({
                loadBalancer: {
                    localityLbSetting: {
                        enabled: true,
                        distribute: [{ from: "ap-northeast-1/*", to: { "ap-northeast-1/ap-northeast-1a/*": 100 } }],
                    },
                },
            }),
            ...policy({
                loadBalancer: {
                    localityLbSetting: {
                        enabled: true,
                        failover: [{ from: "ap-northeast-1", to: "ap-northeast-3" }],
                        // Not a topology label: istiod refuses those next to failover.
                        failoverPriority: ["topology.istio.io/network"],
                    },
                },
            }),
        ],
        want: [],
    },
    {
        name: "TCP keepalive, PROXY protocol v1 and v2, a tunnel, a workload selector",
        got: () => [
            ...policy({ connectionPool: { tcp: { tcpKeepalive: { probes: 3, time: "7200s", interval: "75s" } } } }),
            ...policy({ proxyProtocol: { version: "V1" } }),
            ...policy({ proxyProtocol: { version: "V2" } }),
            ...policy({ tunnel: { protocol: "CONNECT", targetHost: "proxy.example.com", targetPort: 3128 } }),
            ...rule({ workloadSelector: { matchLabels: { app: "web" } } }),
        ],
        want: [],
    },
    {
        name: "PROXY protocol v3",
        got: () => policy({ proxyProtocol: { version: "V3" } }),
        want: ['destinationRules[0].trafficPolicy.proxyProtocol.version: must be one of "V1", "V2"'],
    },
    {
        name: "subsets with DNS-1123 names",
        got: () => rule({ subsets: [{ name: "v1" }, { name: "canary-2" }] }),
        want: [],
    },
    {
        name: "a subset name ending in a hyphen",
        got: () => rule({ subsets: [{ name: "v1-" }] }),
        want: ['destinationRules[0].subsets[0].name: must be a DNS-1123 label such as "v1" or "canary"'],
    },
    {
        name: "an upper-case subset name",
        got: () => rule({ subsets: [{ name: "V1" }] }),
        want: ['destinationRules[0].subsets[0].name: must be a DNS-1123 label such as "v1" or "canary"'],
    },
    {
        name: "outlier detection: maxEjectionPercent and minHealthPercent 0 and 100",
        got: () => [
            ...policy({ outlierDetection: { maxEjectionPercent: 0, minHealthPercent: 100 } }),
            ...policy({ outlierDetection: { maxEjectionPercent: 100, minHealthPercent: 0 } }),
        ],
        want: [],
    },
    {
        name: "outlier detection: maxEjectionPercent 101, minHealthPercent -1",
        got: () => policy({ outlierDetection: { maxEjectionPercent: 101, minHealthPercent: -1 } }),
        want: [
            "destinationRules[0].trafficPolicy.outlierDetection.maxEjectionPercent: must be at most 100, got 101",
            "destinationRules[0].trafficPolicy.outlierDetection.minHealthPercent: must be at least 0, got -1",
        ],
    },
    {
        name: "connection pool counts below 0",
        got: () => policy({ connectionPool: { tcp: { maxConnections: -1 }, http: { maxRetries: -1 } } }),
        want: [
            "destinationRules[0].trafficPolicy.connectionPool.tcp.maxConnections: must be at least 0, got -1",
            "destinationRules[0].trafficPolicy.connectionPool.http.maxRetries: must be at least 0, got -1",
        ],
    },
    {
        name: "h2UpgradePolicy not one of Istio's",
        got: () => policy({ connectionPool: { http: { h2UpgradePolicy: "ALWAYS" } } }),
        want: [
            'destinationRules[0].trafficPolicy.connectionPool.http.h2UpgradePolicy: must be one of "DEFAULT", "DO_NOT_UPGRADE", "UPGRADE"',
        ],
    },
    {
        name: "load balancer: simple alone, consistentHash alone",
        got: () => [
            ...policy({ loadBalancer: { simple: "LEAST_REQUEST" } }),
            ...policy({ loadBalancer: { consistentHash: { httpHeaderName: "x-user" } } }),
        ],
        want: [],
    },
    {
        name: "load balancer warmup: minimumPercent 0-100, aggression at least 1",
        got: () => [
            ...policy({ loadBalancer: { warmup: { duration: "30s", minimumPercent: 100, aggression: 1 } } }),
            ...policy({ loadBalancer: { warmup: { duration: "30s", minimumPercent: 101, aggression: 0.5 } } }),
        ],
        want: [
            "destinationRules[0].trafficPolicy.loadBalancer.warmup.minimumPercent: must be at most 100, got 101",
            "destinationRules[0].trafficPolicy.loadBalancer.warmup.aggression: must be at least 1, got 0.5",
        ],
    },
    {
        name: "client TLS mode not one of Istio's",
        got: () => policy({ tls: { mode: "STRICT" } }),
        want: [
            'destinationRules[0].trafficPolicy.tls.mode: must be one of "DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"',
        ],
    },
    {
        name: "retry budget percent 100, 100.5; a retry budget alone is a traffic policy (istiod 1.30 counts it)",
        got: () => [
            ...policy({ retryBudget: { percent: 100 }, outlierDetection: { consecutive5xxErrors: 5 } }),
            ...policy({ retryBudget: { percent: 100.5 }, outlierDetection: { consecutive5xxErrors: 5 } }),
            ...policy({ retryBudget: { percent: 50 } }),
        ],
        want: ["destinationRules[0].trafficPolicy.retryBudget.percent: must be at most 100, got 100.5"],
    },
    {
        name: "port-level settings on a uint32 port",
        got: () => policy({ portLevelSettings: [{ port: { number: 8000 }, loadBalancer: { simple: "RANDOM" } }] }),
        want: [],
    },
    {
        name: "an empty host",
        got: () => problems({ destinationRules: [{ host: "" }] }),
        want: ["destinationRules[0].host: is required: the Service the rule applies to, e.g. frontend"],
    },
]);

table("istio spec: AuthorizationPolicy rules", [
    {
        name: "16 service accounts",
        got: () => problems({ authorization: [{ from: [{ source: { serviceAccounts: accounts(16) } }] }] }),
        want: [],
    },
    {
        name: "one service account",
        got: () =>
            problems({
                authorization: [{ from: [{ source: { serviceAccounts: ["ns/sa"], notServiceAccounts: ["ns/x"] } }] }],
            }),
        want: [],
    },
    {
        name: "17 service accounts (Istio's limit is 16)",
        got: () => problems({ authorization: [{ from: [{ source: { notServiceAccounts: accounts(17) } }] }] }),
        want: ["authorization[0].from[0].source.notServiceAccounts: must list at most 16 items, got 17"],
    },
    {
        name: "a misspelt source field",
        got: () => problems({ authorization: [{ from: [{ source: { namespace: ["a"] } }] }] }),
        want: ['authorization[0].from[0].source: unknown key "namespace" (did you mean "namespaces"?)'],
    },
]);
function accounts(n: number) {
    return Array.from({ length: n }, (_, i) => `ns/sa-${i}`);
}

table("istio spec: ServiceEntries (the CRD's CEL rules)", [
    { name: "ports 1 and 65535", got: () => entry({ ports: [port(1, "a"), port(65535, "b")] }), want: [] },
    {
        name: "ports 0 and 65536",
        got: () => entry({ ports: [port(0, "a"), port(65536, "b")] }),
        want: [
            "serviceEntries[0].ports[0].number: must be at least 1, got 0",
            "serviceEntries[0].ports[1].number: must be at most 65535, got 65536",
        ],
    },
    {
        name: "targetPort 0",
        got: () => entry({ ports: [{ ...port(443, "https"), targetPort: 0 }] }),
        want: ["serviceEntries[0].ports[0].targetPort: must be at least 1, got 0"],
    },
    {
        name: "no hosts",
        got: () => problems({ serviceEntries: [{ hosts: [] }] }),
        want: ["serviceEntries[0].hosts: must list at least one host, e.g. api.example.com"],
    },
    {
        name: "workloadSelector and endpoints together",
        got: () =>
            entry({
                resolution: "STATIC",
                workloadSelector: { labels: { app: "a" } },
                endpoints: [{ address: "10.0.0.1" }],
            }),
        want: [
            "serviceEntries[0]: only one of WorkloadSelector or Endpoints can be set; the API server would refuse ServiceEntry web/api-example-com (spec, by the Istio CRD's schema)",
        ],
    },
    {
        name: "CIDR addresses: NONE and STATIC resolve them; DNS does not",
        got: () => [
            ...entry({ addresses: ["10.0.0.0/24"] }),
            ...entry({ addresses: ["10.0.0.0/24"], resolution: "STATIC", endpoints: [{ address: "10.0.0.1" }] }),
            ...entry({ addresses: ["10.0.0.0/24"], resolution: "DNS" }),
            ...entry({ addresses: ["10.0.0.1"], resolution: "DNS" }),
        ],
        want: [
            "serviceEntries[0]: CIDR addresses are allowed only for NONE/STATIC resolution types; the API server would refuse ServiceEntry web/api-example-com (spec, by the Istio CRD's schema)",
        ],
    },
    {
        name: "DNS_ROUND_ROBIN: one endpoint, not two",
        got: () => [
            ...entry({ resolution: "DNS_ROUND_ROBIN", endpoints: [{ address: "a.example.com" }] }),
            ...entry({
                resolution: "DNS_ROUND_ROBIN",
                endpoints: [{ address: "a.example.com" }, { address: "b.example.com" }],
            }),
        ],
        want: [
            "serviceEntries[0]: DNS_ROUND_ROBIN mode cannot have multiple endpoints; the API server would refuse ServiceEntry web/api-example-com (spec, by the Istio CRD's schema)",
        ],
    },
    {
        name: "wildcard hosts: DNS_ROUND_ROBIN refuses them, NONE and DNS with endpoints take them",
        got: () => [
            ...problems({ serviceEntries: [{ hosts: ["*.example.com"], resolution: "DNS_ROUND_ROBIN" }] }),
            ...problems({ serviceEntries: [{ hosts: ["*.example.com"] }] }),
            ...problems({
                serviceEntries: [
                    { hosts: ["*.example.com"], resolution: "DNS", endpoints: [{ address: "a.example.com" }] },
                ],
            }),
        ],
        want: [
            `serviceEntries[0].hosts[0]: hosts must be FQDN or contain only prefix wildcards if no endpoints are provided for resolution mode DNS_ROUND_ROBIN, domain name "*.example.com" invalid (label "*" invalid); istiod's validating webhook would refuse ServiceEntry web/wildcard-example-com (spec.hosts[0])`,
        ],
    },
    {
        name: "every location and resolution Istio has",
        got: () => [
            ...["MESH_EXTERNAL", "MESH_INTERNAL"].flatMap((location) => entry({ location })),
            ...["NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN"].flatMap((resolution) => entry({ resolution })),
            // Envoy's dynamic forward proxy resolves each request's host: wildcard hosts only.
            ...entry({ hosts: ["*.example.com"], resolution: "DYNAMIC_DNS" }),
        ],
        want: [],
    },
    {
        name: "STATIC and DNS resolution take several endpoints",
        got: () => [
            ...entry({ resolution: "STATIC", endpoints: [{ address: "10.0.0.1" }, { address: "10.0.0.2" }] }),
            ...entry({ resolution: "DNS", endpoints: [{ address: "a.example.com" }, { address: "b.example.com" }] }),
        ],
        want: [],
    },
    {
        name: "one wildcard among exact hosts is enough to refuse DNS resolution",
        got: () => problems({ serviceEntries: [{ hosts: ["api.example.com", "*.example.com"], resolution: "DNS" }] }),
        want: [
            `serviceEntries[0].hosts[1]: hosts must be FQDN or contain only prefix wildcards if no endpoints are provided for resolution mode DNS, domain name "*.example.com" invalid (label "*" invalid); istiod's validating webhook would refuse ServiceEntry web/api-example-com (spec.hosts[1])`,
        ],
    },
    {
        name: "distinct port numbers are fine",
        got: () => entry({ ports: [port(443, "https"), port(80, "http")] }),
        want: [],
    },
]);
function port(number: number, name: string) {
    return { number, name, protocol: "TCP" };
}
