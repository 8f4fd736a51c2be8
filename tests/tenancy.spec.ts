// Tenancy in the shared layout, the pure rules: how istiod reads a host (every host form) and which
// namespace it reaches, and the exportTo each generated kind carries. The config errors and
// warnings a user reads are in tenancyConfig.spec.ts.
import * as assert from "node:assert/strict";
import {
    coveredBy,
    destinationRuleExportTo,
    GATEWAY_NAMESPACE,
    gatewayDestinations,
    gatewayExportTo,
    hostCovers,
    hostReach,
    resolvedHost,
    serviceEntryExportTo,
    visibleToGateway,
    type HostReach,
} from "../components/config";
import { destinationRuleManifests, serviceEntryManifests, virtualServiceManifest } from "../components/manifests/edge";
import { ISTIO } from "../components/manifests/istio";
import { webhookIssues } from "../components/validation/webhook";
import { app, owner, parse, to } from "./tenancyFixtures";

describe("tenancy: how istiod reads a host, and which namespace it reaches", () => {
    // [host, the namespace of the object that names it, what it reaches]
    const REACH: [string, string, HostReach][] = [
        ["orders", "dev-shop", { form: "short", namespace: "dev-shop" }],
        ["orders.product-orders", "dev-shop", { form: "service.namespace", namespace: "product-orders" }],
        ["orders.product-orders.svc", "dev-shop", { form: "kubernetes", namespace: "product-orders" }],
        ["orders.product-orders.svc.cluster.local", "dev-shop", { form: "kubernetes", namespace: "product-orders" }],
        ["Orders.Product-Orders.svc.cluster.local.", "dev-shop", { form: "kubernetes", namespace: "product-orders" }],
        ["*.product-orders.svc.cluster.local", "dev-shop", { form: "kubernetes", namespace: "product-orders" }],
        [
            "web-0.orders.product-orders.svc.cluster.local",
            "dev-shop",
            { form: "kubernetes", namespace: "product-orders" },
        ],
        ["10-0-1-7.product-orders.pod.cluster.local", "dev-shop", { form: "kubernetes", namespace: "product-orders" }],
        ["product-orders.svc.cluster.local", "dev-shop", { form: "kubernetes", namespace: "product-orders" }],
        ["*.svc.cluster.local", "dev-shop", { form: "kubernetes", namespace: "*" }],
        ["*.svc", "dev-shop", { form: "kubernetes", namespace: "*" }],
        ["*.cluster.local", "dev-shop", { form: "kubernetes", namespace: "*" }],
        ["svc.cluster.local", "dev-shop", { form: "kubernetes", namespace: "*" }],
        ["*.local", "dev-shop", { form: "wildcard", namespace: "*" }],
        ["*", "dev-shop", { form: "wildcard", namespace: "*" }],
        ["*.product-orders", "dev-shop", { form: "service.namespace", namespace: "product-orders" }],
        ["api.example.com", "dev-shop", { form: "external" }],
        ["*.example.com", "dev-shop", { form: "external" }],
        ["10.40.1.7", "dev-shop", { form: "external" }],
        ["fd00::7", "dev-shop", { form: "external" }],
    ];
    for (const [host, ns, want] of REACH)
        it(`hostReach(${host}) from ${ns} → ${want.form} ${want.namespace ?? ""}`, () =>
            assert.deepEqual(hostReach(host, ns), want));

    // istiod's ResolveShortnameToFQDN: only a name without a dot gets the namespace and domain.
    const RESOLVED: [string, string, string][] = [
        ["orders", "dev-shop", "orders.dev-shop.svc.cluster.local"],
        ["orders.product-orders", "dev-shop", "orders.product-orders"],
        ["orders.product-orders.svc", "dev-shop", "orders.product-orders.svc"],
        ["orders.product-orders.svc.cluster.local", "dev-shop", "orders.product-orders.svc.cluster.local"],
        ["API.example.com.", "dev-shop", "api.example.com"],
        ["*", "dev-shop", "*"],
        ["10.40.1.7", "dev-shop", "10.40.1.7"],
        ["fd00::7", "dev-shop", "fd00::7"],
    ];
    for (const [host, ns, want] of RESOLVED)
        it(`resolvedHost(${host}) from ${ns} → ${want}`, () => assert.equal(resolvedHost(host, ns), want));

    const COVERS: [string, string, boolean][] = [
        ["api.example.com", "api.example.com", true],
        ["API.example.com", "api.example.com.", true],
        ["*.example.com", "api.example.com", true],
        ["*.example.com", "a.b.example.com", true],
        ["*.example.com", "example.com", false],
        ["*.example.com", "api.example.org", false],
        ["api.example.com", "*.example.com", false],
        ["*", "anything.at.all", true],
    ];
    for (const [pattern, host, want] of COVERS)
        it(`hostCovers(${pattern}, ${host}) → ${want}`, () => assert.equal(hostCovers(pattern, host), want));

    // coveredBy: several patterns read once, tested against resolved (already normal) hosts.
    const COVERED_BY: [string[], string, boolean][] = [
        [[], "api.example.com", false],
        [["db.example.com", "*.example.org"], "api.example.org", true],
        [["db.example.com", "*.example.org"], "api.example.com", false],
        [["DB.example.com."], "db.example.com", true],
        [["db.example.com", "*"], "web.dev-shop.svc.cluster.local", true],
    ];
    for (const [patterns, host, want] of COVERED_BY)
        it(`coveredBy(${patterns.join(", ")})(${host}) → ${want}`, () => assert.equal(coveredBy(patterns)(host), want));

    it("the gateway's namespace is the one the program installs the gateway in", () =>
        assert.equal(GATEWAY_NAMESPACE, ISTIO.namespace));

    it("gatewayDestinations: route destinations, mirror and mirrors, each with its key, the app's namespace and the host istiod resolves", () =>
        assert.deepEqual(
            gatewayDestinations([
                {
                    name: "a",
                    namespace: "ns-a",
                    http: [{ route: [{ destination: { host: "x" } }], mirror: { host: "m" } }],
                },
                {
                    name: "b",
                    http: [
                        {
                            route: [{ destination: { host: "y", subset: "v1" } }],
                            mirrors: [{ destination: { host: "z" } }],
                        },
                    ],
                },
                { name: 7, http: [{ route: [{ destination: { host: "ignored" } }] }] },
            ]),
            [
                {
                    at: "apps[0].http[0].route[0].destination.host",
                    host: "x",
                    namespace: "ns-a",
                    resolved: "x.ns-a.svc.cluster.local",
                },
                {
                    at: "apps[0].http[0].mirror.host",
                    host: "m",
                    namespace: "ns-a",
                    resolved: "m.ns-a.svc.cluster.local",
                },
                {
                    at: "apps[1].http[0].route[0].destination.host",
                    host: "y",
                    subset: "v1",
                    namespace: "b",
                    resolved: "y.b.svc.cluster.local",
                },
                {
                    at: "apps[1].http[0].mirrors[0].destination.host",
                    host: "z",
                    namespace: "b",
                    resolved: "z.b.svc.cluster.local",
                },
            ],
        ));
});

describe("tenancy: exportTo of each generated kind", () => {
    const routedTo = (host: string) => [
        {
            at: "apps[0].http[0].route[0].destination.host",
            host,
            namespace: "dev-shop",
            resolved: resolvedHost(host, "dev-shop"),
        },
    ];
    // [kind, case, exportTo]
    const CASES: [string, string, string[]][] = [
        ["VirtualService", "in an app's namespace", gatewayExportTo("dev-shop")],
        [
            "VirtualService",
            "in the gateway's namespace (Kiali's, with the add-ons there)",
            gatewayExportTo("istio-system"),
        ],
        ["DestinationRule", "not configured", destinationRuleExportTo({}, "dev-shop")],
        ["DestinationRule", "configured", destinationRuleExportTo({ exportTo: ["."] }, "dev-shop")],
        [
            "DestinationRule",
            "with a workloadSelector",
            destinationRuleExportTo({ workloadSelector: { matchLabels: { app: "web" } } }, "dev-shop"),
        ],
        [
            "ServiceEntry",
            "no route sends requests to its hosts",
            serviceEntryExportTo({ hosts: ["api.example.com"] }, "dev-shop", routedTo("frontend")),
        ],
        [
            "ServiceEntry",
            "a route sends requests to one of its hosts",
            serviceEntryExportTo(
                { hosts: ["a.example.com", "api.example.com"] },
                "dev-shop",
                routedTo("api.example.com"),
            ),
        ],
        [
            "ServiceEntry",
            "a wildcard host covers a routed host",
            serviceEntryExportTo({ hosts: ["*.example.com"] }, "dev-shop", routedTo("api.example.com")),
        ],
        [
            "ServiceEntry",
            "a short route host is a Service, not the entry's host",
            serviceEntryExportTo({ hosts: ["api"] }, "dev-shop", routedTo("api")),
        ],
        [
            "ServiceEntry",
            "configured",
            serviceEntryExportTo({ hosts: ["api.example.com"], exportTo: ["*"] }, "dev-shop", routedTo("frontend")),
        ],
    ];
    const WANT: string[][] = [
        [".", "istio-system"],
        ["."],
        [".", "istio-system"],
        ["."],
        ["."],
        ["."],
        [".", "istio-system"],
        [".", "istio-system"],
        ["."],
        ["*"],
    ];
    CASES.forEach(([kind, name, got], i) =>
        it(`${kind}, ${name} → ${JSON.stringify(WANT[i])}`, () => assert.deepEqual(got, WANT[i])),
    );

    const VISIBLE: [string[] | undefined, string, boolean][] = [
        [undefined, "dev-shop", true],
        [[], "dev-shop", true],
        [["*"], "dev-shop", true],
        [[".", "istio-system"], "dev-shop", true],
        [["."], "dev-shop", false],
        [["dev-shop", "dev-other"], "dev-shop", false],
        [["."], "istio-system", true],
    ];
    for (const [exportTo, ns, want] of VISIBLE)
        it(`visibleToGateway(${JSON.stringify(exportTo)}) from ${ns} → ${want}`, () =>
            assert.equal(visibleToGateway(exportTo, ns), want));

    it("every generated object carries its exportTo, and istiod's webhook admits each", () => {
        const cfg = parse(
            owner(
                app("shop", "dev-shop", [to("frontend", { subset: "v1" }), to("api.example.com")], {
                    destinationRules: [{ host: "frontend", subsets: [{ name: "v1", labels: { version: "v1" } }] }],
                    serviceEntries: [
                        {
                            hosts: ["api.example.com"],
                            ports: [{ number: 443, name: "https", protocol: "TLS" }],
                            resolution: "DNS",
                        },
                        {
                            hosts: ["db.example.com"],
                            ports: [{ number: 5432, name: "tcp", protocol: "TCP" }],
                            resolution: "DNS",
                        },
                    ],
                }),
            ),
        );
        const [shop] = cfg.apps;
        const objects = [
            virtualServiceManifest(cfg, shop),
            ...destinationRuleManifests(cfg, shop),
            ...serviceEntryManifests(cfg, shop),
        ];
        assert.deepEqual(
            objects.map((o) => [o.kind, o.metadata.name, o.spec.exportTo]),
            [
                ["VirtualService", "shop", [".", "istio-system"]],
                ["DestinationRule", "frontend", [".", "istio-system"]],
                ["ServiceEntry", "api-example-com", [".", "istio-system"]],
                ["ServiceEntry", "db-example-com", ["."]],
            ],
        );
        for (const o of objects) assert.deepEqual(webhookIssues(o), [], o.kind);
    });

    it("istiod's webhook judges a VirtualService's exportTo too", () =>
        assert.deepEqual(
            webhookIssues({
                kind: "VirtualService",
                metadata: { namespace: "dev-shop" },
                spec: {
                    hosts: ["*"],
                    gateways: ["istio-system/dev-gateway"],
                    http: [{ route: [{ destination: { host: "shop" } }] }],
                    exportTo: [".", "dev-shop", "*"],
                },
            }).map((i) => i.message),
            [
                "duplicate entries in exportTo for entry dev-shop",
                "cannot have both public (*) and non-public exportTo values for a resource",
            ],
        ));
});
