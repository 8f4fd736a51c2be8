// What a config exposes without meaning to: a production Kubernetes API open to the internet, and
// credentials written into routes. Warnings: both are valid and both deploy, but a reviewer asks
// about each. No message prints the value it is about.
import type { StackConfig } from "../contract";

type Finding = { at: string; message: string };

/** The whole IPv4 internet; the schema has normalised every CIDR (no host bits), so this is the one spelling. */
const ANYWHERE = "0.0.0.0/0";

/**
 * A production cluster whose public API endpoint accepts connections from anywhere (the default
 * of cluster.publicAccessCidrs). IAM still authenticates every request, but a leaked credential or
 * an API server flaw is then usable from any address.
 */
export function apiAccessWarnings(
    config: Pick<StackConfig, "production" | "cluster">,
    publicAccessCidrsSet: boolean,
): Finding[] {
    if (!config.production || config.cluster.stackReference) return [];
    if (!config.cluster.publicAccessCidrs.includes(ANYWHERE)) return [];
    return [
        {
            at: "cluster.publicAccessCidrs",
            message: `${publicAccessCidrsSet ? "includes" : "is not set, so it defaults to"} ${ANYWHERE}: the production cluster's Kubernetes API endpoint accepts connections from the whole internet (IAM still checks every request, but a leaked credential then works from anywhere). List the egress ranges of whatever runs \`pulumi up\` and kubectl (CI runners, VPN), or deploy from a runner inside the VPC (docs/pipeline.md, "Reaching the Kubernetes API")`,
        },
    ];
}

/**
 * Shapes of a credential in a header or query value, each a published format that secret
 * scanners (GitHub's among them) look for. Anchored at the start where a scheme starts the
 * value; at least 8 token characters follow, so a pattern that checks the shape ("Bearer .+",
 * "^Bearer [A-Za-z0-9._-]+$") is not taken for a credential.
 */
export const CREDENTIAL_SHAPES: { shape: string; pattern: RegExp }[] = [
    { shape: "a Bearer token", pattern: /^\^?bearer\s+[A-Za-z0-9._~+/=-]{8,}/i },
    { shape: "Basic credentials", pattern: /^\^?basic\s+[A-Za-z0-9+/=]{8,}/i },
    {
        shape: "credentials of an Authorization scheme",
        pattern: /^\^?(token|digest|negotiate|apikey|aws4-hmac-sha256)\s+\S{8,}/i,
    },
    // A JWT's header is base64url JSON, so it starts with "eyJ" ('{"'); three dot-separated parts.
    { shape: "a JSON Web Token", pattern: /eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\./ },
    { shape: "an AWS access key ID", pattern: /\b(AKIA|ASIA)[0-9A-Z]{16}\b/ },
    { shape: "a GitHub token", pattern: /\b(gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,})/ },
    { shape: "a Slack token", pattern: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
    { shape: "a Stripe secret key", pattern: /\b[rs]k_live_[A-Za-z0-9]{16,}/ },
    { shape: "a Google API key", pattern: /\bAIza[0-9A-Za-z_-]{35}/ },
];

/** Header and query parameter names that carry credentials by convention ("authorization", "x-api-key", "access_token"). */
export const CREDENTIAL_NAME =
    /(^|[-_])(authorization|cookie|token|secret|password|passwd|apikey|api[-_]key|session|credentials?)($|[-_])/i;

/** The shortest fixed value under a credential name that is taken for a credential ("true", "1" are not). */
const MIN_NAMED_VALUE = 8;

/**
 * Which credential `value` looks like, or undefined. `literal`: the value is matched as written
 * (exact, prefix, a header operation), so any 8 characters under a credential name count; a regex
 * counts only by shape, or when it is a plain string without regex syntax.
 */
export function credentialShape(name: string, value: string, literal: boolean): string | undefined {
    const found = CREDENTIAL_SHAPES.find((c) => c.pattern.test(value));
    if (found) return found.shape;
    const plain = literal || !/[\\[\](){}.*+?|]/.test(value.replace(/^\^|\$$/g, ""));
    if (plain && CREDENTIAL_NAME.test(name) && value.replace(/^\^|\$$/g, "").length >= MIN_NAMED_VALUE)
        return `a fixed value of "${name}", a name that carries credentials`;
    return undefined;
}

/**
 * Header and query matches, and header operations, whose values look like credentials. A route
 * stores them in plain text: in the stack's config and state, and in the VirtualService any reader
 * of the cluster sees. A match on a fixed secret is a shared password; a credential is verified
 * (RequestAuthentication, AuthorizationPolicy), not matched.
 */
export function credentialWarnings(apps: StackConfig["apps"]): Finding[] {
    const out: Finding[] = [];
    const matchAdvice =
        "a match value is stored in plain text in the stack's config and state and in the VirtualService, which every reader of the cluster sees, and matching a fixed secret makes it a shared password. Verify credentials instead of matching them: a RequestAuthentication for JWTs (with apps[].authorization rules on request.auth.claims), or an AuthorizationPolicy with an external authorizer (CUSTOM) for API keys and Basic credentials";
    const setAdvice =
        "a header the route adds is stored in plain text in the stack's config and state and in the VirtualService, which every reader of the cluster sees. Let the calling app read the credential from a Kubernetes Secret, or use a RequestAuthentication/AuthorizationPolicy to admit callers by their own credentials";
    apps.forEach((app, i) => {
        app.http.forEach((route, r) => {
            const at = `apps[${i}].http[${r}]`;
            (route.match ?? []).forEach((m, k) => {
                for (const field of ["headers", "withoutHeaders", "queryParams"] as const)
                    for (const [name, match] of Object.entries(m[field] ?? {}))
                        for (const [kind, value] of Object.entries(match) as [string, string][]) {
                            const shape = credentialShape(name, value, kind !== "regex");
                            if (shape)
                                out.push({
                                    at: `${at}.match[${k}].${field}.${name}.${kind}`,
                                    message: `looks like ${shape}: ${matchAdvice}`,
                                });
                        }
            });
            const operations: [string, typeof route.headers][] = [
                [`${at}.headers`, route.headers],
                ...(route.route ?? []).map((w, k): [string, typeof route.headers] => [
                    `${at}.route[${k}].headers`,
                    w.headers,
                ]),
            ];
            for (const [path, headers] of operations)
                for (const direction of ["request", "response"] as const)
                    for (const op of ["set", "add"] as const)
                        for (const [name, value] of Object.entries(headers?.[direction]?.[op] ?? {})) {
                            const shape = credentialShape(name, value, true);
                            if (shape)
                                out.push({
                                    at: `${path}.${direction}.${op}.${name}`,
                                    message: `looks like ${shape}: ${setAdvice}`,
                                });
                        }
        });
    });
    return out;
}
