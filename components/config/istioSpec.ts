// Zod schemas for the parts of Istio's API that users write in stack config (VirtualService
// `http` routes). They follow the networking.istio.io/v1 CRD field by field and are strict, so a
// misspelt field ("weigth", "perTryTimout") is a config error here instead of being silently
// pruned by the API server's structural schema. Semantic rules the CRD cannot express (weights
// that sum to 100, exactly one action per route) are checked in config.ts where the key path is known.
import { z } from "zod";

const uint32 = z.number().int().min(0).max(4294967295);
const percent = z.number().min(0).max(100);

const DURATION = /^(\d+(\.\d+)?(h|m|s|ms|us|µs|ns))+$/;

/** Go-style duration as Istio accepts it ("1.5s", "300ms", "1h"); at least 1ms, like the CRD's CEL rule. */
export const duration = z
    .string()
    .regex(DURATION, {
        error: 'must be a duration such as "5s", "250ms" or "1m30s"',
    })
    // Only for well-formed durations: "5" is reported as not a duration, not also as too short.
    .refine((d) => !DURATION.test(d) || durationMs(d) >= 1, { error: "must be at least 1ms" });

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

// ---- DestinationRule (networking.istio.io/v1) -------------------------------------------------

/** Subset names end up in Envoy cluster names; Istio requires a DNS-1123 label. */
const subsetName = z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: 'must be a DNS-1123 label such as "v1" or "canary"' });
const int = z.number().int().min(0);
const stringList = z.array(z.string());

const loadBalancer = z
    .strictObject({
        simple: z
            .enum(["UNSPECIFIED", "LEAST_CONN", "RANDOM", "PASSTHROUGH", "ROUND_ROBIN", "LEAST_REQUEST"])
            .optional(),
        consistentHash: z
            .strictObject({
                httpHeaderName: z.string(),
                httpCookie: z.strictObject({ name: z.string(), path: z.string().optional(), ttl: duration.optional() }),
                useSourceIp: z.boolean(),
                httpQueryParameterName: z.string(),
                ringHash: z.strictObject({ minimumRingSize: int.optional() }),
                maglev: z.strictObject({ tableSize: int.optional() }),
                minimumRingSize: int,
            })
            .partial()
            .optional(),
        localityLbSetting: z
            .strictObject({
                distribute: z.array(z.strictObject({ from: z.string(), to: z.record(z.string(), int) })),
                failover: z.array(z.strictObject({ from: z.string(), to: z.string() })),
                failoverPriority: stringList,
                enabled: z.boolean(),
            })
            .partial()
            .optional(),
        warmupDurationSecs: duration.optional(),
        warmup: z
            .strictObject({
                duration,
                minimumPercent: z.number().min(0).max(100).optional(),
                aggression: z.number().min(1).optional(),
            })
            .optional(),
    })
    .refine((lb) => !(lb.simple !== undefined && lb.consistentHash !== undefined), {
        error: "set either simple or consistentHash, not both",
    });

const connectionPool = z
    .strictObject({
        tcp: z
            .strictObject({
                maxConnections: int,
                connectTimeout: duration,
                tcpKeepalive: z.strictObject({ probes: int, time: duration, interval: duration }).partial(),
                maxConnectionDuration: duration,
                idleTimeout: duration,
            })
            .partial(),
        http: z
            .strictObject({
                http1MaxPendingRequests: int,
                http2MaxRequests: int,
                maxRequestsPerConnection: int,
                maxRetries: int,
                idleTimeout: duration,
                h2UpgradePolicy: z.enum(["DEFAULT", "DO_NOT_UPGRADE", "UPGRADE"]),
                useClientProtocol: z.boolean(),
                maxConcurrentStreams: int,
            })
            .partial(),
    })
    .partial();

const outlierDetection = z
    .strictObject({
        consecutiveLocalOriginFailures: int,
        consecutiveGatewayErrors: int,
        consecutive5xxErrors: int,
        splitExternalLocalOriginErrors: z.boolean(),
        interval: duration,
        baseEjectionTime: duration,
        maxEjectionPercent: z.number().int().min(0).max(100),
        minHealthPercent: z.number().int().min(0).max(100),
    })
    .partial();

const clientTls = z
    .strictObject({
        mode: z.enum(["DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"]),
        clientCertificate: z.string(),
        privateKey: z.string(),
        caCertificates: z.string(),
        credentialName: z.string(),
        subjectAltNames: stringList,
        sni: z.string(),
        insecureSkipVerify: z.boolean(),
        caCrl: z.string(),
    })
    .partial();

const policyCore = {
    loadBalancer: loadBalancer.optional(),
    connectionPool: connectionPool.optional(),
    outlierDetection: outlierDetection.optional(),
    tls: clientTls.optional(),
};

export const trafficPolicy = z.strictObject({
    ...policyCore,
    portLevelSettings: z.array(z.strictObject({ port: z.strictObject({ number: uint32 }), ...policyCore })).optional(),
    proxyProtocol: z.strictObject({ version: z.enum(["V1", "V2"]) }).optional(),
    tunnel: z.strictObject({ protocol: z.string().optional(), targetHost: z.string(), targetPort: uint32 }).optional(),
    retryBudget: z
        .strictObject({ percent: z.number().min(0).max(100), minRetryConcurrency: uint32 })
        .partial()
        .optional(),
});

export const destinationRule = z.strictObject({
    host: z.string({ error: "is required: the Service the rule applies to, e.g. frontend" }).min(1),
    subsets: z
        .array(
            z.strictObject({
                name: subsetName,
                labels: z.record(z.string(), z.string()).optional(),
                trafficPolicy: trafficPolicy.optional(),
            }),
        )
        .optional(),
    trafficPolicy: trafficPolicy.optional(),
    exportTo: stringList.optional(),
    workloadSelector: z.strictObject({ matchLabels: z.record(z.string(), z.string()) }).optional(),
});

// ---- AuthorizationPolicy rules (security.istio.io/v1) ------------------------------------------

const source = z
    .strictObject({
        principals: stringList,
        notPrincipals: stringList,
        requestPrincipals: stringList,
        notRequestPrincipals: stringList,
        namespaces: stringList,
        notNamespaces: stringList,
        ipBlocks: stringList,
        notIpBlocks: stringList,
        remoteIpBlocks: stringList,
        notRemoteIpBlocks: stringList,
        serviceAccounts: stringList.max(16),
        notServiceAccounts: stringList.max(16),
    })
    .partial();

const operation = z
    .strictObject({
        hosts: stringList,
        notHosts: stringList,
        ports: stringList,
        notPorts: stringList,
        methods: stringList,
        notMethods: stringList,
        paths: stringList,
        notPaths: stringList,
    })
    .partial();

export const authorizationRule = z.strictObject({
    from: z.array(z.strictObject({ source })).optional(),
    to: z.array(z.strictObject({ operation })).optional(),
    when: z
        .array(z.strictObject({ key: z.string(), values: stringList.optional(), notValues: stringList.optional() }))
        .optional(),
});

// ---- ServiceEntry (networking.istio.io/v1) -----------------------------------------------------

const PROTOCOLS = ["HTTP", "HTTPS", "GRPC", "HTTP2", "MONGO", "TCP", "TLS"] as const;

// The CRD's CEL rules (endpoints vs workloadSelector, CIDR addresses, NONE and DNS_ROUND_ROBIN
// endpoints, duplicate port numbers) and istiod's (FQDN hosts for DNS resolution) are not copied
// here: components/validation checks the generated ServiceEntry against the vendored CRD file and
// the webhook's rules, and reports them at the same config keys.
export const serviceEntry = z.strictObject({
    hosts: z.array(z.string().min(1)).min(1, { error: "must list at least one host, e.g. api.example.com" }),
    addresses: stringList.optional(),
    ports: z
        .array(
            z.strictObject({
                number: z.number().int().min(1).max(65535),
                protocol: z.enum(PROTOCOLS).optional(),
                name: z.string({ error: "is required: a port name such as https" }).min(1),
                targetPort: z.number().int().min(1).max(65535).optional(),
            }),
        )
        .optional(),
    location: z.enum(["MESH_EXTERNAL", "MESH_INTERNAL"]).optional(),
    resolution: z.enum(["NONE", "STATIC", "DNS", "DNS_ROUND_ROBIN", "DYNAMIC_DNS"]).optional(),
    endpoints: z
        .array(
            z.strictObject({
                address: z.string().optional(),
                ports: z.record(z.string(), uint32).optional(),
                labels: z.record(z.string(), z.string()).optional(),
                network: z.string().optional(),
                locality: z.string().optional(),
                weight: uint32.optional(),
                serviceAccount: z.string().optional(),
            }),
        )
        .optional(),
    workloadSelector: z.strictObject({ labels: z.record(z.string(), z.string()) }).optional(),
    exportTo: stringList.optional(),
    subjectAltNames: stringList.optional(),
});

export type DestinationRuleSpec = z.infer<typeof destinationRule>;
export type AuthorizationRule = z.infer<typeof authorizationRule>;
export type ServiceEntrySpec = z.infer<typeof serviceEntry>;
