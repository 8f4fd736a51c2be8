// Rules AWS applies that the field patterns do not: ARNs of the stack's own partition (China and
// GovCloud regions have their own), and no principal listed twice, in one list or across the admin
// and viewer lists (EKS refuses a second access entry for the same principal, after the cluster
// exists).
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
    // Both lists become access entries: one principal, one entry, whichever list names it.
    const cluster = record(values.cluster);
    const seen = new Map<string, string>();
    for (const key of ["adminPrincipalArns", "viewerPrincipalArns"] as const) {
        const arns = cluster[key];
        (Array.isArray(arns) ? arns : []).forEach((arn, i) => {
            if (typeof arn !== "string") return;
            const at = `cluster.${key}[${i}]`;
            const p = IAM_PRINCIPAL_ARN.exec(arn)?.[1];
            if (partition && p && p !== partition)
                out.push({
                    at,
                    message: `is an ARN of partition ${p}, but ${region} is in partition ${partition}; EKS access entries take principals of the cluster's own partition`,
                });
            const first = seen.get(arn);
            if (first === undefined) seen.set(arn, at);
            else if (first.startsWith(`cluster.${key}[`))
                out.push({
                    at,
                    message: `is also eks-istio:${first}; EKS allows one access entry per principal, list it once`,
                });
            else
                out.push({
                    at,
                    message: `is also eks-istio:${first}: a principal is either an administrator (adminPrincipalArns) or read-only (viewerPrincipalArns), not both; EKS allows one access entry per principal, so remove it from one of the two lists`,
                });
        });
    }
    return out;
}
