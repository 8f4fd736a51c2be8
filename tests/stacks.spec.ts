import * as assert from "node:assert/strict";
import * as path from "node:path";
import { ROOT, runProgram, stackFileConfig } from "./harness";

describe("smoke", () => {
    it("runs dev", async () => {
        const run = await runProgram("dev", stackFileConfig(path.join(ROOT, "Pulumi.dev.yaml")));
        console.log(
            run.resources
                .map(
                    (r) =>
                        `${r.type} ${r.name} parent=${r.parent} provider=${r.provider} deps=${r.dependsOn} protect=${r.protect}`,
                )
                .join("\n"),
        );
        console.log(JSON.stringify(run.outputs).slice(0, 300));
        assert.ok(run.resources.length > 0);
    });
});
