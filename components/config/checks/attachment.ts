// Attached stacks (cluster.stackReference): what they cannot set, and whether the owner serves them.
import { record } from "../primitives";

/**
 * Settings an attached stack (cluster.stackReference) cannot have: the owner stack runs the VPC,
 * the cluster, the load balancer controller and Istio, and pins the gateway's NodePorts.
 */
export function attachedModeProblems(v: Record<string, unknown>): { at: string; message: string }[] {
    const owner = "the owner stack (the one cluster.stackReference names)";
    const out: { at: string; message: string }[] = [];
    for (const key of Object.keys(record(v.cluster)).filter((k) => k !== "stackReference"))
        out.push({
            at: `cluster.${key}`,
            message: `has no effect with cluster.stackReference: this stack creates no cluster; set it in ${owner}`,
        });
    for (const key of Object.keys(record(v.istio)))
        out.push({
            at: `istio.${key}`,
            message:
                key === "extraGatewayPorts"
                    ? `belongs in ${owner}, which owns the gateway Service; list this environment there`
                    : `has no effect with cluster.stackReference: Istio is installed by ${owner}; set it there`,
        });
    if (v.albController !== undefined)
        out.push({
            at: "albController",
            message: `has no effect with cluster.stackReference: ${owner} runs the controller`,
        });
    if (v.observability !== undefined)
        out.push({
            at: "observability",
            message: `has no effect with cluster.stackReference: the add-ons run once per cluster and are installed by ${owner}; set eks-istio:observability there`,
        });
    if (record(v.ingress).nodePort !== undefined)
        out.push({
            at: "ingress.nodePort",
            message: `is pinned by ${owner}: set it on this environment's entry of its eks-istio:istio.extraGatewayPorts`,
        });
    return out;
}

/**
 * Why an attached stack cannot use its owner's gateway, or undefined when it can: the owner's
 * `gatewayPorts` output must list this environment on this port.
 */
export function attachmentProblem(a: {
    environment: string;
    port: number;
    stackReference: string;
    ownerGatewayPorts: unknown;
}): string | undefined {
    const ownerStack = a.stackReference.split("/").pop();
    const fix = `add {environment: ${a.environment}, port: ${a.port}} to eks-istio:istio.extraGatewayPorts in the owner's Pulumi.${ownerStack}.yaml and run \`pulumi up\` on ${a.stackReference} first`;
    if (!Array.isArray(a.ownerGatewayPorts))
        return `${a.stackReference} has no gatewayPorts output; is it an eks-istio stack that owns a cluster, and has it been deployed?`;
    const ports = a.ownerGatewayPorts.map(record);
    const listed = ports.map((p) => `${String(p.environment)} ${String(p.port)}`).join(", ") || "none";
    const mine = ports.find((p) => p.environment === a.environment);
    if (mine && mine.port === a.port) return undefined;
    if (mine)
        return `${a.stackReference} serves environment "${a.environment}" on port ${String(mine.port)}, not ${a.port} (eks-istio:ingress.port); make the two agree`;
    const taken = ports.find((p) => p.port === a.port);
    if (taken)
        return `port ${a.port} of ${a.stackReference}'s gateway belongs to environment "${String(taken.environment)}"; pick another eks-istio:ingress.port and ${fix.replace(String(a.port), "<that port>")}`;
    return `${a.stackReference}'s gateway does not serve port ${a.port} for environment "${a.environment}" (it serves: ${listed}); ${fix}`;
}
