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

/**
 * Asserts that `problems` holds one at `path` whose message is exactly `message`: the message a
 * user reads is the behaviour (it says what is wrong and what to do), so all of it is checked.
 */
export function assertExactProblem(problems: ConfigProblem[], path: string, message: string): void {
    const atPath = problems.filter((p) => p.path === path);
    assert.ok(
        atPath.some((p) => p.message === message),
        `expected ${path}: ${message}\ngot:\n${renderProblems(problems)}`,
    );
}
