// The platform preflight: versions inside the windows the program has data for, HTTPS on a
// production edge, and settings that are still the shipped placeholders. Run before any resource
// is registered, on the raw values, so one run reports every problem.
import {
    ALB_CONTROLLER_POLICIES,
    compareVersions,
    clusterAutoscalerChart,
    clusterAutoscalerRange,
    compareMinor,
    DEFAULT_ALB_CONTROLLER_VERSION,
    DEFAULT_ISTIO_VERSION,
    DEFAULT_KUBERNETES_VERSION,
    ISTIO_RELEASES,
    knownIstioVersions,
    kubernetesRange,
    minorOf,
} from "../compatibility";
import type { StackConfig } from "../contract";
import { record, SEMVER } from "../primitives";

export interface Finding {
    at: string;
    message: string;
}

/**
 * Versions the program cannot stand behind: an Istio it has no reference data for, a Kubernetes
 * version outside that Istio's supported range, a Kubernetes version without a Cluster Autoscaler
 * chart (with the autoscaler on), a controller chart whose IAM policy the program does not carry.
 * Only values that passed their own field rules are judged; a malformed one is reported there.
 */
export function compatibilityProblems(v: Record<string, unknown>): Finding[] {
    const cluster = record(v.cluster);
    if (cluster.stackReference !== undefined) return []; // the owner stack installs all of it
    const out: Finding[] = [];
    const istio = record(v.istio);
    const istioVersion = istio.version ?? DEFAULT_ISTIO_VERSION;
    const k8s = cluster.kubernetesVersion ?? DEFAULT_KUBERNETES_VERSION;
    const k8sOk = typeof k8s === "string" && /^1\.\d{2}$/.test(k8s);
    const k8sSource = cluster.kubernetesVersion === undefined ? " (the default)" : "";

    // Every control plane installed: the one version, or each of istio.revisions (canary upgrades).
    const installed: { at: string; version: unknown }[] = Array.isArray(istio.revisions)
        ? istio.revisions.map((version, k) => ({ at: `istio.revisions[${k}]`, version }))
        : [{ at: "istio.version", version: istioVersion }];
    for (const { at, version } of installed) {
        const minor = typeof version === "string" ? minorOf(version) : undefined;
        const release = minor === undefined ? undefined : ISTIO_RELEASES[minor];
        if (minor !== undefined && release === undefined)
            out.push({
                at,
                message: `the program has no reference data for Istio ${minor} (${String(version)}): its charts' values, CRDs and supported Kubernetes versions are unchecked; use ${knownIstioVersions()}`,
            });
        if (release && k8sOk) {
            const { from, to } = release.kubernetes;
            if (compareMinor(k8s, from) < 0 || compareMinor(k8s, to) > 0)
                out.push({
                    at: "cluster.kubernetesVersion",
                    message: `"${k8s}"${k8sSource} is outside the Kubernetes versions Istio ${String(version)} supports (${kubernetesRange(release)}); pick a version in that range`,
                });
        }
    }

    if (k8sOk && cluster.autoscaler !== false && !clusterAutoscalerChart(k8s))
        out.push({
            at: "cluster.autoscaler",
            message: `the program knows no Cluster Autoscaler release for Kubernetes ${k8s}${k8sSource} (CA's minor version must match the cluster's; known: ${clusterAutoscalerRange()}); set eks-istio:cluster.kubernetesVersion to one of those, or eks-istio:cluster.autoscaler: false to run the node group at a fixed size`,
        });

    const alb = record(v.albController).version;
    // A malformed version ("3.5") is reported once, by its schema, without this follow-on.
    if (typeof alb === "string" && SEMVER.test(alb) && !(ALB_CONTROLLER_POLICIES as readonly string[]).includes(alb))
        out.push({
            at: "albController.version",
            message: `the program carries the controller's IAM policy only for chart version ${ALB_CONTROLLER_POLICIES.join(", ")}; chart ${alb} may call AWS APIs that policy does not allow. Use ${DEFAULT_ALB_CONTROLLER_VERSION}, or vendor that version's iam_policy.json first`,
        });
    return out;
}

/**
 * Production on the internet speaks HTTPS: a production, internet-facing ALB needs
 * ingress.certificateArn, unless ingress.allowPlainHttpInProduction says plain HTTP is intended.
 */
export function httpsProblems(v: Record<string, unknown>, production: boolean): Finding[] {
    const ingress = record(v.ingress);
    const scheme = ingress.scheme ?? "internet-facing";
    if (!production || scheme !== "internet-facing") return [];
    if (ingress.certificateArn !== undefined || ingress.allowPlainHttpInProduction === true) return [];
    return [
        {
            at: "ingress.certificateArn",
            message:
                "is required on a production, internet-facing ALB: set it to an ACM certificate in the stack's region " +
                "(the ALB then listens on HTTPS 443 and redirects HTTP 80 to it), or set eks-istio:ingress.allowPlainHttpInProduction: true " +
                "to serve plain HTTP on purpose",
        },
    ];
}

/** AWS's documentation account, used by the shipped stack files as a placeholder. */
export const EXAMPLE_ACCOUNT = "123456789012";

/** RFC 5737 documentation ranges: no client ever has one of these addresses. */
export const DOCUMENTATION_CIDRS = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"];

/** `cidr` is a parsed CIDR list entry: the schema has already held it to cidrProblem. */
export function inDocumentationRange(cidr: string): boolean {
    const [address, prefix] = cidr.split("/");
    const head = address.split(".").slice(0, 3).join(".");
    return Number(prefix) >= 24 && DOCUMENTATION_CIDRS.some((d) => d.startsWith(`${head}.`));
}

/**
 * Valid settings that cannot work as written: the shipped placeholders. Warnings, so that the
 * shipped stack files render and preview, and the preview says exactly what to replace.
 */
export function platformWarnings(config: StackConfig): Finding[] {
    const out: Finding[] = [];
    const release = ISTIO_RELEASES[minorOf(config.istio.version) ?? ""];
    if (
        !config.cluster.stackReference &&
        release?.fixedIn &&
        compareVersions(config.istio.version, release.fixedIn.version) < 0
    )
        out.push({
            at: "istio.version",
            message: `${config.istio.version} predates ${release.fixedIn.version}, in which ${release.fixedIn.fix}; use ${release.newestPatch}`,
        });
    const cert = config.ingress.certificateArn;
    if (cert?.split(":")[4] === EXAMPLE_ACCOUNT)
        out.push({
            at: "ingress.certificateArn",
            message: `names account ${EXAMPLE_ACCOUNT}, AWS's documentation example: replace it with the ARN of your ACM certificate in ${config.region} before \`pulumi up\`, or the ALB is never created`,
        });
    if (cert !== undefined && config.ingress.allowPlainHttpInProduction)
        out.push({
            at: "ingress.allowPlainHttpInProduction",
            message: "has no effect: ingress.certificateArn is set, so the ALB serves HTTPS; remove the key",
        });
    const cidrs = config.cluster.publicAccessCidrs;
    if (!config.cluster.stackReference && cidrs.length > 0 && cidrs.every(inDocumentationRange))
        out.push({
            at: "cluster.publicAccessCidrs",
            message:
                `${cidrs.join(", ")} ${cidrs.length === 1 ? "is a documentation range" : "are documentation ranges"} (RFC 5737) that no client has: ` +
                "nothing can reach the Kubernetes API, so `pulumi up` creates the cluster and then times out on the first Helm release. " +
                "Set it to the egress addresses of whoever deploys (your CI runners' and your VPN's), or see docs/pipeline.md for a runner inside the VPC",
        });
    return out;
}
