// Composition root: read config → build components → export outputs. Nothing else lives here.
//
// Two layouts: a stack that owns its cluster (VPC, EKS, load balancer controller, Istio, and its
// environment's edge), and a stack attached to another stack's mesh (cluster.stackReference), which
// adds only its environment's edge to the owner's cluster.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AlbController } from "./components/albController";
import { Cluster } from "./components/cluster";
import { ClusterAutoscaler } from "./components/clusterAutoscaler";
import { attachmentProblem, clusterAutoscalerChart, ConfigError, type StackConfig } from "./components/config";
import { EnvironmentEdge } from "./components/environmentEdge";
import { Istio } from "./components/istio";
import { MetricsServer } from "./components/metricsServer";
import { clusterSettings, stackTags, vpcSpec } from "./components/manifests/aws";
import {
    controlPlanePlan,
    exportedControlPlanes,
    exportedRevisionTags,
    type ExportedControlPlane,
    type ExportedRevisionTag,
    type PreviousUpdate,
} from "./components/manifests/revisions";
import { anyAddonOn, gatewayTrustedProxies, tracingProvider } from "./components/manifests/observability";
import { Network } from "./components/network";
import { Observability } from "./components/observability";
import { checkAdoptionCli, loadStack } from "./components/stack";

export = async () => {
    // Parsed before any resource is registered: a bad config creates nothing.
    const config = loadStack();
    return config.cluster.stackReference
        ? attachedStack(config, config.cluster.stackReference)
        : await ownerStack(config);
};

async function ownerStack(config: StackConfig) {
    const env = config.environment;
    await checkAdoptionCli(config);
    // Production protects what cannot be recreated without an outage; `teardown` lifts it, and only it.
    const protect = config.production && !config.teardown;
    // Which istiod runs under which name is decided with what the previous update exported, so
    // that a canary upgrade never renames (reinstalls) the control plane that serves traffic.
    const plan = controlPlanePlan(config.istio, await previousUpdate(env));
    if (plan.problems.length)
        throw new ConfigError(
            config.stack,
            plan.problems.map((p) => ({ path: `eks-istio:${p.at}`, message: p.message })),
        );

    const network = new Network(`${env}-network`, { spec: vpcSpec(config), protect });

    const cluster = new Cluster(`${env}-cluster`, {
        ...clusterSettings(config),
        region: config.region,
        vpcId: network.vpcId,
        publicSubnetIds: network.publicSubnetIds,
        privateSubnetIds: network.privateSubnetIds,
        protect,
    });

    // The config preflight has checked that a chart exists for this Kubernetes version.
    const autoscalerChart = clusterAutoscalerChart(config.cluster.kubernetesVersion);
    if (config.cluster.autoscaler && autoscalerChart)
        new ClusterAutoscaler(`${env}-cluster-autoscaler`, {
            clusterName: config.cluster.name,
            region: config.region,
            chart: autoscalerChart,
            oidcProviderArn: cluster.oidcProviderArn,
            oidcProviderUrl: cluster.oidcProviderUrl,
            dependsOn: [...cluster.nodes, cluster.dns],
            provider: cluster.provider,
            tags: stackTags(config),
        });

    const albController = new AlbController(`${env}-alb-controller`, {
        clusterName: cluster.clusterName,
        region: config.region,
        vpcId: network.vpcId,
        oidcProviderArn: cluster.oidcProviderArn,
        oidcProviderUrl: cluster.oidcProviderUrl,
        version: config.albController.version,
        provider: cluster.provider,
        nodes: cluster.nodes,
        tags: stackTags(config),
    });

    // What every namespace the stack creates waits for: deleted before the controller and the nodes,
    // it goes while the controller still clears the finalizers of Ingresses, TargetGroupBindings
    // and LoadBalancer Services created in it (otherwise the namespace hangs and its ALB leaks).
    const namespaceAfter = [albController.release, ...cluster.nodes];

    // The HPAs of istiod and the gateway read their CPU metrics from it.
    new MetricsServer(`${env}-metrics-server`, { provider: cluster.provider, nodes: cluster.nodes });

    const istio = new Istio(`${env}-istio`, {
        plan,
        production: config.production,
        outboundTrafficPolicy: config.istio.outboundTrafficPolicy,
        statusNodePort: config.gateway.statusNodePort,
        ports: config.gateway.ports,
        // Both absent with the add-ons off, so istiod's values are then exactly as without them.
        tracing: tracingProvider(config.observability),
        gatewayTrustedProxies: gatewayTrustedProxies(config.observability),
        provider: cluster.provider,
        kubeconfig: cluster.kubeconfig,
        nodes: cluster.nodes,
        namespaceAfter,
        gatewayAfter: [albController.release],
    });

    const edge = new EnvironmentEdge(`${env}-edge`, {
        config,
        provider: cluster.provider,
        istioReady: istio.istiods,
        // The controller and the nodes: on destroy the Ingress (and with it the ALB) goes first.
        ingressDependsOn: [albController.release, ...cluster.nodes, istio.gateway],
        injectors: istio.injectors,
        namespaceAfter,
    });

    // Only the stack that owns the cluster installs add-ons (config refuses them in attached stacks).
    if (anyAddonOn(config.observability))
        new Observability(`${env}-observability`, {
            config,
            provider: cluster.provider,
            istioReady: istio.istiods,
            nodes: cluster.nodes,
            namespaceAfter,
            storageDriver: cluster.storageDriver,
        });

    return {
        clusterName: cluster.clusterName,
        kubeconfig: cluster.kubeconfig,
        // Every environment the gateway serves: attached stacks check theirs is here.
        gatewayPorts: config.gateway.ports.map(({ environment, port }) => ({ environment, port })),
        url: edge.url,
        // Read back by the next update (previousUpdate).
        istioControlPlanes: exportedControlPlanes(plan),
        istioRevisionTags: exportedRevisionTags(plan),
    };
}

/**
 * The outputs this stack's last update exported, through a reference to the stack itself (Pulumi
 * serves the last completed update's outputs); nothing for a stack never updated.
 */
async function previousUpdate(env: string): Promise<PreviousUpdate> {
    const self = new pulumi.StackReference(`${env}-previous-update`, {
        name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
    });
    const [clusterName, planes, tags] = await Promise.all([
        self.getOutputDetails("clusterName"),
        self.getOutputDetails("istioControlPlanes"),
        self.getOutputDetails("istioRevisionTags"),
    ]);
    const controlPlanes = (planes.value ?? planes.secretValue) as ExportedControlPlane[] | undefined;
    const revisionTags = (tags.value ?? tags.secretValue) as ExportedRevisionTag[] | undefined;
    return {
        deployed: (clusterName.value ?? clusterName.secretValue) !== undefined,
        ...(Array.isArray(controlPlanes) ? { controlPlanes } : {}),
        ...(Array.isArray(revisionTags) ? { revisionTags } : {}),
    };
}

async function attachedStack(config: StackConfig, stackReference: string) {
    const env = config.environment;
    const owner = new pulumi.StackReference(`${env}-owner`, { name: stackReference });
    // Checked before anything is created: an Ingress to a port the gateway does not serve would
    // give an ALB whose targets are never healthy.
    const gatewayPorts = await owner.getOutputDetails("gatewayPorts");
    const problem = attachmentProblem({
        environment: env,
        port: config.ingress.port,
        stackReference,
        ownerGatewayPorts: gatewayPorts.value ?? gatewayPorts.secretValue,
    });
    if (problem) throw new ConfigError(config.stack, [{ path: "eks-istio:cluster.stackReference", message: problem }]);

    const provider = new k8s.Provider(`${env}-k8s`, {
        kubeconfig: pulumi.secret(owner.requireOutput("kubeconfig").apply(String)),
        enableServerSideApply: true,
    });
    // The owner already runs istiod, the gateway and the controller: nothing here to wait for. Its
    // controller clears the finalizers in these namespaces on destroy, as long as the attached
    // stacks are destroyed before the owner (README, "Destroying safely").
    const edge = new EnvironmentEdge(`${env}-edge`, {
        config,
        provider,
        istioReady: [],
        ingressDependsOn: [],
        injectors: {},
        namespaceAfter: [],
    });

    return {
        clusterName: owner.requireOutput("clusterName"),
        gatewayPorts: [{ environment: env, port: config.ingress.port }],
        url: edge.url,
    };
}
