// The model of what runs out of sight (DESIGN.md, "What runs out of sight"), for the tests and the
// render; the program never imports it. `outOfSight` expands a recorded run with what the pinned
// components, AWS and the controllers create; `ownershipViolations` checks that every cloud object
// of the expanded graph has exactly one owner; `versionViolations` that every managed node group
// carries its cluster's Kubernetes version.
export { outOfSight, type ModelOptions } from "./expand";
export { Graph, keyOf, type Recorded } from "./graph";
export type { OutOfSightObject } from "./model";
export {
    claims,
    handOvers,
    ownershipViolations,
    sharedClusterViolations,
    violationsOf,
    type CheckOptions,
    type Claim,
    type Earlier,
    type OwnershipRule,
    type Violation,
} from "./owners";
export { RULES, type Rule, type RuleId } from "./rules";
export { versionViolations, type VersionViolation } from "./nodeGroupVersion";
export { MODELLED, versionTieProblems } from "./versions";
