// Tenancy in the shared layout, as a user meets it: the ConfigError an attached stack gets for a
// host outside its namespaces (with the key path and the namespace), what it may name, the rules
// for every stack, and the warnings. The pure rules are in tenancy.spec.ts.
import * as assert from "node:assert/strict";
import { problemLines } from "./problems";
import { app, attached, owner, sharedOwner, to, warningLines } from "./tenancyFixtures";

describe("tenancy: an attached stack reaches only its own namespaces and ServiceEntry hosts", () => {
    const entry = (hosts: string[], extra: Record<string, unknown> = {}) => ({
        hosts,
        ports: [{ number: 443, name: "https", protocol: "TLS" }],
        resolution: "DNS",
        ...extra,
    });
    const CASES: { name: string; values: Record<string, unknown>; path: string; message: string }[] = [
        {
            name: "the issue's route: a dev VirtualService naming production's Service by its full name",
            values: attached(app("shop", "dev-shop", [to("orders.product-orders.svc.cluster.local")])),
            path: "eks-istio:apps[0].http[0].route[0].destination.host",
            message:
                '"orders.product-orders.svc.cluster.local" reaches namespace "product-orders", which is not one of this stack\'s ("dev-shop"); an attached stack (cluster.stackReference) shares the owner\'s ingress gateway, whose identity every environment\'s apps admit, so it may only name Services of its own apps\' namespaces ("dev-shop") and hosts of its own serviceEntries. Route to a Service of those namespaces (e.g. "<service>" or "<service>.dev-shop.svc.cluster.local"), or move this route to the stack that owns "product-orders"',
        },
        {
            name: "the same Service as <service>.<namespace>",
            values: attached(app("shop", "dev-shop", [to("orders.product-orders")])),
            path: "eks-istio:apps[0].http[0].route[0].destination.host",
            message:
                '"orders.product-orders" reaches namespace "product-orders", which is not one of this stack\'s ("dev-shop"); an attached stack (cluster.stackReference) shares the owner\'s ingress gateway, whose identity every environment\'s apps admit, so it may only name Services of its own apps\' namespaces ("dev-shop") and hosts of its own serviceEntries. Route to a Service of those namespaces (e.g. "<service>" or "<service>.dev-shop.svc.cluster.local"), or move this route to the stack that owns "product-orders"',
        },
        {
            name: "the same Service as <service>.<namespace>.svc",
            values: attached(app("shop", "dev-shop", [to("orders.product-orders.svc")])),
            path: "eks-istio:apps[0].http[0].route[0].destination.host",
            message:
                '"orders.product-orders.svc" reaches namespace "product-orders", which is not one of this stack\'s ("dev-shop"); an attached stack (cluster.stackReference) shares the owner\'s ingress gateway, whose identity every environment\'s apps admit, so it may only name Services of its own apps\' namespaces ("dev-shop") and hosts of its own serviceEntries. Route to a Service of those namespaces (e.g. "<service>" or "<service>.dev-shop.svc.cluster.local"), or move this route to the stack that owns "product-orders"',
        },
        {
            name: "a mirror into another namespace",
            values: attached(
                app("shop", "dev-shop", [
                    { ...to("web"), mirror: { host: "orders.product-orders.svc.cluster.local" } },
                ]),
            ),
            path: "eks-istio:apps[0].http[0].mirror.host",
            message:
                '"orders.product-orders.svc.cluster.local" reaches namespace "product-orders", which is not one of this stack\'s ("dev-shop"); an attached stack (cluster.stackReference) shares the owner\'s ingress gateway, whose identity every environment\'s apps admit, so it may only name Services of its own apps\' namespaces ("dev-shop") and hosts of its own serviceEntries. Route to a Service of those namespaces (e.g. "<service>" or "<service>.dev-shop.svc.cluster.local"), or move this route to the stack that owns "product-orders"',
        },
        {
            name: "one of several mirrors into another namespace",
            values: attached(
                app("shop", "dev-shop", [
                    {
                        ...to("web"),
                        mirrors: [
                            { destination: { host: "shadow" } },
                            { destination: { host: "orders.product-orders.svc.cluster.local" } },
                        ],
                    },
                ]),
            ),
            path: "eks-istio:apps[0].http[0].mirrors[1].destination.host",
            message:
                '"orders.product-orders.svc.cluster.local" reaches namespace "product-orders", which is not one of this stack\'s ("dev-shop"); an attached stack (cluster.stackReference) shares the owner\'s ingress gateway, whose identity every environment\'s apps admit, so it may only name Services of its own apps\' namespaces ("dev-shop") and hosts of its own serviceEntries. Route to a Service of those namespaces (e.g. "<service>" or "<service>.dev-shop.svc.cluster.local"), or move this route to the stack that owns "product-orders"',
        },
        {
            name: "an external host that no ServiceEntry of the stack declares",
            values: attached(app("shop", "dev-shop", [to("api.example.com")])),
            path: "eks-istio:apps[0].http[0].route[0].destination.host",
            message:
                "\"api.example.com\" is neither a Service of this stack's namespaces nor a host of its serviceEntries; an attached stack (cluster.stackReference) shares the owner's ingress gateway, whose identity every environment's apps admit, so it may only name Services of its own apps' namespaces (\"dev-shop\") and hosts of its own serviceEntries. For an external host, declare it in apps[].serviceEntries",
        },
        {
            name: "a DestinationRule for another namespace's Service",
            values: attached(
                app("shop", "dev-shop", [to("web")], {
                    destinationRules: [{ host: "orders.product-orders.svc.cluster.local" }],
                }),
            ),
            path: "eks-istio:apps[0].destinationRules[0].host",
            message:
                '"orders.product-orders.svc.cluster.local" reaches namespace "product-orders", which is not one of this stack\'s ("dev-shop"); an attached stack (cluster.stackReference) shares the owner\'s ingress gateway, whose identity every environment\'s apps admit, so it may only name Services of its own apps\' namespaces ("dev-shop") and hosts of its own serviceEntries. Write the rule in the stack that owns "product-orders"',
        },
        {
            name: "a DestinationRule over every namespace's Services",
            values: attached(
                app("shop", "dev-shop", [to("web")], { destinationRules: [{ host: "*.svc.cluster.local" }] }),
            ),
            path: "eks-istio:apps[0].destinationRules[0].host",
            message:
                '"*.svc.cluster.local" reaches every namespace of the cluster; an attached stack (cluster.stackReference) shares the owner\'s ingress gateway, whose identity every environment\'s apps admit, so it may only name Services of its own apps\' namespaces ("dev-shop") and hosts of its own serviceEntries. Name one Service of those namespaces',
        },
        {
            name: "a ServiceEntry standing in for another namespace's Service",
            values: attached(
                app("shop", "dev-shop", [to("web")], {
                    serviceEntries: [entry(["orders.product-orders.svc.cluster.local"])],
                }),
            ),
            path: "eks-istio:apps[0].serviceEntries[0].hosts[0]",
            message:
                '"orders.product-orders.svc.cluster.local" is a cluster name in namespace "product-orders", which is not one of this stack\'s ("dev-shop"): a ServiceEntry for it would stand in for that namespace\'s Services wherever it is visible; an attached stack (cluster.stackReference) shares the owner\'s ingress gateway, whose identity every environment\'s apps admit, so it may only name Services of its own apps\' namespaces ("dev-shop") and hosts of its own serviceEntries',
        },
        {
            name: "a ServiceEntry endpoint named without a dot (resolved in the caller's namespace)",
            values: attached(
                app("shop", "dev-shop", [to("web")], {
                    serviceEntries: [entry(["legacy.example.com"], { endpoints: [{ address: "istiod" }] })],
                }),
            ),
            path: "eks-istio:apps[0].serviceEntries[0].endpoints[0].address",
            message:
                '"istiod" has no dot, so DNS resolves it in the namespace of whichever proxy calls it (istio-system for the ingress gateway); write the full name "istiod.dev-shop.svc.cluster.local" or an external host',
        },
        {
            name: "a ServiceEntry endpoint in another namespace",
            values: attached(
                app("shop", "dev-shop", [to("web")], {
                    serviceEntries: [
                        entry(["legacy.example.com"], {
                            endpoints: [{ address: "orders.product-orders.svc.cluster.local" }],
                        }),
                    ],
                }),
            ),
            path: "eks-istio:apps[0].serviceEntries[0].endpoints[0].address",
            message:
                '"orders.product-orders.svc.cluster.local" reaches namespace "product-orders", which is not one of this stack\'s ("dev-shop"); an attached stack (cluster.stackReference) shares the owner\'s ingress gateway, whose identity every environment\'s apps admit, so it may only name Services of its own apps\' namespaces ("dev-shop") and hosts of its own serviceEntries',
        },
        {
            name: "an endpoint labelled for auto mTLS (the gateway would present its identity to an IP)",
            values: attached(
                app("shop", "dev-shop", [to("legacy.example.com")], {
                    serviceEntries: [
                        entry(["legacy.example.com"], {
                            resolution: "STATIC",
                            endpoints: [{ address: "10.40.1.7", labels: { "security.istio.io/tlsMode": "istio" } }],
                        }),
                    ],
                }),
            ),
            path: "eks-istio:apps[0].serviceEntries[0].endpoints[0].labels.security.istio.io/tlsMode",
            message:
                "makes every proxy that calls this endpoint, the shared ingress gateway among them, present its mesh identity to it (auto mTLS); every environment's apps admit the gateway's identity, and the address could be another environment's pod. Remove the label: an attached stack calls external endpoints without Istio mTLS",
        },
        {
            name: "ISTIO_MUTUAL towards a ServiceEntry host",
            values: attached(
                app("shop", "dev-shop", [to("legacy.example.com")], {
                    serviceEntries: [entry(["legacy.example.com"])],
                    destinationRules: [
                        { host: "legacy.example.com", trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } } },
                    ],
                }),
            ),
            path: "eks-istio:apps[0].destinationRules[0].trafficPolicy.tls.mode",
            message:
                "ISTIO_MUTUAL towards a host outside this stack's namespaces makes the shared ingress gateway present its mesh identity, which every environment's apps admit, to whatever the ServiceEntry points at; an attached stack calls external hosts with SIMPLE TLS or none",
        },
        {
            name: "a client certificate from a Secret of the gateway's namespace, in a subset's port settings",
            values: attached(
                app("shop", "dev-shop", [to("web")], {
                    destinationRules: [
                        {
                            host: "web",
                            subsets: [
                                {
                                    name: "v1",
                                    labels: { version: "v1" },
                                    trafficPolicy: {
                                        portLevelSettings: [
                                            {
                                                port: { number: 443 },
                                                tls: { mode: "MUTUAL", credentialName: "partner-cert" },
                                            },
                                        ],
                                    },
                                },
                            ],
                        },
                    ],
                }),
            ),
            path: "eks-istio:apps[0].destinationRules[0].subsets[0].trafficPolicy.portLevelSettings[0].tls.credentialName",
            message:
                "is read by the proxy that applies the rule, the shared ingress gateway among them, from a Secret of its namespace (istio-system), which the owner stack holds; an attached stack cannot use it. Originate the client certificate in the app instead",
        },
        {
            name: "a DestinationRule exported to every namespace",
            values: attached(
                app("shop", "dev-shop", [to("web")], { destinationRules: [{ host: "web", exportTo: ["*"] }] }),
            ),
            path: "eks-istio:apps[0].destinationRules[0].exportTo[0]",
            message:
                '"*" exports the DestinationRule to every namespace of the cluster; an attached stack\'s DestinationRule is seen by its own namespaces (".", "dev-shop") and the ingress gateway ("istio-system") only; leave exportTo out to get exactly that',
        },
        {
            name: "a ServiceEntry exported to another environment's namespace",
            values: attached(
                app("shop", "dev-shop", [to("web")], {
                    serviceEntries: [entry(["api.example.com"], { exportTo: [".", "product-orders"] })],
                }),
            ),
            path: "eks-istio:apps[0].serviceEntries[0].exportTo[1]",
            message:
                '"product-orders" exports the ServiceEntry to namespace "product-orders", which is not one of this stack\'s; an attached stack\'s ServiceEntry is seen by its own namespaces (".", "dev-shop") and the ingress gateway ("istio-system") only; leave exportTo out to get exactly that',
        },
        {
            name: "a ServiceEntry with an empty exportTo (Istio's default: every namespace)",
            values: attached(
                app("shop", "dev-shop", [to("web")], {
                    serviceEntries: [entry(["api.example.com"], { exportTo: [] })],
                }),
            ),
            path: "eks-istio:apps[0].serviceEntries[0].exportTo",
            message:
                'is empty, which Istio reads as every namespace of the cluster; an attached stack\'s ServiceEntry is seen by its own namespaces (".", "dev-shop") and the ingress gateway ("istio-system") only; leave exportTo out to get exactly that',
        },
    ];
    // Exactly one problem each: the key named, nothing else reported for it.
    for (const c of CASES) it(c.name, () => assert.deepEqual(problemLines(c.values), [`${c.path}: ${c.message}`]));
});

describe("tenancy: what an attached stack may name", () => {
    const entry = (hosts: string[], extra: Record<string, unknown> = {}) => ({
        hosts,
        ports: [{ number: 443, name: "https", protocol: "TLS" }],
        resolution: "DNS",
        ...extra,
    });
    const ACCEPTED: { name: string; values: Record<string, unknown> }[] = [
        {
            name: "a short name (a Service of the route's namespace)",
            values: attached(app("shop", "dev-shop", [to("web")])),
        },
        {
            name: "its own namespace by full name",
            values: attached(app("shop", "dev-shop", [to("web.dev-shop.svc.cluster.local")])),
        },
        {
            name: "another app's namespace of the same stack, route and mirror",
            values: attached(
                app("shop", "dev-shop", [
                    { ...to("cart.dev-cart.svc.cluster.local"), mirror: { host: "cart.dev-cart.svc.cluster.local" } },
                ]),
                app("cart", "dev-cart", [to("cart")]),
            ),
        },
        {
            name: "a host of its own ServiceEntry, declared by another app of the stack",
            values: attached(
                app("shop", "dev-shop", [to("api.example.com")]),
                app("cart", "dev-cart", [to("cart")], { serviceEntries: [entry(["api.example.com"])] }),
            ),
        },
        {
            name: "a host its wildcard ServiceEntry covers, with SIMPLE TLS and its own exportTo",
            values: attached(
                app("shop", "dev-shop", [to("api.example.com")], {
                    serviceEntries: [entry(["*.example.com"], { resolution: "NONE", exportTo: [".", "istio-system"] })],
                    destinationRules: [{ host: "*.example.com", trafficPolicy: { tls: { mode: "SIMPLE" } } }],
                }),
            ),
        },
        {
            name: "ISTIO_MUTUAL and its own namespaces in exportTo, on a Service of its own",
            values: attached(
                app("shop", "dev-shop", [to("web", { subset: "v1" })], {
                    destinationRules: [
                        {
                            host: "web",
                            subsets: [{ name: "v1", labels: { version: "v1" } }],
                            trafficPolicy: { tls: { mode: "ISTIO_MUTUAL" } },
                            exportTo: [".", "dev-cart", "istio-system"],
                        },
                    ],
                }),
                app("cart", "dev-cart", [to("cart")]),
            ),
        },
        {
            name: "endpoints by public name and by IP, without the mTLS label",
            values: attached(
                app("shop", "dev-shop", [to("legacy.example.com")], {
                    serviceEntries: [
                        entry(["legacy.example.com"], {
                            endpoints: [{ address: "origin.example.net" }, { address: "legacy.example.org" }],
                        }),
                    ],
                }),
            ),
        },
    ];
    for (const c of ACCEPTED) it(`accepts ${c.name}`, () => assert.deepEqual(problemLines(c.values), []));

    it("the owner stack (no stackReference) may route between namespaces and to external hosts", () =>
        assert.deepEqual(
            problemLines(
                owner(app("shop", "dev-shop", [to("orders.product-orders.svc.cluster.local"), to("api.example.com")])),
            ),
            [],
        ));
});

describe("tenancy: rules for every stack", () => {
    it("no route publishes a system namespace's Services through the ALB, attached or not", () => {
        assert.deepEqual(problemLines(owner(app("shop", "dev-shop", [to("kubernetes.default.svc.cluster.local")]))), [
            `eks-istio:apps[0].http[0].route[0].destination.host: "kubernetes.default.svc.cluster.local" reaches namespace "default": "default" is a system namespace, and a route on the Gateway would publish its Services through the ALB (the Kubernetes API, istiod's debug and xDS ports, DNS, consoles without a login). Route only to Services of the apps' own namespaces`,
        ]);
        assert.deepEqual(
            problemLines(
                attached(app("shop", "dev-shop", [{ ...to("web"), mirror: { host: "istiod.istio-system.svc" } }])),
            ),
            [
                `eks-istio:apps[0].http[0].mirror.host: "istiod.istio-system.svc" reaches namespace "istio-system": "istio-system" is a system namespace, and a route on the Gateway would publish its Services through the ALB (the Kubernetes API, istiod's debug and xDS ports, DNS, consoles without a login). Route only to Services of the apps' own namespaces`,
            ],
        );
        assert.deepEqual(problemLines(owner(app("shop", "dev-shop", [to("coredns.kube-system")]))).length, 1);
    });

    it("the add-ons' consoles are exposed by kiali.expose (with its allow list), never by an app's route", () =>
        assert.deepEqual(
            problemLines(owner(app("shop", "dev-shop", [to("grafana.observability.svc.cluster.local")]))),
            [
                `eks-istio:apps[0].http[0].route[0].destination.host: "grafana.observability.svc.cluster.local" reaches namespace "observability": "observability" is the namespace of the observability add-ons (eks-istio:observability.namespace), and a route on the Gateway would publish its Services through the ALB (the Kubernetes API, istiod's debug and xDS ports, DNS, consoles without a login). Expose Kiali with eks-istio:observability.kiali.expose, which puts an allow list in front of it; keep the other add-ons behind kubectl port-forward`,
            ],
        ));

    it("a DestinationRule the gateway needs may not hide from it (its subsets would answer 503 there)", () =>
        assert.deepEqual(
            problemLines(
                owner(
                    app("shop", "dev-shop", [to("web", { subset: "v1" })], {
                        destinationRules: [
                            { host: "web", subsets: [{ name: "v1", labels: { version: "v1" } }], exportTo: ["."] },
                        ],
                    }),
                ),
            ),
            [
                `eks-istio:apps[0].destinationRules[0].exportTo: hides the rule from the ingress gateway (namespace istio-system), which sends requests to "web" (apps[0].http[0].route[0].destination.host): there its subsets answer 503 and its traffic policy does not apply. Add "istio-system", or leave exportTo out (the rule is then exported to "." and "istio-system")`,
            ],
        ));

    it("a ServiceEntry the gateway routes to may not hide from it (no cluster: 503)", () =>
        assert.deepEqual(
            problemLines(
                owner(
                    app("shop", "dev-shop", [to("api.example.com")], {
                        serviceEntries: [
                            {
                                hosts: ["api.example.com"],
                                ports: [{ number: 443, name: "https", protocol: "TLS" }],
                                resolution: "DNS",
                                exportTo: ["."],
                            },
                        ],
                    }),
                ),
            ),
            [
                `eks-istio:apps[0].serviceEntries[0].exportTo: hides the entry from the ingress gateway (namespace istio-system), which sends requests to it (apps[0].http[0].route[0].destination.host): the gateway has no cluster for the host and answers 503. Add "istio-system", or leave exportTo out`,
            ],
        ));

    const crossNamespaceRule = (route: Record<string, unknown>) =>
        owner(
            app("shop", "dev-shop", [route], {
                destinationRules: [
                    { host: "cart.dev-cart.svc.cluster.local", subsets: [{ name: "v1", labels: { version: "v1" } }] },
                ],
            }),
            app("cart", "dev-cart", [to("cart")]),
        );

    it("a DestinationRule for another namespace's Service, whose subset the gateway routes to: 503, an error", () =>
        assert.deepEqual(problemLines(crossNamespaceRule(to("cart.dev-cart.svc.cluster.local", { subset: "v1" }))), [
            `eks-istio:apps[0].destinationRules[0].host: "cart.dev-cart.svc.cluster.local" is a Service of namespace "dev-cart", but the rule is in "dev-shop": the ingress gateway looks for a host's DestinationRule in its own namespace, the Service's namespace and the root namespace, never in "dev-shop", so the route apps[0].http[0].route[0].destination to subset "v1" answers 503. Put the rule in the app whose namespace is "dev-cart"`,
        ]));

    it("the same rule without subsets routed to: its policy skips ingress traffic, a warning", () =>
        assert.deepEqual(warningLines(crossNamespaceRule(to("cart.dev-cart.svc.cluster.local"))), [
            `eks-istio:apps[0].destinationRules[0].host: "cart.dev-cart.svc.cluster.local" is a Service of namespace "dev-cart", but the rule is in "dev-shop": the ingress gateway looks for a host's DestinationRule in its own namespace, the Service's namespace and the root namespace, never in "dev-shop", so requests the gateway sends there get none of its traffic policy. Put the rule in the app whose namespace is "dev-cart"`,
        ]));
});

describe("tenancy: warnings", () => {
    it("a host with a dot that is not a Service's full name routes nowhere (istiod takes it as written)", () =>
        assert.deepEqual(warningLines(owner(app("shop", "dev-shop", [to("web.dev-shop"), to("web.dev-shop.svc")]))), [
            `eks-istio:apps[0].http[0].route[0].destination.host: "web.dev-shop" is taken as written by istiod, which expands only names without a dot, and no Service is registered under it: requests routed here are dropped. Write the Service's full name "web.dev-shop.svc.cluster.local"`,
            `eks-istio:apps[0].http[1].route[0].destination.host: "web.dev-shop.svc" is taken as written by istiod, which expands only names without a dot, and no Service is registered under it: requests routed here are dropped. Write the Service's full name "web.dev-shop.svc.cluster.local"`,
        ]));

    it("…unless a ServiceEntry of the stack declares that name", () =>
        assert.deepEqual(
            warningLines(
                owner(
                    app("shop", "dev-shop", [to("example.com")], {
                        serviceEntries: [
                            {
                                hosts: ["example.com"],
                                ports: [{ number: 443, name: "https", protocol: "TLS" }],
                                resolution: "DNS",
                            },
                        ],
                    }),
                ),
            ),
            [],
        ));

    it("the owner of a shared mesh routing into a namespace it does not manage", () =>
        assert.deepEqual(
            warningLines(sharedOwner(app("shop", "product-shop", [to("orders.legacy.svc.cluster.local")]))),
            [
                `eks-istio:apps[0].http[0].route[0].destination.host: "orders.legacy.svc.cluster.local" reaches namespace "legacy", which no app of this stack manages; this stack's gateway also serves attached environments, whose namespaces the owner does not review. Route only to this stack's namespaces ("product-shop") unless "legacy" is meant to serve this environment`,
            ],
        ));

    it("…but not a stack whose cluster serves it alone", () =>
        assert.deepEqual(
            warningLines(owner(app("shop", "product-shop", [to("orders.legacy.svc.cluster.local")]))),
            [],
        ));
});

describe("tenancy: subsets of another app's Service", () => {
    it("a route may use the subsets its target app's DestinationRule defines (where the gateway finds them)", () =>
        assert.deepEqual(
            problemLines(
                owner(
                    app("shop", "dev-shop", [to("cart.dev-cart.svc.cluster.local", { subset: "v1" })]),
                    app("cart", "dev-cart", [to("cart")], {
                        destinationRules: [{ host: "cart", subsets: [{ name: "v1", labels: { version: "v1" } }] }],
                    }),
                ),
            ),
            [],
        ));

    it("…and is told when that rule does not define the subset", () =>
        assert.deepEqual(
            problemLines(
                owner(
                    app("shop", "dev-shop", [to("cart.dev-cart.svc.cluster.local", { subset: "v2" })]),
                    app("cart", "dev-cart", [to("cart")], {
                        destinationRules: [{ host: "cart", subsets: [{ name: "v1", labels: { version: "v1" } }] }],
                    }),
                ),
            ),
            [
                'eks-istio:apps[0].http[0].route[0].destination.subset: subset "v2" is not defined for host "cart.dev-cart.svc.cluster.local" (its DestinationRule defines "v1"); Envoy would answer 503 "no healthy upstream"',
            ],
        ));
});
