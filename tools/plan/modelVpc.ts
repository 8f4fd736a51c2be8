// The stop-gap model of awsx 3.9.0's Vpc children (see expand.ts): each child cites the
// pulumi-awsx source line it follows (awsx/ec2/...).
import { type RecordedResource, resourceKey } from "../mock/engine";
import { AWSX, AWSX_AWS, type ChildSpec, child, type ModelledResource } from "./modelChild";

/** IPv4 arithmetic for awsx's subnet layout. */
const ipToInt = (ip: string) => ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
const intToIp = (n: number) => [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");

/**
 * awsx:ec2:Vpc with subnetStrategy Auto and specs without sizes: per AZ a block of VPC mask +
 * ceil(log2(AZs)), per spec a subnet of AZ mask + ceil(log2(specs)), in the given order
 * (subnetDistributorNew.ts:123-185, 278-291).
 */
export function vpcChildren(v: RecordedResource): ModelledResource[] {
    const a = v.inputs;
    const n = v.name;
    const out: ModelledResource[] = [];
    const add = (parent: RecordedResource, spec: ChildSpec) => {
        const r = child(parent, { version: AWSX_AWS, ...spec });
        out.push(r);
        return r;
    };
    const tags = (a.tags ?? {}) as Record<string, string>;
    const [base, maskText] = String(a.cidrBlock ?? "10.0.0.0/16").split("/");
    const mask = Number(maskText);
    const azs = Number(a.numberOfAvailabilityZones ?? 3);
    const specs = (
        (a.subnetSpecs as { type: string; tags?: Record<string, string> }[] | undefined) ?? [
            { type: "Public" },
            { type: "Private" },
        ]
    ).filter((s) => s.type !== "Unused");
    const azMask = mask + Math.ceil(Math.log2(azs));
    const subnetMask = azMask + Math.ceil(Math.log2(specs.length));
    const strategy = (a.natGateways as { strategy?: string } | undefined)?.strategy ?? "OnePerAz";

    const vpc = add(v, {
        type: "aws:ec2/vpc:Vpc",
        name: n,
        inputs: {
            cidrBlock: a.cidrBlock,
            enableDnsHostnames: a.enableDnsHostnames,
            enableDnsSupport: a.enableDnsSupport,
            tags: { Name: n, ...tags },
        },
        backsParentOutputs: true,
        modelled: `${AWSX}vpc.ts:143, 481-514`,
    });
    const onVpc = { vpcId: [resourceKey(vpc)] };
    const igw = add(vpc, {
        type: "aws:ec2/internetGateway:InternetGateway",
        name: n,
        inputs: { vpcId: `<${n}>`, tags },
        deps: onVpc,
        modelled: `${AWSX}vpc.ts:159-173`,
    });
    const nats: ModelledResource[] = [];
    const privateRoutes: [ModelledResource, number][] = [];
    for (let az = 1; az <= azs; az++) {
        specs.forEach((spec, i) => {
            const type = spec.type.toLowerCase();
            const name = `${n}-${type}-${az}`;
            const start = ipToInt(base) + (az - 1) * 2 ** (32 - azMask) + i * 2 ** (32 - subnetMask);
            const subnet = add(vpc, {
                type: "aws:ec2/subnet:Subnet",
                name,
                inputs: {
                    vpcId: `<${n}>`,
                    availabilityZone: `<AZ ${az} of the region>`,
                    cidrBlock: `${intToIp(start)}/${subnetMask}`,
                    mapPublicIpOnLaunch: type === "public",
                    assignIpv6AddressOnCreation: false,
                    tags: { ...tags, ...(spec.tags ?? {}), Name: name, SubnetType: spec.type },
                },
                deps: onVpc,
                backsParentOutputs: true,
                modelled: `${AWSX}vpc.ts:188-231; subnetDistributorNew.ts:123-185`,
            });
            const table = add(subnet, {
                type: "aws:ec2/routeTable:RouteTable",
                name,
                inputs: { vpcId: `<${n}>`, tags: { ...tags, Name: name, SubnetType: spec.type } },
                deps: onVpc,
                modelled: `${AWSX}vpc.ts:250-263`,
            });
            add(table, {
                type: "aws:ec2/routeTableAssociation:RouteTableAssociation",
                name,
                inputs: { routeTableId: `<${name}>`, subnetId: `<${name}>` },
                deps: { routeTableId: [resourceKey(table)], subnetId: [resourceKey(subnet)] },
                modelled: `${AWSX}vpc.ts:265-274`,
            });
            if (type === "public") {
                add(table, {
                    type: "aws:ec2/route:Route",
                    name,
                    inputs: { routeTableId: `<${name}>`, destinationCidrBlock: "0.0.0.0/0", gatewayId: `<${n}>` },
                    deps: { routeTableId: [resourceKey(table)], gatewayId: [resourceKey(igw)] },
                    modelled: `${AWSX}vpc.ts:313-349`,
                });
                if (strategy === "OnePerAz" || (strategy === "Single" && az === 1)) {
                    const eip = add(subnet, {
                        type: "aws:ec2/eip:Eip",
                        name: `${n}-${az}`,
                        inputs: { tags: { ...tags, Name: `${n}-${az}` } },
                        modelled: `${AWSX}vpc.ts:276-294`,
                    });
                    nats[az] = add(subnet, {
                        type: "aws:ec2/natGateway:NatGateway",
                        name: `${n}-${az}`,
                        inputs: {
                            subnetId: `<${name}>`,
                            allocationId: `<${n}-${az}>`,
                            tags: { ...tags, Name: `${n}-${az}` },
                        },
                        deps: { subnetId: [resourceKey(subnet)], allocationId: [resourceKey(eip)] },
                        modelled: `${AWSX}vpc.ts:297-310`,
                    });
                }
            } else if (type === "private" && strategy !== "None") privateRoutes.push([table, az]);
        });
    }
    for (const [table, az] of privateRoutes) {
        const nat = strategy === "Single" ? nats[1] : nats[az];
        add(table, {
            type: "aws:ec2/route:Route",
            name: table.name,
            inputs: {
                routeTableId: `<${table.name}>`,
                destinationCidrBlock: "0.0.0.0/0",
                natGatewayId: `<${nat?.name}>`,
            },
            deps: { routeTableId: [resourceKey(table)], natGatewayId: nat ? [resourceKey(nat)] : [] },
            modelled: `${AWSX}vpc.ts:313-349`,
        });
    }
    return out;
}
