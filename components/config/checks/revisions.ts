// Canary upgrades of Istio by revision (istio.revisions, istio.stable, istio.canary, apps[].revision):
// the rules a config must meet on its own. The rules that need the stack's previous update (a step
// that would delete the control plane still serving `stable`) are in manifests/revisions.ts.
import { compareVersions, versionParts } from "../compatibility";
import { record, SEMVER } from "../primitives";
import { excerpt } from "../untrusted";

/** At most two control planes side by side: the one serving and the one being tried. */
export const MAX_REVISIONS = 2;

const minorOf = (v: string) => versionParts(v).slice(0, 2).join(".");

export function revisionProblems(istio: unknown, apps: unknown): { at: string; message: string }[] {
    const out: { at: string; message: string }[] = [];
    const i = record(istio);
    const versions = Array.isArray(i.revisions)
        ? i.revisions.filter((v): v is string => typeof v === "string" && SEMVER.test(v))
        : undefined;
    const list = versions ? `istio.revisions: [${versions.join(", ")}]` : "";

    if (i.revisions === undefined) {
        for (const tag of ["stable", "canary"] as const)
            if (i[tag] !== undefined)
                out.push({
                    at: `istio.${tag}`,
                    message: `only applies with istio.revisions (the control planes installed side by side); with istio.version there is one control plane and no tags`,
                });
    } else if (i.version !== undefined)
        out.push({
            at: "istio.version",
            message:
                "is set together with istio.revisions; set one: istio.version for one control plane, or istio.revisions (and istio.stable) for a canary upgrade",
        });

    if (versions && versions.length === (i.revisions as unknown[]).length) {
        if (versions.length > MAX_REVISIONS)
            out.push({
                at: "istio.revisions",
                message: `lists ${versions.length} versions; at most ${MAX_REVISIONS} control planes run side by side (the one serving and its canary): retire one first`,
            });
        versions.forEach((v, k) => {
            const j = versions.findIndex((w) => minorOf(w) === minorOf(v));
            if (j < k)
                out.push({
                    at: `istio.revisions[${k}]`,
                    message:
                        v === versions[j]
                            ? `${excerpt(v)} is listed twice`
                            : `${excerpt(v)} and istio.revisions[${j}] ${excerpt(versions[j])} are both Istio ${minorOf(v)}; a control plane is named after its minor version and patch upgrades are done in place: keep one of them (the newer patch)`,
                });
        });
        if (versions.length === 2) {
            const [a, b] = versions.map(versionParts);
            if (a[0] !== b[0] || Math.abs(a[1] - b[1]) > 1)
                out.push({
                    at: "istio.revisions",
                    message: `${versions[0]} and ${versions[1]} are ${a[0] !== b[0] ? "different major versions" : "more than one minor version apart"}; Istio supports a canary upgrade across one minor version only (e.g. 1.30 → 1.31): upgrade one minor at a time`,
                });
        }
        for (const tag of ["stable", "canary"] as const) {
            const v = i[tag];
            if (typeof v === "string" && SEMVER.test(v) && !versions.includes(v))
                out.push({
                    at: `istio.${tag}`,
                    message: `points at ${v}, which is not installed (${list}); point it at one of them or add ${v} there`,
                });
        }
        const stable = typeof i.stable === "string" ? i.stable : versions[0];
        if (
            typeof i.canary === "string" &&
            versions.includes(i.canary) &&
            stable !== undefined &&
            versions.includes(stable) &&
            compareVersions(i.canary, stable) < 0
        )
            out.push({
                at: "istio.canary",
                message: `points at ${i.canary}, older than stable ${stable}; the canary tag names the control plane being tried (the newer one), or the stable one once promoted`,
            });
    }

    const canary = typeof i.canary === "string";
    (Array.isArray(apps) ? apps : []).forEach((raw, k) => {
        const revision = record(raw).revision;
        if (revision === undefined) return;
        if (i.revisions === undefined)
            out.push({
                at: `apps[${k}].revision`,
                message: "only applies with istio.revisions: with istio.version every app runs the one control plane",
            });
        else if (revision === "canary" && !canary)
            out.push({
                at: `apps[${k}].revision`,
                message:
                    "is canary, but there is no canary tag: set istio.canary to the version to try, or remove the key (the app then follows stable)",
            });
    });
    return out;
}
