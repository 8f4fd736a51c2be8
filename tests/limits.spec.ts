// Preview is the truth, classes 6-8: Kubernetes names and reserved namespaces, collisions between
// config entries, and values AWS refuses — each with the message a user reads.
import * as assert from "node:assert/strict";
import { parseStackConfig } from "../components/stack";
import { collisions, generatedObjectProblems, metadataIssues, type GeneratedObject } from "../components/validation";
import { problemLines } from "./problems";

const r = [{ route: [{ destination: { host: "web" } }] }];
const twoHosts = { port: 8000, hosts: ["a.example.com", "b.example.com"] };
const CERT = "123456789012:certificate/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f";

describe("Kubernetes names and reserved namespaces", () => {
    const cases: { name: string; values: Record<string, unknown>; expected: string[] }[] = [
        {
            name: "any kube-* namespace",
            values: { apps: [{ name: "kube-tools", http: r }] },
            expected: [
                'eks-istio:apps[0].name: "kube-tools" is a system namespace (an app\'s namespace defaults to its name); give the app a namespace of its own',
            ],
        },
        {
            name: "the add-ons' namespace",
            values: { apps: [{ name: "shop", namespace: "observability", http: r }] },
            expected: [
                'eks-istio:apps[0].namespace: "observability" is the namespace of the observability add-ons (eks-istio:observability.namespace); give the app a namespace of its own',
            ],
        },
    ];
    for (const c of cases) it(c.name, () => assert.deepEqual(problemLines(c.values), c.expected));

    it("metadata: names are DNS-1123 subdomains of at most 253 characters, namespaces labels of 63", () => {
        assert.deepEqual(metadataIssues({ metadata: { name: "web.shop", namespace: "shop" } }), []);
        assert.deepEqual(
            metadataIssues({
                metadata: { name: `${"a".repeat(64)}.b`, namespace: "n".repeat(64), labels: { "a b": "c" } },
            }),
            [
                {
                    path: ["metadata", "name"],
                    message: `"${"a".repeat(39)}…" is not a DNS-1123 subdomain (lower-case letters, digits, "-" and ".", at most 253 characters)`,
                },
                {
                    path: ["metadata", "namespace"],
                    // Cut like a name: a namespace of any length is shown as 39 characters and "…".
                    message: `"${"n".repeat(39)}…" is not a DNS-1123 label of at most 63 characters`,
                },
                { path: ["metadata", "labels", "a b"], message: 'invalid tag key: "a b"' },
            ],
        );
    });
});

describe("metadata names and namespaces, as the API server checks them", () => {
    const SUBDOMAIN = 'is not a DNS-1123 subdomain (lower-case letters, digits, "-" and ".", at most 253 characters)';
    const label63 = "a".repeat(63);
    // [name, as the refusal shows it (cut at 39 characters), or null when the name is accepted]
    const names: [name: string | undefined, shown: string | null][] = [
        ["web", null],
        ["web.shop-1", null],
        ["0", null],
        ["a.b", null], // labels of one character
        [`${label63}.${label63}.${label63}.${"a".repeat(61)}`, null], // 253 characters
        [`${label63}.${label63}.${label63}.${"a".repeat(62)}`, `${"a".repeat(39)}…`], // 254 characters
        [label63, null],
        [`${label63}a`, `${"a".repeat(39)}…`], // a label of 64
        [`b.${label63}a`, `b.${"a".repeat(37)}…`],
        ["-web", "-web"],
        ["web-", "web-"],
        ["Web", "Web"],
        ["web_shop", "web_shop"],
        ["web..shop", "web..shop"],
        ["web.-shop", "web.-shop"],
        ["web.shop-", "web.shop-"],
        ["web.", "web."],
        ["", ""],
        [undefined, ""], // no name at all
    ];
    for (const [name, shown] of names)
        it(`name ${JSON.stringify(name)} is ${shown === null ? "accepted" : "refused"}`, () =>
            assert.deepEqual(
                metadataIssues({ metadata: { name } }),
                shown === null ? [] : [{ path: ["metadata", "name"], message: `"${shown}" ${SUBDOMAIN}` }],
            ));

    it("a refused name of 40 characters is shown whole, a longer one cut at 39", () => {
        assert.deepEqual(metadataIssues({ metadata: { name: `-${"a".repeat(39)}` } }), [
            { path: ["metadata", "name"], message: `"-${"a".repeat(39)}" ${SUBDOMAIN}` },
        ]);
        assert.deepEqual(metadataIssues({ metadata: { name: `-${"a".repeat(40)}` } }), [
            { path: ["metadata", "name"], message: `"-${"a".repeat(38)}…" ${SUBDOMAIN}` },
        ]);
    });

    const namespaces: [namespace: string, refused: boolean][] = [
        ["shop", false],
        [label63, false],
        [`${label63}a`, true],
        ["-shop", true],
        ["shop-", true],
        ["shop.a", true],
        ["Shop", true],
    ];
    for (const [namespace, refused] of namespaces)
        it(`namespace ${JSON.stringify(namespace)} is ${refused ? "refused" : "accepted"}`, () =>
            assert.deepEqual(
                metadataIssues({ metadata: { name: "web", namespace } }),
                refused
                    ? [
                          {
                              path: ["metadata", "namespace"],
                              message: `"${namespace.length > 40 ? `${namespace.slice(0, 39)}…` : namespace}" is not a DNS-1123 label of at most 63 characters`,
                          },
                      ]
                    : [],
            ));

    // The contract keeps such names out (environment is a DNS label); were one to slip through, the
    // API server's refusal would still be reported, at the config entry of the object.
    it("a refused name reaches the user at the entry that produced the object", () => {
        const cfg = parseStackConfig({ stack: "dev", region: "ap-northeast-1", values: { ingress: { port: 8000 } } });
        assert.deepEqual(generatedObjectProblems({ ...cfg, environment: "Dev" }), [
            {
                at: "ingress",
                message: `"Dev-gateway" ${SUBDOMAIN}; the API server would refuse Gateway istio-system/Dev-gateway (metadata.name)`,
            },
        ]);
    });

    it("no namespace (a cluster-scoped name) is no problem", () =>
        assert.deepEqual(metadataIssues({ metadata: { name: "web" } }), []));
});

describe("collisions: two config entries, one object or one Pulumi resource", () => {
    it("two DestinationRules of two apps that yield one Pulumi resource name", () => {
        assert.deepEqual(
            problemLines({
                ingress: twoHosts,
                apps: [
                    { name: "a", hosts: ["a.example.com"], http: r, destinationRules: [{ host: "dr-x" }] },
                    { name: "a-dr", hosts: ["b.example.com"], http: r, destinationRules: [{ host: "x" }] },
                ],
            }),
            [
                'eks-istio:apps[1].destinationRules[0]: yields the same Pulumi resource name "dev-edge-a-dr-dr-x" as eks-istio:apps[0].destinationRules[0]; one would replace the other (or the engine would stop with "duplicate URN"), so change one of them',
            ],
        );
    });

    it("two ServiceEntries of one app whose first hosts name one object (caught by the contract)", () => {
        assert.deepEqual(
            problemLines({
                apps: [
                    {
                        name: "shop",
                        http: r,
                        serviceEntries: [
                            {
                                hosts: ["api.example.com"],
                                resolution: "DNS",
                                ports: [{ number: 443, name: "https", protocol: "TLS" }],
                            },
                            {
                                hosts: ["api-example.com"],
                                resolution: "DNS",
                                ports: [{ number: 443, name: "https", protocol: "TLS" }],
                            },
                        ],
                    },
                ],
            }),
            [
                // The contract sees this one first, and names both entries too.
                'eks-istio:apps[0].serviceEntries[1].hosts: first host "api-example.com" is also the first host of serviceEntries[0]; merge the two entries',
            ],
        );
    });
});

describe("collisions (direct): what one Kubernetes object is", () => {
    const g = (apiVersion: string, kind: string, name: string, namespace: string | undefined, resourceName: string) =>
        ({
            object: { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}) }, spec: {} },
            resourceName,
            key: resourceName,
            configKey: () => resourceName,
        }) as GeneratedObject;
    const found = (objects: GeneratedObject[]) =>
        collisions(objects).map((c) => `${c.second.key} = ${c.first.key}: ${c.what}`);

    it("one name in one namespace, two resources: the same object", () =>
        assert.deepEqual(
            found([
                g("networking.istio.io/v1", "VirtualService", "web", "shop", "a"),
                g("networking.istio.io/v1", "VirtualService", "web", "shop", "b"),
                g("networking.istio.io/v1", "VirtualService", "web", "shop", "c"),
            ]),
            ["b = a: the same VirtualService shop/web", "c = a: the same VirtualService shop/web"],
        ));
    it("one object whatever the version of its group (v1 and v1beta1 are one resource)", () =>
        assert.deepEqual(
            found([
                g("networking.istio.io/v1", "VirtualService", "web", "shop", "a"),
                g("networking.istio.io/v1beta1", "VirtualService", "web", "shop", "b"),
            ]),
            ["b = a: the same VirtualService shop/web"],
        ));
    it("one name without namespace", () =>
        assert.deepEqual(
            found([
                g("networking.istio.io/v1", "Gateway", "gw", undefined, "a"),
                g("networking.istio.io/v1", "Gateway", "gw", undefined, "b"),
            ]),
            ["b = a: the same Gateway gw"],
        ));
    it("one name of one kind in two API groups: different objects", () =>
        assert.deepEqual(
            found([
                g("networking.istio.io/v1", "Gateway", "web", "shop", "a"),
                g("networking.example.io/v1", "Gateway", "web", "shop", "b"),
            ]),
            [],
        ));
    it("one name in two namespaces, of two kinds or two groups: different objects", () =>
        assert.deepEqual(
            found([
                g("networking.istio.io/v1", "VirtualService", "web", "shop", "a"),
                g("networking.istio.io/v1", "VirtualService", "web", "cart", "b"),
                g("networking.istio.io/v1", "DestinationRule", "web", "shop", "c"),
                g("security.istio.io/v1", "VirtualService", "web", "shop", "d"),
            ]),
            [],
        ));
    it("two objects under one Pulumi resource name", () =>
        assert.deepEqual(
            found([
                g("networking.istio.io/v1", "VirtualService", "web", "shop", "a"),
                g("networking.istio.io/v1", "VirtualService", "web2", "shop", "a"),
            ]),
            ['a = a: the same Pulumi resource name "a"'],
        ));
});

describe("values AWS refuses", () => {
    const cases: { name: string; values: Record<string, unknown>; region?: string; expected: string[] }[] = [
        {
            name: "a VPC CIDR with leading-zero octets",
            values: { cluster: { vpcCidr: "10.0.000.0/16" } },
            expected: ['eks-istio:cluster.vpcCidr: "10.0.000.0/16" has leading zeros; write 10.0.0.0/16'],
        },
        {
            name: "a public access CIDR with a leading-zero prefix length",
            values: { cluster: { publicAccessCidrs: ["203.0.113.0/024"] } },
            expected: [
                'eks-istio:cluster.publicAccessCidrs[0]: "203.0.113.0/024" has leading zeros; write 203.0.113.0/24',
            ],
        },
        {
            name: "a certificate ARN from another partition",
            values: { ingress: { port: 8000, certificateArn: `arn:aws-cn:acm:ap-northeast-1:${CERT}` } },
            expected: [
                "eks-istio:ingress.certificateArn: is an ARN of partition aws-cn, but ap-northeast-1 is in partition aws; use a certificate of the stack's own partition (arn:aws:acm:...)",
            ],
        },
        {
            name: "an admin principal from another partition",
            values: { cluster: { adminPrincipalArns: ["arn:aws:iam::123456789012:role/admins"] } },
            region: "cn-north-1",
            expected: [
                "eks-istio:cluster.adminPrincipalArns[0]: is an ARN of partition aws, but cn-north-1 is in partition aws-cn; EKS access entries take principals of the cluster's own partition",
            ],
        },
        {
            name: "an admin principal listed twice",
            values: {
                cluster: {
                    adminPrincipalArns: [
                        "arn:aws:iam::123456789012:role/admins",
                        "arn:aws:iam::123456789012:role/admins",
                    ],
                },
            },
            expected: [
                "eks-istio:cluster.adminPrincipalArns[1]: is also eks-istio:cluster.adminPrincipalArns[0]; EKS allows one access entry per principal, list it once",
            ],
        },
        {
            name: "a principal listed three times: each repeat names the first",
            values: {
                cluster: {
                    adminPrincipalArns: [
                        "arn:aws:iam::123456789012:role/admins",
                        "arn:aws:iam::123456789012:role/admins",
                        "arn:aws:iam::123456789012:role/admins",
                    ],
                },
            },
            expected: [
                "eks-istio:cluster.adminPrincipalArns[1]: is also eks-istio:cluster.adminPrincipalArns[0]; EKS allows one access entry per principal, list it once",
                "eks-istio:cluster.adminPrincipalArns[2]: is also eks-istio:cluster.adminPrincipalArns[0]; EKS allows one access entry per principal, list it once",
            ],
        },
        {
            name: "a viewer principal from another partition",
            values: { cluster: { viewerPrincipalArns: ["arn:aws:iam::123456789012:role/preview"] } },
            region: "us-gov-west-1",
            expected: [
                "eks-istio:cluster.viewerPrincipalArns[0]: is an ARN of partition aws, but us-gov-west-1 is in partition aws-us-gov; EKS access entries take principals of the cluster's own partition",
            ],
        },
        {
            name: "a viewer principal listed twice",
            values: {
                cluster: {
                    viewerPrincipalArns: [
                        "arn:aws:iam::123456789012:role/preview",
                        "arn:aws:iam::123456789012:role/preview",
                    ],
                },
            },
            expected: [
                "eks-istio:cluster.viewerPrincipalArns[1]: is also eks-istio:cluster.viewerPrincipalArns[0]; EKS allows one access entry per principal, list it once",
            ],
        },
        {
            name: "a principal that is both admin and viewer: the error names both keys",
            values: {
                cluster: {
                    adminPrincipalArns: ["arn:aws:iam::123456789012:role/admins", "arn:aws:iam::123456789012:role/ci"],
                    viewerPrincipalArns: ["arn:aws:iam::123456789012:role/ci"],
                },
            },
            expected: [
                "eks-istio:cluster.viewerPrincipalArns[0]: is also eks-istio:cluster.adminPrincipalArns[1]: a principal is either an administrator (adminPrincipalArns) or read-only (viewerPrincipalArns), not both; EKS allows one access entry per principal, so remove it from one of the two lists",
            ],
        },
        {
            name: "a viewer principal that is not an ARN",
            values: { cluster: { viewerPrincipalArns: ["preview"] } },
            expected: [
                "eks-istio:cluster.viewerPrincipalArns[0]: must be an IAM role or user ARN such as arn:aws:iam::123456789012:role/eks-istio-preview-dev",
            ],
        },
        // Malformed values get their field's error alone: no partition guessed from them, no
        // duplicate counted among them, and no partition rule without a region to compare with.
        {
            name: "a certificate ARN of another partition given as a list",
            values: { ingress: { port: 8000, certificateArn: [`arn:aws-cn:acm:ap-northeast-1:${CERT}`] } },
            expected: [
                'eks-istio:ingress.certificateArn: must be a string, got ["arn:aws-cn:acm:ap-northeast-1:1234567…',
            ],
        },
        {
            name: "a certificate ARN of another region given as a list",
            values: { ingress: { port: 8000, certificateArn: [`arn:aws:acm:us-east-1:${CERT}`] } },
            expected: [
                'eks-istio:ingress.certificateArn: must be a string, got ["arn:aws:acm:us-east-1:123456789012:ce…',
            ],
        },
        {
            name: "the same number listed twice as admin principals",
            values: { cluster: { adminPrincipalArns: [5, 5] } },
            expected: [
                "eks-istio:cluster.adminPrincipalArns[0]: must be a string, got 5",
                "eks-istio:cluster.adminPrincipalArns[1]: must be a string, got 5",
            ],
        },
        {
            name: "an admin principal that is not an ARN",
            values: { cluster: { adminPrincipalArns: ["admins"] } },
            expected: [
                "eks-istio:cluster.adminPrincipalArns[0]: must be an IAM role or user ARN such as arn:aws:iam::123456789012:role/platform-admins",
            ],
        },
        {
            name: "an admin principal without a region set",
            values: { cluster: { adminPrincipalArns: ["arn:aws:iam::123456789012:role/admins"] } },
            region: "",
            expected: ["aws:region: is required, e.g. `pulumi config set aws:region ap-northeast-1`"],
        },
    ];
    for (const c of cases) it(c.name, () => assert.deepEqual(problemLines(c.values, c.region), c.expected));
});
