// The shared gateway Service: one port and one NodePort per environment it serves.
import { keyPath } from "../messages";
import {
    DEFAULT_STATUS_NODE_PORT,
    defaultNodePort,
    NODE_PORT_STATIC_BAND,
    portProblem,
    record,
    STATUS_PORT,
} from "../primitives";
import { excerpt, shortText } from "../untrusted";

/** Environments and ports served by one gateway Service must be unique across ingress.port and extraGatewayPorts. */
export function gatewayPortProblems(
    environment: unknown,
    port: unknown,
    extra: unknown,
): { at: string; message: string }[] {
    const out: { at: string; message: string }[] = [];
    const seenEnv = new Map<unknown, string>([[environment, "this stack's environment"]]);
    const seenPort = new Map<unknown, string>([[port, `${keyPath("ingress.port")} (${String(environment)})`]]);
    (Array.isArray(extra) ? extra : []).forEach((raw, i) => {
        const p = record(raw);
        const at = `istio.extraGatewayPorts[${i}]`;
        if (typeof p.environment === "string") {
            if (seenEnv.has(p.environment))
                out.push({
                    at: `${at}.environment`,
                    message: `${excerpt(p.environment)} is already served by ${seenEnv.get(p.environment)}`,
                });
            seenEnv.set(p.environment, keyPath(at));
        }
        if (typeof p.port === "number") {
            if (seenPort.has(p.port))
                out.push({
                    at: `${at}.port`,
                    message: `${p.port} is already used by ${seenPort.get(p.port)}; each environment needs its own port`,
                });
            seenPort.set(p.port, `${keyPath(at)} (${shortText(String(p.environment))})`);
        }
    });
    return out;
}

function nodePortEntries(ingress: Record<string, unknown>, istio: Record<string, unknown>) {
    const entries: { at: string; port: unknown; nodePort: unknown; status?: true }[] = [
        { at: "istio.statusNodePort", port: STATUS_PORT, nodePort: istio.statusNodePort, status: true },
        { at: "ingress.nodePort", port: ingress.port, nodePort: ingress.nodePort },
        ...(Array.isArray(istio.extraGatewayPorts) ? istio.extraGatewayPorts : []).map((e, i) => ({
            at: `istio.extraGatewayPorts[${i}].nodePort`,
            port: record(e).port,
            nodePort: record(e).nodePort,
        })),
    ];
    return entries;
}

/** Every port of the gateway Service gets a distinct NodePort, whether set or derived. */
export function nodePortProblems(
    ingress: Record<string, unknown>,
    istio: Record<string, unknown>,
): { at: string; message: string }[] {
    const entries = nodePortEntries(ingress, istio);
    const out: { at: string; message: string }[] = [];
    const seen = new Map<number, { label: string; derivedFrom?: unknown }>();
    for (const e of entries) {
        const explicit = e.nodePort !== undefined;
        const derived = e.status
            ? DEFAULT_STATUS_NODE_PORT
            : !portProblem(e.port)
              ? defaultNodePort(e.port as number)
              : undefined;
        const nodePort = explicit ? e.nodePort : derived;
        if (typeof nodePort !== "number") continue;
        // The status port comes first, so it is never the one reported: when it holds its default,
        // the port it collides with says so (the user may never have written statusNodePort).
        const what = explicit ? `${nodePort}` : `${nodePort} (derived from port ${String(e.port)})`;
        const first = seen.get(nodePort);
        // Two NodePorts derived from one port: the port itself is taken twice, and
        // gatewayPortProblems says so at the port.
        const samePort = !explicit && first?.derivedFrom !== undefined && first.derivedFrom === e.port;
        if (first && !samePort)
            out.push({
                at: e.at,
                message: `${what} is also the nodePort of ${first.label}; set a distinct nodePort in ${NODE_PORT_STATIC_BAND.from}-${NODE_PORT_STATIC_BAND.to}`,
            });
        else if (!first)
            seen.set(nodePort, {
                label: `${keyPath(e.at)}${e.status && !explicit ? " (its default)" : ""}`,
                ...(!explicit && !e.status ? { derivedFrom: e.port } : {}),
            });
    }
    return out;
}

/**
 * A nodePort set outside the static band works, but only while no Service has been given it
 * dynamically: a warning, not an error, because a stack deployed before the derived ports moved into
 * the band may pin its old ones on purpose (README, "Upgrading").
 */
export function nodePortWarnings(
    ingress: Record<string, unknown>,
    istio: Record<string, unknown>,
): { at: string; message: string }[] {
    return nodePortEntries(ingress, istio)
        .filter(
            (e) =>
                typeof e.nodePort === "number" &&
                (e.nodePort < NODE_PORT_STATIC_BAND.from || e.nodePort > NODE_PORT_STATIC_BAND.to),
        )
        .map((e) => ({
            at: e.at,
            message: `${String(e.nodePort)} is outside ${NODE_PORT_STATIC_BAND.from}-${NODE_PORT_STATIC_BAND.to}, the band Kubernetes keeps for pinned NodePorts; any Service given a NodePort automatically may take it first, and the gateway's next update then fails with "provided port is already allocated". Prefer a port in the band (or leave nodePort unset)`,
        }));
}
