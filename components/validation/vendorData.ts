// The vendored Istio CRD file and its compact form. The upstream YAML is kept byte for byte, with
// its source and sha256 in vendor/SOURCES.json (a lock file); the program reads only the compact
// JSON derived from it (schemas without descriptions), because parsing 870 KB of YAML at every
// `pulumi preview` would cost most of the time budget. tests/crdValidation.spec.ts checks that the
// YAML still has its locked sha256 and that the JSON is exactly what `compactCrds`
// (tools/crds/compactCrds.ts) derives from it; `npm run vendor:crds` rewrites the JSON after the
// YAML is replaced. The program itself never parses YAML.
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";

export const VENDOR_DIR = path.join(__dirname, "vendor");

export interface VendoredSource {
    repo: string;
    path: string;
    ref: string;
    commit: string;
    size: number;
    sha256: string;
    compact: string;
}

/** The lock file: vendored file name → where it came from and its sha256. */
export function vendoredSources(): Record<string, VendoredSource> {
    return JSON.parse(fs.readFileSync(path.join(VENDOR_DIR, "SOURCES.json"), "utf8"));
}

export function sha256(file: string): string {
    return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}

/** An OpenAPI v3 schema node of a CRD, as far as the validator reads it. */
export interface Schema {
    type?: "object" | "array" | "string" | "integer" | "number" | "boolean";
    format?: string;
    enum?: unknown[];
    pattern?: string;
    nullable?: boolean;
    minLength?: number;
    maxLength?: number;
    minimum?: number;
    maximum?: number;
    minItems?: number;
    maxItems?: number;
    minProperties?: number;
    maxProperties?: number;
    required?: string[];
    properties?: Record<string, Schema>;
    additionalProperties?: Schema | boolean;
    items?: Schema;
    oneOf?: Schema[];
    anyOf?: Schema[];
    allOf?: Schema[];
    not?: Schema;
    "x-kubernetes-preserve-unknown-fields"?: boolean;
    "x-kubernetes-int-or-string"?: boolean;
    "x-kubernetes-list-type"?: "atomic" | "set" | "map";
    "x-kubernetes-list-map-keys"?: string[];
    "x-kubernetes-validations"?: { rule: string; message?: string }[];
}

/** `group/version/Kind` → the version's openAPIV3Schema. */
export interface CompactCrds {
    source: string;
    sha256: string;
    schemas: Record<string, Schema>;
}

const cache = new Map<string, CompactCrds>();

/** The compact CRDs of a vendored file, read once per process. */
export function loadCompactCrds(file: string): CompactCrds {
    let c = cache.get(file);
    if (!c) {
        const source = vendoredSources()[file];
        if (!source) throw new Error(`no vendored CRD file ${file} in ${VENDOR_DIR}/SOURCES.json`);
        c = JSON.parse(fs.readFileSync(path.join(VENDOR_DIR, source.compact), "utf8")) as CompactCrds;
        cache.set(file, c);
    }
    return c;
}
