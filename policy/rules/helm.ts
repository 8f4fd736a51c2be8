// Helm releases: charts pinned to an exact version, from where the charts are published today.
import { type Check, isRecord, policy, text } from "./common";

export const HELM_RELEASE_TYPES = ["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"];

/** An exact SemVer 2 version (Helm also accepts a leading v); ranges such as ^1.2 or 1.x are not. */
const EXACT_VERSION = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

export const checkHelmReleasePinned: Check = ({ type, name, props }) => {
    if (!HELM_RELEASE_TYPES.includes(type)) return [];
    const chart = text(props.chart) ?? "(no chart)";
    const what = `Helm release '${name}' (chart ${chart})`;
    const violations: string[] = [];
    const version = text(props.version);
    if (version === undefined) {
        violations.push(
            `${what} has no version: set 'version' to the exact chart version (for example "1.30.3"), ` +
                "so a preview and the update that follows install the same chart.",
        );
    } else if (!EXACT_VERSION.test(version)) {
        violations.push(
            `${what} has version "${version}", which is a range or a tag, not a pinned version: ` +
                "set 'version' to one exact chart version (for example \"1.30.3\").",
        );
    }
    // An OCI reference names its registry in the chart itself.
    if (!chart.startsWith("oci://")) {
        const repositoryOpts: unknown = props.repositoryOpts;
        const repo = isRecord(repositoryOpts) ? text(repositoryOpts.repo) : undefined;
        if (repo === undefined) {
            violations.push(
                `${what} has no repositoryOpts.repo: set it to the chart repository URL ` +
                    "(for example https://blob.istio.io/istio-release/charts), so the chart is not " +
                    "looked up in whatever Helm repositories the machine running Pulumi has configured.",
            );
        }
    }
    return violations;
};

export const helmReleasePinnedVersion = policy(
    {
        name: "helm-release-pinned-version",
        description:
            "Every Helm release pins an exact chart version and names its chart repository (repositoryOpts.repo).",
        enforcementLevel: "mandatory",
        severity: "high",
    },
    checkHelmReleasePinned,
);

// ---------------------------------------------------------------------------------------------
// helm-chart-source-current

/**
 * Locations that are being removed: Istio's Google-hosted chart repository and gcr.io registry go in
 * December 2026, and registry.istio.io is being retired (istio.io, artifact locations, 2026-07/08).
 * Hosts are matched with their subdomains (istio-release.storage.googleapis.com, k8s.gcr.io).
 */
export const RETIRED_HOSTS = ["storage.googleapis.com", "gcr.io", "registry.istio.io"];

/** The host of a chart repository URL, an OCI reference or an image hub ("gcr.io/istio-release"). */
function hostOf(location: string): string {
    return location
        .replace(/^[a-z][a-z0-9+.-]*:\/\//i, "")
        .split(/[/:]/)[0]
        .toLowerCase();
}

function retired(location: string): string | undefined {
    const host = hostOf(location);
    return RETIRED_HOSTS.find((r) => host === r || host.endsWith(`.${r}`));
}

/** The Istio charts whose values name an image hub (istiod's for itself and every injected proxy). */
const ISTIO_CHARTS = ["base", "istiod", "gateway", "cni", "ztunnel"];

export const checkHelmChartSource: Check = ({ type, name, props }) => {
    if (!HELM_RELEASE_TYPES.includes(type)) return [];
    const chart = text(props.chart) ?? "(no chart)";
    const what = `Helm release '${name}' (chart ${chart})`;
    const fix =
        "Istio's charts are at https://blob.istio.io/istio-release/charts (OCI: oci://ghcr.io/istio/release/charts), its images at docker.io/istio.";
    const violations: string[] = [];
    const repositoryOpts: unknown = props.repositoryOpts;
    const repo = isRecord(repositoryOpts) ? text(repositoryOpts.repo) : undefined;
    for (const [where, location] of [
        ["repositoryOpts.repo", repo],
        ["chart", chart.includes("://") ? chart : undefined],
    ] as const) {
        const host = location === undefined ? undefined : retired(location);
        if (host !== undefined)
            violations.push(
                `${what} comes from ${location} (${where}), on ${host}, which is being retired: the chart will not download once it is gone. ${fix}`,
            );
    }
    // Values are read only for Istio's charts: other releases may carry values that are unknown during
    // a preview, and reading those would turn this whole check into "can't run during preview".
    if (ISTIO_CHARTS.includes(chart)) {
        const values: unknown = props.values;
        const global: unknown = isRecord(values) ? values.global : undefined;
        for (const [where, hub] of [
            ["values.hub", isRecord(values) ? text(values.hub) : undefined],
            ["values.global.hub", isRecord(global) ? text(global.hub) : undefined],
        ] as const) {
            const host = hub === undefined ? undefined : retired(hub);
            if (host !== undefined)
                violations.push(
                    `${what} pulls its images from ${hub} (${where}), on ${host}, which is being retired: pods will fail to pull once it is gone. ${fix}`,
                );
        }
    }
    return violations;
};

export const helmChartSourceCurrent = policy(
    {
        name: "helm-chart-source-current",
        description:
            "No Helm release comes from a retired location (storage.googleapis.com, gcr.io, registry.istio.io): neither its chart nor, for Istio's charts, its image hub.",
        enforcementLevel: "mandatory",
        severity: "high",
    },
    checkHelmChartSource,
);
