// The structural-schema checker keyword by keyword: small hand-written schema nodes (as they appear
// in a CRD's openAPIV3Schema) and values, and exactly what the API server would refuse, at which
// field. The real Istio CRDs are exercised in crdValidation.spec.ts; here every keyword's boundary.
import * as assert from "node:assert/strict";
import { crdIssues, schemaIssues } from "../components/validation/crd";
import { compileRe2 } from "../components/validation/re2";
import type { Schema } from "../components/validation/vendorData";

/** "spec.a[0]: message" lines, the field path written out by hand (not by the code under test). */
const lines = (schema: Schema, value: unknown): string[] =>
    schemaIssues(value, schema, ["spec"]).map(
        (i) => `${i.path.map((p, n) => (typeof p === "number" ? `[${p}]` : n ? `.${p}` : p)).join("")}: ${i.message}`,
    );

type Case = [name: string, schema: Schema, value: unknown, expected: string[]];

const table = (title: string, cases: Case[]) =>
    describe(title, () => {
        for (const [name, schema, value, expected] of cases)
            it(name, () => assert.deepEqual(lines(schema, value), expected));
    });

const str: Schema = { type: "string" };
const long = "a".repeat(50);

table("schema: null and type", [
    ["null where the schema is not nullable", str, null, ["spec: must not be null"]],
    ["null where the schema is nullable", { type: "string", nullable: true }, null, []],
    [
        "an undefined list entry (sent as null)",
        { type: "array", items: str },
        ["a", undefined],
        ["spec[1]: must not be null"],
    ],
    ["a string where an integer goes", { type: "integer" }, "5", ['spec: must be of type integer, got string "5"']],
    ["an integer where a string goes", str, 5, ["spec: must be of type string, got integer 5"]],
    ["a fraction where an integer goes", { type: "integer" }, 1.5, ["spec: must be of type integer, got number 1.5"]],
    ["an integer where a number goes", { type: "number" }, 5, []],
    ["a fraction where a number goes", { type: "number" }, 0.25, []],
    ["a string where a number goes", { type: "number" }, "5", ['spec: must be of type number, got string "5"']],
    ["a list where an object goes", { type: "object" }, [1], ["spec: must be of type object, got array [1]"]],
    ["an object where a list goes", { type: "array" }, { a: 1 }, ['spec: must be of type array, got object {"a":1}']],
    ["a boolean where a string goes", str, true, ["spec: must be of type string, got boolean true"]],
    [
        "a value of 40 characters is shown whole",
        { type: "integer" },
        "a".repeat(38),
        [`spec: must be of type integer, got string "${"a".repeat(38)}"`],
    ],
    [
        "a longer value is cut at 39 characters",
        { type: "integer" },
        long,
        [`spec: must be of type integer, got string "${"a".repeat(38)}…`],
    ],
    ["no type: anything goes", {}, { a: [1, "b"] }, []],
]);

table("schema: x-kubernetes-int-or-string", [
    ["an integer", { "x-kubernetes-int-or-string": true }, 8080, []],
    ["a string", { "x-kubernetes-int-or-string": true }, "25%", []],
    ["a boolean", { "x-kubernetes-int-or-string": true }, true, ["spec: must be an integer or a string, got boolean"]],
    ["a fraction", { "x-kubernetes-int-or-string": true }, 0.5, ["spec: must be an integer or a string, got number"]],
    // The type check returns first: no second message from the string's own keywords.
    [
        "a list",
        { "x-kubernetes-int-or-string": true, maxLength: 1 },
        [1, 2],
        ["spec: must be an integer or a string, got array"],
    ],
]);

table("schema: enum", [
    ["a listed value", { type: "string", enum: ["HTTP", "HTTPS"] }, "HTTPS", []],
    [
        "an unlisted value",
        { type: "string", enum: ["HTTP", "HTTPS"] },
        "http",
        ['spec: unsupported value "http": must be one of "HTTP", "HTTPS"'],
    ],
    ["an unlisted integer", { type: "integer", enum: [1, 2] }, 3, ["spec: unsupported value 3: must be one of 1, 2"]],
]);

table("schema: strings (minLength, maxLength, pattern, format)", [
    ["shorter than minLength", { type: "string", minLength: 2 }, "a", ["spec: must be at least 2 characters long"]],
    ["exactly minLength", { type: "string", minLength: 2 }, "ab", []],
    ["no minLength: empty is fine", str, "", []],
    [
        "longer than maxLength",
        { type: "string", maxLength: 3 },
        "abcd",
        ["spec: may not be more than 3 characters long, got 4"],
    ],
    ["exactly maxLength", { type: "string", maxLength: 3 }, "abc", []],
    // Go counts runes: "üü" is 2 characters (4 bytes).
    ["maxLength counts characters, not bytes", { type: "string", maxLength: 2 }, "üü", []],
    [
        "not matching the pattern",
        { type: "string", pattern: "^[a-z]+$" },
        "ABC",
        ['spec: "ABC" must match the pattern ^[a-z]+$'],
    ],
    ["matching the pattern", { type: "string", pattern: "^[a-z]+$" }, "abc", []],
    // Go's regexp finds the pattern anywhere unless anchored, as the API server does.
    ["an unanchored pattern matches anywhere", { type: "string", pattern: "[0-9]" }, "a1b", []],
    [
        "every keyword reports",
        { type: "string", minLength: 5, pattern: "^b" },
        "abc",
        ["spec: must be at least 5 characters long", 'spec: "abc" must match the pattern ^b'],
    ],
    ["format byte: base64 with padding", { type: "string", format: "byte" }, "aGVsbG8=", []],
    ["format byte: base64 with two padding characters", { type: "string", format: "byte" }, "aGVsbA==", []],
    ["format byte: base64 without padding", { type: "string", format: "byte" }, "aGVsbG8h", []],
    ["format byte: empty", { type: "string", format: "byte" }, "", []],
    [
        "format byte: not base64",
        { type: "string", format: "byte" },
        "hello!",
        ['spec: "hello!" is not base64 (format byte)'],
    ],
    [
        "format byte: a length that is no multiple of 4",
        { type: "string", format: "byte" },
        "abc",
        ['spec: "abc" is not base64 (format byte)'],
    ],
    [
        "format byte: padding alone",
        { type: "string", format: "byte" },
        "a===",
        ['spec: "a===" is not base64 (format byte)'],
    ],
    ["format date-time: UTC", { type: "string", format: "date-time" }, "2026-11-23T15:00:00Z", []],
    [
        "format date-time: lower case, fraction and offset",
        { type: "string", format: "date-time" },
        "2026-11-23t15:00:00.123+09:00",
        [],
    ],
    [
        "format date-time: no time zone",
        { type: "string", format: "date-time" },
        "2026-11-23T15:00:00",
        ['spec: "2026-11-23T15:00:00" is not an RFC 3339 date-time'],
    ],
    [
        "format date-time: a space for T",
        { type: "string", format: "date-time" },
        "2026-11-23 15:00:00Z",
        ['spec: "2026-11-23 15:00:00Z" is not an RFC 3339 date-time'],
    ],
    [
        "format date-time: an offset without colon",
        { type: "string", format: "date-time" },
        "2026-11-23T15:00:00+0900",
        ['spec: "2026-11-23T15:00:00+0900" is not an RFC 3339 date-time'],
    ],
    [
        "format date-time: month 13",
        { type: "string", format: "date-time" },
        "2026-13-01T00:00:00Z",
        ['spec: "2026-13-01T00:00:00Z" is not an RFC 3339 date-time'],
    ],
    // Formats the API server does not check for strings (int32 is for integers).
    ["format int32 on a string", { type: "string", format: "int32" }, "x", []],
]);

table("schema: numbers (minimum, maximum, int32)", [
    ["below minimum", { type: "integer", minimum: 1 }, 0, ["spec: must be greater than or equal to 1, got 0"]],
    ["at minimum", { type: "integer", minimum: 1 }, 1, []],
    ["above maximum", { type: "integer", maximum: 10 }, 11, ["spec: must be less than or equal to 10, got 11"]],
    ["at maximum", { type: "integer", maximum: 10 }, 10, []],
    [
        "a fraction below a number's minimum",
        { type: "number", minimum: 0 },
        -0.5,
        ["spec: must be greater than or equal to 0, got -0.5"],
    ],
    ["no bounds", { type: "integer" }, -7, []],
    ["int32: the largest", { type: "integer", format: "int32" }, 2147483647, []],
    [
        "int32: one more",
        { type: "integer", format: "int32" },
        2147483648,
        ["spec: 2147483648 does not fit in an int32"],
    ],
    ["int32: the smallest", { type: "integer", format: "int32" }, -2147483648, []],
    [
        "int32: one less",
        { type: "integer", format: "int32" },
        -2147483649,
        ["spec: -2147483649 does not fit in an int32"],
    ],
    ["int64 holds more", { type: "integer", format: "int64" }, 2147483648, []],
]);

table("schema: lists (minItems, maxItems, items, list types)", [
    ["fewer than minItems", { type: "array", minItems: 1 }, [], ["spec: must have at least 1 items"]],
    ["exactly minItems", { type: "array", minItems: 1 }, ["a"], []],
    ["more than maxItems", { type: "array", maxItems: 2 }, [1, 2, 3], ["spec: must have at most 2 items, got 3"]],
    ["exactly maxItems", { type: "array", maxItems: 2 }, [1, 2], []],
    [
        "each item against items",
        { type: "array", items: str },
        ["a", 2],
        ["spec[1]: must be of type string, got integer 2"],
    ],
    ["no items schema: any items", { type: "array" }, [1, "a", { b: true }], []],
    [
        "set: a duplicate, reported at the second",
        { type: "array", "x-kubernetes-list-type": "set" },
        ["a", "b", "a"],
        ['spec[2]: duplicate entry "a" (also at [0])'],
    ],
    ["set: distinct entries", { type: "array", "x-kubernetes-list-type": "set" }, ["a", "b"], []],
    ["set: distinct objects", { type: "array", "x-kubernetes-list-type": "set" }, [{ a: 1 }, { a: 2 }], []],
    [
        "set: equal objects",
        { type: "array", "x-kubernetes-list-type": "set" },
        [{ a: 1 }, { a: 1 }],
        ['spec[1]: duplicate entry {"a":1} (also at [0])'],
    ],
    ["atomic: duplicates are fine", { type: "array", "x-kubernetes-list-type": "atomic" }, ["a", "a"], []],
    ["no list type: duplicates are fine", { type: "array" }, ["a", "a"], []],
    [
        "map: two entries with one key",
        { type: "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["name"] },
        [{ name: "a" }, { name: "b" }, { name: "a", port: 1 }],
        ['spec[2]: duplicate entry with name="a" (also at [0])'],
    ],
    [
        "map: entries that differ in one of two keys",
        { type: "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["port", "protocol"] },
        [
            { port: 53, protocol: "UDP" },
            { port: 53, protocol: "TCP" },
        ],
        [],
    ],
    [
        "map: entries equal in both keys",
        { type: "array", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["port", "protocol"] },
        [
            { port: 53, protocol: "UDP", name: "a" },
            { port: 53, protocol: "UDP", name: "b" },
        ],
        ['spec[1]: duplicate entry with port=53, protocol="UDP" (also at [0])'],
    ],
    [
        "map: entries that are not objects are refused by their items schema only",
        {
            type: "array",
            items: { type: "object" },
            "x-kubernetes-list-type": "map",
            "x-kubernetes-list-map-keys": ["name"],
        },
        [null, null, "a", "a"],
        [
            "spec[0]: must not be null",
            "spec[1]: must not be null",
            'spec[2]: must be of type object, got string "a"',
            'spec[3]: must be of type object, got string "a"',
        ],
    ],
]);

table("schema: objects (required, min/maxProperties, properties, unknown fields)", [
    [
        "a missing required field, at its own path",
        { type: "object", required: ["host"] },
        {},
        ["spec.host: is required"],
    ],
    [
        "a required field set to undefined is missing",
        { type: "object", required: ["host"], properties: { host: str } },
        { host: undefined },
        ["spec.host: is required"],
    ],
    ["a required field present", { type: "object", required: ["host"] }, { host: "a" }, []],
    ["fewer than minProperties", { type: "object", minProperties: 1 }, {}, ["spec: must have at least 1 properties"]],
    ["exactly minProperties", { type: "object", minProperties: 1 }, { a: 1 }, []],
    [
        "undefined properties do not count",
        { type: "object", minProperties: 1 },
        { a: undefined },
        ["spec: must have at least 1 properties"],
    ],
    [
        "more than maxProperties",
        { type: "object", maxProperties: 1 },
        { a: 1, b: 2 },
        ["spec: must have at most 1 properties"],
    ],
    ["exactly maxProperties", { type: "object", maxProperties: 1 }, { a: 1 }, []],
    [
        "a property against its schema",
        { type: "object", properties: { a: str } },
        { a: 1 },
        ["spec.a: must be of type string, got integer 1"],
    ],
    [
        "an unknown field",
        { type: "object", properties: { a: str } },
        { a: "x", b: 1 },
        ["spec.b: is not a field of this object (the API server would drop it)"],
    ],
    ["an unknown field set to undefined is not sent", { type: "object", properties: { a: str } }, { b: undefined }, []],
    // An inherited name is no field: "constructor" is unknown like any other.
    [
        "a field named like an Object method",
        { type: "object", properties: { a: str } },
        { constructor: 1 },
        ["spec.constructor: is not a field of this object (the API server would drop it)"],
    ],
    [
        "x-kubernetes-preserve-unknown-fields keeps unknown fields",
        { type: "object", properties: { a: str }, "x-kubernetes-preserve-unknown-fields": true },
        { b: 1 },
        [],
    ],
    [
        "additionalProperties: true keeps unknown fields",
        { type: "object", properties: { a: str }, additionalProperties: true },
        { b: 1 },
        [],
    ],
    [
        "additionalProperties: a schema for every other field (a map)",
        { type: "object", additionalProperties: str },
        { a: "x", b: 2 },
        ["spec.b: must be of type string, got integer 2"],
    ],
    ["no properties at all: a free-form object", { type: "object" }, { b: 1 }, []],
    [
        "nested paths",
        {
            type: "object",
            properties: { a: { type: "array", items: { type: "object", properties: { b: { type: "integer" } } } } },
        },
        { a: [{ b: 1 }, { b: "2" }] },
        ['spec.a[1].b: must be of type integer, got string "2"'],
    ],
]);

table("schema: allOf, anyOf, oneOf, not", [
    [
        "allOf: every schema applies",
        { type: "string", allOf: [{ minLength: 2 }, { maxLength: 3 }] },
        "a",
        ["spec: must be at least 2 characters long"],
    ],
    ["allOf: all hold", { type: "string", allOf: [{ minLength: 2 }, { maxLength: 3 }] }, "ab", []],
    [
        "anyOf: none holds",
        { type: "object", anyOf: [{ required: ["a"] }, { required: ["b"] }] },
        {},
        ["spec: must validate at least one schema (anyOf)"],
    ],
    ["anyOf: one holds", { type: "object", anyOf: [{ required: ["a"] }, { required: ["b"] }] }, { b: 1 }, []],
    ["anyOf: both hold", { type: "object", anyOf: [{ required: ["a"] }, { required: ["b"] }] }, { a: 1, b: 1 }, []],
    [
        "oneOf: none holds",
        { type: "object", oneOf: [{ required: ["a"] }, { required: ["b"] }] },
        {},
        ["spec: must validate one and only one schema (oneOf); it matches none"],
    ],
    ["oneOf: exactly one holds", { type: "object", oneOf: [{ required: ["a"] }, { required: ["b"] }] }, { a: 1 }, []],
    [
        "oneOf: two hold",
        { type: "object", oneOf: [{ required: ["a"] }, { required: ["b"] }] },
        { a: 1, b: 1 },
        ["spec: must validate one and only one schema (oneOf); found 2 valid alternatives"],
    ],
    [
        "not: the schema holds",
        { type: "object", not: { required: ["a"] } },
        { a: 1 },
        ["spec: must not validate the schema (not)"],
    ],
    ["not: the schema does not hold", { type: "object", not: { required: ["a"] } }, { b: 1 }, []],
]);

const rule = (r: string, message?: string) => ({
    "x-kubernetes-validations": [message ? { rule: r, message } : { rule: r }],
});

table("schema: x-kubernetes-validations (CEL) on the values the API server builds", [
    ["a rule that holds", { type: "string", ...rule("self.startsWith('a')", "must start with a") }, "abc", []],
    [
        "a rule that fails, with its message",
        { type: "string", ...rule("self.startsWith('a')", "must start with a") },
        "bc",
        ["spec: must start with a"],
    ],
    [
        "a rule that fails, without a message",
        { type: "string", ...rule("self.startsWith('a')") },
        "bc",
        ["spec: failed rule: self.startsWith('a')"],
    ],
    // The API server runs a node's rules only when its value passed the schema.
    [
        "no rule on a value the schema refused",
        { type: "string", maxLength: 2, ...rule("self.startsWith('a')", "must start with a") },
        "bcd",
        ["spec: may not be more than 2 characters long, got 3"],
    ],
    [
        "a refused child keeps the parent's rules from running",
        { type: "object", properties: { a: str }, ...rule("has(self.b)", "needs b") },
        { a: 1 },
        ["spec.a: must be of type string, got integer 1"],
    ],
    // Integers are CEL ints: int arithmetic works.
    ["an integer field is a CEL int", { type: "integer", ...rule("self + 1 == 6") }, 5, []],
    [
        "an integer field that fails its rule",
        { type: "integer", ...rule("self + 1 == 6") },
        4,
        ["spec: failed rule: self + 1 == 6"],
    ],
    // A number field is a CEL double even when the JSON is integral: double arithmetic works.
    ["a number field is a CEL double", { type: "number", ...rule("self + 0.5 == 2.5") }, 2, []],
    ["a fraction is a CEL double", { type: "number", ...rule("self + 0.5 == 2.0") }, 1.5, []],
    ["an int-or-string integer is a CEL int", { "x-kubernetes-int-or-string": true, ...rule("self + 1 == 6") }, 5, []],
    [
        "properties: each by its own schema",
        {
            type: "object",
            properties: { n: { type: "number" }, i: { type: "integer" } },
            ...rule("self.n + 0.5 == 2.5 && self.i + 1 == 3"),
        },
        { n: 2, i: 2 },
        [],
    ],
    [
        "additionalProperties: each value by that schema",
        { type: "object", additionalProperties: { type: "number" }, ...rule("self.all(k, self[k] + 0.5 > 0.0)") },
        { a: 2, b: 3 },
        [],
    ],
    [
        "a field with no schema (preserved): integral numbers are ints, others doubles",
        {
            type: "object",
            "x-kubernetes-preserve-unknown-fields": true,
            ...rule("self.n + 1 == 6 && self.f + 0.5 == 2.0 && self.o.n + 1 == 2"),
        },
        { n: 5, f: 1.5, o: { n: 1 } },
        [],
    ],
    [
        "lists of a preserved field",
        {
            type: "object",
            "x-kubernetes-preserve-unknown-fields": true,
            ...rule("size(self.l) == 2 && self.l[0] + 1 == 2"),
        },
        { l: [1, "x"] },
        [],
    ],
    [
        "lists of numbers by their items schema",
        { type: "array", items: { type: "number" }, ...rule("self.all(x, x + 0.5 > 0.0)") },
        [1, 2],
        [],
    ],
    [
        "a null field (nullable) is CEL null",
        { type: "object", properties: { a: { type: "string", nullable: true } }, ...rule("self.a == null") },
        { a: null },
        [],
    ],
    [
        "a field set to undefined is not sent: the object is empty",
        { type: "object", properties: { a: str }, ...rule("size(self) == 0", "a is set") },
        { a: undefined },
        [],
    ],
    [
        "an undefined list entry is sent as null",
        { type: "array", items: { type: "string", nullable: true }, ...rule("self[0] == null && size(self) == 1") },
        [undefined],
        [],
    ],
]);

describe("crdIssues: the CRD of the object's apiVersion and kind", () => {
    it("a kind with no CRD in the file is refused as such", () =>
        assert.deepEqual(crdIssues({ apiVersion: "networking.istio.io/v1", kind: "Sidecars", spec: {} }), [
            { path: [], message: "no CRD for networking.istio.io/v1 Sidecars in istio-1.30.3.crd-all.gen.yaml" },
        ]));
    it("an apiVersion that is not served is refused as such, naming the file", () =>
        assert.deepEqual(
            crdIssues({ apiVersion: "networking.istio.io/v9", kind: "Gateway" }, "istio-1.31.crd-all.gen.yaml"),
            [{ path: [], message: "no CRD for networking.istio.io/v9 Gateway in istio-1.31.crd-all.gen.yaml" }],
        ));
    it("an object without spec (Istio's CRDs do not require one) is accepted", () =>
        assert.deepEqual(crdIssues({ apiVersion: "networking.istio.io/v1", kind: "Gateway" }), []));
});

describe("patterns are Go regexps (RE2), compiled once", () => {
    const table: [pattern: string, input: string, matches: boolean][] = [
        ["^[a-z]+$", "abc", true],
        ["^[a-z]+$", "abc1", false],
        ["b", "abc", true], // found anywhere, as Go's MatchString
        ["\\pL+", "üß", true], // Unicode classes, as Go
        ["^(?i)ABC$", "abc", true],
    ];
    for (const [pattern, input, matches] of table)
        it(`${pattern} ${matches ? "matches" : "does not match"} ${JSON.stringify(input)}`, () =>
            assert.equal(compileRe2(pattern).test(input), matches));

    it("what Go's regexp refuses is refused with Go's message", () => {
        assert.throws(() => compileRe2("(?=a)"), {
            message: "error parsing regexp: invalid or unsupported Perl syntax: `(?=`",
        });
        assert.throws(() => compileRe2("a("), { message: "error parsing regexp: missing closing ): `a(`" });
    });

    // The cache lives as long as the process; a pattern no other test compiled is a cache miss.
    let fresh = 0;
    it("a pattern compiled for the first time works, and the second time is the same compiled regexp", () => {
        const n = ++fresh;
        const first = compileRe2(`^fresh-${n}$`);
        assert.equal(first.test(`fresh-${n}`), true);
        assert.equal(first.test(`fresh-${n}x`), false);
        assert.equal(compileRe2(`^fresh-${n}$`), first);
    });
});
