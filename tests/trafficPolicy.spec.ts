// DestinationRules, AuthorizationPolicies and ServiceEntries: the cross-checks that catch a 503 or
// an open door before anything exists, and the objects the cluster receives.
import * as assert from "node:assert/strict";
import { ConfigError, hostObjectName, qualifyHost, type StackConfig } from "../components/config";
import { parseStackConfig } from "../components/stack";
import { assertExactProblem } from "./problems";
import {
    authorizationPolicyManifest,
    destinationRuleManifests,
    INGRESS_GATEWAY_PRINCIPAL,
    serviceEntryManifests,
} from "../components/manifests/edge";

const to = (host: string, extra: Record<string, unknown> = {}) => ({ destination: { host, ...extra } });
const app = (extra: Record<string, unknown>, http: unknown[] = [{ route: [to("frontend")] }]) => ({
    name: "vote",
    http,
    ...extra,
});
const parse = (apps: unknown[]): StackConfig =>
    // internal: an internet-facing dev ALB would add its own warning (tests/edgeConfig.spec.ts).
    parseStackConfig({
        stack: "dev",
        region: "ap-northeast-1",
        values: { ingress: { port: 8000, scheme: "internal" }, apps },
    });
function problems(apps: unknown[]) {
    try {
        parse(apps);
    } catch (e) {
        if (e instanceof ConfigError) return e.problems;
        throw e;
    }
    return [];
}
const canaryRule = {
    host: "frontend",
    subsets: [
        { name: "v1", labels: { version: "v1" } },
        { name: "v2", labels: { version: "v2" } },
    ],
};

describe("traffic policy: cross-checks before anything is created", () => {
    const cases: { name: string; apps: unknown[]; path: string; message: string }[] = [
        {
            name: "a subset no DestinationRule defines (the 503 'no healthy upstream')",
            apps: [app({}, [{ route: [to("frontend", { subset: "v2" })] }])],
            path: "eks-istio:apps[0].http[0].route[0].destination.subset",
            message:
                'subset "v2" needs a DestinationRule for host "frontend" in apps[0].destinationRules defining it; without one Envoy answers 503 "no healthy upstream"',
        },
        {
            name: "a subset missing from the host's DestinationRule",
            apps: [app({ destinationRules: [canaryRule] }, [{ route: [to("frontend", { subset: "v3" })] }])],
            path: "eks-istio:apps[0].http[0].route[0].destination.subset",
            message:
                'subset "v3" is not defined for host "frontend" (its DestinationRule defines "v1", "v2"); Envoy would answer 503 "no healthy upstream"',
        },
        {
            name: "a mirror to an undefined subset",
            apps: [
                app({ destinationRules: [canaryRule] }, [
                    { route: [to("frontend")], mirror: { host: "frontend", subset: "shadow" } },
                ]),
            ],
            path: "eks-istio:apps[0].http[0].mirror.subset",
            message:
                'subset "shadow" is not defined for host "frontend" (its DestinationRule defines "v1", "v2"); Envoy would answer 503 "no healthy upstream"',
        },
        {
            name: "duplicate subset names",
            apps: [
                app({
                    destinationRules: [
                        {
                            host: "frontend",
                            subsets: [
                                { name: "v1", labels: { version: "v1" } },
                                { name: "v1", labels: { version: "v2" } },
                            ],
                        },
                    ],
                }),
            ],
            path: "eks-istio:apps[0].destinationRules[0].subsets[1].name",
            message: 'subset "v1" is defined twice for host "frontend"; subset names must be unique',
        },
        {
            name: "two DestinationRules for one host",
            apps: [app({ destinationRules: [{ host: "frontend" }, { host: "frontend.vote.svc.cluster.local" }] })],
            path: "eks-istio:apps[0].destinationRules[1].host",
            message:
                '"frontend.vote.svc.cluster.local" already has a DestinationRule in this app; Istio applies only one rule per host, so merge them',
        },
        {
            name: "an authorization rule with neither from nor to",
            apps: [app({ authorization: [{ when: [{ key: "request.headers[x-debug]", values: ["1"] }] }] })],
            path: "eks-istio:apps[0].authorization[0]",
            message:
                'has neither from nor to, so it would allow every request from anywhere; say who may call (from: [{source: {namespaces: ["..."]}}]) and/or what they may do (to: [{operation: {methods: ["GET"], paths: ["/..."]}}])',
        },
        {
            name: "an empty authorization rule",
            apps: [app({ authorization: [{}] })],
            path: "eks-istio:apps[0].authorization[0]",
            message:
                'has neither from nor to, so it would allow every request from anywhere; say who may call (from: [{source: {namespaces: ["..."]}}]) and/or what they may do (to: [{operation: {methods: ["GET"], paths: ["/..."]}}])',
        },
        {
            name: "allowIngressGateway without authorization rules",
            apps: [app({ allowIngressGateway: false })],
            path: "eks-istio:apps[0].allowIngressGateway",
            message: "only applies together with authorization rules; remove it or add apps[].authorization",
        },
        {
            name: "a misspelt DestinationRule field",
            apps: [app({ destinationRules: [{ host: "frontend", trafficPolicy: { outlierDetecton: {} } }] })],
            path: "eks-istio:apps[0].destinationRules[0].trafficPolicy",
            message: 'unknown key "outlierDetecton" (did you mean "outlierDetection"?)',
        },
        {
            name: "a subset name that is not a DNS label",
            apps: [app({ destinationRules: [{ host: "frontend", subsets: [{ name: "V_1" }] }] })],
            path: "eks-istio:apps[0].destinationRules[0].subsets[0].name",
            message: 'must be a DNS-1123 label such as "v1" or "canary"',
        },
        {
            name: "simple and consistentHash load balancing together",
            apps: [
                app({
                    destinationRules: [
                        {
                            host: "frontend",
                            trafficPolicy: {
                                loadBalancer: { simple: "RANDOM", consistentHash: { useSourceIp: true } },
                            },
                        },
                    ],
                }),
            ],
            path: "eks-istio:apps[0].destinationRules[0].trafficPolicy.loadBalancer",
            message: "set either simple or consistentHash, not both",
        },
        {
            name: "a ServiceEntry port without a name",
            apps: [
                app({ serviceEntries: [{ hosts: ["api.example.com"], ports: [{ number: 443, protocol: "TLS" }] }] }),
            ],
            path: "eks-istio:apps[0].serviceEntries[0].ports[0].name",
            message: "is required: a port name such as https",
        },
        {
            name: "a wildcard ServiceEntry host with DNS resolution",
            apps: [
                app({
                    serviceEntries: [
                        { hosts: ["*.example.com"], resolution: "DNS", ports: [{ number: 443, name: "https" }] },
                    ],
                }),
            ],
            path: "eks-istio:apps[0].serviceEntries[0].hosts[0]",
            message:
                'hosts must be FQDN or contain only prefix wildcards if no endpoints are provided for resolution mode DNS, domain name "*.example.com" invalid (label "*" invalid); istiod\'s validating webhook would refuse ServiceEntry vote/wildcard-example-com (spec.hosts[0])',
        },
        {
            name: "ServiceEntry endpoints with resolution NONE",
            apps: [app({ serviceEntries: [{ hosts: ["db.internal"], endpoints: [{ address: "10.0.0.1" }] }] })],
            path: "eks-istio:apps[0].serviceEntries[0]",
            message:
                "NONE mode cannot set endpoints; the API server would refuse ServiceEntry vote/db-internal (spec, by the Istio CRD's schema)",
        },
        {
            name: "a ServiceEntry port listed twice",
            apps: [
                app({
                    serviceEntries: [
                        {
                            hosts: ["api.example.com"],
                            ports: [
                                { number: 443, name: "a" },
                                { number: 443, name: "b" },
                            ],
                        },
                    ],
                }),
            ],
            path: "eks-istio:apps[0].serviceEntries[0].ports",
            message:
                "port number cannot be duplicated; the API server would refuse ServiceEntry vote/api-example-com (spec.ports, by the Istio CRD's schema)",
        },
    ];
    for (const c of cases) {
        it(c.name, () => {
            assertExactProblem(problems(c.apps), c.path, c.message);
        });
    }

    it("a DestinationRule no route uses is a warning, not an error", () => {
        const cfg = parse([app({ destinationRules: [canaryRule, { host: "reviews" }] })]);
        assert.deepEqual(
            cfg.warnings.map((w) => w.path),
            ["eks-istio:apps[0].destinationRules[1].host"],
        );
        assert.match(cfg.warnings[0].message, /"reviews" is not a destination of any route of this app/);
    });

    it("short and full host names meet: frontend, frontend.vote, frontend.vote.svc.cluster.local", () => {
        const cfg = parse([
            app({ destinationRules: [{ host: "frontend.vote.svc.cluster.local", subsets: [{ name: "v1" }] }] }, [
                { route: [to("frontend", { subset: "v1" })] },
            ]),
        ]);
        assert.deepEqual(cfg.warnings, []);
    });
});

describe("traffic policy: hosts and names", () => {
    const qualified: [string, string, string][] = [
        ["frontend", "vote", "frontend.vote.svc.cluster.local"],
        ["frontend.other", "vote", "frontend.other.svc.cluster.local"],
        ["frontend.other.svc", "vote", "frontend.other.svc.cluster.local"],
        ["api.example.com", "vote", "api.example.com"],
        ["*.example.com", "vote", "*.example.com"],
    ];
    for (const [host, ns, want] of qualified)
        it(`qualifyHost(${host}, ${ns}) → ${want}`, () => assert.equal(qualifyHost(host, ns), want));
    const names: [string, string][] = [
        ["frontend", "frontend"],
        ["reviews.bookinfo.svc.cluster.local", "reviews-bookinfo-svc-cluster-local"],
        ["*.example.com", "wildcard-example-com"],
        ["API.Example.com", "api-example-com"],
    ];
    for (const [host, want] of names)
        it(`hostObjectName(${host}) → ${want}`, () => assert.equal(hostObjectName(host), want));
});

describe("traffic policy: the objects", () => {
    // What the config says, written once: the objects must carry exactly this.
    const rule = {
        ...canaryRule,
        trafficPolicy: {
            connectionPool: { http: { http1MaxPendingRequests: 10 } },
            outlierDetection: { consecutive5xxErrors: 5, interval: "10s", baseEjectionTime: "30s" },
            tls: { mode: "ISTIO_MUTUAL" },
            loadBalancer: { simple: "LEAST_REQUEST" },
        },
    };
    const allow = {
        from: [{ source: { namespaces: ["istio-system"] } }],
        to: [{ operation: { methods: ["GET"], paths: ["/azure-vote*"] } }],
    };
    const entry = {
        hosts: ["api.example.com"],
        ports: [{ number: 443, name: "https", protocol: "TLS" }],
        resolution: "DNS",
        location: "MESH_EXTERNAL",
    };
    // Parsed in each test, not at load, so that mutation testing attributes the parser to tests.
    let cfg: StackConfig;
    let a: StackConfig["apps"][number];
    beforeEach(() => {
        cfg = parse([
            app(
                {
                    namespace: "vote-ns",
                    destinationRules: [structuredClone(rule)],
                    authorization: [structuredClone(allow)],
                    serviceEntries: [structuredClone(entry)],
                },
                [{ route: [to("frontend", { subset: "v1" })] }],
            ),
        ]);
        a = cfg.apps[0];
    });

    it("a DestinationRule per entry, in the app's namespace, spec as configured and exported to its namespace and the gateway's", () => {
        const [dr] = destinationRuleManifests(cfg, a);
        assert.equal(dr.apiVersion, "networking.istio.io/v1");
        assert.equal(dr.kind, "DestinationRule");
        assert.deepEqual(dr.metadata.name, "frontend");
        assert.deepEqual(dr.metadata.namespace, "vote-ns");
        assert.deepEqual(dr.spec, { ...rule, exportTo: [".", "istio-system"] });
    });

    it("an ALLOW AuthorizationPolicy for the namespace that also lets the ingress gateway in", () => {
        const p = authorizationPolicyManifest(cfg, a)!;
        assert.equal(p.apiVersion, "security.istio.io/v1");
        assert.equal(p.metadata.namespace, "vote-ns");
        assert.equal(p.spec.action, "ALLOW");
        assert.equal("selector" in p.spec, false, "namespace-wide");
        assert.deepEqual(p.spec.rules[0], { from: [{ source: { principals: [INGRESS_GATEWAY_PRINCIPAL] } }] });
        assert.equal(INGRESS_GATEWAY_PRINCIPAL, "cluster.local/ns/istio-system/sa/istio-ingressgateway");
        assert.deepEqual(p.spec.rules.slice(1), [allow]);
    });

    it("allowIngressGateway: false leaves only the configured rules", () => {
        const c = parse([
            app({ authorization: [{ from: [{ source: { namespaces: ["vote"] } }] }], allowIngressGateway: false }),
        ]);
        assert.deepEqual(authorizationPolicyManifest(c, c.apps[0])!.spec.rules, [
            { from: [{ source: { namespaces: ["vote"] } }] },
        ]);
    });

    it("no authorization configured: no policy at all (the mesh default allows)", () => {
        const c = parse([app({})]);
        assert.equal(authorizationPolicyManifest(c, c.apps[0]), undefined);
    });

    it("a ServiceEntry per entry, named after its first host, exported to its namespace only (no route sends the gateway there)", () => {
        const [se] = serviceEntryManifests(cfg, a);
        assert.equal(se.apiVersion, "networking.istio.io/v1");
        assert.equal(se.metadata.name, "api-example-com");
        assert.equal(se.metadata.namespace, "vote-ns");
        assert.deepEqual(se.spec, { ...entry, exportTo: ["."] });
    });
});
