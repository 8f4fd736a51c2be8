// The observability add-ons as pure functions: the config contract (errors as tables of
// {values → key path + message}, defaults and warnings as tables), the Helm values of each add-on
// and how they wire the add-ons to each other, their keys against each chart's documented keys,
// and the Istio objects against Istio's CRD schemas.
import * as assert from "node:assert/strict";
import { assertProblem } from "./problems";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import {
    ConfigError,
    DEFAULTS,
    prometheusDurationHours,
    retentionProblem,
    type ObservabilityConfig,
    type StackConfig,
} from "../components/config";
import { parseStackConfig } from "../components/stack";
import { istiodValues } from "../components/manifests/istio";
import {
    addonEndpoints,
    anyAddonOn,
    observabilityNamespaceManifest,
    PORT_FORWARD_URLS,
    gatewayTrustedProxies,
    grafanaValues,
    jaegerValues,
    kialiAuthorizationPolicyManifest,
    kialiValues,
    kialiVirtualServiceManifest,
    meshScrapeConfigs,
    meshTelemetryManifest,
    OBSERVABILITY,
    prometheusValues,
    retentionSize,
    tracingProvider,
} from "../components/manifests/observability";
import { ROOT } from "./harness";
import { helmKeyProblems, keyProblems } from "./helmKeys";
import { istioSchemaErrors } from "./istioModels";
import { webhookIssues } from "../components/validation/webhook";

const REGION = "ap-northeast-1";
// Not account 123456789012, the placeholder the config warns about: these cases are about the add-ons' warnings.
const CERT = `arn:aws:acm:${REGION}:210987654321:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789`;
const CHARTS = path.join(ROOT, "tests", "fixtures", "charts");

/** A stack config with `observability` and whatever else is given; port 8000 unless set. */
function config(observability: unknown, { stack = "dev", values = {} as Record<string, unknown> } = {}): StackConfig {
    return parseStackConfig({
        stack,
        region: REGION,
        // Production stacks here are about the add-ons, not TLS nor the API endpoint: they opt out of
        // the HTTPS rule explicitly, and narrow the endpoint to a range that is not 0.0.0.0/0.
        values: {
            ingress: { port: 8000, allowPlainHttpInProduction: true },
            cluster: { publicAccessCidrs: ["192.0.3.0/24"] },
            ...values,
            ...(observability === undefined ? {} : { observability }),
        },
    });
}

function problemsOf(observability: unknown, opts: { stack?: string; values?: Record<string, unknown> } = {}) {
    try {
        config(observability, opts);
        return [];
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
        return e.problems;
    }
}

const expose = (extra: Record<string, unknown> = {}) => ({
    kiali: { expose: { allowedIpBlocks: ["203.0.113.0/24"], ...extra } },
});

// ---------------------------------------------------------------------------------------------

describe("observability config: errors name the key and say what is wrong", () => {
    const CASES: {
        name: string;
        observability: unknown;
        values?: Record<string, unknown>;
        path: string;
        message: string | RegExp;
    }[] = [
        {
            name: "misspelt add-on",
            observability: { prometheos: true },
            path: "eks-istio:observability",
            message: 'unknown key "prometheos" (did you mean "prometheus"?)',
        },
        {
            name: "misspelt setting of an add-on",
            observability: { kiali: { expsoe: {} } },
            path: "eks-istio:observability.kiali",
            message: 'unknown key "expsoe" (did you mean "expose"?)',
        },
        {
            name: "misspelt top-level key",
            observability: undefined,
            values: { observabilty: { kiali: true } },
            path: "eks-istio:observabilty",
            message: 'did you mean "observability"?',
        },
        {
            name: "section is not a map",
            observability: true,
            path: "eks-istio:observability",
            message: "must be an object, got true",
        },
        {
            name: "add-on neither a boolean nor settings",
            observability: { grafana: "yes" },
            path: "eks-istio:observability.grafana",
            message: 'must be true, false or a map of settings (resources), got "yes"',
        },
        {
            name: "add-on given as a list",
            observability: { tracing: [10] },
            path: "eks-istio:observability.tracing",
            message: "must be true, false or a map of settings (sampling, resources)",
        },
        {
            name: "namespace other than the two supported",
            observability: { namespace: "monitoring" },
            path: "eks-istio:observability.namespace",
            message: 'must be one of "observability", "istio-system"',
        },
        {
            name: "sampling above 100",
            observability: { tracing: { sampling: 150 } },
            path: "eks-istio:observability.tracing.sampling",
            message: "must be a percentage from 0 to 100",
        },
        {
            name: "sampling below 0",
            observability: { tracing: { sampling: -1 } },
            path: "eks-istio:observability.tracing.sampling",
            message: "must be a percentage from 0 to 100",
        },
        {
            name: "sampling written as a string",
            observability: { tracing: { sampling: "10%" } },
            path: "eks-istio:observability.tracing.sampling",
            message: "must be a percentage from 0 to 100",
        },
        {
            name: "retention that is not a Prometheus duration",
            observability: { prometheus: { retention: "15 days" } },
            path: "eks-istio:observability.prometheus.retention",
            message: '"15 days" is not a Prometheus duration; use a number and a unit such as "2d"',
        },
        {
            name: "retention as a number",
            observability: { prometheus: { retention: 15 } },
            path: "eks-istio:observability.prometheus.retention",
            message: "15 is not a Prometheus duration",
        },
        {
            name: "retention shorter than a block",
            observability: { prometheus: { retention: "30m" } },
            path: "eks-istio:observability.prometheus.retention",
            message: '"30m" is shorter than 2h',
        },
        {
            name: "storage size in the wrong unit",
            observability: { prometheus: { storage: { size: "50GB", storageClass: "gp3" } } },
            path: "eks-istio:observability.prometheus.storage.size",
            message: 'must be a size in Gi, such as "50Gi"',
        },
        {
            name: "retention as a YAML list",
            observability: { prometheus: { retention: ["2d"] } },
            path: "eks-istio:observability.prometheus.retention",
            message: '["2d"] is not a Prometheus duration; use a number and a unit such as "2d"',
        },
        {
            name: "retention in seconds shorter than a block",
            observability: { prometheus: { retention: "3600s" } },
            path: "eks-istio:observability.prometheus.retention",
            message: '"3600s" is shorter than 2h',
        },
        {
            name: "retention in milliseconds shorter than a block",
            observability: { prometheus: { retention: "7000000ms" } },
            path: "eks-istio:observability.prometheus.retention",
            message: '"7000000ms" is shorter than 2h',
        },
        {
            name: "retention with a prefix",
            observability: { prometheus: { retention: "x2d" } },
            path: "eks-istio:observability.prometheus.retention",
            message: '"x2d" is not a Prometheus duration',
        },
        {
            name: "retention with a suffix",
            observability: { prometheus: { retention: "2dx" } },
            path: "eks-istio:observability.prometheus.retention",
            message: '"2dx" is not a Prometheus duration',
        },
        {
            name: "storage without a size",
            observability: { prometheus: { storage: { storageClass: "gp3" } } },
            path: "eks-istio:observability.prometheus.storage.size",
            message: 'is required: the volume size, such as "50Gi"',
        },
        {
            name: "storage size with a prefix",
            observability: { prometheus: { storage: { size: "x50Gi", storageClass: "gp3" } } },
            path: "eks-istio:observability.prometheus.storage.size",
            message: 'must be a size in Gi, such as "50Gi"',
        },
        {
            name: "storage size with a suffix",
            observability: { prometheus: { storage: { size: "50Gix", storageClass: "gp3" } } },
            path: "eks-istio:observability.prometheus.storage.size",
            message: 'must be a size in Gi, such as "50Gi"',
        },
        ...["GP3", "-gp3", "gp3-"].map((storageClass) => ({
            name: `StorageClass ${storageClass}`,
            observability: { prometheus: { storage: { size: "50Gi", storageClass } } },
            path: "eks-istio:observability.prometheus.storage.storageClass",
            message: 'must be a StorageClass name such as "gp3"',
        })),
        {
            name: "a StorageClass that is not a string",
            observability: { prometheus: { storage: { size: "50Gi", storageClass: 3 } } },
            path: "eks-istio:observability.prometheus.storage.storageClass",
            message: 'must be the name of a StorageClass that exists in the cluster, such as "gp3-kms"',
        },
        {
            name: "memory quantity in the wrong unit",
            observability: { grafana: { resources: { requests: { memory: "2GB" } } } },
            path: "eks-istio:observability.grafana.resources.requests.memory",
            message: 'must be a memory quantity such as "512Mi" or "2Gi"',
        },
        {
            name: "CPU quantity that is not one",
            observability: { tracing: { resources: { limits: { cpu: "two" } } } },
            path: "eks-istio:observability.tracing.resources.limits.cpu",
            message: 'must be a CPU quantity such as "100m" or "1"',
        },
        {
            name: "misspelt resources key",
            observability: { kiali: { resources: { request: { cpu: "1" } } } },
            path: "eks-istio:observability.kiali.resources",
            message: 'unknown key "request" (did you mean "requests"?)',
        },
        {
            name: "a request above the default limit (dev)",
            observability: { prometheus: { resources: { requests: { memory: "2Gi" } } } },
            path: "eks-istio:observability.prometheus.resources.requests.memory",
            message: "2Gi is above the dev default limit 1Gi; raise limits.memory too",
        },
        {
            name: "a request above the default limit (production sizing applies)",
            observability: { prometheus: { resources: { requests: { memory: "5Gi" } } } },
            values: { production: true },
            path: "eks-istio:observability.prometheus.resources.requests.memory",
            message: "5Gi is above the production default limit 4Gi",
        },
        {
            name: "a limit below the default request",
            observability: { kiali: { resources: { limits: { memory: "64Mi" } } } },
            path: "eks-istio:observability.kiali.resources.limits.memory",
            message: "64Mi is below the request 128Mi (the dev default); a limit must be at least the request",
        },
        {
            name: "a limit below the request given next to it",
            observability: { grafana: { resources: { requests: { cpu: "1" }, limits: { cpu: "500m" } } } },
            path: "eks-istio:observability.grafana.resources.limits.cpu",
            message: "500m is below the request 1; a limit must be at least the request",
        },
        {
            name: "a millicore limit below a millicore request",
            observability: { grafana: { resources: { requests: { cpu: "250m" }, limits: { cpu: "200m" } } } },
            path: "eks-istio:observability.grafana.resources.limits.cpu",
            message: "200m is below the request 250m; a limit must be at least the request",
        },
        {
            name: "Kiali with Prometheus explicitly off",
            observability: { kiali: true, prometheus: false },
            path: "eks-istio:observability.prometheus",
            message: "is false, but kiali reads its metrics from this stack's Prometheus",
        },
        {
            name: "Grafana and Kiali with Prometheus explicitly off",
            observability: { kiali: {}, grafana: true, prometheus: false },
            path: "eks-istio:observability.prometheus",
            message: "is false, but kiali and grafana read their metrics",
        },
        {
            name: "Kiali exposed without an allow list",
            observability: { kiali: { expose: { path: "/kiali" } } },
            path: "eks-istio:observability.kiali.expose",
            message: "needs an allow list: allowedIpBlocks",
        },
        {
            name: "Kiali exposed with an empty address list",
            observability: { kiali: { expose: { allowedIpBlocks: [] } } },
            path: "eks-istio:observability.kiali.expose.allowedIpBlocks",
            message: "is empty; list the client address blocks that may reach Kiali",
        },
        {
            name: "Kiali exposed with an empty namespace list",
            observability: { kiali: { expose: { allowedIpBlocks: ["10.0.0.0/8"], allowedSourceNamespaces: [] } } },
            path: "eks-istio:observability.kiali.expose.allowedSourceNamespaces",
            message: "is empty",
        },
        {
            name: "an allowed block that is not a CIDR",
            observability: expose({ allowedIpBlocks: ["203.0.113.7"] }),
            path: "eks-istio:observability.kiali.expose.allowedIpBlocks[0]",
            message: "is not an IPv4 CIDR block",
        },
        {
            name: "an allowed block with host bits",
            observability: expose({ allowedIpBlocks: ["203.0.113.7/24"] }),
            path: "eks-istio:observability.kiali.expose.allowedIpBlocks[0]",
            message: "did you mean 203.0.113.0/24?",
        },
        {
            name: "an allowed namespace that is not a name",
            observability: expose({ allowedSourceNamespaces: ["Ops_Tools"] }),
            path: "eks-istio:observability.kiali.expose.allowedSourceNamespaces[0]",
            message: "must be a namespace name",
        },
        {
            name: "Kiali exposed at the root path",
            observability: expose({ path: "/" }),
            path: "eks-istio:observability.kiali.expose.path",
            message: 'must be a URL path such as "/kiali": not "/"',
        },
        {
            name: "Kiali path with a trailing slash",
            observability: expose({ path: "/kiali/" }),
            path: "eks-istio:observability.kiali.expose.path",
            message: "without a trailing",
        },
        {
            name: "Kiali exposed on a host the Gateway does not serve",
            observability: expose({ hosts: ["kiali.other.example.com"] }),
            values: { ingress: { port: 8000, hosts: ["*.dev.example.com"] } },
            path: "eks-istio:observability.kiali.expose.hosts",
            message: '"kiali.other.example.com" is not served by this environment\'s Gateway',
        },
        {
            name: "add-ons in an attached stack",
            observability: { kiali: true },
            values: { cluster: { stackReference: "acme/eks-istio/product" } },
            path: "eks-istio:observability",
            message: "has no effect with cluster.stackReference: the add-ons run once per cluster",
        },
        {
            name: "even an all-off section in an attached stack",
            observability: { prometheus: false },
            values: { cluster: { stackReference: "acme/eks-istio/product" } },
            path: "eks-istio:observability",
            message: "set eks-istio:observability there",
        },
    ];
    for (const c of CASES)
        it(`${c.name} → ${c.path}`, () => {
            assertProblem(problemsOf(c.observability, { values: c.values }), c.path, c.message);
        });

    // Every problem of these configs, whole: a malformed value gets its own field's error and
    // nothing guessed from it; a value a rule accepts gets nothing at all.
    const WHOLE: { name: string; observability: unknown; values?: Record<string, unknown>; expected: string[] }[] = [
        {
            name: "an add-on set to null",
            observability: { grafana: null },
            expected: [
                "eks-istio:observability.grafana: must be true, false or a map of settings (resources), got null",
            ],
        },
        {
            name: "Kiali set to null with Prometheus off: null does not switch Kiali on",
            observability: { kiali: null, prometheus: false },
            expected: [
                "eks-istio:observability.kiali: must be true, false or a map of settings (expose, resources), got null",
            ],
        },
        {
            name: "Kiali as a word with Prometheus off: a word does not switch Kiali on",
            observability: { kiali: "yes", prometheus: false },
            expected: [
                'eks-istio:observability.kiali: must be true, false or a map of settings (expose, resources), got "yes"',
            ],
        },
        {
            name: "Kiali with Prometheus off",
            observability: { kiali: true, prometheus: false },
            expected: [
                "eks-istio:observability.prometheus: is false, but kiali reads its metrics from this stack's Prometheus; remove prometheus: false (it is then switched on with its defaults) or switch kiali off",
            ],
        },
        {
            name: "Kiali and Grafana with Prometheus off",
            observability: { kiali: true, grafana: {}, prometheus: false },
            expected: [
                "eks-istio:observability.prometheus: is false, but kiali and grafana read their metrics from this stack's Prometheus; remove prometheus: false (it is then switched on with its defaults) or switch kiali and grafana off",
            ],
        },
        {
            name: "a Kiali host off the Gateway, whose hosts include a number",
            observability: expose({ hosts: ["kiali.other.example.com"] }),
            values: { ingress: { port: 8000, hosts: ["kiali.example.com", 5] } },
            expected: [
                "eks-istio:ingress.hosts[1]: must be a string, got 5",
                'eks-istio:observability.kiali.expose.hosts: "kiali.other.example.com" is not served by this environment\'s Gateway (eks-istio:ingress.hosts: ["kiali.example.com"]); add it there or fix the host',
            ],
        },
        {
            name: "a Kiali host that is a number",
            observability: expose({ hosts: [5] }),
            values: { ingress: { port: 8000, hosts: ["kiali.example.com"] } },
            expected: ["eks-istio:observability.kiali.expose.hosts[0]: must be a string, got 5"],
        },
        {
            name: "a Kiali host that one of several Gateway hosts serves",
            observability: expose({ hosts: ["kiali.example.com"] }),
            values: { ingress: { port: 8000, hosts: ["shop.example.com", "kiali.example.com"] } },
            expected: [],
        },
        {
            name: "a CPU request as a number, above the limit",
            observability: { grafana: { resources: { requests: { cpu: 5 }, limits: { cpu: "1" } } } },
            expected: ["eks-istio:observability.grafana.resources.requests.cpu: must be a string, got 5"],
        },
        {
            name: "a CPU limit as a number, below the request",
            observability: { grafana: { resources: { requests: { cpu: "2" }, limits: { cpu: 1 } } } },
            expected: ["eks-istio:observability.grafana.resources.limits.cpu: must be a string, got 1"],
        },
        {
            name: "a memory request in a unit pods are not sized in, above the default limit 256Mi",
            observability: { grafana: { resources: { requests: { memory: "512MB" } } } },
            expected: [
                'eks-istio:observability.grafana.resources.requests.memory: must be a memory quantity such as "512Mi" or "2Gi"',
            ],
        },
        {
            name: "a request equal to the default limit",
            observability: { prometheus: { resources: { requests: { memory: "1Gi" } } } },
            expected: [],
        },
    ];
    for (const c of WHOLE)
        it(`${c.name}: every problem, whole`, () =>
            assert.deepEqual(
                problemsOf(c.observability, { values: c.values }).map((p) => `${p.path}: ${p.message}`),
                c.expected,
            ));

    it("reports every problem of the section in one run", () => {
        const problems = problemsOf({
            kiali: { expose: {} },
            tracing: { sampling: 101 },
            prometheus: { retention: "1h" },
        });
        assert.deepEqual(problems.map((p) => p.path).sort(), [
            "eks-istio:observability.kiali.expose",
            "eks-istio:observability.prometheus.retention",
            "eks-istio:observability.tracing.sampling",
        ]);
    });

    it("retentionProblem and prometheusDurationHours agree with Prometheus's units", () => {
        assert.equal(prometheusDurationHours("1w2d3h"), 168 + 48 + 3);
        assert.equal(prometheusDurationHours("90m"), 1.5);
        assert.equal(retentionProblem("2h"), undefined);
        assert.equal(retentionProblem("1y"), undefined);
        assert.equal(retentionProblem("1w3d"), undefined);
        assert.match(retentionProblem("119m")!, /shorter than 2h/);
        assert.match(retentionProblem("2 d")!, /not a Prometheus duration/);
    });
});

describe("observability config: defaults (all off; Kiali and Grafana bring Prometheus)", () => {
    const dev = DEFAULTS.observability.sizing.dev;
    const prod = DEFAULTS.observability.sizing.production;
    const resources = (r: { requests: object; limits: object }) => ({
        requests: { ...r.requests },
        limits: { ...r.limits },
    });
    const devPrometheus = { retention: "2d", volumeSize: "2Gi", resources: resources(dev.prometheus.resources) };

    const CASES: {
        name: string;
        observability: unknown;
        stack?: string;
        values?: Record<string, unknown>;
        expected: ObservabilityConfig;
    }[] = [
        { name: "no section: everything off", observability: undefined, expected: { namespace: "observability" } },
        {
            name: "every add-on false",
            observability: { prometheus: false, kiali: false, grafana: false, tracing: false },
            expected: { namespace: "observability" },
        },
        {
            name: "Prometheus alone",
            observability: { prometheus: true },
            expected: { namespace: "observability", prometheus: devPrometheus },
        },
        {
            name: "Kiali switches Prometheus on",
            observability: { kiali: true },
            expected: {
                namespace: "observability",
                prometheus: devPrometheus,
                kiali: { replicas: 1, resources: resources(dev.kiali.resources), path: "/kiali" },
            },
        },
        {
            name: "Grafana switches Prometheus on",
            observability: { grafana: {} },
            expected: {
                namespace: "observability",
                prometheus: devPrometheus,
                grafana: { resources: resources(dev.grafana.resources) },
            },
        },
        {
            name: "Prometheus settings next to Kiali are kept",
            observability: { kiali: true, prometheus: { retention: "7d" } },
            expected: {
                namespace: "observability",
                prometheus: { ...devPrometheus, retention: "7d" },
                kiali: { replicas: 1, resources: resources(dev.kiali.resources), path: "/kiali" },
            },
        },
        {
            name: "tracing alone, dev sampling",
            observability: { tracing: true },
            expected: {
                namespace: "observability",
                tracing: { sampling: 10, resources: resources(dev.tracing.resources) },
            },
        },
        {
            name: "tracing with a fractional rate, in istio-system",
            observability: { namespace: "istio-system", tracing: { sampling: 0.5 } },
            expected: {
                namespace: "istio-system",
                tracing: { sampling: 0.5, resources: resources(dev.tracing.resources) },
            },
        },
        {
            name: "production sizing on the product stack",
            observability: { kiali: true, tracing: true },
            stack: "product",
            expected: {
                namespace: "observability",
                prometheus: { retention: "15d", volumeSize: "8Gi", resources: resources(prod.prometheus.resources) },
                kiali: { replicas: 2, resources: resources(prod.kiali.resources), path: "/kiali" },
                tracing: { sampling: 1, resources: resources(prod.tracing.resources) },
            },
        },
        {
            name: "production: false keeps dev sizing on the product stack",
            observability: { tracing: true },
            stack: "product",
            values: { production: false },
            expected: {
                namespace: "observability",
                tracing: { sampling: 10, resources: resources(dev.tracing.resources) },
            },
        },
        {
            name: "overrides are laid over the defaults key by key",
            observability: {
                prometheus: { resources: { requests: { cpu: "1" } }, storage: { size: "50Gi", storageClass: "gp3" } },
            },
            expected: {
                namespace: "observability",
                prometheus: {
                    retention: "2d",
                    volumeSize: "50Gi",
                    // Named: a class that exists; the stack creates none.
                    storage: { size: "50Gi", storageClass: "gp3", existingStorageClass: true },
                    resources: { requests: { cpu: "1", memory: "512Mi" }, limits: { memory: "1Gi" } },
                },
            },
        },
        {
            name: "a StorageClass with dots and hyphens (a DNS-1123 subdomain)",
            observability: { prometheus: { storage: { size: "50Gi", storageClass: "ebs.csi-gp3" } } },
            expected: {
                namespace: "observability",
                prometheus: {
                    ...devPrometheus,
                    volumeSize: "50Gi",
                    storage: { size: "50Gi", storageClass: "ebs.csi-gp3", existingStorageClass: true },
                },
            },
        },
        {
            name: "a one-character StorageClass",
            observability: { prometheus: { storage: { size: "8Gi", storageClass: "a" } } },
            expected: {
                namespace: "observability",
                prometheus: {
                    ...devPrometheus,
                    volumeSize: "8Gi",
                    storage: { size: "8Gi", storageClass: "a", existingStorageClass: true },
                },
            },
        },
        {
            name: "storage without a StorageClass: the stack's own gp3 (EBS CSI), created with it",
            observability: { prometheus: { storage: { size: "50Gi" } } },
            expected: {
                namespace: "observability",
                prometheus: {
                    ...devPrometheus,
                    volumeSize: "50Gi",
                    storage: { size: "50Gi", storageClass: "gp3", existingStorageClass: false },
                },
            },
        },
        {
            name: "expose: the environment's hosts and /kiali by default",
            observability: expose(),
            values: { ingress: { port: 8000, hosts: ["*.dev.example.com"] } },
            expected: {
                namespace: "observability",
                prometheus: devPrometheus,
                kiali: {
                    replicas: 1,
                    resources: resources(dev.kiali.resources),
                    path: "/kiali",
                    expose: {
                        path: "/kiali",
                        hosts: ["*.dev.example.com"],
                        allowedIpBlocks: ["203.0.113.0/24"],
                        allowedSourceNamespaces: [],
                    },
                },
            },
        },
        {
            name: "expose: its own path (Kiali's web_root follows) and host",
            observability: {
                kiali: {
                    expose: { path: "/ops/kiali", hosts: ["kiali.example.com"], allowedSourceNamespaces: ["ops"] },
                },
            },
            expected: {
                namespace: "observability",
                prometheus: devPrometheus,
                kiali: {
                    replicas: 1,
                    resources: resources(dev.kiali.resources),
                    path: "/ops/kiali",
                    expose: {
                        path: "/ops/kiali",
                        hosts: ["kiali.example.com"],
                        allowedIpBlocks: [],
                        allowedSourceNamespaces: ["ops"],
                    },
                },
            },
        },
    ];
    for (const c of CASES)
        it(c.name, () =>
            assert.deepEqual(config(c.observability, { stack: c.stack, values: c.values }).observability, c.expected),
        );

    it("a parsed config does not share objects with DEFAULTS", () => {
        const cfg = config({ kiali: true });
        cfg.observability.kiali!.resources.requests.cpu = "9";
        cfg.observability.prometheus!.resources.limits.memory = "9Gi";
        assert.equal(DEFAULTS.observability.sizing.dev.kiali.resources.requests.cpu, "10m");
        assert.equal(DEFAULTS.observability.sizing.dev.prometheus.resources.limits.memory, "1Gi");
    });

    it("every default request fits under its limit, dev and production", () => {
        for (const sizing of Object.keys(DEFAULTS.observability.sizing))
            for (const addon of ["prometheus", "kiali", "grafana", "tracing"] as const)
                assert.deepEqual(
                    problemsOf(
                        { [addon]: { resources: { requests: {} } } },
                        { values: { production: sizing === "production" } },
                    ),
                    [],
                );
    });
});

describe("observability config: warnings for settings that work but deserve a look", () => {
    // Without the open-ALB warning of every internet-facing dev stack (tests/edgeConfig.spec.ts).
    const warningsOf = (observability: unknown, opts: { stack?: string; values?: Record<string, unknown> } = {}) =>
        config(observability, opts)
            .warnings.filter((w) => w.path !== "eks-istio:ingress.allowedCidrs")
            .map((w) => `${w.path}: ${w.message}`);
    const catchAll = { name: "web", http: [{ route: [{ destination: { host: "web" } }] }] };

    const CASES: {
        name: string;
        observability: unknown;
        stack?: string;
        values?: Record<string, unknown>;
        expected: RegExp[];
    }[] = [
        {
            name: "nothing to say about a private dev setup",
            observability: { kiali: true, grafana: true, tracing: true },
            expected: [],
        },
        {
            name: "production Prometheus on the node's disk",
            observability: { prometheus: true },
            stack: "product",
            expected: [
                /^eks-istio:observability\.prometheus: keeps 15d of metrics on the node's disk \(an emptyDir of at most 8Gi\)/,
            ],
        },
        {
            name: "production Prometheus with storage: nothing to say",
            observability: { prometheus: { storage: { size: "100Gi", storageClass: "gp3" } } },
            stack: "product",
            expected: [],
        },
        {
            name: "Kiali on plain HTTP",
            observability: expose(),
            expected: [/^eks-istio:observability\.kiali\.expose: the environment's ALB serves plain HTTP/],
        },
        {
            name: "Kiali open to every address",
            observability: expose({ allowedIpBlocks: ["0.0.0.0/0"] }),
            values: { ingress: { port: 8000, certificateArn: CERT } },
            expected: [
                /^eks-istio:observability\.kiali\.expose\.allowedIpBlocks: 0\.0\.0\.0\/0 lets every client reach/,
            ],
        },
        {
            name: "an app's catch-all route on Kiali's host",
            observability: expose(),
            values: { ingress: { port: 8000, certificateArn: CERT }, apps: [catchAll] },
            expected: [
                /^eks-istio:apps\[0\]\.http\[0\]: matches every request on host "\*", where kiali\.expose routes \/kiali/,
            ],
        },
        {
            name: "an app on Kiali's host whose only route has a match: not a catch-all",
            observability: expose(),
            values: {
                ingress: { port: 8000, certificateArn: CERT },
                apps: [
                    {
                        name: "web",
                        http: [{ match: [{ uri: { prefix: "/shop" } }], route: [{ destination: { host: "web" } }] }],
                    },
                ],
            },
            expected: [],
        },
        {
            name: "Kiali on a host of its own does not compete with the catch-all",
            observability: expose({ hosts: ["kiali.example.com"] }),
            values: { ingress: { port: 8000, certificateArn: CERT }, apps: [catchAll] },
            expected: [],
        },
    ];
    for (const c of CASES)
        it(c.name, () => {
            const got = warningsOf(c.observability, { stack: c.stack, values: c.values });
            assert.equal(got.length, c.expected.length, got.join("\n"));
            c.expected.forEach((re, i) => assert.match(got[i], re));
        });
});

// ---------------------------------------------------------------------------------------------

describe("observability values: each add-on sized for dev and production", () => {
    // Parsed in each test, not at load, so that mutation testing attributes the parser to tests.
    let dev: ObservabilityConfig;
    let prod: ObservabilityConfig;
    beforeEach(() => {
        dev = config({ kiali: true, grafana: true, tracing: true }).observability;
        prod = config({ kiali: true, grafana: true, tracing: true }, { stack: "product" }).observability;
    });

    it("Prometheus: retention, a size cap below the volume, and dev/production requests", () => {
        const d = prometheusValues(dev.prometheus!);
        const p = prometheusValues(prod.prometheus!);
        assert.deepEqual(
            [d.server.retention, d.server.retentionSize, d.server.emptyDir],
            ["2d", "1638MB", { sizeLimit: "2Gi" }],
        );
        assert.deepEqual(
            [p.server.retention, p.server.retentionSize, p.server.emptyDir],
            ["15d", "6553MB", { sizeLimit: "8Gi" }],
        );
        assert.deepEqual(d.server.persistentVolume, { enabled: false });
        assert.deepEqual(d.server.resources, { requests: { cpu: "100m", memory: "512Mi" }, limits: { memory: "1Gi" } });
        assert.deepEqual(p.server.resources, { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "4Gi" } });
        for (const sub of [
            "alertmanager",
            "kube-state-metrics",
            "prometheus-node-exporter",
            "prometheus-pushgateway",
        ] as const)
            assert.deepEqual(d[sub], { enabled: false }, sub);
    });

    it("Prometheus: a PersistentVolume of the given class and size when storage is set, and no emptyDir", () => {
        const v = prometheusValues(
            config({ prometheus: { storage: { size: "100Gi", storageClass: "gp3" } } }).observability.prometheus!,
        );
        assert.deepEqual(v.server.persistentVolume, { enabled: true, size: "100Gi", storageClass: "gp3" });
        assert.equal("emptyDir" in v.server, false);
        assert.equal(v.server.retentionSize, "81920MB");
    });

    it("retentionSize is 80% of the volume, in Prometheus's power-of-two MB", () => {
        const table: [string, string][] = [
            ["1Gi", "819MB"],
            ["2Gi", "1638MB"],
            ["10Gi", "8192MB"],
        ];
        for (const [volume, size] of table) assert.equal(retentionSize(volume), size, volume);
    });

    it("Kiali: one replica on dev, two in production, each with its sizing", () => {
        const d = kialiValues(dev);
        const p = kialiValues(prod);
        assert.deepEqual([d.deployment.replicas, p.deployment.replicas], [1, 2]);
        assert.deepEqual(d.deployment.resources, {
            requests: { cpu: "10m", memory: "128Mi" },
            limits: { memory: "512Mi" },
        });
        assert.deepEqual(p.deployment.resources, {
            requests: { cpu: "100m", memory: "256Mi" },
            limits: { memory: "1Gi" },
        });
    });

    it("Grafana and Jaeger: dev and production sizing; Jaeger stays one replica (memory storage)", () => {
        assert.deepEqual(grafanaValues(dev).resources, {
            requests: { cpu: "50m", memory: "128Mi" },
            limits: { memory: "256Mi" },
        });
        assert.deepEqual(grafanaValues(prod).resources, {
            requests: { cpu: "100m", memory: "256Mi" },
            limits: { memory: "512Mi" },
        });
        assert.deepEqual(jaegerValues(dev).jaeger, {
            replicas: 1,
            resources: { requests: { cpu: "50m", memory: "256Mi" }, limits: { memory: "1Gi" } },
        });
        assert.deepEqual(jaegerValues(prod).jaeger, {
            replicas: 1,
            resources: { requests: { cpu: "200m", memory: "1Gi" }, limits: { memory: "2Gi" } },
        });
    });

    it("no add-on is exposed by its own chart: ClusterIP Services, no Ingress", () => {
        assert.equal(prometheusValues(dev.prometheus!).server.service.type, "ClusterIP");
        assert.equal(grafanaValues(dev).service.type, "ClusterIP");
        assert.equal(kialiValues(dev).deployment.service_type, "ClusterIP");
        assert.deepEqual(kialiValues(dev).deployment.ingress, { enabled: false });
    });
});

describe("observability values: the add-ons find each other by Service name and port", () => {
    for (const namespace of ["observability", "istio-system"] as const) {
        const all = config({ namespace, kiali: true, grafana: true, tracing: true }).observability;

        it(`${namespace}: Kiali reads this Prometheus, Grafana and Jaeger's gRPC query API`, () => {
            const es = kialiValues(all).external_services;
            assert.equal(es.prometheus.url, `http://prometheus.${namespace}:9090`);
            assert.deepEqual(es.grafana, {
                enabled: true,
                internal_url: `http://grafana.${namespace}:3000`,
                external_url: "http://localhost:3000",
            });
            assert.deepEqual(es.tracing, {
                enabled: true,
                provider: "jaeger",
                internal_url: `http://jaeger.${namespace}:16685`,
                use_grpc: true,
                external_url: "http://localhost:16686",
            });
            assert.equal(es.istio.root_namespace, "istio-system");
        });

        it(`${namespace}: Grafana's data source is this Prometheus`, () => {
            const [ds] = grafanaValues(all).datasources["datasources.yaml"].datasources;
            assert.deepEqual(
                [ds.type, ds.url, ds.isDefault],
                ["prometheus", `http://prometheus.${namespace}:9090`, true],
            );
        });

        it(`${namespace}: proxies send spans to Jaeger's OTLP/gRPC receiver`, () => {
            assert.deepEqual(tracingProvider(all), {
                name: "jaeger",
                service: `jaeger.${namespace}.svc.cluster.local`,
                port: 4317,
            });
        });
    }

    it("the Service names the URLs use are the ones the charts create", () => {
        const all = config({ kiali: true, grafana: true, tracing: true }).observability;
        // prometheus: server.fullnameOverride; jaeger: fullnameOverride.
        assert.equal(prometheusValues(all.prometheus!).server.fullnameOverride, OBSERVABILITY.prometheus.service);
        assert.equal(prometheusValues(all.prometheus!).server.service.servicePort, OBSERVABILITY.prometheus.port);
        assert.equal(jaegerValues(all).fullnameOverride, OBSERVABILITY.tracing.service);
        // grafana: a release whose name contains the chart's is the full name; port from service.port.
        assert.equal(OBSERVABILITY.grafana.release, OBSERVABILITY.grafana.service);
        assert.equal(grafanaValues(all).service.port, OBSERVABILITY.grafana.port);
        // kiali-server: deployment.instance_name, "kiali" by default; Kiali listens on 20001.
        assert.deepEqual([OBSERVABILITY.kiali.service, OBSERVABILITY.kiali.port], ["kiali", 20001]);
        // jaeger 4.x all-in-one Service: 16686 http-query, 16685 grpc-query, 4317 otlp-grpc.
        assert.deepEqual(
            [OBSERVABILITY.tracing.queryPort, OBSERVABILITY.tracing.queryGrpcPort, OBSERVABILITY.tracing.otlpGrpcPort],
            [16686, 16685, 4317],
        );
        assert.equal(addonEndpoints("x").kiali.host, "kiali.x.svc.cluster.local");
    });

    it("Kiali without Grafana or tracing does not look for them", () => {
        const es = kialiValues(config({ kiali: true }).observability).external_services;
        assert.deepEqual([es.grafana, es.tracing], [{ enabled: false }, { enabled: false }]);
    });

    it("Kiali private: anonymous and read-only; exposed: token login, and its web_root is the route's path", () => {
        const priv = kialiValues(config({ kiali: true }).observability);
        assert.deepEqual(
            [priv.auth.strategy, priv.deployment.view_only_mode, priv.server.web_root],
            ["anonymous", true, "/kiali"],
        );
        const pub = kialiValues(
            config({ kiali: { expose: { path: "/ops/kiali", allowedIpBlocks: ["10.0.0.0/8"] } } }).observability,
        );
        assert.deepEqual(
            [pub.auth.strategy, pub.deployment.view_only_mode, pub.server.web_root],
            ["token", false, "/ops/kiali"],
        );
    });

    it("Grafana gets Istio's dashboards from grafana.com, pinned, on the Prometheus data source", () => {
        const v = grafanaValues(config({ grafana: true }).observability);
        const [provider] = v.dashboardProviders["dashboardproviders.yaml"].providers;
        assert.equal(provider.name, "istio");
        const dashboards = v.dashboards.istio;
        assert.equal(provider.options.path, `/var/lib/grafana/dashboards/${provider.name}`);
        assert.deepEqual(
            Object.values(dashboards)
                .map((d) => d.gnetId)
                .sort((a, b) => a - b),
            [7630, 7636, 7639, 7645, 11829],
        );
        const datasource = v.datasources["datasources.yaml"].datasources[0].name;
        for (const d of Object.values(dashboards)) {
            assert.equal(d.datasource, datasource);
            // Without a revision the chart would download revision 1, from before Istio's telemetry v2.
            assert.ok(Number.isInteger(d.revision) && d.revision > 1);
        }
        assert.deepEqual(
            Object.entries(dashboards).map(([name, d]) => [name, d.gnetId, d.revision]),
            [
                ["istio-mesh", 7639, 278],
                ["istio-service", 7636, 278],
                ["istio-workload", 7630, 278],
                ["istio-performance", 11829, 278],
                ["istio-control-plane", 7645, 278],
            ],
        );
    });
});

/** Applies Prometheus relabel rules to one target's labels, as Prometheus does (keep, drop, replace, labelmap). */
function relabel(labels: Record<string, string>, rules: Record<string, any>[]): Record<string, string> | undefined {
    let out = { ...labels };
    for (const r of rules) {
        const regex = new RegExp(`^(?:${r.regex ?? "(.*)"})$`);
        const value = (r.source_labels ?? []).map((l: string) => out[l] ?? "").join(";");
        const action = r.action ?? "replace";
        if (action === "keep" && !regex.test(value)) return undefined;
        if (action === "drop" && regex.test(value)) return undefined;
        if (action === "replace") {
            const m = regex.exec(value);
            if (m)
                out[r.target_label] = (r.replacement ?? "$1").replace(
                    /\$(\d)/g,
                    (_: string, i: string) => m[Number(i)] ?? "",
                );
        }
        if (action === "labelmap") {
            const added: Record<string, string> = {};
            for (const [k, v] of Object.entries(out)) {
                const m = regex.exec(k);
                if (m)
                    added[(r.replacement ?? "$1").replace(/\$(\d)/g, (_: string, i: string) => m[Number(i)] ?? "")] = v;
            }
            out = { ...out, ...added };
        }
    }
    return out;
}

describe("observability values: Prometheus scrapes the mesh as Istio's metrics merging announces it", () => {
    const pods = meshScrapeConfigs().find((j) => j.job_name === "kubernetes-pods")!;
    const pod = (annotations: Record<string, string>, extra: Record<string, string> = {}) => ({
        __address__: "10.0.1.23:8000",
        __metrics_path__: "/metrics",
        __meta_kubernetes_namespace: "vote-dog-cat",
        __meta_kubernetes_pod_name: "frontend-abc",
        __meta_kubernetes_pod_phase: "Running",
        __meta_kubernetes_pod_label_app: "frontend",
        ...Object.fromEntries(
            Object.entries(annotations).map(([k, v]) => [
                `__meta_kubernetes_pod_annotation_${k.replace(/[./-]/g, "_")}`,
                v,
            ]),
        ),
        ...extra,
    });

    const CASES: { name: string; target: Record<string, string>; expected?: { address: string; path: string } }[] = [
        {
            name: "an injected pod: Envoy's and the app's metrics merged on 15020",
            target: pod({
                "prometheus.io/scrape": "true",
                "prometheus.io/port": "15020",
                "prometheus.io/path": "/stats/prometheus",
            }),
            expected: { address: "10.0.1.23:15020", path: "/stats/prometheus" },
        },
        {
            name: "istiod: its monitoring port 15014, default path",
            target: pod(
                { "prometheus.io/scrape": "true", "prometheus.io/port": "15014" },
                { __address__: "10.0.2.5:15010" },
            ),
            expected: { address: "10.0.2.5:15014", path: "/metrics" },
        },
        {
            name: "a pod without the annotation is not scraped",
            target: pod({}),
        },
        {
            name: "a finished pod is not scraped",
            target: pod(
                { "prometheus.io/scrape": "true", "prometheus.io/port": "15020" },
                { __meta_kubernetes_pod_phase: "Succeeded" },
            ),
        },
    ];
    for (const c of CASES)
        it(c.name, () => {
            const out = relabel(c.target, pods.relabel_configs as Record<string, any>[]);
            if (!c.expected) return assert.equal(out, undefined);
            assert.ok(out);
            assert.deepEqual([out.__address__, out.__metrics_path__], [c.expected.address, c.expected.path]);
            assert.deepEqual([out.namespace, out.pod, out.app], ["vote-dog-cat", "frontend-abc", "frontend"]);
        });

    it("is the whole scrape configuration, with container metrics for the performance dashboard", () => {
        const values = prometheusValues(config({ prometheus: true }).observability.prometheus!);
        const jobs = values.serverFiles["prometheus.yml"].scrape_configs.map((j) => j.job_name);
        assert.deepEqual(jobs, ["prometheus", "kubernetes-pods", "kubernetes-cadvisor"]);
        assert.equal(values.server.global.scrape_interval, "15s");
    });
});

// ---------------------------------------------------------------------------------------------

describe("observability values: every key is one the chart documents", () => {
    const keys = (file: string) =>
        parseYaml(fs.readFileSync(path.join(CHARTS, file), "utf8")) as Record<string, unknown>;
    const charts = {
        prometheus: keys("prometheus-27.46.0.keys.yaml"),
        kiali: keys("kiali-server-2.31.0.keys.yaml"),
        grafana: keys("grafana-11.1.6.keys.yaml"),
        tracing: keys("jaeger-4.4.8.keys.yaml"),
    };
    const variants: Record<string, ObservabilityConfig> = {
        "dev, all on": config({ kiali: true, grafana: true, tracing: true }).observability,
        "production, istio-system, storage, exposed": config(
            {
                namespace: "istio-system",
                prometheus: { storage: { size: "50Gi", storageClass: "gp3" }, resources: { limits: { cpu: "2" } } },
                kiali: { expose: { allowedIpBlocks: ["10.0.0.0/8"], allowedSourceNamespaces: ["ops"] } },
                grafana: true,
                tracing: { sampling: 5 },
            },
            { stack: "product", values: { ingress: { port: 80, certificateArn: CERT } } },
        ).observability,
        "Kiali alone": config({ kiali: true }).observability,
    };

    it("the fixtures name the chart versions the program installs", () => {
        const files = fs.readdirSync(CHARTS);
        for (const [addon, chart] of Object.entries(OBSERVABILITY))
            assert.ok(
                files.includes(`${chart.chart}-${chart.version}.keys.yaml`),
                `${addon}: ${chart.chart}-${chart.version}.keys.yaml`,
            );
    });

    for (const [name, o] of Object.entries(variants)) {
        it(`${name}: prometheus`, () =>
            assert.deepEqual(keyProblems(prometheusValues(o.prometheus!), charts.prometheus), []));
        it(`${name}: kiali-server`, () => assert.deepEqual(keyProblems(kialiValues(o), charts.kiali), []));
        if (o.grafana)
            it(`${name}: grafana`, () => assert.deepEqual(keyProblems(grafanaValues(o), charts.grafana), []));
        if (o.tracing) it(`${name}: jaeger`, () => assert.deepEqual(keyProblems(jaegerValues(o), charts.tracing), []));
    }

    it("the check is not vacuous: a misspelt key is reported, in each chart", () => {
        const o = variants["dev, all on"];
        const prom = prometheusValues(o.prometheus!);
        assert.deepEqual(keyProblems({ ...prom, server: { ...prom.server, retension: "2d" } }, charts.prometheus), [
            "server.retension",
        ]);
        const kiali = kialiValues(o);
        const es = { ...kiali.external_services, prometheus: { ulr: "http://x" } };
        assert.deepEqual(keyProblems({ ...kiali, external_services: es }, charts.kiali), [
            "external_services.prometheus.ulr",
        ]);
        assert.deepEqual(keyProblems({ ...grafanaValues(o), dashboard: {} }, charts.grafana), ["dashboard"]);
        assert.deepEqual(keyProblems({ jaeger: { replica: 1 } }, charts.tracing), ["jaeger.replica"]);
    });

    it("istiod's values with tracing and the trusted proxy count still use only the chart's keys", () => {
        const values = istiodValues({
            production: false,
            tracing: tracingProvider(variants["dev, all on"])!,
            gatewayTrustedProxies: 1,
        });
        assert.deepEqual(
            helmKeyProblems(values, path.join(CHARTS, "istio-istiod-1.30.3.values.yaml"), {
                freeForm: ["meshConfig"],
                documented: ["pdb.maxUnavailable"],
            }),
            [],
        );
    });
});

describe("observability and istiod's meshConfig", () => {
    const before = ["accessLogFile", "enablePrometheusMerge", "outboundTrafficPolicy"];

    it("with tracing off and Kiali private, meshConfig is exactly what it was without add-ons", () => {
        const o = config({ kiali: true, grafana: true }).observability;
        assert.equal(tracingProvider(o), undefined);
        assert.equal(gatewayTrustedProxies(o), undefined);
        const values = istiodValues({
            production: false,
            tracing: tracingProvider(o),
            gatewayTrustedProxies: gatewayTrustedProxies(o),
        });
        assert.deepEqual(values, istiodValues({ production: false }));
        assert.deepEqual(Object.keys(values.meshConfig).sort(), before);
    });

    it("with tracing on: an OpenTelemetry provider for Jaeger, the default for tracing, metrics kept", () => {
        const o = config({ tracing: true }).observability;
        const mc = istiodValues({ production: false, tracing: tracingProvider(o) }).meshConfig as Record<string, any>;
        assert.deepEqual(mc.extensionProviders, [
            { name: "jaeger", opentelemetry: { service: "jaeger.observability.svc.cluster.local", port: 4317 } },
        ]);
        assert.deepEqual(mc.defaultProviders, { metrics: ["prometheus"], tracing: ["jaeger"] });
        assert.equal(mc.extensionProviders[0].name, meshTelemetryManifest(1).spec.tracing[0].providers[0].name);
    });

    it("with Kiali behind an address allow list, the gateway trusts the ALB's X-Forwarded-For", () => {
        const o = config(expose()).observability;
        const mc = istiodValues({ production: false, gatewayTrustedProxies: gatewayTrustedProxies(o) })
            .meshConfig as Record<string, any>;
        assert.deepEqual(mc.defaultConfig, { gatewayTopology: { numTrustedProxies: 1 } });
        // A namespace-only allow list reads mTLS identities, not addresses: nothing to trust.
        assert.equal(
            gatewayTrustedProxies(config({ kiali: { expose: { allowedSourceNamespaces: ["ops"] } } }).observability),
            undefined,
        );
    });

    it("anyAddonOn: nothing is installed when every add-on is off, anything when one is on", () => {
        assert.equal(anyAddonOn(config(undefined).observability), false);
        assert.equal(anyAddonOn(config({ namespace: "istio-system", kiali: false }).observability), false);
        // Each add-on alone (what the config would hold with only it on).
        const off = config(undefined).observability;
        const all = config({ prometheus: true, kiali: true, grafana: true, tracing: true }).observability;
        for (const one of ["prometheus", "kiali", "grafana", "tracing"] as const)
            assert.equal(anyAddonOn({ ...off, [one]: all[one] }), true, one);
    });

    it("the add-ons' namespace is Pulumi's, outside the mesh (no sidecars: STRICT mTLS would block scraping)", () => {
        assert.deepEqual(observabilityNamespaceManifest("observability"), {
            apiVersion: "v1",
            kind: "Namespace",
            metadata: {
                name: "observability",
                labels: {
                    "app.kubernetes.io/managed-by": "pulumi",
                    "app.kubernetes.io/part-of": "eks-istio",
                    "istio-injection": "disabled",
                },
            },
        });
    });

    it("Grafana keeps nothing on disk, lets anyone who can port-forward look, and provisions a read-only Prometheus", () => {
        const v = grafanaValues(config({ grafana: true }).observability);
        assert.deepEqual(v.persistence, { enabled: false });
        assert.deepEqual(v.testFramework, { enabled: false });
        assert.deepEqual(v["grafana.ini"], { "auth.anonymous": { enabled: true, org_role: "Viewer" } });
        assert.deepEqual(v.datasources["datasources.yaml"], {
            apiVersion: 1,
            datasources: [
                {
                    name: "Prometheus",
                    uid: "prometheus",
                    type: "prometheus",
                    access: "proxy",
                    url: "http://prometheus.observability:9090",
                    isDefault: true,
                    editable: false,
                    jsonData: { timeInterval: "15s" },
                },
            ],
        });
        assert.deepEqual(v.dashboardProviders["dashboardproviders.yaml"], {
            apiVersion: 1,
            providers: [
                {
                    name: "istio",
                    orgId: 1,
                    folder: "Istio",
                    type: "file",
                    disableDeletion: true,
                    editable: false,
                    options: { path: "/var/lib/grafana/dashboards/istio" },
                },
            ],
        });
        for (const d of Object.values(v.dashboards.istio)) assert.equal(d.datasource, "Prometheus");
    });

    it("the addresses kubectl port-forward gives, as docs/observability.md lists them", () => {
        assert.deepEqual(
            [
                PORT_FORWARD_URLS.prometheus,
                PORT_FORWARD_URLS.grafana,
                PORT_FORWARD_URLS.jaeger,
                PORT_FORWARD_URLS.kiali("/kiali"),
            ],
            [
                "http://localhost:9090",
                "http://localhost:3000",
                "http://localhost:16686",
                "http://localhost:20001/kiali",
            ],
        );
    });
});

// ---------------------------------------------------------------------------------------------

describe("observability Istio objects pass Istio's CRD schemas", () => {
    const exposed = (e: Record<string, unknown>) =>
        config({ kiali: { expose: e } }, { values: { ingress: { port: 8000, certificateArn: CERT } } });

    for (const sampling of [0, 0.5, 10, 100])
        it(`Telemetry mesh-default with ${sampling}%`, async () => {
            const t = meshTelemetryManifest(sampling);
            assert.deepEqual(
                [t.apiVersion, t.kind, t.metadata.name, t.metadata.namespace],
                ["telemetry.istio.io/v1", "Telemetry", "mesh-default", "istio-system"],
            );
            assert.equal(t.spec.tracing[0].randomSamplingPercentage, sampling);
            assert.deepEqual(await istioSchemaErrors(t), []);
        });

    const CASES: { name: string; expose: Record<string, unknown>; source: Record<string, string[]> }[] = [
        {
            name: "address blocks",
            expose: { allowedIpBlocks: ["203.0.113.0/24", "198.51.100.0/24"] },
            source: { notRemoteIpBlocks: ["203.0.113.0/24", "198.51.100.0/24"] },
        },
        { name: "namespaces", expose: { allowedSourceNamespaces: ["ops"] }, source: { notNamespaces: ["ops"] } },
        {
            name: "both",
            expose: { allowedIpBlocks: ["10.0.0.0/8"], allowedSourceNamespaces: ["ops", "sre"] },
            source: { notRemoteIpBlocks: ["10.0.0.0/8"], notNamespaces: ["ops", "sre"] },
        },
    ];
    for (const c of CASES)
        it(`Kiali's allow list (${c.name}): a DENY on the gateway for the path unless allowed`, async () => {
            const cfg = exposed(c.expose);
            const policy = kialiAuthorizationPolicyManifest(cfg);
            assert.deepEqual(policy.metadata, {
                name: "dev-kiali-allow-list",
                namespace: "istio-system",
                labels: policy.metadata.labels,
            });
            assert.deepEqual(policy.spec.selector, { matchLabels: { istio: "ingressgateway" } });
            assert.equal(policy.spec.action, "DENY");
            assert.deepEqual(policy.spec.rules, [
                { from: [{ source: c.source }], to: [{ operation: { paths: ["/kiali", "/kiali/*"] } }] },
            ]);
            assert.deepEqual(await istioSchemaErrors(policy), []);
        });

    it("Kiali's route: on this environment's Gateway, the path and below, to Kiali's Service", async () => {
        const cfg = exposed({ path: "/ops/kiali", hosts: ["kiali.example.com"], allowedIpBlocks: ["10.0.0.0/8"] });
        const vs = kialiVirtualServiceManifest(cfg);
        assert.deepEqual(vs.spec, {
            hosts: ["kiali.example.com"],
            gateways: ["istio-system/dev-gateway"],
            http: [
                {
                    name: "kiali",
                    match: [{ uri: { exact: "/ops/kiali" } }, { uri: { prefix: "/ops/kiali/" } }],
                    route: [
                        { destination: { host: "kiali.observability.svc.cluster.local", port: { number: 20001 } } },
                    ],
                },
            ],
            // Its namespace, and the gateway's: the gateway reads the VirtualServices exported to istio-system.
            exportTo: [".", "istio-system"],
        });
        assert.equal(vs.metadata.namespace, "observability");
        assert.deepEqual(await istioSchemaErrors(vs), []);
    });

    it("Kiali's route with the add-ons in istio-system is exported to that namespace once (istiod refuses . next to its own namespace)", () => {
        const cfg = config(
            { namespace: "istio-system", kiali: { expose: { allowedIpBlocks: ["10.0.0.0/8"] } } },
            { values: { ingress: { port: 8000, certificateArn: CERT } } },
        );
        const vs = kialiVirtualServiceManifest(cfg);
        assert.equal(vs.metadata.namespace, "istio-system");
        assert.deepEqual(vs.spec.exportTo, ["."]);
        assert.deepEqual(webhookIssues(vs), []);
    });

    it("another environment's route goes to its own Gateway", () => {
        const qa = config(expose(), { stack: "qa", values: { ingress: { port: 7000, certificateArn: CERT } } });
        assert.deepEqual(kialiVirtualServiceManifest(qa).spec.gateways, ["istio-system/qa-gateway"]);
        assert.equal(kialiAuthorizationPolicyManifest(qa).metadata.name, "qa-kiali-allow-list");
    });

    it("the schema check is not vacuous: a bad Telemetry is reported", async () => {
        const bad = meshTelemetryManifest(1) as any;
        bad.spec.tracing[0].randomSamplingPercentage = "ten";
        assert.notDeepEqual(await istioSchemaErrors(bad), []);
    });
});
