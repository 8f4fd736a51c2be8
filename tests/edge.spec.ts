import * as assert from "node:assert/strict";
import { type StackConfig } from "../components/config";
import { parseStackConfig } from "../components/stack";
import {
    appNamespaceManifest,
    gatewayManifest,
    ingressAnnotations,
    ingressManifest,
    loadBalancerName,
    urlFromIngressStatus,
    virtualServiceManifest,
} from "../components/manifests/edge";

const CERT = "arn:aws:acm:ap-northeast-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000001";

/** A stack config; a production stack without a certificate opts out of the HTTPS rule explicitly. */
function config(stack: string, values: Record<string, unknown>): StackConfig {
    const ingress = values.ingress as Record<string, unknown> | undefined;
    const plain = ingress && ingress.certificateArn === undefined ? { allowPlainHttpInProduction: true } : {};
    return parseStackConfig({
        stack,
        region: "ap-northeast-1",
        values: { ...values, ingress: { ...ingress, ...plain } },
    });
}

describe("edge: the ALB Ingress", () => {
    const cases: { env: string; port: number; name: string; lb: string }[] = [
        { env: "dev", port: 8000, name: "istio-ingress-dev", lb: "eks-istio-dev" },
        { env: "stg", port: 9000, name: "istio-ingress-stg", lb: "eks-istio-stg" },
        { env: "product", port: 80, name: "istio-ingress-product", lb: "eks-istio-product" },
        { env: "qa", port: 7000, name: "istio-ingress-qa", lb: "eks-istio-qa" },
        { env: "abcdefghij", port: 65535, name: "istio-ingress-abcdefghij", lb: "eks-istio-abcdefghij" },
    ];
    for (const c of cases) {
        it(`${c.env}: Ingress ${c.name} in istio-system sends / to istio-ingressgateway:${c.port}`, () => {
            const ing = ingressManifest(config(c.env, { ingress: { port: c.port } }));
            assert.equal(ing.apiVersion, "networking.k8s.io/v1");
            assert.equal(ing.metadata.name, c.name);
            assert.equal(ing.metadata.namespace, "istio-system");
            assert.equal(ing.spec.ingressClassName, "alb");
            assert.deepEqual(ing.spec.rules, [
                {
                    http: {
                        paths: [
                            {
                                path: "/",
                                pathType: "Prefix",
                                backend: { service: { name: "istio-ingressgateway", port: { number: c.port } } },
                            },
                        ],
                    },
                },
            ]);
            const a = ing.metadata.annotations;
            assert.equal(a["alb.ingress.kubernetes.io/load-balancer-name"], c.lb);
            assert.ok(c.lb.length <= 32, "AWS limits load balancer names to 32 characters");
            assert.match(a["alb.ingress.kubernetes.io/tags"], new RegExp(`eks-istio/environment=${c.env}`));
        });
    }

    it("health checks Envoy's readiness on the status port, not the app", () => {
        const a = ingressAnnotations(config("dev", { ingress: { port: 8000 } }));
        assert.equal(a["alb.ingress.kubernetes.io/healthcheck-port"], "status-port");
        assert.equal(a["alb.ingress.kubernetes.io/healthcheck-path"], "/healthz/ready");
        assert.equal(a["alb.ingress.kubernetes.io/healthcheck-protocol"], "HTTP");
        assert.equal(a["alb.ingress.kubernetes.io/success-codes"], "200");
    });

    const tls: {
        name: string;
        env: string;
        ingress: Record<string, unknown>;
        teardown?: true;
        expect: Record<string, string | undefined>;
    }[] = [
        {
            name: "no certificate: HTTP 80 only, no redirect",
            env: "dev",
            ingress: { port: 8000 },
            expect: {
                "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP":80}]',
                "alb.ingress.kubernetes.io/ssl-redirect": undefined,
                "alb.ingress.kubernetes.io/certificate-arn": undefined,
            },
        },
        {
            name: "certificate: HTTP 80 + HTTPS 443, redirect to 443, TLS 1.3 policy",
            env: "dev",
            ingress: { port: 8000, certificateArn: CERT },
            expect: {
                "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP":80},{"HTTPS":443}]',
                "alb.ingress.kubernetes.io/ssl-redirect": "443",
                "alb.ingress.kubernetes.io/certificate-arn": CERT,
                "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
            },
        },
        {
            name: "custom TLS policy",
            env: "dev",
            ingress: { port: 8000, certificateArn: CERT, sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06" },
            expect: { "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-3-2021-06" },
        },
        {
            name: "internal scheme and ip targets",
            env: "stg",
            ingress: { port: 9000, scheme: "internal", targetType: "ip" },
            expect: {
                "alb.ingress.kubernetes.io/scheme": "internal",
                "alb.ingress.kubernetes.io/target-type": "ip",
            },
        },
        {
            name: "defaults: internet-facing, instance targets",
            env: "stg",
            ingress: { port: 9000 },
            expect: {
                "alb.ingress.kubernetes.io/scheme": "internet-facing",
                "alb.ingress.kubernetes.io/target-type": "instance",
                // Stated even when off: the controller only changes the attributes it is given.
                "alb.ingress.kubernetes.io/load-balancer-attributes":
                    "deletion_protection.enabled=false,access_logs.s3.enabled=false",
                "alb.ingress.kubernetes.io/wafv2-acl-arn": "none",
                "alb.ingress.kubernetes.io/inbound-cidrs": undefined,
                // Shorter than the gateway's 45 s Envoy drain (the default is 300 s).
                "alb.ingress.kubernetes.io/target-group-attributes": "deregistration_delay.timeout_seconds=30",
            },
        },
        {
            name: "product: deletion protection on",
            env: "product",
            ingress: { port: 80 },
            expect: {
                "alb.ingress.kubernetes.io/load-balancer-attributes":
                    "deletion_protection.enabled=true,access_logs.s3.enabled=false",
            },
        },
        {
            name: "product being torn down: deletion protection explicitly off, nothing else changed",
            env: "product",
            ingress: { port: 80 },
            teardown: true,
            expect: {
                "alb.ingress.kubernetes.io/load-balancer-attributes":
                    "deletion_protection.enabled=false,access_logs.s3.enabled=false",
                "alb.ingress.kubernetes.io/scheme": "internet-facing",
            },
        },
        {
            name: "explicit load balancer name",
            env: "qa",
            ingress: { port: 7000, loadBalancerName: "qa-public-alb" },
            expect: { "alb.ingress.kubernetes.io/load-balancer-name": "qa-public-alb" },
        },
    ];
    for (const c of tls) {
        it(c.name, () => {
            const a = ingressAnnotations(
                config(c.env, { ingress: c.ingress, ...(c.teardown ? { teardown: true } : {}) }),
            );
            for (const [k, v] of Object.entries(c.expect)) assert.equal(a[k], v, k);
        });
    }

    it("labels the Ingress with its environment and production flag (read by the policy pack)", () => {
        const ing = ingressManifest(config("product", { ingress: { port: 80, certificateArn: CERT } }));
        assert.deepEqual(ing.metadata.labels, {
            "app.kubernetes.io/managed-by": "pulumi",
            "app.kubernetes.io/part-of": "eks-istio",
            "eks-istio/environment": "product",
            "eks-istio/production": "true",
        });
        const down = ingressManifest(config("product", { ingress: { port: 80 }, teardown: true }));
        assert.equal(
            down.metadata.labels["eks-istio/teardown"],
            "true",
            "tells the policy pack protection is off on purpose",
        );
        assert.equal(loadBalancerName(config("dev", { ingress: { port: 8000 } })), "eks-istio-dev");
    });
});

describe("edge: the Istio Gateway", () => {
    for (const [env, port] of [
        ["dev", 8000],
        ["stg", 9000],
        ["product", 80],
        ["qa", 7000],
    ] as const) {
        it(`${env}: ${env}-gateway listens on ${port} as http-${env} for the configured hosts`, () => {
            const gw = gatewayManifest(config(env, { ingress: { port, hosts: ["*.example.com", "example.com"] } }));
            assert.equal(gw.apiVersion, "networking.istio.io/v1");
            assert.equal(gw.kind, "Gateway");
            assert.equal(gw.metadata.name, `${env}-gateway`);
            assert.equal(gw.metadata.namespace, "istio-system");
            assert.deepEqual(gw.spec, {
                selector: { istio: "ingressgateway" },
                servers: [
                    {
                        port: { number: port, name: `http-${env}`, protocol: "HTTP" },
                        hosts: ["*.example.com", "example.com"],
                    },
                ],
            });
        });
    }
});

describe("edge: apps", () => {
    const routes = [
        {
            name: "vote",
            match: [{ uri: { prefix: "/azure-vote" } }, { headers: { "x-canary": { exact: "true" } } }],
            route: [
                { destination: { host: "frontend", port: { number: 8000 } }, weight: 90 },
                { destination: { host: "frontend2", port: { number: 8000 } }, weight: 10 },
            ],
            fault: {
                delay: { fixedDelay: "2s", percentage: { value: 5 } },
                abort: { httpStatus: 503, percentage: { value: 1 } },
            },
            retries: { attempts: 3, perTryTimeout: "2s", retryOn: "5xx" },
            timeout: "10s",
            rewrite: { uri: "/" },
            headers: { request: { set: { "x-env": "dev" } } },
        },
        { name: "rest", route: [{ destination: { host: "httpbin" } }] },
    ];
    // Parsed in each test, not while the file loads, so that mutation testing sees which test
    // exercises the parser (code run at load counts for no test).
    let cfg: StackConfig;
    beforeEach(() => {
        cfg = config("dev", {
            ingress: { port: 8000 },
            apps: [{ name: "vote", namespace: "vote-ns", hosts: ["vote.example.com"], http: routes }],
        });
    });

    it("a VirtualService named after the app, in its namespace, bound to istio-system/<env>-gateway", () => {
        const vs = virtualServiceManifest(cfg, cfg.apps[0]);
        assert.equal(vs.apiVersion, "networking.istio.io/v1");
        assert.equal(vs.metadata.name, "vote");
        assert.equal(vs.metadata.namespace, "vote-ns");
        assert.deepEqual(vs.spec.hosts, ["vote.example.com"]);
        assert.deepEqual(vs.spec.gateways, ["istio-system/dev-gateway"]);
    });

    it("http is exactly the configured routes: matches, weights, faults, retries, timeouts, rewrites, headers", () => {
        assert.deepEqual(virtualServiceManifest(cfg, cfg.apps[0]).spec.http, routes);
    });

    it("the object shares nothing mutable with the config: changing one leaves the other as it was", () => {
        const vs = virtualServiceManifest(cfg, cfg.apps[0]);
        (vs.spec.http[0].route![0].destination as { host: string }).host = "changed";
        vs.spec.http.push({ name: "extra", route: [] } as never);
        assert.deepEqual(cfg.apps[0].http, routes);
        assert.deepEqual(virtualServiceManifest(cfg, cfg.apps[0]).spec.http, routes);
    });

    it("app hosts default to every host", () => {
        const c = config("dev", {
            ingress: { port: 8000 },
            apps: [{ name: "a", http: [{ route: [{ destination: { host: "a" } }] }] }],
        });
        assert.deepEqual(virtualServiceManifest(c, c.apps[0]).spec.hosts, ["*"]);
        assert.equal(virtualServiceManifest(c, c.apps[0]).metadata.namespace, "a");
    });

    it("the app's namespace is labelled for sidecar injection", () => {
        const ns = appNamespaceManifest(cfg, cfg.apps[0]);
        assert.equal(ns.metadata.name, "vote-ns");
        assert.equal(ns.metadata.labels["istio-injection"], "enabled");
    });
});

describe("edge: url", () => {
    const cases: [string | undefined, boolean, string | undefined][] = [
        ["k8s-abc.elb.amazonaws.com", false, "http://k8s-abc.elb.amazonaws.com"],
        ["k8s-abc.elb.amazonaws.com", true, "https://k8s-abc.elb.amazonaws.com"],
        [undefined, false, undefined],
    ];
    for (const [host, https, want] of cases)
        it(`${host ?? "no hostname yet"} (https=${https}) → ${want}`, () =>
            assert.equal(urlFromIngressStatus(host, https), want));
});
