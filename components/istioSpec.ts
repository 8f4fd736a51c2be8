// Zod schemas for the parts of Istio's API that users write in stack config (VirtualService
// `http` routes). They follow the networking.istio.io/v1 CRD field by field and are strict, so a
// misspelt field ("weigth", "perTryTimout") is a config error here instead of being silently
// pruned by the API server's structural schema. Semantic rules the CRD cannot express (weights
// that sum to 100, exactly one action per route) are checked in config.ts where the key path is known.
import { z } from "zod";

const uint32 = z.number().int().min(0).max(4294967295);
const percent = z.number().min(0).max(100);

/** Go-style duration as Istio accepts it ("1.5s", "300ms", "1h"); at least 1ms, like the CRD's CEL rule. */
export const duration = z
    .string()
    .regex(/^(\d+(\.\d+)?(h|m|s|ms|us|µs|ns))+$/, {
        error: 'must be a duration such as "5s", "250ms" or "1m30s"',
    })
    .refine((d) => durationMs(d) >= 1, { error: "must be at least 1ms" });

/** Milliseconds in a Go-style duration; used to enforce Istio's 1ms minimum. */
export function durationMs(d: string): number {
    const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 1e-3, µs: 1e-3, ns: 1e-6 };
    let total = 0;
    for (const [, n, , u] of d.matchAll(/(\d+(\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) total += Number(n) * unit[u];
    return total;
}

/** Istio StringMatch: exactly one of exact, prefix, regex. */
export const stringMatch = z
    .strictObject({ exact: z.string(), prefix: z.string(), regex: z.string() })
    .partial()
    .refine((m) => Object.keys(m).length === 1, {
        error: "must set exactly one of exact, prefix or regex",
    });

const headerOperations = z.strictObject({
    set: z.record(z.string(), z.string()).optional(),
    add: z.record(z.string(), z.string()).optional(),
    remove: z.array(z.string()).optional(),
});
const headers = z.strictObject({ request: headerOperations.optional(), response: headerOperations.optional() });

export const destination = z.strictObject({
    host: z.string({ error: "is required: the Kubernetes Service (or ServiceEntry host) to send traffic to" }).min(1),
    subset: z.string().min(1).optional(),
    port: z.strictObject({ number: uint32 }).optional(),
});

const percentage = z.strictObject({ value: percent });

const matchRequest = z.strictObject({
    name: z.string().optional(),
    uri: stringMatch.optional(),
    scheme: stringMatch.optional(),
    method: stringMatch.optional(),
    authority: stringMatch.optional(),
    headers: z.record(z.string(), stringMatch).optional(),
    port: uint32.optional(),
    sourceLabels: z.record(z.string(), z.string()).optional(),
    gateways: z.array(z.string()).optional(),
    queryParams: z.record(z.string(), stringMatch).optional(),
    ignoreUriCase: z.boolean().optional(),
    withoutHeaders: z.record(z.string(), stringMatch).optional(),
    sourceNamespace: z.string().optional(),
    statPrefix: z.string().optional(),
});

export const httpRoute = z.strictObject({
    name: z.string().optional(),
    match: z.array(matchRequest).optional(),
    route: z
        .array(
            z.strictObject({
                destination,
                weight: z.number().int().min(0).max(100).optional(),
                headers: headers.optional(),
            }),
        )
        .min(1)
        .optional(),
    redirect: z
        .strictObject({
            uri: z.string().optional(),
            authority: z.string().optional(),
            port: uint32.optional(),
            derivePort: z.enum(["FROM_PROTOCOL_DEFAULT", "FROM_REQUEST_PORT"]).optional(),
            scheme: z.string().optional(),
            redirectCode: z.number().int().min(300).max(399).optional(),
        })
        .optional(),
    directResponse: z
        .strictObject({
            status: z.number().int().min(200).max(599),
            body: z
                .strictObject({ string: z.string(), bytes: z.base64() })
                .partial()
                .refine((b) => Object.keys(b).length === 1, { error: "must set exactly one of string or bytes" })
                .optional(),
        })
        .optional(),
    rewrite: z
        .strictObject({
            uri: z.string().optional(),
            authority: z.string().optional(),
            uriRegexRewrite: z.strictObject({ match: z.string(), rewrite: z.string() }).optional(),
        })
        .refine((r) => !(r.uri !== undefined && r.uriRegexRewrite !== undefined), {
            error: "set either uri or uriRegexRewrite, not both",
        })
        .optional(),
    timeout: duration.optional(),
    retries: z
        .strictObject({
            attempts: z.number().int().min(0).optional(),
            perTryTimeout: duration.optional(),
            retryOn: z.string().optional(),
            retryRemoteLocalities: z.boolean().optional(),
            retryIgnorePreviousHosts: z.boolean().optional(),
            backoff: duration.optional(),
        })
        .optional(),
    fault: z
        .strictObject({
            delay: z
                .strictObject({
                    fixedDelay: duration.optional(),
                    exponentialDelay: duration.optional(),
                    percentage: percentage.optional(),
                })
                .refine((d) => (d.fixedDelay === undefined) !== (d.exponentialDelay === undefined), {
                    error: "must set exactly one of fixedDelay or exponentialDelay",
                })
                .optional(),
            abort: z
                .strictObject({
                    httpStatus: z.number().int().min(200).max(599).optional(),
                    grpcStatus: z.string().optional(),
                    http2Error: z.string().optional(),
                    percentage: percentage.optional(),
                })
                .refine((a) => [a.httpStatus, a.grpcStatus, a.http2Error].filter((x) => x !== undefined).length === 1, {
                    error: "must set exactly one of httpStatus, grpcStatus or http2Error",
                })
                .optional(),
        })
        .optional(),
    mirror: destination.optional(),
    mirrorPercentage: percentage.optional(),
    mirrors: z.array(z.strictObject({ destination, percentage: percentage.optional() })).optional(),
    corsPolicy: z
        .strictObject({
            allowOrigins: z.array(stringMatch).optional(),
            allowMethods: z.array(z.string()).optional(),
            allowHeaders: z.array(z.string()).optional(),
            exposeHeaders: z.array(z.string()).optional(),
            maxAge: duration.optional(),
            allowCredentials: z.boolean().optional(),
            unmatchedPreflights: z.enum(["UNSPECIFIED", "FORWARD", "IGNORE"]).optional(),
        })
        .optional(),
    headers: headers.optional(),
});

export type HttpRoute = z.infer<typeof httpRoute>;
