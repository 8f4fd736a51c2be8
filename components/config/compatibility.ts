// What the program knows about the versions it installs, in one table each: the Istio releases it
// has reference data for (and the Kubernetes versions each supports), the Kubernetes versions it
// can run the node autoscaler on, and the controller chart versions whose IAM policy it carries.
// The defaults of the contract and the compatibility preflight both read these tables, so raising a
// version is one edit here (plus the data it needs), and a stack can never name a version the
// program has no data for.
//
// Every line cites where it was read. Add a version only with its source.

/** A Kubernetes minor version, "1.35". */
export type KubernetesMinor = `1.${number}`;

export interface IstioRelease {
    /** The newest patch of the minor the program was checked against; the default when it is the default minor. */
    newestPatch: string;
    /** Kubernetes versions Istio supports for this minor, inclusive. */
    kubernetes: { from: KubernetesMinor; to: KubernetesMinor };
    /** The first patch with a fix the program relies on; older patches of the minor get a warning. */
    fixedIn?: { version: string; fix: string };
    source: string;
}

/** Istio minors the program has reference data for (charts' values keys, CRDs, supported Kubernetes). */
export const ISTIO_RELEASES: Record<string, IstioRelease> = {
    "1.30": {
        // 1.30.5 is the newest 1.30 patch in public use (2026-11); istio.io/news/releases/1.30.x lists
        // 1.30.0 (2026-05-18) to 1.30.4 (2026-08-27).
        newestPatch: "1.30.5",
        kubernetes: { from: "1.32", to: "1.36" },
        fixedIn: {
            version: "1.30.3",
            fix: "metadata-only VirtualService changes no longer push config to every proxy (istio/istio#60629)",
        },
        source: "istio.io supported releases and 1.30 release notes, as collected in the project's ecosystem reference (2026-11)",
    },
    "1.31": {
        // For canary upgrades by revision (istio.revisions). 1.31.0 was released 2026-08-20, 1.31.1
        // exists; the charts' values and CRDs are vendored from release-1.31 at the 1.31.0 release
        // (tests/fixtures/charts, components/validation/vendor).
        newestPatch: "1.31.1",
        kubernetes: { from: "1.32", to: "1.36" },
        source: 'istio.io "Announcing Istio 1.31.0" (2026-08-20): "officially supported on Kubernetes versions 1.32 to 1.36"',
    },
};

/** The Istio minor the program defaults to, and so its default version. */
export const DEFAULT_ISTIO_MINOR = "1.30";
export const DEFAULT_ISTIO_VERSION = ISTIO_RELEASES[DEFAULT_ISTIO_MINOR].newestPatch;

/**
 * The default Kubernetes version: in EKS standard support (1.34 leaves it on 2026-12-02, 1.35 on
 * 2027-03-27; EKS version calendar) and inside Istio 1.30's supported range.
 */
export const DEFAULT_KUBERNETES_VERSION: KubernetesMinor = "1.35";

export interface ClusterAutoscalerChart {
    /** Chart version of `cluster-autoscaler` from https://kubernetes.github.io/autoscaler. */
    chart: string;
    /** The Cluster Autoscaler release the chart runs (its appVersion, the image tag). */
    appVersion: string;
}

/**
 * Cluster Autoscaler per Kubernetes minor: CA's minor version tracks the Kubernetes minor it
 * supports, so each cluster version gets the newest chart whose appVersion has the same minor.
 * Read from the chart repository's index (kubernetes/autoscaler gh-pages index.yaml, 2026-03):
 * 9.46.6 → 1.32.0, 9.51.0 → 1.33.0, 9.53.0 → 1.34.2, 9.56.0 → 1.35.0. No chart for Kubernetes
 * 1.36 was found there, so 1.36 runs without the autoscaler until one is added here.
 */
export const CLUSTER_AUTOSCALER_CHARTS: Record<string, ClusterAutoscalerChart> = {
    "1.32": { chart: "9.46.6", appVersion: "1.32.0" },
    "1.33": { chart: "9.51.0", appVersion: "1.33.0" },
    "1.34": { chart: "9.53.0", appVersion: "1.34.2" },
    "1.35": { chart: "9.56.0", appVersion: "1.35.0" },
};

/**
 * Chart versions of aws-load-balancer-controller whose IAM policy the program carries
 * (components/manifests/albControllerIamPolicy.v<version>.json, upstream docs/install/iam_policy.json
 * at that tag). Another chart version may call AWS APIs this policy does not allow.
 */
export const ALB_CONTROLLER_POLICIES = ["3.5.0"] as const;

export const DEFAULT_ALB_CONTROLLER_VERSION = "3.5.0";

/** "1.30" of "1.30.5"; undefined for anything that is not a version. */
export function minorOf(version: string): string | undefined {
    return /^(\d+\.\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(version)?.[1];
}

/** "1.31.1" → [1, 31, 1]. */
export function versionParts(version: string): [number, number, number] {
    const [major, minor, patch] = version.split(".").map(Number);
    return [major, minor, patch];
}

/** Compares two versions part by part as numbers ("1.30.2" < "1.30.10"); pre-release suffixes are ignored. */
export function compareVersions(a: string, b: string): number {
    const [x, y] = [a, b].map((v) => v.split(/[-+]/)[0].split(".").map(Number));
    for (let i = 0; i < Math.max(x.length, y.length); i++) {
        const d = (x[i] ?? 0) - (y[i] ?? 0);
        if (d !== 0) return d;
    }
    return 0;
}

/** Compares two Kubernetes minors ("1.9" < "1.10"). */
export function compareMinor(a: string, b: string): number {
    const [x, y] = [a, b].map((v) => v.split(".").map(Number));
    return x[0] - y[0] || x[1] - y[1];
}

/** The Kubernetes range of an Istio release as people write it: "1.32-1.36". */
export function kubernetesRange(release: IstioRelease): string {
    return `${release.kubernetes.from}-${release.kubernetes.to}`;
}

/** Every Istio version the program can install, for messages: "1.30.x (newest 1.30.5)". */
export function knownIstioVersions(): string {
    return Object.entries(ISTIO_RELEASES)
        .map(([minor, r]) => `${minor}.x (newest known ${r.newestPatch}, Kubernetes ${kubernetesRange(r)})`)
        .join(", ");
}

/** Whether the program can run the Cluster Autoscaler on a Kubernetes minor. */
export function clusterAutoscalerChart(kubernetesVersion: string): ClusterAutoscalerChart | undefined {
    return CLUSTER_AUTOSCALER_CHARTS[kubernetesVersion];
}

/** "1.32-1.35", the Kubernetes versions the Cluster Autoscaler table covers. */
export function clusterAutoscalerRange(): string {
    const minors = Object.keys(CLUSTER_AUTOSCALER_CHARTS).sort(compareMinor);
    return `${minors[0]}-${minors[minors.length - 1]}`;
}
