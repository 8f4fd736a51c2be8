// Validation of Istio objects against Istio's CRD schemas, through @kubernetes-models/istio (its
// models are generated from Istio 1.29's crd-all.gen.yaml). The package is ESM-only; this file is
// compiled to CommonJS, where TypeScript would turn `import()` into `require()`, so the dynamic
// import is built at run time to stay a real ESM import.
const esmImport = new Function("specifier", "return import(specifier)") as (s: string) => Promise<any>;

type Validator = { validate(): void };
type ModelClass = new (data: unknown) => Validator;

const cache = new Map<string, Promise<ModelClass>>();

function modelFor(apiVersion: string, kind: string): Promise<ModelClass> {
    const key = `${apiVersion}/${kind}`;
    if (!cache.has(key))
        cache.set(
            key,
            esmImport(`@kubernetes-models/istio/${apiVersion}/${kind}`).then((m) => {
                if (!m[kind]) throw new Error(`no model for ${key}`);
                return m[kind] as ModelClass;
            }),
        );
    return cache.get(key)!;
}

/** Schema errors of an Istio object ("" when valid), as "<path> <message>" lines. */
export async function istioSchemaErrors(obj: { apiVersion: string; kind: string }): Promise<string[]> {
    const Model = await modelFor(obj.apiVersion, obj.kind);
    try {
        new Model(JSON.parse(JSON.stringify(obj))).validate();
        return [];
    } catch (e: any) {
        const errors: { instancePath: string; message: string }[] = e.errors ?? [];
        return errors.length ? errors.map((x) => `${x.instancePath} ${x.message}`) : [String(e.message)];
    }
}

export function isIstioObject(obj: { apiVersion?: string }): obj is { apiVersion: string; kind: string } {
    return /\.istio\.io\//.test(obj.apiVersion ?? "");
}
