// IAM documents: how the pack reads them, IRSA trust pinned to one service account and audience,
// and no wildcard actions.
import { asList, type Check, isRecord, policy, text } from "./common";

export interface Statement {
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
export function parseDocument(document: unknown): ParsedDocument | undefined {
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

export function statementLabel(statement: Statement, index: number): string {
    const sid = text(statement.Sid);
    return sid === undefined ? `statement ${index + 1}` : `statement ${index + 1} (Sid ${sid})`;
}

/** Whether a statement grants: IAM rejects a statement without Effect, so anything but "Deny" counts. */
export function allows(statement: Statement): boolean {
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

/**
 * A check of every permissions document a resource carries: a policy's `policy`, and each inline
 * policy of a role (permissions too), each labelled for the message.
 */
export function permissionDocumentsCheck(violationsOf: (document: unknown, what: string) => string[]): Check {
    return ({ type, name, props }) => {
        if (IAM_POLICY_TYPES.includes(type)) return violationsOf(props.policy, `IAM policy '${name}' (${type})`);
        if (type !== "aws:iam/role:Role") return [];
        return asList(props.inlinePolicies)
            .filter(isRecord)
            .flatMap((p, i) =>
                violationsOf(p.policy, `IAM role '${name}', inline policy ${text(p.name) ?? `#${i + 1}`}`),
            );
    };
}

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

export const checkIamNoWildcardActions: Check = permissionDocumentsCheck(wildcardViolations);

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
