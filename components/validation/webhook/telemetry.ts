// istiod's rules for a Telemetry: named providers and the tracing sampling range. Ports of
// istio/istio at 1.30.3, pkg/config/validation/validation.go:
//   ValidateTelemetry, validateTelemetryMetrics, validateTelemetryTracing,
//   validateTelemetryAccessLogging, validateTelemetryProviders
import type { FieldPath } from "../crd";
import { isObj, list, str, type Issues, type Obj } from "./primitives";

/** ValidateTelemetry: metrics, tracing and access logging, each with its providers. */
export function validateTelemetry(spec: Obj, out: Issues) {
    list(spec.metrics).forEach(
        (m, i) => isObj(m) && validateTelemetryProviders(m.providers, ["spec", "metrics", i], out),
    );
    list(spec.tracing).forEach((t, i) => validateTelemetryTracing(t, ["spec", "tracing", i], out));
    list(spec.accessLogging).forEach(
        (l, i) => isObj(l) && validateTelemetryProviders(l.providers, ["spec", "accessLogging", i], out),
    );
}

/** validateTelemetryProviders: istiod names the first unnamed provider of a list. */
function validateTelemetryProviders(v: unknown, at: FieldPath, out: Issues) {
    const j = list(v).findIndex((pr) => !isObj(pr) || !str(pr.name));
    if (j >= 0) out.add([...at, "providers", j], "providers.name may not be empty");
}

/** validateTelemetryTracing: providers, and a sampling percentage in [0, 100]. */
function validateTelemetryTracing(t: unknown, at: FieldPath, out: Issues) {
    if (!isObj(t)) return;
    validateTelemetryProviders(t.providers, at, out);
    const p = t.randomSamplingPercentage;
    if (typeof p === "number" && (p < 0 || p > 100))
        out.add([...at, "randomSamplingPercentage"], "randomSamplingPercentage must be in range [0.0, 100.0]");
}
