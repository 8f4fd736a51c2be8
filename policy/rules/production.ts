// Production stacks: the ALB keeps its deletion protection and TLS, and the EKS API endpoint is
// not open to the whole internet.
import { asList, type Check, isProduction, isRecord, policy, text } from "./common";

export const INGRESS_TYPE = "kubernetes:networking.k8s.io/v1:Ingress";
const ALB = "alb.ingress.kubernetes.io";

/** `k1=v1,k2=v2` (the controller's load-balancer-attributes format) as a map. */
function attributes(value: string): Map<string, string> {
    const map = new Map<string, string>();
    for (const pair of value.split(",")) {
        const at = pair.indexOf("=");
        if (at > 0) map.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    return map;
}

/** The controller's listen-ports annotation, `[{"HTTP": 80}, {"HTTPS": 443}]`, as protocol:port pairs. */
function listenPorts(value: string): string[] | undefined {
    let parsed: unknown;
    try {
        parsed = JSON.parse(value);
    } catch {
        return undefined;
    }
    if (!Array.isArray(parsed)) return undefined;
    return parsed.filter(isRecord).flatMap((entry) => Object.entries(entry).map(([p, port]) => `${p}:${String(port)}`));
}

export const checkProductAlb: Check = ({ type, name, props }) => {
    if (type !== INGRESS_TYPE) return [];
    const metadata: unknown = props.metadata;
    if (!isRecord(metadata) || !isProduction(metadata.labels)) return [];
    const annotations: Record<string, unknown> = isRecord(metadata.annotations) ? metadata.annotations : {};
    const what = `Production Ingress '${name}'`;
    const violations: string[] = [];

    const lbAttributes = text(annotations[`${ALB}/load-balancer-attributes`]);
    // eks-istio:teardown turns protection off on purpose, so that `pulumi destroy` can delete the ALB.
    const teardown = isRecord(metadata.labels) && metadata.labels["eks-istio/teardown"] === "true";
    if (
        !teardown &&
        (lbAttributes === undefined || attributes(lbAttributes).get("deletion_protection.enabled") !== "true")
    ) {
        violations.push(
            `${what} leaves ALB deletion protection off: add deletion_protection.enabled=true to the ` +
                `${ALB}/load-balancer-attributes annotation (comma-separated key=value pairs), so deleting the ` +
                "Ingress by mistake cannot take production's load balancer and its DNS name with it.",
        );
    }

    if (text(annotations[`${ALB}/certificate-arn`]) !== undefined) {
        const sslRedirect = text(annotations[`${ALB}/ssl-redirect`]);
        if (sslRedirect !== "443") {
            violations.push(
                `${what} has a certificate but ${ALB}/ssl-redirect is ${sslRedirect === undefined ? "not set" : `"${sslRedirect}"`}: ` +
                    'set it to "443" so plain HTTP is redirected to HTTPS instead of being served.',
            );
        }
        const portsAnnotation = text(annotations[`${ALB}/listen-ports`]);
        const ports = portsAnnotation === undefined ? undefined : listenPorts(portsAnnotation);
        if (ports === undefined || !ports.includes("HTTPS:443")) {
            const found =
                portsAnnotation === undefined
                    ? "is not set"
                    : ports === undefined
                      ? `is not a JSON list (${portsAnnotation})`
                      : `is ${portsAnnotation}`;
            violations.push(
                `${what} has a certificate but ${ALB}/listen-ports ${found}: ` +
                    `set it to '[{"HTTP": 80}, {"HTTPS": 443}]' so the ALB listens on HTTPS 443.`,
            );
        }
    }
    return violations;
};

export const productAlbDeletionProtection = policy(
    {
        name: "product-alb-deletion-protection",
        description:
            "A production ALB Ingress has deletion protection on and, with a certificate, listens on HTTPS 443 and redirects HTTP to it.",
        enforcementLevel: "mandatory",
        severity: "high",
    },
    checkProductAlb,
);

// ---------------------------------------------------------------------------------------------
// product-endpoint-not-open

export const EKS_CLUSTER_TYPE = "eks:index:Cluster";
const OPEN_CIDRS = ["0.0.0.0/0", "::/0"];

export const checkProductEndpoint: Check = ({ type, name, props }) => {
    if (type !== EKS_CLUSTER_TYPE || !isProduction(props.tags)) return [];
    // A private-only endpoint has nothing to open.
    if (props.endpointPublicAccess === false) return [];
    const cidrs = asList(props.publicAccessCidrs);
    const openCidr = cidrs.find((c) => typeof c === "string" && OPEN_CIDRS.includes(c.trim()));
    let problem: string;
    if (cidrs.length === 0) problem = "leaves publicAccessCidrs unset, which EKS reads as 0.0.0.0/0";
    else if (openCidr !== undefined) problem = `allows ${openCidr} to reach its public API endpoint`;
    else return [];
    return [
        `Production EKS cluster '${name}' ${problem}: set eks-istio:cluster.publicAccessCidrs to the ` +
            "office, VPN and CI egress ranges that need the Kubernetes API.",
    ];
};

export const productEndpointNotOpen = policy(
    {
        name: "product-endpoint-not-open",
        description:
            "A production EKS cluster's public API endpoint is not open to the whole internet (publicAccessCidrs without 0.0.0.0/0).",
        enforcementLevel: "advisory",
        severity: "medium",
    },
    checkProductEndpoint,
);
