// Checks the README promises, each with the exact message a user reads (the message is the
// behaviour: it names the key and says what to do), and the boundaries of each rule: the last
// value accepted next to the first refused.
import * as assert from "node:assert/strict";
import {
    attachmentProblem,
    ConfigError,
    hostObjectName,
    hostsOverlap,
    isCatchAll,
    qualifyHost,
    type ConfigProblem,
} from "../components/config";
import { parseStackConfig } from "../components/stack";
import { istiodValues } from "../components/manifests/istio";

const REGION = "ap-northeast-1";

/** Every problem parseStackConfig reports for `values`, as "path: message" lines; [] when it parses. */
function problems(values: Record<string, unknown>, stack = "dev"): ConfigProblem[] {
    try {
        parseStackConfig({ stack, region: REGION, values });
        return [];
    } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        return e.problems;
    }
}
const lines = (values: Record<string, unknown>, stack?: string) =>
    problems(values, stack).map((p) => `${p.path}: ${p.message}`);

const route = (prefix: string | undefined, host = "web") => ({
    ...(prefix === undefined ? {} : { match: [{ uri: { prefix } }] }),
    route: [{ destination: { host } }],
});

describe("rules: routing mistakes that lose traffic", () => {
    it("a route after a catch-all is never reached", () => {
        assert.deepEqual(
            lines({
                ingress: { port: 8000 },
                apps: [{ name: "web", http: [route(undefined), route("/api")] }],
            }),
            [
                "eks-istio:apps[0].http[1]: is never reached: eks-istio:apps[0].http[0] before it matches every request; put catch-all routes last",
            ],
        );
    });

    it('a match on uri prefix "/" alone is a catch-all too; the catch-all last is fine', () => {
        assert.deepEqual(
            lines({ ingress: { port: 8000 }, apps: [{ name: "web", http: [route("/"), route("/api")] }] }),
            [
                "eks-istio:apps[0].http[1]: is never reached: eks-istio:apps[0].http[0] before it matches every request; put catch-all routes last",
            ],
        );
        assert.deepEqual(
            lines({ ingress: { port: 8000 }, apps: [{ name: "web", http: [route("/api"), route("/")] }] }),
            [],
        );
    });

    it("a prefix other than / or a match with a header is not a catch-all", () => {
        const withHeader = { match: [{ uri: { prefix: "/" }, headers: { "x-canary": { exact: "1" } } }] };
        assert.deepEqual(
            lines({
                ingress: { port: 8000 },
                apps: [{ name: "web", http: [{ ...withHeader, ...route(undefined) }, route("/a"), route(undefined)] }],
            }),
            [],
        );
    });

    it("an app host that the environment's Gateway does not serve", () => {
        assert.deepEqual(
            lines({
                ingress: { port: 8000, hosts: ["vote.example.com", "*.shop.example.com"] },
                apps: [
                    { name: "web", hosts: ["web.example.com", "a.shop.example.com"], http: [route("/")] },
                    { name: "vote", hosts: ["vote.example.com"], http: [route("/vote", "vote")] },
                ],
            }),
            [
                'eks-istio:apps[0].hosts: "web.example.com" is not served by this environment\'s Gateway (eks-istio:ingress.hosts: ["vote.example.com","*.shop.example.com"]); add it there or fix the host',
            ],
        );
    });

    it("two apps' catch-alls on one host: each is told which app it would shadow", () => {
        const shadow = (i: number, j: number, name: string, host: string) =>
            `eks-istio:apps[${i}].http[0]: matches every request on host "${host}", which apps[${j}] (${name}) also serves; Istio merges both VirtualServices in creation order, so one app would shadow the other depending on deploy order. Give this route a match, give the apps distinct hosts, or put the routes in one app`;
        assert.deepEqual(
            lines({
                ingress: { port: 8000 },
                apps: [
                    { name: "a", http: [route(undefined, "a")] },
                    { name: "b", http: [route(undefined, "b")] },
                ],
            }),
            [shadow(0, 1, "b", "*"), shadow(1, 0, "a", "*")],
        );
        // One catch-all next to an app with matches only: the catch-all app is reported once.
        assert.deepEqual(
            lines({
                ingress: { port: 8000, hosts: ["*.example.com"] },
                apps: [
                    { name: "a", hosts: ["*.example.com"], http: [route(undefined, "a")] },
                    { name: "b", hosts: ["b.example.com"], http: [route("/b", "b")] },
                ],
            }),
            [shadow(0, 1, "b", "*.example.com")],
        );
    });

    it("catch-alls of two apps on distinct hosts are fine", () => {
        assert.deepEqual(
            lines({
                ingress: { port: 8000, hosts: ["a.example.com", "b.example.com"] },
                apps: [
                    { name: "a", hosts: ["a.example.com"], http: [route(undefined, "a")] },
                    { name: "b", hosts: ["b.example.com"], http: [route(undefined, "b")] },
                ],
            }),
            [],
        );
    });

    const OVERLAP: [string, string, boolean][] = [
        ["*", "vote.example.com", true],
        ["vote.example.com", "*", true],
        ["vote.example.com", "vote.example.com", true],
        ["*.example.com", "vote.example.com", true],
        ["vote.example.com", "*.example.com", true],
        ["*.example.com", "a.b.example.com", true],
        ["*.example.com", "*.shop.example.com", true],
        ["*.shop.example.com", "*.example.com", true],
        ["*.example.com", "example.com", false],
        ["*.example.com", "badexample.com", false],
        ["*.a.example.com", "*.b.example.com", false],
        ["*.example.com", "*.example.org", false],
        ["vote.example.com", "shop.example.com", false],
        ["vote.example.com", "example.com", false],
    ];
    for (const [a, b, want] of OVERLAP)
        it(`hostsOverlap(${a}, ${b}) → ${want}`, () => assert.equal(hostsOverlap(a, b), want));
});

describe("rules: the load balancer's name and TLS policy", () => {
    const NAME_ERROR = "must be 1-32 letters, digits or hyphens, not starting or ending with a hyphen (an AWS limit)";
    const NAMES: [string, string[]][] = [
        ["a", []],
        ["qa-public-alb", []],
        ["A1b2-C3d4", []],
        ["a".repeat(32), []],
        ["a".repeat(33), [NAME_ERROR]],
        ["", [NAME_ERROR]],
        ["-alb", [NAME_ERROR]],
        ["alb-", [NAME_ERROR]],
        ["my_alb", [NAME_ERROR]],
        ["internal-alb", ['must not start with "internal-" (reserved by AWS)']],
        ["internalalb", []],
    ];
    for (const [name, want] of NAMES)
        it(`ingress.loadBalancerName ${JSON.stringify(name)} → ${want.length ? "refused" : "accepted"}`, () =>
            assert.deepEqual(
                lines({ ingress: { port: 8000, loadBalancerName: name } }),
                want.map((m) => `eks-istio:ingress.loadBalancerName: ${m}`),
            ));

    const POLICY_ERROR = 'must be an ELB security policy such as "ELBSecurityPolicy-TLS13-1-2-2021-06"';
    const POLICIES: [string, string[]][] = [
        ["ELBSecurityPolicy-TLS13-1-2-2021-06", []],
        ["ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04", []],
        ["ELBSecurityPolicy-2016-08", []],
        ["TLS13-1-2-2021-06", [POLICY_ERROR]],
        ["ELBSecurityPolicy-", [POLICY_ERROR]],
        ["ELBSecurityPolicy-TLS 1.3", [POLICY_ERROR]],
        ["elbsecuritypolicy-TLS13-1-2-2021-06", [POLICY_ERROR]],
    ];
    for (const [policy, want] of POLICIES)
        it(`ingress.sslPolicy ${JSON.stringify(policy)} → ${want.length ? "refused" : "accepted"}`, () =>
            assert.deepEqual(
                lines({ ingress: { port: 8000, sslPolicy: policy } }),
                want.map((m) => `eks-istio:ingress.sslPolicy: ${m}`),
            ));
});

describe("rules: the gateway Service's NodePorts are unique", () => {
    const RANGE = /set a distinct nodePort in \d+-\d+$/;

    it("an explicit ingress.nodePort equal to istio.statusNodePort", () => {
        const ps = problems({ ingress: { port: 8000, nodePort: 30021 }, istio: { statusNodePort: 30021 } });
        assert.deepEqual(
            ps.map((p) => p.path),
            ["eks-istio:ingress.nodePort"],
        );
        assert.match(ps[0].message, /^30021 is also the nodePort of eks-istio:istio\.statusNodePort; /);
        assert.match(ps[0].message, RANGE);
    });

    it("an extra environment's nodePort equal to this environment's", () => {
        const ps = problems({
            ingress: { port: 8000, nodePort: 30010 },
            istio: {
                extraGatewayPorts: [
                    { environment: "stg", port: 9000, nodePort: 30011 },
                    { environment: "qa", port: 7000, nodePort: 30010 },
                ],
            },
        });
        assert.deepEqual(
            ps.map((p) => p.path),
            ["eks-istio:istio.extraGatewayPorts[1].nodePort"],
        );
        assert.match(ps[0].message, /^30010 is also the nodePort of eks-istio:ingress\.nodePort; /);
        assert.match(ps[0].message, RANGE);
    });

    it("a derived NodePort equal to a pinned status NodePort names the port it was derived from", () => {
        // 8000 derives 30010 (8000 mod 85 = 10).
        const ps = problems({ ingress: { port: 8000 }, istio: { statusNodePort: 30010 } });
        assert.deepEqual(
            ps.map((p) => p.path),
            ["eks-istio:ingress.nodePort"],
        );
        assert.match(
            ps[0].message,
            /^30010 \(derived from port 8000\) is also the nodePort of eks-istio:istio\.statusNodePort; /,
        );
        assert.match(ps[0].message, RANGE);
        // Pinning another NodePort resolves it.
        assert.deepEqual(problems({ ingress: { port: 8000, nodePort: 30001 }, istio: { statusNodePort: 30010 } }), []);
    });

    it("a nodePort equal to the status port's default NodePort says it is the default", () => {
        // statusNodePort is not set: the status port takes the band's last port, 30085.
        assert.deepEqual(lines({ ingress: { port: 8000, nodePort: 30085 } }), [
            "eks-istio:ingress.nodePort: 30085 is also the nodePort of eks-istio:istio.statusNodePort (its default); set a distinct nodePort in 30000-30085",
        ]);
    });

    it("distinct explicit NodePorts for every port are accepted", () => {
        assert.deepEqual(
            lines({
                ingress: { port: 8000, nodePort: 30001 },
                istio: {
                    statusNodePort: 30002,
                    extraGatewayPorts: [{ environment: "stg", port: 9000, nodePort: 30003 }],
                },
            }),
            [],
        );
    });
});

describe("rules: boundaries", () => {
    const sizes = (minSize: number, desiredSize: number, maxSize: number) =>
        lines({ ingress: { port: 8000 }, cluster: { minSize, desiredSize, maxSize } });
    it("node counts: min == desired == max is accepted; desired one above max is not", () => {
        assert.deepEqual(sizes(3, 3, 3), []);
        assert.deepEqual(sizes(1, 4, 4), []);
        assert.deepEqual(sizes(0, 1, 1), []);
        assert.deepEqual(sizes(1, 5, 4), [
            "eks-istio:cluster: node counts must satisfy minSize <= desiredSize <= maxSize, got minSize 1, desiredSize 5, maxSize 4",
        ]);
        assert.deepEqual(sizes(4, 3, 4), [
            "eks-istio:cluster: node counts must satisfy minSize <= desiredSize <= maxSize, got minSize 4, desiredSize 3, maxSize 4",
        ]);
    });

    it("maxSize 450 is accepted (the EKS limit), 451 is not; desiredSize 0 is not", () => {
        assert.deepEqual(sizes(1, 1, 450), []);
        assert.deepEqual(sizes(1, 1, 451), ["eks-istio:cluster.maxSize: must be at most 450, got 451"]);
        assert.deepEqual(sizes(0, 0, 1), ["eks-istio:cluster.desiredSize: must be at least 1, got 0"]);
    });

    const cidrs = (publicAccessCidrs: string[]) => lines({ ingress: { port: 8000 }, cluster: { publicAccessCidrs } });
    it("CIDR octets: 255 is accepted, 256 is not", () => {
        assert.deepEqual(cidrs(["255.255.255.255/32", "10.255.0.0/16", "0.0.0.0/0"]), []);
        assert.deepEqual(cidrs(["10.256.0.0/16"]), [
            'eks-istio:cluster.publicAccessCidrs[0]: "10.256.0.0/16" is not an IPv4 CIDR block such as 10.0.0.0/16',
        ]);
        assert.deepEqual(cidrs(["255.255.255.255/31"]), [
            'eks-istio:cluster.publicAccessCidrs[0]: "255.255.255.255/31" has host bits set; did you mean 255.255.255.254/31?',
        ]);
        assert.deepEqual(cidrs(["10.0.0.0/33"]), [
            'eks-istio:cluster.publicAccessCidrs[0]: "10.0.0.0/33" is not an IPv4 CIDR block such as 10.0.0.0/16',
        ]);
    });

    it("VPC prefixes: /16 and /22 are accepted, /15 and /23 are not", () => {
        const vpc = (vpcCidr: string) => lines({ ingress: { port: 8000 }, cluster: { vpcCidr } });
        assert.deepEqual(vpc("10.0.0.0/16"), []);
        assert.deepEqual(vpc("10.0.4.0/22"), []);
        assert.deepEqual(vpc("10.0.0.0/15"), [
            'eks-istio:cluster.vpcCidr: "10.0.0.0/15" has prefix /15; use a prefix from /16 to /22',
        ]);
        assert.deepEqual(vpc("10.0.0.0/23"), [
            'eks-istio:cluster.vpcCidr: "10.0.0.0/23" has prefix /23; use a prefix from /16 to /22',
        ]);
    });

    const timeout = (t: string) =>
        lines({ ingress: { port: 8000 }, apps: [{ name: "web", http: [{ ...route("/"), timeout: t }] }] });
    it("durations: compound ones (1m30s, 1h0m0.5s) are accepted; 1ms is the shortest", () => {
        for (const d of ["1m30s", "1h0m0.5s", "2h45m", "1.5s", "1.25s", "1ms", "1000us", "1000000ns"])
            assert.deepEqual(timeout(d), [], d);
        for (const d of ["999us", "0.5ms", "0s", "0m0s"])
            assert.deepEqual(timeout(d), ["eks-istio:apps[0].http[0].timeout: must be at least 1ms"], d);
        for (const d of ["1m 30s", "30", "1d", "-1s", "s"])
            assert.deepEqual(
                timeout(d),
                ['eks-istio:apps[0].http[0].timeout: must be a duration such as "5s", "250ms" or "1m30s"'],
                d,
            );
    });

    it("weights: 100 and 0 on one route sum to 100 and are accepted; 101 is refused", () => {
        const weights = (...ws: number[]) =>
            lines({
                ingress: { port: 8000 },
                apps: [
                    {
                        name: "web",
                        http: [{ route: ws.map((weight, i) => ({ destination: { host: `w${i}` }, weight })) }],
                    },
                ],
            });
        assert.deepEqual(weights(100, 0), []);
        assert.deepEqual(weights(100), []);
        assert.deepEqual(weights(101), ["eks-istio:apps[0].http[0].route[0].weight: must be at most 100, got 101"]);
        assert.deepEqual(weights(99, 2), [
            "eks-istio:apps[0].http[0].route: weights of the 2 destinations sum to 101; they must sum to 100 (e.g. 50/50 or 90/10)",
        ]);
    });
});

describe("rules: fields that exclude each other", () => {
    const http = (extra: Record<string, unknown>, action: Record<string, unknown> = route("/")) =>
        lines({ ingress: { port: 8000 }, apps: [{ name: "web", http: [{ ...action, ...extra }] }] });

    it("rewrite: uri or uriRegexRewrite, not both; either alone is accepted", () => {
        assert.deepEqual(http({ rewrite: { uri: "/" } }), []);
        assert.deepEqual(http({ rewrite: { uriRegexRewrite: { match: "^/api(/|$)(.*)", rewrite: "/\\2" } } }), []);
        assert.deepEqual(http({ rewrite: { uri: "/", uriRegexRewrite: { match: "^/a", rewrite: "/" } } }), [
            "eks-istio:apps[0].http[0].rewrite: set either uri or uriRegexRewrite, not both",
        ]);
    });

    it("rewrite cannot be combined with redirect", () => {
        assert.deepEqual(http({ rewrite: { uri: "/b" } }, { redirect: { uri: "/c" } }), [
            "eks-istio:apps[0].http[0].rewrite: cannot be combined with redirect",
        ]);
        assert.deepEqual(http({}, { redirect: { uri: "/c" } }), []);
    });

    it("fault delay: exactly one of fixedDelay or exponentialDelay", () => {
        const delay = (d: Record<string, unknown>) => http({ fault: { delay: { ...d, percentage: { value: 10 } } } });
        assert.deepEqual(delay({ fixedDelay: "2s" }), []);
        // The schema allows exponentialDelay alone; istiod's webhook does not (yet).
        assert.deepEqual(delay({ exponentialDelay: "2s" }), [
            "eks-istio:apps[0].http[0].fault.delay.exponentialDelay: exponentialDelay not supported yet; istiod's validating webhook would refuse VirtualService web/web (spec.http[0].fault.delay.exponentialDelay)",
        ]);
        const error = ["eks-istio:apps[0].http[0].fault.delay: must set exactly one of fixedDelay or exponentialDelay"];
        assert.deepEqual(delay({ fixedDelay: "2s", exponentialDelay: "2s" }), error);
        assert.deepEqual(delay({}), error);
    });

    it("fault abort: exactly one of httpStatus, grpcStatus or http2Error", () => {
        const abort = (a: Record<string, unknown>) => http({ fault: { abort: { ...a, percentage: { value: 10 } } } });
        assert.deepEqual(abort({ httpStatus: 503 }), []);
        assert.deepEqual(abort({ grpcStatus: "UNAVAILABLE" }), []);
        // The schema allows http2Error alone; istiod's webhook does not (yet).
        assert.deepEqual(abort({ http2Error: "REFUSED_STREAM" }), [
            "eks-istio:apps[0].http[0].fault.abort.http2Error: HTTP/2 abort fault injection not supported yet; istiod's validating webhook would refuse VirtualService web/web (spec.http[0].fault.abort.http2Error)",
        ]);
        const error = [
            "eks-istio:apps[0].http[0].fault.abort: must set exactly one of httpStatus, grpcStatus or http2Error",
        ];
        assert.deepEqual(abort({ httpStatus: 503, grpcStatus: "UNAVAILABLE" }), error);
        assert.deepEqual(abort({ grpcStatus: "UNAVAILABLE", http2Error: "REFUSED_STREAM" }), error);
        assert.deepEqual(abort({}), error);
    });

    it("one action per route: route, redirect or directResponse", () => {
        assert.deepEqual(http({ directResponse: { status: 404 } }, {}), []);
        assert.deepEqual(http({ directResponse: { status: 404 } }, { redirect: { uri: "/c" } }), [
            "eks-istio:apps[0].http[0]: sets redirect and directResponse; a route does exactly one of route, redirect or directResponse",
        ]);
    });
});

describe("rules: outboundTrafficPolicy reaches istiod", () => {
    const mode = (values: Record<string, unknown>) => {
        const cfg = parseStackConfig({ stack: "dev", region: REGION, values: { ingress: { port: 8000 }, ...values } });
        return istiodValues({ production: cfg.production, outboundTrafficPolicy: cfg.istio.outboundTrafficPolicy })
            .meshConfig.outboundTrafficPolicy;
    };
    it("REGISTRY_ONLY: sidecars reach only registered hosts", () =>
        assert.deepEqual(mode({ istio: { outboundTrafficPolicy: "REGISTRY_ONLY" } }), { mode: "REGISTRY_ONLY" }));
    it("ALLOW_ANY when set, and by default", () => {
        assert.deepEqual(mode({ istio: { outboundTrafficPolicy: "ALLOW_ANY" } }), { mode: "ALLOW_ANY" });
        assert.deepEqual(mode({}), { mode: "ALLOW_ANY" });
    });
    it("istiodValues: the mode given, ALLOW_ANY when none is", () => {
        assert.deepEqual(
            istiodValues({ production: false, outboundTrafficPolicy: "REGISTRY_ONLY" }).meshConfig
                .outboundTrafficPolicy,
            {
                mode: "REGISTRY_ONLY",
            },
        );
        assert.deepEqual(istiodValues({ production: false }).meshConfig.outboundTrafficPolicy, { mode: "ALLOW_ANY" });
    });
    it("anything else is refused with the choices", () =>
        assert.deepEqual(lines({ ingress: { port: 8000 }, istio: { outboundTrafficPolicy: "DENY" } }), [
            'eks-istio:istio.outboundTrafficPolicy: must be one of "ALLOW_ANY", "REGISTRY_ONLY"',
        ]));
});

describe("rules: what counts as a catch-all route", () => {
    const CASES: [string, unknown, boolean][] = [
        ["no match", undefined, true],
        ["an empty match list", [], true],
        ["a match with nothing in it", [{}], true],
        ["a match with only a name", [{ name: "all" }], true],
        ['uri prefix "/"', [{ uri: { prefix: "/" } }], true],
        ['a name and uri prefix "/"', [{ name: "all", uri: { prefix: "/" } }], true],
        ["one of several matches is a catch-all", [{ uri: { prefix: "/a" } }, { uri: { prefix: "/" } }], true],
        ['uri prefix "/api"', [{ uri: { prefix: "/api" } }], false],
        ['uri exact "/"', [{ uri: { exact: "/" } }], false],
        ['uri prefix "/" and a header', [{ uri: { prefix: "/" }, headers: { "x-a": { exact: "1" } } }], false],
        ["a method only", [{ method: { exact: "GET" } }], false],
    ];
    for (const [name, match, want] of CASES)
        it(`${name} → ${want}`, () => assert.equal(isCatchAll(match === undefined ? {} : { match }), want));
});

describe("rules: object names from hosts", () => {
    const NAMES: [string, string][] = [
        ["*.example.com", "wildcard-example-com"],
        ["a*.b", "a-b"],
        ["a..b", "a-b"],
        ["-.a", "a"],
        ["a.-", "a"],
        ["*", "host"],
        [`${"a".repeat(62)}.b${"c".repeat(10)}`, "a".repeat(62)],
        ["a".repeat(70), "a".repeat(63)],
        [`${"a".repeat(61)}--b`, "a".repeat(61)],
    ];
    for (const [host, want] of NAMES)
        it(`hostObjectName(${host}) → ${want}`, () => assert.equal(hostObjectName(host), want));
    it('qualifyHost leaves "*" as it is', () => assert.equal(qualifyHost("*", "vote"), "*"));
});

describe("rules: names that would collide in the cluster", () => {
    const app = (extra: Record<string, unknown>) =>
        lines({
            ingress: { port: 8000 },
            apps: [{ name: "web", http: [{ route: [{ destination: { host: "a.b" } }] }], ...extra }],
        });
    it("two DestinationRules whose hosts map to one object name", () => {
        assert.deepEqual(app({ destinationRules: [{ host: "a.b" }, { host: "a-b.web.svc.cluster.local" }] }), []);
        assert.deepEqual(app({ destinationRules: [{ host: "a.b" }, { host: "a-b" }] }), [
            'eks-istio:apps[0].destinationRules[1].host: "a-b" and destinationRules[0].host "a.b" would both be named "a-b"; use the hosts\' full names',
        ]);
    });
    it("one host twice is reported once, as a second rule for the host", () => {
        assert.deepEqual(app({ destinationRules: [{ host: "a.b" }, { host: "a.b" }] }), [
            'eks-istio:apps[0].destinationRules[1].host: "a.b" already has a DestinationRule in this app; Istio applies only one rule per host, so merge them',
        ]);
    });
    it("two ServiceEntries whose first hosts map to one object name", () => {
        const se = (host: string) => ({ hosts: [host], ports: [{ number: 443, name: "https", protocol: "TLS" }] });
        assert.deepEqual(app({ serviceEntries: [se("api.example.com"), se("api.example.org")] }), []);
        assert.deepEqual(app({ serviceEntries: [se("api.example.com"), se("api-example.com")] }), [
            'eks-istio:apps[0].serviceEntries[1].hosts: first host "api-example.com" is also the first host of serviceEntries[0]; merge the two entries',
        ]);
    });
    it("a subset of a host whose DestinationRule defines none; a mirror to an undefined subset", () => {
        assert.deepEqual(
            lines({
                ingress: { port: 8000 },
                apps: [
                    {
                        name: "web",
                        http: [
                            {
                                route: [{ destination: { host: "web", subset: "v1" } }],
                                mirrors: [{ destination: { host: "shadow", subset: "v2" } }],
                            },
                        ],
                        destinationRules: [{ host: "web" }],
                    },
                ],
            }),
            [
                'eks-istio:apps[0].http[0].route[0].destination.subset: subset "v1" is not defined for host "web" (its DestinationRule defines no subsets); Envoy would answer 503 "no healthy upstream"',
                'eks-istio:apps[0].http[0].mirrors[0].destination.subset: subset "v2" needs a DestinationRule for host "shadow" in apps[0].destinationRules defining it; without one Envoy answers 503 "no healthy upstream"',
            ],
        );
    });
    it("an app named after a system namespace, and one placed in it", () => {
        assert.deepEqual(
            lines({
                ingress: { port: 8000 },
                apps: [
                    { name: "kube-system", http: [route("/a")] },
                    { name: "web", namespace: "default", http: [route("/b")] },
                ],
            }),
            [
                'eks-istio:apps[0].name: "kube-system" is a system namespace (an app\'s namespace defaults to its name); give the app a namespace of its own',
                'eks-istio:apps[1].namespace: "default" is a system namespace; give the app a namespace of its own',
            ],
        );
    });
});

describe("rules: malformed values are reported once, by the schema, without follow-on noise", () => {
    it("extra gateway ports with non-string environments and non-number ports", () => {
        assert.deepEqual(
            lines({
                ingress: { port: 8000 },
                istio: {
                    extraGatewayPorts: [
                        { environment: 5, port: "x", nodePort: "y" },
                        { environment: 5, port: "x", nodePort: "y" },
                    ],
                },
            }),
            [
                "eks-istio:istio.extraGatewayPorts[0].environment: must be a string, got 5",
                'eks-istio:istio.extraGatewayPorts[0].port: "x" is not a port; use an integer from 1 to 65535',
                'eks-istio:istio.extraGatewayPorts[0].nodePort: must be a number, got "y"',
                "eks-istio:istio.extraGatewayPorts[1].environment: must be a string, got 5",
                'eks-istio:istio.extraGatewayPorts[1].port: "x" is not a port; use an integer from 1 to 65535',
                'eks-istio:istio.extraGatewayPorts[1].nodePort: must be a number, got "y"',
            ],
        );
    });
    it("hosts that are not strings", () => {
        assert.deepEqual(
            lines({
                ingress: { port: 8000, hosts: [5, "*.example.com"] },
                apps: [{ name: "web", hosts: [6, "web.example.com"], http: [route("/")] }],
            }),
            [
                "eks-istio:ingress.hosts[0]: must be a string, got 5",
                "eks-istio:apps[0].hosts[0]: must be a string, got 6",
            ],
        );
    });
    it("apps with names and namespaces that are not strings", () => {
        assert.deepEqual(
            lines({
                ingress: { port: 8000 },
                apps: [
                    { name: 5, namespace: 7, http: [route("/a")] },
                    { name: 5, namespace: 7, http: [route("/b")] },
                ],
            }),
            [
                "eks-istio:apps[0].name: must be a string, got 5",
                "eks-istio:apps[0].namespace: must be a string, got 7",
                "eks-istio:apps[1].name: must be a string, got 5",
                "eks-istio:apps[1].namespace: must be a string, got 7",
            ],
        );
    });
    // App a still serves host "*" whatever its routes become, so b's catch-all is still reported;
    // a itself has no route, so no catch-all of its own.
    it("an app whose http is not a list: its type error, and no route of its own reported", () => {
        assert.deepEqual(
            lines({
                ingress: { port: 8000 },
                apps: [
                    { name: "a", http: "all" },
                    { name: "b", http: [route(undefined, "b")] },
                ],
            }),
            [
                'eks-istio:apps[0].http: must be an array, got "all"',
                'eks-istio:apps[1].http[0]: matches every request on host "*", which apps[0] (a) also serves; Istio merges both VirtualServices in creation order, so one app would shadow the other depending on deploy order. Give this route a match, give the apps distinct hosts, or put the routes in one app',
            ],
        );
    });
    it("a catch-all shared with an app whose hosts only partly overlap", () => {
        assert.deepEqual(
            lines({
                ingress: { port: 8000, hosts: ["*.example.com", "*.example.org"] },
                apps: [
                    { name: "a", hosts: ["a.example.com"], http: [route(undefined, "a")] },
                    { name: "b", hosts: ["b.example.org", "a.example.com"], http: [route("/b", "b")] },
                ],
            }),
            [
                'eks-istio:apps[0].http[0]: matches every request on host "a.example.com", which apps[1] (b) also serves; Istio merges both VirtualServices in creation order, so one app would shadow the other depending on deploy order. Give this route a match, give the apps distinct hosts, or put the routes in one app',
            ],
        );
    });
});

describe("rules: an attached stack (cluster.stackReference)", () => {
    const owner = "the owner stack (the one cluster.stackReference names)";
    it("refuses every setting its owner decides, each at its key", () => {
        assert.deepEqual(
            lines({
                ingress: { port: 8000, nodePort: 30080 },
                cluster: { stackReference: "acme/eks-istio/product", vpcCidr: "10.1.0.0/16" },
                istio: { version: "1.30.3", extraGatewayPorts: [] },
                albController: { version: "3.5.0" },
                observability: { kiali: true },
            }),
            [
                `eks-istio:cluster.vpcCidr: has no effect with cluster.stackReference: this stack creates no cluster; set it in ${owner}`,
                `eks-istio:istio.version: has no effect with cluster.stackReference: Istio is installed by ${owner}; set it there`,
                `eks-istio:istio.extraGatewayPorts: belongs in ${owner}, which owns the gateway Service; list this environment there`,
                `eks-istio:albController: has no effect with cluster.stackReference: ${owner} runs the controller`,
                `eks-istio:observability: has no effect with cluster.stackReference: the add-ons run once per cluster and are installed by ${owner}; set eks-istio:observability there`,
                `eks-istio:ingress.nodePort: is pinned by ${owner}: set it on this environment's entry of its eks-istio:istio.extraGatewayPorts`,
            ],
        );
    });

    const REF = "acme/eks-istio/product";
    const fix =
        "add {environment: stg, port: 9000} to eks-istio:istio.extraGatewayPorts in the owner's Pulumi.product.yaml and run `pulumi up` on acme/eks-istio/product first";
    const ATTACH: [string, unknown, string | undefined][] = [
        ["served", [{ environment: "stg", port: 9000 }], undefined],
        [
            "not listed",
            [
                { environment: "product", port: 80 },
                { environment: "dev", port: 8000 },
            ],
            `acme/eks-istio/product's gateway does not serve port 9000 for environment "stg" (it serves: product 80, dev 8000); ${fix}`,
        ],
        [
            "an owner that serves nothing",
            [],
            `acme/eks-istio/product's gateway does not serve port 9000 for environment "stg" (it serves: none); ${fix}`,
        ],
        [
            "listed on another port",
            [{ environment: "stg", port: 9100 }],
            'acme/eks-istio/product serves environment "stg" on port 9100, not 9000 (eks-istio:ingress.port); make the two agree',
        ],
        [
            "port taken by another environment",
            [{ environment: "dev", port: 9000 }],
            "port 9000 of acme/eks-istio/product's gateway belongs to environment \"dev\"; pick another eks-istio:ingress.port and add {environment: stg, port: <that port>} to eks-istio:istio.extraGatewayPorts in the owner's Pulumi.product.yaml and run `pulumi up` on acme/eks-istio/product first",
        ],
        [
            "no gatewayPorts output",
            undefined,
            "acme/eks-istio/product has no gatewayPorts output; is it an eks-istio stack that owns a cluster, and has it been deployed?",
        ],
    ];
    for (const [name, ownerGatewayPorts, want] of ATTACH)
        it(`attachmentProblem: ${name}`, () =>
            assert.equal(
                attachmentProblem({ environment: "stg", port: 9000, stackReference: REF, ownerGatewayPorts }),
                want,
            ));
});
