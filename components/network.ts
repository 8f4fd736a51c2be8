import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";
import type { VpcSpec } from "./manifests/aws";

export interface NetworkArgs {
    /** The VPC layout, from `vpcSpec(config)`. */
    spec: VpcSpec;
    /** Protect the VPC from `pulumi destroy` and from replacement (production). */
    protect: boolean;
}

/** A VPC across several AZs with public and private subnets tagged for load balancer discovery. */
export class Network extends pulumi.ComponentResource {
    readonly vpcId: pulumi.Output<string>;
    readonly publicSubnetIds: pulumi.Output<string[]>;
    readonly privateSubnetIds: pulumi.Output<string[]>;

    constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("eks-istio:network:Network", name, {}, opts);
        const { spec } = args;
        const vpc = new awsx.ec2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock: spec.cidrBlock,
                numberOfAvailabilityZones: spec.numberOfAvailabilityZones,
                natGateways: { strategy: spec.natGatewayStrategy },
                enableDnsHostnames: true,
                enableDnsSupport: true,
                subnetStrategy: "Auto",
                subnetSpecs: [
                    { type: "Public", tags: spec.publicSubnetTags },
                    { type: "Private", tags: spec.privateSubnetTags },
                ],
                tags: spec.tags,
            },
            { parent: this, protect: args.protect },
        );
        this.vpcId = vpc.vpcId;
        this.publicSubnetIds = vpc.publicSubnetIds;
        this.privateSubnetIds = vpc.privateSubnetIds;
        this.registerOutputs({
            vpcId: this.vpcId,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
        });
    }
}
