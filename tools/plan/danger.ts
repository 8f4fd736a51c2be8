// What in a planned update would hurt a running stack: each rule marks steps dangerous and says
// why, in one sentence a person can act on. A dangerous plan is still a plan (the CLI exits 0);
// UPGRADING.md says how each dangerous step of a release upgrade is made safe.
import { type RecordedResource, resourceKey } from "../mock/engine";
import { outOfSight } from "../outOfSight";
import type { PlanResource, PlanStep } from "./types";
import { getPath, implicitReplacements, unwrapSecrets } from "./rules";

/** Replacing one of these takes something down; why, per type. */
export const CRITICAL_REPLACEMENTS: Record<string, string> = {
    "aws:eks/cluster:Cluster":
        "a new EKS cluster: a new API endpoint and CA, so the Kubernetes provider, every object and every Helm release in it are replaced too",
    "eks:index:Cluster": "a new EKS cluster, and with it every object and release in it",
    "aws:eks/nodeGroup:NodeGroup":
        "EKS deletes the old node group by draining all its nodes at once and forces termination after 5 minutes; PodDisruptionBudgets are not guaranteed, so single-replica workloads go down (move nodes through a second node group instead: UPGRADING.md)",
    "aws:ec2/vpc:Vpc": "a new VPC: every subnet, security group, node and load balancer in it is recreated",
    "aws:ec2/subnet:Subnet": "a new subnet: the nodes, NAT gateway and load balancers in it are recreated",
    "aws:kms/key:Key":
        "a new KMS key: the old key, which encrypts the cluster's Secrets, is scheduled for deletion (EKS cannot move a cluster to another key)",
    "kubernetes:core/v1:Namespace":
        "deleting a namespace deletes everything in it, including what other tools and users created there",
    "kubernetes:networking.k8s.io/v1:Ingress":
        "the Ingress is deleted and created again: the load balancer controller deletes its ALB and creates a new one, with a new DNS name",
};

const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";

function mark(step: PlanStep, why: string): void {
    step.danger = true;
    step.reasons.push(`DANGER: ${why}`);
}

/** Whether a resource is protected, itself or through a parent (children inherit `protect`: @pulumi/pulumi resource.ts). */
function protectedIn(resources: PlanResource[]): (r: PlanResource) => boolean {
    const byKey = new Map(resources.map((r) => [resourceKey(r), r]));
    const memo = new Map<PlanResource, boolean>();
    const is = (r: PlanResource): boolean => {
        if (memo.has(r)) return memo.get(r)!;
        const parent = r.graph.parent ? byKey.get(r.graph.parent) : undefined;
        const v = r.protect || (parent ? is(parent) : false);
        memo.set(r, v);
        return v;
    };
    return is;
}

/** What cloud object a resource owns, for the types where two owners fail: one string per object. */
export function cloudIdentity(r: PlanResource): string | undefined {
    const i = unwrapSecrets(r.inputs) as Record<string, any>;
    switch (r.type) {
        case "aws:eks/addon:Addon":
            return `EKS add-on ${i.addonName} of cluster ${i.clusterName}`;
        case "aws:cloudwatch/logGroup:LogGroup":
            return i.name ? `log group ${i.name}` : undefined;
        case "aws:eks/cluster:Cluster":
            return i.name ? `EKS cluster ${i.name}` : undefined;
        case "aws:iam/role:Role":
            return i.name ? `IAM role ${i.name}` : undefined;
        case "aws:eks/accessEntry:AccessEntry":
            return `access entry of ${i.principalArn} on cluster ${i.clusterName}`;
        case "kubernetes:helm.sh/v3:Release":
            return `Helm release ${i.namespace ?? "default"}/${i.name}`;
        default: {
            const m = /^kubernetes:(.+):(\w+)$/.exec(r.type);
            if (!m || r.type.startsWith("kubernetes:helm.sh/") || !i.metadata?.name) return undefined;
            const group = m[1].split("/").slice(0, -1).join("/") || "core";
            return `${m[2]} ${group} ${i.metadata.namespace ? `${i.metadata.namespace}/` : ""}${i.metadata.name}`;
        }
    }
}

/** NodePorts in Helm values or a Service spec, by where they are and which port they serve. */
export function nodePorts(inputs: unknown): Map<string, number> {
    const out = new Map<string, number>();
    const walk = (x: unknown, path: string) => {
        if (Array.isArray(x)) x.forEach((v, i) => walk(v, `${path}[${i}]`));
        else if (x && typeof x === "object") {
            const o = x as Record<string, unknown>;
            if (typeof o.nodePort === "number") out.set(`${path}(${String(o.name ?? o.port)})`, o.nodePort);
            for (const [k, v] of Object.entries(o)) if (k !== "nodePort") walk(v, path ? `${path}.${k}` : k);
        }
    };
    walk(unwrapSecrets(inputs), "");
    // Keyed by the port's name, not its list position: inserting a port moves no NodePort.
    return new Map([...out].map(([k, v]) => [k.replace(/\[\d+\]\(/, "("), v]));
}

const isAssumedByPods = (role: PlanResource): string | undefined => {
    const doc = String(unwrapSecrets(role.inputs.assumeRolePolicy) ?? "");
    return /AssumeRoleWithWebIdentity/.test(doc) ? "its service account's pods (IRSA)" : undefined;
};

function allowedActions(policy: unknown): Set<string> {
    const out = new Set<string>();
    let doc: any = policy;
    if (typeof doc === "string")
        try {
            doc = JSON.parse(doc);
        } catch {
            return out;
        }
    for (const s of [doc?.Statement ?? []].flat())
        if (s?.Effect === "Allow") for (const a of [s.Action ?? []].flat()) out.add(String(a));
    return out;
}

/** Marks the dangerous steps of a plan, with their reasons. */
export function assessDanger(
    steps: PlanStep[],
    { olds, news, held = new Map() }: { olds: PlanResource[]; news: PlanResource[]; held?: Map<string, string> },
): void {
    const oldByKey = new Map(olds.map((r) => [resourceKey(r), r]));
    const newByKey = new Map(news.map((r) => [resourceKey(r), r]));
    const wasProtected = protectedIn(olds);

    for (const step of steps) {
        // 1. Replacing what traffic or data lives on.
        const why = CRITICAL_REPLACEMENTS[step.type];
        if (step.op === "replace" && why) mark(step, why);
        // The controller replaces the ALB on its own when the Ingress's scheme changes.
        if (step.op === "update" && step.old && step.new)
            for (const k of implicitReplacements(step.type, step.old.inputs, step.new.inputs))
                mark(step, `the ALB's DNS name changes: ${k.why}`);
        // 2. Protected resources: the engine refuses to delete them, and the update stops there.
        if ((step.op === "delete" || step.op === "replace") && step.old && wasProtected(step.old))
            mark(step, `protected (protect: true): pulumi up stops with an error at this step until it is unprotected`);
    }

    // 3. The last node group that already runs pods is deleted.
    const staying = steps.filter((s) => s.type === NODE_GROUP && (s.op === "same" || s.op === "update"));
    for (const s of steps.filter((s) => s.type === NODE_GROUP && s.op === "delete"))
        if (!staying.length)
            mark(
                s,
                "no node group that already runs pods stays: EKS drains all its nodes at once; first add the new node group in an update of its own, drain the old one under the PDBs, then remove it (UPGRADING.md)",
            );

    // 4. NodePorts that move: the ALB's target group keeps sending to the old port until the
    //    controller has re-registered the targets.
    for (const s of steps)
        if ((s.op === "update" || s.op === "replace") && s.old && s.new) {
            const [before, after] = [nodePorts(s.old.inputs), nodePorts(s.new.inputs)];
            for (const [port, n] of after) {
                const was = before.get(port);
                if (was !== undefined && was !== n)
                    mark(
                        s,
                        `NodePort ${port.replace(/^.*\(/, "").replace(/\)$/, "")} moves ${was} → ${n}: the ALB sends traffic to the old port until the load balancer controller has registered the new one, and firewalls or NACLs naming the old port stop matching`,
                    );
            }
        }

    // 5. Permissions taken from a role that running pods use.
    assessIam(steps, oldByKey, newByKey);

    // 6. Creating what AWS or the earlier release already holds.
    assessExisting(steps, olds, held);
}

function assessIam(steps: PlanStep[], oldByKey: Map<string, PlanResource>, newByKey: Map<string, PlanResource>): void {
    const olds = [...oldByKey.values()];
    // Roles the old stack's pods use: the node role (every pod without IRSA reaches it through
    // IMDS) and IRSA roles.
    const podRoles = new Map<string, string>();
    for (const r of olds) {
        if (r.type === "aws:iam/role:Role") {
            const who = isAssumedByPods(r);
            if (who) podRoles.set(resourceKey(r), who);
        }
        if (r.type === NODE_GROUP || r.type === "eks:index:ManagedNodeGroup")
            for (const k of r.graph.propertyDependencies?.nodeRoleArn ?? [])
                if (oldByKey.get(k)?.type === "aws:iam/role:Role")
                    podRoles.set(k, `the pods on node group ${r.name} (node role)`);
    }
    const roleOf = (attachment: PlanResource, byKey: Map<string, PlanResource>) =>
        (attachment.graph.propertyDependencies?.role ?? []).find((k) => byKey.get(k)?.type === "aws:iam/role:Role");
    const stillAttached = (role: string, policyArn: unknown) =>
        [...newByKey.values()].some(
            (n) =>
                n.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" &&
                roleOf(n, newByKey) === role &&
                n.inputs.policyArn === policyArn,
        );
    for (const s of steps) {
        const o = s.old;
        if (!o) continue;
        if (
            o.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment" &&
            (s.op === "delete" || s.op === "replace")
        ) {
            const role = roleOf(o, oldByKey);
            const who = role && podRoles.get(role);
            if (!who || stillAttached(role, o.inputs.policyArn)) continue;
            mark(
                s,
                `${String(o.inputs.policyArn).split("/").pop()} is detached from ${role.split("::")[1]}, which ${who} use: they lose its permissions (give the pods that need them an IRSA role first)`,
            );
        }
        if (o.type === "aws:iam/policy:Policy" && s.op === "update" && s.new) {
            const removed = [...allowedActions(o.inputs.policy)].filter(
                (a) => !allowedActions(s.new!.inputs.policy).has(a),
            );
            if (!removed.length) continue;
            for (const role of rolesAttaching(olds, oldByKey, resourceKey(o)).filter((k) => podRoles.has(k))) {
                // What the role still gets from its other policies after the update: moving an
                // action to another policy of the same role takes nothing away. (Allow actions only;
                // a narrower Condition or Resource on a kept action is not seen here.)
                const kept = new Set(
                    policiesOf(newByKey, role)
                        .filter((p) => p !== resourceKey(o))
                        .flatMap((p) => [...allowedActions(newByKey.get(p)?.inputs.policy)]),
                );
                const lost = removed.filter((a) => !kept.has(a));
                if (lost.length)
                    mark(
                        s,
                        `the policy no longer allows ${lost.slice(0, 5).join(", ")}${lost.length > 5 ? ` (+${lost.length - 5} more)` : ""}, and no other policy of ${role.split("::")[1]} does; ${podRoles.get(role)} use it`,
                    );
                else
                    s.reasons.push(
                        `${removed.length} actions move to another policy of ${role.split("::")[1]}, attached in the same update`,
                    );
            }
        }
    }
    // IMDS hop limit 1 on the nodes: pods (not on the host network) can no longer reach the
    // instance metadata service, so those without IRSA lose the node role's credentials.
    for (const s of steps) {
        if ((s.type !== NODE_GROUP && s.type !== "eks:index:ManagedNodeGroup") || !s.new || !s.old) continue;
        const hop = (r: PlanResource, byKey: Map<string, PlanResource>) => {
            const lt = (r.graph.propertyDependencies?.launchTemplate ?? []).map((k) => byKey.get(k)).find(Boolean);
            return lt
                ? (getPath(lt.inputs, ["metadataOptions", "httpPutResponseHopLimit"]) as number | undefined)
                : undefined;
        };
        const [before, after] = [hop(s.old, oldByKey), hop(s.new, newByKey)];
        if (after === 1 && before !== 1 && (s.type === NODE_GROUP || !steps.some((x) => x.type === NODE_GROUP)))
            mark(
                s,
                `IMDS hop limit ${before === undefined ? "becomes 1 (the nodes had EKS's default launch template)" : `${before} → 1`}: pods without an IRSA role lose the node role's credentials`,
            );
    }
}

/** The roles a policy is attached to (by attachments that read its ARN). */
function rolesAttaching(resources: PlanResource[], byKey: Map<string, PlanResource>, policy: string): string[] {
    return resources
        .filter((a) => a.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .filter((a) => (a.graph.propertyDependencies?.policyArn ?? []).includes(policy))
        .flatMap((a) =>
            (a.graph.propertyDependencies?.role ?? []).filter((k) => byKey.get(k)?.type === "aws:iam/role:Role"),
        );
}

/** The program's policies attached to a role (AWS managed policies are not known here). */
function policiesOf(byKey: Map<string, PlanResource>, role: string): string[] {
    return [...byKey.values()]
        .filter((a) => a.type === "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        .filter((a) => (a.graph.propertyDependencies?.role ?? []).includes(role))
        .flatMap((a) =>
            (a.graph.propertyDependencies?.policyArn ?? []).filter(
                (k) => byKey.get(k)?.type === "aws:iam/policy:Policy",
            ),
        );
}

/**
 * What AWS, a controller or Kubernetes created for the earlier revision on their own (the
 * out-of-sight model's implicit objects: the control-plane log group EKS creates while logging is
 * on and never deletes, the node role's access entry, the bootstrap DaemonSets...), by the cloud
 * identity a new resource would claim, with what a message says of it.
 */
export function heldByTheCloud(oldResources: readonly RecordedResource[]): Map<string, string> {
    const modelled = outOfSight(oldResources);
    const byKey = new Map(modelled.map((o) => [o.key, o]));
    const recorded = new Set(oldResources.map(resourceKey));
    // The earlier revision's own resource an implicit object comes from (a remote component's child climbs to it).
    const origin = (key: string): string => {
        for (let k = key; ;) {
            if (recorded.has(k)) return k.replace("::", " ");
            const o = byKey.get(k);
            if (!o) return key.replace("::", " ");
            k = o.parent;
        }
    };
    const out = new Map<string, string>();
    for (const o of modelled.filter((m) => m.kind === "implicit")) {
        const id = cloudIdentity({ type: o.type, inputs: o.inputs } as PlanResource);
        if (id && !out.has(id))
            out.set(id, `${o.rule.creator} created it for ${origin(o.parent)} (it ${o.rule.why}: ${o.rule.source})`);
    }
    return out;
}

function assessExisting(steps: PlanStep[], olds: PlanResource[], held: Map<string, string>): void {
    const oldIdentities = new Map<string, PlanResource>();
    for (const o of olds) {
        const id = cloudIdentity(o);
        if (id) oldIdentities.set(id, o);
    }
    for (const s of steps) {
        if (s.op !== "create" || !s.new) continue;
        const id = cloudIdentity(s.new);
        const holder = id && oldIdentities.get(id);
        const cloud = id && !holder ? held.get(id) : undefined;
        if (!holder && !cloud) continue;
        if (s.new.import) {
            s.reasons.push(`adopts the ${id} that already exists (import)`);
            continue;
        }
        const by = holder
            ? `${holder.type} ${holder.name} of the earlier revision holds it, and Pulumi creates before it deletes`
            : cloud;
        mark(
            s,
            `the ${id} already exists: ${by}; the create fails (adopt it with the import option, or pulumi import)`,
        );
    }
}
