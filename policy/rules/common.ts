// What every rule of the pack shares: the types, the way a pure check becomes a policy, and the
// small readers of resource inputs. Each check is a pure function from a resource's type, name,
// inputs and provider to messages; `validateResource` only forwards them to `reportViolation`.
//
// Only types are imported from @pulumi/policy: loading this module starts nothing (index.ts is what
// serves the pack to the Pulumi CLI).
//
// Inputs reach a policy through @pulumi/policy's unknown-checking proxy: reading a value that is not
// known yet during a preview throws, and the engine reports "can't run policy during preview" as
// advisory instead of a false pass. So values are read before any try/catch, never inside one.
import type {
    EnforcementLevel,
    PolicyProviderResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
} from "@pulumi/policy";

export type { PolicyProviderResource, ResourceValidationArgs } from "@pulumi/policy";

/** What a check reads of a resource: a subset of ResourceValidationArgs, easy to build in tests. */
export type ResourceUnderTest = Pick<ResourceValidationArgs, "type" | "name" | "props"> & {
    provider?: PolicyProviderResource;
};

/** A check: the violations of one resource, as messages that say what to change. */
export type Check = (resource: ResourceUnderTest) => string[];

/** A policy of this pack: always one validation function, and an explicit enforcement level. */
export interface EksIstioPolicy extends ResourceValidationPolicy {
    enforcementLevel: Extract<EnforcementLevel, "mandatory" | "advisory">;
    validateResource: (args: ResourceValidationArgs, reportViolation: ReportViolation) => void;
    /** The pure check behind validateResource. */
    check: Check;
}

/** The label (Kubernetes objects) and tag (AWS resources) that mark a production stack's resources. */
export const PRODUCTION_MARKER = "eks-istio/production";

export function policy(fields: Omit<EksIstioPolicy, "validateResource" | "check">, check: Check): EksIstioPolicy {
    return {
        ...fields,
        check,
        validateResource: (args, reportViolation) => {
            for (const message of check(args)) reportViolation(message);
        },
    };
}

/** A non-empty, trimmed string, or undefined for anything else. */
export function text(value: unknown): string | undefined {
    return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A string or a list of strings as a list (IAM's Action, Resource and condition values). */
export function asList(value: unknown): unknown[] {
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? value : [value];
}

export function isProduction(markers: unknown): boolean {
    return isRecord(markers) && markers[PRODUCTION_MARKER] === "true";
}
