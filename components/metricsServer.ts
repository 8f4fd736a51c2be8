import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { helmRelease } from "./helmRelease";
import { METRICS_SERVER, metricsServerValues } from "./manifests/helmValues";

export interface MetricsServerArgs {
    /** The stack's Kubernetes provider. */
    provider: k8s.Provider;
    /** The node groups: metrics-server runs pods, and reads the kubelets of these nodes. */
    nodes: pulumi.Resource[];
}

/**
 * metrics-server in kube-system: the resource metrics API that the HPAs of istiod and the gateway
 * read. EKS does not install it; without it those HPAs report `<unknown>` and never scale.
 */
export class MetricsServer extends pulumi.ComponentResource {
    readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: MetricsServerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-istio:cluster:MetricsServer", name, {}, opts);
        this.release = helmRelease(`${name}-release`, METRICS_SERVER, metricsServerValues(), {
            parent: this,
            provider: args.provider,
            dependsOn: args.nodes,
        });
        this.registerOutputs({ release: this.release.status });
    }
}
