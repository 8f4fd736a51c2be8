import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** Where a release comes from and where it goes: every chart is pinned to a version and a repository. */
export interface ChartSource {
    /** Helm release name (also names the chart's objects). */
    release: string;
    chart: string;
    version: string;
    repo: string;
    namespace: string;
}

/**
 * A Helm release with the project's conventions: pinned chart and repository, atomic (a failed
 * upgrade rolls back instead of leaving the release half-replaced), and ten minutes to get ready.
 */
export function helmRelease(
    name: string,
    source: ChartSource,
    values: pulumi.Input<pulumi.Inputs>,
    opts: pulumi.CustomResourceOptions,
): k8s.helm.v3.Release {
    return new k8s.helm.v3.Release(
        name,
        {
            name: source.release,
            chart: source.chart,
            version: source.version,
            repositoryOpts: { repo: source.repo },
            namespace: source.namespace,
            values,
            atomic: true,
            timeout: 600,
        },
        opts,
    );
}
