// Hostile config changes nothing silently: a key that would reach an object prototype (`__proto__`)
// is an error naming its path, names that objects inherit (`constructor`, `prototype`) are ordinary
// data that reach the registered objects exactly, and no message prints a secret value or more than
// an excerpt of any value.
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import { ConfigError, rawConfigFromMap } from "../components/config";
import { loadStack as loadStackConfig, parseStackConfig } from "../components/stack";
import {
    excerpt,
    forbiddenKeyProblems,
    MAX_MESSAGE,
    safeAssign,
    secretScrubber,
    withoutForbiddenKeys,
} from "../components/config/untrusted";
import { runProgram, toConfigMap } from "./harness";
import { RICH_VALUES } from "./richConfig";

const REGION = "ap-northeast-1";

function messageOf(f: () => unknown): string {
    try {
        f();
    } catch (e) {
        if (e instanceof ConfigError) return e.message;
        throw e;
    }
    assert.fail("expected a ConfigError");
}

/** Values as JSON text: a JS object literal with "__proto__" would set the prototype, not a key. */
const fromJson = (json: string) => () => parseStackConfig({ stack: "dev", region: REGION, values: JSON.parse(json) });
const route = '"route":[{"destination":{"host":"a"}}]';
const forbidden = (path: string, key: string) =>
    `Invalid config for stack "dev" (1 problem):\n  - eks-istio:${path}: "${key}" is not allowed as a key anywhere in the config (it would change how the config itself is read); rename or remove it`;

describe("hostile config: keys that would reach an object prototype", () => {
    const cases: { name: string; run: () => unknown; expected: string }[] = [
        {
            name: "a top-level eks-istio:__proto__ key (it used to become the prototype of the values)",
            run: () =>
                parseStackConfig(
                    rawConfigFromMap("dev", {
                        "aws:region": REGION,
                        "eks-istio:ingress": '{"port":8000}',
                        "eks-istio:__proto__": '{"production":true,"ingress":{"port":80}}',
                    }),
                ),
            expected: forbidden("__proto__", "__proto__"),
        },
        {
            name: "a header match keyed __proto__ (zod used to drop it and open /admin to everyone)",
            run: fromJson(
                `{"ingress":{"port":8000},"apps":[{"name":"a","http":[{"match":[{"uri":{"prefix":"/admin"},"headers":{"__proto__":{"exact":"x"}}}],${route}}]}]}`,
            ),
            expected: forbidden("apps[0].http[0].match[0].headers.__proto__", "__proto__"),
        },
        {
            name: "a subset label keyed __proto__",
            run: fromJson(
                `{"ingress":{"port":8000},"apps":[{"name":"a","http":[{${route}}],"destinationRules":[{"host":"a","subsets":[{"name":"v1","labels":{"__proto__":"v1"}}]}]}]}`,
            ),
            expected: forbidden("apps[0].destinationRules[0].subsets[0].labels.__proto__", "__proto__"),
        },
        {
            name: "a selector keyed __proto__",
            run: fromJson(
                `{"ingress":{"port":8000},"apps":[{"name":"a","http":[{${route}}],"destinationRules":[{"host":"a","workloadSelector":{"matchLabels":{"__proto__":"x"}}}]}]}`,
            ),
            expected: forbidden("apps[0].destinationRules[0].workloadSelector.matchLabels.__proto__", "__proto__"),
        },
        {
            name: "__proto__ inside a section (cluster)",
            run: fromJson(`{"ingress":{"port":8000},"cluster":{"__proto__":{"minSize":9}}}`),
            expected: forbidden("cluster.__proto__", "__proto__"),
        },
    ];
    for (const c of cases) it(c.name, () => assert.equal(messageOf(c.run), c.expected));

    it("a __proto__ key in a stack file (YAML, as the render reads it) is reported too", () => {
        const doc = parseYaml(
            [
                "config:",
                "  aws:region: ap-northeast-1",
                "  eks-istio:ingress: {port: 8000}",
                "  eks-istio:apps:",
                "    - name: a",
                "      http:",
                "        - match: [{uri: {prefix: /admin}, headers: {__proto__: {exact: x}}}]",
                "          route: [{destination: {host: a}}]",
            ].join("\n"),
        ) as { config: Record<string, unknown> };
        assert.equal(
            messageOf(() => parseStackConfig(rawConfigFromMap("dev", toConfigMap(doc.config)))),
            forbidden("apps[0].http[0].match[0].headers.__proto__", "__proto__"),
        );
    });

    it("a __proto__ key is reported with every other problem of the config: the rest is still read", () =>
        assert.equal(
            messageOf(
                fromJson(
                    `{"ingress":{"port":8000},"cluster":{"minSize":"two"},"apps":[{"name":"a","http":[{"match":[{"headers":{"__proto__":{"exact":"x"}}}],"route":[{"destination":{"host":"a"}}],"timeout":"3000000h"}]}]}`,
                ),
            ),
            [
                'Invalid config for stack "dev" (3 problems):',
                `  - eks-istio:apps[0].http[0].match[0].headers.__proto__: "__proto__" is not allowed as a key anywhere in the config (it would change how the config itself is read); rename or remove it`,
                '  - eks-istio:cluster.minSize: must be a number, got "two"',
                "  - eks-istio:apps[0].http[0].timeout: must be a valid duration greater than 1ms (duration out of range); the API server would refuse VirtualService a/a (spec.http[0].timeout, by the Istio CRD's schema)",
            ].join("\n"),
        ));

    it("nothing of a __proto__ key reaches the parsed config's prototype", () => {
        const raw = rawConfigFromMap("dev", { "eks-istio:__proto__": '{"production":true}' });
        assert.equal(Object.getPrototypeOf(raw.values), Object.prototype);
        assert.deepEqual(Object.keys(raw.values), ["__proto__"]);
    });
});

describe("hostile config: names objects inherit are ordinary keys", () => {
    // A label `constructor: x` and a header match named `prototype` are valid Kubernetes and Istio;
    // they reach the registered objects exactly, through the parse, the defaults, the manifests,
    // the validators and Pulumi's serialisation (the mock engine's registered inputs).
    const app = {
        name: "shop",
        http: [
            {
                match: [{ headers: { prototype: { exact: "x" }, constructor: { prefix: "/" } } }],
                route: [
                    { destination: { host: "web", subset: "v1" }, headers: { request: { set: { prototype: "p" } } } },
                ],
            },
            { route: [{ destination: { host: "web", subset: "v1" } }] },
        ],
        destinationRules: [
            {
                host: "web",
                subsets: [{ name: "v1", labels: { constructor: "x", prototype: "y", toString: "z" } }],
                workloadSelector: { matchLabels: { constructor: "web" } },
            },
        ],
    };
    let run: Awaited<ReturnType<typeof runProgram>>;
    before(async () => {
        run = await runProgram(
            "dev",
            toConfigMap({ "aws:region": REGION, "eks-istio:ingress": { port: 8000 }, "eks-istio:apps": [app] }),
        );
    });

    it("a subset label and a selector keyed constructor (and prototype, toString) reach the DestinationRule", () => {
        const spec = run.one("kubernetes:networking.istio.io/v1:DestinationRule").inputs.spec;
        assert.deepEqual(spec.subsets, [{ name: "v1", labels: { constructor: "x", prototype: "y", toString: "z" } }]);
        assert.deepEqual(spec.workloadSelector, { matchLabels: { constructor: "web" } });
        assert.equal(Object.getPrototypeOf(spec.subsets[0].labels), Object.prototype);
    });

    it("a header match named prototype (and one named constructor) reach the VirtualService", () => {
        const route = run.one("kubernetes:networking.istio.io/v1:VirtualService").inputs.spec.http[0];
        assert.deepEqual(route.match, [{ headers: { prototype: { exact: "x" }, constructor: { prefix: "/" } } }]);
        assert.deepEqual(route.route[0].headers, { request: { set: { prototype: "p" } } });
    });

    it("a misspelt field named constructor is still an unknown key of its object, not an inherited one", () =>
        assert.equal(
            messageOf(fromJson(`{"ingress":{"port":8000,"constructor":1}}`)),
            'Invalid config for stack "dev" (1 problem):\n  - eks-istio:ingress: unknown key "constructor"',
        ));
});

describe("hostile config: messages never print secrets or long values", () => {
    const secret = "hunter2-0123456789-abcdefghijklmnopqrstuvwxyz";

    describe("a value of 2 MB in every string key: each problem stays small", () => {
        type Path = (string | number)[];
        const leaves: Path[] = [];
        const walk = (v: unknown, p: Path) => {
            if (typeof v === "string") leaves.push(p);
            else if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
            else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
        };
        walk(RICH_VALUES, []);
        // Each run sets at most one value per field of each entry (route, rule, section), so that a
        // value the schema refuses does not keep another from the rules that would quote it; the
        // environment and an app's own keys (which every object of the app is built from) get a
        // run of their own.
        const fieldOf = (p: Path) =>
            p[0] === "environment" || (p[0] === "apps" && ["name", "namespace", "hosts"].includes(String(p[2])))
                ? `alone ${p.join(".")}`
                : p.slice(0, p[0] === "apps" ? 5 : 2).join(".");
        const byField = new Map<string, Path[]>();
        for (const p of leaves) byField.set(fieldOf(p), [...(byField.get(fieldOf(p)) ?? []), p]);
        const runs: Path[][] = [];
        for (const [field, paths] of byField)
            if (!field.startsWith("alone")) paths.forEach((p, i) => (runs[i] ??= []).push(p));
        for (const [field, paths] of byField) if (field.startsWith("alone")) runs.push(paths);

        const checkRun = (huge: string, paths: Path[], extra?: (v: any) => void) => {
            const values = structuredClone(RICH_VALUES) as any;
            for (const p of paths) {
                let o = values;
                for (const k of p.slice(0, -1)) o = o[k];
                o[p[p.length - 1]] = huge;
            }
            extra?.(values);
            let error: ConfigError | undefined;
            try {
                parseStackConfig({ stack: "dev", region: REGION, values });
            } catch (e) {
                if (!(e instanceof ConfigError)) throw e;
                error = e;
            }
            if (!error) return; // every value accepted (a long SNI, say): nothing is printed
            // An excerpt shows 40 characters of a value; an object name made from one (a host's
            // DestinationRule) is at most 253, Kubernetes' own limit.
            const echoed = new RegExp(`${huge[0]}{254}`);
            for (const p of error.problems) {
                const line = `${p.path}: ${p.message}`;
                assert.ok(line.length <= MAX_MESSAGE + 200, `${line.length} characters: ${line.slice(0, 300)}`);
                assert.ok(!echoed.test(line), `a value echoed: ${line.slice(0, 300)}`);
            }
            assert.ok(error.message.length <= 2_500 * error.problems.length, `${error.message.length} characters`);
        };

        it("the config they go into is valid", () =>
            assert.doesNotThrow(() => parseStackConfig({ stack: "dev", region: REGION, values: RICH_VALUES })));
        it(`${leaves.length} string keys, in ${runs.length} runs`, () => {
            const huge = "a".repeat(2_000_000); // what most patterns let through, up to the cluster's rules
            for (const paths of runs) checkRun(huge, paths);
        });
        it("in upper case (what most patterns refuse) and as a key of a map", () => {
            checkRun(
                "A".repeat(2_000_000),
                leaves.filter((p) => fieldOf(p).startsWith("alone") === false).slice(0, 40),
            );
            checkRun("b".repeat(2_000_000), [], (v) => {
                v.apps[0].destinationRules[0].subsets[0].labels = { ["b".repeat(2_000_000)]: "v1" };
                v.apps[0].http[0].match[0].headers = { ["b".repeat(2_000_000)]: { exact: "1" } };
            });
        });
    });

    it("a secret given where an object is expected: the message says so without the value", () => {
        const run = () =>
            parseStackConfig(
                rawConfigFromMap("dev", { "aws:region": REGION, "eks-istio:ingress": secret }, (k) =>
                    k.endsWith(":ingress"),
                ),
            );
        assert.equal(
            messageOf(run),
            'Invalid config for stack "dev" (1 problem):\n  - eks-istio:ingress: must be an object, got a secret value',
        );
    });

    it("a secret section whose field is checked by a rule that quotes it: the value is blanked", () => {
        const run = () =>
            parseStackConfig({
                stack: "dev",
                region: REGION,
                values: {
                    ingress: { port: 8000, hosts: ["shop.example.com"] },
                    apps: [{ name: "shop", hosts: [secret], http: [{ route: [{ destination: { host: "a" } }] }] }],
                },
                secretKeys: ["apps"],
            });
        const msg = messageOf(run);
        assert.ok(!msg.includes("hunter2"), msg);
        assert.match(msg, /\[secret\]/);
    });

    it("a value that is not secret is shown as a 40-character excerpt", () => {
        const run = () =>
            parseStackConfig(rawConfigFromMap("dev", { "aws:region": REGION, "eks-istio:ingress": secret }));
        assert.equal(
            messageOf(run),
            'Invalid config for stack "dev" (1 problem):\n  - eks-istio:ingress: must be an object, got "hunter2-0123456789-abcdefghijklmnopqrs…',
        );
    });

    it("loadStackConfig reads Pulumi's secret keys (pulumi config set --secret)", () => {
        pulumi.runtime.setAllConfig({ "aws:region": REGION, "eks-istio:ingress": secret }, ["eks-istio:ingress"]);
        try {
            const msg = messageOf(() => loadStackConfig());
            assert.ok(!msg.includes("hunter2"), msg);
            assert.match(msg, /eks-istio:ingress: must be an object, got a secret value/);
        } finally {
            pulumi.runtime.setAllConfig({});
        }
    });

    it("ConfigError keeps Error's stack: err.stack starts with the message, the stack name is stackName", () => {
        let err: unknown;
        try {
            parseStackConfig({ stack: "dev", region: REGION, values: {} });
        } catch (e) {
            err = e;
        }
        assert.ok(err instanceof ConfigError);
        assert.equal(err.stackName, "dev");
        assert.match(
            String(err.stack),
            /^ConfigError: Invalid config for stack "dev" \(1 problem\):\n {2}- eks-istio:ingress: is required/,
        );
    });
});

describe("hostile config: the pure rules underneath", () => {
    const msg = (key: string) =>
        `"${key}" is not allowed as a key anywhere in the config (it would change how the config itself is read); rename or remove it`;

    it("forbidden keys are found in lists and maps at any depth, each with its path, and their values are not walked", () => {
        const value = JSON.parse(
            '{"apps":[{"name":"a"},{"http":[{"headers":{"__proto__":{"__proto__":1}}}]}],"x":{"__proto__":2}}',
        );
        assert.deepEqual(forbiddenKeyProblems(value, "eks-istio"), [
            { at: "eks-istio.apps[1].http[0].headers.__proto__", message: msg("__proto__") },
            { at: "eks-istio.x.__proto__", message: msg("__proto__") },
        ]);
        const inherited = JSON.parse('{"constructor":{"prototype":1},"toString":{"valueOf":2,"hasOwnProperty":3}}');
        assert.deepEqual(forbiddenKeyProblems(inherited), [], "names objects inherit are ordinary keys");
        assert.deepEqual(forbiddenKeyProblems(JSON.parse('[{"__proto__":1}]')), [
            { at: "[0].__proto__", message: msg("__proto__") },
        ]);
    });

    it("a copy without forbidden keys keeps every other key, inherited names included, as own data", () => {
        const copy = withoutForbiddenKeys(
            JSON.parse('{"a":[{"__proto__":{"x":1},"constructor":"c"}],"prototype":{"toString":"t"}}'),
        ) as { a: Record<string, unknown>[]; prototype: Record<string, unknown> };
        assert.deepEqual(Object.keys(copy.a[0]), ["constructor"]);
        assert.equal(Object.getPrototypeOf(copy.a[0]), Object.prototype);
        assert.equal(copy.a[0].constructor, "c");
        assert.equal(copy.prototype.toString, "t");
    });

    it("the walk stops 64 levels down (config is data, not a graph): a key deeper than that is not reached", () => {
        const nested = (levels: number) => {
            let v: unknown = JSON.parse('{"__proto__":1}');
            for (let i = 0; i < levels; i++) v = { a: v };
            return v;
        };
        assert.equal(forbiddenKeyProblems(nested(64)).length, 1, "the object at depth 64 is still read");
        assert.deepEqual(forbiddenKeyProblems(nested(65)), []);
        const cycle: Record<string, unknown> = {};
        cycle.self = cycle;
        assert.deepEqual(forbiddenKeyProblems(cycle), [], "a cycle ends instead of overflowing the stack");
        let list: unknown = JSON.parse('{"__proto__":1}');
        for (let i = 0; i < 65; i++) list = [list];
        assert.deepEqual(forbiddenKeyProblems(list), [], "lists count as levels too");
        assert.deepEqual(forbiddenKeyProblems({ a: null, b: [null, 1, "constructor"] }), [], "null and scalars");
        assert.equal(secretScrubber([cycle, "hunter2"])("hunter2"), "[secret]", "the scrubber ends a cycle too");
    });

    it("safeAssign makes even __proto__ an ordinary, enumerable, writable key", () => {
        const target: Record<string, unknown> = {};
        safeAssign(target, "__proto__", { polluted: true });
        assert.equal(Object.getPrototypeOf(target), Object.prototype);
        assert.deepEqual(Object.keys(target), ["__proto__"]);
        target["__proto__"] = "changed";
        assert.equal(Object.getOwnPropertyDescriptor(target, "__proto__")!.value, "changed");
        delete target["__proto__"];
        assert.deepEqual(Object.keys(target), [], "configurable: it can be removed again");
    });

    it("an excerpt is the whole JSON up to 40 characters, else 39 and an ellipsis", () => {
        assert.equal(excerpt("x".repeat(38)), `"${"x".repeat(38)}"`);
        assert.equal(excerpt("x".repeat(39)), `"${"x".repeat(38)}…`);
        assert.equal(excerpt(undefined), "undefined");
        const cycle: Record<string, unknown> = {};
        cycle.self = cycle;
        assert.equal(excerpt(cycle), "[object Object]");
    });

    it("the scrubber blanks each secret string, its JSON-escaped form and the part an excerpt shows, longest first", () => {
        const long = `s3cr3t-"quoted"-${"k".repeat(40)}`;
        const scrub = secretScrubber([{ db: { password: "hunter2" }, tokens: ["abcdef", "ab"] }, long, 42, null]);
        assert.equal(scrub("password hunter2 and abcdef"), "password [secret] and [secret]");
        assert.equal(
            scrub("ab stays: too short to blank without garbling every message"),
            "ab stays: too short to blank without garbling every message",
        );
        assert.equal(scrub(`raw ${long}`), "raw [secret]");
        assert.equal(scrub(`json ${JSON.stringify(long)}`), 'json "[secret]"');
        assert.equal(scrub(`cut ${excerpt(long)}`), 'cut "[secret]…');
        assert.equal(secretScrubber(["hunter2", "hunter2hunter2"])("x hunter2hunter2 y"), "x [secret] y");
        assert.equal(secretScrubber(["abc"])("abc is three characters"), "[secret] is three characters");
        // 39 characters: the shortest whose excerpt is cut (its JSON has 41).
        const cut = "p".repeat(39);
        assert.equal(secretScrubber([cut])(`shown as ${excerpt(cut)}`), 'shown as "[secret]…');
        assert.equal(secretScrubber([1, true, null, "ab"])("1 true ab"), "1 true ab");
    });
});
