// What awsx (the version in versions.ts) creates inside awsx:ec2:Vpc for the arguments the program
// passed (pulumi-awsx awsx/ec2/vpc.ts). Names follow awsx: `<vpc>-<spec name or type>-<AZ number>`
// for a subnet, its route table, association and route; `<vpc>-<AZ number>` for an Elastic IP and
// NAT gateway.
import { keyOf, type Recorded } from "./graph";
import type { Builder, Sdk } from "./model";
import { RULES } from "./rules";
import { defaultProvider, MODELLED } from "./versions";

const AWS: Sdk = {
    provider: defaultProvider(MODELLED.awsx.aws),
    registeredWith: `@pulumi/aws ${MODELLED.awsx.aws}`,
    version: MODELLED.awsx.aws,
};

/** `ceil(log2(count))`: the bits awsx adds to a mask to split a block `count` ways (subnetDistributorNew.ts:286-291). */
const newBits = (count: number) => (count <= 1 ? 0 : Math.ceil(Math.log2(count)));

function ipv4(cidr: string): { base: number; mask: number } | undefined {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    if (!m) return undefined;
    const [a, b, c, d, mask] = m.slice(1).map(Number);
    return { base: ((a << 24) >>> 0) + (b << 16) + (c << 8) + d, mask };
}
const dotted = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");

/**
 * A subnet's CIDR with subnetStrategy Auto and specs without cidrMask (awsx
 * subnetDistributorNew.ts:123-185): the VPC is cut into one block per AZ (mask + newBits(AZs)),
 * each AZ block into one subnet per spec (mask + newBits(specs)), in the specs' order.
 */
export function autoSubnetCidr(
    vpcCidr: string,
    azs: number,
    specs: number,
    az: number,
    spec: number,
): string | undefined {
    const vpc = ipv4(vpcCidr);
    if (!vpc) return undefined;
    const azMask = vpc.mask + newBits(azs);
    const subnetMask = azMask + newBits(specs);
    if (subnetMask > 32) return undefined;
    const base = vpc.base + az * 2 ** (32 - azMask) + spec * 2 ** (32 - subnetMask);
    return `${dotted(base)}/${subnetMask}`;
}

export function vpcChildren(b: Builder, vpc: Recorded): void {
    const a = vpc.inputs;
    const V = vpc.name;
    const component = keyOf(vpc);
    const tags: Record<string, string> = a.tags ?? {};
    const azCount: number = Array.isArray(a.availabilityZoneNames)
        ? a.availabilityZoneNames.length
        : (a.numberOfAvailabilityZones ?? 3);
    const strategy = String(a.natGateways?.strategy ?? "OnePerAz").toLowerCase();
    const givenEips: unknown[] = a.natGateways?.elasticIpAllocationIds ?? [];
    // Without specs awsx makes a private and a public subnet per AZ, sized its own way.
    const specs: {
        type: string;
        name?: string;
        cidrMask?: number;
        size?: number;
        cidrBlocks?: unknown;
        tags?: Record<string, string>;
    }[] = Array.isArray(a.subnetSpecs) ? a.subnetSpecs : [{ type: "Private" }, { type: "Public" }];
    const autoLayout =
        a.subnetStrategy === "Auto" &&
        Array.isArray(a.subnetSpecs) &&
        specs.every((s) => s.cidrMask === undefined && s.size === undefined && s.cidrBlocks === undefined);

    const vpcKey = b.child(
        component,
        "aws:ec2/vpc:Vpc",
        V,
        RULES.awsxVpc,
        {
            cidrBlock: a.cidrBlock,
            enableDnsHostnames: a.enableDnsHostnames,
            enableDnsSupport: a.enableDnsSupport,
            tags: { Name: V, ...tags },
        },
        { ...AWS, backsParentOutputs: true },
    );
    const onVpc = { ...AWS, deps: { vpcId: [vpcKey] } };
    const igw = b.child(
        vpcKey,
        "aws:ec2/internetGateway:InternetGateway",
        V,
        RULES.awsxInternetGateway,
        { vpcId: `<${V}>`, tags },
        onVpc,
    );

    // awsx creates an AZ's public subnets first (compareSubnetSpecs); CIDRs follow the specs' order.
    const order = (t: string) => ["public", "private", "isolated"].indexOf(t.toLowerCase());
    const nats: string[] = [];
    for (let az = 0; az < azCount; az++) {
        const inAz = specs
            .map((spec, index) => ({ spec, index }))
            .filter(({ spec }) => spec.type !== "Unused")
            .sort((x, y) => order(x.spec.type) - order(y.spec.type));
        for (const { spec, index } of inAz) {
            const type = spec.type.toLowerCase();
            const name = `${V}-${spec.name ?? type}-${az + 1}`;
            const cidrBlock = autoLayout
                ? autoSubnetCidr(String(a.cidrBlock), azCount, specs.length, az, index)
                : "<allocated by awsx>";
            const subnetTags = { ...tags, ...(spec.tags ?? {}), Name: name, SubnetType: spec.type };
            const subnet = b.child(
                vpcKey,
                "aws:ec2/subnet:Subnet",
                name,
                RULES.awsxSubnet,
                {
                    vpcId: `<${V}>`,
                    availabilityZone: `<AZ ${az + 1} of the region>`,
                    cidrBlock,
                    mapPublicIpOnLaunch: type === "public",
                    assignIpv6AddressOnCreation: false,
                    tags: subnetTags,
                },
                { ...onVpc, backsParentOutputs: true },
            );
            const table = b.child(
                subnet,
                "aws:ec2/routeTable:RouteTable",
                name,
                RULES.awsxSubnet,
                { vpcId: `<${V}>`, tags: { ...tags, Name: name, SubnetType: spec.type } },
                onVpc,
            );
            b.child(
                table,
                "aws:ec2/routeTableAssociation:RouteTableAssociation",
                name,
                RULES.awsxSubnet,
                { routeTableId: `<${name}>`, subnetId: `<${name}>` },
                { ...AWS, deps: { routeTableId: [table], subnetId: [subnet] } },
            );
            const nat =
                type === "public" &&
                (strategy === "single" ? nats.length < 1 : strategy === "oneperaz" && nats.length < az + 1);
            if (nat) {
                const natName = `${V}-${az + 1}`;
                const eip =
                    givenEips.length === 0
                        ? b.child(
                              subnet,
                              "aws:ec2/eip:Eip",
                              natName,
                              RULES.awsxNatGateway,
                              { tags: { ...tags, Name: natName } },
                              AWS,
                          )
                        : undefined;
                nats.push(
                    b.child(
                        subnet,
                        "aws:ec2/natGateway:NatGateway",
                        natName,
                        RULES.awsxNatGateway,
                        {
                            subnetId: `<${name}>`,
                            allocationId: eip ? `<${natName}>` : givenEips[nats.length],
                            tags: { ...tags, Name: natName },
                        },
                        { ...AWS, deps: { subnetId: [subnet], allocationId: [eip] } },
                    ),
                );
            }
            if (type === "public")
                b.child(
                    table,
                    "aws:ec2/route:Route",
                    name,
                    RULES.awsxRoute,
                    { routeTableId: `<${name}>`, destinationCidrBlock: "0.0.0.0/0", gatewayId: `<${V}>` },
                    { ...AWS, deps: { routeTableId: [table], gatewayId: [igw] } },
                );
            else if (type === "private" && strategy !== "none") {
                // The NAT gateway of the route's AZ (OnePerAz) or of AZ 1 (Single), created in that AZ's public subnet.
                const natName = `${V}-${strategy === "single" ? 1 : az + 1}`;
                b.child(
                    table,
                    "aws:ec2/route:Route",
                    name,
                    RULES.awsxRoute,
                    { routeTableId: `<${name}>`, destinationCidrBlock: "0.0.0.0/0", natGatewayId: `<${natName}>` },
                    {
                        ...AWS,
                        deps: { routeTableId: [table], natGatewayId: [`aws:ec2/natGateway:NatGateway::${natName}`] },
                    },
                );
            }
        }
    }
    for (const spec of Array.isArray(a.vpcEndpointSpecs) ? a.vpcEndpointSpecs : [])
        b.child(
            vpcKey,
            "aws:ec2/vpcEndpoint:VpcEndpoint",
            String(spec.serviceName),
            RULES.awsxVpcEndpoint,
            { vpcId: `<${V}>`, serviceName: spec.serviceName },
            onVpc,
        );
}
