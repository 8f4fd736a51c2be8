// Derives the compact JSON of a vendored Istio CRD file (components/validation/vendor/), which is
// what the program reads at `pulumi preview`. Used by `npm run vendor:crds` to write it and by
// tests/crdValidation.spec.ts to check that the committed JSON is still exactly this derivation of
// the locked YAML.
//
// js-yaml and not the yaml package (which the render uses to write YAML): the two give the same
// values for these files, and js-yaml reads 870 KB of plain CRD YAML about six times faster, which
// is most of what the lock check costs in every `npm test`.
import { loadAll } from "js-yaml";
import type { CompactCrds, Schema } from "../../components/validation/vendorData";

/** Schemas of every served version of every CRD in a crd-all.gen.yaml text, descriptions dropped. */
export function compactCrds(yamlText: string, source: string, sha: string): CompactCrds {
    const schemas: Record<string, Schema> = {};
    for (const doc of loadAll(yamlText)) {
        const crd = doc as {
            kind?: string;
            spec?: {
                group: string;
                names: { kind: string };
                versions: { name: string; served: boolean; schema: { openAPIV3Schema: Schema } }[];
            };
        } | null;
        if (crd?.kind !== "CustomResourceDefinition" || !crd.spec) continue;
        for (const v of crd.spec.versions)
            if (v.served)
                schemas[`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`] = strip(
                    v.schema.openAPIV3Schema,
                ) as Schema;
    }
    return { source, sha256: sha, schemas };
}

function strip(node: unknown): unknown {
    if (Array.isArray(node)) return node.map(strip);
    if (!node || typeof node !== "object") return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
        if (k === "description" || k === "example") continue;
        // `properties` maps field names to schemas: a field may be called "description".
        out[k] =
            k === "properties"
                ? Object.fromEntries(Object.entries(v as object).map(([f, s]) => [f, strip(s)]))
                : strip(v);
    }
    return out;
}
