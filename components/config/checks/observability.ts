// The observability section: parsed add-on by add-on, cross-checked across add-ons, and the
// warnings of a config that parsed.
import type { z } from "zod";
import {
    ADDON_SCHEMAS,
    ADDONS,
    DEFAULTS,
    observabilitySchema,
    type ParsedObservability,
    type StackConfig,
} from "../contract";
import { keysAt } from "../messages";
import { excerpt } from "../untrusted";
import { CPU_QUANTITY, cpuMillicores, MEMORY_QUANTITY, memoryMebibytes, record } from "../primitives";
import { hostsOverlap, isCatchAll } from "./routing";

export type Section = <T>(key: string, schema: z.ZodType<T>, value: unknown) => T | undefined;

/** The observability section: its own keys, then each add-on as true, false or its settings. */
export function parseObservability(
    raw: unknown,
    section: Section,
    add: (path: string, message: string) => void,
): ParsedObservability | undefined {
    if (raw === undefined) return {};
    const top = section("observability", observabilitySchema, raw);
    if (!top) return undefined;
    const parsed: Record<string, unknown> = { namespace: top.namespace };
    let ok = true;
    for (const addon of ADDONS) {
        const value = top[addon];
        if (value === undefined || typeof value === "boolean") {
            parsed[addon] = value;
            continue;
        }
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
            add(
                `observability.${addon}`,
                `must be true, false or a map of settings (${keysAt(ADDON_SCHEMAS[addon], []).join(", ")}), got ${excerpt(value)}`,
            );
            ok = false;
            continue;
        }
        const settings = section(`observability.${addon}`, ADDON_SCHEMAS[addon] as z.ZodType, value);
        if (settings === undefined) ok = false;
        else parsed[addon] = settings;
    }
    return ok ? (parsed as ParsedObservability) : undefined;
}

/** Whether a raw add-on value switches the add-on on: true, or a map of settings. */
function addonOn(value: unknown): boolean {
    return value === true || (typeof value === "object" && value !== null && !Array.isArray(value));
}

/**
 * Rules across the add-ons: Kiali and Grafana need this stack's Prometheus, requests fit under
 * limits once the overrides meet the defaults, and an exposed Kiali has an allow list and a host
 * the Gateway serves.
 */
export function observabilityProblems(
    raw: unknown,
    production: boolean,
    gatewayHosts: unknown,
): { at: string; message: string }[] {
    const out: { at: string; message: string }[] = [];
    const o = record(raw);
    const readers = (["kiali", "grafana"] as const).filter((a) => addonOn(o[a]));
    if (o.prometheus === false && readers.length > 0)
        out.push({
            at: "observability.prometheus",
            message: `is false, but ${readers.join(" and ")} ${readers.length > 1 ? "read their" : "reads its"} metrics from this stack's Prometheus; remove prometheus: false (it is then switched on with its defaults) or switch ${readers.join(" and ")} off`,
        });
    const sizing = production ? DEFAULTS.observability.sizing.production : DEFAULTS.observability.sizing.dev;
    for (const addon of ADDONS) {
        const override = record(record(o[addon]).resources);
        if (Object.keys(override).length > 0)
            out.push(
                ...resourceProblems(
                    `observability.${addon}.resources`,
                    sizing[addon].resources,
                    override,
                    production ? "production" : "dev",
                ),
            );
    }
    const kiali = record(o.kiali);
    if (addonOn(kiali.expose)) {
        const expose = record(kiali.expose);
        if (expose.allowedIpBlocks === undefined && expose.allowedSourceNamespaces === undefined)
            out.push({
                at: "observability.kiali.expose",
                message:
                    "needs an allow list: allowedIpBlocks (client address blocks, e.g. [203.0.113.0/24]) and/or allowedSourceNamespaces; Kiali is never exposed to everyone",
            });
        const served = Array.isArray(gatewayHosts)
            ? gatewayHosts.filter((h) => typeof h === "string")
            : [...DEFAULTS.ingress.hosts];
        for (const h of Array.isArray(expose.hosts) ? expose.hosts.filter((x) => typeof x === "string") : [])
            if (!served.some((g) => hostsOverlap(g, h)))
                out.push({
                    at: "observability.kiali.expose.hosts",
                    message: `${excerpt(h)} is not served by this environment's Gateway (eks-istio:ingress.hosts: [${served.map(excerpt).join(",")}]); add it there or fix the host`,
                });
    }
    return out;
}

/** A request above its limit, after the overrides are laid over the defaults. */
function resourceProblems(
    at: string,
    defaults: { requests: Record<string, string | undefined>; limits: Record<string, string | undefined> },
    override: Record<string, unknown>,
    sizing: string,
): { at: string; message: string }[] {
    const out: { at: string; message: string }[] = [];
    const given = { requests: record(override.requests), limits: record(override.limits) };
    const requests: Record<string, unknown> = { ...defaults.requests, ...given.requests };
    const limits: Record<string, unknown> = { ...defaults.limits, ...given.limits };
    const kinds = [
        ["cpu", CPU_QUANTITY, cpuMillicores],
        ["memory", MEMORY_QUANTITY, memoryMebibytes],
    ] as const;
    for (const [kind, pattern, amount] of kinds) {
        const [request, limit] = [requests[kind], limits[kind]];
        if (typeof request !== "string" || typeof limit !== "string") continue;
        if (!pattern.test(request) || !pattern.test(limit) || amount(limit) >= amount(request)) continue;
        if (given.limits[kind] === undefined)
            out.push({
                at: `${at}.requests.${kind}`,
                message: `${request} is above the ${sizing} default limit ${limit}; raise limits.${kind} too`,
            });
        else
            out.push({
                at: `${at}.limits.${kind}`,
                message: `${limit} is below the request ${request}${given.requests[kind] === undefined ? ` (the ${sizing} default)` : ""}; a limit must be at least the request`,
            });
    }
    return out;
}

/** Settings that work but deserve a second look; on a config that parsed. */
export function observabilityWarnings(cfg: StackConfig): { at: string; message: string }[] {
    const out: { at: string; message: string }[] = [];
    const { prometheus, kiali } = cfg.observability;
    if (cfg.production && prometheus && !prometheus.storage)
        out.push({
            at: "observability.prometheus",
            message: `keeps ${prometheus.retention} of metrics on the node's disk (an emptyDir of at most ${prometheus.volumeSize}), lost whenever the pod moves; for metrics that survive node replacement set prometheus.storage (e.g. {size: 50Gi}: the stack then installs the EBS CSI driver and an encrypted gp3 StorageClass for the volume)`,
        });
    const expose = kiali?.expose;
    if (!expose) return out;
    if (expose.allowedIpBlocks.includes("0.0.0.0/0"))
        out.push({
            at: "observability.kiali.expose.allowedIpBlocks",
            message:
                "0.0.0.0/0 lets every client reach Kiali's login page; Kiali still asks for a Kubernetes token, but narrow the list to the addresses you work from",
        });
    if (cfg.ingress.certificateArn === undefined)
        out.push({
            at: "observability.kiali.expose",
            message:
                "the environment's ALB serves plain HTTP (no eks-istio:ingress.certificateArn), so Kiali login tokens would cross the network unencrypted; set a certificate",
        });
    cfg.apps.forEach((app, i) => {
        const j = app.http.findIndex(isCatchAll);
        // Envoy picks the most specific host first, so only a host both name exactly competes.
        const host = app.hosts.find((h) => expose.hosts.includes(h));
        if (j >= 0 && host !== undefined)
            out.push({
                at: `apps[${i}].http[${j}]`,
                message: `matches every request on host ${excerpt(host)}, where kiali.expose routes ${expose.path}; Istio merges both VirtualServices in creation order, so ${expose.path} may reach this app instead of Kiali. Give Kiali a host of its own with observability.kiali.expose.hosts`,
            });
    });
    return out;
}
