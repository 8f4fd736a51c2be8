// What a real cluster asks of volumes and of the EKS add-ons that run pods (part of the lifecycle
// model, ./cluster.ts):
//
// - A managed add-on whose workload is a Deployment (CoreDNS, the EBS CSI driver's controller) is
//   ACTIVE only once its pods run: created before the nodes, `pulumi up` waits for it until it
//   times out. The DaemonSet-only add-ons (vpc-cni) are ACTIVE without nodes, which is why vpc-cni
//   comes before them. An add-on not listed here is an error, as an unknown chart is.
// - A PersistentVolumeClaim binds only when its StorageClass exists and a driver serves the class's
//   provisioner; until then it stays Pending, and so does the pod, until the release times out. On
//   destroy the driver must outlive the claim, or the volume is never deleted. Both are the order
//   "class and driver before the release" (destroy runs it backwards).
import { type RecordedResource, resourceKey } from "../../tools/mock/engine";
import type { Lifecycle } from "./model";

export const ADDON = "aws:eks/addon:Addon";
export const STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass";

interface AddonFacts {
    /** Its add-on waits for pods of a Deployment to run before it reports ACTIVE. */
    runsPods: boolean;
    /** The CSI provisioner it serves, as StorageClasses name it. */
    provisioner?: string;
}

/** By EKS add-on name. */
export const ADDONS: Record<string, AddonFacts> = {
    // aws-node and kube-proxy are DaemonSets: ACTIVE with no node yet.
    "vpc-cni": { runsPods: false },
    "kube-proxy": { runsPods: false },
    coredns: { runsPods: true },
    // ebs-csi-controller is a Deployment; ebs-csi-node a DaemonSet.
    "aws-ebs-csi-driver": { runsPods: true, provisioner: "ebs.csi.aws.com" },
};

export function addonFacts(r: RecordedResource): AddonFacts {
    const facts = ADDONS[r.inputs.addonName as string];
    if (!facts)
        throw new Error(`${r.name}: EKS add-on "${r.inputs.addonName}" is not in tests/lifecycle/storage.ts ADDONS`);
    return facts;
}

type Add = (rule: "nodes" | "storage", message: string) => void;

/**
 * The add-on and volume rules over one stack: `claims(release)` lists the StorageClass names of
 * the PersistentVolumeClaims the release creates.
 */
export function storageViolations(
    lc: Lifecycle,
    steps: RecordedResource[],
    nodes: RecordedResource[],
    releases: RecordedResource[],
    claims: (release: RecordedResource) => string[],
    add: Add,
): void {
    const key = resourceKey;
    const addons = steps.filter((r) => r.type === ADDON);
    for (const a of addons.filter((a) => addonFacts(a).runsPods))
        if (!nodes.some((n) => lc.before(key(n), key(a))))
            add(
                "nodes",
                `${a.name} (EKS add-on ${a.inputs.addonName}) runs pods but may be created before any node group exists: it is ACTIVE only once they run`,
            );

    const classes = steps.filter((r) => r.type === STORAGE_CLASS);
    const drivers = addons.filter((a) => addonFacts(a).provisioner !== undefined);
    for (const r of releases)
        for (const name of claims(r)) {
            const cls = classes.find((c) => c.inputs.metadata?.name === name);
            // A class the stack does not create is one the config says exists already.
            if (cls && !lc.before(key(cls), key(r)))
                add(
                    "storage",
                    `${r.name}'s PersistentVolumeClaim may be created before StorageClass ${name}: it stays Pending until the release times out`,
                );
            const provisioner = cls?.inputs.provisioner as string | undefined;
            if (cls && !drivers.some((d) => addonFacts(d).provisioner === provisioner))
                add(
                    "storage",
                    `StorageClass ${name} names provisioner ${provisioner}, which no add-on of the stack serves: ${r.name}'s claim stays Pending`,
                );
            for (const d of drivers)
                if (!lc.before(key(d), key(r)))
                    add(
                        "storage",
                        `${r.name}'s PersistentVolumeClaim may be created before ${d.name} (${addonFacts(d).provisioner}) runs, and outlive it on destroy: it stays Pending, and its volume is never deleted`,
                    );
        }
}
