// The lifecycle model (tests/lifecycle/) on what the edge controls and Prometheus's volume add: the
// access-log bucket and its policy before the Ingress (Pulumi.product.yaml), the EBS CSI driver
// and the StorageClass before Prometheus's claim (examples/observability/Pulumi.product.yaml), the
// gateway's PodDisruptionBudget; each rule shown holding on the shipped graph and failing, with
// its message, on a graph broken on purpose.
import * as assert from "node:assert/strict";
import * as path from "node:path";
import { gatewayValues } from "../components/manifests/istio";
import { type RecordedResource, ROOT, runProgram, runStackFile, stackFileConfig } from "./harness";
import { allowedDisruptions, CHARTS, clusterViolations, type Violation } from "./lifecycle/cluster";
import { createOrders, lifecycleOf } from "./lifecycle/model";

const key = (type: string, name: string) => `${type}::${name}`;
// Recorded inputs are plain data apart from the odd function in SDK internals, which JSON drops.
const clone = (rs: RecordedResource[]): RecordedResource[] => JSON.parse(JSON.stringify(rs));
const find = (rs: RecordedResource[], type: string, name: string) =>
    rs.find((r) => r.type === type && r.name === name)!;
const dropDeps = (r: RecordedResource, drop: (d: string) => boolean) => {
    r.graph.dependsOn = r.graph.dependsOn.filter((d) => !drop(d));
};

describe("lifecycle model: the production ALB's access-log bucket (Pulumi.product.yaml)", () => {
    let resources: RecordedResource[];
    let teardown: RecordedResource[];
    before(async () => {
        const file = path.join(ROOT, "Pulumi.product.yaml");
        resources = (await runStackFile(file)).resources;
        teardown = (await runProgram("product", { ...stackFileConfig(file), "eks-istio:teardown": "true" })).resources;
    });
    const INGRESS = key("kubernetes:networking.k8s.io/v1:Ingress", "product-edge-ingress");
    const BUCKET = key("aws:s3/bucket:Bucket", "product-edge-alb-logs");
    const POLICY = key("aws:s3/bucketPolicy:BucketPolicy", "product-edge-alb-logs-policy");
    const LOGS_COMPONENT = key("eks-istio:edge:AlbAccessLogs", "product-edge-alb-logs");
    const BUCKET_NAME = "eks-istio-product-alb-logs-123456789012-ap-northeast-1";
    const ATTRIBUTES = "alb.ingress.kubernetes.io/load-balancer-attributes";

    it("creates bucket → policy → Ingress in that one order, and destroys them in reverse", () => {
        assert.deepEqual(
            [...createOrders(lifecycleOf(resources), [INGRESS, POLICY, BUCKET])],
            [[BUCKET, POLICY, INGRESS]],
        );
        assert.deepEqual(clusterViolations(resources), []);
    });

    it("a teardown empties the bucket on destroy, and the model holds it to that", () => {
        assert.deepEqual(clusterViolations(teardown), []);
        const rs = clone(teardown);
        find(rs, "aws:s3/bucket:Bucket", "product-edge-alb-logs").inputs.forceDestroy = false;
        assert.deepEqual(clusterViolations(rs), [
            {
                rule: "teardown",
                message:
                    "product-edge-alb-logs has no forceDestroy: pulumi destroy fails while the bucket holds objects",
            },
        ]);
    });

    const broken: { name: string; mutate: (rs: RecordedResource[]) => RecordedResource[]; expected: Violation[] }[] = [
        {
            name: "an Ingress that does not wait for the bucket and its policy (it reads the bucket's name from the account, not from the bucket)",
            mutate: (rs) => {
                dropDeps(find(rs, "kubernetes:networking.k8s.io/v1:Ingress", "product-edge-ingress"), (d) =>
                    d.startsWith(LOGS_COMPONENT),
                );
                return rs;
            },
            expected: ["product-edge-alb-logs", "product-edge-alb-logs-policy"].map((r) => ({
                rule: "access-logs" as const,
                message: `product-edge-ingress may be created before ${r} (bucket ${BUCKET_NAME}): the controller's reconcile fails when Elastic Load Balancing cannot write its test file`,
            })),
        },
        {
            name: "a bucket without a policy",
            mutate: (rs) => rs.filter((r) => r.type !== "aws:s3/bucketPolicy:BucketPolicy"),
            expected: [
                {
                    rule: "access-logs",
                    message: `bucket ${BUCKET_NAME} has no bucket policy: Elastic Load Balancing may not write product-edge-ingress's logs`,
                },
            ],
        },
        {
            name: "logs on without a bucket, and then the state left out",
            mutate: (rs) => {
                const a = find(rs, "kubernetes:networking.k8s.io/v1:Ingress", "product-edge-ingress").inputs.metadata
                    .annotations;
                a[ATTRIBUTES] = "deletion_protection.enabled=true,access_logs.s3.enabled=true";
                return rs;
            },
            expected: [
                {
                    rule: "access-logs",
                    message: "product-edge-ingress turns access logs on without access_logs.s3.bucket",
                },
            ],
        },
        {
            name: "access logs left unstated (turning them off in config would leave them on)",
            mutate: (rs) => {
                const a = find(rs, "kubernetes:networking.k8s.io/v1:Ingress", "product-edge-ingress").inputs.metadata
                    .annotations;
                a[ATTRIBUTES] = "deletion_protection.enabled=true";
                return rs;
            },
            expected: [
                {
                    rule: "access-logs",
                    message: "product-edge-ingress does not state access_logs.s3.enabled=true|false",
                },
            ],
        },
    ];
    for (const c of broken)
        it(`fails on a broken graph: ${c.name}`, () =>
            assert.deepEqual(clusterViolations(c.mutate(clone(resources))), c.expected));
});

describe("lifecycle model: Prometheus on a volume (examples/observability/Pulumi.product.yaml)", () => {
    let resources: RecordedResource[];
    before(async () => {
        resources = (await runStackFile(path.join(ROOT, "examples", "observability", "Pulumi.product.yaml"))).resources;
    });
    const RELEASE = "kubernetes:helm.sh/v3:Release";
    const PROMETHEUS = key(RELEASE, "product-observability-prometheus");
    const DRIVER = key("aws:eks/addon:Addon", "product-cluster-aws-ebs-csi-driver");
    const CLASS = key("kubernetes:storage.k8s.io/v1:StorageClass", "product-observability-storage-class");
    const NODES = key("eks:index:ManagedNodeGroup", "product-cluster-nodes");

    it("creates the nodes, then the driver; the class whenever; Prometheus (its claim) after all three", () => {
        const orders = [...createOrders(lifecycleOf(resources), [PROMETHEUS, DRIVER, CLASS, NODES])];
        assert.deepEqual(
            orders.sort(),
            [
                [NODES, DRIVER, CLASS, PROMETHEUS],
                [NODES, CLASS, DRIVER, PROMETHEUS],
                [CLASS, NODES, DRIVER, PROMETHEUS],
            ].sort(),
        );
        assert.deepEqual(clusterViolations(resources), []);
    });

    const prometheus = (rs: RecordedResource[]) => find(rs, RELEASE, "product-observability-prometheus");
    const driver = (rs: RecordedResource[]) => find(rs, "aws:eks/addon:Addon", "product-cluster-aws-ebs-csi-driver");
    const broken: { name: string; mutate: (rs: RecordedResource[]) => RecordedResource[]; expected: Violation[] }[] = [
        {
            name: "Prometheus not waiting for the StorageClass",
            mutate: (rs) => {
                dropDeps(prometheus(rs), (d) => d === CLASS);
                return rs;
            },
            expected: [
                {
                    rule: "storage",
                    message:
                        "product-observability-prometheus's PersistentVolumeClaim may be created before StorageClass gp3: it stays Pending until the release times out",
                },
            ],
        },
        {
            name: "Prometheus not waiting for the driver",
            mutate: (rs) => {
                dropDeps(prometheus(rs), (d) => d === DRIVER);
                return rs;
            },
            expected: [
                {
                    rule: "storage",
                    message:
                        "product-observability-prometheus's PersistentVolumeClaim may be created before product-cluster-aws-ebs-csi-driver (ebs.csi.aws.com) runs, and outlive it on destroy: it stays Pending, and its volume is never deleted",
                },
            ],
        },
        {
            name: "the driver's add-on not waiting for the nodes",
            mutate: (rs) => {
                dropDeps(driver(rs), (d) => d === NODES);
                return rs;
            },
            expected: [
                {
                    rule: "nodes",
                    message:
                        "product-cluster-aws-ebs-csi-driver (EKS add-on aws-ebs-csi-driver) runs pods but may be created before any node group exists: it is ACTIVE only once they run",
                },
            ],
        },
        {
            name: "no driver at all",
            mutate: (rs) => {
                dropDeps(prometheus(rs), (d) => d === DRIVER);
                return rs.filter((r) => key(r.type, r.name) !== DRIVER);
            },
            expected: [
                {
                    rule: "storage",
                    message:
                        "StorageClass gp3 names provisioner ebs.csi.aws.com, which no add-on of the stack serves: product-observability-prometheus's claim stays Pending",
                },
            ],
        },
    ];
    for (const c of broken)
        it(`fails on a broken graph: ${c.name}`, () =>
            assert.deepEqual(clusterViolations(c.mutate(clone(resources))), c.expected));

    it("refuses an EKS add-on it has no facts for, instead of vouching for it", () => {
        const rs = clone(resources);
        driver(rs).inputs.addonName = "mystery";
        assert.throws(() => clusterViolations(rs), /add-on "mystery" is not in tests\/lifecycle\/storage.ts ADDONS/);
    });
});

describe("lifecycle model: the ingress gateway's PodDisruptionBudget", () => {
    // At the HPA's minimum a drain must be able to move a pod; at its maximum still only one may go.
    for (const production of [false, true])
        it(`${production ? "production" : "dev-sized"}: one eviction at a time, at the minimum and at the maximum replica count`, () => {
            const v = gatewayValues({
                production,
                statusNodePort: 30085,
                ports: [{ environment: "qa", port: 7000, nodePort: 30030 }],
            });
            const pdb = CHARTS.gateway.pdb!(v)!;
            assert.equal(pdb.minReplicas, production ? 3 : 2);
            assert.equal(allowedDisruptions(pdb), 1);
            assert.equal(allowedDisruptions({ ...pdb, minReplicas: v.autoscaling.maxReplicas }), 1);
        });

    it("minAvailable 1, the budget before, let all but one go at the maximum (the test above can fail)", () =>
        assert.equal(allowedDisruptions({ minReplicas: 10, minAvailable: 1 }), 9));
});
