// Composition root: read config → build components → export outputs. Nothing else lives here.
import { AlbController } from "./components/albController";
import { Cluster } from "./components/cluster";
import { loadStackConfig } from "./components/config";
import { EnvironmentEdge } from "./components/environmentEdge";
import { Istio } from "./components/istio";
import { clusterSpec, secretsKeySpec, stackTags, vpcSpec } from "./components/manifests/aws";
import { Network } from "./components/network";

// Parsed before any resource is registered: a bad config creates nothing.
const config = loadStackConfig();
const env = config.environment;

const network = new Network(`${env}-network`, { spec: vpcSpec(config), protect: config.production });

const cluster = new Cluster(`${env}-cluster`, {
    spec: clusterSpec(config),
    secretsKey: secretsKeySpec(config),
    region: config.region,
    vpcId: network.vpcId,
    publicSubnetIds: network.publicSubnetIds,
    privateSubnetIds: network.privateSubnetIds,
    protect: config.production,
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
    provider: cluster.provider,
});

const edge = new EnvironmentEdge(`${env}-edge`, {
    config,
    provider: cluster.provider,
    istioReady: [istio.istiod],
    ingressDependsOn: [albController.release, istio.gateway],
});

export const clusterName = cluster.clusterName;
export const kubeconfig = cluster.kubeconfig;
export const gatewayPorts = config.gateway.ports.map(({ environment, port }) => ({ environment, port }));
export const url = edge.url;
