import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "./config";
import {
    ACCESS_LOG_BUCKET,
    accessLogBucketName,
    accessLogBucketPolicy,
    accessLogBucketSpec,
    accessLogLifecycleRules,
} from "./manifests/accessLogs";

export interface AlbAccessLogsArgs {
    /** Environment, region and flags of the stack: the bucket's name, tags, protection and forceDestroy. */
    config: Pick<StackConfig, "environment" | "region" | "stack" | "production" | "teardown">;
    /** Where under the bucket the ALB writes (ingress.accessLogs.prefix). */
    prefix: string;
    /** Days each log file is kept (ingress.accessLogs.retentionDays). */
    retentionDays: number;
}

/**
 * The S3 bucket an environment's ALB writes its access logs to: SSE-S3, ACLs off, public access
 * blocked, expiring after `retentionDays`, with the policy the region's log delivery needs and
 * TLS required. The Ingress waits for this component, so the bucket and its policy exist before
 * the controller turns logging on (ELB writes a test file then, and refuses a bucket it cannot
 * write to); on destroy the Ingress, and with it the ALB, goes first.
 */
export class AlbAccessLogs extends pulumi.ComponentResource {
    /**
     * The bucket's name, for the Ingress's access_logs.s3.bucket attribute: from the account, known
     * at preview (the bucket's own output may not be, and the Ingress must not wait on it).
     */
    readonly bucketName: pulumi.Output<string>;

    constructor(name: string, args: AlbAccessLogsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-istio:edge:AlbAccessLogs", name, {}, opts);
        const { config } = args;
        const o = { parent: this };
        // The account the log files are written under (AWSLogs/<account>/), and part of the name.
        const accountId = aws.getCallerIdentityOutput({}, o).accountId;

        this.bucketName = accountId.apply((a) => accessLogBucketName(config, a));
        const bucket = new aws.s3.Bucket(
            name,
            { bucket: this.bucketName, ...accessLogBucketSpec(config) },
            { ...o, protect: config.production && !config.teardown },
        );

        // One at a time: S3 answers OperationAborted to concurrent changes of one bucket's settings.
        const ownership = new aws.s3.BucketOwnershipControls(
            `${name}-ownership`,
            { bucket: bucket.bucket, ...ACCESS_LOG_BUCKET.ownershipControls },
            o,
        );
        const publicAccess = new aws.s3.BucketPublicAccessBlock(
            `${name}-public-access`,
            { bucket: bucket.bucket, ...ACCESS_LOG_BUCKET.publicAccessBlock },
            { ...o, dependsOn: [ownership] },
        );
        const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-encryption`,
            { bucket: bucket.bucket, rules: ACCESS_LOG_BUCKET.encryption.rules.map((r) => ({ ...r })) },
            { ...o, dependsOn: [publicAccess] },
        );
        const lifecycle = new aws.s3.BucketLifecycleConfiguration(
            `${name}-lifecycle`,
            { bucket: bucket.bucket, rules: accessLogLifecycleRules(args.retentionDays) },
            { ...o, dependsOn: [encryption] },
        );
        new aws.s3.BucketPolicy(
            `${name}-policy`,
            {
                bucket: bucket.bucket,
                policy: pulumi
                    .all([bucket.bucket, accountId])
                    .apply(([b, accountId]) =>
                        JSON.stringify(
                            accessLogBucketPolicy({ bucket: b, prefix: args.prefix, accountId, region: config.region }),
                        ),
                    ),
            },
            { ...o, dependsOn: [lifecycle] },
        );
        this.registerOutputs({ bucketName: this.bucketName });
    }
}
