// The planner's vocabulary, shared by the classifier (plan.ts), the danger rules (danger.ts) and
// the output (format.ts).
import type { RecordedResource } from "../mock/engine";
import type { ModelledResource } from "./expand";

export type Op = "create" | "update" | "replace" | "delete" | "same";
export const OPS: Op[] = ["create", "update", "replace", "delete", "same"];

/** One line of the plan, as `--json` prints it: `type` and `name` as Pulumi registers them. */
export interface PlanEntry {
    op: Op;
    type: string;
    name: string;
    reasons: string[];
    danger: boolean;
}

export type PlanResource = RecordedResource | ModelledResource;

/** A step with what the classifier and the danger rules know about it. */
export interface PlanStep extends PlanEntry {
    urn: string;
    old?: PlanResource;
    new?: PlanResource;
    /** Why the replacement deletes the old object first, when it does. */
    deleteBeforeReplace?: string;
    /** The input properties whose values are unknown at preview, with why. */
    unknown?: Map<string, string>;
}
