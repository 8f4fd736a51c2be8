// The render's out-of-sight.yaml: what runs out of sight (tools/outOfSight), for review.
import type { RecordedResource } from "../mock/engine";
import { type Claim, type OutOfSightObject, versionViolations, violationsOf } from "../outOfSight";

/**
 * What runs out of sight, for review: what the stack would get wrong (two owners of one object, a
 * node group behind its cluster), then every modelled object with its key inputs and the rule that
 * creates it, then those rules with their upstream sources.
 */
export function outOfSightReport(
    resources: RecordedResource[],
    modelled: readonly OutOfSightObject[],
    owners: Claim[],
) {
    const rules = new Map(modelled.map((o) => [o.rule.id, o.rule]));
    return {
        problems: [
            ...violationsOf(owners).map((v) => v.message),
            ...versionViolations(resources).map((v) => v.message),
        ],
        objects: modelled.map((o) => ({
            name: o.name,
            type: o.type,
            kind: o.kind,
            ...(o.urn ? { urn: o.urn } : { parent: o.parent.replace(/^implicit:.*>/, "") }),
            rule: o.rule.id,
            ...(o.protect ? { protect: true } : {}),
            ...(o.registeredWith ? { registeredWith: o.registeredWith } : {}),
            ...(o.provider ? { provider: o.provider } : {}),
            ...(Object.keys(o.inputs).length ? { inputs: o.inputs } : {}),
            ...(o.ignoreChanges ? { ignoreChanges: o.ignoreChanges } : {}),
            ...(o.facts ? { derived: o.facts } : {}),
        })),
        rules: Object.fromEntries(
            [...rules]
                .sort(([a], [b]) => a.localeCompare(b))
                .map(([id, r]) => [id, { creator: r.creator, when: r.why, source: r.source }]),
        ),
    };
}
