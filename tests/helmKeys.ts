// Checks a Helm values document against the chart's own values.yaml: a key the chart does not know
// is silently ignored by Helm, so a typo ("replicas" for "replicaCount") would deploy defaults.
import * as fs from "node:fs";
import { parse as parseYaml } from "yaml";

/** Istio charts nest their defaults under this key; users set the same keys at top level. */
export const ISTIO_DEFAULTS_WRAPPER = "_internal_defaults_do_not_set";

export interface HelmKeyOptions {
    /**
     * Dotted paths under which any key is allowed although the chart's default is a non-empty map,
     * e.g. "podAnnotations" or "meshConfig" (documented as free-form, shipped with sample entries).
     */
    freeForm?: string[];
    /**
     * Dotted paths the chart's values.yaml documents only in a comment, with no default, e.g. istiod's
     * "pdb.maxUnavailable" ("# maxUnavailable: 1 ... If set, 'minAvailable' is ignored").
     */
    documented?: string[];
}

type Tree = Record<string, unknown>;

const isMap = (x: unknown): x is Tree => typeof x === "object" && x !== null && !Array.isArray(x);

/** The chart's defaults, with Istio's `_internal_defaults_do_not_set` wrapper unwrapped. */
export function chartDefaults(chartValuesYamlPath: string): Tree {
    const doc: unknown = parseYaml(fs.readFileSync(chartValuesYamlPath, "utf8")) ?? {};
    if (!isMap(doc)) throw new Error(`${chartValuesYamlPath}: values.yaml is not a map`);
    const inner = doc[ISTIO_DEFAULTS_WRAPPER];
    if (isMap(inner)) {
        const rest = Object.fromEntries(Object.entries(doc).filter(([k]) => k !== ISTIO_DEFAULTS_WRAPPER));
        return { ...inner, ...rest };
    }
    return doc;
}

/**
 * Every key path in `values` that does not exist in the chart's values.yaml, as dotted paths
 * ("serviceAccount.nmae"). Keys below a chart value that is an empty map `{}` or null (a slot the
 * chart leaves open, like `podDisruptionBudget: {}` or `resources:`) are free-form and allowed; lists
 * are not descended into. A map given where the chart has a scalar reports its keys.
 */
export function helmKeyProblems(
    values: Record<string, unknown>,
    chartValuesYamlPath: string,
    options: HelmKeyOptions = {},
): string[] {
    return keyProblems(values, chartDefaults(chartValuesYamlPath), options);
}

/** As `helmKeyProblems`, against an already parsed defaults tree. */
export function keyProblems(
    values: Tree,
    defaults: Tree,
    { freeForm = [], documented = [] }: HelmKeyOptions = {},
): string[] {
    const free = new Set(freeForm);
    const out: string[] = [];
    const walk = (given: Tree, chart: unknown, prefix: string) => {
        for (const [key, value] of Object.entries(given)) {
            const path = prefix ? `${prefix}.${key}` : key;
            if (!isMap(chart) || !(key in chart)) {
                if (!documented.includes(path)) out.push(path);
                continue;
            }
            const slot = chart[key];
            if (!isMap(value) || free.has(path)) continue;
            if (slot === null || slot === undefined || (isMap(slot) && Object.keys(slot).length === 0)) continue;
            walk(value, slot, path);
        }
    };
    walk(values, defaults, "");
    return out;
}
