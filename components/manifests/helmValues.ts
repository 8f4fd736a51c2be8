// Helm values documents, computed from plain data. Every key set here exists in the chart's own
// values.yaml; tests/helmValues.spec.ts checks that against the vendored upstream files.
import { ALB_CONTROLLER, CLUSTER_AUTOSCALER } from "./aws";

export interface AlbControllerValuesArgs {
    clusterName: string;
    region: string;
    vpcId: string;
    roleArn: string;
}

export function albControllerValues(a: AlbControllerValuesArgs) {
    return {
        clusterName: a.clusterName,
        // Region and VPC are given, not discovered from instance metadata, which IMDSv2's hop limit
        // on EKS nodes can make unreachable from pods.
        region: a.region,
        vpcId: a.vpcId,
        // Two replicas with a budget: the controller's webhooks have failurePolicy Fail, so a lone
        // pod being drained would block every Service and Ingress change in the cluster.
        replicaCount: 2,
        podDisruptionBudget: { maxUnavailable: 1 },
        serviceAccount: {
            create: true,
            name: ALB_CONTROLLER.serviceAccount,
            annotations: { "eks.amazonaws.com/role-arn": a.roleArn },
        },
        // The chart's mutating webhook on every Service CREATE has failurePolicy Fail (chart
        // templates/webhook.yaml; aws-load-balancer-controller#4140): on a first `pulumi up`, istiod's
        // and the gateway's Services, created while the controller's pods were still Pending, were
        // refused and atomic rolled the releases back. It only makes this controller the default for
        // Services of type LoadBalancer, and the stack has none (the gateway is a NodePort Service).
        enableServiceMutatorWebhook: false,
        // Tags on every ALB, target group and security group the controller creates. Only tags true
        // of every environment the cluster serves: default tags override an Ingress's own tags
        // (aws-load-balancer-controller#4005), so an environment tag here would mark attached
        // environments' ALBs as the owner's. Each Ingress tags its ALB with its own environment.
        defaultTags: { "eks-istio/cluster": a.clusterName, "managed-by": "aws-load-balancer-controller" },
        // Listeners and rules tagged elbv2.k8s.aws/cluster=<clusterName> like everything else the
        // controller creates (v3.5.0's default, stated so that it stays): the IAM policy lets the
        // controller change and delete only listeners and rules that carry this cluster's tag.
        controllerConfig: { featureGates: { ListenerRulesTagging: true } },
    };
}

/** metrics-server, from kubernetes-sigs' chart: the resource metrics API (metrics.k8s.io) HPAs read. */
export const METRICS_SERVER = {
    release: "metrics-server",
    chart: "metrics-server",
    version: "3.13.1",
    repo: "https://kubernetes-sigs.github.io/metrics-server/",
    namespace: "kube-system",
} as const;

/**
 * Without metrics-server the HPAs of istiod and the gateway read no metric and never scale. Two
 * replicas with a budget allowing one eviction: HPAs keep their metrics through a node drain, and the
 * aggregated API (v1beta1.metrics.k8s.io) never goes unavailable, which would stall namespace
 * deletion on `pulumi destroy` (the namespace controller fails discovery).
 */
export function metricsServerValues() {
    return {
        replicas: 2,
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    };
}

export interface ClusterAutoscalerValuesArgs {
    clusterName: string;
    region: string;
    roleArn: string;
}

/** Values of the `cluster-autoscaler` chart: auto-discovery of this cluster's node groups, IRSA. */
export function clusterAutoscalerValues(a: ClusterAutoscalerValuesArgs) {
    return {
        cloudProvider: "aws",
        // Discovers the Auto Scaling groups tagged k8s.io/cluster-autoscaler/enabled and
        // k8s.io/cluster-autoscaler/<cluster>, as EKS tags a managed node group's group; it then
        // scales between the group's own minSize and maxSize.
        autoDiscovery: { clusterName: a.clusterName },
        // Given, not read from instance metadata: nodes allow one network hop to IMDS, pods are behind two.
        awsRegion: a.region,
        fullnameOverride: CLUSTER_AUTOSCALER.release,
        rbac: {
            serviceAccount: {
                create: true,
                name: CLUSTER_AUTOSCALER.serviceAccount,
                annotations: { "eks.amazonaws.com/role-arn": a.roleArn },
            },
        },
        extraArgs: {
            // Istio's sidecars mount emptyDir volumes, so with the default (true) no node running a
            // meshed pod would ever be scaled down. Those volumes only hold the proxy's own state.
            "skip-nodes-with-local-storage": false,
        },
        resources: { requests: { cpu: "100m", memory: "300Mi" }, limits: { memory: "600Mi" } },
    };
}
