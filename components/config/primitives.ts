// Field-level rules of the contract: names, ports, CIDRs, hosts, quantities, durations. Pure
// functions and patterns, exported for the schemas, the cross-checks and the tests' tables.
//
// The facts the contract shares with the renderers (object names from hosts, the status port, ARM
// instance types, AWS partitions; versions are in compatibility.ts) live here, on the ground floor,
// because manifests/ already stands on config/ for the StackConfig types: a module of their own
// would be one more floor for a handful of names. manifests/ and validation/ import this file (and
// contract.ts, compatibility.ts) by name, never through config/index.ts, which is the parse: a
// renderer needs a name, not the whole contract, and config/ imports nothing above itself.
import { excerpt } from "./untrusted";

/** RFC 1123 label: what Kubernetes requires of namespace names and most object names. */
export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/**
 * Environment names end up in a Service port name `http-<env>`, and Kubernetes limits port names to
 * 15 characters (IANA service name), so an environment is at most 10 characters and has no "--".
 */
export const MAX_ENVIRONMENT_LENGTH = 10;

export function environmentProblem(env: string): string | undefined {
    if (!DNS1123_LABEL.test(env))
        return `${excerpt(env)} is not a DNS-1123 label; use lower-case letters, digits and "-", starting and ending with a letter or digit (e.g. "dev", "qa-1")`;
    if (env.length > MAX_ENVIRONMENT_LENGTH)
        return `${excerpt(env)} is ${env.length} characters; at most ${MAX_ENVIRONMENT_LENGTH} are allowed because the gateway Service port is named ${excerpt(`http-${env}`)} and Kubernetes limits port names to 15 characters`;
    if (env.includes("--"))
        return `${excerpt(env)} contains "--", which Kubernetes does not allow in the port name ${excerpt(`http-${env}`)}`;
    if (!/[a-z]/.test(env))
        return `${excerpt(env)} needs at least one letter (Kubernetes port names must contain a letter)`;
    return undefined;
}

/**
 * A node group's name, in <env>-cluster-<name>: EKS names the group after that Pulumi name plus
 * pulumi-aws's 8-character random suffix, and allows 63 characters (aws.eks.NodeGroup,
 * nodeGroupName). With the longest environment that leaves 63 - 8 - (10 + "-cluster-") = 36.
 */
export const MAX_NODE_GROUP_NAME_LENGTH = 63 - 8 - (MAX_ENVIRONMENT_LENGTH + "-cluster-".length);

const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * What the API server refuses in a label (or taint) key: an optional DNS-subdomain prefix of at most
 * 253 characters and a "/", then a name of 1-63 letters, digits, "-", "_" and ".", starting and
 * ending with a letter or digit (Kubernetes "Labels and Selectors", syntax and character set).
 */
export function labelKeyProblem(key: string): string | undefined {
    const slash = key.lastIndexOf("/");
    const [prefix, name] = slash < 0 ? [undefined, key] : [key.slice(0, slash), key.slice(slash + 1)];
    const example = 'such as "workload" or "example.com/team"';
    if (prefix !== undefined && (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)))
        return `${excerpt(key)} is not a label key: its prefix ${excerpt(prefix)} must be a lower-case DNS subdomain (${example})`;
    if (name.length > 63 || !QUALIFIED_NAME.test(name))
        return `${excerpt(key)} is not a label key: the name after any prefix must be 1-63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit (${example})`;
    return undefined;
}

/** A label (or taint) value: empty, or 1-63 characters of the label-name alphabet. */
export function labelValueProblem(value: string): string | undefined {
    if (value === "" || (value.length <= 63 && QUALIFIED_NAME.test(value))) return undefined;
    return `${excerpt(value)} is not a label value: at most 63 letters, digits, "-", "_" or ".", starting and ending with a letter or digit`;
}

/** Istio reserves 15000-15099 for its sidecar and gateway (15021 status, 15090 metrics, ...). */
export const ISTIO_RESERVED_PORTS = { from: 15000, to: 15099 };

export function portProblem(port: unknown): string | undefined {
    if (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535)
        return `${excerpt(port)} is not a port; use an integer from 1 to 65535`;
    if (port >= ISTIO_RESERVED_PORTS.from && port <= ISTIO_RESERVED_PORTS.to)
        return `${port} is in Istio's reserved range ${ISTIO_RESERVED_PORTS.from}-${ISTIO_RESERVED_PORTS.to} (15021 is the gateway's status port); pick another port such as 8000`;
    return undefined;
}

/** Kubernetes' default NodePort range. */
export const NODE_PORT_RANGE = { from: 30000, to: 32767 };

/** The gateway's status port: ALB health checks go to its /healthz/ready. */
export const STATUS_PORT = 15021;

/**
 * The bottom of the NodePort range that Kubernetes keeps for static assignment (KEP-3668, since
 * 1.29): min(max(16, size/32), 128) ports, 30000-30085 for the default range. Dynamic allocation
 * takes the rest first, so a port pinned here is not taken by some other Service's random NodePort
 * before the gateway asks for it ("provided port is already allocated").
 */
export const NODE_PORT_STATIC_BAND = {
    from: NODE_PORT_RANGE.from,
    to:
        NODE_PORT_RANGE.from +
        Math.min(Math.max(16, Math.floor((NODE_PORT_RANGE.to - NODE_PORT_RANGE.from + 1) / 32)), 128) -
        1,
};

/**
 * The NodePort pinned for an environment's gateway port unless config sets one: 30000 + (port mod 85),
 * inside the static band, below the status port's 30085. It depends on the port alone, so adding an
 * environment never moves another's, and it is easy to derive by hand (80 → 30080, 8000 → 30010,
 * 9000 → 30075, 7000 → 30030). Two ports with the same remainder collide; config reports that and
 * asks for an explicit nodePort. Pinned because ALB target groups (instance mode) point at
 * NodePorts; a NodePort that moved on a Service re-create would leave every target unhealthy.
 */
export function defaultNodePort(port: number): number {
    const size = NODE_PORT_STATIC_BAND.to - NODE_PORT_STATIC_BAND.from;
    return NODE_PORT_STATIC_BAND.from + (port % size);
}

/** The status port's NodePort (ALB health checks) unless config sets one: the band's last port, which no derived port takes. */
export const DEFAULT_STATUS_NODE_PORT = NODE_PORT_STATIC_BAND.to;

/** Parses "a.b.c.d/n" and reports what is wrong with it, including host bits set past the prefix. */
export function cidrProblem(cidr: string, { minPrefix = 0, maxPrefix = 32 } = {}): string | undefined {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,3})$/.exec(cidr);
    if (!m) return `${excerpt(cidr)} is not an IPv4 CIDR block such as 10.0.0.0/16`;
    // AWS and Go's netip refuse "010.0.0.0/16": a leading zero reads as octal in some parsers.
    if (m.slice(1, 6).some((part) => part.length > 1 && part.startsWith("0")))
        return `"${cidr}" has leading zeros; write ${m.slice(1, 5).map(Number).join(".")}/${Number(m[5])}`;
    const octets = m.slice(1, 5).map(Number);
    const prefix = Number(m[5]);
    if (octets.some((o) => o > 255) || prefix > 32) return `"${cidr}" is not an IPv4 CIDR block such as 10.0.0.0/16`;
    const address = octets.reduce((a, o) => a * 256 + o, 0);
    const size = 2 ** (32 - prefix);
    if (address % size !== 0) {
        const network = address - (address % size);
        const dotted = [24, 16, 8, 0].map((s) => Math.floor(network / 2 ** s) % 256).join(".");
        return `"${cidr}" has host bits set; did you mean ${dotted}/${prefix}?`;
    }
    if (prefix < minPrefix || prefix > maxPrefix)
        return `"${cidr}" has prefix /${prefix}; use a prefix from /${minPrefix} to /${maxPrefix}`;
    return undefined;
}

/** ACM certificate ARN; its region must be the stack's region (an ALB only uses certificates from its own region). */
export const CERTIFICATE_ARN =
    /^arn:(aws|aws-cn|aws-us-gov):acm:([a-z]{2}(-[a-z]+)+-\d):(\d{12}):certificate\/[0-9a-f-]{36}$/;

export const IAM_PRINCIPAL_ARN =
    /^arn:(aws|aws-cn|aws-us-gov):(iam|sts)::\d{12}:(role|user|assumed-role)\/[\w+=,.@/-]+$/;

/**
 * A WAFv2 web ACL ARN: partition, region, account, scope (`regional`, or `global` for CloudFront),
 * name and id. Scope and region are judged against the stack in checks/edge.ts.
 */
export const WAFV2_WEB_ACL_ARN =
    /^arn:(aws|aws-cn|aws-us-gov):wafv2:([a-z0-9-]+):(\d{12}):(regional|global)\/webacl\/([\w-]{1,128})\/([0-9a-f-]{36})$/;

/** Why `arn` is not a WAFv2 web ACL ARN at all, or undefined (scope and region are checked later). */
export function wafAclArnShapeProblem(arn: string): string | undefined {
    const example = "arn:aws:wafv2:ap-northeast-1:123456789012:regional/webacl/<name>/<id>";
    if (/^arn:[^:]+:waf(-regional)?:/.test(arn))
        return `is a WAF Classic web ACL; the controller attaches it only through another annotation, and AWS has ended WAF Classic: use a WAFv2 web ACL of scope REGIONAL, such as ${example}`;
    if (!WAFV2_WEB_ACL_ARN.test(arn)) return `must be the ARN of a WAFv2 web ACL of scope REGIONAL, such as ${example}`;
    return undefined;
}

/**
 * Why `name` is not an S3 bucket name (the general purpose bucket naming rules of the S3 user
 * guide), or undefined. Commas and equal signs can never appear, which matters here: the name goes
 * into the controller's `key=value,key=value` annotation.
 */
export function s3BucketNameProblem(name: string): string | undefined {
    const rule = "3-63 lower-case letters, digits, dots and hyphens, starting and ending with a letter or digit";
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name)) return `${excerpt(name)} is not an S3 bucket name: ${rule}`;
    if (name.includes("..")) return `${excerpt(name)} is not an S3 bucket name: two dots in a row`;
    if (/^\d+\.\d+\.\d+\.\d+$/.test(name))
        return `${excerpt(name)} is not an S3 bucket name: it looks like an IP address`;
    const reserved = [
        /^xn--/,
        /^sthree-/,
        /^amzn-s3-demo-/,
        /-s3alias$/,
        /--ol-s3$/,
        /\.mrap$/,
        /--x-s3$/,
        /--table-s3$/,
    ];
    if (reserved.some((r) => r.test(name)))
        return `${excerpt(name)} is not an S3 bucket name: its prefix or suffix is reserved by S3`;
    return undefined;
}

/**
 * Why `prefix` cannot be the access logs' prefix, or undefined. ELB adds `AWSLogs/<account>/...`
 * itself and refuses a prefix containing `AWSLogs`; the characters are S3's safe set, without the
 * comma and equal sign that would break the annotation.
 */
export function accessLogPrefixProblem(prefix: string): string | undefined {
    if (!/^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*$/.test(prefix))
        return `${excerpt(prefix)} is not a prefix: use letters, digits and ! _ . * ' ( ) -, with "/" between parts and not at either end, e.g. "alb/dev"`;
    if (prefix.includes("AWSLogs"))
        return `${excerpt(prefix)} contains "AWSLogs", which Elastic Load Balancing adds after the prefix itself and refuses in it`;
    return undefined;
}

/** Graviton families carry a "g" after the generation digit (t4g, m7g, c6gn, x2gd, g5g), and a1. */
export function isArmInstanceType(instanceType: string): boolean {
    // a1 is the first Graviton generation, from before the "g" suffix.
    return /^[a-z]+\d+[a-z]*g[a-z]*\./.test(instanceType) || instanceType.startsWith("a1.");
}

/** The AWS partition of a region: ARNs in China and GovCloud do not start with arn:aws:. */
export function partitionOf(region: string): "aws" | "aws-cn" | "aws-us-gov" {
    if (region.startsWith("cn-")) return "aws-cn";
    if (region.startsWith("us-gov-")) return "aws-us-gov";
    return "aws";
}

export const SEMVER = /^\d+\.\d+\.\d+$/;

export const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;

export const STACK_REFERENCE = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+$/;

/**
 * Why `ref` is not a stack reference `<organization>/<project>/<stack>`, or undefined. Beyond the
 * pattern: no empty segment and no segment of dots. A self-managed backend (S3, a directory) turns
 * these names into storage paths, so "../../product" is a path out of the project, never a stack.
 */
export function stackReferenceProblem(ref: string): string | undefined {
    const fix = 'write "<organization>/<project>/<stack>", e.g. "acme/eks-istio/product"';
    const segments = ref.split("/");
    if (segments.length > 1 && segments.some((s) => s === ""))
        return `${excerpt(ref)} has an empty segment (a leading, trailing or doubled "/"); ${fix}`;
    const dots = segments.find((s) => /^\.+$/.test(s));
    if (dots !== undefined)
        return `${excerpt(ref)} has a "${dots}" segment: a stack reference names a stack, it is not a path (a self-managed backend stores stacks under these names, so dots would point outside the project); ${fix}`;
    if (!STACK_REFERENCE.test(ref)) return 'must be "<organization>/<project>/<stack>", e.g. "acme/eks-istio/dev"';
    return undefined;
}

/** Gateway/VirtualService host: "*", a DNS name, or "*.suffix". */
export const HOST = /^(\*|(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)*[a-z0-9]([-a-z0-9]*[a-z0-9])?)$/;

/** Kubernetes CPU quantity: millicores ("250m") or cores ("1", "0.5"). */
export const CPU_QUANTITY = /^(\d+m|\d+(\.\d+)?)$/;

/** Memory in Mi or Gi, the units pods are sized in. */
export const MEMORY_QUANTITY = /^[1-9]\d*(Mi|Gi)$/;

export function cpuMillicores(quantity: string): number {
    return quantity.endsWith("m") ? Number(quantity.slice(0, -1)) : Number(quantity) * 1000;
}

export function memoryMebibytes(quantity: string): number {
    const n = Number(quantity.slice(0, -2));
    return quantity.endsWith("Gi") ? n * 1024 : n;
}

/** A Prometheus duration: "15d", "12h", "1w3d". */
const PROMETHEUS_DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

export function prometheusDurationHours(duration: string): number {
    const hours: Record<string, number> = { ms: 1 / 3_600_000, s: 1 / 3600, m: 1 / 60, h: 1, d: 24, w: 168, y: 8760 };
    let total = 0;
    for (const [, n, unit] of duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) total += Number(n) * hours[unit];
    return total;
}

export function retentionProblem(retention: unknown): string | undefined {
    if (typeof retention !== "string" || !PROMETHEUS_DURATION.test(retention))
        return `${excerpt(retention)} is not a Prometheus duration; use a number and a unit such as "2d", "12h" or "2w"`;
    if (prometheusDurationHours(retention) < 2)
        return `"${retention}" is shorter than 2h, the block Prometheus writes to disk, so it would keep almost nothing; use at least "2h"`;
    return undefined;
}

/** A URL path Kiali can be served under: "/kiali", "/ops/kiali"; not "/" and no trailing "/". */
export const URL_PATH = /^(\/[A-Za-z0-9._~-]+)+$/;

/** The name Kubernetes objects get from a host: "reviews.bookinfo.svc.cluster.local" → "reviews-bookinfo-svc-cluster-local". */
export function hostObjectName(host: string): string {
    const name = host
        .toLowerCase()
        .replace(/^\*\./, "wildcard-")
        .replace(/[^a-z0-9-]+/g, "-")
        .replace(/^-+|-+$/g, "");
    return name.slice(0, 63).replace(/-+$/, "") || "host";
}

/** A route host as Istio resolves it from the app's namespace: short names are namespace-local Services. */
export function qualifyHost(host: string, namespace: string): string {
    if (host.includes("*")) return host;
    const parts = host.split(".");
    if (parts.length === 1) return `${host}.${namespace}.svc.cluster.local`;
    if (parts.length === 2) return `${host}.svc.cluster.local`;
    if (host.endsWith(".svc")) return `${host}.cluster.local`;
    return host;
}

export function record(x: unknown): Record<string, unknown> {
    return typeof x === "object" && x !== null && !Array.isArray(x) ? (x as Record<string, unknown>) : {};
}

export function stripUndefined<T extends object>(o: T): { [K in keyof T]-?: Exclude<T[K], undefined> } {
    return Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as never;
}
