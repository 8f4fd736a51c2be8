// The CEL environment x-kubernetes-validations rules are evaluated in (components/validation/cel.ts),
// checked against what the API server does. Expectations come from two sources, cited per table:
//  - the examples in the doc comment of k8s.io/apiserver/pkg/cel/library/urls.go ("urls.go"), and
//  - Go's net/url (src/net/url/url.go: parse, parseAuthority, parseHost, unescape, setPath,
//    EscapedPath, splitHostPort), which urls.go calls: isURL is ParseRequestURI succeeding; url()
//    is ParseRequestURI, then Parse for the value.
// Where Go versions differ (Go 1.24.8/1.25.2 validate a bracketed host as an IPv6 address, Go 1.26
// refuses a second colon in an http(s) host), no case depends on it.
import * as assert from "node:assert/strict";
import { celProgram, goParseUrl, type GoUrl } from "../components/validation/cel";

const evaluate = (rule: string, self: unknown) => celProgram(rule)(self as never);
const errorOf = (rule: string, self: unknown): string => {
    const r = evaluate(rule, self);
    assert.ok(r instanceof Error, `${rule} on ${JSON.stringify(self)} is ${String(r)}, not an error`);
    return r.message;
};

describe("isURL (Go's url.ParseRequestURI succeeds)", () => {
    const table: [string, boolean, string][] = [
        ["https://user:pass@example.com:80/path?query=val#fragment", true, "urls.go example"],
        ["/absolute-path", true, "urls.go example"],
        ["https://a:b:c/", false, "urls.go example: the port is not numeric"],
        ["../relative-path", false, "urls.go example: neither absolute URI nor absolute path"],
        ["", false, "empty url"],
        ["*", true, "the request target *"],
        ["http:", true, "a scheme and an empty opaque part"],
        ["mailto:user@example.com", true, "a rootless path after a scheme is opaque"],
        ["h.t-t+p://example.com/", true, "a scheme may hold digits, +, - and . after its first letter"],
        ["1http://example.com/", false, "a scheme starts with a letter: no scheme, not absolute"],
        [":nope", false, "missing protocol scheme"],
        ["example.com/path", false, "no scheme and not an absolute path"],
        ["http://example.com#frag", false, "ParseRequestURI keeps #: not a host character"],
        ["http://example.com/a#frag", true, "ParseRequestURI keeps # in the path"],
        ["http://example.com/a b", true, "a space is fine in a path"],
        ["http://exa mple.com/", false, "a space is not in a host"],
        ["http://a{b}/", false, "{ is not in a host"],
        ["http://exa_mple.com/", true, "_ is unreserved"],
        ["http://example.com:80a/", false, "a port is digits"],
        ["http://example.com:/", true, "an empty port is a valid optional port"],
        ["http://:8080/", true, "an empty host name with a port"],
        ["http://ex%41mple.com/", false, "a host may escape only non-ASCII bytes"],
        ["http://%C3%A9.example/", true, "a non-ASCII byte escaped in a host"],
        ["http://%80.example/", true, "a host may escape any byte from 0x80"],
        ["http://a\u0080b/", true, "a host's non-ASCII characters are not checked, U+0080 included"],
        ["http://example.com/%zz", false, "a bad escape"],
        ["http://example.com/%4", false, "a truncated escape"],
        ["http://example.com/?q=%zz", true, "the query is not checked"],
        ["http://us er@example.com/", false, "invalid userinfo"],
        ["http://user:p@ss@example.com/", true, "the host is after the last @"],
        ["http://user%zz@example.com/", false, "a bad escape in the userinfo"],
        ["http://[::1]/", true, "an IPv6 literal"],
        ["http://[::1/", false, "missing ']' in host"],
        ["http://[::1]x/", false, "after ] only :port"],
        ["http://[::1]:8a/", false, "a port is digits"],
        ["http://[fe80::1%25en0]/", true, "RFC 6874 zone"],
        ["http://[fe80::1%25%0a]/", false, "a zone may not escape a newline"],
        ["http://[fe80::1%25en%200]/", true, "but it may escape a space"],
        ["http://example.com/\u0001", false, "control character"],
        ["http://example.com/\u007f", false, "DEL is a control character"],
    ];
    for (const [s, want, why] of table)
        it(`isURL(${JSON.stringify(s)}) is ${want}: ${why}`, () => assert.equal(evaluate("isURL(self)", s), want));
});

describe("url() and its accessors", () => {
    // [input, getScheme, getHost, getHostname, getPort, getEscapedPath]
    const table: [string, string, string, string, string, string][] = [
        // urls.go examples
        ["/path", "", "", "", "", "/path"],
        ["https://example.com/", "https", "example.com", "example.com", "", "/"],
        ["https://example.com:80/", "https", "example.com:80", "example.com", "80", "/"],
        ["https://[::1]:80/", "https", "[::1]:80", "::1", "80", "/"],
        ["https://[::1]/", "https", "[::1]", "::1", "", "/"],
        ["https://127.0.0.1:80/", "https", "127.0.0.1:80", "127.0.0.1", "80", "/"],
        ["https://example.com/path", "https", "example.com", "example.com", "", "/path"],
        ["https://example.com/path with spaces/", "https", "example.com", "example.com", "", "/path%20with%20spaces/"],
        ["https://example.com", "https", "example.com", "example.com", "", ""],
        [
            "https://user:pass@example.com:80/path?query=val#fragment",
            "https",
            "example.com:80",
            "example.com",
            "80",
            "/path",
        ],
        // Go's net/url
        ["HTTPS://Example.COM/", "https", "Example.COM", "Example.COM", "", "/"], // the scheme is lowercased, the host kept
        ["*", "", "", "", "", "*"], // EscapedPath leaves "*" alone (Go issue 11202)
        ["mailto:user@example.com", "mailto", "", "", "", ""], // opaque
        ["//example.com/path", "", "example.com", "example.com", "", "/path"], // Parse reads a network-path reference
        ["///path", "", "", "", "", "///path"], // but not one with a third slash
        ["https://a@b@example.com/", "https", "example.com", "example.com", "", "/"],
        ["https://example.com:/", "https", "example.com:", "example.com", "", "/"],
        ["http://:8080/", "http", ":8080", "", "8080", "/"],
        ["https://[::1]:/", "https", "[::1]:", "::1", "", "/"],
        ["http://%C3%A9.example/", "http", "é.example", "é.example", "", "/"], // the host is kept unescaped
        ["https://[fe80::1%25en0]:8443/", "https", "[fe80::1%en0]:8443", "fe80::1%en0", "8443", "/"],
        ["https://[fe80::1%25%65n0]/", "https", "[fe80::1%en0]", "fe80::1%en0", "", "/"],
        ["https://example.com/a%2Fb", "https", "example.com", "example.com", "", "/a%2Fb"], // a valid escaping is kept
        ["https://example.com/%41%62", "https", "example.com", "example.com", "", "/%41%62"],
        ["https://example.com/(a)", "https", "example.com", "example.com", "", "/(a)"],
        ["https://example.com/caf%C3%A9", "https", "example.com", "example.com", "", "/caf%C3%A9"],
        ["https://example.com/café", "https", "example.com", "example.com", "", "/caf%C3%A9"],
        ["https://example.com/a b%2F", "https", "example.com", "example.com", "", "/a%20b/"], // invalid as written: Go escapes the path
        ["https://example.com/a?b=c#d", "https", "example.com", "example.com", "", "/a"],
        ["https://example.com/a?", "https", "example.com", "example.com", "", "/a"],
        ["/a/b#frag", "", "", "", "", "/a/b"],
        ["file:///etc/hosts", "file", "", "", "", "/etc/hosts"], // an empty authority
        ["https://user@[::1]:80/", "https", "[::1]:80", "::1", "80", "/"],
        ["http://é.example/", "http", "é.example", "é.example", "", "/"],
        ["http://a%25b/", "http", "a%b", "a%b", "", "/"], // "%25" is the one ASCII escape a host may hold
        ["http://a]/", "http", "a]", "a]", "", "/"], // only [...] loses its brackets
    ];
    const accessors = ["getScheme", "getHost", "getHostname", "getPort", "getEscapedPath"];
    for (const [s, ...want] of table)
        it(`url(${JSON.stringify(s)}): ${want.map(JSON.stringify as (x: string) => string).join(", ")}`, () =>
            assert.deepEqual(
                accessors.map((a) => evaluate(`url(self).${a}()`, s)),
                want,
            ));
});

describe("url() of what does not parse: an evaluation error with Go's message", () => {
    const prefix = "URL parse error during conversion from string: ";
    const table: [string, string][] = [
        ["not a url", 'parse "not a url": invalid URI for request'],
        ["../relative-path", 'parse "../relative-path": invalid URI for request'],
        ["", 'parse "": empty url'],
        [":x", 'parse ":x": missing protocol scheme'],
        ["https://example.com:8a/", 'parse "https://example.com:8a/": invalid port ":8a" after host'],
        ["http://[::1/", "parse \"http://[::1/\": missing ']' in host"],
        ["http://[::1]x/", 'parse "http://[::1]x/": invalid port "x" after host'],
        ["http://:8a/", 'parse "http://:8a/": invalid port ":8a" after host'],
        ["http://[::1%20]/", 'parse "http://[::1%20]/": invalid URL escape "%20"'], // no zone: a host
        ["http://[%41::1%25en0]/", 'parse "http://[%41::1%25en0]/": invalid URL escape "%41"'], // before the zone: a host
        ["http://[fe80::1%25en{0]/", 'parse "http://[fe80::1%25en{0]/": invalid character "{" in host name'],
        ["http://exa mple.com/", 'parse "http://exa mple.com/": invalid character " " in host name'],
        ["http://a{b}/", 'parse "http://a{b}/": invalid character "{" in host name'],
        ["http://ex%41mple.com/", 'parse "http://ex%41mple.com/": invalid URL escape "%41"'],
        ["http://ex%zzample.com/", 'parse "http://ex%zzample.com/": invalid URL escape "%zz"'],
        ["http://[fe80::1%25%0a]/", 'parse "http://[fe80::1%25%0a]/": invalid URL escape "%0a"'],
        ["http://[fe80::1%25%2f]/", 'parse "http://[fe80::1%25%2f]/": invalid URL escape "%2f"'],
        ["http://example.com/%zz", 'parse "http://example.com/%zz": invalid URL escape "%zz"'],
        ["http://example.com/%4", 'parse "http://example.com/%4": invalid URL escape "%4"'],
        ["http://example.com/a%", 'parse "http://example.com/a%": invalid URL escape "%"'],
        ["http://us er@example.com/", 'parse "http://us er@example.com/": net/url: invalid userinfo'],
        ["http://%zz@example.com/", 'parse "http://%zz@example.com/": invalid URL escape "%zz"'],
        ["http://user:%zz@example.com/", 'parse "http://user:%zz@example.com/": invalid URL escape "%zz"'],
        ["http://user:a:%zz@example.com/", 'parse "http://user:a:%zz@example.com/": invalid URL escape "%zz"'],
        ["http://user:%:zz@example.com/", 'parse "http://user:%:zz@example.com/": invalid URL escape "%:z"'],
        // ParseRequestURI accepts it (a query is not checked), Parse checks the fragment's escapes.
        ["http://example.com/?q#%zz", 'parse "http://example.com/?q#%zz": invalid URL escape "%zz"'],
        // Go quotes with strconv.Quote.
        ["/a\u0001", 'parse "/a\\x01": net/url: invalid control character in URL'],
        ["/a\u0007", 'parse "/a\\a": net/url: invalid control character in URL'],
        ["/a\u000b", 'parse "/a\\v": net/url: invalid control character in URL'],
        ["/a\n", 'parse "/a\\n": net/url: invalid control character in URL'],
        ["/a\u007f", 'parse "/a\\x7f": net/url: invalid control character in URL'],
    ];
    for (const [s, want] of table)
        it(`url(${JSON.stringify(s)}): ${want}`, () => assert.equal(errorOf("url(self)", s), prefix + want));

    it("isURL of the same string is false, but for a bad escape in a fragment (ParseRequestURI reads no fragment)", () => {
        assert.deepEqual(
            table.map(([s]) => evaluate("isURL(self)", s)),
            table.map(([s]) => s === "http://example.com/?q#%zz"),
        );
    });
});

describe("Go's url.Parse and url.ParseRequestURI (goParseUrl)", () => {
    const url = (o: Partial<GoUrl>): GoUrl => ({
        scheme: "",
        opaque: "",
        host: "",
        path: "",
        rawPath: "",
        rawQuery: "",
        ...o,
    });
    const table: [string, boolean, GoUrl][] = [
        [
            "https://u:p@Example.com:8443/a%2Fb?x=1&y#f",
            false,
            url({ scheme: "https", host: "Example.com:8443", path: "/a/b", rawPath: "/a%2Fb", rawQuery: "x=1&y" }),
        ],
        // ParseRequestURI keeps the fragment in the path or the query: why urls.go parses twice.
        [
            "https://example.com/a%2Fb#f",
            true,
            url({ scheme: "https", host: "example.com", path: "/a/b#f", rawPath: "/a%2Fb#f" }),
        ],
        [
            "https://example.com/?x=1#f",
            true,
            url({ scheme: "https", host: "example.com", path: "/", rawQuery: "x=1#f" }),
        ],
        ["http://x/a?b?c", true, url({ scheme: "http", host: "x", path: "/a", rawQuery: "b?c" })],
        ["http://x/a?", true, url({ scheme: "http", host: "x", path: "/a" })],
        ["http:?x", true, url({ scheme: "http", rawQuery: "x" })],
        ["?x", false, url({ rawQuery: "x" })],
        ["/a?%#f", false, url({ path: "/a", rawQuery: "%" })], // neither the query's escapes are checked
        ["/a?%zz#f", false, url({ path: "/a", rawQuery: "%zz" })],
        ["news:comp.lang?x", true, url({ scheme: "news", opaque: "comp.lang", rawQuery: "x" })],
        ["*", true, url({ path: "*" })],
        ["/a b", true, url({ path: "/a b", rawPath: "/a b" })],
        ["/a%20b", true, url({ path: "/a b", rawPath: "" })],
        ["/a%2fb", true, url({ path: "/a/b", rawPath: "/a%2fb" })],
        // Parse: relative references, but not one whose first segment holds a colon.
        ["", false, url({})],
        ["#f", false, url({})],
        ["a/b", false, url({ path: "a/b" })],
        ["a/b:c", false, url({ path: "a/b:c" })],
        ["./a:b", false, url({ path: "./a:b" })],
        ["a:b/c", false, url({ scheme: "a", opaque: "b/c" })],
        ["//h/p", false, url({ host: "h", path: "/p" })],
        ["//h", false, url({ host: "h" })],
        ["//h/p", true, url({ path: "//h/p" })],
        ["/a#\u0001", false, url({ path: "/a" })], // Parse checks for control characters before the fragment only
    ];
    for (const [s, viaRequest, want] of table)
        it(`${viaRequest ? "ParseRequestURI" : "Parse"}(${JSON.stringify(s)})`, () =>
            assert.deepEqual(goParseUrl(s, viaRequest), want));

    const errors: [string, string][] = [
        ["1a:b", 'parse "1a:b": first path segment in URL cannot contain colon'],
        ["a:b", "ok"],
        ["ab:", "ok"],
        ["-a:b/c", 'parse "-a:b/c": first path segment in URL cannot contain colon'],
        ["/a%zz#f", 'parse "/a%zz": invalid URL escape "%zz"'], // Parse names the URL without its fragment
        ["/a#%zz", 'parse "/a#%zz": invalid URL escape "%zz"'], // and with it for the fragment's
        ["/a#%", 'parse "/a#%": invalid URL escape "%"'],
        ["/\u0001#f", 'parse "/\\x01": net/url: invalid control character in URL'],
    ];
    for (const [s, want] of errors)
        it(`Parse(${JSON.stringify(s)}): ${want}`, () => {
            let got = "ok";
            try {
                goParseUrl(s, false);
            } catch (e) {
                got = (e as Error).message;
            }
            assert.equal(got, want);
        });
});

describe("evaluating a rule", () => {
    it("a rule is compiled once per process: the same rule is the same program", () => {
        const rule = "self.size() > 2";
        assert.equal(celProgram(rule), celProgram(rule));
        assert.equal(celProgram(rule)("abc" as never), true);
        assert.equal(celProgram(rule)("ab" as never), false);
    });

    it("a rule's value is returned as is, an evaluation error as an Error with CEL's message", () => {
        assert.equal(evaluate("self + 1", 41n), 42n);
        assert.equal(
            errorOf("url(self).getHost()", "no"),
            'URL parse error during conversion from string: parse "no": invalid URI for request',
        );
    });

    // The environment is built on the first rule a process evaluates: a fresh copy of the module
    // evaluates that first rule here (the shared one has long built it).
    it("the first rule of a process has the strings extension and the whole URL library", () => {
        const id = require.resolve("../components/validation/cel");
        const shared = require.cache[id];
        delete require.cache[id];
        let fresh: typeof celProgram;
        try {
            fresh = (require(id) as { celProgram: typeof celProgram }).celProgram;
        } finally {
            require.cache[id] = shared;
        }
        assert.notEqual(fresh, celProgram);
        const rule =
            '[string(isURL(self)), url(self).getScheme(), url(self).getHost(), url(self).getHostname(), url(self).getPort(), url(self).getEscapedPath(), self.substring(0, 5)].join("|")';
        assert.equal(fresh(rule)("https://[::1]:8443/a b" as never), "true|https|[::1]:8443|::1|8443|/a%20b|https");
        assert.equal(fresh(rule), fresh(rule));
        assert.equal(fresh("isURL(self)")("" as never), false);
    });
});
