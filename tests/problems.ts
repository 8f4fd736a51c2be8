// Assertions on ConfigError problems, shared by the config specs.
import * as assert from "node:assert/strict";
import type { ConfigProblem } from "../components/config";

export const renderProblems = (ps: ConfigProblem[]) => ps.map((p) => `${p.path}: ${p.message}`).join("\n");

/** Asserts that `problems` holds one at `path` whose message contains (or matches) `message`. */
export function assertProblem(problems: ConfigProblem[], path: string, message: string | RegExp): void {
    const hit = problems.find(
        (p) => p.path === path && (typeof message === "string" ? p.message.includes(message) : message.test(p.message)),
    );
    assert.ok(hit, `expected ${path}: ${String(message)}\ngot:\n${renderProblems(problems)}`);
}
