// Translates Istio's own validation tests into the fixtures tests/istioUpstream.spec.ts replays
// (tests/fixtures/istio-upstream/<version>/). Reads checkouts of istio/istio and istio/api at the
// commits the README names; writes data only. Run it again for a new Istio version and review the
// diff: README.md, "Istio's own tests as the judge".
//
//   node -r ./scripts/register.cjs tools/istioUpstream/main.ts \
//       --istio <istio/istio checkout> --api <istio/api checkout> --version 1.30.3 [--out <dir>]
//   node -r ./scripts/register.cjs tools/istioUpstream/main.ts \
//       --reachability tests/fixtures/istio-upstream/1.30.3      (after a config key changes)
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { goTable, nodeName } from "./goLiteral";
import { Converter, type Json } from "./protoJson";
import { reachability } from "./reachability";
import { API_VERSION, RECIPES, type Built, type Row } from "./recipes";
import { API_TESTDATA, SKIPPED } from "./sources";

export interface UpstreamRef {
    repo: string;
    commit: string;
    file: string;
    test: string;
    entry: string;
    line: number;
}

export interface UpstreamCase {
    /** "<test>/<entry>", unique in its file. */
    name: string;
    upstream: UpstreamRef;
    /** Who gives the verdict upstream: the API server (CRD schema + CEL) or istiod's webhook. */
    layer: "crd" | "webhook";
    expect: "accept" | "refuse";
    /** A fragment of the refusal upstream asserts, when it asserts one. */
    message?: string;
    object: { apiVersion: string; kind: string; metadata: Record<string, Json>; spec?: Json };
    embed?: string;
    reachable: boolean;
    unreachable?: string;
}

export interface FixtureFile {
    source: { repo: string; ref: string; commit: string; file: string };
    istio: string;
    skipped: { test: string; reason: string }[];
    cases: UpstreamCase[];
}

function arg(name: string): string | undefined {
    const i = process.argv.indexOf(`--${name}`);
    return i < 0 ? undefined : process.argv[i + 1];
}

const head = (dir: string) => execFileSync("git", ["-C", dir, "rev-parse", "HEAD"], { encoding: "utf8" }).trim();

function finish(c: Omit<UpstreamCase, "reachable" | "unreachable">): UpstreamCase {
    const r = reachability(c.object as unknown as Record<string, unknown>);
    return { ...c, reachable: r.reachable, ...(r.reachable ? {} : { unreachable: r.reason }) };
}

function uniqueNames(cases: UpstreamCase[]): UpstreamCase[] {
    const seen = new Map<string, number>();
    return cases.map((c) => {
        const n = (seen.get(c.name) ?? 0) + 1;
        seen.set(c.name, n);
        return n === 1 ? c : { ...c, name: `${c.name} #${n}` };
    });
}

/** The cases of one istio/istio test file. */
export function istioCases(src: string, file: string, commit: string): FixtureFile["cases"] {
    const out: UpstreamCase[] = [];
    for (const recipe of RECIPES.filter((r) => r.file === file)) {
        const table = goTable(src, recipe.test);
        const convert = new Converter(recipe.env);
        table.rows.forEach((tr, i) => {
            const row: Row = {};
            tr.elems.forEach((e, j) => {
                const field = e.key ? nodeName(e.key) : table.fields[j];
                row[field] = convert.value(e.value);
            });
            const entry = recipe.name ? recipe.name(row, i) : String(row.name ?? `#${i + 1}`);
            const built = recipe.build(row);
            if (typeof built === "string") return;
            const verdict = recipe.verdict(row);
            out.push(
                finish({
                    name: `${recipe.test}/${entry}`,
                    upstream: { repo: "istio/istio", commit, file, test: recipe.test, entry, line: tr.line },
                    layer: "webhook",
                    expect: verdict.accept ? "accept" : "refuse",
                    ...(verdict.message ? { message: verdict.message } : {}),
                    object: objectOf(built),
                    ...(built.embed ? { embed: built.embed } : {}),
                }),
            );
        });
    }
    return uniqueNames(out);
}

function objectOf(b: Built): UpstreamCase["object"] {
    return {
        apiVersion: API_VERSION[b.kind],
        kind: b.kind,
        metadata: b.metadata ?? { name: "foo", namespace: "bar" },
        spec: b.spec,
    };
}

/** Rows a recipe turned down, with the reason, for the fixture's `skipped` list. */
export function rowsSkipped(src: string, file: string): FixtureFile["skipped"] {
    const out: FixtureFile["skipped"] = [];
    for (const recipe of RECIPES.filter((r) => r.file === file)) {
        const table = goTable(src, recipe.test);
        const convert = new Converter(recipe.env);
        for (const tr of table.rows) {
            const row: Row = {};
            tr.elems.forEach((e, j) => (row[e.key ? nodeName(e.key) : table.fields[j]] = convert.value(e.value)));
            const built = recipe.build(row);
            if (typeof built === "string") out.push({ test: `${recipe.test}/${String(row.name)}`, reason: built });
        }
    }
    return [...SKIPPED.filter((s) => s.file === file).map(({ test, reason }) => ({ test, reason })), ...out];
}

/**
 * What sigs.k8s.io/yaml (go-yaml) reads where the YAML 1.2 parser differs: in a flow sequence,
 * `[1.2.3.4, 001:db8::]` is two strings to go-yaml and a string and a map to YAML 1.2.
 */
function goYaml(v: unknown): unknown {
    if (Array.isArray(v))
        return v.map((x) => {
            const entries = x && typeof x === "object" && !Array.isArray(x) ? Object.entries(x) : [];
            return entries.length === 1 && entries[0][1] === null && entries[0][0].includes(":")
                ? `${entries[0][0]}:`
                : goYaml(x);
        });
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, goYaml(x)]));
    return v;
}

/** The cases of istio/api tests/testdata: YAML documents, `_err` the API server's refusal. */
export function apiCases(dir: string, commit: string): UpstreamCase[] {
    const out: UpstreamCase[] = [];
    for (const name of API_TESTDATA) {
        const file = `tests/testdata/${name}`;
        const text = fs.readFileSync(path.join(dir, file), "utf8");
        let line = 1;
        for (const doc of text.split(/^---$/m)) {
            const start = line + (doc.startsWith("\n") ? 1 : 0);
            line += doc.split("\n").length - 1;
            const parsed = goYaml(parse(doc)) as Record<string, Json> | null;
            if (!parsed || !parsed.kind) continue;
            const { _err, ...object } = parsed;
            const metadata = object.metadata as Record<string, Json>;
            out.push(
                finish({
                    name: `${name}/${String(metadata.name)}`,
                    upstream: {
                        repo: "istio/api",
                        commit,
                        file,
                        test: "TestCRDs",
                        entry: String(metadata.name),
                        line: start,
                    },
                    layer: "crd",
                    expect: _err ? "refuse" : "accept",
                    ...(_err ? { message: String(_err) } : {}),
                    object: object as unknown as UpstreamCase["object"],
                }),
            );
        }
    }
    return uniqueNames(out);
}

/**
 * Reachability again, for fixtures already translated: after a config key is added or dropped, no
 * upstream checkout is needed (tests/istioUpstream.spec.ts fails until this has been run).
 */
function refreshReachability(dir: string) {
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".json"))) {
        const fixture = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as FixtureFile;
        fixture.cases = fixture.cases.map(({ reachable: _r, unreachable: _u, ...c }) => finish(c));
        fs.writeFileSync(path.join(dir, file), JSON.stringify(fixture, null, 2) + "\n");
        console.log(`${file}: ${fixture.cases.filter((c) => c.reachable).length} of ${fixture.cases.length} reachable`);
    }
}

function main() {
    const again = arg("reachability");
    if (again) return refreshReachability(again);
    const istio = arg("istio");
    const api = arg("api");
    const version = arg("version");
    if (!istio || !api || !version) {
        console.error(
            "usage: main.ts --istio <istio/istio checkout> --api <istio/api checkout> --version <x.y.z> [--out <dir>]\n" +
                "       main.ts --reachability <fixture dir>",
        );
        process.exit(2);
    }
    const out = arg("out") ?? path.join(__dirname, "..", "..", "tests", "fixtures", "istio-upstream", version);
    fs.mkdirSync(out, { recursive: true });
    const istioCommit = head(istio);
    const files: [string, string][] = [
        ["pkg/config/validation/validation_test.go", "validation_test.json"],
        ["pkg/config/validation/virtualservice_test.go", "virtualservice_test.json"],
        ["pkg/config/validation/agent/validation_test.go", "agent_validation_test.json"],
    ];
    for (const [file, target] of files) {
        const src = fs.readFileSync(path.join(istio, file), "utf8");
        const fixture: FixtureFile = {
            source: { repo: "istio/istio", ref: version, commit: istioCommit, file },
            istio: version,
            skipped: rowsSkipped(src, file),
            cases: istioCases(src, file, istioCommit),
        };
        fs.writeFileSync(path.join(out, target), JSON.stringify(fixture, null, 2) + "\n");
        console.log(`${target}: ${fixture.cases.length} cases`);
    }
    const apiCommit = head(api);
    const fixture: FixtureFile = {
        source: {
            repo: "istio/api",
            ref: `go.mod of istio ${version}`,
            commit: apiCommit,
            file: "tests/testdata/*.yaml",
        },
        istio: version,
        skipped: [
            {
                test: "other tests/testdata files",
                reason: "EnvoyFilter, ProxyConfig, RequestAuthentication, WasmPlugin, WorkloadEntry, WorkloadGroup: the program writes none",
            },
        ],
        cases: apiCases(api, apiCommit),
    };
    fs.writeFileSync(path.join(out, "api_testdata.json"), JSON.stringify(fixture, null, 2) + "\n");
    console.log(`api_testdata.json: ${fixture.cases.length} cases`);
}

if (require.main === module) main();
