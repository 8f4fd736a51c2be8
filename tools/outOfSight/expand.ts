// The expansion: a recorded run, plus what the pinned components, AWS and the controllers create.
import { vpcChildren } from "./awsx";
import { Graph, type Recorded } from "./graph";
import { albIngressImplicit, eksClusterImplicit, eksNodeGroupImplicit } from "./implicit";
import { Builder, entities, type OutOfSightObject } from "./model";
import { clusterChildren } from "./pulumiEks";
import { managedNodeGroupChildren } from "./pulumiEksNodes";

export interface ModelOptions {
    /** The Pulumi project (Pulumi.yaml `name`), for URNs. */
    project?: string;
    /**
     * The EKS cluster name behind each stack reference ("org/project/stack") an attached stack's
     * Kubernetes provider reads: its objects then land on that cluster, named as the owner's are.
     */
    stackClusters?: Readonly<Record<string, string>>;
}

const LBC_CHART = "aws-load-balancer-controller";

/**
 * Every object the recorded program leads to without registering it: the children of its remote
 * components, then what EKS, the load balancer controller and Kubernetes create for the clusters,
 * node groups and Ingresses (the program's and the modelled ones). Pure: the same resources give
 * the same objects, in the same order.
 */
export function outOfSight(resources: readonly Recorded[], opts: ModelOptions = {}): OutOfSightObject[] {
    return memoized(expansions, resources, optionsKey(opts), () => expand(resources, opts));
}

/** What the options change in a result: the same recorded run with the same options expands the same. */
export const optionsKey = (opts: ModelOptions) => JSON.stringify([opts.project ?? null, opts.stackClusters ?? {}]);

/**
 * Results by recorded run (the mock engine shares one run per distinct input between the tests and
 * the render) and options. Callers must not change what they get.
 */
export function memoized<T>(
    cache: WeakMap<readonly Recorded[], Map<string, T>>,
    resources: readonly Recorded[],
    key: string,
    compute: () => T,
): T {
    let byKey = cache.get(resources);
    if (!byKey) cache.set(resources, (byKey = new Map()));
    if (!byKey.has(key)) byKey.set(key, compute());
    return byKey.get(key)!;
}
const expansions = new WeakMap<readonly Recorded[], Map<string, OutOfSightObject[]>>();

function expand(resources: readonly Recorded[], opts: ModelOptions): OutOfSightObject[] {
    const g = new Graph(resources, opts.project, opts.stackClusters);
    const b = new Builder(g);
    for (const r of g.ofType("awsx:ec2:Vpc")) vpcChildren(b, r);
    for (const r of g.ofType("eks:index:Cluster")) clusterChildren(b, r);
    for (const r of g.ofType("eks:index:ManagedNodeGroup")) managedNodeGroupChildren(b, r);

    const all = entities(g, b.objects);
    for (const e of all.filter((e) => e.type === "aws:eks/cluster:Cluster")) eksClusterImplicit(b, e);
    for (const e of all.filter((e) => e.type === "aws:eks/nodeGroup:NodeGroup")) eksNodeGroupImplicit(b, e);
    const controllers = all.filter((e) => e.type === "kubernetes:helm.sh/v3:Release" && e.inputs.chart === LBC_CHART);
    for (const e of all.filter((e) => e.type === "kubernetes:networking.k8s.io/v1:Ingress")) {
        const scope = g.k8sScope(e.recorded?.graph.provider).id;
        const controller = controllers.find((c) => g.k8sScope(c.recorded?.graph.provider).id === scope);
        albIngressImplicit(g, b, e, controller);
    }
    return b.objects;
}
