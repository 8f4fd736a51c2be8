import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ClusterAutoscalerChart } from "./config";
import { helmRelease } from "./helmRelease";
import { irsaRole } from "./irsaRole";
import { CLUSTER_AUTOSCALER, clusterAutoscalerPolicy } from "./manifests/aws";
import { clusterAutoscalerValues } from "./manifests/helmValues";

export interface ClusterAutoscalerArgs {
    /** The cluster's name (plain: the IAM policy's tag condition names it). */
    clusterName: string;
    region: string;
    /** The chart for the cluster's Kubernetes minor, from `clusterAutoscalerChart(kubernetesVersion)`. */
    chart: ClusterAutoscalerChart;
    /** The cluster's IAM OIDC provider, trusted by the autoscaler's role. */
    oidcProviderArn: pulumi.Input<string>;
    /** The cluster's OIDC issuer URL (with or without https://). */
    oidcProviderUrl: pulumi.Input<string>;
    /** What the release waits for: the nodes its pod runs on (and DNS). */
    dependsOn: pulumi.Resource[];
    /** The stack's Kubernetes provider. */
    provider: k8s.Provider;
    tags: Record<string, string>;
}

/**
 * The Cluster Autoscaler: adds nodes when pods cannot be scheduled and removes idle ones, within the
 * node group's minSize and maxSize. Its own IRSA role (least privilege, only this cluster's groups),
 * and its Helm release in kube-system.
 *
 * Cluster Autoscaler rather than Karpenter: it scales the managed node group the stack already has,
 * within the bounds config already states, with one IAM policy; Karpenter would replace the node
 * group with its own provisioning (NodePools, EC2NodeClasses, an interruption queue, a node role it
 * passes), which is a different platform rather than a switch on this one.
 */
export class ClusterAutoscaler extends pulumi.ComponentResource {
    readonly roleArn: pulumi.Output<string>;
    readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: ClusterAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-istio:cluster:ClusterAutoscaler", name, {}, opts);

        const { role, attachment } = irsaRole(
            name,
            {
                description: `Cluster Autoscaler ${args.chart.appVersion} of EKS cluster ${args.clusterName}`,
                policy: clusterAutoscalerPolicy(args.clusterName),
                namespace: CLUSTER_AUTOSCALER.namespace,
                serviceAccount: CLUSTER_AUTOSCALER.serviceAccount,
                oidcProviderArn: args.oidcProviderArn,
                oidcProviderUrl: args.oidcProviderUrl,
                tags: args.tags,
            },
            this,
        );

        this.release = helmRelease(
            `${name}-release`,
            {
                release: CLUSTER_AUTOSCALER.release,
                chart: CLUSTER_AUTOSCALER.chart,
                version: args.chart.chart,
                repo: CLUSTER_AUTOSCALER.repo,
                namespace: CLUSTER_AUTOSCALER.namespace,
            },
            role.arn.apply((roleArn) =>
                clusterAutoscalerValues({ clusterName: args.clusterName, region: args.region, roleArn }),
            ),
            // Its pod needs a node to run on, and its first AWS calls need the policy attached.
            { parent: this, provider: args.provider, dependsOn: [attachment, ...args.dependsOn] },
        );
        this.roleArn = role.arn;
        this.registerOutputs({ roleArn: this.roleArn });
    }
}
