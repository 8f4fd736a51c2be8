// Who writes ALB access logs into a bucket, per region: the vendored table elbLogDeliveryAccounts.json
// (sources cited there). Regions that existed before August 2022 deliver as a regional Elastic
// Load Balancing account, which the bucket policy names as `arn:<partition>:iam::<account>:root`;
// newer regions of the commercial partition deliver as the service principal
// logdelivery.elasticloadbalancing.amazonaws.com. A region of another partition that the table
// does not list has no documented principal, and the config refuses a bucket of the stack's own
// there (an existing bucket can still be named).
import table from "./elbLogDeliveryAccounts.json";
import { partitionOf } from "./primitives";

export type LogDeliveryPrincipal = { AWS: string } | { Service: string };

export const ELB_LOG_DELIVERY = table as {
    servicePrincipal: string;
    servicePrincipalPartitions: string[];
    accounts: Record<string, string>;
};

/** The principal ELB writes access logs as in `region`, or undefined where nothing is documented. */
export function elbLogDeliveryPrincipal(region: string): LogDeliveryPrincipal | undefined {
    const partition = partitionOf(region);
    const account = ELB_LOG_DELIVERY.accounts[region];
    if (account) return { AWS: `arn:${partition}:iam::${account}:root` };
    if (ELB_LOG_DELIVERY.servicePrincipalPartitions.includes(partition))
        return { Service: ELB_LOG_DELIVERY.servicePrincipal };
    return undefined;
}
