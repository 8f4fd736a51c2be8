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
import {
    attachmentProblem,
    clusterAutoscalerChart,
    ConfigError,
    loadStackConfig,
    type StackConfig,
} from "./components/config";
import { EnvironmentEdge } from "./components/environmentEdge";
import { Istio } from "./components/istio";
import { clusterSettings, stackTags, vpcSpec } from "./components/manifests/aws";
import { anyAddonOn, gatewayTrustedProxies, tracingProvider } from "./components/manifests/observability";
import { Network } from "./components/network";
import { Observability } from "./components/observability";

export = async () => {
    // Parsed before any resource is registered: a bad config creates nothing.
    const config = loadStackConfig();
    return config.cluster.stackReference ? attachedStack(config, config.cluster.stackReference) : ownerStack(config);
};

function ownerStack(config: StackConfig) {
    const env = config.environment;
    const network = new Network(`${env}-network`, { spec: vpcSpec(config), protect: config.production });

    const cluster = new Cluster(`${env}-cluster`, {
        ...clusterSettings(config),
        region: config.region,
        vpcId: network.vpcId,
        publicSubnetIds: network.publicSubnetIds,
        privateSubnetIds: network.privateSubnetIds,
        protect: config.production,
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
            dependsOn: [cluster.nodes, cluster.dns],
            provider: cluster.provider,
            tags: stackTags(config),
        });

    const albController = new AlbController(`${env}-alb-controller`, {
        clusterName: cluster.clusterName,
        region: config.region,
        environment: env,
        vpcId: network.vpcId,
        oidcProviderArn: cluster.oidcProviderArn,
        oidcProviderUrl: cluster.oidcProviderUrl,
        version: config.albController.version,
        provider: cluster.provider,
        tags: stackTags(config),
    });

    const istio = new Istio(`${env}-istio`, {
        version: config.istio.version,
        production: config.production,
        outboundTrafficPolicy: config.istio.outboundTrafficPolicy,
        statusNodePort: config.gateway.statusNodePort,
        ports: config.gateway.ports,
        // Both absent with the add-ons off, so istiod's values are then exactly as without them.
        tracing: tracingProvider(config.observability),
        gatewayTrustedProxies: gatewayTrustedProxies(config.observability),
        provider: cluster.provider,
    });

    const edge = new EnvironmentEdge(`${env}-edge`, {
        config,
        provider: cluster.provider,
        istioReady: [istio.istiod],
        ingressDependsOn: [albController.release, istio.gateway],
    });

    // Only the stack that owns the cluster installs add-ons (config refuses them in attached stacks).
    if (anyAddonOn(config.observability))
        new Observability(`${env}-observability`, {
            config,
            provider: cluster.provider,
            istioReady: [istio.istiod],
        });

    return {
        clusterName: cluster.clusterName,
        kubeconfig: cluster.kubeconfig,
        // Every environment the gateway serves: attached stacks check theirs is here.
        gatewayPorts: config.gateway.ports.map(({ environment, port }) => ({ environment, port })),
        url: edge.url,
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
    // The owner already runs istiod, the gateway and the controller: nothing here to wait for.
    const edge = new EnvironmentEdge(`${env}-edge`, { config, provider, istioReady: [], ingressDependsOn: [] });

    return {
        clusterName: owner.requireOutput("clusterName"),
        gatewayPorts: [{ environment: env, port: config.ingress.port }],
        url: edge.url,
    };
}
