// istiod's rules for an AuthorizationPolicy: selector, action and provider, then each rule's sources,
// operations and conditions. Ports of istio/istio at 1.30.3:
//   pkg/config/validation/validation.go  ValidateAuthorizationPolicy (split here by its parts: the
//       CUSTOM action, then each rule's from, to and when), validateOneOfSelectorType,
//       validateWorkloadSelector (primitives.ts)
//   pkg/config/security/security.go      ValidateIPs, ValidatePorts, CheckEmptyValues,
//       CheckValidPathTemplate, validateMapKey, ValidateAttribute
// targetRef(s) themselves (validatePolicyTargetReference) are not checked here.
import type { FieldPath } from "../crd";
import { isCidr, isIpAddress, isObj, list, str, workloadSelector, type Issues, type Obj } from "./primitives";

// ---- pkg/config/security: IPs and CIDRs, ports, path templates and condition keys ---------------

/** security.ValidateIPs, for one entry. */
const ipProblem = (s: string) =>
    s.includes("/")
        ? isCidr(s)
            ? undefined
            : `bad CIDR range (${s})`
        : isIpAddress(s)
          ? undefined
          : `bad IP address (${s})`;
/** security.ValidatePorts, for one entry. */
const authzPortProblem = (p: string) => (/^\d+$/.test(p) && Number(p) <= 65535 ? undefined : `bad port (${p})`);
/** The templates security.CheckValidPathTemplate refuses in a path with "{*}" or "{**}". */
const UNSUPPORTED_PATH_TEMPLATE = /\/\{\w+=\*[*]?\}|\{\w*\}|\/\*[*]?|\*[*]?\//;
/** security.validateMapKey: "a[b]". */
const mapKeyProblem = (key: string) => {
    const open = key.indexOf("[");
    return key.endsWith("]") && open > 0 && open < key.length - 2
        ? undefined
        : `bad key (${key}): should have format a[b]`;
};

/** security.ValidateAttribute: the condition keys istiod knows, and the values each takes. */
export function attributeProblem(key: string, values: string[]): string | undefined {
    if (values.some((v) => v === "")) return `empty value not allowed, found in ${key}`;
    const first = (problems: (string | undefined)[]) => problems.find((p) => p !== undefined);
    if (
        key.startsWith("request.headers") ||
        key.startsWith("request.auth.claims") ||
        key.startsWith("experimental.envoy.filters.")
    )
        return mapKeyProblem(key);
    if (["source.ip", "remote.ip", "destination.ip"].includes(key)) return first(values.map(ipProblem));
    if (key === "destination.port") return first(values.map(authzPortProblem));
    if (
        [
            "source.namespace",
            "source.principal",
            "request.auth.principal",
            "request.auth.audiences",
            "request.auth.presenter",
            "connection.sni",
        ].includes(key)
    )
        return undefined;
    if (key === "destination.namespace") return `attribute ${key} is replaced by the metadata.namespace`;
    if (key.startsWith("destination.labels")) return `attribute ${key} is replaced by the workload selector`;
    if (key === "destination.name" || key === "destination.user")
        return `deprecated attribute ${key}: only supported in v1alpha1`;
    return `unknown attribute: ${key}`;
}

// ---- the policy ----------------------------------------------------------------------------------

const SOURCE_FIELDS = [
    "principals",
    "requestPrincipals",
    "namespaces",
    "ipBlocks",
    "remoteIpBlocks",
    "notPrincipals",
    "notRequestPrincipals",
    "notNamespaces",
    "notIpBlocks",
    "notRemoteIpBlocks",
    "serviceAccounts",
    "notServiceAccounts",
] as const;
const OPERATION_FIELDS = [
    "ports",
    "methods",
    "paths",
    "hosts",
    "notPorts",
    "notMethods",
    "notPaths",
    "notHosts",
] as const;

const CUSTOM_UNSUPPORTED_SOURCES = [
    "namespaces",
    "notNamespaces",
    "serviceAccounts",
    "notServiceAccounts",
    "principals",
    "notPrincipals",
    "requestPrincipals",
    "notRequestPrincipals",
] as const;

/** "principals" → "Principals", as istiod names a field in its messages. */
const goName = (k: string) => `${k[0].toUpperCase()}${k.slice(1)}`;

const meaningless = (a: string) =>
    `${a} action without \`rules\` is meaningless as it will never be triggered, add an empty rule \`{}\` if you want it be triggered for every request`;

/** ValidateAuthorizationPolicy; targetRef(s) themselves are not checked here. */
export function validateAuthorizationPolicy(spec: Obj, out: Issues) {
    validateOneOfSelectorType(spec, out);
    if (isObj(spec.selector)) workloadSelector(spec.selector.matchLabels, ["spec", "selector", "matchLabels"], out);
    const action = str(spec.action) || "ALLOW";
    if (action === "CUSTOM") validateCustomAction(spec, out);
    if (spec.provider != null && action !== "CUSTOM")
        out.add(["spec", "provider"], `\`provider\` must not be with non CUSTOM action, found ${action}`);
    if (action === "DENY" && spec.rules == null) out.add(["spec"], meaningless("DENY"));
    list(spec.rules).forEach((rule, i) => {
        const at: FieldPath = ["spec", "rules", i];
        if (!isObj(rule)) return out.add(at, `\`rule\` must not be nil, found at rule ${i}`);
        validateRuleFrom(rule.from, i, [...at, "from"], out);
        validateRuleTo(rule.to, i, [...at, "to"], out);
        validateRuleWhen(rule.when, [...at, "when"], out);
    });
}

/** validateOneOfSelectorType: a selector, a targetRef or targetRefs, not two of them. */
function validateOneOfSelectorType(spec: Obj, out: Issues) {
    const targetRefs = list(spec.targetRefs).length > 0;
    if ([spec.selector != null, spec.targetRef != null, targetRefs].filter(Boolean).length > 1)
        out.add(["spec"], "only one of targetRefs or workloadSelector can be set");
}

/** The CUSTOM action: rules and a provider name, and no source or condition it cannot check. */
function validateCustomAction(spec: Obj, out: Issues) {
    if (spec.rules == null) out.add(["spec"], meaningless("CUSTOM"));
    else if (!isObj(spec.provider) || !str(spec.provider.name))
        out.add(["spec", "provider", "name"], "`provider.name` must not be empty");
    const unsupported = (at: FieldPath, name: string) =>
        out.add(at, `${name} is currently not supported with CUSTOM action`);
    list(spec.rules).forEach((rule, i) => {
        if (!isObj(rule)) return;
        list(rule.from).forEach((f, j) => {
            const src = isObj(f) ? f.source : undefined;
            if (!isObj(src)) return;
            for (const k of CUSTOM_UNSUPPORTED_SOURCES)
                if (list(src[k]).length) unsupported(["spec", "rules", i, "from", j, "source", k], `From.${goName(k)}`);
        });
        list(rule.when).forEach((w, j) => {
            if (!isObj(w)) return out.add(["spec", "rules", i, "when", j], "when field cannot be nil");
            const key = str(w.key);
            if (
                ["source.namespace", "source.serviceAccount", "source.principal"].includes(key) ||
                key.startsWith("request.auth.")
            )
                unsupported(["spec", "rules", i, "when", j, "key"], key);
        });
    });
}

/** A rule's `from`: each source set and not empty, its IPs and CIDRs, no empty value. */
function validateRuleFrom(from: unknown, i: number, at: FieldPath, out: Issues) {
    if (Array.isArray(from) && from.length === 0) out.add(at, `\`from\` must not be empty, found at rule ${i}`);
    list(from).forEach((f, j) => {
        if (!isObj(f)) return out.add([...at, j], `\`from\` must not be nil, found at rule ${i}`);
        const src = f.source;
        if (!isObj(src)) return out.add([...at, j], `\`from.source\` must not be nil, found at rule ${i}`);
        const count = (...keys: string[]) => keys.reduce((n, k) => n + list(src[k]).length, 0);
        if (
            count("principals", "notPrincipals", "namespaces", "notNamespaces") > 0 &&
            count("serviceAccounts", "notServiceAccounts") > 0
        )
            out.add(
                [...at, j, "source"],
                `cannot set serviceAccounts with namespaces or principals, found at rule ${i}`,
            );
        if (SOURCE_FIELDS.every((k) => list(src[k]).length === 0))
            out.add([...at, j, "source"], `\`from.source\` must not be empty, found at rule ${i}`);
        for (const k of ["ipBlocks", "notIpBlocks", "remoteIpBlocks", "notRemoteIpBlocks"] as const)
            list(src[k]).forEach((ip, n) => out.add([...at, j, "source", k, n], ipProblem(str(ip))));
        for (const k of SOURCE_FIELDS)
            list(src[k]).forEach((v, n) => {
                if (str(v) === "")
                    out.add([...at, j, "source", k, n], `empty value not allowed, found in ${goName(k)}`);
            });
    });
}

/** A rule's `to`: each operation set and not empty, its ports and path templates, no empty value. */
function validateRuleTo(to: unknown, i: number, at: FieldPath, out: Issues) {
    if (Array.isArray(to) && to.length === 0) out.add(at, `\`to\` must not be empty, found at rule ${i}`);
    list(to).forEach((t, j) => {
        if (!isObj(t)) return out.add([...at, j], `\`to\` must not be nil, found at rule ${i}`);
        const op = t.operation;
        if (!isObj(op)) return out.add([...at, j], `\`to.operation\` must not be nil, found at rule ${i}`);
        if (OPERATION_FIELDS.every((k) => list(op[k]).length === 0))
            out.add([...at, j, "operation"], `\`to.operation\` must not be empty, found at rule ${i}`);
        for (const k of ["ports", "notPorts"] as const)
            list(op[k]).forEach((p, n) => out.add([...at, j, "operation", k, n], authzPortProblem(str(p))));
        for (const k of ["paths", "notPaths"] as const)
            list(op[k]).forEach((p, n) => {
                const path = str(p);
                if ((path.includes("{*}") || path.includes("{**}")) && UNSUPPORTED_PATH_TEMPLATE.test(path))
                    out.add(
                        [...at, j, "operation", k, n],
                        `invalid or unsupported path template, found in ${goName(k)}`,
                    );
            });
        for (const k of OPERATION_FIELDS)
            list(op[k]).forEach((v, n) => {
                if (str(v) === "")
                    out.add([...at, j, "operation", k, n], `empty value not allowed, found in ${goName(k)}`);
            });
    });
}

/** A rule's `when`: a key, values or notValues, and values that key takes (ValidateAttribute). */
function validateRuleWhen(when: unknown, at: FieldPath, out: Issues) {
    list(when).forEach((w, j) => {
        if (!isObj(w)) return out.add([...at, j, "key"], "`key` must not be empty"); // Go's GetKey of nil
        const key = str(w.key);
        if (!key) out.add([...at, j, "key"], "`key` must not be empty");
        else if (list(w.values).length === 0 && list(w.notValues).length === 0)
            out.add([...at, j], `at least one of \`values\` or \`notValues\` must be set for key ${key}`);
        else
            for (const k of ["values", "notValues"] as const) {
                // istiod checks both lists, an empty one too (naming a bad key twice); once is
                // enough for a person, at the list they wrote.
                if (list(w[k]).length === 0) continue;
                const problem = attributeProblem(key, list(w[k]).map(str));
                if (problem)
                    out.add(
                        [...at, j, k],
                        `invalid \`${k === "values" ? "value" : "notValue"}\` for \`key\` ${key}: ${problem}`,
                    );
            }
    });
}
