// Composition root: read config → build components → export outputs. Nothing else lives here.
import { AlbController } from "./components/albController";
import { Cluster } from "./components/cluster";
import { loadStackConfig } from "./components/config";
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

new AlbController(`${env}-alb-controller`, {
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

export const clusterName = cluster.clusterName;
export const kubeconfig = cluster.kubeconfig;
