// istiod 1.30.3's traffic-policy rules that Istio's own tests showed missing or wrong (issue 22): a
// DestinationRule's client TLS, locality load balancing, connection-pool limits, outlier-detection
// percentages, retry budget, warmup and cookie attributes. One table per rule, fed straight to
// webhookIssues: the path and the message istiod gives; the Go function is named in each describe,
// as components/validation/webhook/destinationRule.ts cites it.
import * as assert from "node:assert/strict";
import { fieldPathText } from "../components/validation/crd";
import { webhookIssues } from "../components/validation/webhook";

const issues = (kind: string, spec: unknown, metadata: Record<string, unknown> = { name: "x", namespace: "shop" }) =>
    webhookIssues({ kind, metadata, spec }).map((i) => `${fieldPathText(i.path)}: ${i.message}`);
const table = <T>(cases: [string, T, string[]][], run: (input: T) => string[]) => {
    for (const [name, input, expected] of cases) it(name, () => assert.deepEqual(run(input), expected));
};
const policy = (trafficPolicy: unknown) => issues("DestinationRule", { host: "web", trafficPolicy });

describe("istiod: agent.ValidateTLS (DestinationRule client TLS)", () => {
    const tls = "spec.trafficPolicy.tls";
    const mutual = { mode: "MUTUAL", clientCertificate: "/c.pem", privateKey: "/k.pem", insecureSkipVerify: true };
    table<Record<string, unknown>>(
        [
            [
                "MUTUAL skipping verification with SANs",
                { ...mutual, subjectAltNames: ["web.shop.svc"] },
                [`${tls}: cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true`],
            ],
            [
                // jsonpb leaves a repeated field nil for an empty JSON list, so SubjectAltNames != nil is false.
                "MUTUAL skipping verification with an empty SAN list (unset, as istiod decodes it)",
                { ...mutual, subjectAltNames: [] },
                [],
            ],
            [
                "SIMPLE skipping verification with an empty SAN list (unset, as istiod decodes it)",
                { mode: "SIMPLE", insecureSkipVerify: true, subjectAltNames: [] },
                [],
            ],
            ["MUTUAL skipping verification alone", mutual, []],
            [
                "DISABLE skipping verification with a CA is no TLS to check",
                { mode: "DISABLE", insecureSkipVerify: true, caCertificates: "/ca.pem" },
                [],
            ],
            [
                "a configmap:// credential in the rule's namespace",
                { mode: "SIMPLE", credentialName: "configmap://shop/ca" },
                [],
            ],
            [
                "a configmap:// credential in another namespace",
                { mode: "SIMPLE", credentialName: "configmap://other/ca" },
                [
                    `${tls}.credentialName: invalid configmap:// credentialName: namespace must match the configuration namespace "shop"`,
                ],
            ],
            [
                "a configmap:// credential without a namespace",
                { mode: "SIMPLE", credentialName: "configmap://ca" },
                [
                    `${tls}.credentialName: invalid configmap:// credentialName: invalid resource name "configmap://ca". Expected namespace and name`,
                ],
            ],
            [
                "a configmap:// credential with an empty namespace",
                { mode: "SIMPLE", credentialName: "configmap:///ca" },
                [
                    `${tls}.credentialName: invalid configmap:// credentialName: invalid resource name "configmap:///ca". Expected namespace`,
                ],
            ],
            [
                "a configmap:// credential with an empty name, in any mode",
                { mode: "ISTIO_MUTUAL", credentialName: "configmap://shop/" },
                [
                    `${tls}.credentialName: invalid configmap:// credentialName: invalid resource name "configmap://shop/". Expected name`,
                ],
            ],
            [
                "a kubernetes:// credential elsewhere is not this rule",
                { mode: "SIMPLE", credentialName: "kubernetes://other/ca" },
                [],
            ],
        ],
        (t) => policy({ tls: t }),
    );
});

describe("istiod: agent.ValidateLocalityLbSetting and validateLocalities", () => {
    const at = "spec.trafficPolicy.loadBalancer.localityLbSetting";
    table<Record<string, unknown>>(
        [
            [
                "weights summing to 100",
                { distribute: [{ from: "us-east-1/*", to: { "us-east-1/a/*": 80, "us-east-1/b/*": 20 } }] },
                [],
            ],
            [
                "weights summing to 90",
                { distribute: [{ from: "us-east-1/*", to: { "us-east-1/a/*": 80, "us-east-1/b/*": 10 } }] },
                [`${at}.distribute[0].to: total locality weight 90 != 100`],
            ],
            [
                "a weight of 0 (istiod stops there)",
                {
                    distribute: [
                        { from: "a", to: { b: 0, c: 100 } },
                        { from: "d", to: { e: 1 } },
                    ],
                },
                [`${at}.distribute[0].to.b: locality weight must be in range [1, 100]`],
            ],
            [
                "a weight of 101",
                { distribute: [{ from: "a", to: { b: 101 } }] },
                [`${at}.distribute[0].to.b: locality weight must be in range [1, 100]`],
            ],
            [
                "a destination locality covered by another",
                { distribute: [{ from: "a", to: { "b/*": 50, "b/c": 50 } }] },
                [`${at}.distribute[0].to: locality b/c overlap with previous specified ones`],
            ],
            [
                "source localities: a region then its zone",
                {
                    distribute: [
                        { from: "a", to: { x: 100 } },
                        { from: "a/b", to: { x: 100 } },
                    ],
                },
                [`${at}.distribute: locality a/b overlap with previous specified ones`],
            ],
            [
                "source localities: a wildcard not at the end",
                { distribute: [{ from: "*/b", to: { x: 100 } }] },
                [`${at}.distribute: locality */b wildcard '*' number can not exceed 1 and must be in the end`],
            ],
            [
                "source localities: an empty zone",
                { distribute: [{ from: "a//c", to: { x: 100 } }] },
                [`${at}.distribute: locality a//c must not contain empty region/zone/subzone info`],
            ],
            ...(
                [
                    ["a region twice", ["a", "a"], "a"],
                    ["a zone after its region's wildcard", ["a/*", "a/b"], "a/b"],
                    ["a zone twice", ["a/b", "c/d", "a/b"], "a/b"],
                    ["a subzone twice", ["a/b/c", "a/b/c"], "a/b/c"],
                    ["a subzone after its zone's wildcard", ["a/b/*", "a/b/c"], "a/b/c"],
                    ["a subzone after its region", ["a", "a/b/c"], "a/b/c"],
                ] as [string, string[], string][]
            ).map(([name, froms, bad]): [string, Record<string, unknown>, string[]] => [
                `source localities: ${name}`,
                { distribute: froms.map((from) => ({ from, to: { x: 100 } })) },
                [`${at}.distribute: locality ${bad} overlap with previous specified ones`],
            ]),
            [
                "zones and subzones side by side (a subzone's tail keeps its slashes)",
                {
                    distribute: ["a/b", "a/c", "d/e/f", "d/e/g", "d/h/i/j", "k/l/m", "k/n"].map((from) => ({
                        from,
                        to: { x: 100 },
                    })),
                },
                [],
            ],
            [
                "a distribute entry without weights",
                { distribute: [{ from: "a" }] },
                [`${at}.distribute[0].to: total locality weight 0 != 100`],
            ],
            [
                "a weight that is not a number is none",
                { distribute: [{ from: "a", to: { b: "100" } }] },
                [`${at}.distribute[0].to.b: locality weight must be in range [1, 100]`],
            ],
            [
                "disjoint localities",
                {
                    distribute: [
                        { from: "a1/*", to: { x: 100 } },
                        { from: "a2/b2/c2", to: { x: 100 } },
                    ],
                },
                [],
            ],
            ["failover between regions", { failover: [{ from: "us-east-1", to: "us-west-2" }] }, []],
            [
                "failover within a region",
                { failover: [{ from: "us-east-1", to: "us-east-1" }] },
                [`${at}.failover[0]: locality lb failover settings must specify different regions`],
            ],
            [
                "failover to a zone",
                { failover: [{ from: "us-east-1", to: "us-west-2/a" }] },
                [`${at}.failover[0]: locality lb failover only specify region`],
            ],
            [
                "failover from anywhere",
                { failover: [{ from: "*", to: "us-west-2" }] },
                [`${at}.failover[0]: locality lb failover region should not contain '*' wildcard`],
            ],
            ...["topology.kubernetes.io/region", "topology.kubernetes.io/zone", "topology.istio.io/subzone"].map(
                (label): [string, Record<string, unknown>, string[]] => [
                    `failover with ${label} in failoverPriority`,
                    { failover: [{ from: "a", to: "b" }], failoverPriority: ["topology.istio.io/network", label] },
                    [
                        `${at}.failoverPriority[1]: can not simultaneously set 'failover' and topology label '${label}' in 'failover_priority'`,
                    ],
                ],
            ),
            [
                "failoverPriority without failover takes the region label",
                { failoverPriority: ["topology.kubernetes.io/region"] },
                [],
            ],
            [
                "distribute and failover (nothing else is checked)",
                { distribute: [{ from: "a", to: { b: 5 } }], failover: [{ from: "a", to: "a" }] },
                [`${at}: can not simultaneously specify 'distribute' and 'failover'`],
            ],
        ],
        (localityLbSetting) => policy({ loadBalancer: { localityLbSetting } }),
    );
});

describe("istiod: validateConnectionPool limits, validateOutlierDetection percentages (ValidatePercent)", () => {
    const pool = "spec.trafficPolicy.connectionPool";
    table<unknown>(
        [
            [
                "every limit at 0",
                { tcp: { maxConnections: 0 }, http: { http1MaxPendingRequests: 0, maxRetries: 0 } },
                [],
            ],
            [
                "every limit below 0",
                {
                    tcp: { maxConnections: -1 },
                    http: {
                        http1MaxPendingRequests: -1,
                        http2MaxRequests: -1,
                        maxRequestsPerConnection: -1,
                        maxRetries: -1,
                        maxConcurrentStreams: -1,
                    },
                },
                [
                    `${pool}.http.http1MaxPendingRequests: http1 max pending requests must be non-negative`,
                    `${pool}.http.http2MaxRequests: http2 max requests must be non-negative`,
                    `${pool}.http.maxRequestsPerConnection: max requests per connection must be non-negative`,
                    `${pool}.http.maxRetries: max retries must be non-negative`,
                    `${pool}.http.maxConcurrentStreams: max concurrent streams must be non-negative`,
                    `${pool}.tcp.maxConnections: max connections must be non-negative`,
                ],
            ],
            [
                "a negative TCP idle timeout is checked (only 0 whole ms disables it)",
                { tcp: { idleTimeout: "-5s" } },
                [`${pool}.tcp.idleTimeout: duration must be greater than 1ms`],
            ],
            ["a TCP idle timeout of 0.5ms disables it", { tcp: { idleTimeout: "0.5ms" } }, []],
            // A limit that is not a number is the API server's to refuse (the CRD's type).
            ["a limit that is not a number", { tcp: { maxConnections: "-1" }, http: { maxRetries: "-1" } }, []],
        ],
        (connectionPool) => policy({ connectionPool }),
    );
    const outlier = "spec.trafficPolicy.outlierDetection";
    table<unknown>(
        [
            ["0 and 100", { maxEjectionPercent: 100, minHealthPercent: 0 }, []],
            [
                "105",
                { maxEjectionPercent: 105 },
                [`${outlier}.maxEjectionPercent: percentage 105 is not in range 0..100`],
            ],
            ["-1", { minHealthPercent: -1 }, [`${outlier}.minHealthPercent: percentage -1 is not in range 0..100`]],
            [
                "percentages and failures that are not numbers are the API server's",
                { maxEjectionPercent: "105", consecutiveLocalOriginFailures: "5" },
                [],
            ],
        ],
        (outlierDetection) => policy({ outlierDetection }),
    );
});

describe("istiod: validateTrafficPolicy counts retryBudget; validateLoadBalancer's warmup and cookie attributes", () => {
    table<unknown>(
        [
            ["a retry budget alone", { retryBudget: { percent: 20 } }, []],
            ["an empty policy", {}, ["spec.trafficPolicy: traffic policy must have at least one field"]],
            [
                "a warmup at the limits: 100 %, aggression 1",
                { loadBalancer: { warmup: { duration: "60s", minimumPercent: 100, aggression: 1 } } },
                [],
            ],
            [
                "a warmup's values that are not numbers are the API server's",
                { loadBalancer: { warmup: { duration: "60s", minimumPercent: "101", aggression: "0" } } },
                [],
            ],
            [
                "a port-level policy's tunnel is not checked (only a policy's own)",
                {
                    portLevelSettings: [
                        { port: { number: 80 }, loadBalancer: { simple: "RANDOM" }, tunnel: { protocol: "UDP" } },
                    ],
                },
                [],
            ],
            [
                "a warmup without duration, over 100 %, under aggression 1",
                { loadBalancer: { warmup: { minimumPercent: 101, aggression: 0.5 } } },
                [
                    "spec.trafficPolicy.loadBalancer.warmup.duration: duration is required",
                    "spec.trafficPolicy.loadBalancer.warmup.minimumPercent: minimumPercent value should be less than or equal to 100",
                    "spec.trafficPolicy.loadBalancer.warmup.aggression: aggression should be greater than or equal to 1",
                ],
            ],
            [
                "cookie attributes: an empty name, a name twice",
                {
                    loadBalancer: {
                        consistentHash: {
                            httpCookie: {
                                name: "c",
                                attributes: [{ name: "SameSite" }, { value: "x" }, { name: "SameSite" }],
                            },
                        },
                    },
                },
                [
                    "spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.attributes[1].name: cookie attribute name cannot be empty",
                    "spec.trafficPolicy.loadBalancer.consistentHash.httpCookie.attributes[2].name: duplicate cookie attribute name: SameSite",
                ],
            ],
        ],
        policy,
    );
});
