// The eks-istio guardrails as plain policy objects. Each check is a pure function from a resource's
// type, name, inputs and provider to a list of messages, so the tests run them offline without a
// policy engine; `validateResource` only forwards those messages to `reportViolation`.
//
// Only types are imported from @pulumi/policy: loading this module starts nothing (index.ts is what
// serves the pack to the Pulumi CLI).
//
// Inputs reach a policy through @pulumi/policy's unknown-checking proxy: reading a value that is not
// known yet during a preview throws, and the engine reports "can't run policy during preview" as
// advisory instead of a false pass. So values are read before any try/catch, never inside one.
import type {
    EnforcementLevel,
    PolicyProviderResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
} from "@pulumi/policy";

export type { PolicyProviderResource, ResourceValidationArgs } from "@pulumi/policy";

/** What a check reads of a resource: a subset of ResourceValidationArgs, easy to build in tests. */
export type ResourceUnderTest = Pick<ResourceValidationArgs, "type" | "name" | "props"> & {
    provider?: PolicyProviderResource;
};

/** A check: the violations of one resource, as messages that say what to change. */
export type Check = (resource: ResourceUnderTest) => string[];

/** A policy of this pack: always one validation function, and an explicit enforcement level. */
export interface EksIstioPolicy extends ResourceValidationPolicy {
    enforcementLevel: Extract<EnforcementLevel, "mandatory" | "advisory">;
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => void;
    /** The pure check behind validateResource. */
    check: Check;
}

/** The label (Kubernetes objects) and tag (AWS resources) that mark a production stack's resources. */
export const PRODUCTION_MARKER = "eks-istio/production";

function policy(fields: Omit<EksIstioPolicy, "validateResource" | "check">, check: Check): EksIstioPolicy {
    return {
        ...fields,
        check,
        validateResource: (args, reportViolation) => {
            for (const message of check(args)) reportViolation(message);
        },
    };
}

/** A non-empty, trimmed string, or undefined for anything else. */
function text(value: unknown): string | undefined {
    return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A string or a list of strings as a list (IAM's Action, Resource and condition values). */
function asList(value: unknown): unknown[] {
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? value : [value];
}

function isProduction(markers: unknown): boolean {
    return isRecord(markers) && markers[PRODUCTION_MARKER] === "true";
}

// ---------------------------------------------------------------------------------------------
// helm-release-pinned-version

export const HELM_RELEASE_TYPES = ["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"];

/** An exact SemVer 2 version (Helm also accepts a leading v); ranges such as ^1.2 or 1.x are not. */
const EXACT_VERSION = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

export const checkHelmReleasePinned: Check = ({ type, name, props }) => {
    if (!HELM_RELEASE_TYPES.includes(type)) return [];
    const chart = text(props.chart) ?? "(no chart)";
    const what = `Helm release '${name}' (chart ${chart})`;
    const violations: string[] = [];
    const version = text(props.version);
    if (version === undefined) {
        violations.push(
            `${what} has no version: set 'version' to the exact chart version (for example "1.30.3"), ` +
                "so a preview and the update that follows install the same chart.",
        );
    } else if (!EXACT_VERSION.test(version)) {
        violations.push(
            `${what} has version "${version}", which is a range or a tag, not a pinned version: ` +
                "set 'version' to one exact chart version (for example \"1.30.3\").",
        );
    }
    // An OCI reference names its registry in the chart itself.
    if (!chart.startsWith("oci://")) {
        const repositoryOpts: unknown = props.repositoryOpts;
        const repo = isRecord(repositoryOpts) ? text(repositoryOpts.repo) : undefined;
        if (repo === undefined) {
            violations.push(
                `${what} has no repositoryOpts.repo: set it to the chart repository URL ` +
                    "(for example https://blob.istio.io/istio-release/charts), so the chart is not " +
                    "looked up in whatever Helm repositories the machine running Pulumi has configured.",
            );
        }
    }
    return violations;
};

export const helmReleasePinnedVersion = policy(
    {
        name: "helm-release-pinned-version",
        description:
            "Every Helm release pins an exact chart version and names its chart repository (repositoryOpts.repo).",
        enforcementLevel: "mandatory",
        severity: "high",
    },
    checkHelmReleasePinned,
);

// ---------------------------------------------------------------------------------------------
// helm-chart-source-current

/**
 * Locations that are being removed: Istio's Google-hosted chart repository and gcr.io registry go in
 * December 2026, and registry.istio.io is being retired (istio.io, artifact locations, 2026-07/08).
 * Hosts are matched with their subdomains (istio-release.storage.googleapis.com, k8s.gcr.io).
 */
export const RETIRED_HOSTS = ["storage.googleapis.com", "gcr.io", "registry.istio.io"];

/** The host of a chart repository URL, an OCI reference or an image hub ("gcr.io/istio-release"). */
function hostOf(location: string): string {
    return location
        .replace(/^[a-z][a-z0-9+.-]*:\/\//i, "")
        .split(/[/:]/)[0]
        .toLowerCase();
}

function retired(location: string): string | undefined {
    const host = hostOf(location);
    return RETIRED_HOSTS.find((r) => host === r || host.endsWith(`.${r}`));
}

/** The Istio charts whose values name an image hub (istiod's for itself and every injected proxy). */
const ISTIO_CHARTS = ["base", "istiod", "gateway", "cni", "ztunnel"];

export const checkHelmChartSource: Check = ({ type, name, props }) => {
    if (!HELM_RELEASE_TYPES.includes(type)) return [];
    const chart = text(props.chart) ?? "(no chart)";
    const what = `Helm release '${name}' (chart ${chart})`;
    const fix =
        "Istio's charts are at https://blob.istio.io/istio-release/charts (OCI: oci://ghcr.io/istio/release/charts), its images at docker.io/istio.";
    const violations: string[] = [];
    const repositoryOpts: unknown = props.repositoryOpts;
    const repo = isRecord(repositoryOpts) ? text(repositoryOpts.repo) : undefined;
    for (const [where, location] of [
        ["repositoryOpts.repo", repo],
        ["chart", chart.includes("://") ? chart : undefined],
    ] as const) {
        const host = location === undefined ? undefined : retired(location);
        if (host !== undefined)
            violations.push(
                `${what} comes from ${location} (${where}), on ${host}, which is being retired: the chart will not download once it is gone. ${fix}`,
            );
    }
    // Values are read only for Istio's charts: other releases may carry values that are unknown during
    // a preview, and reading those would turn this whole check into "can't run during preview".
    if (ISTIO_CHARTS.includes(chart)) {
        const values: unknown = props.values;
        const global: unknown = isRecord(values) ? values.global : undefined;
        for (const [where, hub] of [
            ["values.hub", isRecord(values) ? text(values.hub) : undefined],
            ["values.global.hub", isRecord(global) ? text(global.hub) : undefined],
        ] as const) {
            const host = hub === undefined ? undefined : retired(hub);
            if (host !== undefined)
                violations.push(
                    `${what} pulls its images from ${hub} (${where}), on ${host}, which is being retired: pods will fail to pull once it is gone. ${fix}`,
                );
        }
    }
    return violations;
};

export const helmChartSourceCurrent = policy(
    {
        name: "helm-chart-source-current",
        description:
            "No Helm release comes from a retired location (storage.googleapis.com, gcr.io, registry.istio.io): neither its chart nor, for Istio's charts, its image hub.",
        enforcementLevel: "mandatory",
        severity: "high",
    },
    checkHelmChartSource,
);

// ---------------------------------------------------------------------------------------------
// istio-v1-apis

/** Istio API groups that have a v1 version (since Istio 1.22). */
export const ISTIO_GROUPS = ["networking.istio.io", "security.istio.io", "telemetry.istio.io"];

/** Istio kinds that have no v1 version yet: asking for v1 would be impossible, so they are exempt. */
export const ISTIO_KINDS_WITHOUT_V1 = ["EnvoyFilter", "ProxyConfig"];

interface Gvk {
    group: string;
    version: string;
    kind?: string;
}

/** Group and version (and kind) of a Kubernetes type token `kubernetes:<group>/<version>:<Kind>`. */
function gvkOfType(type: string): Gvk | undefined {
    const m = /^kubernetes:([^/:]+)\/([^:]+):(.+)$/.exec(type);
    return m ? { group: m[1], version: m[2], kind: m[3] } : undefined;
}

/** Group and version of an apiVersion `<group>/<version>`. */
function gvOfApiVersion(apiVersion: string): Gvk | undefined {
    const m = /^([^/]+)\/([^/]+)$/.exec(apiVersion);
    return m ? { group: m[1], version: m[2] } : undefined;
}

export const checkIstioV1: Check = ({ type, name, props }) => {
    if (!type.startsWith("kubernetes:")) return [];
    const fromType = gvkOfType(type);
    const apiVersion = text(props.apiVersion);
    const fromProps = apiVersion === undefined ? undefined : gvOfApiVersion(apiVersion);
    const kind = text(props.kind) ?? fromType?.kind;
    if (kind !== undefined && ISTIO_KINDS_WITHOUT_V1.includes(kind)) return [];
    const violations: string[] = [];
    for (const gvk of [fromType, fromProps]) {
        if (gvk === undefined || !ISTIO_GROUPS.includes(gvk.group) || gvk.version === "v1") continue;
        const where = gvk === fromType ? `type ${type}` : `apiVersion ${apiVersion}`;
        violations.push(
            `Istio resource '${name}' (${kind ?? "unknown kind"}) uses ${where}: use ${gvk.group}/v1 ` +
                `(available since Istio 1.22); ${gvk.version} is deprecated and may be removed in a later Istio.`,
        );
    }
    // The type and the apiVersion usually say the same thing: one message is enough.
    return violations.slice(0, 1);
};

export const istioV1Apis = policy(
    {
        name: "istio-v1-apis",
        description: "Istio custom resources (networking, security, telemetry.istio.io) use the v1 API version.",
        enforcementLevel: "mandatory",
        severity: "medium",
    },
    checkIstioV1,
);

// ---------------------------------------------------------------------------------------------
// kubernetes-explicit-provider

/** Names the engine gives default providers: `default`, or `default_<version>` (e.g. default_4_34_2). */
const DEFAULT_PROVIDER_NAME = /^default(?:_|$)/;

function providerName(provider: PolicyProviderResource): string {
    // Older engines may leave the name empty; it is the last segment of the URN.
    return text(provider.name) ?? provider.urn.split("::").pop() ?? "";
}

export const checkExplicitKubernetesProvider: Check = ({ type, name, provider }) => {
    if (!type.startsWith("kubernetes:")) return [];
    // Component resources (and anything else the engine sends without a provider) are judged by
    // their children, which are custom resources and do carry one.
    if (provider === undefined) return [];
    if (!DEFAULT_PROVIDER_NAME.test(providerName(provider))) return [];
    return [
        `Kubernetes resource '${name}' (${type}) uses the default provider (${provider.urn || providerName(provider)}), ` +
            "which talks to whatever cluster the ambient kubeconfig points at: pass the stack's kubernetes " +
            "Provider explicitly ({ provider } in the resource options, or through the component's parent).",
    ];
};

export const kubernetesExplicitProvider = policy(
    {
        name: "kubernetes-explicit-provider",
        description:
            "Every Kubernetes resource is created with an explicit kubernetes Provider, never the default provider (ambient kubeconfig).",
        enforcementLevel: "mandatory",
        severity: "critical",
    },
    checkExplicitKubernetesProvider,
);

// ---------------------------------------------------------------------------------------------
// IAM documents (shared by the IRSA and wildcard checks)

interface Statement {
    Sid?: unknown;
    Effect?: unknown;
    Action?: unknown;
    NotAction?: unknown;
    Resource?: unknown;
    NotResource?: unknown;
    Principal?: unknown;
    Condition?: unknown;
}

type ParsedDocument = { statements: Statement[] } | { error: string };

/** An IAM policy document given as a JSON string or as an object. */
function parseDocument(document: unknown): ParsedDocument | undefined {
    let parsed: unknown = document;
    if (typeof document === "string") {
        if (document.trim() === "") return undefined;
        try {
            parsed = JSON.parse(document);
        } catch (e) {
            return { error: `is not valid JSON (${(e as Error).message})` };
        }
    }
    if (!isRecord(parsed))
        return document === undefined || document === null ? undefined : { error: "is not an object" };
    return { statements: asList(parsed.Statement).filter(isRecord) as Statement[] };
}

function statementLabel(statement: Statement, index: number): string {
    const sid = text(statement.Sid);
    return sid === undefined ? `statement ${index + 1}` : `statement ${index + 1} (Sid ${sid})`;
}

/** Whether a statement grants: IAM rejects a statement without Effect, so anything but "Deny" counts. */
function allows(statement: Statement): boolean {
    return statement.Effect !== "Deny";
}

// ---------------------------------------------------------------------------------------------
// irsa-trust-pins-sub-and-aud

const WEB_IDENTITY_ACTION = "sts:assumerolewithwebidentity";

/** Whether an IAM action pattern (which may hold * and ?) matches sts:AssumeRoleWithWebIdentity. */
function matchesWebIdentity(action: unknown): boolean {
    if (typeof action !== "string") return false;
    const pattern = action
        .toLowerCase()
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${pattern}$`).test(WEB_IDENTITY_ACTION);
}

/** The OIDC issuer (host/path) of a federated principal `arn:...:oidc-provider/<issuer>`, if it is one. */
function issuerOf(principal: unknown): string | undefined {
    const federated = isRecord(principal) ? asList(principal.Federated) : [];
    for (const arn of federated) {
        const m = typeof arn === "string" ? /:oidc-provider\/(.+)$/.exec(arn) : null;
        if (m) return m[1];
    }
    return undefined;
}

/** Condition keys under `operator` that name `claim`: `<issuer>:<claim>`, or any issuer when it is unknown. */
function claimKeys(condition: unknown, operator: string, issuer: string | undefined, claim: string): string[] {
    if (!isRecord(condition)) return [];
    const block = condition[operator];
    if (!isRecord(block)) return [];
    // IAM condition keys are case-insensitive.
    const wanted = issuer === undefined ? undefined : `${issuer}:${claim}`.toLowerCase();
    return Object.keys(block).filter((k) =>
        wanted === undefined ? k.toLowerCase().endsWith(`:${claim}`) : k.toLowerCase() === wanted,
    );
}

/** Whether StringEquals pins `claim` to non-empty values. */
function pinned(condition: unknown, issuer: string | undefined, claim: string): boolean {
    const keys = claimKeys(condition, "StringEquals", issuer, claim);
    const block = isRecord(condition) && isRecord(condition.StringEquals) ? condition.StringEquals : {};
    const values = keys.flatMap((k) => asList(block[k]));
    return values.length > 0 && values.every((v) => text(v) !== undefined);
}

/** An example of the value a claim should be pinned to, for the message. */
function expectedClaim(issuer: string | undefined, claim: string): string {
    if (claim === "aud") return '"sts.amazonaws.com"';
    const eks = issuer === undefined || /^oidc\.eks\./.test(issuer);
    return eks ? '"system:serviceaccount:<namespace>:<service account>"' : "the exact subject(s) allowed";
}

export const checkIrsaTrust: Check = ({ type, name, props }) => {
    if (type !== "aws:iam/role:Role") return [];
    const document: unknown = props.assumeRolePolicy;
    const parsed = parseDocument(document);
    if (parsed === undefined) return [];
    if ("error" in parsed) {
        return [`IAM role '${name}': assumeRolePolicy ${parsed.error}; give it a valid IAM policy document.`];
    }
    const violations: string[] = [];
    parsed.statements.forEach((statement, i) => {
        if (!allows(statement) || !asList(statement.Action).some(matchesWebIdentity)) return;
        const issuer = issuerOf(statement.Principal);
        for (const claim of ["sub", "aud"]) {
            if (pinned(statement.Condition, issuer, claim)) continue;
            const key = `${issuer ?? "<issuer>"}:${claim}`;
            const onlyLike =
                claimKeys(statement.Condition, "StringLike", issuer, claim).length > 0
                    ? ` It is only matched with StringLike, so any token whose ${claim} fits the pattern can assume the role.`
                    : "";
            violations.push(
                `IAM role '${name}', trust ${statementLabel(statement, i)}: sts:AssumeRoleWithWebIdentity ` +
                    `does not pin ${key}.${onlyLike} Add Condition.StringEquals["${key}"] = ${expectedClaim(issuer, claim)}.`,
            );
        }
    });
    return violations;
};

export const irsaTrustPinsSubAndAud = policy(
    {
        name: "irsa-trust-pins-sub-and-aud",
        description:
            "IAM roles assumable with web identity (IRSA) pin both the token's sub (the service account) and aud (sts.amazonaws.com) with StringEquals.",
        enforcementLevel: "mandatory",
        severity: "critical",
    },
    checkIrsaTrust,
);

// ---------------------------------------------------------------------------------------------
// iam-no-wildcard-actions

/** Resource types whose `policy` input is a permissions policy document. */
export const IAM_POLICY_TYPES = [
    "aws:iam/policy:Policy",
    "aws:iam/rolePolicy:RolePolicy",
    "aws:iam/userPolicy:UserPolicy",
    "aws:iam/groupPolicy:GroupPolicy",
];

function wildcardViolations(document: unknown, what: string): string[] {
    const parsed = parseDocument(document);
    if (parsed === undefined) return [];
    if ("error" in parsed)
        return [`${what}: the policy document ${parsed.error}; give it a valid IAM policy document.`];
    const violations: string[] = [];
    parsed.statements.forEach((statement, i) => {
        // A wildcard in a Deny takes permissions away; only what is allowed can be too broad.
        if (!allows(statement)) return;
        const where = `${what}, ${statementLabel(statement, i)}`;
        const wild = asList(statement.Action).filter((a) => typeof a === "string" && /[*?]/.test(a));
        if (wild.length > 0) {
            violations.push(
                `${where} allows wildcard action(s) ${wild.map((a) => JSON.stringify(a)).join(", ")}: ` +
                    'list the exact actions the workload calls (for example "ec2:DescribeSubnets").',
            );
        }
        if (statement.NotAction !== undefined) {
            violations.push(
                `${where} uses NotAction with Allow, which grants every action not listed: ` +
                    "replace it with an Action list of the exact actions needed.",
            );
        }
    });
    return violations;
}

export const checkIamNoWildcardActions: Check = ({ type, name, props }) => {
    if (IAM_POLICY_TYPES.includes(type)) {
        const document: unknown = props.policy;
        return wildcardViolations(document, `IAM policy '${name}' (${type})`);
    }
    // Inline policies on the role itself are permissions too.
    if (type === "aws:iam/role:Role") {
        const inline: unknown = props.inlinePolicies;
        return asList(inline)
            .filter(isRecord)
            .flatMap((p, i) => {
                const document: unknown = p.policy;
                const label = text(p.name) ?? `#${i + 1}`;
                return wildcardViolations(document, `IAM role '${name}', inline policy ${label}`);
            });
    }
    return [];
};

export const iamNoWildcardActions = policy(
    {
        name: "iam-no-wildcard-actions",
        description:
            'IAM permission policies allow no wildcard actions ("*", "service:*", "service:Get*") and no NotAction.',
        enforcementLevel: "mandatory",
        severity: "high",
    },
    checkIamNoWildcardActions,
);

// ---------------------------------------------------------------------------------------------
// iam-destructive-actions-scoped

/** Verbs of actions that delete, detach or change what exists. */
export const DESTRUCTIVE_VERBS = [
    "Delete",
    "Deregister",
    "Revoke",
    "Modify",
    "Set",
    "Disassociate",
    "Detach",
    "Terminate",
    "Remove",
    "Unassign",
];

/**
 * Destructive actions AWS gives no condition key that could confine them to one owner's objects,
 * allowed unscoped with the reason (the AWS Load Balancer Controller's policy needs each).
 */
export const UNSCOPABLE_ACTIONS: Record<string, string> = {
    "elasticloadbalancing:SetWebAcl": "AWS evaluates no condition key for it and it takes no resource",
    "elasticloadbalancing:SetRulePriorities":
        "the Service Authorization Reference lists no condition key in its row: a tag condition may never match",
    "waf-regional:DisassociateWebACL": "AWS evaluates no condition key for it",
    "wafv2:DisassociateWebACL": "AWS evaluates no condition key for it",
    "shield:DeleteProtection":
        "the only key is the protection's tag, and the load balancer controller creates protections untagged",
};

/**
 * Whether an action (which may hold * and ?) can name a destructive one: its verb starts with a
 * destructive verb, or, up to its first wildcard, could still become one ("De*", "*").
 */
function destructive(action: string): boolean {
    const verb = action.includes(":") ? action.slice(action.indexOf(":") + 1) : action;
    const wildcard = verb.search(/[*?]/);
    if (wildcard < 0) return DESTRUCTIVE_VERBS.some((v) => new RegExp(`^${v}([A-Z0-9]|$)`).test(verb));
    const prefix = verb.slice(0, wildcard).toLowerCase();
    return DESTRUCTIVE_VERBS.some((v) => v.toLowerCase().startsWith(prefix) || prefix.startsWith(v.toLowerCase()));
}

/**
 * A Resource entry that names no particular object: "*", or a typed ARN whose identifying part is
 * only wildcards (`security-group/*`, `targetgroup/*\/*`, `listener/app/*\/*\/*`, `role/*`).
 */
function everything(resource: unknown): boolean {
    if (typeof resource !== "string") return false;
    if (resource.trim() === "*") return true;
    const fields = resource.split(":");
    // arn:partition:service:region:account:resource — S3 object ARNs have no account and name a bucket.
    if (fields.length < 6 || fields[4] === "") return false;
    return /^[A-Za-z-]+(\/(app|net|gwy))?(\/\*)+$|^\*$/.test(fields.slice(5).join(":"));
}

/** Operators that hold only when the key is present and compares equal (or like) to a value. */
const NARROWING_OPERATOR = /^(ForAnyValue:)?(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$/;
/** Keys that name an owner: a resource's or request's tag, or a VPC. */
const OWNER_KEY = /^([a-z0-9-]+:(ResourceTag|RequestTag)\/.+|ec2:Vpc|ec2:VpcID)$/i;

function namesTagOrVpc(condition: unknown): boolean {
    if (!isRecord(condition)) return false;
    return Object.entries(condition).some(
        ([operator, block]) =>
            NARROWING_OPERATOR.test(operator) &&
            isRecord(block) &&
            Object.entries(block).some(([key, value]) => OWNER_KEY.test(key) && asList(value).some((v) => text(v))),
    );
}

function unscopedDestructiveViolations(document: unknown, what: string): string[] {
    const parsed = parseDocument(document);
    if (parsed === undefined || "error" in parsed) return [];
    const violations: string[] = [];
    parsed.statements.forEach((statement, i) => {
        if (!allows(statement)) return;
        const onEverything =
            statement.NotResource !== undefined || asList(statement.Resource).some((r) => everything(r));
        if (!onEverything || namesTagOrVpc(statement.Condition)) return;
        const actions = asList(statement.Action)
            .filter((a): a is string => typeof a === "string" && destructive(a))
            .filter((a) => !(a in UNSCOPABLE_ACTIONS));
        if (actions.length === 0) return;
        const where = statement.NotResource !== undefined ? "NotResource (everything else)" : "every resource";
        violations.push(
            `${what}, ${statementLabel(statement, i)} allows destructive action(s) ${actions.map((a) => JSON.stringify(a)).join(", ")} ` +
                `on ${where} with no condition naming a tag or VPC, so it reaches every environment's objects in the account: ` +
                'add Condition.StringEquals["aws:ResourceTag/<owner tag>"] = "<this stack\'s value>" (or ArnEquals["ec2:Vpc"] for ' +
                "EC2 network objects), or name the resources. A Null test does not count: it only checks that some tag exists.",
        );
    });
    return violations;
}

export const checkIamDestructiveScoped: Check = ({ type, name, props }) => {
    if (IAM_POLICY_TYPES.includes(type)) {
        const document: unknown = props.policy;
        return unscopedDestructiveViolations(document, `IAM policy '${name}' (${type})`);
    }
    if (type === "aws:iam/role:Role") {
        const inline: unknown = props.inlinePolicies;
        return asList(inline)
            .filter(isRecord)
            .flatMap((p, i) => {
                const document: unknown = p.policy;
                const label = text(p.name) ?? `#${i + 1}`;
                return unscopedDestructiveViolations(document, `IAM role '${name}', inline policy ${label}`);
            });
    }
    return [];
};

export const iamDestructiveActionsScoped = policy(
    {
        name: "iam-destructive-actions-scoped",
        description:
            "IAM permission policies allow Delete*, Deregister*, Revoke*, Modify*, Set*, Disassociate*, Detach*, Terminate*, Remove* and Unassign* " +
            "actions on every resource only under a condition naming a tag or VPC (StringEquals/ArnEquals, not Null).",
        enforcementLevel: "mandatory",
        severity: "high",
    },
    checkIamDestructiveScoped,
);

// ---------------------------------------------------------------------------------------------
// product-alb-deletion-protection

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

// ---------------------------------------------------------------------------------------------

/** Every policy of the eks-istio pack, in the order the pack reports them. */
export const policies: EksIstioPolicy[] = [
    helmReleasePinnedVersion,
    helmChartSourceCurrent,
    istioV1Apis,
    kubernetesExplicitProvider,
    irsaTrustPinsSubAndAud,
    iamNoWildcardActions,
    iamDestructiveActionsScoped,
    productAlbDeletionProtection,
    productEndpointNotOpen,
];
