// Assertions on ConfigError problems, shared by the config specs.
import * as assert from "node:assert/strict";
import { ConfigError, type ConfigProblem } from "../components/config";
import { parseStackConfig } from "../components/stack";

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

/**
 * Every problem parseStackConfig reports for a "dev" stack with `values` (ingress.port 8000 unless
 * `values` sets ingress), as "path: message" lines; [] when the config parses.
 */
export function problemLines(values: Record<string, unknown>, region = "ap-northeast-1"): string[] {
    try {
        parseStackConfig({ stack: "dev", region, values: { ingress: { port: 8000 }, ...values } });
    } catch (e) {
        if (e instanceof ConfigError) return e.problems.map((p) => `${p.path}: ${p.message}`);
        throw e;
    }
    return [];
}
