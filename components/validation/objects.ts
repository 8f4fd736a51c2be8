// Every Istio custom resource the program registers for a config, each with the way back from a
// field of the object to the config key that produced it. The same manifest functions the
// components use build them, so what is validated is what is registered.
import type { StackConfig } from "../config/contract";
import {
    authorizationPolicyManifest,
    destinationRuleManifests,
    gatewayManifest,
    serviceEntryManifests,
    virtualServiceManifest,
} from "../manifests/edge";
import { meshPeerAuthentication } from "../manifests/istio";
import {
    anyAddonOn,
    kialiAuthorizationPolicyManifest,
    kialiVirtualServiceManifest,
    meshTelemetryManifest,
} from "../manifests/observability";
import type { FieldPath } from "./crd";

export interface IstioObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string> };
    spec: Record<string, unknown>;
}

export interface GeneratedObject {
    object: IstioObject;
    /** The Pulumi resource name the component registers it under (see the components). */
    resourceName: string;
    /** The config key of the entry that produced the object as a whole. */
    key: string;
    /** The config key (without "eks-istio:") that produced the field at `path` of the object. */
    configKey(path: FieldPath): string;
    /** Config keys outside `key` that the object is built from too (the environment names the Gateway). */
    alsoFrom?: string[];
}

/** `base` + the rest of `path` after `prefix`, as a config key path ("apps[0].http[1].timeout"). */
function under(path: FieldPath, prefix: FieldPath, base: string, shift = 0): string | undefined {
    if (prefix.some((p, i) => path[i] !== p)) return undefined;
    let rest = path.slice(prefix.length);
    if (shift && typeof rest[0] === "number") {
        if (rest[0] < shift) return undefined;
        rest = [rest[0] - shift, ...rest.slice(1)];
    }
    return base + rest.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("");
}

const first = (...keys: (string | undefined)[]) => keys.find((k) => k !== undefined)!;

/** The Istio objects the program registers for `cfg`, in the order the components register them. */
export function generatedIstioObjects(cfg: StackConfig): GeneratedObject[] {
    const out: GeneratedObject[] = [];
    const owner = !cfg.cluster.stackReference;
    // Component names as index.ts gives them; children are named from them.
    const env = cfg.environment;
    const [edge, istio, observability] = [`${env}-edge`, `${env}-istio`, `${env}-observability`];
    if (owner)
        out.push({
            object: meshPeerAuthentication(),
            resourceName: `${istio}-mtls`,
            key: "istio",
            configKey: () => "istio",
        });
    out.push({
        object: gatewayManifest(cfg),
        resourceName: `${edge}-gateway`,
        key: "ingress",
        alsoFrom: ["environment"],
        configKey: (p) =>
            first(
                under(p, ["spec", "servers", 0, "port", "number"], "ingress.port"),
                under(p, ["spec", "servers", 0, "port", "name"], "environment"),
                under(p, ["spec", "servers", 0, "hosts"], "ingress.hosts"),
                "ingress",
            ),
    });
    cfg.apps.forEach((app, i) => {
        const at = `apps[${i}]`;
        out.push({
            object: virtualServiceManifest(cfg, app),
            resourceName: `${edge}-${app.name}-vs`,
            key: at,
            configKey: (p) =>
                first(under(p, ["spec", "hosts"], `${at}.hosts`), under(p, ["spec", "http"], `${at}.http`), at),
        });
        destinationRuleManifests(cfg, app).forEach((object, j) =>
            out.push({
                object,
                resourceName: `${edge}-${app.name}-dr-${object.metadata.name}`,
                key: `${at}.destinationRules[${j}]`,
                configKey: (p) => first(under(p, ["spec"], `${at}.destinationRules[${j}]`), at),
            }),
        );
        serviceEntryManifests(cfg, app).forEach((object, j) =>
            out.push({
                object,
                resourceName: `${edge}-${app.name}-se-${object.metadata.name}`,
                key: `${at}.serviceEntries[${j}]`,
                configKey: (p) => first(under(p, ["spec"], `${at}.serviceEntries[${j}]`), at),
            }),
        );
        const authz = authorizationPolicyManifest(cfg, app);
        if (authz)
            out.push({
                object: authz,
                resourceName: `${edge}-${app.name}-authz`,
                key: `${at}.authorization`,
                configKey: (p) =>
                    first(
                        under(p, ["spec", "rules"], `${at}.authorization`, app.allowIngressGateway ? 1 : 0),
                        `${at}.authorization`,
                    ),
            });
    });
    const obs = cfg.observability;
    if (owner && anyAddonOn(obs)) {
        if (obs.tracing)
            out.push({
                object: meshTelemetryManifest(obs.tracing.sampling),
                resourceName: `${observability}-telemetry`,
                key: "observability.tracing",
                configKey: () => "observability.tracing.sampling",
            });
        if (obs.kiali?.expose) {
            const e = "observability.kiali.expose";
            out.push({
                object: kialiAuthorizationPolicyManifest(cfg),
                resourceName: `${observability}-kiali-allow-list`,
                key: e,
                configKey: (p) =>
                    p.includes("notRemoteIpBlocks")
                        ? `${e}.allowedIpBlocks`
                        : p.includes("notNamespaces")
                          ? `${e}.allowedSourceNamespaces`
                          : p.includes("paths")
                            ? `${e}.path`
                            : e,
            });
            out.push({
                object: kialiVirtualServiceManifest(cfg),
                resourceName: `${observability}-kiali-route`,
                key: e,
                // Its hosts are the environment's unless expose.hosts says otherwise.
                alsoFrom: ["ingress.hosts"],
                configKey: (p) => first(under(p, ["spec", "hosts"], `${e}.hosts`), p.includes("uri") ? `${e}.path` : e),
            });
        }
    }
    return out as GeneratedObject[];
}
