// Rules AWS applies that the field patterns do not: ARNs of the stack's own partition (China and
// GovCloud regions have their own), and no principal listed twice (EKS refuses a second access
// entry for the same principal, after the cluster exists).
import { CERTIFICATE_ARN, IAM_PRINCIPAL_ARN, partitionOf, record } from "../primitives";

export function awsProblems(
    values: Record<string, unknown>,
    region: string | undefined,
): { at: string; message: string }[] {
    const out: { at: string; message: string }[] = [];
    const partition = region ? partitionOf(region) : undefined;
    const cert = record(values.ingress).certificateArn;
    const certPartition = typeof cert === "string" ? CERTIFICATE_ARN.exec(cert)?.[1] : undefined;
    if (partition && certPartition && certPartition !== partition)
        out.push({
            at: "ingress.certificateArn",
            message: `is an ARN of partition ${certPartition}, but ${region} is in partition ${partition}; use a certificate of the stack's own partition (arn:${partition}:acm:...)`,
        });
    const admins = record(values.cluster).adminPrincipalArns;
    const seen = new Map<string, number>();
    (Array.isArray(admins) ? admins : []).forEach((arn, i) => {
        if (typeof arn !== "string") return;
        const p = IAM_PRINCIPAL_ARN.exec(arn)?.[1];
        if (partition && p && p !== partition)
            out.push({
                at: `cluster.adminPrincipalArns[${i}]`,
                message: `is an ARN of partition ${p}, but ${region} is in partition ${partition}; EKS access entries take principals of the cluster's own partition`,
            });
        const first = seen.get(arn);
        if (first !== undefined)
            out.push({
                at: `cluster.adminPrincipalArns[${i}]`,
                message: `is also eks-istio:cluster.adminPrincipalArns[${first}]; EKS allows one access entry per principal, list it once`,
            });
        else seen.set(arn, i);
    });
    return out;
}
