// Helm values documents, computed from plain data. Every key set here exists in the chart's own
// values.yaml; tests/helmValues.spec.ts checks that against the vendored upstream files.
import { ALB_CONTROLLER } from "./aws";

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
