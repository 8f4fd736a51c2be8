// The stack config contract: what a user reads when the config is wrong, and the defaults applied
// when it is right. Error cases are tables of {values → key path + message fragment}.
import * as assert from "node:assert/strict";
import { assertExactProblem, renderProblems } from "./problems";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import {
    CERTIFICATE_ARN,
    ConfigError,
    CPU_QUANTITY,
    DEFAULTS,
    HOST,
    IAM_PRINCIPAL_ARN,
    INSTANCE_TYPE,
    MEMORY_QUANTITY,
    PRODUCTION_DEFAULTS,
    SEMVER,
    STACK_REFERENCE,
    URL_PATH,
    cidrProblem,
    didYouMean,
    environmentProblem,
    isArmInstanceType,
    issueMessage,
    keyPath,
    keysAt,
    nodePortWarnings,
    portProblem,
    routeProblems,
    type HttpRoute,
} from "../components/config";
import { parseStackConfig } from "../components/stack";
import { durationMs } from "../components/config/istioSpec";

const REGION = "ap-northeast-1";
const CERT = (region: string) => `arn:aws:acm:${region}:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;

/** The problems parseStackConfig reports for `values` (none when it parses). */
function problemsOf(values: Record<string, unknown>, { stack = "dev", region = REGION } = {}) {
    try {
        parseStackConfig({ stack, region, values });
        return [];
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
        return e.problems;
    }
}

function configError(values: Record<string, unknown>, stack = "dev", region = REGION): ConfigError {
    try {
        parseStackConfig({ stack, region, values });
    } catch (e) {
        if (e instanceof ConfigError) return e;
        throw e;
    }
    assert.fail("expected a ConfigError");
}

/** One app with one route that matches a distinct prefix, so apps do not shadow each other. */
function app(name: string, route: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
    return {
        name,
        ...extra,
        http: [{ match: [{ uri: { prefix: `/${name}` } }], route: [{ destination: { host: name } }], ...route }],
    };
}
const withApps = (...apps: unknown[]) => ({ ingress: { port: 8000 }, apps });
const port8000 = { port: 8000 };

interface ErrorCase {
    name: string;
    values: Record<string, unknown>;
    stack?: string;
    region?: string;
    path: string;
    /** The whole message at `path`. */
    message: string;
}

const ERROR_CASES: ErrorCase[] = [
    // Unknown keys: a typo must never be ignored, and the closest key is suggested.
    {
        name: "top-level typo",
        values: { ingress: port8000, ingres: port8000 },
        path: "eks-istio:ingres",
        message:
            'unknown key (did you mean "ingress"?); the keys are environment, production, teardown, cluster, istio, albController, ingress, apps, observability',
    },
    {
        name: "top-level typo lists the valid keys",
        values: { ingress: port8000, clustr: {} },
        path: "eks-istio:clustr",
        message:
            'unknown key (did you mean "cluster"?); the keys are environment, production, teardown, cluster, istio, albController, ingress, apps, observability',
    },
    {
        name: "nested typo in cluster",
        values: { ingress: port8000, cluster: { minSzie: 1 } },
        path: "eks-istio:cluster",
        message: 'unknown key "minSzie" (did you mean "minSize"?)',
    },
    {
        name: "nested typo in ingress",
        values: { ingress: { port: 8000, hostz: ["*"] } },
        path: "eks-istio:ingress",
        message: 'unknown key "hostz" (did you mean "hosts"?)',
    },
    {
        name: "typo deep in a route destination",
        values: withApps({ name: "a", http: [{ route: [{ destination: { host: "a" }, weigth: 100 }] }] }),
        path: "eks-istio:apps[0].http[0].route[0]",
        message: 'unknown key "weigth" (did you mean "weight"?)',
    },
    {
        name: "typo in retries",
        values: withApps(app("a", { retries: { attempts: 2, perTryTimout: "1s" } })),
        path: "eks-istio:apps[0].http[0].retries",
        message: 'unknown key "perTryTimout" (did you mean "perTryTimeout"?)',
    },
    // Ingress and its port.
    {
        name: "missing ingress",
        values: {},
        path: "eks-istio:ingress",
        message: "is required; at least `eks-istio:ingress: {port: 8000}` (the gateway port of this environment)",
    },
    {
        name: "missing ingress.port",
        values: { ingress: {} },
        path: "eks-istio:ingress.port",
        message: "is required: the gateway port this environment's ALB sends traffic to (e.g. 8000)",
    },
    {
        name: "ingress is not a map",
        values: { ingress: 8000 },
        path: "eks-istio:ingress",
        message: "must be an object, got 8000",
    },
    {
        name: "port as a string",
        values: { ingress: { port: "8000" } },
        path: "eks-istio:ingress.port",
        message: '"8000" is not a port; use an integer from 1 to 65535',
    },
    {
        name: "port not an integer",
        values: { ingress: { port: 80.5 } },
        path: "eks-istio:ingress.port",
        message: "80.5 is not a port; use an integer from 1 to 65535",
    },
    {
        name: "port 0",
        values: { ingress: { port: 0 } },
        path: "eks-istio:ingress.port",
        message: "0 is not a port; use an integer from 1 to 65535",
    },
    {
        name: "port 65536",
        values: { ingress: { port: 65536 } },
        path: "eks-istio:ingress.port",
        message: "65536 is not a port; use an integer from 1 to 65535",
    },
    {
        name: "port 15021 (Istio status port)",
        values: { ingress: { port: 15021 } },
        path: "eks-istio:ingress.port",
        message:
            "15021 is in Istio's reserved range 15000-15099 (15021 is the gateway's status port); pick another port such as 8000",
    },
    {
        name: "port 15000 (first reserved)",
        values: { ingress: { port: 15000 } },
        path: "eks-istio:ingress.port",
        message:
            "15000 is in Istio's reserved range 15000-15099 (15021 is the gateway's status port); pick another port such as 8000",
    },
    {
        name: "port 15099 (last reserved)",
        values: { ingress: { port: 15099 } },
        path: "eks-istio:ingress.port",
        message:
            "15099 is in Istio's reserved range 15000-15099 (15021 is the gateway's status port); pick another port such as 8000",
    },
    {
        name: "ingress.scheme not an ALB scheme",
        values: { ingress: { port: 8000, scheme: "public" } },
        path: "eks-istio:ingress.scheme",
        message: 'must be one of "internet-facing", "internal"',
    },
    // Environment names: default (the stack name) and explicit.
    {
        name: "stack name not DNS-1123, used as environment",
        values: { ingress: port8000 },
        stack: "Dev",
        path: "eks-istio:environment",
        message:
            '"Dev" is not a DNS-1123 label; use lower-case letters, digits and "-", starting and ending with a letter or digit (e.g. "dev", "qa-1") (the stack name, used as the environment); set eks-istio:environment',
    },
    {
        name: "stack name longer than 10 characters",
        values: { ingress: port8000 },
        stack: "integration",
        path: "eks-istio:environment",
        message:
            '"integration" is 11 characters; at most 10 are allowed because the gateway Service port is named "http-integration" and Kubernetes limits port names to 15 characters (the stack name, used as the environment); set eks-istio:environment',
    },
    {
        name: "explicit environment with an underscore",
        values: { ingress: port8000, environment: "qa_1" },
        path: "eks-istio:environment",
        message:
            '"qa_1" is not a DNS-1123 label; use lower-case letters, digits and "-", starting and ending with a letter or digit (e.g. "dev", "qa-1")',
    },
    {
        name: "explicit environment too long",
        values: { ingress: port8000, environment: "staging-eu1" },
        path: "eks-istio:environment",
        message:
            '"staging-eu1" is 11 characters; at most 10 are allowed because the gateway Service port is named "http-staging-eu1" and Kubernetes limits port names to 15 characters',
    },
    {
        name: 'explicit environment with "--"',
        values: { ingress: port8000, environment: "a--b" },
        path: "eks-istio:environment",
        message: '"a--b" contains "--", which Kubernetes does not allow in the port name "http-a--b"',
    },
    {
        name: "explicit environment not a string",
        values: { ingress: port8000, environment: 5 },
        path: "eks-istio:environment",
        message: "must be a string, got 5",
    },
    {
        name: "production not a boolean",
        values: { ingress: port8000, production: "yes" },
        path: "eks-istio:production",
        message: 'must be true or false, got "yes"',
    },
    // Node group sizes.
    {
        name: "minSize above desiredSize",
        values: { ingress: port8000, cluster: { minSize: 3, desiredSize: 2, maxSize: 4 } },
        path: "eks-istio:cluster",
        message: "node counts must satisfy minSize <= desiredSize <= maxSize, got minSize 3, desiredSize 2, maxSize 4",
    },
    {
        name: "desiredSize above maxSize (maxSize defaulted)",
        values: { ingress: port8000, cluster: { desiredSize: 5 } },
        path: "eks-istio:cluster",
        message: "node counts must satisfy minSize <= desiredSize <= maxSize, got minSize 2, desiredSize 5, maxSize 4",
    },
    {
        name: "negative minSize",
        values: { ingress: port8000, cluster: { minSize: -1 } },
        path: "eks-istio:cluster.minSize",
        message: "must be at least 0, got -1",
    },
    {
        name: "fractional maxSize",
        values: { ingress: port8000, cluster: { maxSize: 2.5 } },
        path: "eks-istio:cluster.maxSize",
        message: "must be an integer, got 2.5",
    },
    // CIDR blocks.
    {
        name: "malformed vpcCidr",
        values: { ingress: port8000, cluster: { vpcCidr: "10.0.0/16" } },
        path: "eks-istio:cluster.vpcCidr",
        message: '"10.0.0/16" is not an IPv4 CIDR block such as 10.0.0.0/16',
    },
    {
        name: "vpcCidr with host bits set",
        values: { ingress: port8000, cluster: { vpcCidr: "10.0.1.0/16" } },
        path: "eks-istio:cluster.vpcCidr",
        message: '"10.0.1.0/16" has host bits set; did you mean 10.0.0.0/16?',
    },
    {
        name: "vpcCidr /8 larger than a VPC allows",
        values: { ingress: port8000, cluster: { vpcCidr: "10.0.0.0/8" } },
        path: "eks-istio:cluster.vpcCidr",
        message: '"10.0.0.0/8" has prefix /8; use a prefix from /16 to /22',
    },
    {
        name: "vpcCidr /24 too small for the subnets",
        values: { ingress: port8000, cluster: { vpcCidr: "10.0.0.0/24" } },
        path: "eks-istio:cluster.vpcCidr",
        message: '"10.0.0.0/24" has prefix /24; use a prefix from /16 to /22',
    },
    {
        name: "publicAccessCidrs entry with host bits set",
        values: { ingress: port8000, cluster: { publicAccessCidrs: ["0.0.0.0/0", "203.0.113.5/24"] } },
        path: "eks-istio:cluster.publicAccessCidrs[1]",
        message: '"203.0.113.5/24" has host bits set; did you mean 203.0.113.0/24?',
    },
    // ACM certificate.
    {
        name: "malformed certificate ARN",
        values: { ingress: { port: 8000, certificateArn: "arn:aws:acm:ap-northeast-1:1234:certificate/abc" } },
        path: "eks-istio:ingress.certificateArn",
        message:
            "must be an ACM certificate ARN such as arn:aws:acm:ap-northeast-1:123456789012:certificate/0a1b2c3d-...",
    },
    {
        name: "certificate in another region",
        values: { ingress: { port: 8000, certificateArn: CERT("us-east-1") } },
        path: "eks-istio:ingress.certificateArn",
        message:
            "the certificate is in us-east-1 but the stack deploys to ap-northeast-1; an ALB can only use ACM certificates from its own region",
    },
    // Apps.
    {
        name: "apps not a list",
        values: { ingress: port8000, apps: { name: "a" } },
        path: "eks-istio:apps",
        message: "must be a list of apps",
    },
    {
        name: "duplicate app names",
        values: withApps(app("a", {}, { namespace: "n1" }), {
            ...app("b", {}, { namespace: "n2" }),
            name: "a",
        }),
        path: "eks-istio:apps[1].name",
        message: '"a" is also the name of apps[0]; app names must be unique',
    },
    {
        name: "duplicate namespaces (one defaulted from the app name)",
        values: withApps(app("a"), app("b", {}, { namespace: "a" })),
        path: "eks-istio:apps[1].namespace",
        message: '"a" is also the namespace of apps[0]; each app owns its namespace',
    },
    {
        name: "app in kube-system",
        values: withApps(app("a", {}, { namespace: "kube-system" })),
        path: "eks-istio:apps[0].namespace",
        message: '"kube-system" is a system namespace; give the app a namespace of its own',
    },
    {
        name: "app in istio-system",
        values: withApps(app("a", {}, { namespace: "istio-system" })),
        path: "eks-istio:apps[0].namespace",
        message: '"istio-system" is a system namespace; give the app a namespace of its own',
    },
    {
        name: "app name not DNS-1123",
        values: withApps(app("Vote_App")),
        path: "eks-istio:apps[0].name",
        message: 'must be a DNS-1123 label such as "vote-dog-cat"',
    },
    {
        name: "app without http routes",
        values: withApps({ name: "a" }),
        path: "eks-istio:apps[0].http",
        message: "is required",
    },
    // Routes.
    {
        name: "destination without host",
        values: withApps({ name: "a", http: [{ route: [{ destination: { port: { number: 80 } } }] }] }),
        path: "eks-istio:apps[0].http[0].route[0].destination.host",
        message: "is required: the Kubernetes Service (or ServiceEntry host) to send traffic to",
    },
    {
        name: "weights of several destinations not summing to 100",
        values: withApps(
            app("a", {
                route: [
                    { destination: { host: "x" }, weight: 50 },
                    { destination: { host: "y" }, weight: 40 },
                ],
            }),
        ),
        path: "eks-istio:apps[0].http[0].route",
        message: "weights of the 2 destinations sum to 90; they must sum to 100 (e.g. 50/50 or 90/10)",
    },
    {
        name: "several destinations without weights",
        values: withApps(app("a", { route: [{ destination: { host: "x" } }, { destination: { host: "y" } }] })),
        path: "eks-istio:apps[0].http[0].route",
        message: "weights of the 2 destinations sum to 0; they must sum to 100 (e.g. 50/50 or 90/10)",
    },
    {
        name: "single destination with weight 50",
        values: withApps(app("a", { route: [{ destination: { host: "x" }, weight: 50 }] })),
        path: "eks-istio:apps[0].http[0].route[0].weight",
        message: "is 50, but a single destination receives all traffic; remove the weight or set 100",
    },
    {
        name: "route with no action",
        values: withApps({ name: "a", http: [{ match: [{ uri: { prefix: "/a" } }] }] }),
        path: "eks-istio:apps[0].http[0]",
        message: "needs one of route, redirect or directResponse (what to do with matching requests)",
    },
    {
        name: "route with route and redirect",
        values: withApps(app("a", { redirect: { uri: "/b" } })),
        path: "eks-istio:apps[0].http[0]",
        message: "sets route and redirect; a route does exactly one of route, redirect or directResponse",
    },
    {
        name: 'timeout "5" without a unit',
        values: withApps(app("a", { timeout: "5" })),
        path: "eks-istio:apps[0].http[0].timeout",
        message: 'must be a duration such as "5s", "250ms" or "1m30s"',
    },
    {
        name: 'timeout "0s"',
        values: withApps(app("a", { timeout: "0s" })),
        path: "eks-istio:apps[0].http[0].timeout",
        message: "must be at least 1ms",
    },
    {
        name: "perTryTimeout below 1ms",
        values: withApps(app("a", { retries: { attempts: 2, perTryTimeout: "100us" } })),
        path: "eks-istio:apps[0].http[0].retries.perTryTimeout",
        message: "must be at least 1ms",
    },
    {
        name: "typo in a header match (a map of StringMatch)",
        values: withApps(app("a", { match: [{ headers: { "x-env": { exct: "canary" } } }] })),
        path: "eks-istio:apps[0].http[0].match[0].headers.x-env",
        message: 'unknown key "exct" (did you mean "exact"?)',
    },
    {
        name: "app name longer than a DNS-1123 label",
        values: withApps(app("a".repeat(64))),
        path: "eks-istio:apps[0].name",
        message: "must be at most 63 characters, got 64",
    },
    {
        name: "StringMatch with two keys",
        values: withApps(app("a", { match: [{ uri: { prefix: "/a", exact: "/a" } }] })),
        path: "eks-istio:apps[0].http[0].match[0].uri",
        message: "must set exactly one of exact, prefix or regex",
    },
    // Cluster settings.
    {
        name: "kubernetesVersion as a YAML number",
        values: { ingress: port8000, cluster: { kubernetesVersion: 1.3 } },
        path: "eks-istio:cluster.kubernetesVersion",
        message: 'must be a quoted string such as "1.35" (YAML reads an unquoted 1.30 as the number 1.3)',
    },
    {
        name: "kubernetesVersion with a patch",
        values: { ingress: port8000, cluster: { kubernetesVersion: "1.34.1" } },
        path: "eks-istio:cluster.kubernetesVersion",
        message: 'must be a Kubernetes minor version such as "1.35"',
    },
    {
        name: "kubernetesVersion neither text nor a number",
        values: { ingress: port8000, cluster: { kubernetesVersion: true } },
        path: "eks-istio:cluster.kubernetesVersion",
        message: 'must be a Kubernetes minor version such as "1.35"',
    },
    {
        name: "two typos in one section, each with its suggestion",
        values: { ingress: port8000, cluster: { minSzie: 1, maxSzie: 3 } },
        path: "eks-istio:cluster",
        message: 'unknown key "minSzie" (did you mean "minSize"?); unknown key "maxSzie" (did you mean "maxSize"?)',
    },
    {
        name: "a number beyond the safe integers (zod's own bound, rewritten too)",
        values: { ingress: port8000, cluster: { minSize: 1e20 } },
        path: "eks-istio:cluster.minSize",
        message: "must be at most 9007199254740991, got 100000000000000000000",
    },
    {
        // zod finds both bounds; the tighter one is the reason.
        name: "a number beyond the safe integers and the field's own bound: the tighter bound alone",
        values: { ingress: port8000, cluster: { maxSize: 1e20 } },
        path: "eks-istio:cluster.maxSize",
        message: "must be at most 450, got 100000000000000000000",
    },
    {
        name: "mixed ARM and x86 instance types",
        values: { ingress: port8000, cluster: { instanceTypes: ["t3.large", "m7g.large"] } },
        path: "eks-istio:cluster.instanceTypes",
        message:
            "mixes ARM (Graviton) and x86 instance types (t3.large, m7g.large); one node group runs one architecture, so list types of one kind",
    },
    // Attached stacks (cluster.stackReference): what the owner stack decides is an error here.
    {
        name: "cluster.stackReference that is not org/project/stack",
        values: { ingress: port8000, cluster: { stackReference: "dev" } },
        path: "eks-istio:cluster.stackReference",
        message: 'must be "<organization>/<project>/<stack>", e.g. "acme/eks-istio/dev"',
    },
    {
        name: "cluster settings next to cluster.stackReference",
        values: { ingress: port8000, cluster: { stackReference: "acme/eks-istio/dev", minSize: 3 } },
        path: "eks-istio:cluster.minSize",
        message:
            "has no effect with cluster.stackReference: this stack creates no cluster; set it in the owner stack (the one cluster.stackReference names)",
    },
    {
        name: "extraGatewayPorts in an attached stack",
        values: {
            ingress: port8000,
            cluster: { stackReference: "acme/eks-istio/dev" },
            istio: { extraGatewayPorts: [{ environment: "qa", port: 7000 }] },
        },
        path: "eks-istio:istio.extraGatewayPorts",
        message:
            "belongs in the owner stack (the one cluster.stackReference names), which owns the gateway Service; list this environment there",
    },
    {
        name: "an Istio version in an attached stack",
        values: { ingress: port8000, cluster: { stackReference: "acme/eks-istio/dev" }, istio: { version: "1.30.3" } },
        path: "eks-istio:istio.version",
        message:
            "has no effect with cluster.stackReference: Istio is installed by the owner stack (the one cluster.stackReference names); set it there",
    },
    {
        name: "albController in an attached stack",
        values: {
            ingress: port8000,
            cluster: { stackReference: "acme/eks-istio/dev" },
            albController: { version: "3.5.0" },
        },
        path: "eks-istio:albController",
        message:
            "has no effect with cluster.stackReference: the owner stack (the one cluster.stackReference names) runs the controller",
    },
    {
        name: "ingress.nodePort in an attached stack",
        values: { ingress: { port: 8000, nodePort: 30800 }, cluster: { stackReference: "acme/eks-istio/dev" } },
        path: "eks-istio:ingress.nodePort",
        message:
            "is pinned by the owner stack (the one cluster.stackReference names): set it on this environment's entry of its eks-istio:istio.extraGatewayPorts",
    },
    // Extra gateway ports.
    {
        name: "extraGatewayPorts port equal to ingress.port",
        values: { ingress: port8000, istio: { extraGatewayPorts: [{ environment: "stg", port: 8000 }] } },
        path: "eks-istio:istio.extraGatewayPorts[0].port",
        message: "8000 is already used by eks-istio:ingress.port (dev); each environment needs its own port",
    },
    {
        name: "extraGatewayPorts environment equal to this stack's",
        values: { ingress: port8000, istio: { extraGatewayPorts: [{ environment: "dev", port: 9000 }] } },
        path: "eks-istio:istio.extraGatewayPorts[0].environment",
        message: '"dev" is already served by this stack\'s environment',
    },
    {
        name: "extraGatewayPorts duplicate port between entries",
        values: {
            ingress: port8000,
            istio: {
                extraGatewayPorts: [
                    { environment: "stg", port: 9000 },
                    { environment: "qa", port: 9000 },
                ],
            },
        },
        path: "eks-istio:istio.extraGatewayPorts[1].port",
        message:
            "9000 is already used by eks-istio:istio.extraGatewayPorts[0] (stg); each environment needs its own port",
    },
    {
        name: "extraGatewayPorts duplicate environment between entries",
        values: {
            ingress: port8000,
            istio: {
                extraGatewayPorts: [
                    { environment: "stg", port: 9000 },
                    { environment: "stg", port: 9001 },
                ],
            },
        },
        path: "eks-istio:istio.extraGatewayPorts[1].environment",
        message: '"stg" is already served by eks-istio:istio.extraGatewayPorts[0]',
    },
    {
        name: "extraGatewayPorts environment that is not a DNS label",
        values: { ingress: port8000, istio: { extraGatewayPorts: [{ environment: "Qa", port: 9000 }] } },
        path: "eks-istio:istio.extraGatewayPorts[0].environment",
        message:
            '"Qa" is not a DNS-1123 label; use lower-case letters, digits and "-", starting and ending with a letter or digit (e.g. "dev", "qa-1")',
    },
    {
        name: "extraGatewayPorts port in Istio's reserved range",
        values: { ingress: port8000, istio: { extraGatewayPorts: [{ environment: "stg", port: 15090 }] } },
        path: "eks-istio:istio.extraGatewayPorts[0].port",
        message:
            "15090 is in Istio's reserved range 15000-15099 (15021 is the gateway's status port); pick another port such as 8000",
    },
    {
        name: "extraGatewayPorts environment not DNS-1123",
        values: { ingress: port8000, istio: { extraGatewayPorts: [{ environment: "QA", port: 9000 }] } },
        path: "eks-istio:istio.extraGatewayPorts[0].environment",
        message:
            '"QA" is not a DNS-1123 label; use lower-case letters, digits and "-", starting and ending with a letter or digit (e.g. "dev", "qa-1")',
    },
    // NodePorts: Kubernetes' default range 30000-32767, at both ends.
    {
        name: "ingress.nodePort 29999",
        values: { ingress: { port: 8000, nodePort: 29999 } },
        path: "eks-istio:ingress.nodePort",
        message: "must be in the NodePort range 30000-32767",
    },
    {
        name: "ingress.nodePort 32768",
        values: { ingress: { port: 8000, nodePort: 32768 } },
        path: "eks-istio:ingress.nodePort",
        message: "must be in the NodePort range 30000-32767",
    },
    // Sections that are null (an empty YAML key).
    {
        name: "ingress: null",
        values: { ingress: null },
        path: "eks-istio:ingress",
        message: "must be an object, got null",
    },
    // Each key's own message: what is wrong and an example of what is right.
    {
        name: "ingress.hosts with an upper-case name",
        values: { ingress: { port: 8000, hosts: ["Vote.example.com"] } },
        path: "eks-istio:ingress.hosts[0]",
        message: 'must be "*", a DNS name such as "vote.example.com", or "*.example.com"',
    },
    {
        name: "ingress.hosts empty",
        values: { ingress: { port: 8000, hosts: [] } },
        path: "eks-istio:ingress.hosts",
        message: 'must list at least one host (use ["*"] for any)',
    },
    {
        name: "ingress.targetType not an ALB target type",
        values: { ingress: { port: 8000, targetType: "pod" } },
        path: "eks-istio:ingress.targetType",
        message: 'must be one of "instance", "ip"',
    },
    {
        name: "ingress.sslPolicy with a prefix before ELBSecurityPolicy-",
        values: { ingress: { port: 8000, sslPolicy: "MyELBSecurityPolicy-TLS13-1-2-2021-06" } },
        path: "eks-istio:ingress.sslPolicy",
        message: 'must be an ELB security policy such as "ELBSecurityPolicy-TLS13-1-2-2021-06"',
    },
    {
        name: "kubernetesVersion as a boolean",
        values: { ingress: port8000, cluster: { kubernetesVersion: true } },
        path: "eks-istio:cluster.kubernetesVersion",
        message: 'must be a Kubernetes minor version such as "1.35"',
    },
    {
        name: "kubernetesVersion 11.35",
        values: { ingress: port8000, cluster: { kubernetesVersion: "11.35" } },
        path: "eks-istio:cluster.kubernetesVersion",
        message: 'must be a Kubernetes minor version such as "1.35"',
    },
    {
        name: "instance type in upper case",
        values: { ingress: port8000, cluster: { instanceTypes: ["T3.large"] } },
        path: "eks-istio:cluster.instanceTypes[0]",
        message: 'must be an EC2 instance type such as "t3.large"',
    },
    {
        name: "no instance types",
        values: { ingress: port8000, cluster: { instanceTypes: [] } },
        path: "eks-istio:cluster.instanceTypes",
        message: "must list at least one instance type",
    },
    {
        name: "no publicAccessCidrs",
        values: { ingress: port8000, cluster: { publicAccessCidrs: [] } },
        path: "eks-istio:cluster.publicAccessCidrs",
        message: "must list at least one CIDR block",
    },
    {
        name: "natGateways not one of single, perAz",
        values: { ingress: port8000, cluster: { natGateways: "none" } },
        path: "eks-istio:cluster.natGateways",
        message: 'must be one of "single", "perAz"',
    },
    {
        name: "adminPrincipalArns entry with a short account id",
        values: { ingress: port8000, cluster: { adminPrincipalArns: ["arn:aws:iam::123:role/x"] } },
        path: "eks-istio:cluster.adminPrincipalArns[0]",
        message: "must be an IAM role or user ARN such as arn:aws:iam::123456789012:role/platform-admins",
    },
    {
        name: "istio.version without a patch",
        values: { ingress: port8000, istio: { version: "1.30" } },
        path: "eks-istio:istio.version",
        message: 'must be an Istio release such as "1.30.5"',
    },
    {
        name: "albController.version without a patch",
        values: { ingress: port8000, albController: { version: "3.5" } },
        path: "eks-istio:albController.version",
        message: 'must be a chart version such as "3.5.0"',
    },
    {
        name: "app namespace not DNS-1123",
        values: withApps({ ...app("web"), namespace: "Web" }),
        path: "eks-istio:apps[0].namespace",
        message: 'must be a DNS-1123 label such as "vote-dog-cat"',
    },
    {
        name: "app in the default namespace",
        values: withApps({ ...app("web"), namespace: "default" }),
        path: "eks-istio:apps[0].namespace",
        message: '"default" is a system namespace; give the app a namespace of its own',
    },
    {
        name: "app with an empty route list",
        values: withApps({ name: "web", http: [] }),
        path: "eks-istio:apps[0].http",
        message: "must list at least one route",
    },
    // Region.
    {
        name: "missing aws:region",
        values: { ingress: port8000 },
        region: "",
        path: "aws:region",
        message: "is required, e.g. `pulumi config set aws:region ap-northeast-1`",
    },
];

describe("config: parseStackConfig errors", () => {
    for (const c of ERROR_CASES) {
        it(`${c.name} → ${c.path}`, () => {
            assertExactProblem(
                problemsOf(c.values, { stack: c.stack ?? "dev", region: c.region ?? REGION }),
                c.path,
                c.message,
            );
        });
    }

    it("explicit eks-istio:environment does not blame the stack name", () => {
        const [p] = problemsOf({ ingress: port8000, environment: "Qa" }, { stack: "dev" });
        assert.equal(p.path, "eks-istio:environment");
        assert.ok(!p.message.includes("stack name"), p.message);
    });

    it("a valid explicit environment overrides an invalid stack name", () => {
        const cfg = parseStackConfig({
            stack: "Feature_Branch",
            region: REGION,
            values: { ingress: port8000, environment: "feat-1" },
        });
        assert.equal(cfg.environment, "feat-1");
        assert.equal(cfg.cluster.name, "eks-istio-feat-1");
    });

    it("a reserved ingress.port is reported once, as reserved (no follow-on nodePort noise)", () => {
        const problems = problemsOf({ ingress: { port: 15021 } });
        assert.deepEqual(
            problems.map((p) => p.path),
            ["eks-istio:ingress.port"],
        );
    });

    it('a duration without a unit ("5") is reported once, as not a duration', () => {
        const problems = problemsOf(withApps(app("a", { timeout: "5" })));
        assert.deepEqual(
            problems.map((p) => p.message),
            ['must be a duration such as "5s", "250ms" or "1m30s"'],
        );
    });

    it("an app named after a system namespace (namespace defaulted from name) is rejected", () => {
        const problems = problemsOf(withApps(app("kube-system")));
        assert.ok(
            problems.some((p) => p.path.startsWith("eks-istio:apps[0]") && p.message.includes("system namespace")),
            renderProblems(problems),
        );
    });

    it("a malformed albController.version is reported once, as malformed (no follow-on IAM policy noise)", () => {
        assert.deepEqual(problemsOf({ ingress: port8000, albController: { version: "3.5" } }), [
            { path: "eks-istio:albController.version", message: 'must be a chart version such as "3.5.0"' },
        ]);
    });

    it("a nested typo only suggests keys of its own section", () => {
        const [p] = problemsOf({ ingress: port8000, cluster: { verison: "1.34" } });
        assert.equal(p.path, "eks-istio:cluster");
        assert.ok(!p.message.includes('did you mean "version"'), p.message);
    });
});

describe("config: one ConfigError lists every problem", () => {
    const values = {
        clustr: {},
        ingress: { port: 15021 },
        cluster: { minSize: 5, vpcCidr: "10.0.0.1/16", kubernetesVersion: 1.3 },
        apps: [app("a", { timeout: "0s" })],
    };

    it("collects problems from every section in one error", () => {
        const err = configError(values, "dev", "");
        const paths = err.problems.map((p) => p.path);
        for (const expected of [
            "eks-istio:clustr",
            "aws:region",
            "eks-istio:ingress.port",
            "eks-istio:cluster",
            "eks-istio:cluster.vpcCidr",
            "eks-istio:cluster.kubernetesVersion",
            "eks-istio:apps[0].http[0].timeout",
        ])
            assert.ok(paths.includes(expected), `missing ${expected} in:\n${renderProblems(err.problems)}`);
    });

    it("the message has a header with the count and one line per problem, each starting with the key path", () => {
        const err = configError(values, "dev", "");
        const lines = err.message.split("\n");
        assert.equal(
            lines[0],
            `Invalid config for stack "dev" (${err.problems.length} problem${err.problems.length === 1 ? "" : "s"}):`,
        );
        assert.deepEqual(
            lines.slice(1),
            err.problems.map((p) => `  - ${p.path}: ${p.message}`),
        );
        assert.ok(err.message.includes('  - eks-istio:clustr: unknown key (did you mean "cluster"?)'));
        assert.ok(err.message.includes("  - eks-istio:ingress.port: 15021 is in Istio's reserved range"));
        assert.ok(err.message.includes("  - eks-istio:cluster.vpcCidr: "));
        for (const p of err.problems) assert.match(p.path, /^(eks-istio|aws):[A-Za-z]/);
    });

    it("a single problem reads '1 problem'", () => {
        const err = configError({ ingress: { port: 0 } });
        assert.equal(err.problems.length, 1);
        assert.match(err.message, /^Invalid config for stack "dev" \(1 problem\):\n {2}- eks-istio:ingress\.port: /);
    });

    it("is a pulumi.RunError (printed without a stack trace) named ConfigError", () => {
        const err = configError(values);
        assert.ok(pulumi.RunError.isInstance(err));
        assert.ok(err instanceof ConfigError);
        assert.equal(err.name, "ConfigError");
        assert.equal(err.stackName, "dev");
        assert.match(String(err.stack), /^ConfigError: Invalid config for stack "dev"/);
    });
});

describe("config: pinned NodePorts and teardown", () => {
    it("two ports deriving the same NodePort are one error naming both keys", () => {
        const problems = problemsOf({
            ingress: { port: 8000 },
            istio: { extraGatewayPorts: [{ environment: "qa", port: 8085 }] },
        });
        assert.deepEqual(problems, [
            {
                path: "eks-istio:istio.extraGatewayPorts[0].nodePort",
                message:
                    "30010 (derived from port 8085) is also the nodePort of eks-istio:ingress.nodePort; set a distinct nodePort in 30000-30085",
            },
        ]);
    });

    it("a nodePort set outside the static band is accepted with a warning (stacks that keep their old ports)", () => {
        const cfg = parseStackConfig({
            stack: "dev",
            region: REGION,
            // internal: an internet-facing dev ALB would add its own warning (tests/edgeConfig.spec.ts).
            values: { ingress: { port: 8000, nodePort: 32464, scheme: "internal" }, istio: { statusNodePort: 31181 } },
        });
        assert.deepEqual(
            cfg.gateway.ports.map((p) => p.nodePort),
            [32464],
        );
        assert.deepEqual(
            cfg.warnings.map((w) => w.path),
            ["eks-istio:istio.statusNodePort", "eks-istio:ingress.nodePort"],
        );
        assert.equal(
            cfg.warnings[1].message,
            '32464 is outside 30000-30085, the band Kubernetes keeps for pinned NodePorts; any Service given a NodePort automatically may take it first, and the gateway\'s next update then fails with "provided port is already allocated". Prefer a port in the band (or leave nodePort unset)',
        );
    });

    // nodePortWarnings on its own: which nodePorts it warns about, at which key.
    const OUTSIDE = (n: string) =>
        `${n} is outside 30000-30085, the band Kubernetes keeps for pinned NodePorts; any Service given a NodePort automatically may take it first, and the gateway's next update then fails with "provided port is already allocated". Prefer a port in the band (or leave nodePort unset)`;
    const WARNINGS: {
        name: string;
        ingress: Record<string, unknown>;
        istio?: Record<string, unknown>;
        expected: { at: string; message: string }[];
    }[] = [
        { name: "no nodePort set", ingress: { port: 8000 }, expected: [] },
        { name: "the band's first port", ingress: { port: 8000, nodePort: 30000 }, expected: [] },
        { name: "the band's last port", ingress: { port: 8000, nodePort: 30085 }, expected: [] },
        {
            name: "one above the band",
            ingress: { port: 8000, nodePort: 30086 },
            expected: [{ at: "ingress.nodePort", message: OUTSIDE("30086") }],
        },
        {
            // The schema refuses it as outside the NodePort range; the band's own rule still holds.
            name: "one below the band",
            ingress: { port: 8000, nodePort: 29999 },
            expected: [{ at: "ingress.nodePort", message: OUTSIDE("29999") }],
        },
        {
            // A nodePort that is not a number is the schema's to report, never compared as one.
            name: "a nodePort written as text",
            ingress: { port: 8000, nodePort: "32000" },
            expected: [],
        },
        {
            name: "an extra environment's nodePort",
            ingress: { port: 8000 },
            istio: { extraGatewayPorts: [{ environment: "stg", port: 9000, nodePort: 32000 }] },
            expected: [{ at: "istio.extraGatewayPorts[0].nodePort", message: OUTSIDE("32000") }],
        },
    ];
    for (const c of WARNINGS)
        it(`nodePortWarnings: ${c.name}`, () =>
            assert.deepEqual(nodePortWarnings(c.ingress, c.istio ?? {}), c.expected));

    it("the gateway Service: this environment's port first, derived NodePorts unless set, status NodePort 30085", () => {
        const cfg = parseStackConfig({
            stack: "dev",
            region: REGION,
            values: {
                ingress: port8000,
                istio: {
                    extraGatewayPorts: [
                        { environment: "stg", port: 9000 },
                        { environment: "qa", port: 7000, nodePort: 30050 },
                    ],
                },
            },
        });
        assert.deepEqual(cfg.gateway, {
            statusNodePort: 30085,
            ports: [
                { environment: "dev", port: 8000, nodePort: 30010 },
                { environment: "stg", port: 9000, nodePort: 30075 },
                { environment: "qa", port: 7000, nodePort: 30050 },
            ],
        });
    });

    it("teardown defaults to false, must be a boolean, and changes no sizing default", () => {
        const base = { stack: "product", region: REGION };
        const ingress = { port: 80, allowPlainHttpInProduction: true };
        const live = parseStackConfig({ ...base, values: { ingress } });
        const down = parseStackConfig({ ...base, values: { ingress, teardown: true } });
        assert.equal(live.teardown, false);
        assert.equal(down.teardown, true);
        assert.deepEqual({ ...down, teardown: false }, live);
        assert.deepEqual(problemsOf({ ingress: port8000, teardown: "yes" }), [
            { path: "eks-istio:teardown", message: 'must be true or false, got "yes"' },
        ]);
    });
});

describe("config: defaults and valid configs", () => {
    it("applies DEFAULTS when only ingress.port is set", () => {
        const cfg = parseStackConfig({ stack: "dev", region: REGION, values: { ingress: port8000 } });
        assert.equal(cfg.stack, "dev");
        assert.equal(cfg.region, REGION);
        assert.equal(cfg.environment, "dev");
        assert.equal(cfg.production, false);
        assert.deepEqual(cfg.cluster, {
            name: "eks-istio-dev",
            kubernetesVersion: "1.35",
            upgradePolicy: "STANDARD",
            logRetentionDays: 30,
            autoscaler: true,
            adoptLogGroup: false,
            nodeGroups: [
                {
                    name: "nodes",
                    instanceTypes: ["t3.large"],
                    minSize: 2,
                    desiredSize: 2,
                    maxSize: 4,
                    labels: {},
                    taints: [],
                    launchTemplate: true,
                },
            ],
            vpcCidr: "10.0.0.0/16",
            publicAccessCidrs: ["0.0.0.0/0"],
            availabilityZones: 2,
            natGateways: "single",
            logTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
            adminPrincipalArns: [],
            viewerPrincipalArns: [],
        });
        assert.equal(cfg.istio.version, "1.30.5");
        assert.equal(cfg.istio.outboundTrafficPolicy, "ALLOW_ANY");
        assert.deepEqual(cfg.istio.extraGatewayPorts, []);
        assert.equal(cfg.albController.version, "3.5.0");
        assert.deepEqual(cfg.ingress, {
            port: 8000,
            hosts: ["*"],
            scheme: "internet-facing",
            targetType: "instance",
            sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
            allowPlainHttpInProduction: false,
        });
        assert.deepEqual(cfg.apps, []);
    });

    it("documents the defaults of the contract", () => {
        assert.equal(DEFAULTS.cluster.kubernetesVersion, "1.35");
        assert.equal(DEFAULTS.cluster.upgradePolicy, "STANDARD");
        assert.equal(DEFAULTS.cluster.logRetentionDays, 30);
        assert.equal(PRODUCTION_DEFAULTS.logRetentionDays, 90);
        assert.equal(DEFAULTS.cluster.autoscaler, true);
        assert.equal(DEFAULTS.ingress.allowPlainHttpInProduction, false);
        assert.deepEqual(DEFAULTS.cluster.instanceTypes, ["t3.large"]);
        assert.deepEqual([DEFAULTS.cluster.minSize, DEFAULTS.cluster.desiredSize, DEFAULTS.cluster.maxSize], [2, 2, 4]);
        assert.equal(DEFAULTS.cluster.vpcCidr, "10.0.0.0/16");
        assert.deepEqual(DEFAULTS.cluster.publicAccessCidrs, ["0.0.0.0/0"]);
        assert.equal(DEFAULTS.istio.version, "1.30.5");
        assert.deepEqual(DEFAULTS.ingress.hosts, ["*"]);
        assert.equal(DEFAULTS.ingress.scheme, "internet-facing");
        assert.equal(DEFAULTS.ingress.targetType, "instance");
    });

    it("a parsed config does not share arrays with DEFAULTS", () => {
        const a = parseStackConfig({ stack: "dev", region: REGION, values: { ingress: port8000 } });
        a.cluster.nodeGroups[0].instanceTypes.push("m6i.large");
        a.ingress.hosts.push("x.example.com");
        const b = parseStackConfig({ stack: "dev", region: REGION, values: { ingress: port8000 } });
        assert.deepEqual(b.cluster.nodeGroups[0].instanceTypes, ["t3.large"]);
        assert.deepEqual(DEFAULTS.cluster.instanceTypes, ["t3.large"]);
        assert.deepEqual(b.ingress.hosts, ["*"]);
    });

    const PRODUCTION_CASES: {
        name: string;
        stack: string;
        values: Record<string, unknown>;
        production: boolean;
        azs: number;
        nat: string;
    }[] = [
        { name: "dev", stack: "dev", values: {}, production: false, azs: 2, nat: "single" },
        {
            name: "product (production defaults)",
            stack: "product",
            values: {},
            production: true,
            azs: 3,
            nat: "perAz",
        },
        { name: "prod", stack: "prod", values: {}, production: true, azs: 3, nat: "perAz" },
        { name: "production", stack: "production", values: {}, production: true, azs: 3, nat: "perAz" },
        {
            name: "product with production: false",
            stack: "product",
            values: { production: false },
            production: false,
            azs: 2,
            nat: "single",
        },
        {
            name: "dev with production: true",
            stack: "dev",
            values: { production: true },
            production: true,
            azs: 3,
            nat: "perAz",
        },
        {
            name: "product with explicit AZs and NAT",
            stack: "product",
            values: { cluster: { availabilityZones: 4, natGateways: "single" } },
            production: true,
            azs: 4,
            nat: "single",
        },
        {
            name: "environment product set explicitly on another stack",
            stack: "prod-eu",
            values: { environment: "product" },
            production: true,
            azs: 3,
            nat: "perAz",
        },
    ];
    for (const c of PRODUCTION_CASES) {
        it(`production flag and HA defaults: ${c.name}`, () => {
            const cfg = parseStackConfig({
                stack: c.stack,
                region: REGION,
                values: { ingress: { ...port8000, allowPlainHttpInProduction: true }, ...c.values },
            });
            assert.equal(cfg.production, c.production);
            assert.equal(cfg.cluster.availabilityZones, c.azs);
            assert.equal(cfg.cluster.natGateways, c.nat);
        });
    }

    it('any environment name works: stack "qa" with port 7000', () => {
        const cfg = parseStackConfig({ stack: "qa", region: "eu-west-1", values: { ingress: { port: 7000 } } });
        assert.equal(cfg.environment, "qa");
        assert.equal(cfg.cluster.name, "eks-istio-qa");
        assert.equal(cfg.ingress.port, 7000);
        assert.equal(cfg.production, false);
        assert.equal(cfg.region, "eu-west-1");
    });

    it("keeps explicit settings over defaults", () => {
        const cfg = parseStackConfig({
            stack: "stg",
            region: REGION,
            values: {
                ingress: { port: 9000, scheme: "internal", targetType: "ip", certificateArn: CERT(REGION) },
                cluster: {
                    kubernetesVersion: "1.33",
                    instanceTypes: ["m7g.large", "c7g.large"],
                    minSize: 1,
                    desiredSize: 3,
                    maxSize: 6,
                    vpcCidr: "10.20.0.0/20",
                    publicAccessCidrs: ["203.0.113.0/24"],
                    logTypes: ["api", "audit"],
                },
                istio: { version: "1.30.4" },
            },
        });
        assert.deepEqual(cfg.cluster, {
            availabilityZones: 2,
            natGateways: "single",
            adminPrincipalArns: [],
            viewerPrincipalArns: [],
            name: "eks-istio-stg",
            kubernetesVersion: "1.33",
            upgradePolicy: "STANDARD",
            logRetentionDays: 30,
            autoscaler: true,
            adoptLogGroup: false,
            nodeGroups: [
                {
                    name: "nodes",
                    instanceTypes: ["m7g.large", "c7g.large"],
                    minSize: 1,
                    desiredSize: 3,
                    maxSize: 6,
                    labels: {},
                    taints: [],
                    launchTemplate: true,
                },
            ],
            vpcCidr: "10.20.0.0/20",
            publicAccessCidrs: ["203.0.113.0/24"],
            logTypes: ["api", "audit"],
        });
        assert.equal(cfg.ingress.scheme, "internal");
        assert.equal(cfg.ingress.targetType, "ip");
        assert.equal(cfg.ingress.certificateArn, CERT(REGION));
        assert.equal(cfg.istio.version, "1.30.4");
    });

    it("app namespace defaults to the app name, hosts to ['*'], revision to stable; routes are kept as written", () => {
        const routes = [
            {
                match: [{ uri: { prefix: "/vote" } }],
                route: [
                    { destination: { host: "frontend", port: { number: 8000 } }, weight: 90 },
                    { destination: { host: "frontend2", port: { number: 8000 } }, weight: 10 },
                ],
                timeout: "10s",
                retries: { attempts: 3, perTryTimeout: "2s", retryOn: "5xx" },
            },
        ];
        const cfg = parseStackConfig({
            stack: "dev",
            region: REGION,
            values: { ingress: port8000, apps: [{ name: "vote", http: routes }] },
        });
        assert.deepEqual(cfg.apps, [
            {
                name: "vote",
                namespace: "vote",
                hosts: ["*"],
                http: routes,
                destinationRules: [],
                authorization: [],
                allowIngressGateway: true,
                serviceEntries: [],
                revision: "stable",
            },
        ]);
    });
});

describe("config: field helpers", () => {
    const ENVIRONMENTS: [string, RegExp | undefined][] = [
        ["dev", undefined],
        ["stg", undefined],
        ["product", undefined],
        ["qa", undefined],
        ["qa-1", undefined],
        ["abcdefghij", undefined],
        ["Dev", /not a DNS-1123 label/],
        ["-dev", /not a DNS-1123 label/],
        ["dev-", /not a DNS-1123 label/],
        ["dev_1", /not a DNS-1123 label/],
        ["", /not a DNS-1123 label/],
        ["abcdefghijk", /is 11 characters; at most 10/],
        ["a--b", /contains "--"/],
        ["123", /needs at least one letter/],
    ];
    for (const [env, expected] of ENVIRONMENTS)
        it(`environmentProblem(${JSON.stringify(env)}) → ${expected ?? "ok"}`, () => {
            const p = environmentProblem(env);
            if (expected) assert.match(p ?? "", expected);
            else assert.equal(p, undefined);
        });

    const PORTS: [unknown, RegExp | undefined][] = [
        [1, undefined],
        [80, undefined],
        [8000, undefined],
        [14999, undefined],
        [15100, undefined],
        [65535, undefined],
        [0, /^0 is not a port; use an integer from 1 to 65535$/],
        [-1, /is not a port/],
        [65536, /is not a port/],
        [80.5, /is not a port/],
        [Number.NaN, /is not a port/],
        ["80", /^"80" is not a port/],
        [null, /^null is not a port/],
        [undefined, /is not a port/],
        [15000, /reserved range 15000-15099/],
        [15021, /^15021 is in Istio's reserved range 15000-15099 \(15021 is the gateway's status port\)/],
        [15090, /reserved range/],
        [15099, /reserved range/],
    ];
    for (const [port, expected] of PORTS)
        it(`portProblem(${String(port)}) → ${expected ?? "ok"}`, () => {
            const p = portProblem(port);
            if (expected) assert.match(p ?? "", expected);
            else assert.equal(p, undefined);
        });

    const VPC = { minPrefix: 16, maxPrefix: 22 };
    const CIDRS: [string, { minPrefix?: number; maxPrefix?: number } | undefined, string | undefined][] = [
        ["10.0.0.0/16", undefined, undefined],
        ["0.0.0.0/0", undefined, undefined],
        ["203.0.113.7/32", undefined, undefined],
        ["10.10.0.0/16", VPC, undefined],
        ["10.10.4.0/22", VPC, undefined],
        ["10.0.0.1/16", undefined, '"10.0.0.1/16" has host bits set; did you mean 10.0.0.0/16?'],
        ["10.1.2.3/8", undefined, "did you mean 10.0.0.0/8?"],
        ["192.168.1.77/26", undefined, "did you mean 192.168.1.64/26?"],
        ["10.0.0.0/8", VPC, '"10.0.0.0/8" has prefix /8; use a prefix from /16 to /22'],
        ["10.0.0.0/23", VPC, "use a prefix from /16 to /22"],
        ["10.0.0/16", undefined, '"10.0.0/16" is not an IPv4 CIDR block such as 10.0.0.0/16'],
        ["256.0.0.0/16", undefined, "is not an IPv4 CIDR block"],
        ["10.0.0.0/33", undefined, "is not an IPv4 CIDR block"],
        ["10.0.0.0", undefined, "is not an IPv4 CIDR block"],
        ["::/0", undefined, "is not an IPv4 CIDR block"],
        ["x10.0.0.0/16", undefined, '"x10.0.0.0/16" is not an IPv4 CIDR block'],
        ["10.0.0.0/16x", undefined, '"10.0.0.0/16x" is not an IPv4 CIDR block'],
    ];
    for (const [cidr, opts, expected] of CIDRS)
        it(`cidrProblem(${cidr}${opts ? " in /16-/22" : ""}) → ${expected ?? "ok"}`, () => {
            const p = cidrProblem(cidr, opts);
            if (expected) assert.ok(p?.includes(expected), `got ${p}`);
            else assert.equal(p, undefined);
        });

    // The patterns behind the keys' messages: a whole value must match, not a part of it.
    const CERT_ARN = "certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789";
    const PATTERNS: [string, RegExp, string, boolean][] = [
        ["SEMVER", SEMVER, "1.30.5", true],
        ["SEMVER", SEMVER, "10.0.0", true],
        ["SEMVER", SEMVER, "1.30.10", true],
        ["SEMVER", SEMVER, "v1.30.5", false],
        ["SEMVER", SEMVER, "1.30.5-rc.1", false],
        ["INSTANCE_TYPE", INSTANCE_TYPE, "m7i-flex.large", true],
        ["INSTANCE_TYPE", INSTANCE_TYPE, "Xt3.large", false],
        ["INSTANCE_TYPE", INSTANCE_TYPE, "t3.large!", false],
        ["STACK_REFERENCE", STACK_REFERENCE, "acme/eks-istio/dev", true],
        ["STACK_REFERENCE", STACK_REFERENCE, "acme corp/eks-istio/dev", false],
        ["STACK_REFERENCE", STACK_REFERENCE, "acme/eks-istio/dev/extra", false],
        ["HOST", HOST, "*", true],
        ["HOST", HOST, "a", true],
        ["HOST", HOST, "vote.example.io", true],
        ["HOST", HOST, "*.example.com", true],
        ["HOST", HOST, "Vote.example.com", false],
        ["HOST", HOST, "vote.example.com-", false],
        ["CPU_QUANTITY", CPU_QUANTITY, "250m", true],
        ["CPU_QUANTITY", CPU_QUANTITY, "10", true],
        ["CPU_QUANTITY", CPU_QUANTITY, "0.25", true],
        ["CPU_QUANTITY", CPU_QUANTITY, "x100m", false],
        ["CPU_QUANTITY", CPU_QUANTITY, "100mx", false],
        ["MEMORY_QUANTITY", MEMORY_QUANTITY, "512Mi", true],
        ["MEMORY_QUANTITY", MEMORY_QUANTITY, "x512Mi", false],
        ["MEMORY_QUANTITY", MEMORY_QUANTITY, "512Mix", false],
        ["URL_PATH", URL_PATH, "/ops/kiali", true],
        ["URL_PATH", URL_PATH, "ops/kiali", false],
        ["CERTIFICATE_ARN", CERTIFICATE_ARN, `arn:aws-us-gov:acm:us-gov-west-1:123456789012:${CERT_ARN}`, true],
        ["CERTIFICATE_ARN", CERTIFICATE_ARN, `xarn:aws:acm:ap-northeast-1:123456789012:${CERT_ARN}`, false],
        ["CERTIFICATE_ARN", CERTIFICATE_ARN, `arn:aws:acm:ap-northeast-1:123456789012:${CERT_ARN}0`, false],
        ["IAM_PRINCIPAL_ARN", IAM_PRINCIPAL_ARN, "arn:aws:iam::123456789012:role/platform-admins", true],
        ["IAM_PRINCIPAL_ARN", IAM_PRINCIPAL_ARN, "xarn:aws:iam::123456789012:role/platform-admins", false],
        ["IAM_PRINCIPAL_ARN", IAM_PRINCIPAL_ARN, "arn:aws:iam::123456789012:role/platform admins", false],
    ];
    for (const [name, pattern, value, matches] of PATTERNS)
        it(`${name} ${matches ? "takes" : "refuses"} ${JSON.stringify(value)}`, () =>
            assert.equal(pattern.test(value), matches));

    const KEYS = ["environment", "production", "cluster", "istio", "albController", "ingress", "apps"];
    const SUGGESTIONS: [string, string][] = [
        ["ingres", ' (did you mean "ingress"?)'],
        ["clustr", ' (did you mean "cluster"?)'],
        ["Ingress", ' (did you mean "ingress"?)'],
        ["albcontroler", ' (did you mean "albController"?)'],
        ["enviroment", ' (did you mean "environment"?)'],
        ["ingress", ""],
        ["nodes", ""],
        ["something", ""],
    ];
    for (const [key, expected] of SUGGESTIONS)
        it(`didYouMean(${key}) → ${JSON.stringify(expected)}`, () => assert.equal(didYouMean(key, KEYS), expected));

    it("didYouMean: three edits away is no suggestion, however long the key", () =>
        assert.equal(didYouMean("clusterabc", KEYS), ""));

    it("didYouMean: of two keys equally close, the first the schema lists", () =>
        assert.equal(didYouMean("mSize", ["minSize", "desiredSize", "maxSize"]), ' (did you mean "minSize"?)'));

    const KEY_PATHS: [string, string][] = [
        ["ingress.port", "eks-istio:ingress.port"],
        ["apps.0.http.10.route", "eks-istio:apps[0].http[10].route"],
        ["apps.12", "eks-istio:apps[12]"],
        // A map key made of digits and letters is a key, not a list index.
        ["apps.0.http.0.match.0.headers.1x", "eks-istio:apps[0].http[0].match[0].headers.1x"],
    ];
    for (const [path, expected] of KEY_PATHS)
        it(`keyPath(${path}) → ${expected}`, () => assert.equal(keyPath(path), expected));

    // keysAt walks a schema to the object an unknown key was found in (the keys it suggests from).
    const inner = z.strictObject({ exact: z.string(), prefix: z.string() });
    const KEYS_AT: { name: string; schema: z.ZodType; path: PropertyKey[]; expected: string[] }[] = [
        { name: "the object itself", schema: inner, path: [], expected: ["exact", "prefix"] },
        { name: "an optional object", schema: inner.optional(), path: [], expected: ["exact", "prefix"] },
        {
            name: "a nested object",
            schema: z.strictObject({ uri: inner }),
            path: ["uri"],
            expected: ["exact", "prefix"],
        },
        {
            name: "an object with a default",
            schema: z.strictObject({ uri: inner.default({ exact: "/", prefix: "/" }) }),
            path: ["uri"],
            expected: ["exact", "prefix"],
        },
        {
            name: "a nullable object",
            schema: z.strictObject({ uri: inner.nullable() }),
            path: ["uri"],
            expected: ["exact", "prefix"],
        },
        {
            name: "a readonly object",
            schema: z.strictObject({ uri: inner.readonly() }),
            path: ["uri"],
            expected: ["exact", "prefix"],
        },
        {
            name: "an object with a prefault",
            schema: z.strictObject({ uri: inner.prefault({ exact: "/", prefix: "/" }) }),
            path: ["uri"],
            expected: ["exact", "prefix"],
        },
        { name: "an item of a list", schema: z.array(inner), path: [2], expected: ["exact", "prefix"] },
        {
            name: "a value of a map",
            schema: z.record(z.string(), inner),
            path: ["x-env"],
            expected: ["exact", "prefix"],
        },
        { name: "a text field", schema: z.strictObject({ uri: z.string() }), path: ["uri"], expected: [] },
        { name: "below a text field", schema: z.strictObject({ uri: z.string() }), path: ["uri", "x"], expected: [] },
        { name: "a key the schema lacks", schema: z.strictObject({ uri: inner }), path: ["url"], expected: [] },
        {
            name: "below a key the schema lacks",
            schema: z.strictObject({ uri: inner }),
            path: ["url", "x"],
            expected: [],
        },
    ];
    for (const c of KEYS_AT)
        it(`keysAt: ${c.name} → ${JSON.stringify(c.expected)}`, () =>
            assert.deepEqual(keysAt(c.schema, c.path), c.expected));

    // issueMessage on zod's default messages: each kind of bound, as a person reads it.
    const ISSUES: { name: string; schema: z.ZodType; input: unknown; secret?: boolean; expected: string }[] = [
        {
            name: "one item required, none given",
            schema: z.array(z.string()).min(1),
            input: [],
            expected: "must list at least 1 item, got []",
        },
        {
            name: "two items required, none given",
            schema: z.array(z.string()).min(2),
            input: [],
            expected: "must list at least 2 items, got []",
        },
        {
            name: "two items required, one given",
            schema: z.array(z.string()).min(2),
            input: ["a"],
            expected: "must list at least 2 items, got 1",
        },
        {
            name: "at most two items",
            schema: z.array(z.string()).max(2),
            input: ["a", "b", "c"],
            expected: "must list at most 2 items, got 3",
        },
        { name: "empty text", schema: z.string().min(1), input: "", expected: 'must not be empty, got ""' },
        {
            name: "text too short",
            schema: z.string().min(3),
            input: "ab",
            expected: "must be at least 3 characters, got 2",
        },
        {
            name: "text too long",
            schema: z.string().max(3),
            input: "abcd",
            expected: "must be at most 3 characters, got 4",
        },
        { name: "number too small", schema: z.number().min(1), input: 0, expected: "must be at least 1, got 0" },
        { name: "number too big", schema: z.number().max(10), input: 11, expected: "must be at most 10, got 11" },
        {
            name: "a secret number too big",
            schema: z.number().max(10),
            input: 11,
            secret: true,
            expected: "must be at most 10, got a secret value",
        },
        { name: "not an integer", schema: z.number().int(), input: 1.5, expected: "must be an integer, got 1.5" },
        { name: "not a number", schema: z.number(), input: "x", expected: 'must be a number, got "x"' },
        { name: "missing", schema: z.strictObject({ a: z.number() }), input: {}, expected: "is required" },
        { name: "not one of a set", schema: z.enum(["a", "b"]), input: "c", expected: 'must be one of "a", "b"' },
        {
            name: "a schema's own message, even one quoting zod's words, is kept",
            schema: z.string({ error: 'must be text (zod would say "Invalid input")' }),
            input: 1,
            expected: 'must be text (zod would say "Invalid input")',
        },
    ];
    for (const c of ISSUES)
        it(`issueMessage: ${c.name} → ${c.expected}`, () => {
            const r = c.schema.safeParse(c.input, { reportInput: true });
            assert.ok(!r.success);
            assert.equal(issueMessage(r.error.issues[0], c.schema, { secret: c.secret }), c.expected);
        });

    const ARCH: [string, boolean][] = [
        ["t4g.large", true],
        ["m7g.xlarge", true],
        ["c6gn.large", true],
        ["x2gd.medium", true],
        ["r8g.2xlarge", true],
        ["im4gn.large", true],
        ["g5g.xlarge", true],
        ["t3.large", false],
        ["m6i.large", false],
        ["c5n.large", false],
        ["g4dn.xlarge", false],
        ["g4ad.xlarge", false],
        ["m7i-flex.large", false],
        ["inf2.xlarge", false],
    ];
    for (const [type, arm] of ARCH)
        it(`isArmInstanceType(${type}) → ${arm}`, () => assert.equal(isArmInstanceType(type), arm));

    it("isArmInstanceType(a1.large) → true (first-generation Graviton)", () => {
        assert.equal(isArmInstanceType("a1.large"), true);
    });

    const dest = (host: string, weight?: number) => ({
        destination: { host },
        ...(weight === undefined ? {} : { weight }),
    });
    const ROUTES: { name: string; route: HttpRoute; expected: { at: string; message: string }[] }[] = [
        { name: "one destination", route: { route: [dest("a")] }, expected: [] },
        { name: "one destination weight 100", route: { route: [dest("a", 100)] }, expected: [] },
        { name: "50/50", route: { route: [dest("a", 50), dest("b", 50)] }, expected: [] },
        { name: "90/10", route: { route: [dest("a", 90), dest("b", 10)] }, expected: [] },
        { name: "redirect only", route: { redirect: { uri: "/new" } }, expected: [] },
        { name: "directResponse only", route: { directResponse: { status: 503 } }, expected: [] },
        {
            name: "no action",
            route: { match: [{ uri: { prefix: "/" } }] },
            expected: [
                {
                    at: "",
                    message: "needs one of route, redirect or directResponse (what to do with matching requests)",
                },
            ],
        },
        {
            name: "route + redirect + directResponse",
            route: { route: [dest("a")], redirect: { uri: "/x" }, directResponse: { status: 404 } },
            expected: [
                {
                    at: "",
                    message:
                        "sets route and redirect and directResponse; a route does exactly one of route, redirect or directResponse",
                },
            ],
        },
        {
            name: "three destinations summing to 99",
            route: { route: [dest("a", 33), dest("b", 33), dest("c", 33)] },
            expected: [
                {
                    at: ".route",
                    message: "weights of the 3 destinations sum to 99; they must sum to 100 (e.g. 50/50 or 90/10)",
                },
            ],
        },
        {
            name: "single destination weight 0",
            route: { route: [dest("a", 0)] },
            expected: [
                {
                    at: ".route[0].weight",
                    message: "is 0, but a single destination receives all traffic; remove the weight or set 100",
                },
            ],
        },
        {
            name: "rewrite with redirect",
            route: { redirect: { uri: "/x" }, rewrite: { uri: "/y" } },
            expected: [{ at: ".rewrite", message: "cannot be combined with redirect" }],
        },
    ];
    for (const c of ROUTES) it(`routeProblems: ${c.name}`, () => assert.deepEqual(routeProblems(c.route), c.expected));

    const DURATIONS: [string, number][] = [
        ["1ms", 1],
        ["250ms", 250],
        ["5s", 5000],
        ["1.5s", 1500],
        ["1m", 60_000],
        ["1m30s", 90_000],
        ["1h", 3_600_000],
        ["2h45m", 9_900_000],
        ["0s", 0],
        ["500us", 0.5],
        ["500µs", 0.5],
        ["1000000ns", 1],
    ];
    for (const [d, ms] of DURATIONS)
        it(`durationMs(${d}) = ${ms}`, () => assert.ok(Math.abs(durationMs(d) - ms) < 1e-9, `got ${durationMs(d)}`));
});
