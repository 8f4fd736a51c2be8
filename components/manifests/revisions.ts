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

/** One revision tag and the control plane it points at. */
export interface TagPlacement {
    tag: RevisionTag | "default";
    /** The control plane the tag's webhook sends pods to. */
    plane: ControlPlane;
    /**
     * The istiod release that rendered this tag's objects at the previous update, when that update
     * ran an eks-istio that kept tags inside the releases (chart value `revisionTags`): this update
     * takes them over from it (see `tagOrder`).
     */
    renderedBy?: string;
}

/** What a stack exports about its revision tags (`istioRevisionTags`), read back on its next update. */
export interface ExportedRevisionTag {
    tag: TagPlacement["tag"];
    release: string;
    revision: string;
    version: string;
}

/** What the previous update of this stack left, as far as the control planes are concerned. */
export interface PreviousUpdate {
    /** Whether the stack has been updated before (it has outputs at all). */
    deployed: boolean;
    /** Its `istioControlPlanes` output; absent when deployed by a version of eks-istio without revisions. */
    controlPlanes?: ExportedControlPlane[];
    /**
     * Its `istioRevisionTags` output: present once tags are resources of their own, absent when the
     * update ran an eks-istio whose istiod releases rendered the tags.
     */
    revisionTags?: ExportedRevisionTag[];
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
    /** The control plane `stable` points at: the gateway's, and the one `default` follows without an unrevisioned istiod. */
    stableHolder: ControlPlane;
    /** The revision tags, each a webhook and a Service of its own; none with istio.version. */
    tags: TagPlacement[];
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
            tags: [],
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
    // An update that ran an eks-istio rendering tags inside the releases exported no tags of its
    // own; its control planes' tags say which release rendered which. (Its istio.version stacks
    // exported their one istiod as carrying stable without rendering it: taken for a release that
    // rendered it, which only orders that release after the new tag, harmlessly.)
    const renderedBefore = previous.revisionTags ? [] : (previous.controlPlanes ?? []);
    const tags = planes.flatMap((plane) =>
        plane.tags.map((tag): TagPlacement => {
            const renderedBy = renderedBefore.find((p) => p.tags.includes(tag))?.release;
            return { tag, plane, ...(renderedBy ? { renderedBy } : {}) };
        }),
    );
    // A canary that such a release rendered, and that this update drops while the release stays,
    // would be deleted by that release's upgrade, which the namespaces still labelled canary cannot
    // be made to precede: they wait for the release. (A release that goes is deleted after every
    // update, the namespaces' relabelling included.)
    const droppedCanary = renderedBefore.find((p) => p.tags.includes("canary"));
    if (droppedCanary && !canary && planes.some((p) => p.release === droppedCanary.release))
        problems.push({
            at: "istio.canary",
            message: `this update takes the revision tags over from the istiod releases, which rendered them until now (${droppedCanary.release} rendered canary); removing the canary tag in the same update would let Helm delete its webhook before the namespaces labelled canary are relabelled. Run pulumi up once with istio.canary still set to ${droppedCanary.version}, then remove it`,
        });
    return {
        mode: "revisions",
        planes,
        base: { version: newest, defaultRevision: stableHolder.revision },
        gateway: { version: stable, revision: "stable" },
        stableHolder,
        tags,
        problems,
    };
}

/** What the stack exports about its tags: which control plane each points at. Empty with istio.version. */
export function exportedRevisionTags(plan: ControlPlanePlan): ExportedRevisionTag[] {
    return plan.tags.map(({ tag, plane }) => ({
        tag,
        release: plane.release,
        revision: plane.revision,
        version: plane.version,
    }));
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

/** An istiod release or a tag's objects, with what it waits for among them. */
export type InstallStep =
    | { kind: "istiod"; plane: ControlPlane; afterTags: TagPlacement["tag"][] }
    | { kind: "tag"; placement: TagPlacement; afterPlane?: ControlPlane };

/**
 * How each tag's objects are ordered against the istiod releases. A tag is a webhook of its own
 * (`revisionTagWebhook`), so moving it is one update in place and the releases need no order among
 * themselves (when the releases rendered the tags, the one gaining a tag had to wait for the one
 * giving it up, and the webhook was missing in between). What is left:
 *
 * - The tag waits for the release it points at: that release's Service and pods answer its webhook
 *   (failurePolicy Fail), and a pod the webhook cannot reach is refused.
 * - Taking over from an earlier eks-istio, whose releases rendered the tags (`renderedBy`): the
 *   release that rendered a tag waits for the tag's resources instead. Its upgrade drops the tag
 *   from its templates, and Helm then deletes the object unless the live object carries
 *   `helm.sh/resource-policy: keep`, which the tag's resources apply first; so the webhook is never
 *   absent. When that release is also the one the tag points at, the tag does not wait for it: it
 *   has run since the previous update, with its Service.
 */
export function tagOrder(plan: ControlPlanePlan): InstallStep[] {
    const steps: InstallStep[] = [
        ...plan.planes.map((plane): InstallStep => ({
            kind: "istiod",
            plane,
            afterTags: plan.tags.filter((t) => t.renderedBy === plane.release).map((t) => t.tag),
        })),
        ...plan.tags.map((placement): InstallStep => ({
            kind: "tag",
            placement,
            ...(placement.renderedBy === placement.plane.release ? {} : { afterPlane: placement.plane }),
        })),
    ];
    const key = (s: InstallStep) => (s.kind === "tag" ? `tag ${s.placement.tag}` : `istiod ${s.plane.release}`);
    const waits = (s: InstallStep) =>
        s.kind === "tag"
            ? s.afterPlane
                ? [`istiod ${s.afterPlane.release}`]
                : []
            : s.afterTags.map((t) => `tag ${t}`);
    // In an order a program can register them in: each after what it waits for.
    const done = new Set<string>();
    const ordered: InstallStep[] = [];
    for (let left = steps; left.length;) {
        const ready = left.filter((s) => waits(s).every((w) => done.has(w)));
        if (ready.length === 0)
            throw new Error(`revision tags and istiod releases wait for each other: ${left.map(key).join(", ")}`);
        for (const s of ready) {
            ordered.push(s);
            done.add(key(s));
        }
        left = left.filter((s) => !ready.includes(s));
    }
    return ordered;
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
