// Which condition keys AWS evaluates for an action, from the vendored Service Authorization Reference
// (tests/fixtures/iam/sar-actions.json, provenance in SOURCES.json), and whether one IAM statement
// grants no more than another. Test-side only: the program never reads the reference.
//
// The rule (AWS's "Actions, resources, and condition keys" tables): a condition key K is in the
// request context of action A when it is a global key, when the reference lists it for A itself
// (the action's row with no resource type), or when it lists it for the resource type A is
// authorized against (the action's row for that type). A key the request lacks never matches a
// positive operator: in an Allow the action is then silently denied. Checked here strictly:
// - every resource type the statement's Resource covers must list K, because the request may be
//   authorized against any of them (ec2:CreateSecurityGroup is authorized against the new group,
//   which has aws:RequestTag, and against the VPC, which has not);
// - a key the reference lists only in its resource-types table, not in the action's row (such as
//   aws:ResourceTag for elasticloadbalancing:SetRulePriorities), does not count.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import type { PolicyDocument, PolicyStatement } from "../components/manifests/aws";

export const SAR_DIR = path.join(__dirname, "fixtures", "iam");

export interface SarResourceType {
    name: string;
    required: boolean;
    arn: string;
    conditionKeys: string[];
    conditionKeysInActionRow: string[];
    resourceTypeTableConditionKeys: string[];
}
export interface SarAction {
    source: string;
    accessLevel: string;
    dependentActions: string[];
    actionConditionKeys: string[];
    resourceTypes: SarResourceType[];
}
export type Sar = Record<string, SarAction>;

let sar: Sar | undefined;

/** The vendored reference, read once. */
export function loadSar(): Sar {
    sar ??= JSON.parse(fs.readFileSync(path.join(SAR_DIR, "sar-actions.json"), "utf8")) as Sar;
    return sar;
}

export function sha256(file: string): string {
    return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

export const list = <T>(x: T | T[] | undefined): T[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

/**
 * Global condition keys the program may use: present in every request context where their
 * Availability says so (IAM User Guide, "AWS global condition context keys"). aws:RequestTag,
 * aws:ResourceTag and aws:TagKeys are not among them: each service lists the actions that have them.
 */
export const GLOBAL_KEYS = [
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalOrgID",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:RequestedRegion",
    "aws:SecureTransport",
    "aws:CalledVia",
    "aws:ViaAWSService",
];

/** A reference key template (`aws:ResourceTag/${TagKey}`) as a case-insensitive matcher of concrete keys. */
function keyMatcher(template: string): RegExp {
    const parts = template.split(/\$\{[A-Za-z]+\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    return new RegExp(`^${parts.join(".+")}$`, "i");
}

const listed = (keys: string[], key: string) => keys.some((k) => keyMatcher(k).test(key));

// ---------------------------------------------------------------------------------------------
// Resource patterns against the reference's ARN formats

type Token = { lit: string } | { star: true } | { variable: true };

const globTokens = (pattern: string): Token[] => [...pattern].map((c) => (c === "*" ? { star: true } : { lit: c }));

const templateTokens = (arn: string): Token[] =>
    arn
        .split(/(\$\{[A-Za-z]+\})/)
        .flatMap((part): Token[] =>
            /^\$\{[A-Za-z]+\}$/.test(part) ? [{ variable: true }] : [...part].map((c) => ({ lit: c })),
        );

/**
 * Whether some ARN matches both the statement's Resource `pattern` (IAM wildcards: `*`) and the
 * reference's ARN format (each `${Var}` one or more characters other than `:` and `/`): the
 * intersection of two small automata, explored breadth first.
 */
export function covers(pattern: string, arnFormat: string): boolean {
    if (pattern === "*") return true;
    const memo = `${pattern}\n${arnFormat}`;
    let known = coverage.get(memo);
    if (known === undefined) coverage.set(memo, (known = intersects(pattern, arnFormat)));
    return known;
}

const coverage = new Map<string, boolean>();

function intersects(pattern: string, arnFormat: string): boolean {
    // Another service (the third field, literal in both) shares no ARN.
    const [service, formatService] = [pattern.split(":")[2], arnFormat.split(":")[2]];
    if (service !== undefined && !service.includes("*") && service !== formatService) return false;
    // Nor does another resource type: compare the literal starts of the resource parts.
    const start = (x: string, wildcard: RegExp) => x.split(":").slice(5).join(":").split(wildcard)[0];
    const [a, b] = [start(pattern, /\*/), start(arnFormat, /\$\{/)];
    if (pattern.split(":").length >= 6 && !a.startsWith(b) && !b.startsWith(a)) return false;
    const p = globTokens(pattern);
    const t = templateTokens(arnFormat);
    const inVariable = (c: string) => c !== ":" && c !== "/";
    // State: position in p, position in t, and whether t's variable at that position has a character yet.
    const closure = (states: [number, number, boolean][]) => {
        const out = new Map<string, [number, number, boolean]>();
        const stack = [...states];
        while (stack.length) {
            const s = stack.pop()!;
            const key = s.join(",");
            if (out.has(key)) continue;
            out.set(key, s);
            const [i, j, started] = s;
            if (i < p.length && "star" in p[i]) stack.push([i + 1, j, started]);
            if (started) stack.push([i, j + 1, false]);
        }
        return [...out.values()];
    };
    const alphabet = new Set([":", "/", "\u0000"]);
    for (const tok of [...p, ...t]) if ("lit" in tok) alphabet.add(tok.lit);
    let frontier = closure([[0, 0, false]]);
    const seen = new Set<string>();
    while (frontier.length) {
        if (frontier.some(([i, j, started]) => i === p.length && j === t.length && !started)) return true;
        const next: [number, number, boolean][] = [];
        for (const c of alphabet)
            for (const [i, j] of frontier) {
                const pi: number[] = [];
                if (i < p.length) {
                    const tok = p[i];
                    if ("star" in tok) pi.push(i);
                    else if ("lit" in tok && tok.lit === c) pi.push(i + 1);
                }
                const tj: [number, boolean][] = [];
                if (j < t.length) {
                    const tok = t[j];
                    if ("variable" in tok) {
                        if (inVariable(c)) tj.push([j, true]);
                    } else if ("lit" in tok && tok.lit === c) tj.push([j + 1, false]);
                }
                for (const a of pi) for (const [b, s] of tj) next.push([a, b, s]);
            }
        frontier = closure(next).filter((s) => {
            const key = s.join(",");
            if (seen.has(key)) return false;
            seen.add(key);
            return true;
        });
    }
    return false;
}

// ---------------------------------------------------------------------------------------------
// Condition keys of a statement

export interface KeyFinding {
    /** `statement 4 (Sid X)`, as the policy pack names statements. */
    statement: string;
    action: string;
    key?: string;
    problem: string;
}

function label(s: PolicyStatement, i: number): string {
    return s.Sid === undefined ? `statement ${i + 1}` : `statement ${i + 1} (Sid ${s.Sid})`;
}

/** The condition keys of a statement, with the operator each is used under. */
export function conditionKeys(s: PolicyStatement): { operator: string; key: string }[] {
    return Object.entries(s.Condition ?? {}).flatMap(([operator, block]) =>
        Object.keys(block).map((key) => ({ operator, key })),
    );
}

/** Why `key` is not evaluated for `action` under `resources`, or undefined when it is. */
export function keyProblem(reference: Sar, action: string, resources: string[], key: string): string | undefined {
    if (GLOBAL_KEYS.some((g) => g.toLowerCase() === key.toLowerCase())) return undefined;
    const entry = reference[action];
    if (!entry) return "the action is not in the vendored reference";
    if (listed(entry.actionConditionKeys, key)) return undefined;
    const types = entry.resourceTypes.filter((t) => resources.some((r) => covers(r, t.arn)));
    if (types.length === 0)
        return "the action has no resource type the statement's Resource covers, and no such key of its own";
    const missing = types.filter((t) => !listed(t.conditionKeysInActionRow, key));
    if (missing.length === 0) return undefined;
    const tableOnly = missing.filter((t) => listed(t.resourceTypeTableConditionKeys, key)).map((t) => t.name);
    return (
        `not evaluated for resource type ${missing.map((t) => t.name).join(", ")}` +
        (tableOnly.length
            ? ` (${tableOnly.join(", ")}: only in the resource-types table, not in the action's row)`
            : "")
    );
}

/** Web-identity trust: `<issuer>:aud` and `<issuer>:sub` of the federated principal's own issuer. */
function trustKeyProblem(s: PolicyStatement, key: string): string | undefined {
    const federated = list(s.Principal?.Federated)[0] ?? "";
    const issuer = /:oidc-provider\/(.+)$/.exec(federated)?.[1];
    if (issuer === undefined) return "no OIDC provider principal names the issuer";
    const claim = key.slice(issuer.length + 1);
    return key.toLowerCase().startsWith(`${issuer.toLowerCase()}:`) && ["aud", "sub"].includes(claim)
        ? undefined
        : `not a claim of ${issuer} that IAM evaluates (aud, sub)`;
}

/**
 * Every condition key of `doc` that AWS would not evaluate for the statement's actions, and every
 * action whose resource types the statement's Resource does not cover (it would grant nothing).
 */
export function conditionKeyFindings(doc: PolicyDocument, reference: Sar = loadSar()): KeyFinding[] {
    const out: KeyFinding[] = [];
    doc.Statement.forEach((s, i) => {
        const statement = label(s, i);
        const resources = list(s.Resource);
        for (const action of list(s.Action)) {
            const keys = conditionKeys(s).map((k) => k.key);
            if (action === "sts:AssumeRoleWithWebIdentity") {
                for (const key of keys) {
                    const problem = trustKeyProblem(s, key);
                    if (problem) out.push({ statement, action, key, problem });
                }
                continue;
            }
            if (action === "sts:AssumeRole") {
                for (const key of keys.filter((k) => !GLOBAL_KEYS.includes(k)))
                    out.push({ statement, action, key, problem: "a service trust evaluates only global keys here" });
                continue;
            }
            const entry = reference[action];
            if (!entry) {
                out.push({ statement, action, problem: "the action is not in the vendored reference" });
                continue;
            }
            const grantsSomething =
                entry.resourceTypes.length === 0
                    ? resources.includes("*")
                    : entry.resourceTypes.some((t) => resources.some((r) => covers(r, t.arn)));
            if (!grantsSomething)
                out.push({ statement, action, problem: "the statement's Resource covers none of its resource types" });
            for (const key of keys) {
                const problem = keyProblem(reference, action, resources, key);
                if (problem) out.push({ statement, action, key, problem });
            }
        }
    });
    return out;
}

// ---------------------------------------------------------------------------------------------
// One statement no broader than another

const POSITIVE = /^(ForAnyValue:)?(StringEquals|StringEqualsIgnoreCase|StringLike|ArnEquals|ArnLike)$/;

/** Whether the glob `outer` matches every string the glob `inner` does (sound for `*`-only globs). */
function globContains(outer: string, inner: string): boolean {
    const re = new RegExp(`^${outer.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`);
    return re.test(inner);
}

/** Whether the condition `narrow` implies the condition `wide` (each of wide's tests holds whenever narrow's do). */
export function conditionImplies(
    narrow: PolicyStatement["Condition"] = {},
    wide: PolicyStatement["Condition"] = {},
): boolean {
    const lower = (block: Record<string, string | string[]>) =>
        Object.fromEntries(Object.entries(block).map(([k, v]) => [k.toLowerCase(), list(v)]));
    const n = Object.fromEntries(Object.entries(narrow).map(([op, b]) => [op, lower(b)]));
    return Object.entries(wide).every(([op, block]) =>
        Object.entries(lower(block)).every(([key, values]) => {
            // The same test on the same key, with no other value allowed.
            if (n[op]?.[key] !== undefined) return n[op][key].every((v) => values.includes(v));
            // "The key is present" holds whenever a positive operator compares it with something.
            if (op === "Null" && values.length === 1 && values[0] === "false")
                return Object.entries(n).some(
                    ([o, b]) => b[key] !== undefined && (POSITIVE.test(o) || (o === "Null" && b[key][0] === "false")),
                );
            return false;
        }),
    );
}

/** Whether `narrow` grants `action` on no resource and under no condition that `wide` does not. */
export function statementWithin(narrow: PolicyStatement, wide: PolicyStatement, action: string): boolean {
    if (narrow.Effect !== "Allow" || wide.Effect !== "Allow") return false;
    if (!list(narrow.Action).includes(action) || !list(wide.Action).includes(action)) return false;
    const resourcesWithin = list(narrow.Resource).every((r) => list(wide.Resource).some((w) => globContains(w, r)));
    return resourcesWithin && conditionImplies(narrow.Condition, wide.Condition);
}
