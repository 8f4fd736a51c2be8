// What a config exposes without meaning to, and stack references that are paths: a production API
// endpoint open to the internet, credentials in route matches, "../" in cluster.stackReference.
import * as assert from "node:assert/strict";
import { ConfigError, credentialShape, stackReferenceProblem } from "../components/config";
import { parseStackConfig } from "../components/stack";
import { problemLines } from "./problems";

const REGION = "ap-northeast-1";
const CERT = `arn:aws:acm:${REGION}:210987654321:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
// Every warning but the edge's (on ingress.*, tested in edgeConfig.spec.ts: a dev ALB open to all).
const exposureWarnings = (cfg: { warnings: { path: string; message: string }[] }) =>
    cfg.warnings.filter((w) => !w.path.startsWith("eks-istio:ingress."));
const warningsOf = (values: Record<string, unknown>, stack = "dev") =>
    exposureWarnings(parseStackConfig({ stack, region: REGION, values: { ingress: { port: 8000 }, ...values } })).map(
        (w) => `${w.path}: ${w.message}`,
    );

describe("exposure: a production Kubernetes API open to the internet", () => {
    const production = { ingress: { port: 80, certificateArn: CERT } };
    const message = (how: string) =>
        `eks-istio:cluster.publicAccessCidrs: ${how} 0.0.0.0/0: the production cluster's Kubernetes API endpoint accepts connections from the whole internet (IAM still checks every request, but a leaked credential then works from anywhere). List the egress ranges of whatever runs \`pulumi up\` and kubectl (CI runners, VPN), or deploy from a runner inside the VPC (docs/pipeline.md, "Reaching the Kubernetes API")`;

    it("by default (the key left out)", () =>
        assert.deepEqual(warningsOf(production, "product"), [message("is not set, so it defaults to")]));

    it("explicitly, among narrower ranges", () =>
        assert.deepEqual(
            warningsOf({ ...production, cluster: { publicAccessCidrs: ["192.0.3.0/24", "0.0.0.0/0"] } }, "product"),
            [message("includes")],
        ));

    it("on a stack made production by the flag, whatever its name", () =>
        assert.deepEqual(warningsOf({ ...production, production: true }, "qa"), [
            message("is not set, so it defaults to"),
        ]));

    const QUIET: { name: string; values: Record<string, unknown>; stack: string }[] = [
        { name: "a dev stack on the default", values: {}, stack: "dev" },
        { name: "production: false on the product stack", values: { production: false }, stack: "product" },
        {
            name: "a production stack with narrowed ranges",
            values: { ...production, cluster: { publicAccessCidrs: ["192.0.3.0/24"] } },
            stack: "product",
        },
        {
            name: "an attached production stack (the owner runs the API endpoint)",
            values: { ...production, cluster: { stackReference: "acme/eks-istio/shared" } },
            stack: "product",
        },
    ];
    for (const c of QUIET) it(`nothing for ${c.name}`, () => assert.deepEqual(warningsOf(c.values, c.stack), []));
});

describe("exposure: credential-like values in routes", () => {
    // [header or parameter name, value, matched literally (exact/prefix) or as a regex, the shape named]
    const SHAPES: [string, string, boolean, string | undefined][] = [
        ["authorization", "Bearer abcdef0123456789", true, "a Bearer token"],
        ["authorization", "bearer abcdef0123456789", false, "a Bearer token"],
        ["authorization", "^Bearer abcdef0123456789$", false, "a Bearer token"],
        ["authorization", "Basic dXNlcjpwYXNzd29yZA==", true, "Basic credentials"],
        ["authorization", "Token 0123456789abcdef", true, "credentials of an Authorization scheme"],
        ["x-forwarded-jwt", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl", true, "a JSON Web Token"],
        ["x-aws", "AKIAIOSFODNN7EXAMPLE", true, "an AWS access key ID"],
        ["x-github", "ghp_0123456789abcdefghijklmnopqrstuvwxyz", true, "a GitHub token"],
        ["x-slack", "xoxb-0123456789-abcdef", true, "a Slack token"],
        ["x-pay", "sk_live_0123456789abcdefghij", true, "a Stripe secret key"],
        ["x-maps", "AIzaSyA0123456789abcdefghijklmnopqrstuv", true, "a Google API key"],
        ["x-api-key", "3f8a9c0d1e2b", true, 'a fixed value of "x-api-key", a name that carries credentials'],
        ["access_token", "0123456789", true, 'a fixed value of "access_token", a name that carries credentials'],
        ["cookie", "session=0123456789", true, 'a fixed value of "cookie", a name that carries credentials'],
        ["x-api-key", "^3f8a9c0d1e2b$", false, 'a fixed value of "x-api-key", a name that carries credentials'],
        // Shapes, not credentials: what a route legitimately checks.
        ["authorization", "Bearer .+", false, undefined],
        ["authorization", "^Bearer [A-Za-z0-9._-]+$", false, undefined],
        ["authorization", "^Bearer\\s+.*", false, undefined],
        ["authorization", "Bearer ", true, undefined],
        ["authorization", "^eyJ[A-Za-z0-9_-]+\\.", false, undefined],
        ["x-api-key", "^[a-f0-9]{32}$", false, undefined],
        ["x-csrf-token", "true", true, undefined],
        ["x-canary", "always-v2-please", true, undefined],
        ["user-agent", "Mozilla/5.0 (compatible; Googlebot/2.1)", true, undefined],
        ["x-request-id", "0f8fad5b-d9cb-469f-a165-70867728950e", true, undefined],
    ];
    for (const [name, value, literal, want] of SHAPES)
        it(`credentialShape(${name}, ${value}, ${literal ? "literal" : "regex"}) → ${want ?? "none"}`, () =>
            assert.equal(credentialShape(name, value, literal), want));

    const TOKEN = "Bearer s3cr3t-t0ken-value-1234567890";
    const route = (extra: Record<string, unknown>) => ({
        apps: [{ name: "web", http: [{ route: [{ destination: { host: "web" } }], ...extra }] }],
    });
    const matchAdvice =
        "a match value is stored in plain text in the stack's config and state and in the VirtualService, which every reader of the cluster sees, and matching a fixed secret makes it a shared password. Verify credentials instead of matching them: a RequestAuthentication for JWTs (with apps[].authorization rules on request.auth.claims), or an AuthorizationPolicy with an external authorizer (CUSTOM) for API keys and Basic credentials";

    it("a header match: warned at the key, the value never printed", () => {
        const got = warningsOf(route({ match: [{ headers: { authorization: { exact: TOKEN } } }] }));
        assert.deepEqual(got, [
            `eks-istio:apps[0].http[0].match[0].headers.authorization.exact: looks like a Bearer token: ${matchAdvice}`,
        ]);
        assert.ok(!got.join("").includes("s3cr3t"));
    });

    it("withoutHeaders, a query parameter and a regex, each at its own key", () =>
        assert.deepEqual(
            warningsOf(
                route({
                    match: [
                        { withoutHeaders: { "x-api-key": { prefix: "k-0123456789" } } },
                        { queryParams: { access_token: { exact: "0123456789abcdef" } } },
                        { headers: { authorization: { regex: "^Basic dXNlcjpwYXNzd29yZA==$" } } },
                    ],
                }),
            ).map((w) => w.split(": looks like ")[0]),
            [
                "eks-istio:apps[0].http[0].match[0].withoutHeaders.x-api-key.prefix",
                "eks-istio:apps[0].http[0].match[1].queryParams.access_token.exact",
                "eks-istio:apps[0].http[0].match[2].headers.authorization.regex",
            ],
        ));

    it("a credential a route adds to requests", () =>
        assert.deepEqual(
            warningsOf({
                apps: [
                    {
                        name: "web",
                        http: [
                            {
                                route: [
                                    {
                                        destination: { host: "web" },
                                        headers: { request: { set: { authorization: TOKEN } } },
                                    },
                                ],
                            },
                        ],
                    },
                ],
            }),
            [
                "eks-istio:apps[0].http[0].route[0].headers.request.set.authorization: looks like a Bearer token: a header the route adds is stored in plain text in the stack's config and state and in the VirtualService, which every reader of the cluster sees. Let the calling app read the credential from a Kubernetes Secret, or use a RequestAuthentication/AuthorizationPolicy to admit callers by their own credentials",
            ],
        ));

    it("a secret apps value: still warned, still without the value", () => {
        const cfg = parseStackConfig({
            stack: "dev",
            region: REGION,
            values: {
                ingress: { port: 8000 },
                ...route({ match: [{ headers: { "x-api-key": { exact: "k-0123456789" } } }] }),
            },
            secretKeys: ["apps"],
        });
        assert.equal(exposureWarnings(cfg).length, 1);
        assert.ok(!JSON.stringify(cfg.warnings).includes("k-0123456789"));
    });

    it("a route that checks a header's shape says nothing", () =>
        assert.deepEqual(
            warningsOf(route({ match: [{ headers: { authorization: { regex: "^Bearer [A-Za-z0-9._-]+$" } } }] })),
            [],
        ));
});

describe("exposure: cluster.stackReference is a stack, not a path", () => {
    const PROBLEMS: [string, string | undefined][] = [
        ["acme/eks-istio/product", undefined],
        ["acme/eks-istio.v2/product.eu", undefined],
        [
            "../../product",
            '"../../product" has a ".." segment: a stack reference names a stack, it is not a path (a self-managed backend stores stacks under these names, so dots would point outside the project); write "<organization>/<project>/<stack>", e.g. "acme/eks-istio/product"',
        ],
        [
            "acme/./product",
            '"acme/./product" has a "." segment: a stack reference names a stack, it is not a path (a self-managed backend stores stacks under these names, so dots would point outside the project); write "<organization>/<project>/<stack>", e.g. "acme/eks-istio/product"',
        ],
        [
            "org//stack",
            '"org//stack" has an empty segment (a leading, trailing or doubled "/"); write "<organization>/<project>/<stack>", e.g. "acme/eks-istio/product"',
        ],
        [
            "/acme/eks-istio/product",
            '"/acme/eks-istio/product" has an empty segment (a leading, trailing or doubled "/"); write "<organization>/<project>/<stack>", e.g. "acme/eks-istio/product"',
        ],
        [
            "acme/eks-istio/",
            '"acme/eks-istio/" has an empty segment (a leading, trailing or doubled "/"); write "<organization>/<project>/<stack>", e.g. "acme/eks-istio/product"',
        ],
        ["dev", 'must be "<organization>/<project>/<stack>", e.g. "acme/eks-istio/dev"'],
        ["acme/eks-istio/dev/extra", 'must be "<organization>/<project>/<stack>", e.g. "acme/eks-istio/dev"'],
    ];
    for (const [ref, want] of PROBLEMS)
        it(`stackReferenceProblem(${ref}) → ${want === undefined ? "none" : want.slice(0, 40)}`, () =>
            assert.equal(stackReferenceProblem(ref), want));

    it("refused in the config, naming the key, before anything is registered", () => {
        assert.deepEqual(problemLines({ cluster: { stackReference: "../../product" } }), [
            `eks-istio:cluster.stackReference: ${PROBLEMS[2][1]}`,
        ]);
        assert.throws(
            () =>
                parseStackConfig({
                    stack: "dev",
                    region: REGION,
                    values: { ingress: { port: 8000 }, cluster: { stackReference: "org//stack" } },
                }),
            (e: unknown) => e instanceof ConfigError && e.problems[0].path === "eks-istio:cluster.stackReference",
        );
    });
});
