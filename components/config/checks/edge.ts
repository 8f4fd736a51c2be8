// The controls of an environment's ALB that the field rules cannot judge alone: a web ACL of the
// stack's own region, partition and scope, an allow list without repeats, an access-log bucket of
// the stack's own only where AWS documents who delivers the logs; and, as warnings, an ALB open to
// the world outside production and the shipped placeholders.
import type { StackConfig } from "../contract";
import { elbLogDeliveryPrincipal } from "../elbLogDelivery";
import { partitionOf, record, WAFV2_WEB_ACL_ARN } from "../primitives";
import { EXAMPLE_ACCOUNT, type Finding, inDocumentationRange } from "./platform";

/**
 * The default quota of inbound rules per security group. The controller's security group gets one
 * rule per allowed block and listener port.
 */
export const SECURITY_GROUP_INBOUND_RULES = 60;

/** Problems of ingress.wafAclArn, ingress.allowedCidrs and ingress.accessLogs, on the raw values. */
export function edgeProblems(v: Record<string, unknown>, region: string | undefined): Finding[] {
    const out: Finding[] = [];
    const ingress = record(v.ingress);

    // Only an ARN of the right shape is judged here; a malformed one is reported by its schema.
    const waf = typeof ingress.wafAclArn === "string" ? WAFV2_WEB_ACL_ARN.exec(ingress.wafAclArn) : null;
    if (waf && region) {
        const [, partition, aclRegion, , scope] = waf;
        const right = `a web ACL of scope REGIONAL in ${region} (arn:${partitionOf(region)}:wafv2:${region}:<account>:regional/webacl/<name>/<id>)`;
        const problem =
            scope === "global"
                ? `is a CLOUDFRONT-scoped web ACL (global/webacl), which only CloudFront distributions take; an ALB takes ${right}`
                : partition !== partitionOf(region)
                  ? `is an ARN of partition ${partition}, but ${region} is in partition ${partitionOf(region)}; use ${right}`
                  : aclRegion !== region
                    ? `is a web ACL in ${aclRegion}, but the ALB is in ${region}, and a web ACL protects only resources of its own region; use ${right}`
                    : undefined;
        if (problem) out.push({ at: "ingress.wafAclArn", message: problem });
    }

    // One security-group rule per block and port: a repeat is at best a no-op, so it is a mistake.
    const cidrs = Array.isArray(ingress.allowedCidrs) ? ingress.allowedCidrs : [];
    cidrs.forEach((c, i) => {
        const first = cidrs.indexOf(c);
        if (typeof c === "string" && first < i)
            out.push({
                at: `ingress.allowedCidrs[${i}]`,
                message: `"${c}" is also eks-istio:ingress.allowedCidrs[${first}]; list each block once`,
            });
    });

    const logs = ingress.accessLogs;
    const ownBucket = logs === true || (typeof logs === "object" && logs !== null && record(logs).bucket === undefined);
    if (ownBucket && region && !elbLogDeliveryPrincipal(region))
        out.push({
            at: "ingress.accessLogs",
            message: `AWS documents no Elastic Load Balancing log-delivery account for ${region}, so the program cannot write the policy of a bucket of its own there; name an existing bucket whose policy lets Elastic Load Balancing write (accessLogs.bucket)`,
        });
    return out;
}

/** Settings of the edge that work but deserve a second look; on a config that parsed. */
export function edgeWarnings(cfg: Pick<StackConfig, "environment" | "production" | "ingress">): Finding[] {
    const out: Finding[] = [];
    const { ingress } = cfg;
    const cidrs = ingress.allowedCidrs;
    const world = cidrs?.indexOf("0.0.0.0/0") ?? -1;
    if (!cfg.production && ingress.scheme === "internet-facing" && (cidrs === undefined || world >= 0))
        out.push({
            at: cidrs === undefined ? "ingress.allowedCidrs" : `ingress.allowedCidrs[${world}]`,
            message:
                `${cidrs === undefined ? "is not set" : "is 0.0.0.0/0"}, so the ${cfg.environment} ALB, internet-facing, lets every address on the internet reach every app routed on it; ` +
                "an environment that is not production is rarely meant for everyone: list who may reach it (your office or VPN egress, e.g. [203.0.113.0/24]), or set eks-istio:ingress.scheme: internal",
        });
    if (cidrs && cidrs.every(inDocumentationRange))
        out.push({
            at: "ingress.allowedCidrs",
            message: `${cidrs.join(", ")} ${cidrs.length === 1 ? "is a documentation range" : "are documentation ranges"} (RFC 5737) that no client has: nothing can reach the ALB. Set it to the addresses of your clients before \`pulumi up\``,
        });
    const ports = ingress.certificateArn === undefined ? 1 : 2;
    if (cidrs && cidrs.length * ports > SECURITY_GROUP_INBOUND_RULES)
        out.push({
            at: "ingress.allowedCidrs",
            message: `${cidrs.length} blocks on ${ports} listener port${ports > 1 ? "s" : ""} make ${cidrs.length * ports} inbound rules in the ALB's security group, above the default quota of ${SECURITY_GROUP_INBOUND_RULES}; the controller cannot apply them unless the quota "Inbound or outbound rules per security group" is raised, so merge blocks or raise it first`,
        });
    if (ingress.wafAclArn?.split(":")[4] === EXAMPLE_ACCOUNT)
        out.push({
            at: "ingress.wafAclArn",
            message: `names account ${EXAMPLE_ACCOUNT}, AWS's documentation example: replace it with the ARN of your web ACL before \`pulumi up\`, or the controller fails to associate it, never reports the ALB's address, and \`pulumi up\` times out waiting for the Ingress`,
        });
    return out;
}
