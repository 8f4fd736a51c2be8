// How each upstream test of istiod's webhook becomes cases: which table, how a row names itself,
// what verdict it expects, and the object it stands for. A test of a whole kind (ValidateGateway,
// ValidateDestinationRule, …) gives its object as is; a test of one function (validateHTTPRetry)
// puts its input where istiod calls that function, inside the smallest object that is otherwise
// valid, and says where (`embed`). A test that no object of a kind the program writes can carry is
// listed in SKIPPED with the reason.
import type { Env, Json } from "./protoJson";

export type Row = Record<string, Json | undefined>;
export type Obj = { [k: string]: Json };

export interface Built {
    kind: string;
    spec: Obj;
    metadata?: Obj;
    /** Where the upstream input sits in the object, when the test called a function on a part. */
    embed?: string;
}

export interface Recipe {
    file: string;
    test: string;
    name?: (row: Row, i: number) => string;
    verdict: (row: Row) => { accept: boolean; message?: string };
    /** The object, or the reason this row has none. */
    build: (row: Row) => Built | string;
    env?: Env;
}

export const API_VERSION: Record<string, string> = {
    Gateway: "networking.istio.io/v1",
    VirtualService: "networking.istio.io/v1",
    DestinationRule: "networking.istio.io/v1",
    ServiceEntry: "networking.istio.io/v1",
    AuthorizationPolicy: "security.istio.io/v1",
    PeerAuthentication: "security.istio.io/v1",
    Telemetry: "telemetry.istio.io/v1",
};

export const VALIDATION = "pkg/config/validation/validation_test.go";
export const VIRTUAL_SERVICE = "pkg/config/validation/virtualservice_test.go";
export const AGENT = "pkg/config/validation/agent/validation_test.go";

// ---- verdicts ---------------------------------------------------------------------------------

const byBool =
    (field: string) =>
    (row: Row): { accept: boolean } => ({ accept: row[field] === true });
/** `out`/`err` is the fragment of the error istiod gives; "" (or absent) when it accepts. */
const byMessage =
    (field: string) =>
    (row: Row): { accept: boolean; message?: string } => {
        const m = row[field];
        if (typeof m === "boolean") return { accept: !m };
        if (!m) return { accept: true };
        // A fragment that names a Go value this reader does not know stops before it.
        return { accept: false, message: String(m).split("\u0000")[0].trim() };
    };

// ---- containers -------------------------------------------------------------------------------

/** One HTTP route that is valid on its own, for a test of one part of a route. */
const ROUTE: Json = [{ destination: { host: "foo.baz" } }];
/** A VirtualService bound to a Gateway (as the program's are) with one HTTP route. */
const vsRoute = (route: Obj, embed: string): Built => ({
    kind: "VirtualService",
    spec: { hosts: ["foo.bar"], gateways: ["bar/gateway"], http: [route] },
    embed,
});
/** A route with `field` set to the input, or a plain route when the input is nil. */
const routeWith = (field: string, value: Json | undefined, withRoute = true): Built =>
    value === undefined
        ? vsRoute({ route: ROUTE }, `spec.http[0].${field} (nil: not set)`)
        : vsRoute(withRoute ? { route: ROUTE, [field]: value } : { [field]: value }, `spec.http[0].${field}`);
const dr = (trafficPolicy: Json | undefined, embed: string): Built => ({
    kind: "DestinationRule",
    spec: trafficPolicy === undefined ? { host: "reviews" } : { host: "reviews", trafficPolicy },
    embed,
});
const gatewayServer = (server: Obj, embed: string): Built => ({ kind: "Gateway", spec: { servers: [server] }, embed });
const obj = (v: Json | undefined): Obj => (v && typeof v === "object" && !Array.isArray(v) ? v : {});

export const RECIPES: Recipe[] = [
    // ---- Gateway ------------------------------------------------------------------------------
    {
        file: VALIDATION,
        test: "TestValidateGateway",
        verdict: byMessage("out"),
        build: (r) =>
            r.name === "invalid message"
                ? "a Server given where a Gateway is expected: istiod's cast fails; as YAML it is the empty Gateway of the first row"
                : { kind: "Gateway", spec: obj(r.in) },
    },
    {
        file: VALIDATION,
        test: "TestValidateServer",
        verdict: byMessage("out"),
        build: (r) => gatewayServer(obj(r.in), "spec.servers[0]"),
    },
    {
        file: VALIDATION,
        test: "TestValidateServerPort",
        verdict: byMessage("out"),
        build: (r) =>
            gatewayServer(
                { hosts: ["foo.bar.com"], port: obj(r.in), ...(r.bind ? { bind: r.bind } : {}) },
                "spec.servers[0].port (and bind)",
            ),
    },
    {
        file: VALIDATION,
        test: "TestValidateTlsOptions",
        verdict: byMessage("out"),
        build: (r) =>
            gatewayServer(
                { hosts: ["foo.bar.com"], port: { number: 443, name: "https", protocol: "HTTPS" }, tls: obj(r.in) },
                "spec.servers[0].tls",
            ),
    },
    // ---- VirtualService: one part of an HTTP route --------------------------------------------
    {
        file: VALIDATION,
        test: "TestValidateHTTPHeaderName",
        name: (r) => `ValidateHTTPHeaderNameOrJwtClaimRoute(${JSON.stringify(r.name)})`,
        verdict: byBool("valid"),
        build: (r) =>
            vsRoute(
                { match: [{ headers: { [String(r.name)]: { exact: "foo" } } }], route: ROUTE },
                "spec.http[0].match[0].headers (the name)",
            ),
    },
    {
        file: VALIDATION,
        test: "TestValidateCORSPolicy",
        verdict: byBool("valid"),
        build: (r) => routeWith("corsPolicy", r.in),
    },
    {
        file: VALIDATION,
        test: "TestValidateHTTPStatus",
        name: (r) => `validateHTTPStatus(${String(r.in)})`,
        verdict: byBool("valid"),
        build: (r) =>
            vsRoute({ route: ROUTE, fault: { abort: { httpStatus: r.in! } } }, "spec.http[0].fault.abort.httpStatus"),
    },
    {
        file: VALIDATION,
        test: "TestValidateHTTPFaultInjectionAbort",
        verdict: byBool("valid"),
        build: (r) =>
            r.in === undefined
                ? routeWith("fault.abort", undefined)
                : vsRoute({ route: ROUTE, fault: { abort: r.in } }, "spec.http[0].fault.abort"),
    },
    {
        file: VALIDATION,
        test: "TestValidateHTTPFaultInjectionDelay",
        verdict: byBool("valid"),
        build: (r) =>
            r.in === undefined
                ? routeWith("fault.delay", undefined)
                : vsRoute({ route: ROUTE, fault: { delay: r.in } }, "spec.http[0].fault.delay"),
    },
    {
        file: VALIDATION,
        test: "TestValidateHTTPRetry",
        verdict: byBool("valid"),
        build: (r) => routeWith("retries", r.in),
    },
    {
        file: VALIDATION,
        test: "TestValidateHTTPRewrite",
        verdict: byBool("valid"),
        build: (r) => routeWith("rewrite", r.in),
    },
    {
        file: VALIDATION,
        test: "TestValidateUriRegexRewrite",
        verdict: byBool("valid"),
        build: (r) =>
            r.in === undefined
                ? routeWith("rewrite.uriRegexRewrite", undefined)
                : vsRoute({ route: ROUTE, rewrite: { uriRegexRewrite: r.in } }, "spec.http[0].rewrite.uriRegexRewrite"),
    },
    {
        file: VALIDATION,
        test: "TestValidateHTTPRedirect",
        verdict: byBool("valid"),
        build: (r) => routeWith("redirect", r.redirect, false),
    },
    {
        file: VALIDATION,
        test: "TestValidateHTTPDirectResponse",
        verdict: byBool("valid"),
        build: (r) => routeWith("directResponse", r.directResponse, false),
    },
    {
        file: VALIDATION,
        test: "TestValidateDestination",
        verdict: byBool("valid"),
        build: (r) => vsRoute({ route: [{ destination: r.destination ?? null }] }, "spec.http[0].route[0].destination"),
    },
    {
        file: VALIDATION,
        test: "TestValidateHTTPRoute",
        verdict: byBool("valid"),
        build: (r) => vsRoute(obj(r.route), "spec.http[0]"),
    },
    {
        file: VALIDATION,
        test: "TestValidateHTTPHeaderValue",
        name: (r) => `ValidateHTTPHeaderValue(${JSON.stringify(r.input)})`,
        // The test asserts an error, not its text (the text it writes is not the one istiod gives).
        verdict: (r) => ({ accept: !r.expected }),
        build: (r) =>
            vsRoute(
                { route: ROUTE, headers: { response: { set: { "x-test": r.input ?? "" } } } },
                "spec.http[0].headers.response.set",
            ),
    },
    {
        file: VALIDATION,
        test: "TestValidateRouteDestination",
        verdict: byBool("valid"),
        build: (r) => ({
            kind: "VirtualService",
            spec: { hosts: ["foo.bar"], gateways: ["bar/gateway"], tcp: [{ route: r.routes ?? [] }] },
            embed: "spec.tcp[0].route (validateRouteDestinations checks TCP and TLS routes)",
        }),
    },
    // ---- VirtualService: whole objects ---------------------------------------------------------
    {
        file: VALIDATION,
        test: "TestValidateVirtualService",
        verdict: byBool("valid"),
        build: (r) => ({ kind: "VirtualService", spec: obj(r.in) }),
    },
    {
        file: VIRTUAL_SERVICE,
        test: "TestValidateChainingVirtualService",
        verdict: byBool("valid"),
        build: (r) => ({ kind: "VirtualService", spec: obj(r.in) }),
    },
    {
        file: VIRTUAL_SERVICE,
        test: "TestValidateRootHTTPRoute",
        verdict: byBool("valid"),
        build: (r) => vsRoute(obj(r.route), "spec.http[0]"),
    },
    {
        file: VIRTUAL_SERVICE,
        test: "TestValidateDelegateHTTPRoute",
        verdict: byBool("valid"),
        // validateHTTPRoute(route, delegate=true): a route of a VirtualService without hosts.
        build: (r) => ({
            kind: "VirtualService",
            spec: { http: [obj(r.route)] },
            embed: "spec.http[0] of a delegate (no hosts)",
        }),
    },
    // ---- DestinationRule ----------------------------------------------------------------------
    {
        file: VALIDATION,
        test: "TestValidateDestinationRule",
        verdict: byBool("valid"),
        build: (r) => ({ kind: "DestinationRule", spec: obj(r.in) }),
    },
    {
        file: VALIDATION,
        test: "TestValidateTrafficPolicy",
        verdict: byBool("valid"),
        build: (r) => dr(r.in, "spec.trafficPolicy"),
    },
    {
        file: VALIDATION,
        test: "TestValidateConnectionPool",
        verdict: byBool("valid"),
        build: (r) => dr({ connectionPool: r.in ?? null }, "spec.trafficPolicy.connectionPool"),
    },
    {
        file: VALIDATION,
        test: "TestValidateLoadBalancer",
        verdict: byBool("valid"),
        env: { duration: "3600s" },
        build: (r) => dr({ loadBalancer: r.in ?? null }, "spec.trafficPolicy.loadBalancer"),
    },
    {
        file: VALIDATION,
        test: "TestValidateOutlierDetection",
        verdict: byBool("valid"),
        build: (r) => dr({ outlierDetection: r.in ?? null }, "spec.trafficPolicy.outlierDetection"),
    },
    {
        file: AGENT,
        test: "TestValidateTLS",
        verdict: byBool("valid"),
        build: (r) => dr({ tls: r.tls ?? null }, "spec.trafficPolicy.tls"),
    },
    {
        file: AGENT,
        test: "TestValidateLocalityLbSetting",
        verdict: byMessage("err"),
        build: (r) =>
            r.in === undefined && r.outlier === undefined
                ? dr(undefined, "spec.trafficPolicy (nil: not set)")
                : dr(
                      {
                          ...(r.in === undefined ? {} : { loadBalancer: { localityLbSetting: r.in } }),
                          ...(r.outlier === undefined ? {} : { outlierDetection: r.outlier }),
                      },
                      "spec.trafficPolicy.loadBalancer.localityLbSetting (and outlierDetection)",
                  ),
    },
    {
        file: AGENT,
        test: "TestValidateLocalities",
        verdict: byBool("valid"),
        build: (r) =>
            dr(
                {
                    loadBalancer: {
                        localityLbSetting: {
                            distribute: (r.localities as Json[]).map((from) => ({
                                from,
                                to: { "region1/zone1/subzone1": 100 },
                            })),
                        },
                    },
                },
                "spec.trafficPolicy.loadBalancer.localityLbSetting.distribute[].from",
            ),
    },
    {
        file: AGENT,
        test: "TestValidateWildcardDomain",
        verdict: byMessage("out"),
        build: (r) => ({
            kind: "DestinationRule",
            spec: { host: r.in ?? "" },
            embed: "spec.host (ValidateWildcardDomain)",
        }),
    },
    {
        file: VALIDATION,
        test: "Test_validateExportTo",
        verdict: (r) => ({ accept: r.wantErr !== true }),
        build: (r): Built => {
            const exportTo: Obj = r.exportTo === undefined ? {} : { exportTo: r.exportTo };
            const metadata = { name: "foo", namespace: String(r.namespace) };
            if (r.isServiceEntry)
                return {
                    kind: "ServiceEntry",
                    metadata,
                    spec: { hosts: ["foo.bar.com"], ...exportTo },
                    embed: "spec.exportTo",
                };
            return {
                kind: "DestinationRule",
                metadata,
                spec: {
                    host: "reviews",
                    ...exportTo,
                    ...(r.isDestinationRuleWithSelector
                        ? { workloadSelector: { matchLabels: { app: "reviews" } } }
                        : {}),
                },
                embed: "spec.exportTo",
            };
        },
    },
    // ---- ServiceEntry -------------------------------------------------------------------------
    {
        file: VALIDATION,
        test: "TestValidateServiceEntries",
        verdict: byBool("valid"),
        build: (r) => ({
            kind: "ServiceEntry",
            spec: obj(r.in),
            ...(r.labels ? { metadata: { name: "foo", namespace: "bar", labels: r.labels } } : {}),
        }),
    },
    {
        file: VALIDATION,
        test: "TestValidatePortName",
        name: (r) => `ValidatePortName(${JSON.stringify(r.name)})`,
        verdict: byBool("valid"),
        build: (r) => ({
            kind: "ServiceEntry",
            spec: {
                hosts: ["foo.bar.com"],
                ports: [{ number: 80, protocol: "HTTP", ...(r.name ? { name: r.name } : {}) }],
            },
            embed: "spec.ports[0].name",
        }),
    },
    {
        file: AGENT,
        test: "TestValidationIPAddress",
        verdict: byBool("ok"),
        build: (r) => ({
            kind: "ServiceEntry",
            spec: { hosts: ["foo.bar.com"], addresses: [r.addr!] },
            embed: "spec.addresses[0]",
        }),
    },
    {
        file: AGENT,
        test: "TestValidationIPSubnet",
        verdict: byBool("ok"),
        build: (r) => ({
            kind: "ServiceEntry",
            spec: { hosts: ["foo.bar.com"], addresses: [r.subnet!] },
            embed: "spec.addresses[0]",
        }),
    },
    // ---- VirtualService: agent primitives -----------------------------------------------------
    {
        file: AGENT,
        test: "TestValidateFQDN",
        verdict: byBool("valid"),
        // validateGatewayNames reads a name without "/" as an FQDN (ValidateFQDN).
        build: (r) =>
            vsRoute(
                { match: [{ gateways: [r.fqdn ?? ""] }], route: ROUTE },
                "spec.http[0].match[0].gateways[0] (ValidateFQDN)",
            ),
    },
    {
        file: AGENT,
        test: "TestValidatePort",
        name: (r) => `ValidatePort(${String(r.key)})`,
        verdict: byBool("value"),
        build: (r) =>
            vsRoute(
                { route: [{ destination: { host: "foo.baz", port: r.key === 0 ? {} : { number: r.key! } } }] },
                "spec.http[0].route[0].destination.port.number",
            ),
    },
    {
        file: AGENT,
        test: "TestValidateDuration",
        name: (r) => `ValidateDuration(${String(r.duration)})`,
        verdict: byBool("isValid"),
        build: (r) => vsRoute({ route: ROUTE, timeout: r.duration! }, "spec.http[0].timeout"),
    },
    {
        file: AGENT,
        test: "TestValidateWildcardDomainForVirtualServiceBoundToGateway",
        name: (r) => `${String(r.name)} (sni=${String(r.sni === true)})`,
        verdict: byMessage("out"),
        build: (r): Built | string => {
            const host = r.in ?? "";
            if (r.sni !== true) {
                if (r.name === "IP address")
                    return "the function refuses an IP, but ValidateVirtualService then accepts an IP host: no object carries this row";
                return {
                    kind: "VirtualService",
                    spec: { hosts: [host], gateways: ["bar/gateway"], http: [{ route: ROUTE }] },
                    embed: "spec.hosts[0]",
                };
            }
            return {
                kind: "VirtualService",
                spec: {
                    hosts: [host],
                    gateways: ["bar/gateway"],
                    tls: [{ match: [{ sniHosts: [host] }], route: [{ destination: { host: "foo.baz" } }] }],
                },
                embed: "spec.hosts[0] and spec.tls[0].match[0].sniHosts[0] (an SNI host)",
            };
        },
    },
    // ---- AuthorizationPolicy, PeerAuthentication, Telemetry -----------------------------------
    {
        file: VALIDATION,
        test: "TestValidateAuthorizationPolicy",
        verdict: byBool("valid"),
        // The test names its policy "name" in namespace "namespace".
        build: (r) => ({
            kind: "AuthorizationPolicy",
            metadata: {
                name: "name",
                namespace: "namespace",
                ...(r.annotations ? { annotations: r.annotations } : {}),
            },
            spec: obj(r.in),
        }),
    },
    {
        file: VALIDATION,
        test: "TestValidatePeerAuthentication",
        verdict: byBool("valid"),
        build: (r) => ({
            kind: "PeerAuthentication",
            metadata: { name: String(r.configName ?? "foo"), namespace: "bar" },
            spec: obj(r.in),
        }),
    },
    {
        file: VALIDATION,
        test: "TestValidateTelemetry",
        verdict: byMessage("err"),
        env: { allowedTargetRefs: "\u0000" },
        build: (r) =>
            r.name === "invalid message"
                ? "a Server given where a Telemetry is expected: istiod's cast fails; as YAML it is the empty Telemetry of the first row"
                : { kind: "Telemetry", spec: obj(r.in) },
    },
    {
        file: VALIDATION,
        test: "TestValidateTelemetryFilter",
        name: (r) => `validateTelemetryFilter(${JSON.stringify(obj(r.filter).expression ?? "")})`,
        verdict: byBool("valid"),
        build: (r) => ({
            kind: "Telemetry",
            spec: { accessLogging: [{ filter: r.filter ?? null }] },
            embed: "spec.accessLogging[0].filter",
        }),
    },
];
