// Routing: rules within one route, across the routes of an app, and across apps sharing hosts.
import { DEFAULTS, type HttpRoute, reservedNamespaceProblem } from "../contract";
import { httpRoute } from "../istioSpec";
import { keyPath } from "../messages";
import { record } from "../primitives";
import { excerpt, shortText } from "../untrusted";

/** True when a route matches every request: no match, or a match on nothing but uri prefix "/". */
export function isCatchAll(route: { match?: unknown }): boolean {
    if (!Array.isArray(route.match) || route.match.length === 0) return true;
    return route.match.map(record).some((m) => {
        const keys = Object.keys(m).filter((k) => k !== "name");
        if (keys.length === 0) return true;
        const uri = record(m.uri);
        return keys.length === 1 && keys[0] === "uri" && uri.prefix === "/";
    });
}

/** Whether two Gateway/VirtualService hosts can name the same request host. */
export function hostsOverlap(a: string, b: string): boolean {
    if (a === "*" || b === "*" || a === b) return true;
    // Asked both ways round, so two wildcards overlap when either one's suffix ends the other.
    const covers = (wild: string, h: string) => wild.startsWith("*.") && h.endsWith(wild.slice(1));
    return covers(a, b) || covers(b, a);
}

/**
 * Routing mistakes that are valid YAML and valid Istio but lose traffic: a route after a
 * catch-all, a catch-all shared with another app's host (Istio merges VirtualServices of one
 * gateway host in creation order, so which app wins depends on deploy order), and an app host the
 * environment's Gateway does not serve.
 */
export function routingProblems(apps: unknown, gatewayHosts: unknown): { at: string; message: string }[] {
    const out: { at: string; message: string }[] = [];
    const list = (Array.isArray(apps) ? apps : []).map(record);
    const hostsOf = (a: Record<string, unknown>): string[] =>
        Array.isArray(a.hosts) ? a.hosts.filter((h) => typeof h === "string") : [...DEFAULTS.ingress.hosts];
    const gwHosts = Array.isArray(gatewayHosts)
        ? gatewayHosts.filter((h) => typeof h === "string")
        : [...DEFAULTS.ingress.hosts];
    list.forEach((app, i) => {
        const routes: unknown[] = Array.isArray(app.http) ? app.http : [];
        // A route that is not a map is its own type error, not a route that matches everything.
        const first = routes.findIndex((r) => r === record(r) && isCatchAll(r as Record<string, unknown>));
        if (first >= 0 && first < routes.length - 1)
            out.push({
                at: `apps[${i}].http[${first + 1}]`,
                message: `is never reached: ${keyPath(`apps[${i}].http[${first}]`)} before it matches every request; put catch-all routes last`,
            });
        for (const h of hostsOf(app)) {
            if (!gwHosts.some((g) => hostsOverlap(g, h)))
                out.push({
                    at: `apps[${i}].hosts`,
                    message: `${excerpt(h)} is not served by this environment's Gateway (eks-istio:ingress.hosts: [${gwHosts.map(excerpt).join(",")}]); add it there or fix the host`,
                });
        }
        if (first < 0) return;
        list.forEach((other, j) => {
            if (j === i) return;
            const shared = hostsOf(app).find((h) => hostsOf(other).some((o) => hostsOverlap(h, o)));
            if (shared !== undefined)
                out.push({
                    at: `apps[${i}].http[${first}]`,
                    message: `matches every request on host ${excerpt(shared)}, which apps[${j}] (${shortText(String(other.name))}) also serves; Istio merges both VirtualServices in creation order, so one app would shadow the other depending on deploy order. Give this route a match, give the apps distinct hosts, or put the routes in one app`,
                });
        });
    });
    return out;
}

/** Rules across apps (unique names and namespaces) and within each route that parses. */
export function appProblems(apps: unknown): { at: string; message: string }[] {
    const out: { at: string; message: string }[] = [];
    const seenApps = new Map<unknown, number>();
    const seenNamespaces = new Map<unknown, number>();
    (Array.isArray(apps) ? apps : []).forEach((raw, i) => {
        const app = record(raw);
        if (typeof app.name === "string") {
            if (seenApps.has(app.name))
                out.push({
                    at: `apps[${i}].name`,
                    message: `${excerpt(app.name)} is also the name of apps[${seenApps.get(app.name)}]; app names must be unique`,
                });
            seenApps.set(app.name, i);
        }
        const ns = app.namespace ?? app.name;
        const reserved = typeof ns === "string" ? reservedNamespaceProblem(ns) : undefined;
        if (reserved)
            out.push({
                at: app.namespace === undefined ? `apps[${i}].name` : `apps[${i}].namespace`,
                message: `${reserved}${app.namespace === undefined ? " (an app's namespace defaults to its name)" : ""}; give the app a namespace of its own`,
            });
        if (typeof ns === "string") {
            if (seenNamespaces.has(ns))
                out.push({
                    at: `apps[${i}].namespace`,
                    message: `${excerpt(ns)} is also the namespace of apps[${seenNamespaces.get(ns)}]; each app owns its namespace`,
                });
            seenNamespaces.set(ns, i);
        }
        (Array.isArray(app.http) ? app.http : []).forEach((r, j) => {
            const route = httpRoute.safeParse(r);
            if (route.success)
                for (const p of routeProblems(route.data))
                    out.push({ at: `apps[${i}].http[${j}]${p.at}`, message: p.message });
        });
    });
    return out;
}

/** Semantic rules of one HTTP route that Istio's schema cannot express. */
export function routeProblems(route: HttpRoute): { at: string; message: string }[] {
    const out: { at: string; message: string }[] = [];
    const actions = (["route", "redirect", "directResponse"] as const).filter((k) => route[k] !== undefined);
    if (actions.length !== 1)
        out.push({
            at: "",
            message:
                actions.length === 0
                    ? "needs one of route, redirect or directResponse (what to do with matching requests)"
                    : `sets ${actions.join(" and ")}; a route does exactly one of route, redirect or directResponse`,
        });
    const dests = route.route ?? [];
    if (dests.length > 1) {
        const sum = dests.reduce((s, d) => s + (d.weight ?? 0), 0);
        if (sum !== 100)
            out.push({
                at: ".route",
                message: `weights of the ${dests.length} destinations sum to ${sum}; they must sum to 100 (e.g. 50/50 or 90/10)`,
            });
    } else if (dests.length === 1 && dests[0].weight !== undefined && dests[0].weight !== 100)
        out.push({
            at: ".route[0].weight",
            message: `is ${dests[0].weight}, but a single destination receives all traffic; remove the weight or set 100`,
        });
    if (route.rewrite && route.redirect) out.push({ at: ".rewrite", message: "cannot be combined with redirect" });
    return out;
}
