// Stack configs for the tenancy specs: apps in named namespaces, attached and owner stacks.
import type { StackConfig } from "../components/config";
import { parseStackConfig } from "../components/stack";

export const REF = "acme/eks-istio/product";
export const to = (host: string, extra: Record<string, unknown> = {}) => ({
    route: [{ destination: { host, ...extra } }],
});
/** An app in namespace `ns` whose routes have distinct prefixes, so apps never shadow each other. */
export const app = (name: string, ns: string, routes: unknown[], extra: Record<string, unknown> = {}) => ({
    name,
    namespace: ns,
    http: routes.map((r, i) => ({ match: [{ uri: { prefix: `/${name}${i}` } }], ...(r as object) })),
    ...extra,
});
/** A stack attached to REF's mesh (cluster.stackReference). */
export const attached = (...apps: unknown[]) => ({ cluster: { stackReference: REF }, ingress: { port: 8000 }, apps });
/** A stack with its own cluster, serving only itself. */
export const owner = (...apps: unknown[]) => ({ ingress: { port: 8000 }, apps });
/** The owner of a shared cluster: its gateway also serves stg. */
export const sharedOwner = (...apps: unknown[]) => ({
    ingress: { port: 8000 },
    istio: { extraGatewayPorts: [{ environment: "stg", port: 9000 }] },
    apps,
});
export const parse = (values: Record<string, unknown>): StackConfig =>
    parseStackConfig({ stack: "dev", region: "ap-northeast-1", values });
// The warnings on the apps' keys: tenancy's own (the edge's, on ingress.*, are tested in edgeConfig.spec.ts).
export const warningLines = (values: Record<string, unknown>) =>
    parse(values)
        .warnings.filter((w) => w.path.startsWith("eks-istio:apps"))
        .map((w) => `${w.path}: ${w.message}`);
