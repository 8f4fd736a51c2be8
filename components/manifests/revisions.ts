// Which istiod control planes a stack runs, under which names, and which revision tags they carry:
// computed from the config and from what the stack's previous update exported, so that a control
// plane that is running never changes its Pulumi resource name, Helm release name or revision
// across the steps of a canary upgrade (version → revisions [old, new] → stable: new → revisions
// [new]). Changing any of the three would make Helm reinstall the control plane that serves traffic.
import { compareVersions, versionParts } from "../config/compatibility";
import type { RevisionTag, StackConfig } from "../config/contract";

/** One istiod: its Helm release, the `revision` chart value and the revision tags it carries. */
export interface ControlPlane {
    version: string;
    /**
     * Istio's revision name: "default" for the unrevisioned control plane that `istio.version`
     * installs (chart value `revision: ""`), otherwise the minor version, "1-31" (patch upgrades
     * of a revision are done in place, so its name must not carry the patch).
     */
    revision: string;
    /** Helm release name, also the istiod Deployment and Service name. */
    release: string;
    /** Suffix of the Pulumi resource name: `<component>-<suffix>`. */
    resourceSuffix: string;
    /** Revision tags: `stable`, `canary`, and `default` (see controlPlanePlan). */
    tags: (RevisionTag | "default")[];
}

/** What a stack exports about its control planes, read back on its next update. */
export type ExportedControlPlane = Pick<ControlPlane, "version" | "revision" | "release" | "tags">;

/** What the previous update of this stack left, as far as the control planes are concerned. */
export interface PreviousUpdate {
    /** Whether the stack has been updated before (it has outputs at all). */
    deployed: boolean;
    /** Its `istioControlPlanes` output; absent when deployed by a version of eks-istio without revisions. */
    controlPlanes?: ExportedControlPlane[];
}

export const UNREVISIONED = { revision: "default", release: "istiod", resourceSuffix: "istiod" } as const;

/** "1.31.1" → "1-31": the name of a revisioned control plane of that minor version. */
export function revisionName(version: string): string {
    return versionParts(version).slice(0, 2).join("-");
}

export interface ControlPlanePlan {
    /** One control plane (istio.version) or revisions side by side (istio.revisions). */
    mode: "version" | "revisions";
    planes: ControlPlane[];
    /** base (the CRDs) comes from the newest version installed; its default revision follows stable. */
    base: { version: string; defaultRevision: string };
    /** The ingress gateway follows the stable tag (chart `revision`), in the stable version's chart. */
    gateway: { version: string; revision?: RevisionTag };
    /** The release holding `stable` waits for the other one: see `tagOrder`. */
    stableHolder: ControlPlane;
    problems: { at: string; message: string }[];
}

/**
 * The control planes of a stack. With `istio.version`: one unrevisioned istiod, exactly as before
 * revisions existed. With `istio.revisions`: one istiod per version; the one that continues the
 * previous update's unrevisioned istiod (same minor) keeps its names, the others are named after
 * their minor version.
 */
export function controlPlanePlan(
    istio: Pick<StackConfig["istio"], "version" | "revisions">,
    previous: PreviousUpdate,
): ControlPlanePlan {
    const problems: { at: string; message: string }[] = [];
    const before = previous.controlPlanes ?? (previous.deployed ? [{ ...legacy(), version: "" }] : []);

    if (!istio.revisions) {
        const revisioned = before.filter((p) => p.revision !== UNREVISIONED.revision);
        if (revisioned.length > 0)
            problems.push({
                at: "istio.version",
                message: `this stack runs revisioned control planes (${revisioned.map((p) => `${p.release} ${p.version}`).join(", ")}); going back to istio.version would reinstall the control plane that serves traffic. Keep istio.revisions: [${revisioned.map((p) => p.version).join(", ")}]`,
            });
        const plane: ControlPlane = { version: istio.version, ...UNREVISIONED, tags: [] };
        return {
            mode: "version",
            planes: [plane],
            base: { version: istio.version, defaultRevision: UNREVISIONED.revision },
            gateway: { version: istio.version },
            stableHolder: plane,
            problems,
        };
    }

    const { versions, stable, canary } = istio.revisions;
    // The unrevisioned istiod of the previous update continues as the entry of its minor version.
    // Deployed before control planes were exported: it ran istio.version, which the canary
    // upgrade's first step lists first and oldest.
    const unrevisioned = before.find((p) => p.revision === UNREVISIONED.revision);
    const continuing = unrevisioned
        ? unrevisioned.version === ""
            ? [...versions].sort(compareVersions)[0]
            : versions.find((v) => revisionName(v) === revisionName(unrevisioned.version))
        : undefined;
    const planes: ControlPlane[] = versions.map((version) => ({
        version,
        ...(version === continuing
            ? UNREVISIONED
            : {
                  revision: revisionName(version),
                  release: `istiod-${revisionName(version)}`,
                  resourceSuffix: `istiod-${revisionName(version)}`,
              }),
        tags: [
            ...(version === stable ? (["stable"] as const) : []),
            ...(version === canary ? (["canary"] as const) : []),
        ],
    }));

    // Retiring the control plane the stable tag pointed to at the previous update would leave every
    // app namespace and the gateway without the proxies' control plane until they restart.
    const servedStable = before.find((p) => p.tags.includes("stable"));
    if (servedStable && !planes.some((p) => p.release === servedStable.release))
        problems.push({
            at: "istio.revisions",
            message: `would delete ${servedStable.release} (Istio ${servedStable.version}), which the stable tag still points to: every app namespace and the ingress gateway run on it. First set istio.stable to ${stable} and run pulumi up, restart the workloads, then retire ${servedStable.version}`,
        });

    const newest = [...versions].sort(compareVersions).pop()!;
    const stableHolder = planes.find((p) => p.version === stable)!;
    // Namespaces labelled istio-injection=enabled (attached stacks' apps, anything labelled by
    // hand) are injected by the unrevisioned istiod's own webhook while it runs, and by the
    // `default` tag once it is gone: the stable control plane then takes that tag too.
    if (!planes.some((p) => p.revision === UNREVISIONED.revision)) stableHolder.tags.push("default");
    return {
        mode: "revisions",
        planes,
        base: { version: newest, defaultRevision: stableHolder.revision },
        gateway: { version: stable, revision: "stable" },
        stableHolder,
        problems,
    };
}

/** What the stack exports for its next update. With istio.version, the one control plane serves every app: stable. */
export function exportedControlPlanes(plan: ControlPlanePlan): ExportedControlPlane[] {
    return plan.planes.map((p) => ({
        version: p.version,
        revision: p.revision,
        release: p.release,
        tags: plan.mode === "version" ? ["stable"] : [...p.tags],
    }));
}

function legacy(): Omit<ExportedControlPlane, "version"> {
    return { revision: UNREVISIONED.revision, release: UNREVISIONED.release, tags: ["stable"] };
}

/**
 * The order Helm releases must be upgraded in when a tag moves. A tag is a
 * MutatingWebhookConfiguration (`istio-revision-tag-<tag>`) owned by the release that carries it:
 * the release gaining a tag must be upgraded after the one losing it, or Helm refuses to take over
 * an object another release owns. `stable` moves between the two planes (promote, roll back) and
 * `canary` only ever points at the newer one, so "the stable holder waits for the other plane"
 * orders every step; on the step that adds a canary the waiting is a no-op for the running plane.
 */
export function tagOrder(plan: ControlPlanePlan): { plane: ControlPlane; waitsFor: ControlPlane[] }[] {
    return plan.planes.map((plane) => ({
        plane,
        waitsFor: plane === plan.stableHolder ? plan.planes.filter((p) => p !== plane) : [],
    }));
}

/** The namespace label that selects an app's control plane. */
export function injectionLabels(
    revisions: StackConfig["istio"]["revisions"],
    tag: RevisionTag,
): Record<string, string> {
    // With revisions, the tag label alone: istio-injection would win over istio.io/rev and tie the
    // namespace to the unrevisioned control plane.
    return revisions ? { "istio.io/rev": tag } : { "istio-injection": "enabled" };
}
