// The rules istiod 1.30.3 has and Istio's own tests showed missing (issue 22), from the config a user
// writes: each family a stack config reaches ends in a ConfigError at the key that produced the field
// (before anything is registered), with istiod's words. Where the config schema already stops the
// value (negative limits, percentages over 100), the schema's message is the one the user reads;
// the webhook rule is tested on its own in webhookIstiodPolicies.spec.ts and webhookIstiodRoutes.spec.ts.
import * as assert from "node:assert/strict";
import { problemLines } from "./problems";

const to = [{ destination: { host: "frontend" } }];
const app = (extra: Record<string, unknown>, http: unknown[] = [{ route: to }]) => ({ name: "vote", http, ...extra });
const rule = (trafficPolicy: unknown) => app({ destinationRules: [{ host: "frontend", trafficPolicy }] });
const webhook = (kind: string, name: string, path: string) =>
    `; istiod's validating webhook would refuse ${kind} vote/${name} (${path})`;
const dr = (path: string) => webhook("DestinationRule", "frontend", path);
const lb = "eks-istio:apps[0].destinationRules[0].trafficPolicy.loadBalancer.localityLbSetting";
const outlier = { outlierDetection: { consecutive5xxErrors: 5 } };

describe("istiod's rules from the config: the key that produced the field, istiod's words", () => {
    const cases: [string, unknown, string[]][] = [
        [
            "client TLS: MUTUAL skipping verification with a CA",
            rule({
                tls: {
                    mode: "MUTUAL",
                    insecureSkipVerify: true,
                    caCertificates: "/ca.pem",
                    clientCertificate: "/c.pem",
                    privateKey: "/k.pem",
                },
            }),
            [
                `eks-istio:apps[0].destinationRules[0].trafficPolicy.tls: cannot specify CaCertificates or SubjectAltNames when InsecureSkipVerify is set true${dr("spec.trafficPolicy.tls")}`,
            ],
        ],
        [
            "client TLS: a configmap:// credential of another namespace",
            rule({ tls: { mode: "SIMPLE", credentialName: "configmap://other/ca" } }),
            [
                `eks-istio:apps[0].destinationRules[0].trafficPolicy.tls.credentialName: invalid configmap:// credentialName: namespace must match the configuration namespace "vote"${dr("spec.trafficPolicy.tls.credentialName")}`,
            ],
        ],
        [
            "locality: distribute weights summing to 90",
            rule({
                loadBalancer: {
                    localityLbSetting: {
                        distribute: [
                            { from: "us-east-1/*", to: { "us-east-1/us-east-1a/*": 80, "us-east-1/us-east-1b/*": 10 } },
                        ],
                    },
                },
            }),
            [
                `${lb}.distribute[0].to: total locality weight 90 != 100${dr("spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[0].to")}`,
            ],
        ],
        [
            "locality: failover to a zone, from anywhere",
            rule({ loadBalancer: { localityLbSetting: { failover: [{ from: "*", to: "us-west-2/a" }] } }, ...outlier }),
            [
                // Both of istiod's reasons, on the one line the key gets.
                `${lb}.failover[0]: locality lb failover only specify region; locality lb failover region should not contain '*' wildcard${dr("spec.trafficPolicy.loadBalancer.localityLbSetting.failover[0]")}`,
            ],
        ],
        [
            "locality: failover with the region label in failoverPriority",
            rule({
                loadBalancer: {
                    localityLbSetting: {
                        failover: [{ from: "us-east-1", to: "us-west-2" }],
                        failoverPriority: ["topology.kubernetes.io/region"],
                    },
                },
                ...outlier,
            }),
            [
                `${lb}.failoverPriority[0]: can not simultaneously set 'failover' and topology label 'topology.kubernetes.io/region' in 'failover_priority'${dr("spec.trafficPolicy.loadBalancer.localityLbSetting.failoverPriority[0]")}`,
            ],
        ],
        [
            "retries without attempts",
            app({}, [{ route: to, retries: { perTryTimeout: "2s", retryOn: "5xx" } }]),
            [
                `eks-istio:apps[0].http[0].retries: http retry policy configured when attempts are set to 0 (disabled)${webhook("VirtualService", "vote", "spec.http[0].retries")}`,
            ],
        ],
        [
            "a match gateway istiod cannot read",
            app({}, [{ route: to, match: [{ gateways: ["b@d"] }] }]),
            [
                `eks-istio:apps[0].http[0].match[0].gateways[0]: domain name "b@d" invalid (label "b@d" invalid)${webhook("VirtualService", "vote", "spec.http[0].match[0].gateways[0]")}`,
            ],
        ],
        [
            "DYNAMIC_DNS: an exact host and a TCP port (the protocol in upper case, as the schema wants)",
            app({
                serviceEntries: [
                    {
                        hosts: ["api.example.com"],
                        resolution: "DYNAMIC_DNS",
                        ports: [{ number: 5432, name: "pg", protocol: "TCP" }],
                    },
                ],
            }),
            [
                `eks-istio:apps[0].serviceEntries[0].hosts[0]: host must be wildcarded for resolution mode DYNAMIC_DNS${webhook("ServiceEntry", "api-example-com", "spec.hosts[0]")}`,
                `eks-istio:apps[0].serviceEntries[0].ports[0].protocol: only HTTP, TLS, GRPC, and HTTP2 protocols are supported for resolution type DYNAMIC_DNS${webhook("ServiceEntry", "api-example-com", "spec.ports[0].protocol")}`,
            ],
        ],
        [
            "DYNAMIC_DNS: addresses and endpoints",
            app({
                serviceEntries: [
                    {
                        hosts: ["*.example.com"],
                        resolution: "DYNAMIC_DNS",
                        addresses: ["10.0.0.1"],
                        endpoints: [{ address: "10.0.0.2" }],
                    },
                ],
            }),
            [
                `eks-istio:apps[0].serviceEntries[0].addresses: addresses cannot be set for resolution type DYNAMIC_DNS. HTTP route domains will only be generatedfrom the hosts field values${webhook("ServiceEntry", "wildcard-example-com", "spec.addresses")}`,
                `eks-istio:apps[0].serviceEntries[0].endpoints: endpoints cannot be set for resolution type DYNAMIC_DNS. Destination IP address determined from hostsfield values${webhook("ServiceEntry", "wildcard-example-com", "spec.endpoints")}`,
            ],
        ],
        // The schema stops these values before istiod's rule is asked; the user reads the key either way.
        [
            "a connection-pool limit below zero",
            rule({ connectionPool: { http: { maxRetries: -1 } } }),
            [
                "eks-istio:apps[0].destinationRules[0].trafficPolicy.connectionPool.http.maxRetries: must be at least 0, got -1",
            ],
        ],
        [
            "an outlier-detection percentage over 100",
            rule({ outlierDetection: { maxEjectionPercent: 105 } }),
            [
                "eks-istio:apps[0].destinationRules[0].trafficPolicy.outlierDetection.maxEjectionPercent: must be at most 100, got 105",
            ],
        ],
        [
            "a mirror percentage over 100",
            app({}, [{ route: to, mirror: { host: "frontend" }, mirrorPercentage: { value: 101 } }]),
            ["eks-istio:apps[0].http[0].mirrorPercentage.value: must be at most 100, got 101"],
        ],
        // False refusals: istiod 1.30 takes these.
        ["a traffic policy with only a retry budget", rule({ retryBudget: { percent: 20 } }), []],
        [
            "failover with the network label in failoverPriority",
            rule({
                loadBalancer: {
                    localityLbSetting: {
                        failover: [{ from: "us-east-1", to: "us-west-2" }],
                        failoverPriority: ["topology.istio.io/network"],
                    },
                },
                ...outlier,
            }),
            [],
        ],
    ];
    for (const [name, a, expected] of cases) it(name, () => assert.deepEqual(problemLines({ apps: [a] }), expected));
});
