// What "Preview is the truth" costs one stack evaluation, step by step in a fresh process: reading
// the compact CRD JSON, loading @bufbuild/cel (on the first CEL rule a config reaches; every owner
// stack reaches PeerAuthentication's) and re2js (on the first regex), then a stack's first parse
// (zod's first use, and the first compile of each CEL rule it reaches) and a warm one, with the
// validation's share of it. Run by tools/bench/bench.ts; prints one line.
import { rawConfigFromMap } from "../../components/config";
import { parseStackConfig } from "../../components/stack";
import { celProgram } from "../../components/validation/cel";
import { crdSchema, generatedIstioObjects, generatedObjectProblems } from "../../components/validation";
import { compileRe2 } from "../../components/validation/re2";
import { stackFileConfig } from "../mock/engine";
import { resolveStackArg, stackNameOf } from "../render/render";

const ms = (a: number, b: number) => `${(b - a).toFixed(0)} ms`;
const file = resolveStackArg(process.argv[2] ?? "dev");
const raw = rawConfigFromMap(stackNameOf(file), stackFileConfig(file));

const t0 = performance.now();
crdSchema("networking.istio.io/v1", "VirtualService");
const t1 = performance.now();
celProgram("self.size() == 0");
const t2 = performance.now();
compileRe2("^a$");
const t3 = performance.now();
const cfg = parseStackConfig(raw);
const t4 = performance.now();
parseStackConfig(raw);
const t5 = performance.now();
const N = 20;
for (let i = 0; i < N; i++) generatedObjectProblems(cfg);
const validation = (performance.now() - t5) / N;
console.log(
    `validator (${stackNameOf(file)}, ${generatedIstioObjects(cfg).length} Istio objects): CRD JSON ${ms(t0, t1)}, @bufbuild/cel ${ms(t1, t2)}, re2js ${ms(t2, t3)}; first parse ${ms(t3, t4)}, warm parse ${ms(t4, t5)} of which validation ${validation.toFixed(1)} ms`,
);
