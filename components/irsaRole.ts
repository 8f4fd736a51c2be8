import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { irsaTrustPolicy, type PolicyDocument } from "./manifests/aws";

export interface IrsaRoleArgs {
    /** What the policy is for, shown in IAM. */
    description: string;
    /** The permissions of the workload (an Output when they name resources created alongside, such as the VPC). */
    policy: pulumi.Input<PolicyDocument>;
    /** The ServiceAccount allowed to assume the role, in its namespace. */
    namespace: string;
    serviceAccount: string;
    /** The cluster's IAM OIDC provider, trusted by the role. */
    oidcProviderArn: pulumi.Input<string>;
    /** The cluster's OIDC issuer URL (with or without https://). */
    oidcProviderUrl: pulumi.Input<string>;
    tags: Record<string, string>;
}

/**
 * An IAM policy and an IRSA role with it attached, for one ServiceAccount: `<name>-policy`,
 * `<name>-role` and the attachment `<name>-policy`, children of `parent`. A Helm release that uses
 * the role waits for `attachment`: without the policy attached, the workload starts, fails its first
 * AWS calls and backs off.
 */
export function irsaRole(name: string, args: IrsaRoleArgs, parent: pulumi.Resource) {
    const policy = new aws.iam.Policy(
        `${name}-policy`,
        {
            description: args.description,
            policy: pulumi.output(args.policy).apply((p) => JSON.stringify(p)),
            tags: args.tags,
        },
        { parent },
    );
    const role = new aws.iam.Role(
        `${name}-role`,
        {
            assumeRolePolicy: pulumi
                .all([args.oidcProviderArn, args.oidcProviderUrl])
                .apply(([oidcProviderArn, issuer]) =>
                    JSON.stringify(
                        irsaTrustPolicy({
                            oidcProviderArn,
                            issuer,
                            namespace: args.namespace,
                            serviceAccount: args.serviceAccount,
                        }),
                    ),
                ),
            tags: args.tags,
        },
        { parent },
    );
    const attachment = new aws.iam.RolePolicyAttachment(
        `${name}-policy`,
        { role: role.name, policyArn: policy.arn },
        { parent },
    );
    return { policy, role, attachment };
}
