// The mock engine turns stack traces off while it evaluates (Pulumi captures one per promise): what
// a developer reads when something unexpected is thrown there, and that nothing else is affected.
// And it reads each stack file once, until the file changes.
import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../components/config";
const { deferredExports } = require("../scripts/lazyPulumiClosure.cjs") as {
    deferredExports: <T extends Record<string, (...a: never[]) => unknown>>(load: () => T, names: (keyof T)[]) => T;
};
import { runUnderMocks, STACK_TRACES_OFF, stackFileConfig } from "../tools/mock/engine";

const boom = () => {
    throw new TypeError("boom");
};

describe("mock engine: stack traces", () => {
    const saved = process.env.EKS_ISTIO_STACK_TRACES;
    afterEach(() => {
        if (saved === undefined) delete process.env.EKS_ISTIO_STACK_TRACES;
        else process.env.EKS_ISTIO_STACK_TRACES = saved;
    });

    it("an unexpected error thrown during an evaluation says how to see where it came from", async () => {
        delete process.env.EKS_ISTIO_STACK_TRACES;
        const e = await runUnderMocks(boom, { stack: "test" }).then(
            () => assert.fail("the build threw"),
            (x: Error) => x,
        );
        assert.equal(e.message, "boom");
        assert.equal(e.stack, `TypeError: boom\n    ${STACK_TRACES_OFF}`);
    });

    it("EKS_ISTIO_STACK_TRACES=1 keeps the frames, and the hint is not added", async () => {
        process.env.EKS_ISTIO_STACK_TRACES = "1";
        const e = await runUnderMocks(boom, { stack: "test" }).then(
            () => assert.fail("the build threw"),
            (x: Error) => x,
        );
        assert.match(e.stack!, /^TypeError: boom\n\s+at boom \(.*mockEngine\.spec\.ts:\d+:\d+\)/);
        assert.ok(!e.stack!.includes(STACK_TRACES_OFF));
    });

    it("a config error is left as Pulumi prints it: its message, no hint", async () => {
        delete process.env.EKS_ISTIO_STACK_TRACES;
        const problem = { path: "eks-istio:ingress.port", message: "must be a port" };
        const e = await runUnderMocks(
            () => {
                throw new ConfigError("test", [problem]);
            },
            { stack: "test" },
        ).then(
            () => assert.fail("the build threw"),
            (x: Error) => x,
        );
        assert.ok(!e.stack!.includes(STACK_TRACES_OFF), e.stack);
    });

    it("the limit comes back after an evaluation, whether it succeeded or threw", async () => {
        delete process.env.EKS_ISTIO_STACK_TRACES;
        const before = Error.stackTraceLimit;
        let inside = -1;
        await runUnderMocks(
            () => {
                inside = Error.stackTraceLimit;
            },
            { stack: "test" },
        );
        assert.equal(inside, 0);
        assert.equal(Error.stackTraceLimit, before);
        await runUnderMocks(boom, { stack: "test" }).catch(() => undefined);
        assert.equal(Error.stackTraceLimit, before);
        assert.ok(before > 0);
    });
});

describe("mock engine: stack files", () => {
    it("a stack file is read as Pulumi reads it, each caller gets its own copy, and a change is seen", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eks-istio-stackfile-"));
        const file = path.join(dir, "Pulumi.qa.yaml");
        fs.writeFileSync(file, "config:\n  aws:region: eu-west-1\n  eks-istio:ingress:\n    port: 7000\n");
        const first = stackFileConfig(file);
        assert.deepEqual(first, { "aws:region": "eu-west-1", "eks-istio:ingress": '{"port":7000}' });
        first["aws:region"] = "changed by a caller";
        assert.equal(stackFileConfig(file)["aws:region"], "eu-west-1");
        fs.writeFileSync(file, "config:\n  aws:region: us-east-1\n");
        assert.deepEqual(stackFileConfig(file), { "aws:region": "us-east-1" });
        fs.rmSync(dir, { recursive: true });
    });
});

describe("mock engine: what the program logs", () => {
    it("pulumi.log lines are kept with the run, in order, and any other console output still prints", async () => {
        const printed: unknown[][] = [];
        const saved = console.log;
        const spy = (...args: unknown[]) => void printed.push(args);
        console.log = spy;
        try {
            const run = await runUnderMocks(
                () => {
                    pulumi.log.warn("eks-istio:x: first");
                    console.log("plain", 1);
                    pulumi.log.info("second\nline");
                    console.log("info: [runtime] not alone", 2);
                    pulumi.log.error("third");
                },
                { stack: "test" },
            );
            assert.deepEqual(run.logs, ["warning: eks-istio:x: first", "info: second\nline", "error: third"]);
            assert.deepEqual(printed, [
                ["plain", 1],
                ["info: [runtime] not alone", 2],
            ]);
            assert.equal(console.log, spy, "the console is given back");
        } finally {
            console.log = saved;
        }
    });
});

describe("scripts/register.cjs (how the tests and the render run TypeScript)", () => {
    // This process runs through register.cjs (.mocharc.json), so requiring a .ts file here goes
    // through the same hook and disk cache as `node -r ./scripts/register.cjs` does.
    it("keeps line numbers (no source maps needed) and transforms an edited file again", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "eks-istio-register-"));
        const file = path.join(dir, "probe.ts");
        const probe = (value: number) =>
            [
                "interface Shape {",
                "    value: number;",
                "}",
                `const shape: Shape = { value: ${value} };`,
                'const seen = [shape.value, new Error("here").stack!.split("\\n")[1].trim()];',
                "export { seen };",
            ].join("\n");
        const load = () => {
            delete require.cache[file];
            return (require(file) as { seen: [number, string] }).seen;
        };
        fs.writeFileSync(file, probe(1));
        assert.deepEqual(load(), [1, `at Object.<anonymous> (${file}:5:28)`]);
        fs.writeFileSync(file, probe(2));
        assert.deepEqual(
            load(),
            [2, `at Object.<anonymous> (${file}:5:28)`],
            "the cached transform of the old text is not used",
        );
        fs.rmSync(dir, { recursive: true });
    });
});

describe("scripts/lazyPulumiClosure.cjs (@pulumi/pulumi without its function serializer)", () => {
    it("loading the SDK loads neither the TypeScript compiler nor npm's arborist", () => {
        require("@pulumi/pulumi");
        const loaded = Object.keys(require.cache).filter((f) =>
            /node_modules[\\/](typescript|@npmcli[\\/]arborist)[\\/]/.test(f),
        );
        assert.deepEqual(loaded, []);
    });

    it("a deferred export is the real one at its first call, loaded once", () => {
        const loads: string[] = [];
        const real = {
            serialize: (a: number, b: number) => `serialized ${a} ${b}`,
            paths: () => new Map([["x", "y"]]),
        };
        const deferred = deferredExports(() => (loads.push("load"), real), ["serialize", "paths"]);
        assert.deepEqual(Object.keys(deferred), ["serialize", "paths"]);
        assert.deepEqual(loads, [], "nothing is loaded before a call");
        assert.equal(deferred.serialize(1, 2), "serialized 1 2");
        assert.deepEqual(deferred.paths(), new Map([["x", "y"]]));
        assert.equal(deferred.serialize(3, 4), "serialized 3 4");
        assert.deepEqual(loads, ["load"]);
    });
});
