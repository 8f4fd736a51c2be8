// What Amazon EKS, the AWS Load Balancer Controller and Kubernetes create on their own, for the
// clusters, node groups and Ingresses of the program and of the modelled children. None of these
// is in any Pulumi state: `pulumi destroy` does not delete them itself (AWS or the controller does,
// or nobody does).
import { createHash } from "node:crypto";
import type { Graph } from "./graph";
import type { Builder, Entity } from "./model";
import { RULES } from "./rules";

/** The self-managed add-ons EKS installs at cluster creation, and the managed add-on that takes each over. */
export const BOOTSTRAP_ADDONS = [
    { addonName: "vpc-cni", type: "kubernetes:apps/v1:DaemonSet", namespace: "kube-system", name: "aws-node" },
    { addonName: "kube-proxy", type: "kubernetes:apps/v1:DaemonSet", namespace: "kube-system", name: "kube-proxy" },
    { addonName: "coredns", type: "kubernetes:apps/v1:Deployment", namespace: "kube-system", name: "coredns" },
] as const;

export const INITIAL_NAMESPACES = ["default", "kube-node-lease", "kube-public", "kube-system"];

/** What EKS creates for one cluster (an aws:eks/cluster:Cluster, the program's or pulumi-eks's). */
export function eksClusterImplicit(b: Builder, cluster: Entity): void {
    const name = String(cluster.inputs.name ?? `${cluster.name}-<random>`);
    b.implicit(
        cluster.key,
        "aws:ec2/securityGroup:SecurityGroup",
        `eks-cluster-sg-${name}-<uniqueID>`,
        RULES.eksClusterSg,
        {
            tags: { [`kubernetes.io/cluster/${name}`]: "owned", "aws:eks:cluster-name": name },
        },
    );
    const logTypes = cluster.inputs.enabledClusterLogTypes;
    if (Array.isArray(logTypes) && logTypes.length > 0)
        b.implicit(
            cluster.key,
            "aws:cloudwatch/logGroup:LogGroup",
            `/aws/eks/${name}/cluster`,
            RULES.eksLogGroup,
            { name: `/aws/eks/${name}/cluster`, retentionInDays: "<never expire>", logTypes },
            undefined,
            `implicit:log-group:/aws/eks/${name}/cluster`,
        );
    if (cluster.inputs.bootstrapSelfManagedAddons !== false)
        for (const o of BOOTSTRAP_ADDONS)
            b.implicit(
                cluster.key,
                o.type,
                `${o.namespace}/${o.name}`,
                RULES.eksBootstrapAddon,
                { metadata: { namespace: o.namespace, name: o.name }, takenOverBy: o.addonName },
                name,
            );
    for (const ns of INITIAL_NAMESPACES)
        b.implicit(
            cluster.key,
            "kubernetes:core/v1:Namespace",
            ns,
            RULES.k8sInitialNamespace,
            { metadata: { name: ns } },
            name,
        );
}

/** What EKS creates for one managed node group. */
export function eksNodeGroupImplicit(b: Builder, group: Entity): void {
    const nodeGroupName = group.inputs.nodeGroupName ?? `${group.name}-<random>`;
    b.implicit(group.key, "aws:autoscaling/group:Group", `eks-${nodeGroupName}-<uuid>`, RULES.eksNodeGroupAsg, {});
    b.implicit(
        group.key,
        "aws:eks/accessEntry:AccessEntry",
        `${group.inputs.nodeRoleArn ?? "<the node role>"}`,
        RULES.eksNodeRoleAccess,
        { clusterName: group.inputs.clusterName, principalArn: group.inputs.nodeRoleArn, type: "EC2_LINUX" },
    );
}

const ALB = "alb.ingress.kubernetes.io/";
const sanitize = (s: string) => s.replace(/[^A-Za-z0-9]/g, "");
const sha256 = (...parts: string[]) => {
    const h = createHash("sha256");
    for (const p of parts) h.update(p);
    return h.digest("hex");
};

/** The Service backends an Ingress routes to: `namespace/name` and port. */
function backends(ingress: Entity): { namespace: string; name: string; port: string }[] {
    const namespace = String(ingress.inputs.metadata?.namespace ?? "default");
    const spec = ingress.inputs.spec ?? {};
    const found = [
        spec.defaultBackend?.service,
        ...(spec.rules ?? []).flatMap((r: any) => (r?.http?.paths ?? []).map((p: any) => p?.backend?.service)),
    ].filter((s) => s?.name);
    const seen = new Map<string, { namespace: string; name: string; port: string }>();
    for (const s of found) {
        const port = String(s.port?.number ?? s.port?.name ?? "");
        seen.set(`${s.name}:${port}`, { namespace, name: String(s.name), port });
    }
    return [...seen.values()];
}

/**
 * What the AWS Load Balancer Controller creates for one Ingress of class `alb` (the program's
 * Ingresses are Kubernetes objects: the controller turns each into AWS objects). `controller` is the
 * controller's Helm release on the same cluster, when the graph has it: its values name the cluster
 * the names hash.
 */
export function albIngressImplicit(g: Graph, b: Builder, ingress: Entity, controller: Entity | undefined): void {
    const meta = ingress.inputs.metadata ?? {};
    const annotations: Record<string, string> = meta.annotations ?? {};
    const className = ingress.inputs.spec?.ingressClassName ?? annotations["kubernetes.io/ingress.class"];
    if (className !== "alb") return;
    const scope = g.k8sScope(ingress.recorded?.graph.provider);
    // The controller's release names the cluster; an attached stack's cluster is its owner's.
    const clusterName: string | undefined =
        typeof controller?.inputs.values?.clusterName === "string"
            ? controller.inputs.values.clusterName
            : scope.id.startsWith("<")
              ? undefined
              : scope.id;
    const namespace = String(meta.namespace ?? "default");
    const name = String(meta.name ?? ingress.name);
    const group = annotations[`${ALB}group.name`];
    const groupId = group ?? `${namespace}/${name}`;
    const scheme = annotations[`${ALB}scheme`] ?? "internal";
    const hash = (...parts: string[]) => (clusterName ? sha256(clusterName, ...parts).slice(0, 10) : "<hash>");
    const prefix = group
        ? `k8s-${sanitize(group).slice(0, 17)}`
        : `k8s-${sanitize(namespace).slice(0, 8)}-${sanitize(name).slice(0, 8)}`;
    const lbName = annotations[`${ALB}load-balancer-name`] ?? `${prefix}-${hash(groupId, scheme)}`;
    const cluster = clusterName ?? scope.id;
    b.implicit(ingress.key, "aws:lb/loadBalancer:LoadBalancer", lbName, RULES.lbcLoadBalancer, {
        name: lbName,
        scheme,
        group: groupId,
        cluster,
    });
    for (const svc of backends(ingress)) {
        const tgName = `k8s-${sanitize(svc.namespace).slice(0, 8)}-${sanitize(svc.name).slice(0, 8)}-<hash>`;
        const tg = b.implicit(ingress.key, "aws:lb/targetGroup:TargetGroup", tgName, RULES.lbcTargetGroup, {
            service: `${svc.namespace}/${svc.name}`,
            port: svc.port,
            targetType: annotations[`${ALB}target-type`] ?? "instance",
        });
        b.implicit(
            tg,
            "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding",
            `${svc.namespace}/${tgName}`,
            RULES.lbcTargetGroup,
            { metadata: { namespace: svc.namespace, name: tgName } },
            cluster,
        );
    }
    if (annotations[`${ALB}security-groups`]) return;
    b.implicit(ingress.key, "aws:ec2/securityGroup:SecurityGroup", `${prefix}-${hash(groupId)}`, RULES.lbcFrontendSg, {
        group: groupId,
        cluster,
    });
    const values = controller?.inputs.values ?? {};
    if (values.enableBackendSecurityGroup === false || values.backendSecurityGroup) return;
    const backend = clusterName
        ? `k8s-traffic-${sanitize(clusterName).slice(0, 232)}-${sha256(clusterName).slice(0, 10)}`
        : "k8s-traffic-<cluster>-<hash>";
    // One per cluster: listed once, under the controller's release when the graph has it.
    b.implicit(
        controller?.key ?? ingress.key,
        "aws:ec2/securityGroup:SecurityGroup",
        backend,
        RULES.lbcBackendSg,
        { cluster },
        undefined,
        `implicit:lbc-backend-sg:${cluster}`,
    );
}
