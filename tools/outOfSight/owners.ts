// One owner per cloud object, over the expanded graph: the program's resources, the children its
// remote components create, and what AWS, the controllers and Kubernetes create themselves. Two
// owners of one object fail on the first `pulumi up` (AWS refuses the second create) or fight
// forever after (each resets what the other set).
//
// Some objects are meant to change hands: a managed add-on takes over the self-managed DaemonSet
// EKS installed, and the program's log group takes the place of the one EKS would create. Such a
// claim says whom it takes the object from and whether the hand-over holds; one that does not hold
// leaves two owners, and the message says why it does not.
import { Graph, type Recorded } from "./graph";
import { BOOTSTRAP_ADDONS } from "./implicit";
import { entities, type Entity, type OutOfSightObject } from "./model";
import { memoized, optionsKey, outOfSight, type ModelOptions } from "./expand";
import { RULES } from "./rules";

export type OwnershipRule =
    | "eks-addon"
    | "log-group"
    | "iam-role"
    | "iam-policy"
    | "helm-release"
    | "node-port"
    | "access-entry"
    | "kubernetes-object"
    | "eks-cluster"
    | "load-balancer"
    | "security-group";

export interface CloudObject {
    rule: OwnershipRule;
    /** Identity: two claims on the same key are claims on the same object. */
    key: string;
    /** How a message names it: "EKS add-on vpc-cni on cluster eks-istio-dev". */
    label: string;
}

export interface Owner {
    /** Claims with the same id are one owner (a URN, or who creates an implicit object). */
    id: string;
    /** "dev-cluster-vpc-cni (the program)". */
    text: string;
    /** Said of this owner's claims on one object, this text wins over the others' (what an earlier deployment left). */
    specific?: boolean;
}

export interface Claim {
    object: CloudObject;
    owner: Owner;
    /** The key of the resource or modelled object the claim comes from (none for what an earlier deployment left). */
    from?: string;
    /** This owner takes the object over from owner `from`; when the hand-over does not hold, `failure` says why. */
    takesOver?: { from: string; holds: boolean; failure: string };
}

export interface Violation {
    rule: OwnershipRule;
    object: string;
    owners: string[];
    /** One sentence naming the object and its owners. */
    message: string;
}

/** A deployment that came before: an earlier release of this stack, or a destroyed stack of the same cluster name. */
export interface Earlier {
    /** How a message names it: "release c1dbf01". */
    label: string;
    resources: readonly Recorded[];
}

export interface CheckOptions extends ModelOptions {
    /** What was deployed before, whose objects may still exist (see `Earlier`). */
    earlier?: readonly Earlier[];
}

const EKS_LOG_GROUP = /^\/aws\/eks\/(.+)\/cluster$/;
const CLUSTER_SCOPED = new Set([
    "Namespace",
    "ClusterRole",
    "ClusterRoleBinding",
    "CustomResourceDefinition",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "StorageClass",
    "PriorityClass",
    "PersistentVolume",
    "IngressClass",
    "APIService",
]);
const hidden = (name: string) => name.includes("<");

/** How a claim names its owner. */
export function ownerOf(g: Graph, e: Entity): Owner {
    const o = e.modelled;
    if (!o) return { id: g.urnOf(e.key) ?? e.key, text: `${e.name} (the program)` };
    const why = `${o.rule.why}, ${o.rule.source}`;
    if (o.kind === "child") return { id: o.urn ?? o.key, text: `${o.name} (${o.rule.creator} ${why})` };
    return { id: o.rule.creator, text: `${o.rule.creator} (${why})` };
}

/** Where a Kubernetes object lands: its provider's cluster, or the cluster a modelled object names. */
function scopeOf(g: Graph, e: Entity) {
    if (e.modelled) {
        const c = e.modelled.cluster ?? "<unknown>";
        return { id: c, label: c.startsWith("<") ? `the cluster ${c}` : `cluster ${c}` };
    }
    return g.k8sScope(e.recorded?.graph.provider);
}

function kubernetesObject(g: Graph, e: Entity): CloudObject | undefined {
    const m = /^kubernetes:([^/]+)\/[^:]+:(.+)$/.exec(e.type);
    const name = e.inputs.metadata?.name;
    if (!m || typeof name !== "string" || hidden(name)) return undefined;
    const [, group, kind] = m;
    const namespace = CLUSTER_SCOPED.has(kind) ? "" : String(e.inputs.metadata?.namespace ?? "default");
    const scope = scopeOf(g, e);
    return {
        rule: "kubernetes-object",
        key: `k8s:${scope.id}/${group}/${kind}/${namespace}/${name}`,
        label: `${kind} ${namespace ? `${namespace}/` : ""}${name} on ${scope.label}`,
    };
}

/** The NodePorts a Service (or a Helm release's Service, from its values) pins, one claim per port. */
function nodePortClaims(g: Graph, e: Entity, owner: Owner): Claim[] {
    const scope = scopeOf(g, e);
    let service: string;
    let spec: { type?: string; ports?: any[] } | undefined;
    if (e.type === "kubernetes:helm.sh/v3:Release") {
        spec = e.inputs.values?.service;
        const ns = e.inputs.namespace ?? "default";
        // The istio gateway chart names its Service after `name`, else the release (templates/_helpers.tpl, gateway.name).
        service =
            e.inputs.chart === "gateway"
                ? `Service ${ns}/${e.inputs.values?.name || e.inputs.name}`
                : `the Service of chart ${e.inputs.chart} in ${ns}`;
    } else {
        spec = e.inputs.spec;
        service = `Service ${e.inputs.metadata?.namespace ?? "default"}/${e.inputs.metadata?.name}`;
    }
    if (spec?.type !== "NodePort" && spec?.type !== "LoadBalancer") return [];
    return (Array.isArray(spec.ports) ? spec.ports : [])
        .filter((p) => typeof p?.nodePort === "number")
        .map((p) => {
            const port = p.name ?? p.port;
            return {
                object: {
                    rule: "node-port" as const,
                    key: `node-port:${scope.id}/${p.nodePort}`,
                    label: `NodePort ${p.nodePort} on ${scope.label}`,
                },
                owner: {
                    id: `${owner.id}#${port}`,
                    text: `port ${port} of ${service} (${e.modelled ? owner.text : `${e.name}, the program`})`,
                },
            };
        });
}

interface Context {
    g: Graph;
    /** Every aws:eks/cluster:Cluster by the name it gives AWS, with the engine step that creates it. */
    clusters: Map<string, { step: string; entity: Entity }>;
    /** Log groups EKS created for an earlier deployment, which it never deletes. */
    leftBehind: Map<string, string>;
}

/** The step that creates an entity: itself, or for a modelled child the remote component it is inside. */
function stepOf(g: Graph, e: Entity, modelled: readonly OutOfSightObject[]): string {
    let key = e.key;
    for (let o = e.modelled; o; o = modelled.find((m) => m.key === key)) key = o.parent;
    return g.byKey.has(key) ? key : e.key;
}

/** Whether a program LogGroup takes `/aws/eks/<cluster>/cluster` over from EKS, and if not, why. */
function logGroupHandOver(ctx: Context, e: Entity, name: string): Claim["takesOver"] {
    const cluster = ctx.clusters.get(EKS_LOG_GROUP.exec(name)?.[1] ?? "");
    if (!cluster) return undefined;
    const imported = typeof e.recorded?.import === "string";
    const existing = ctx.leftBehind.get(name);
    if (existing && !imported)
        return {
            from: RULES.eksLogGroup.creator,
            holds: false,
            failure: `${e.name} takes it over only by importing it (the import option), since it exists since ${existing}`,
        };
    const before = imported || ctx.g.waitsFor(cluster.step, e.key);
    return {
        from: RULES.eksLogGroup.creator,
        holds: before,
        failure: `${e.name} takes it over from Amazon EKS only if created before the cluster, and ${cluster.step.split("::").pop()} does not wait for it`,
    };
}

function claimsOf(ctx: Context, e: Entity): Claim[] {
    const { g } = ctx;
    const owner = ownerOf(g, e);
    const i = e.inputs;
    const claim = (rule: OwnershipRule, key: string, label: string, takesOver?: Claim["takesOver"]): Claim => ({
        object: { rule, key, label },
        owner,
        ...(takesOver ? { takesOver } : {}),
    });
    switch (e.type) {
        case "aws:eks/addon:Addon": {
            const [cluster, addon] = [String(i.clusterName), String(i.addonName)];
            const out = [
                claim("eks-addon", `eks-addon:${cluster}/${addon}`, `EKS add-on ${addon} on cluster ${cluster}`),
            ];
            // The add-on manages the self-managed object EKS bootstrapped, as one owner whoever registered it.
            for (const o of BOOTSTRAP_ADDONS.filter((b) => b.addonName === addon)) {
                const kind = o.type.split(":").pop();
                const conflicts = i.resolveConflictsOnCreate;
                out.push({
                    object: {
                        rule: "kubernetes-object",
                        key: `k8s:${cluster}/apps/${kind}/${o.namespace}/${o.name}`,
                        label: `${kind} ${o.namespace}/${o.name} on cluster ${cluster}`,
                    },
                    owner: { id: `eks-addon:${cluster}/${addon}`, text: `the EKS add-on ${addon}, ${owner.text}` },
                    takesOver: {
                        from: RULES.eksBootstrapAddon.creator,
                        holds: conflicts === "OVERWRITE",
                        failure: `${e.name} takes it over only with resolveConflictsOnCreate: OVERWRITE, and has ${conflicts ?? "none"} (${RULES.eksAddonTakesOver.source})`,
                    },
                });
            }
            return out;
        }
        case "aws:cloudwatch/logGroup:LogGroup": {
            const name = i.name;
            if (typeof name !== "string" || hidden(name)) return [];
            const handOver = e.recorded ? logGroupHandOver(ctx, e, name) : undefined;
            return [claim("log-group", `log-group:${name}`, `CloudWatch log group ${name}`, handOver)];
        }
        case "aws:iam/role:Role":
            return typeof i.name === "string" ? [claim("iam-role", `iam-role:${i.name}`, `IAM role ${i.name}`)] : [];
        case "aws:iam/policy:Policy":
            return typeof i.name === "string"
                ? [claim("iam-policy", `iam-policy:${i.name}`, `IAM policy ${i.name}`)]
                : [];
        case "aws:eks/accessEntry:AccessEntry": {
            const [cluster, principal] = [i.clusterName, i.principalArn];
            if (typeof cluster !== "string" || typeof principal !== "string" || hidden(principal)) return [];
            return [
                claim(
                    "access-entry",
                    `access-entry:${cluster}/${principal}`,
                    `EKS access entry for ${principal} on cluster ${cluster}`,
                ),
            ];
        }
        case "aws:eks/cluster:Cluster":
            return typeof i.name === "string" && !hidden(i.name)
                ? [claim("eks-cluster", `eks-cluster:${i.name}`, `EKS cluster ${i.name}`)]
                : [];
        case "aws:lb/loadBalancer:LoadBalancer":
            // One ALB per Ingress group: Ingresses of one group share it, another group with its name collides.
            return hidden(e.name)
                ? []
                : [
                      {
                          object: { rule: "load-balancer", key: `load-balancer:${e.name}`, label: `ALB ${e.name}` },
                          owner: {
                              id: `lbc:${i.cluster}/${i.group}`,
                              text: `${RULES.lbcLoadBalancer.creator} for Ingress group ${i.group} (${RULES.lbcLoadBalancer.why}, ${RULES.lbcLoadBalancer.source})`,
                          },
                      },
                  ];
        case "aws:ec2/securityGroup:SecurityGroup":
            return e.modelled?.kind === "implicit" && !hidden(e.name)
                ? [
                      {
                          object: {
                              rule: "security-group",
                              key: `security-group:${e.name}`,
                              label: `security group ${e.name}`,
                          },
                          owner: { id: `${owner.id}:${i.cluster}/${i.group ?? ""}`, text: owner.text },
                      },
                  ]
                : [];
        case "kubernetes:helm.sh/v3:Release": {
            if (typeof i.name !== "string") return [];
            const scope = scopeOf(g, e);
            const ns = i.namespace ?? "default";
            return [
                claim(
                    "helm-release",
                    `helm:${scope.id}/${ns}/${i.name}`,
                    `Helm release ${i.name} in namespace ${ns} on ${scope.label}`,
                ),
                ...nodePortClaims(g, e, owner),
            ];
        }
    }
    if (!e.type.startsWith("kubernetes:") || e.type.endsWith("Patch")) return [];
    const object = kubernetesObject(g, e);
    return [
        ...(object ? [{ object, owner }] : []),
        ...(e.type === "kubernetes:core/v1:Service" ? nodePortClaims(g, e, owner) : []),
    ];
}

/** Log groups EKS created for earlier deployments, by name, with how to name the deployment. */
function leftBehind(earlier: readonly Earlier[], opts: ModelOptions): Map<string, string> {
    const out = new Map<string, string>();
    for (const e of earlier) {
        const { claims } = expandedClaims(e.resources, opts, new Map());
        for (const [key, group] of byObject(claims)) {
            if (group[0].object.rule !== "log-group") continue;
            const eks = group.find((c) => c.owner.id === RULES.eksLogGroup.creator);
            const takenOver = group.some((c) => c.takesOver?.from === RULES.eksLogGroup.creator && c.takesOver.holds);
            const name = key.slice("log-group:".length);
            const cluster = EKS_LOG_GROUP.exec(name)?.[1];
            if (eks && !takenOver && !out.has(name))
                out.set(
                    name,
                    `${e.label}, whose cluster ${cluster} logged with no log group of the program's before it`,
                );
        }
    }
    return out;
}

const expandedClaimsCache = new WeakMap<readonly Recorded[], Map<string, ReturnType<typeof expandClaims>>>();

/** The claims of one recorded run, shared between callers when nothing earlier is in play. */
function expandedClaims(resources: readonly Recorded[], opts: ModelOptions, left: Map<string, string>) {
    if (left.size) return expandClaims(resources, opts, left);
    return memoized(expandedClaimsCache, resources, optionsKey(opts), () => expandClaims(resources, opts, left));
}

function expandClaims(resources: readonly Recorded[], opts: ModelOptions, left: Map<string, string>) {
    const g = new Graph(resources, opts.project, opts.stackClusters);
    const modelled = outOfSight(resources, opts);
    const all = entities(g, modelled);
    const clusters = new Map(
        all
            .filter((e) => e.type === "aws:eks/cluster:Cluster" && typeof e.inputs.name === "string")
            .map((e) => [e.inputs.name as string, { step: stepOf(g, e, modelled), entity: e }]),
    );
    const ctx: Context = { g, clusters, leftBehind: left };
    const claims: Claim[] = [];
    for (const e of all) claims.push(...claimsOf(ctx, e).map((c) => ({ ...c, from: e.key })));
    // What earlier deployments left: its owner text (when EKS made it) is the one a message needs.
    for (const [name, since] of left)
        claims.push({
            object: { rule: "log-group", key: `log-group:${name}`, label: `CloudWatch log group ${name}` },
            owner: {
                id: RULES.eksLogGroup.creator,
                text: `${RULES.eksLogGroup.creator} (created it for ${since}, and never deletes it, ${RULES.eksLogGroup.source})`,
                specific: true,
            },
        });
    return { g, modelled, claims };
}

function byObject(claims: readonly Claim[]): Map<string, Claim[]> {
    const out = new Map<string, Claim[]>();
    for (const c of claims) out.set(c.object.key, [...(out.get(c.object.key) ?? []), c]);
    return out;
}

const count = (n: number) => (n === 2 ? "two" : n === 3 ? "three" : String(n));
const list = (xs: string[]) => (xs.length <= 2 ? xs.join(" and ") : `${xs.slice(0, -1).join(", ")} and ${xs.at(-1)}`);

/** The objects of `claims` with more than one owner once every hand-over that holds is applied. */
export function violationsOf(claims: readonly Claim[]): Violation[] {
    const out: Violation[] = [];
    for (const group of byObject(claims).values()) {
        // One owner, one entry: the first claim's text (or a specific one), and a failing hand-over if any of its claims has one.
        const owners = new Map<string, Claim>();
        for (const c of group) {
            const seen = owners.get(c.owner.id);
            if (!seen) owners.set(c.owner.id, c);
            else if (c.takesOver && !c.takesOver.holds) owners.set(c.owner.id, { ...seen, takesOver: c.takesOver });
            else if (c.owner.specific) owners.set(c.owner.id, { ...seen, owner: c.owner });
        }
        const handedOver = new Set(
            [...owners.values()].filter((c) => c.takesOver?.holds).map((c) => c.takesOver!.from),
        );
        const remaining = [...owners.values()].filter((c) => !handedOver.has(c.owner.id));
        if (remaining.length < 2) continue;
        const failures = remaining
            .filter((c) => c.takesOver && !c.takesOver.holds && owners.has(c.takesOver.from))
            .map((c) => c.takesOver!.failure);
        const texts = remaining.map((c) => c.owner.text);
        const { label, rule } = group[0].object;
        out.push({
            rule,
            object: label,
            owners: texts,
            message: `${label} has ${count(texts.length)} owners: ${list(texts)}${failures.length ? `; ${failures.join("; ")}` : ""}`,
        });
    }
    return out;
}

/**
 * Every cloud object of the expanded graph with more than one owner, one sentence each. `earlier`
 * adds what earlier deployments left that outlives them: the control-plane log groups EKS created.
 */
export function ownershipViolations(resources: readonly Recorded[], opts: CheckOptions = {}): Violation[] {
    const { claims } = expandedClaims(resources, opts, leftBehind(opts.earlier ?? [], opts));
    return violationsOf(claims);
}

/**
 * One owner per object across stacks that share a cluster: an owner stack and the stacks attached
 * to it (cluster.stackReference). Each stack is valid alone; together they may still create one
 * Namespace, Gateway or ALB twice. `stackClusters` names the shared cluster behind each reference.
 */
export function sharedClusterViolations(
    stacks: readonly (readonly Recorded[])[],
    opts: CheckOptions = {},
): Violation[] {
    const left = leftBehind(opts.earlier ?? [], opts);
    return violationsOf(stacks.flatMap((resources) => expandedClaims(resources, opts, left).claims));
}

/** The claims of the expanded graph, for tests that look at one object. */
export function claims(resources: readonly Recorded[], opts: CheckOptions = {}): Claim[] {
    return expandedClaims(resources, opts, leftBehind(opts.earlier ?? [], opts)).claims;
}

/**
 * The hand-overs that hold: for each modelled object another owner takes over (the bootstrap
 * aws-node an add-on manages, the log group the program creates first), the names of the
 * resources that take it over.
 */
export function handOvers(all: readonly Claim[]): Map<string, string[]> {
    const out = new Map<string, string[]>();
    for (const group of byObject(all).values())
        for (const taker of group.filter((c) => c.takesOver?.holds))
            for (const given of group.filter((c) => c.owner.id === taker.takesOver!.from && c.from))
                if (taker.from && !out.get(given.from!)?.includes(taker.from.split("::").pop()!))
                    out.set(given.from!, [...(out.get(given.from!) ?? []), taker.from.split("::").pop()!]);
    return out;
}
