// What istiod's validating webhook says about an Istio object, beyond its CRD: the rules of
// istio/istio pkg/config/validation (validation.go, virtualservice.go, agent/validation.go) at 1.30.3
// that this program's objects can reach, ported with istiod's own messages, one named function per
// rule as istiod has them. Each kind has its own file (the opening comment of each names the Go
// functions it ports), over primitives.ts, the rules every kind shares:
//   virtualService.ts + httpRoute.ts  VirtualService hosts and HTTP routes
//   destinationRule.ts                DestinationRule and its traffic policies
//   serviceEntry.ts                   ServiceEntry
//   authorizationPolicy.ts            AuthorizationPolicy (and pkg/config/security's checks)
//   l4Route.ts                        VirtualService TLS and TCP routes
//   gateway.ts                        Gateway
//   telemetry.ts                      Telemetry
// This file dispatches an object to its kind's rules (ValidateVirtualService, ...), and hands on the
// names the rest of the program and the tests use.
import type { CrdIssue } from "../crd";
import { validateAuthorizationPolicy } from "./authorizationPolicy";
import { validateDestinationRule } from "./destinationRule";
import { validateGateway, validateGatewayName } from "./gateway";
import { Issues, isObj, str } from "./primitives";
import { validateServiceEntry } from "./serviceEntry";
import { validateTelemetry } from "./telemetry";
import { validateVirtualService } from "./virtualService";

export { attributeProblem } from "./authorizationPolicy";
export {
    durationProblem,
    fqdnProblem,
    hostsMatch,
    isCidr,
    isDns1123Label,
    isIpAddress,
    labelProblems,
    regexProblem,
    wildcardDomainProblem,
} from "./primitives";

/** Every reason istiod's validating webhook would refuse `obj`; [] when it would admit it. */
export function webhookIssues(obj: {
    kind: string;
    metadata?: { name?: string; namespace?: string; labels?: Record<string, string> };
    spec?: unknown;
}): CrdIssue[] {
    const out = new Issues();
    const spec = isObj(obj.spec) ? obj.spec : {};
    // istiod judges an object in its namespace; kubectl's default when the object names none.
    const namespace = str(obj.metadata?.namespace) || "default";
    if (obj.kind === "Gateway") validateGatewayName(obj.metadata?.name, out);
    if (obj.kind === "VirtualService") validateVirtualService(spec, namespace, out);
    if (obj.kind === "DestinationRule") validateDestinationRule(spec, namespace, out);
    if (obj.kind === "ServiceEntry") validateServiceEntry(spec, namespace, obj.metadata?.labels, out);
    if (obj.kind === "AuthorizationPolicy") validateAuthorizationPolicy(spec, out);
    if (obj.kind === "Gateway") validateGateway(spec, out);
    if (obj.kind === "Telemetry") validateTelemetry(spec, out);
    return out.list;
}
