// Updating a stack of the previous release is a test: for every stack file that release shipped,
// plan the working tree against what it registered (tests/upgrade/<release>/, see
// tools/plan/fixture.ts) and require exactly the changes UPGRADING.md lists, dangers included, so an
// unlisted change or an unlisted danger fails the suite. In-process: no git, no npm.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { ROOT, stackFileConfig, toConfigMap } from "../tools/mock/engine";
import { type Evaluation, evaluateConfig, evaluateStackFile } from "../tools/plan/evaluate";
import { readFixture } from "../tools/plan/fixture";
import { planUpdate, type PlanStep } from "../tools/plan/plan";
import { knownType } from "../tools/plan/rules";
import { readNotes, type Row, rowText } from "./upgrade/notes";

const EN = readNotes(path.join(ROOT, "UPGRADING.md"));
const JA = readNotes(path.join(ROOT, "UPGRADING.ja.md"));
const FIXTURES = path.join(ROOT, "tests", "upgrade", EN.release);

/** Every fixture of the release, with the working tree's stack file at the same place. */
function fixtures(): { fixture: string; stackFile: string; label: string }[] {
    const out: { fixture: string; stackFile: string; label: string }[] = [];
    const walk = (dir: string) => {
        for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
            const full = path.join(dir, e.name);
            if (e.isDirectory()) walk(full);
            else if (e.name.endsWith(".json")) {
                const rel = path.relative(FIXTURES, full);
                const stack = path.basename(rel, ".json");
                out.push({
                    fixture: full,
                    stackFile: path.join(ROOT, path.dirname(rel), `Pulumi.${stack}.yaml`),
                    label: path.join(path.dirname(rel), stack),
                });
            }
        }
    };
    walk(FIXTURES);
    return out;
}

/** What the notes' rows say about a step: its environment written as <env>. */
const asRow = (s: PlanStep, env: string): Row => ({
    op: s.op,
    type: s.type,
    name: s.name.startsWith(`${env}-`) ? `<env>${s.name.slice(env.length)}` : s.name,
    danger: s.danger,
});
const key = (r: Row) => `${r.op} ${r.type} ${r.name}${r.danger ? " DANGER" : ""}`;

describe(`upgrading from ${EN.release} (UPGRADING.md)`, () => {
    it("the Japanese notes list the same changes, with the same dangers and links", () => {
        assert.equal(JA.release, EN.release);
        assert.deepEqual([...JA.tables], [...EN.tables]);
        assert.deepEqual([...JA.anchors].sort(), [...EN.anchors].sort());
        assert.deepEqual(JA.steps, EN.steps, "the same stack-file snippets");
    });

    it("every dangerous change links to the section that says what to do about it", () => {
        for (const [table, rows] of EN.tables)
            for (const r of rows.filter((x) => x.danger))
                assert.ok(r.link && EN.anchors.has(r.link), `${table}: ${rowText(r)} links to no section of the notes`);
    });

    it("there is a fixture of the release for every shipped stack file, and a working-tree stack file for each", () => {
        const all = fixtures();
        assert.ok(all.length >= 3, `fixtures in ${path.relative(ROOT, FIXTURES)}`);
        for (const f of all)
            assert.ok(fs.existsSync(f.stackFile), `${f.label}: ${path.relative(ROOT, f.stackFile)} is gone`);
    });

    for (const f of fixtures())
        it(`${f.label}: pulumi up makes exactly the changes the notes list`, async function () {
            this.timeout(60_000);
            const { evaluation } = readFixture(f.fixture);
            // Stacks that own a cluster, production ones (protected resources) apart, and attached stacks.
            const owner = evaluation.resources.some((r) => r.type === "eks-istio:cluster:Cluster");
            const production = evaluation.resources.some((r) => r.protect);
            const group = `direct: ${owner ? (production ? "production" : "owner") : "attached"}`;
            // The production table lists what differs from the owner table (same op, type and name: its row wins).
            const base = production ? EN.tables.get("direct: owner") : [];
            const own = EN.tables.get(group);
            assert.ok(base && own, `UPGRADING.md has no table <!-- plan ${EN.release} ${group} -->`);
            const same = (a: Row, b: Row) => a.op === b.op && a.type === b.type && a.name === b.name;
            // What one stack file's own config adds (a feature the others leave off): its own table.
            const file = EN.tables.get(`direct: ${f.label}`) ?? [];
            const expected = [...base.filter((b) => !own.some((o) => same(o, b))), ...own, ...file];
            const next = await evaluateStackFile(f.stackFile, { previous: evaluation.outputs });
            const steps = planUpdate(evaluation.resources, next.resources);
            // Every resource the engine diffs with a provider has replace rules in the table.
            const unknownTypes = steps.filter((s) => (s.new ?? s.old)!.graph.kind === "custom" && !knownType(s.type));
            assert.deepEqual([...new Set(unknownTypes.map((s) => s.type))], [], "types without replace rules");
            const actual = steps.filter((s) => s.op !== "same").map((s) => asRow(s, evaluation.stack));
            assertListed(actual, expected, `${f.label}: the plan and UPGRADING.md's "${group}" table differ.`);
        });
});

/**
 * The rows of a plan equal the rows the notes list; a failure lists both ways, as rows to paste. A
 * row whose name holds a placeholder besides <env> (`<env>-edge-<app>-vs`) stands for every object
 * of that shape the stack has: it covers each matching change, and is not missed where there is none.
 */
function assertListed(actual: Row[], expected: Row[], title: string): void {
    const placeholder = /<(?!env>)[a-z]+>/;
    const pattern = (name: string) =>
        new RegExp(
            `^${name
                .split(/(<[a-z]+>)/)
                .map((part) => (placeholder.test(part) ? "[a-z0-9.-]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
                .join("")}$`,
        );
    const covers = (e: Row, a: Row) =>
        placeholder.test(e.name)
            ? key({ ...e, name: a.name }) === key(a) && pattern(e.name).test(a.name)
            : key(e) === key(a);
    const unlisted = actual.filter((a) => !expected.some((e) => covers(e, a)));
    const missing = expected.filter((e) => !placeholder.test(e.name) && !actual.some((a) => covers(e, a)));
    assert.ok(
        !unlisted.length && !missing.length,
        [
            title,
            ...(unlisted.length ? ["Not in the notes:", ...unlisted.map(rowText)] : []),
            ...(missing.length ? ["In the notes, not in the plan:", ...missing.map(rowText)] : []),
        ].join("\n"),
    );
}

// The staged path, at this release's code: dev from the release's fixture through each step's
// stack file (Pulumi.dev.yaml with the step's `eks-istio:cluster` snippet from the notes), each
// step planned against the one before.
describe(`upgrading from ${EN.release}: the staged path (UPGRADING.md, dev)`, () => {
    const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
    const plans = new Map<string, PlanStep[]>();
    const graphs = new Map<string, Evaluation>();
    before(async function () {
        this.timeout(120_000);
        let previous: Evaluation = readFixture(path.join(FIXTURES, "dev.json")).evaluation;
        const base = stackFileConfig(path.join(ROOT, "Pulumi.dev.yaml"));
        for (const { step, yaml } of EN.steps) {
            const config = { ...base, ...toConfigMap(parseYaml(yaml) as Record<string, unknown>) };
            const next = await evaluateConfig("dev", config, { dir: ROOT, previous: previous.outputs });
            plans.set(step, planUpdate(previous.resources, next.resources));
            graphs.set(step, next);
            previous = next;
        }
    });

    it("the shipped examples of a step hold the notes' snippet of it", () => {
        const examples: Record<string, string> = { "1": "upgrade-c1dbf01-adopt", "3a": "upgrade-c1dbf01-blue-green" };
        for (const { step, yaml } of EN.steps.filter((s) => s.step in examples)) {
            const file = path.join(ROOT, "examples", examples[step], "Pulumi.dev.yaml");
            assert.ok(fs.existsSync(file), `examples/${examples[step]}/Pulumi.dev.yaml`);
            const cluster = (parseYaml(fs.readFileSync(file, "utf8")) as { config: Record<string, unknown> }).config;
            assert.deepEqual({ "eks-istio:cluster": cluster["eks-istio:cluster"] }, parseYaml(yaml), `step ${step}`);
        }
    });

    it("each step has its table", () => {
        for (const { step } of EN.steps) assert.ok(EN.tables.has(`step ${step}: dev`), `no table for step ${step}`);
        const steps = [...EN.tables.keys()]
            .filter((t) => t.startsWith("step "))
            .map((t) => t.replace(/^step (\S+): dev$/, "$1"));
        assert.deepEqual(
            steps,
            EN.steps.map((s) => s.step),
            "a table for each step, in order, and no other",
        );
    });

    for (const { step } of EN.steps)
        it(`step ${step}: pulumi up makes exactly the changes the notes list`, () => {
            const actual = plans
                .get(step)!
                .filter((s) => s.op !== "same")
                .map((s) => asRow(s, "dev"));
            assertListed(
                actual,
                EN.tables.get(`step ${step}: dev`) ?? [],
                `step ${step}: the plan and the notes differ.`,
            );
        });

    // The staged path needs the fixes of the release it upgrades to; until the notes give one, these wait.
    if (EN.steps.length)
        it("adopts the control-plane log group instead of creating one over it", () => {
            const created = [...plans.values()]
                .flat()
                .filter((s) => s.type === "aws:cloudwatch/logGroup:LogGroup" && s.op !== "same");
            assert.deepEqual(
                created.map((s) => `${s.op} ${s.danger}`),
                ["create false"],
            );
            assert.match(
                created[0].reasons.join("\n"),
                /adopts the log group \/aws\/eks\/eks-istio-dev\/cluster that already exists/,
            );
        });

    // The staged path needs the fixes of the release it upgrades to; until the notes give one, these wait.
    if (EN.steps.length)
        it("keeps the VPC CNI add-on: updated in place through its alias, never created or deleted", () => {
            const addon = [...plans.values()]
                .flat()
                .filter((s) => s.type === "aws:eks/addon:Addon" && /vpc-cni/.test(s.name));
            assert.deepEqual([...new Set(addon.map((s) => s.op))].sort(), ["same", "update"]);
            assert.match(
                addon[0].reasons[0],
                /^was .*eks:index:VpcCniAddon\$aws:eks\/addon:Addon::dev-cluster-eks-vpc-cni \(alias\)$/,
            );
        });

    // The staged path needs the fixes of the release it upgrades to; until the notes give one, these wait.
    if (EN.steps.length)
        it("moves the nodes blue/green: the old group is the only node group deleted, a step after the new one exists", () => {
            const groups = EN.steps.map(({ step }) =>
                plans
                    .get(step)!
                    .filter((s) => s.type === NODE_GROUP && s.op !== "same" && s.op !== "update")
                    .map((s) => `${s.op} ${s.name}`),
            );
            assert.deepEqual(
                groups,
                [[], [], ["create dev-cluster-blue"], ["delete dev-cluster-nodes"]],
                `the staged path must create node group dev-cluster-blue at step 3a and delete only dev-cluster-nodes, at step 3b; it does ${groups.map((g, i) => `at step ${EN.steps[i].step}: ${g.join(", ") || "nothing"}`).join("; ")}`,
            );
            const last = plans.get(EN.steps[EN.steps.length - 1].step)!;
            assert.equal(last.find((s) => s.type === NODE_GROUP && s.name === "dev-cluster-blue")?.op, "same");
            assert.ok(![...plans.values()].flat().some((s) => s.type === NODE_GROUP && s.op === "replace"));
        });

    // Issue 20, defect 4 restored: node groups named by their place in the list instead of their
    // own name, so the group left at step 3b takes the old group's name and its new inputs.
    if (EN.steps.length)
        it("node groups named by position: step 3b would replace the running group, and the plan names it in one sentence", () => {
            const [a, b] = [graphs.get("3a")!, graphs.get("3b")!];
            const byPosition = JSON.parse(
                JSON.stringify(b.resources).replaceAll("dev-cluster-blue", "dev-cluster-nodes"),
            ) as typeof b.resources;
            const replaced = planUpdate(a.resources, byPosition).filter(
                (s) => s.type === NODE_GROUP && s.op === "replace",
            );
            assert.deepEqual(
                replaced.map((s) => `${s.name} ${s.danger}`),
                ["dev-cluster-nodes true"],
            );
            assert.ok(
                replaced[0].reasons.includes(
                    "DANGER: EKS deletes the old node group by draining all its nodes at once and forces termination after 5 minutes; PodDisruptionBudgets are not guaranteed, so single-replica workloads go down (move nodes through a second node group instead: UPGRADING.md)",
                ),
                replaced[0].reasons.join("\n"),
            );
        });

    it("a plain pulumi up replaces the node group instead, and the plan marks it dangerous", async () => {
        const { evaluation } = readFixture(path.join(FIXTURES, "dev.json"));
        const next = await evaluateStackFile(path.join(ROOT, "Pulumi.dev.yaml"), { previous: evaluation.outputs });
        const steps = planUpdate(evaluation.resources, next.resources).filter((s) => s.type === NODE_GROUP);
        assert.deepEqual(
            steps.map((s) => `${s.op} ${s.name} ${s.danger}`),
            ["replace dev-cluster-nodes true"],
        );
        const logGroup = planUpdate(evaluation.resources, next.resources).find(
            (s) => s.type === "aws:cloudwatch/logGroup:LogGroup",
        )!;
        assert.equal(`${logGroup.op} ${logGroup.danger}`, "create true");
        assert.match(
            logGroup.reasons.join("\n"),
            /already exists: Amazon EKS created it for eks:index:Cluster dev-cluster-eks \(it creates it when control-plane logging is on/,
        );
    });
});
