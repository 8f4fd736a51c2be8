// What a real cluster imposes on the order and settings of a stack (DESIGN.md, "What a real cluster
// asks"), checked over the engine's graph (./model.ts). No cluster runs in the tests, so each fact a
// cluster would teach by failing is written down here, with where it comes from:
//
// - CHARTS: per Helm chart, whether its release runs pods (needs nodes), creates Services, serves
//   webhooks (and on what, fail-closed or not), runs an HPA, and what PodDisruptionBudget it makes,
//   all read from the release's values as the chart's templates read them. A chart not listed is an
//   error: a new release must say what it does before the model can vouch for it.
// - Object kinds: Ingresses are validated by the load balancer controller's webhook; Istio custom
//   resources by istiod's; pods are injected by the webhook their labels select (./injection.ts).
import { type RecordedResource, resourceKey } from "../../tools/mock/engine";
import { accessLogViolations } from "./accessLogs";
import { injectionProblems, injectorsOf, workloadsOf } from "./injection";
import { lifecycleOf } from "./model";
import { storageViolations } from "./storage";

export const RELEASE = "kubernetes:helm.sh/v3:Release";
export const INGRESS = "kubernetes:networking.k8s.io/v1:Ingress";
export const NAMESPACE = "kubernetes:core/v1:Namespace";
export const SERVICE = "kubernetes:core/v1:Service";
export const MUTATING_WEBHOOK = "kubernetes:admissionregistration.k8s.io/v1:MutatingWebhookConfiguration";
/** Node groups, whichever way the cluster component builds them. */
export const NODE_GROUP_TYPES = ["eks:index:ManagedNodeGroup", "aws:eks/nodeGroup:NodeGroup", "eks:index:NodeGroupV2"];
const ISTIO_CR = /^kubernetes:(networking|security|telemetry|extensions)\.istio\.io\//;
const ALB = "alb.ingress.kubernetes.io";
/** The Kubernetes default NodePort range's static band (KEP-3668): min(max(16, 2768/32), 128) = 86 ports. */
export const STATIC_NODE_PORTS = { from: 30000, to: 30085 };

type Values = Record<string, any>;

/** What kind of object a webhook intercepts. */
export type Intercepted = "Service" | "Ingress" | "IstioConfig" | "ReadinessGatePod";

export interface Webhook {
    name: string;
    intercepts: Intercepted;
    /** "refused": failurePolicy Fail; "unmutated": failurePolicy Ignore, but the mutation is needed. */
    effect: "refused" | "unmutated";
}

export interface Pdb {
    minReplicas: number;
    minAvailable?: number | string;
    maxUnavailable?: number | string;
}

interface ChartFacts {
    runsPods: boolean;
    createsServices: boolean;
    /** Its pods get istiod's sidecar/gateway injection, from the webhook their labels select (./injection.ts). */
    injected?: boolean;
    /** Its pods are ALB ip targets that need the controller's readiness gate (targetType ip). */
    albTargets?: boolean;
    webhooks?: (v: Values) => Webhook[];
    pdb?: (v: Values) => Pdb | undefined;
    hpa?: (v: Values) => boolean;
    /** Serves the resource metrics API (metrics.k8s.io) HPAs read. */
    metricsApi?: boolean;
    /** The StorageClass of each PersistentVolumeClaim the release creates. */
    claims?: (v: Values) => string[];
}

const failurePolicy = (p: unknown): Webhook["effect"] => (p === "Ignore" ? "unmutated" : "refused");

/** By chart name. Defaults are the charts' own (tests/fixtures/charts). */
export const CHARTS: Record<string, ChartFacts> = {
    "aws-load-balancer-controller": {
        runsPods: true,
        createsServices: true,
        webhooks: (v) => [
            // templates/webhook.yaml: mutating webhook on every Service CREATE, failurePolicy Fail.
            ...(v.enableServiceMutatorWebhook === false
                ? []
                : [
                      {
                          name: "Service mutator",
                          intercepts: "Service" as const,
                          effect: failurePolicy(v.serviceMutatorWebhookConfig?.failurePolicy),
                      },
                  ]),
            ...(v.webhookConfig?.disableIngressValidation === true
                ? []
                : [
                      {
                          name: "Ingress validator",
                          intercepts: "Ingress" as const,
                          effect: failurePolicy(v.webhookConfig?.ingressValdationFailurePolicy),
                      },
                  ]),
            // failurePolicy Ignore: a pod created without it silently has no readiness gate.
            { name: "pod readiness gate injector", intercepts: "ReadinessGatePod", effect: "unmutated" },
        ],
        // templates/pdb.yaml: only with replicaCount > 1.
        pdb: (v) =>
            (v.replicaCount ?? 2) > 1 && v.podDisruptionBudget && Object.keys(v.podDisruptionBudget).length
                ? { minReplicas: v.replicaCount ?? 2, ...v.podDisruptionBudget }
                : undefined,
    },
    base: { runsPods: false, createsServices: false },
    istiod: {
        runsPods: true,
        createsServices: true,
        // Its injection webhooks select pods by label: ./injection.ts checks those.
        webhooks: () => [{ name: "config validation", intercepts: "IstioConfig", effect: "refused" }],
        // templates/poddisruptionbudget.yaml: maxUnavailable when set, else minAvailable (1).
        pdb: (v) =>
            v.global?.defaultPodDisruptionBudget?.enabled === false
                ? undefined
                : {
                      minReplicas: v.autoscaleEnabled === false ? (v.replicaCount ?? 1) : (v.autoscaleMin ?? 1),
                      ...(v.pdb?.maxUnavailable !== undefined
                          ? { maxUnavailable: v.pdb.maxUnavailable }
                          : { minAvailable: v.pdb?.minAvailable ?? 1 }),
                  },
        hpa: (v) => v.autoscaleEnabled !== false,
    },
    gateway: {
        runsPods: true,
        createsServices: true,
        injected: true,
        albTargets: true,
        pdb: (v) =>
            v.podDisruptionBudget && Object.keys(v.podDisruptionBudget).length
                ? {
                      minReplicas:
                          v.autoscaling?.enabled === false ? (v.replicaCount ?? 1) : (v.autoscaling?.minReplicas ?? 1),
                      ...v.podDisruptionBudget,
                  }
                : undefined,
        hpa: (v) => v.autoscaling?.enabled !== false,
    },
    prometheus: {
        runsPods: true,
        createsServices: true,
        // With server.persistentVolume.enabled the server's volume is a claim (templates/server/pvc.yaml,
        // or the StatefulSet's claim template) of class server.persistentVolume.storageClass.
        claims: (v) =>
            v.server?.persistentVolume?.enabled === true ? [String(v.server.persistentVolume.storageClass ?? "")] : [],
    },
    "kiali-server": { runsPods: true, createsServices: true },
    grafana: { runsPods: true, createsServices: true },
    jaeger: { runsPods: true, createsServices: true },
    "metrics-server": {
        runsPods: true,
        createsServices: true,
        metricsApi: true,
        pdb: (v) =>
            v.podDisruptionBudget?.enabled
                ? { minReplicas: v.replicas ?? 1, ...without(v.podDisruptionBudget, "enabled") }
                : undefined,
    },
    "cluster-autoscaler": {
        runsPods: true,
        createsServices: true,
        pdb: (v) =>
            v.podDisruptionBudget ? { minReplicas: v.replicaCount ?? 1, ...v.podDisruptionBudget } : undefined,
    },
};

function without(o: Values, key: string): Values {
    return Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
}

export function chartOf(r: RecordedResource): ChartFacts {
    const facts = CHARTS[r.inputs.chart as string];
    if (!facts) throw new Error(`${r.name}: chart "${r.inputs.chart}" is not in tests/lifecycle/cluster.ts CHARTS`);
    return facts;
}

/** Disruptions a PDB allows when the workload runs at its minimum replica count. */
export function allowedDisruptions(p: Pdb): number {
    const count = (x: number | string, roundUp: boolean) => {
        if (typeof x === "number") return x;
        const share = (p.minReplicas * Number(x.replace(/%$/, ""))) / 100;
        return roundUp ? Math.ceil(share) : Math.floor(share);
    };
    // Kubernetes rounds both percentages up (pkg/controller/disruption).
    if (p.maxUnavailable !== undefined) return Math.min(count(p.maxUnavailable, true), p.minReplicas);
    return Math.max(0, p.minReplicas - count(p.minAvailable ?? 0, true));
}

/** "key=value,key=value" annotations of the controller, as a map. */
export function attributeMap(annotation: string | undefined): Map<string, string> {
    return new Map(
        (annotation ?? "")
            .split(",")
            .map((kv) => kv.trim())
            .filter(Boolean)
            .map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)] as [string, string]),
    );
}

/** Seconds of a duration such as "45s" or "1m30s". */
function seconds(d: unknown): number | undefined {
    if (typeof d !== "string") return undefined;
    const m = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(d);
    return m ? Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) : undefined;
}

/** The invariants, in the order they are checked and reported. */
export const RULES = [
    "webhook",
    "injection",
    "nodes",
    "destroy",
    "finalizers",
    "namespace",
    "pdb",
    "hpa",
    "deletion-protection",
    "access-logs",
    "storage",
    "teardown",
    "tags",
    "nodeport",
    "rollout",
] as const;

export interface Violation {
    rule: (typeof RULES)[number];
    message: string;
}

/** Every invariant of DESIGN.md's "What a real cluster asks", over one stack's recorded resources. */
export function clusterViolations(resources: RecordedResource[]): Violation[] {
    const lc = lifecycleOf(resources);
    const steps = [...lc.steps.values()].map((s) => s.resource);
    const out: Violation[] = [];
    const add = (rule: Violation["rule"], message: string) => out.push({ rule, message });
    const key = resourceKey;
    const releases = steps.filter((r) => r.type === RELEASE);
    const ingresses = steps.filter((r) => r.type === INGRESS);
    const nodes = steps.filter((r) => NODE_GROUP_TYPES.includes(r.type));
    const chart = (name: string) => releases.find((r) => r.inputs.chart === name);
    const controller = chart("aws-load-balancer-controller");
    const gateway = chart("gateway");
    const ipTargets = ingresses.some((i) => i.inputs.metadata?.annotations?.[`${ALB}/target-type`] === "ip");

    // Webhooks: nothing they intercept is created before their pods answer. (The owner's own
    // objects are excluded from its webhooks by the charts' object selectors.)
    const intercepted = (what: Intercepted): RecordedResource[] => {
        switch (what) {
            case "Service":
                return [
                    ...steps.filter((r) => r.type === SERVICE),
                    ...releases.filter((r) => chartOf(r).createsServices),
                ];
            case "Ingress":
                return ingresses;
            case "IstioConfig":
                return steps.filter((r) => ISTIO_CR.test(r.type));
            case "ReadinessGatePod":
                return ipTargets ? releases.filter((r) => chartOf(r).albTargets) : [];
        }
    };
    for (const owner of releases)
        for (const hook of chartOf(owner).webhooks?.(owner.inputs.values ?? {}) ?? [])
            for (const x of intercepted(hook.intercepts))
                if (x !== owner && !lc.before(key(owner), key(x)))
                    add(
                        "webhook",
                        `${x.name} may be created before ${owner.name} serves its ${hook.name} webhook: ` +
                            (hook.effect === "refused"
                                ? "the API server refuses it (failurePolicy Fail)"
                                : "its pods start without the mutation (failurePolicy Ignore)"),
                    );

    // Sidecar injection: each workload labelled for it is injected by a webhook that exists first.
    // An attached stack has no istiod of its own: the owner's webhooks inject its namespaces.
    const istiods = releases.filter((r) => r.inputs.chart === "istiod");
    if (istiods.length)
        for (const message of injectionProblems(
            injectorsOf(
                istiods,
                steps.filter((r) => r.type === MUTATING_WEBHOOK),
            ),
            workloadsOf(
                steps.filter((r) => r.type === NAMESPACE),
                releases.filter((r) => chartOf(r).injected),
            ),
            (a, b) => lc.before(key(a), key(b)),
        ))
            add("injection", message);

    // Pods need nodes: a release whose pods stay Pending times out, and atomic rolls it back. Its
    // pods may land on any group, so it waits for every one, and on destroy goes before every one
    // (a node group deleted first drains and terminates nodes that still run them).
    for (const r of releases.filter((r) => chartOf(r).runsPods)) {
        const before = nodes.filter((n) => lc.before(key(n), key(r)));
        if (before.length === 0) add("nodes", `${r.name} runs pods but may be created before any node group exists`);
        else
            for (const n of nodes.filter((n) => !before.includes(n)))
                add("nodes", `${r.name} runs pods but may outlive node group ${n.name} on destroy`);
    }

    // Destroy: the controller deletes the ALB when the Ingress goes; it must still run, on nodes.
    for (const i of ingresses) {
        if (controller && !lc.before(key(controller), key(i)))
            add("destroy", `${i.name} may outlive ${controller.name} on destroy: nobody deletes its ALB`);
        for (const n of nodes)
            if (!lc.before(key(n), key(i)))
                add("destroy", `${i.name} may outlive ${n.name} on destroy: the controller's pods are gone`);
    }

    // Deleting a namespace deletes what users created in it: Ingresses, TargetGroupBindings and
    // LoadBalancer Services carry finalizers only the load balancer controller clears (after
    // deleting the ALB, target groups and security groups). A namespace that may outlive the
    // controller, or the nodes its pods run on, hangs in Terminating and leaks its ALB. An attached
    // stack has neither: the owner's controller serves its namespaces, destroyed first.
    for (const ns of steps.filter((r) => r.type === NAMESPACE)) {
        const what = `the finalizers of the Ingresses, TargetGroupBindings and LoadBalancer Services in namespace ${ns.inputs.metadata?.name}`;
        if (controller && !lc.before(key(controller), key(ns)))
            add(
                "finalizers",
                `${ns.name} may outlive ${controller.name} on destroy: nothing clears ${what}, so the namespace hangs and its ALBs leak`,
            );
        for (const n of nodes)
            if (!lc.before(key(n), key(ns)))
                add(
                    "finalizers",
                    `${ns.name} may outlive ${n.name} on destroy: with the controller's pods gone, nothing clears ${what}`,
                );
    }

    // Namespaced objects go before their namespace, and come after it.
    const namespaces = new Map(
        steps.filter((r) => r.type === NAMESPACE).map((n) => [n.inputs.metadata?.name as string, n]),
    );
    for (const r of steps) {
        const ns = r.type === RELEASE ? r.inputs.namespace : r.inputs.metadata?.namespace;
        const owner = typeof ns === "string" ? namespaces.get(ns) : undefined;
        if (owner && !lc.before(key(owner), key(r)))
            add("namespace", `${r.name} may be created before, or outlive on destroy, its namespace ${ns}`);
    }

    // Every PDB allows an eviction at the minimum replica count, or node upgrades cannot drain.
    for (const r of releases) {
        const pdb = chartOf(r).pdb?.(r.inputs.values ?? {});
        if (pdb && allowedDisruptions(pdb) < 1)
            add(
                "pdb",
                `${r.name}'s PodDisruptionBudget allows no eviction at ${pdb.minReplicas} replica(s) (${JSON.stringify(without(pdb, "minReplicas"))}): node group updates fail with PodEvictionFailure`,
            );
    }

    // Add-ons that run pods wait for the nodes; volumes for their class and driver.
    storageViolations(lc, steps, nodes, releases, (r) => chartOf(r).claims?.(r.inputs.values ?? {}) ?? [], add);

    // HPAs need the resource metrics API.
    const metrics = releases.some((r) => chartOf(r).metricsApi);
    for (const r of releases)
        if (chartOf(r).hpa?.(r.inputs.values ?? {}) && !metrics)
            add("hpa", `${r.name} has an HPA but nothing in the cluster serves metrics.k8s.io`);

    // ALB settings the controller only changes when named.
    for (const i of ingresses) {
        const a = i.inputs.metadata?.annotations ?? {};
        const dp = attributeMap(a[`${ALB}/load-balancer-attributes`]).get("deletion_protection.enabled");
        if (dp !== "true" && dp !== "false")
            add("deletion-protection", `${i.name} does not state deletion_protection.enabled=true|false`);
    }

    // Access logs: always stated, and their bucket ready before the Ingress; emptied on teardown.
    const teardown = ingresses.some((i) => i.inputs.metadata?.labels?.["eks-istio/teardown"] === "true");
    accessLogViolations(lc, steps, ingresses, attributeMap, teardown, add);

    // A stack marked for teardown must be destroyable as it is: nothing protected anywhere.
    if (teardown) {
        for (const r of steps.filter((r) => r.protect))
            add("teardown", `${r.name} is still protected (Pulumi protect): pulumi destroy refuses it`);
        for (const r of steps.filter((r) => r.inputs.deletionProtection === true))
            add("teardown", `${r.name} still has deletion protection: its deletion fails`);
        for (const i of ingresses) {
            const a = i.inputs.metadata?.annotations?.[`${ALB}/load-balancer-attributes`];
            if (attributeMap(a).get("deletion_protection.enabled") !== "false")
                add("teardown", `${i.name}'s ALB keeps deletion protection: its finalizer never clears`);
        }
    }

    // Per-environment tags: the controller's defaultTags override an Ingress's own tags.
    if (controller)
        for (const i of ingresses) {
            const tags = attributeMap(i.inputs.metadata?.annotations?.[`${ALB}/tags`]);
            for (const k of Object.keys(controller.inputs.values?.defaultTags ?? {}))
                if (tags.has(k))
                    add("tags", `${controller.name}'s defaultTags set ${k}, overriding ${i.name}'s own tag`);
        }

    if (gateway) {
        const v = gateway.inputs.values ?? {};
        // Pinned NodePorts in the static band, where no auto-allocated NodePort can take them first.
        for (const p of v.service?.ports ?? [])
            if (p.nodePort !== undefined && (p.nodePort < STATIC_NODE_PORTS.from || p.nodePort > STATIC_NODE_PORTS.to))
                add(
                    "nodeport",
                    `${gateway.name} pins NodePort ${p.nodePort} (${p.name}) outside the static band ${STATIC_NODE_PORTS.from}-${STATIC_NODE_PORTS.to}`,
                );
        // Rollouts: the ALB lets go of a target before Envoy stops, and Envoy stops before the kill.
        const grace = v.terminationGracePeriodSeconds ?? 30;
        const preStop = v.lifecycle?.preStop?.sleep?.seconds ?? 0;
        const proxyConfig = v.podAnnotations?.["proxy.istio.io/config"];
        const drain = seconds(proxyConfig ? JSON.parse(proxyConfig).terminationDrainDuration : undefined) ?? 5;
        if (preStop < 1)
            add("rollout", `${gateway.name}: no preStop delay, so Envoy drains while the pod is still an endpoint`);
        if (preStop + drain >= grace)
            add(
                "rollout",
                `${gateway.name}: preStop ${preStop}s + drain ${drain}s is not within terminationGracePeriodSeconds ${grace}s`,
            );
        for (const i of ingresses) {
            const tg = attributeMap(i.inputs.metadata?.annotations?.[`${ALB}/target-group-attributes`]);
            const delay = Number(tg.get("deregistration_delay.timeout_seconds") ?? 300);
            if (!(delay < drain))
                add("rollout", `${i.name}: deregistration delay ${delay}s is not shorter than Envoy's drain ${drain}s`);
        }
        if (ipTargets) {
            const ns = namespaces.get(gateway.inputs.namespace);
            if (ns?.inputs.metadata?.labels?.["elbv2.k8s.aws/pod-readiness-gate-inject"] !== "enabled")
                add(
                    "rollout",
                    `namespace ${gateway.inputs.namespace} lacks elbv2.k8s.aws/pod-readiness-gate-inject=enabled`,
                );
        }
    }
    // Sorted, so that reports do not depend on the order in which the program registered resources.
    return out.sort((a, b) => RULES.indexOf(a.rule) - RULES.indexOf(b.rule) || a.message.localeCompare(b.message));
}
