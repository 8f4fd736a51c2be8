// The out-of-sight model's versions are the installed ones: bumping @pulumi/eks or @pulumi/awsx
// in package.json fails here until the model's rules have been re-read at the new version and
// MODELLED (tools/outOfSight/versions.ts) changed; the message says what to re-read.
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { ALB_CONTROLLER_POLICIES, DEFAULT_ALB_CONTROLLER_VERSION } from "../components/config";
import { MODELLED } from "../tools/outOfSight";
import { type InstalledPackage, versionTieProblems } from "../tools/outOfSight/versions";
import { ROOT } from "./harness";

describe("out of sight: the modelled versions are the installed ones", () => {
    const read = (p: string) => JSON.parse(fs.readFileSync(path.join(ROOT, p), "utf8"));
    const packages = (pinned: Record<string, string>) =>
        Object.fromEntries(
            [MODELLED.eks.package, MODELLED.awsx.package].map((p) => {
                const pkg = read(`node_modules/${p}/package.json`);
                return [p, { pinned: pinned[p], installed: pkg.version, aws: pkg.dependencies?.["@pulumi/aws"] }];
            }),
        );

    it("@pulumi/eks and @pulumi/awsx in package.json and node_modules are the versions the rules were read from", () => {
        assert.deepEqual(versionTieProblems(packages(read("package.json").dependencies)), []);
    });

    const eks = { pinned: "4.3.0", installed: "4.3.0", aws: "^7.25.0" };
    const awsx = { pinned: "3.9.0", installed: "3.9.0", aws: "^7.43.0" };
    const BUMPS: [string, Record<string, InstalledPackage>, string[]][] = [
        ["the model's versions", { "@pulumi/eks": eks, "@pulumi/awsx": awsx }, []],
        [
            "@pulumi/eks bumped",
            { "@pulumi/eks": { pinned: "4.4.0", installed: "4.4.0", aws: "^7.30.0" }, "@pulumi/awsx": awsx },
            [
                "package.json pins @pulumi/eks 4.4.0 (installed: 4.4.0), but tools/outOfSight models eks 4.3.0: re-read every rule in tools/outOfSight/rules.ts whose creator is eks against eks 4.4.0's nodejs/eks/cluster/cluster.ts, nodes/nodegroup.ts, addons/cni-addon.ts, servicerole.ts and the @pulumi/aws it bundles (nodejs/eks/package.json), then change MODELLED.eks in tools/outOfSight/versions.ts",
            ],
        ],
        [
            "@pulumi/awsx bumped in package.json, node_modules not yet installed",
            { "@pulumi/eks": eks, "@pulumi/awsx": { ...awsx, pinned: "3.10.0" } },
            [
                "package.json pins @pulumi/awsx 3.10.0 (installed: 3.9.0), but tools/outOfSight models awsx 3.9.0: re-read every rule in tools/outOfSight/rules.ts whose creator is awsx against awsx 3.10.0's awsx/ec2/vpc.ts, subnetDistributorNew.ts, subnetNaming.ts and the @pulumi/aws it pins (awsx/package.json), then change MODELLED.awsx in tools/outOfSight/versions.ts",
            ],
        ],
        [
            "the same version, another @pulumi/aws",
            { "@pulumi/eks": { ...eks, aws: "^7.26.0" }, "@pulumi/awsx": awsx },
            [
                "@pulumi/eks 4.3.0 depends on @pulumi/aws ^7.26.0, but tools/outOfSight says its children are registered with 7.25.0: change MODELLED.eks.aws in tools/outOfSight/versions.ts",
            ],
        ],
    ];
    for (const [title, given, expected] of BUMPS)
        it(`${title}: ${expected.length ? "fails, saying what to review" : "passes"}`, () => {
            assert.deepEqual(versionTieProblems(given), expected);
        });

    it("the load balancer controller rules are the version the program installs", () => {
        assert.deepEqual([...ALB_CONTROLLER_POLICIES], [MODELLED.albController.version]);
        assert.equal(DEFAULT_ALB_CONTROLLER_VERSION, MODELLED.albController.version);
    });
});
