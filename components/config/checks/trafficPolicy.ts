// Cross-checks between an app's routes and its DestinationRules, AuthorizationPolicy and
// ServiceEntries.
import type { z } from "zod";
import type { appSchema } from "../contract";
import { hostObjectName, qualifyHost } from "../primitives";
import { excerpt } from "../untrusted";
import { hostReach } from "./reach";

/**
 * Cross-checks of routes against DestinationRules, AuthorizationPolicies and ServiceEntries, on
 * apps that parsed. Errors stop the run; warnings are for settings that work but look unintended.
 */
export function trafficPolicyProblems(apps: z.infer<typeof appSchema>[]): {
    errors: { at: string; message: string }[];
    warnings: { at: string; message: string }[];
} {
    const errors: { at: string; message: string }[] = [];
    const warnings: { at: string; message: string }[] = [];
    // Subsets a route may use from another app: those of a rule in the namespace of the Service it
    // names, where the gateway looks for it (tenancy.ts reports a rule written anywhere else).
    const homeSubsets = new Map<string, Set<string>>();
    for (const app of apps) {
        const ns = app.namespace ?? app.name;
        for (const dr of app.destinationRules ?? [])
            if (hostReach(dr.host, ns).namespace === ns)
                homeSubsets.set(qualifyHost(dr.host, ns), new Set((dr.subsets ?? []).map((s) => s.name)));
    }
    apps.forEach((app, i) => {
        const ns = app.namespace ?? app.name;
        const rules = app.destinationRules ?? [];
        const subsetsByHost = new Map<string, Set<string>>();
        const ruleNames = new Map<string, number>();
        rules.forEach((dr, d) => {
            const host = qualifyHost(dr.host, ns);
            if (subsetsByHost.has(host))
                errors.push({
                    at: `apps[${i}].destinationRules[${d}].host`,
                    message: `${excerpt(dr.host)} already has a DestinationRule in this app; Istio applies only one rule per host, so merge them`,
                });
            const names = (dr.subsets ?? []).map((s) => s.name);
            names.forEach((n, k) => {
                if (names.indexOf(n) !== k)
                    errors.push({
                        at: `apps[${i}].destinationRules[${d}].subsets[${k}].name`,
                        message: `subset ${excerpt(n)} is defined twice for host ${excerpt(dr.host)}; subset names must be unique`,
                    });
            });
            subsetsByHost.set(host, new Set([...(subsetsByHost.get(host) ?? []), ...names]));
            // Different hosts can map to one object name ("a.b" and "a-b"): the second would overwrite the first.
            const objectName = hostObjectName(dr.host);
            const clash = ruleNames.get(objectName);
            if (clash !== undefined && qualifyHost(rules[clash].host, ns) !== host)
                errors.push({
                    at: `apps[${i}].destinationRules[${d}].host`,
                    message: `${excerpt(dr.host)} and destinationRules[${clash}].host ${excerpt(rules[clash].host)} would both be named ${excerpt(objectName)}; use the hosts' full names`,
                });
            ruleNames.set(objectName, d);
        });

        // Every destination a request can be sent to: routes, mirrors.
        const used = new Set<string>();
        app.http.forEach((route, r) => {
            const dests: { at: string; host: string; subset?: string }[] = [
                ...(route.route ?? []).map((d, k) => ({ at: `http[${r}].route[${k}].destination`, ...d.destination })),
                ...(route.mirror ? [{ at: `http[${r}].mirror`, ...route.mirror }] : []),
                ...(route.mirrors ?? []).map((m, k) => ({
                    at: `http[${r}].mirrors[${k}].destination`,
                    ...m.destination,
                })),
            ];
            for (const d of dests) {
                const host = qualifyHost(d.host, ns);
                used.add(host);
                if (d.subset === undefined) continue;
                const defined = subsetsByHost.get(host) ?? homeSubsets.get(host);
                if (!defined?.has(d.subset))
                    errors.push({
                        at: `apps[${i}].${d.at}.subset`,
                        message: defined
                            ? `subset ${excerpt(d.subset)} is not defined for host ${excerpt(d.host)} (its DestinationRule defines ${[...defined].map((x) => excerpt(x)).join(", ") || "no subsets"}); Envoy would answer 503 "no healthy upstream"`
                            : `subset ${excerpt(d.subset)} needs a DestinationRule for host ${excerpt(d.host)} in apps[${i}].destinationRules defining it; without one Envoy answers 503 "no healthy upstream"`,
                    });
            }
        });
        rules.forEach((dr, d) => {
            if (!used.has(qualifyHost(dr.host, ns)))
                warnings.push({
                    at: `apps[${i}].destinationRules[${d}].host`,
                    message: `${excerpt(dr.host)} is not a destination of any route of this app; the rule still applies to the callers that see it (this namespace's workloads and the ingress gateway, unless its exportTo says otherwise), so check the host name`,
                });
        });

        (app.authorization ?? []).forEach((rule, a) => {
            if (!rule.from?.length && !rule.to?.length)
                errors.push({
                    at: `apps[${i}].authorization[${a}]`,
                    message:
                        'has neither from nor to, so it would allow every request from anywhere; say who may call (from: [{source: {namespaces: ["..."]}}]) and/or what they may do (to: [{operation: {methods: ["GET"], paths: ["/..."]}}])',
                });
        });
        if (app.allowIngressGateway !== undefined && !app.authorization?.length)
            errors.push({
                at: `apps[${i}].allowIngressGateway`,
                message: "only applies together with authorization rules; remove it or add apps[].authorization",
            });

        const entryNames = new Map<string, number>();
        (app.serviceEntries ?? []).forEach((se, k) => {
            const n = hostObjectName(se.hosts[0]);
            if (entryNames.has(n))
                errors.push({
                    at: `apps[${i}].serviceEntries[${k}].hosts`,
                    message: `first host ${excerpt(se.hosts[0])} is also the first host of serviceEntries[${entryNames.get(n)}]; merge the two entries`,
                });
            entryNames.set(n, k);
        });
    });
    return { errors, warnings };
}
