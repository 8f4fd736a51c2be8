// The S3 bucket an environment's ALB writes its access logs to, when the stack creates it: name,
// settings and bucket policy as plain data. What AWS requires of it (enable-access-logging in the
// ELB user guide): the ALB's region, SSE-S3 as the only server-side encryption (ELB cannot write
// with a KMS key), and a policy letting the region's log-delivery principal put objects under
// <prefix>/AWSLogs/<account>/.
import type { StackConfig } from "../config/contract";
import { elbLogDeliveryPrincipal } from "../config/elbLogDelivery";
import { partitionOf } from "../config/primitives";
import { type PolicyDocument, stackTags } from "./aws";

type BucketConfig = Pick<StackConfig, "environment" | "region" | "stack" | "production" | "teardown">;

/**
 * The bucket's name: unique where the ALB's name is (environment, account, region), since bucket
 * names are global. At most 57 characters: environments have at most 10, regions 14.
 */
export function accessLogBucketName(cfg: Pick<StackConfig, "environment" | "region">, accountId: string): string {
    return `eks-istio-${cfg.environment}-alb-logs-${accountId}-${cfg.region}`;
}

/**
 * The bucket itself. Production protects it (Pulumi `protect`, lifted by `teardown` only), and its
 * logs are evidence: `pulumi destroy` deletes it only empty, unless `teardown` says the stack is
 * going (forceDestroy empties it first). Outside production logs are disposable, so a destroy
 * empties it as it does everything else of a dev stack.
 */
export function accessLogBucketSpec(cfg: BucketConfig) {
    return {
        forceDestroy: !cfg.production || cfg.teardown,
        tags: stackTags(cfg),
    };
}

/** Settings of the bucket, each an S3 resource of its own. */
export const ACCESS_LOG_BUCKET = {
    // ACLs off: the bucket owner owns every object, whoever writes it.
    ownershipControls: { rule: { objectOwnership: "BucketOwnerEnforced" } },
    publicAccessBlock: {
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
    },
    // SSE-S3: the only encryption Elastic Load Balancing can write access logs with.
    encryption: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] },
} as const;

/** Every log file expires `retentionDays` after it was written. */
export function accessLogLifecycleRules(retentionDays: number) {
    return [{ id: "expire-access-logs", status: "Enabled", filter: {}, expiration: { days: retentionDays } }];
}

/**
 * The bucket policy: the region's Elastic Load Balancing log delivery may put objects under
 * `<prefix>/AWSLogs/<account>/` only, so no load balancer of another account can write here even
 * if it names this bucket; and nobody may use the bucket without TLS.
 */
export function accessLogBucketPolicy(a: {
    bucket: string;
    prefix: string;
    accountId: string;
    region: string;
}): PolicyDocument {
    const principal = elbLogDeliveryPrincipal(a.region);
    // The config refuses a bucket of the stack's own where AWS documents no principal.
    if (!principal) throw new Error(`no Elastic Load Balancing log-delivery principal is known for ${a.region}`);
    const bucketArn = `arn:${partitionOf(a.region)}:s3:::${a.bucket}`;
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "ElbAccessLogDelivery",
                Effect: "Allow",
                Principal: principal,
                Action: "s3:PutObject",
                Resource: `${bucketArn}/${a.prefix}/AWSLogs/${a.accountId}/*`,
            },
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: { AWS: "*" },
                Action: "s3:*",
                Resource: [bucketArn, `${bucketArn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    };
}
