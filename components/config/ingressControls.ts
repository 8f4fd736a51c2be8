// The edge controls of the ingress section (ingress.accessLogs, ingress.allowedCidrs): their
// schemas, beside contract.ts, which uses them. Rules across keys and against the stack's region are
// in checks/edge.ts; the defaults in contract.ts (DEFAULTS.ingress) and defaults.ts.
import { z } from "zod";
import { accessLogPrefixProblem, cidrProblem, s3BucketNameProblem } from "./primitives";

const ACCESS_LOGS_SHAPE =
    "must be true (a bucket the stack creates), false, or a map of settings (bucket, prefix, retentionDays)";

/** The settings of ingress.accessLogs: `bucket` (an existing bucket), `prefix`, `retentionDays`. */
const accessLogsSettings = z
    .strictObject(
        {
            bucket: z
                .string()
                .superRefine((b, ctx) => {
                    const problem = s3BucketNameProblem(b);
                    if (problem) ctx.addIssue({ code: "custom", message: problem });
                })
                .optional(),
            prefix: z
                .string()
                .superRefine((p, ctx) => {
                    const problem = accessLogPrefixProblem(p);
                    if (problem) ctx.addIssue({ code: "custom", message: problem });
                })
                .optional(),
            retentionDays: z
                .number({ error: "must be a whole number of days, such as 90" })
                .int({ error: "must be a whole number of days, such as 90" })
                .min(1, { error: "must be at least 1 day" })
                .optional(),
        },
        { error: (i) => (i.code === "invalid_type" ? ACCESS_LOGS_SHAPE : undefined) },
    )
    .superRefine((s, ctx) => {
        if (s.bucket !== undefined && s.retentionDays !== undefined)
            ctx.addIssue({
                code: "custom",
                path: ["retentionDays"],
                message:
                    "applies only to the bucket the stack creates; with accessLogs.bucket, the lifecycle rules of your bucket decide how long logs stay: remove one of the two keys",
            });
    });

/**
 * ingress.accessLogs: true (a bucket the stack creates, with defaults), false (off), or its settings.
 * `bucket` names an existing bucket instead; `retentionDays` is the lifecycle of the stack's own.
 */
export const accessLogsSchema = z.preprocess(
    (v) => (v === true ? {} : v === false ? undefined : v),
    accessLogsSettings.optional(),
);

/** An ALB allow-list entry: IPv4 only, since the ALBs here are IPv4 (no dualstack). */
export const albCidr = z.string().superRefine((c, ctx) => {
    const problem = c.includes(":")
        ? `"${c}" is an IPv6 block, but this stack's ALBs are IPv4 only, and the controller ignores IPv6 blocks on an IPv4 ALB; list IPv4 blocks such as 203.0.113.0/24`
        : cidrProblem(c);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
});
