// Helm values documents, computed from plain data. Every key set here exists in the chart's own
// values.yaml; tests/helmValues.spec.ts checks that against the vendored upstream files.
import { ALB_CONTROLLER, CLUSTER_AUTOSCALER } from "./aws";

export interface AlbControllerValuesArgs {
    clusterName: string;
    region: string;
    vpcId: string;
    roleArn: string;
    environment: string;
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
        // Tags on every ALB, target group and security group the controller creates.
        defaultTags: { "eks-istio/environment": a.environment, "managed-by": "aws-load-balancer-controller" },
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
