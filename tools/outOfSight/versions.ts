// The upstream versions the out-of-sight model was read from. tests/outOfSight.spec.ts ties each to
// what package.json and package-lock.json install: a bump fails there until the model's rules
// (rules.ts) have been re-read at the new version and these records changed.

export const MODELLED = {
    /** @pulumi/eks: eks:index:Cluster, eks:index:ManagedNodeGroup and what they create. */
    eks: {
        package: "@pulumi/eks",
        version: "4.3.0",
        /**
         * The SDKs its provider plugin bundles (nodejs/eks/package.json:30-31 at v4.3.0): every AWS
         * child is registered with @pulumi/aws 7.25.0, so the engine gives it a default provider of
         * its own (default_7_25_0), apart from the program's.
         */
        aws: "7.25.0",
        kubernetes: "4.19.0",
    },
    /** @pulumi/awsx: awsx:ec2:Vpc. */
    awsx: {
        package: "@pulumi/awsx",
        version: "3.9.0",
        /**
         * awsx pins @pulumi/aws exactly in its provider and publishes `^<that version>` as the SDK's
         * dependency (awsx/package.json:26-28), so the SDK's floor is the version its children use.
         */
        aws: "7.43.0",
    },
    /** The AWS Load Balancer Controller chart whose controller creates the ALBs (components/config ALB_CONTROLLER_POLICIES). */
    albController: { version: "3.5.0" },
} as const;

/** The name the engine gives a package version's default provider: `default_7_25_0`. */
export const defaultProvider = (version: string): string => `default_${version.replaceAll(".", "_")}`;

/** A package as package.json pins it and node_modules installs it (its version and its @pulumi/aws range). */
export interface InstalledPackage {
    pinned?: string;
    installed?: string;
    aws?: string;
}

/**
 * What a reviewer must do when @pulumi/eks or @pulumi/awsx moves away from the version the model
 * was read from: one sentence per package, naming the upstream files to re-read; none when they match.
 */
export function versionTieProblems(packages: Record<string, InstalledPackage>): string[] {
    const out: string[] = [];
    const review = {
        [MODELLED.eks.package]:
            "nodejs/eks/cluster/cluster.ts, nodes/nodegroup.ts, addons/cni-addon.ts, servicerole.ts and the @pulumi/aws it bundles (nodejs/eks/package.json)",
        [MODELLED.awsx.package]:
            "awsx/ec2/vpc.ts, subnetDistributorNew.ts, subnetNaming.ts and the @pulumi/aws it pins (awsx/package.json)",
    };
    for (const m of [MODELLED.eks, MODELLED.awsx]) {
        const p = packages[m.package] ?? {};
        const creator = m.package.slice("@pulumi/".length);
        if (p.pinned !== m.version || p.installed !== m.version)
            out.push(
                `package.json pins ${m.package} ${p.pinned} (installed: ${p.installed}), but tools/outOfSight models ${creator} ${m.version}: re-read every rule in tools/outOfSight/rules.ts whose creator is ${creator} against ${creator} ${p.pinned}'s ${review[m.package]}, then change MODELLED.${creator} in tools/outOfSight/versions.ts`,
            );
        else if (p.aws !== `^${m.aws}`)
            out.push(
                `${m.package} ${m.version} depends on @pulumi/aws ${p.aws}, but tools/outOfSight says its children are registered with ${m.aws}: change MODELLED.${creator}.aws in tools/outOfSight/versions.ts`,
            );
    }
    return out;
}
