// IAM documents: destructive actions on every resource only with a condition that names this
// cluster's tag or its VPC.
import { asList, type Check, isRecord, policy, text } from "./common";
import { allows, parseDocument, permissionDocumentsCheck, statementLabel } from "./iam";

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

export const checkIamDestructiveScoped: Check = permissionDocumentsCheck(unscopedDestructiveViolations);

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
