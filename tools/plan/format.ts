// The plan as people read it: one block per change, the dangerous ones marked, in the order the
// engine could run them; unchanged resources are counted, not listed.
import { isModelled } from "./expand";
import { OPS, type PlanStep } from "./types";

const SYMBOL: Record<string, string> = { create: "+", update: "~", replace: "+-", delete: "-", same: " " };

export function formatPlan(steps: PlanStep[], { title, all = false }: { title: string; all?: boolean }): string {
    const shown = steps.filter((s) => all || s.op !== "same");
    const typeWidth = Math.min(56, Math.max(4, ...shown.map((s) => s.type.length)));
    const lines = [title, ""];
    for (const s of shown) {
        const name = `${s.name}${(s.new ?? s.old) && isModelled((s.new ?? s.old)!) ? " *" : ""}`;
        lines.push(
            `${SYMBOL[s.op].padEnd(2)} ${s.op.padEnd(7)} ${s.type.padEnd(typeWidth)}  ${name}${s.danger ? "   <-- DANGER" : ""}`,
        );
        for (const r of s.reasons) lines.push(`             ${r.startsWith("DANGER: ") ? "!!" : "- "} ${r}`);
    }
    const counts = OPS.map((op) => [op, steps.filter((s) => s.op === op).length] as const);
    const dangerous = steps.filter((s) => s.danger).length;
    lines.push(
        "",
        `${counts.map(([op, n]) => `${n} ${op === "same" ? "unchanged" : `to ${op}`}`).join(", ")}; ${dangerous} dangerous`,
    );
    if (shown.some((s) => (s.new ?? s.old) && isModelled((s.new ?? s.old)!)))
        lines.push("* a child that a multi-language component registers, as modelled offline (tools/outOfSight)");
    return `${lines.join("\n")}\n`;
}
