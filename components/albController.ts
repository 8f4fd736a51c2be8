import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ALB_CONTROLLER, albControllerPolicy } from "./manifests/aws";
import { helmRelease } from "./helmRelease";
import { irsaRole } from "./irsaRole";
import { albControllerValues } from "./manifests/helmValues";

export interface AlbControllerArgs {
    clusterName: pulumi.Input<string>;
    region: string;
    vpcId: pulumi.Input<string>;
    /** The cluster's IAM OIDC provider, trusted by the controller's role. */
    oidcProviderArn: pulumi.Input<string>;
    /** The cluster's OIDC issuer URL (with or without https://). */
    oidcProviderUrl: pulumi.Input<string>;
    /** Chart version of aws-load-balancer-controller. */
    version: string;
    /** The stack's Kubernetes provider. */
    provider: k8s.Provider;
    /** The node group: the controller's pods run there, and its webhooks answer only once they do. */
    nodes: pulumi.Resource;
    tags: Record<string, string>;
}

/** The AWS Load Balancer Controller: its IRSA role and IAM policy, and its Helm release in kube-system. */
export class AlbController extends pulumi.ComponentResource {
    readonly roleArn: pulumi.Output<string>;
    readonly policyArn: pulumi.Output<string>;
    /** The Helm release; the environment's Ingress depends on it so a destroy removes the ALB first. */
    readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: AlbControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-istio:alb:AlbController", name, {}, opts);

        const { policy, role, attachment } = irsaRole(
            name,
            {
                description: "AWS Load Balancer Controller v3.5.0 (upstream iam_policy.json)",
                policy: albControllerPolicy(args.region),
                namespace: ALB_CONTROLLER.namespace,
                serviceAccount: ALB_CONTROLLER.serviceAccount,
                oidcProviderArn: args.oidcProviderArn,
                oidcProviderUrl: args.oidcProviderUrl,
                tags: args.tags,
            },
            this,
        );

        this.release = helmRelease(
            `${name}-release`,
            { ...ALB_CONTROLLER, version: args.version },
            pulumi.all([args.clusterName, args.vpcId, role.arn]).apply(([clusterName, vpcId, roleArn]) =>
                albControllerValues({
                    clusterName,
                    region: args.region,
                    vpcId,
                    roleArn,
                }),
            ),
            // Without the policy attached, the controller starts, fails its first AWS calls and backs off.
            // Without nodes its pods stay Pending past the release's timeout and atomic rolls it back;
            // and on destroy the nodes stay until the controller (and every Ingress) is gone.
            { parent: this, provider: args.provider, dependsOn: [attachment, args.nodes] },
        );
        this.roleArn = role.arn;
        this.policyArn = policy.arn;
        this.registerOutputs({ roleArn: this.roleArn, policyArn: this.policyArn });
    }
}
