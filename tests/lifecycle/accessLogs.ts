// What a real ALB asks of its access logs (part of the lifecycle model, ./cluster.ts):
//
// - `access_logs.s3.enabled` is always stated, true or false: the controller changes only the
//   attributes an annotation names, so logs turned off in config would stay on.
// - When logs go to a bucket the stack creates, the bucket and its policy exist before the Ingress:
//   the controller turns logging on as soon as it sees the Ingress, Elastic Load Balancing then
//   writes a test file and refuses a bucket it may not write to, and the controller's reconcile
//   fails (no ALB address, `pulumi up` times out). On destroy the Ingress, and its ALB, go first.
// - A stack being torn down can delete its buckets with logs in them (forceDestroy).
import { type RecordedResource, resourceKey } from "../../tools/mock/engine";
import type { Lifecycle } from "./model";

export const BUCKET = "aws:s3/bucket:Bucket";
export const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const ATTRIBUTES = "alb.ingress.kubernetes.io/load-balancer-attributes";

type Add = (rule: "access-logs" | "teardown", message: string) => void;

export function accessLogViolations(
    lc: Lifecycle,
    steps: RecordedResource[],
    ingresses: RecordedResource[],
    attributeMap: (annotation: string | undefined) => Map<string, string>,
    teardown: boolean,
    add: Add,
): void {
    const key = resourceKey;
    const buckets = steps.filter((r) => r.type === BUCKET);
    const policies = steps.filter((r) => r.type === BUCKET_POLICY);
    for (const i of ingresses) {
        const attributes = attributeMap(i.inputs.metadata?.annotations?.[ATTRIBUTES]);
        const enabled = attributes.get("access_logs.s3.enabled");
        if (enabled !== "true" && enabled !== "false") {
            add("access-logs", `${i.name} does not state access_logs.s3.enabled=true|false`);
            continue;
        }
        if (enabled === "false") continue;
        const name = attributes.get("access_logs.s3.bucket");
        if (!name) {
            add("access-logs", `${i.name} turns access logs on without access_logs.s3.bucket`);
            continue;
        }
        // A bucket the stack does not create is one the config says exists already.
        const bucket = buckets.find((b) => b.inputs.bucket === name);
        if (!bucket) continue;
        const policy = policies.filter((p) => p.inputs.bucket === name);
        if (policy.length === 0)
            add(
                "access-logs",
                `bucket ${name} has no bucket policy: Elastic Load Balancing may not write ${i.name}'s logs`,
            );
        for (const r of [bucket, ...policy])
            if (!lc.before(key(r), key(i)))
                add(
                    "access-logs",
                    `${i.name} may be created before ${r.name} (bucket ${name}): the controller's reconcile fails when Elastic Load Balancing cannot write its test file`,
                );
    }
    if (teardown)
        for (const b of buckets.filter((b) => b.inputs.forceDestroy !== true))
            add("teardown", `${b.name} has no forceDestroy: pulumi destroy fails while the bucket holds objects`);
}
