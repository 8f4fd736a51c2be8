// Generated stack configs across the switches that add, remove or reorder resources, shared by the
// specs that judge a whole stack per config (lifecycle.spec.ts, owners.spec.ts): the same seed gives
// the same configs, so each is evaluated once (evaluateProgram's cache) and judged by each spec.
import fc from "fast-check";
import { toConfigMap } from "./harness";

const certificateArn = "arn:aws:acm:ap-northeast-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000000";
const addon = fc.constantFrom(undefined, true);
// Production, teardown, target type, scheme, extra environments on the gateway, and which
// add-ons run where: every switch that adds, removes or reorders resources. Production stacks get
// a certificate (production ALBs serve HTTPS).
export const SWITCHES = fc.record({
    production: fc.boolean(),
    teardown: fc.boolean(),
    targetType: fc.constantFrom("instance", "ip"),
    scheme: fc.constantFrom("internet-facing", "internal"),
    extraEnvironments: fc.integer({ min: 0, max: 2 }),
    accessLogs: fc.boolean(),
    observability: fc.record({
        namespace: fc.constantFrom("observability", "istio-system"),
        // A map of settings: Prometheus on a volume (the EBS CSI add-on and a StorageClass).
        prometheus: fc.constantFrom(undefined, true, { storage: { size: "20Gi" } }),
        kiali: addon,
        grafana: addon,
        tracing: addon,
    }),
});
export type Switches = typeof SWITCHES extends fc.Arbitrary<infer T> ? T : never;
export const configOf = (s: Switches) =>
    toConfigMap({
        "aws:region": "ap-northeast-1",
        "eks-istio:production": s.production,
        "eks-istio:teardown": s.teardown,
        "eks-istio:ingress": {
            port: 7000,
            targetType: s.targetType,
            scheme: s.scheme,
            accessLogs: s.accessLogs,
            ...(s.production ? { certificateArn } : {}),
        },
        "eks-istio:istio": {
            extraGatewayPorts: [7100, 7200]
                .slice(0, s.extraEnvironments)
                .map((port, i) => ({ environment: `qa${i + 2}`, port })),
        },
        "eks-istio:observability": Object.fromEntries(
            Object.entries(s.observability).filter(([, v]) => v !== undefined),
        ),
    });

/** The runs: a few, from a fixed seed, and the example every spec judges first. */
export const SWITCH_RUNS: fc.Parameters<[Switches]> = {
    // Each run evaluates the whole program: a few, from a fixed seed; a failure prints
    // the seed, the path and the switches. The first example is the teardown of a
    // production stack with ip targets, access logs to its own bucket, and every add-on
    // in istio-system, Prometheus on a volume.
    seed: 11,
    numRuns: 3,
    examples: [
        [
            {
                production: true,
                teardown: true,
                targetType: "ip",
                scheme: "internet-facing",
                extraEnvironments: 2,
                accessLogs: true,
                observability: {
                    namespace: "istio-system",
                    prometheus: { storage: { size: "20Gi" } },
                    kiali: true,
                    grafana: true,
                    tracing: true,
                },
            },
        ],
    ],
};
