// Kubernetes objects: Istio resources through their v1 APIs, and every object through the stack's
// own Kubernetes provider (never the ambient kubeconfig).
import { type Check, type PolicyProviderResource, policy, text } from "./common";

/** Istio API groups that have a v1 version (since Istio 1.22). */
export const ISTIO_GROUPS = ["networking.istio.io", "security.istio.io", "telemetry.istio.io"];

/** Istio kinds that have no v1 version yet: asking for v1 would be impossible, so they are exempt. */
export const ISTIO_KINDS_WITHOUT_V1 = ["EnvoyFilter", "ProxyConfig"];

interface Gvk {
    group: string;
    version: string;
    kind?: string;
}

/** Group and version (and kind) of a Kubernetes type token `kubernetes:<group>/<version>:<Kind>`. */
function gvkOfType(type: string): Gvk | undefined {
    const m = /^kubernetes:([^/:]+)\/([^:]+):(.+)$/.exec(type);
    return m ? { group: m[1], version: m[2], kind: m[3] } : undefined;
}

/** Group and version of an apiVersion `<group>/<version>`. */
function gvOfApiVersion(apiVersion: string): Gvk | undefined {
    const m = /^([^/]+)\/([^/]+)$/.exec(apiVersion);
    return m ? { group: m[1], version: m[2] } : undefined;
}

export const checkIstioV1: Check = ({ type, name, props }) => {
    if (!type.startsWith("kubernetes:")) return [];
    const fromType = gvkOfType(type);
    const apiVersion = text(props.apiVersion);
    const fromProps = apiVersion === undefined ? undefined : gvOfApiVersion(apiVersion);
    const kind = text(props.kind) ?? fromType?.kind;
    if (kind !== undefined && ISTIO_KINDS_WITHOUT_V1.includes(kind)) return [];
    const violations: string[] = [];
    for (const gvk of [fromType, fromProps]) {
        if (gvk === undefined || !ISTIO_GROUPS.includes(gvk.group) || gvk.version === "v1") continue;
        const where = gvk === fromType ? `type ${type}` : `apiVersion ${apiVersion}`;
        violations.push(
            `Istio resource '${name}' (${kind ?? "unknown kind"}) uses ${where}: use ${gvk.group}/v1 ` +
                `(available since Istio 1.22); ${gvk.version} is deprecated and may be removed in a later Istio.`,
        );
    }
    // The type and the apiVersion usually say the same thing: one message is enough.
    return violations.slice(0, 1);
};

export const istioV1Apis = policy(
    {
        name: "istio-v1-apis",
        description: "Istio custom resources (networking, security, telemetry.istio.io) use the v1 API version.",
        enforcementLevel: "mandatory",
        severity: "medium",
    },
    checkIstioV1,
);

// ---------------------------------------------------------------------------------------------
// kubernetes-explicit-provider

/** Names the engine gives default providers: `default`, or `default_<version>` (e.g. default_4_34_2). */
const DEFAULT_PROVIDER_NAME = /^default(?:_|$)/;

function providerName(provider: PolicyProviderResource): string {
    // Older engines may leave the name empty; it is the last segment of the URN.
    return text(provider.name) ?? provider.urn.split("::").pop() ?? "";
}

export const checkExplicitKubernetesProvider: Check = ({ type, name, provider }) => {
    if (!type.startsWith("kubernetes:")) return [];
    // Component resources (and anything else the engine sends without a provider) are judged by
    // their children, which are custom resources and do carry one.
    if (provider === undefined) return [];
    if (!DEFAULT_PROVIDER_NAME.test(providerName(provider))) return [];
    return [
        `Kubernetes resource '${name}' (${type}) uses the default provider (${provider.urn || providerName(provider)}), ` +
            "which talks to whatever cluster the ambient kubeconfig points at: pass the stack's kubernetes " +
            "Provider explicitly ({ provider } in the resource options, or through the component's parent).",
    ];
};

export const kubernetesExplicitProvider = policy(
    {
        name: "kubernetes-explicit-provider",
        description:
            "Every Kubernetes resource is created with an explicit kubernetes Provider, never the default provider (ambient kubeconfig).",
        enforcementLevel: "mandatory",
        severity: "critical",
    },
    checkExplicitKubernetesProvider,
);
