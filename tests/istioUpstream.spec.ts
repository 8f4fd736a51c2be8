// Istio's own validation tests as the judge of components/validation (issue 22, DESIGN.md
// "Preview is the truth"): the cases of istio/istio's webhook tables and istio/api's API-server
// test data, translated into tests/fixtures/istio-upstream/<version>/ by tools/istioUpstream, are
// replayed against crdIssues (the API server, with the CRD file of that version) and webhookIssues
// (istiod). A case a stack config can reach must get the verdict Istio gives, and a refusal the
// fragment of the message Istio asserts; a case no config reaches is listed as pending when it
// disagrees, never failed: the program cannot send that object.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { crdFileFor, crdIssues, fieldPathText, webhookIssues } from "../components/validation";
import type { FixtureFile, UpstreamCase } from "../tools/istioUpstream/main";
import { reachability } from "../tools/istioUpstream/reachability";

const ROOT = path.join(__dirname, "fixtures", "istio-upstream");

/** { $repeat: "a", count: n } stands for a string too long to keep in a fixture ("a" n times). */
function expand(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(expand);
    if (!v || typeof v !== "object") return v;
    const o = v as Record<string, unknown>;
    if (typeof o.$repeat === "string" && typeof o.count === "number") {
        const s = o.$repeat.repeat(o.count);
        return o.base64 ? Buffer.from(s).toString("base64") : s;
    }
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, expand(x)]));
}

interface Replay {
    refused: boolean;
    issues: string[];
}

/** What the validator says about a case, at the layer that gives the verdict upstream. */
export function replay(c: UpstreamCase, crdFile: string): Replay {
    const object = expand(c.object) as { apiVersion: string; kind: string; spec?: unknown };
    const issues = c.layer === "crd" ? crdIssues(object, crdFile) : webhookIssues(object);
    return { refused: issues.length > 0, issues: issues.map((i) => `${fieldPathText(i.path)}: ${i.message}`) };
}

const agrees = (c: UpstreamCase, r: Replay) => r.refused === (c.expect === "refuse");
const where = (c: UpstreamCase) =>
    `${c.upstream.repo}@${c.upstream.commit.slice(0, 12)} ${c.upstream.file}:${c.upstream.line} ${c.upstream.test} "${c.upstream.entry}"`;

function said(c: UpstreamCase, r: Replay): string {
    const istio = c.expect === "refuse" ? `refuses${c.message ? ` (${JSON.stringify(c.message)})` : ""}` : "accepts";
    const ours = r.refused ? `refuses: ${r.issues.join("; ")}` : "accepts";
    return `${c.layer === "crd" ? "the API server" : "istiod"} ${istio}; the validator ${ours}`;
}

const versions = fs.readdirSync(ROOT).filter((d) => fs.statSync(path.join(ROOT, d)).isDirectory());

for (const version of versions) {
    const dir = path.join(ROOT, version);
    const fixtures = fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".json"))
        .map((f) => ({ file: f, ...(JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as FixtureFile) }));
    const crdFile = crdFileFor(version);

    describe(`Istio ${version}'s own validation tests (tests/fixtures/istio-upstream/${version}, CRDs ${crdFile})`, () => {
        const all = fixtures.flatMap((f) => f.cases);
        const pending: string[] = [];

        it("carries at least 300 translated cases, of every kind the program writes", () => {
            assert.ok(all.length >= 300, `${all.length} cases`);
            const kinds = new Set(all.map((c) => c.object.kind));
            for (const k of [
                "Gateway",
                "VirtualService",
                "DestinationRule",
                "ServiceEntry",
                "AuthorizationPolicy",
                "PeerAuthentication",
                "Telemetry",
            ])
                assert.ok(kinds.has(k), `no ${k} case`);
        });

        // Reachability is written into the fixtures when they are translated; the config schema moves
        // on. A key added since then must not leave a case it makes reachable among the pending ones.
        it("says of each case whether a config reaches it as the config schema does today", () => {
            const stale = all
                .map((c) => ({ c, now: reachability(c.object as unknown as Record<string, unknown>) }))
                .filter(({ c, now }) => now.reachable !== c.reachable || now.reason !== c.unreachable)
                .map(
                    ({ c, now }) =>
                        `${c.name}: fixture ${c.unreachable ?? "reachable"}; today ${now.reason ?? "reachable"}`,
                );
            assert.deepEqual(stale, [], "rerun tools/istioUpstream (README: refreshing the fixtures)");
        });

        for (const f of fixtures)
            describe(`${f.source.repo} ${f.source.file} (${f.file})`, () => {
                for (const c of f.cases) {
                    if (!c.reachable) {
                        const r = replay(c, crdFile);
                        if (!agrees(c, r)) {
                            pending.push(`${c.name}: ${said(c, r)}`);
                            it(`${c.name} — unreachable (${c.unreachable}): ${said(c, r)}`);
                        }
                        continue;
                    }
                    it(c.name, () => {
                        const r = replay(c, crdFile);
                        assert.ok(agrees(c, r), `${where(c)}: ${said(c, r)}`);
                        // istiod's words, where upstream asserts them (the API server's are Kubernetes' own).
                        if (c.expect === "refuse" && c.message && c.layer === "webhook")
                            assert.ok(
                                r.issues.some((i) => i.toLowerCase().includes(c.message!.toLowerCase())),
                                `${where(c)}: istiod says "${c.message}"; the validator says ${r.issues.join("; ")}`,
                            );
                    });
                }
            });

        after(() => {
            if (pending.length)
                console.log(
                    `\n  Istio ${version}: ${pending.length} of ${all.filter((c) => !c.reachable).length} cases no config reaches disagree; they are pending tests, listed by: npx mocha --reporter spec --grep unreachable`,
                );
        });
    });
}
