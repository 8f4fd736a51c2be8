import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { accountOf, albControllerPolicyDocuments } from "./manifests/albControllerPolicy";
import { ALB_CONTROLLER } from "./manifests/aws";
import { helmRelease } from "./helmRelease";
import { irsaRole } from "./irsaRole";
import { albControllerValues } from "./manifests/helmValues";

export interface AlbControllerArgs {
    /** The cluster's name: the chart's clusterName, and the tag value the IAM policy requires. */
    clusterName: pulumi.Input<string>;
    region: string;
    /** The cluster's VPC: the controller's security-group changes are confined to it. */
    vpcId: pulumi.Input<string>;
    /** The cluster's IAM OIDC provider, trusted by the controller's role. */
    oidcProviderArn: pulumi.Input<string>;
    /** The cluster's OIDC issuer URL (with or without https://). */
    oidcProviderUrl: pulumi.Input<string>;
    /** Chart version of aws-load-balancer-controller. */
    version: string;
    /** The stack's Kubernetes provider. */
    provider: k8s.Provider;
    /** The node groups: the controller's pods run there, and its webhooks answer only once they do. */
    nodes: pulumi.Resource[];
    tags: Record<string, string>;
}

/**
 * The AWS Load Balancer Controller: its IRSA role with two IAM policies (upstream's policy narrowed
 * to this cluster's objects and VPC, too long for one managed policy), and its Helm release in
 * kube-system.
 */
export class AlbController extends pulumi.ComponentResource {
    readonly roleArn: pulumi.Output<string>;
    readonly policyArn: pulumi.Output<string>;
    /** The second policy: Elastic Load Balancing's changes. */
    readonly elbPolicyArn: pulumi.Output<string>;
    /** The Helm release; the environment's Ingress depends on it so a destroy removes the ALB first. */
    readonly release: k8s.helm.v3.Release;

    constructor(name: string, args: AlbControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-istio:alb:AlbController", name, {}, opts);

        // The VPC's account is the stack's, as is the cluster's OIDC provider's.
        const documents = pulumi
            .all([args.clusterName, args.vpcId, args.oidcProviderArn])
            .apply(([clusterName, vpcId, oidcProviderArn]) =>
                albControllerPolicyDocuments({
                    region: args.region,
                    clusterName,
                    vpcId,
                    account: accountOf(oidcProviderArn),
                }),
            );
        const { policy, role, attachment } = irsaRole(
            name,
            {
                // Worded as when the policy was upstream's verbatim: IAM cannot change a policy's
                // description, so new words would replace the policy, and its attachment (delete
                // before replace) would leave the controller without permissions for a moment.
                description: "AWS Load Balancer Controller v3.5.0 (upstream iam_policy.json)",
                policy: documents.main,
                namespace: ALB_CONTROLLER.namespace,
                serviceAccount: ALB_CONTROLLER.serviceAccount,
                oidcProviderArn: args.oidcProviderArn,
                oidcProviderUrl: args.oidcProviderUrl,
                tags: args.tags,
            },
            this,
        );
        const elbPolicy = new aws.iam.Policy(
            `${name}-elb-policy`,
            {
                description:
                    "AWS Load Balancer Controller v3.5.0 (upstream iam_policy.json narrowed to this cluster): Elastic Load Balancing",
                policy: documents.elb.apply((p) => JSON.stringify(p)),
                tags: args.tags,
            },
            { parent: this },
        );
        const elbAttachment = new aws.iam.RolePolicyAttachment(
            `${name}-elb-policy`,
            { role: role.name, policyArn: elbPolicy.arn },
            { parent: this },
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
            // Without the policies attached, the controller starts, fails its first AWS calls and backs off.
            // Without nodes its pods stay Pending past the release's timeout and atomic rolls it back;
            // and on destroy the nodes stay until the controller (and every Ingress) is gone.
            { parent: this, provider: args.provider, dependsOn: [attachment, elbAttachment, ...args.nodes] },
        );
        this.roleArn = role.arn;
        this.policyArn = policy.arn;
        this.elbPolicyArn = elbPolicy.arn;
        this.registerOutputs({ roleArn: this.roleArn, policyArn: this.policyArn, elbPolicyArn: this.elbPolicyArn });
    }
}
