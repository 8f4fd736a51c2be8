// Helm values the program sends, checked against the vendored upstream values.yaml of each chart.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ALB_CONTROLLER } from "../components/manifests/aws";
import { albControllerValues, METRICS_SERVER, metricsServerValues } from "../components/manifests/helmValues";
import { ROOT } from "./harness";
import { chartDefaults, helmKeyProblems } from "./helmKeys";

const CHARTS = path.join(ROOT, "tests", "fixtures", "charts");
const ALB_CHART = path.join(CHARTS, "aws-load-balancer-controller-3.5.0.values.yaml");
const GATEWAY_CHART = path.join(CHARTS, "istio-gateway-1.30.3.values.yaml");
const ISTIOD_CHART = path.join(CHARTS, "istio-istiod-1.30.3.values.yaml");

const ARGS = {
    clusterName: "eks-istio-dev",
    region: "ap-northeast-1",
    vpcId: "vpc-0abc",
    roleArn: "arn:aws:iam::123456789012:role/dev-alb-controller-role",
};

describe("helm values: albControllerValues", () => {
    const values = albControllerValues(ARGS);

    it("names the cluster, region and VPC explicitly (no instance-metadata discovery)", () => {
        assert.equal(values.clusterName, "eks-istio-dev");
        assert.equal(values.region, "ap-northeast-1");
        assert.equal(values.vpcId, "vpc-0abc");
    });

    it("runs two replicas with a disruption budget, so a drain never leaves the webhooks without a pod", () => {
        assert.equal(values.replicaCount, 2);
        assert.deepEqual(values.podDisruptionBudget, { maxUnavailable: 1 });
    });

    it("creates the ServiceAccount the IRSA role trusts, annotated with the role ARN", () => {
        assert.deepEqual(values.serviceAccount, {
            create: true,
            name: "aws-load-balancer-controller",
            annotations: { "eks.amazonaws.com/role-arn": ARGS.roleArn },
        });
        assert.equal(values.serviceAccount.name, ALB_CONTROLLER.serviceAccount);
    });

    it("tags what the controller creates with the cluster only, so each Ingress's environment tag stands", () => {
        assert.deepEqual(values.defaultTags, {
            "eks-istio/cluster": "eks-istio-dev",
            "managed-by": "aws-load-balancer-controller",
        });
    });

    it("keeps listeners and rules tagged with the cluster (ListenerRulesTagging), which the IAM policy requires to change them", () => {
        assert.deepEqual(values.controllerConfig, { featureGates: { ListenerRulesTagging: true } });
    });

    it("turns the fail-closed Service mutator webhook off: no Service here is of type LoadBalancer", () => {
        assert.equal(values.enableServiceMutatorWebhook, false);
    });

    it("carries another environment's cluster, region and VPC", () => {
        const qa = albControllerValues({
            clusterName: "eks-istio-qa",
            region: "eu-west-1",
            vpcId: "vpc-0qa",
            roleArn: "arn:aws:iam::123456789012:role/qa",
        });
        assert.deepEqual(
            [qa.clusterName, qa.region, qa.vpcId, qa.defaultTags["eks-istio/cluster"]],
            ["eks-istio-qa", "eu-west-1", "vpc-0qa", "eks-istio-qa"],
        );
    });

    it("sets only keys that aws-load-balancer-controller 3.5.0's values.yaml defines", () => {
        assert.deepEqual(helmKeyProblems(values, ALB_CHART), []);
    });
});

describe("helm values: metricsServerValues", () => {
    const values = metricsServerValues();

    it("runs two replicas with a budget that allows one eviction (HPAs keep metrics through a drain)", () => {
        assert.deepEqual(values, { replicas: 2, podDisruptionBudget: { enabled: true, maxUnavailable: 1 } });
    });

    it("is pinned to chart 3.13.1 from kubernetes-sigs' repository, in kube-system", () => {
        assert.deepEqual(METRICS_SERVER, {
            release: "metrics-server",
            chart: "metrics-server",
            version: "3.13.1",
            repo: "https://kubernetes-sigs.github.io/metrics-server/",
            namespace: "kube-system",
        });
    });

    it("sets only keys that metrics-server 3.13.1's values.yaml documents", () => {
        assert.deepEqual(helmKeyProblems(values, path.join(CHARTS, "metrics-server-3.13.1.keys.yaml")), []);
    });
});

describe("helm values: helmKeyProblems", () => {
    let synthetic: string;
    before(() => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "helm-keys-"));
        synthetic = path.join(dir, "values.yaml");
        fs.writeFileSync(
            synthetic,
            [
                "replicaCount: 1",
                "image:",
                "  repository: example/app",
                "  tag: v1",
                "resources: {}",
                "nodeSelector:",
                "podAnnotations:",
                "  prometheus.io/scrape: 'true'",
                "tolerations: []",
                "",
            ].join("\n"),
        );
    });
    after(() => fs.rmSync(path.dirname(synthetic), { recursive: true, force: true }));

    const CASES: {
        name: string;
        values: Record<string, unknown>;
        chart: () => string;
        freeForm?: string[];
        expected: string[];
    }[] = [
        {
            name: "known top-level and nested keys",
            values: { replicaCount: 2, image: { tag: "v2" } },
            chart: () => synthetic,
            expected: [],
        },
        { name: "top-level typo", values: { replicas: 2 }, chart: () => synthetic, expected: ["replicas"] },
        { name: "nested typo", values: { image: { tg: "v2" } }, chart: () => synthetic, expected: ["image.tg"] },
        {
            name: "every unknown path is reported",
            values: { replicas: 2, image: { tg: "v2", repository: "x" }, extra: { a: 1 } },
            chart: () => synthetic,
            expected: ["replicas", "image.tg", "extra"],
        },
        {
            name: "anything under an empty map is free-form",
            values: { resources: { limits: { cpu: "1" }, requests: { memory: "1Gi" } } },
            chart: () => synthetic,
            expected: [],
        },
        {
            name: "anything under a null-valued key is free-form",
            values: { nodeSelector: { "kubernetes.io/arch": "arm64" } },
            chart: () => synthetic,
            expected: [],
        },
        {
            name: "lists are not descended into",
            values: { tolerations: [{ key: "x" }] },
            chart: () => synthetic,
            expected: [],
        },
        {
            name: "a map where the chart has a scalar reports its keys",
            values: { replicaCount: { min: 1 } },
            chart: () => synthetic,
            expected: ["replicaCount.min"],
        },
        {
            name: "a non-empty map is checked unless declared free-form",
            values: { podAnnotations: { "example.com/team": "a" } },
            chart: () => synthetic,
            expected: ["podAnnotations.example.com/team"],
        },
        {
            name: "declared free-form paths accept any key",
            values: { podAnnotations: { "example.com/team": "a" } },
            chart: () => synthetic,
            freeForm: ["podAnnotations"],
            expected: [],
        },
        {
            name: "ALB chart: a typo in serviceAccount",
            values: { serviceAccount: { create: true, nmae: "x" } },
            chart: () => ALB_CHART,
            expected: ["serviceAccount.nmae"],
        },
        {
            name: "ALB chart: replicas is not a key (replicaCount is)",
            values: { replicas: 2, clusterName: "c" },
            chart: () => ALB_CHART,
            expected: ["replicas"],
        },
        {
            name: "Istio chart: keys at top level are checked against _internal_defaults_do_not_set",
            values: { service: { type: "NodePort" }, labels: { "istio.io/dataplane-mode": "none" }, replicaCount: 2 },
            chart: () => GATEWAY_CHART,
            expected: [],
        },
        {
            name: "Istio chart: a typo under service",
            values: { service: { tpye: "NodePort" } },
            chart: () => GATEWAY_CHART,
            expected: ["service.tpye"],
        },
        {
            name: "Istio chart: a section the chart does not have",
            values: { global: { istioNamespace: "istio-system" }, pilot: { autoscaleMin: 2 } },
            chart: () => ISTIOD_CHART,
            expected: ["pilot"],
        },
        {
            name: "Istio chart: the wrapper itself must not be set",
            values: { _internal_defaults_do_not_set: { replicaCount: 2 } },
            chart: () => ISTIOD_CHART,
            expected: ["_internal_defaults_do_not_set"],
        },
    ];
    for (const c of CASES)
        it(c.name, () => assert.deepEqual(helmKeyProblems(c.values, c.chart(), { freeForm: c.freeForm }), c.expected));

    it("unwraps Istio's _internal_defaults_do_not_set", () => {
        const defaults = chartDefaults(GATEWAY_CHART);
        assert.ok(!("_internal_defaults_do_not_set" in defaults));
        assert.ok("service" in defaults && "autoscaling" in defaults);
    });
});
