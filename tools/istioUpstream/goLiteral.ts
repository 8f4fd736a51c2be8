// Go composite literals as data: just enough of Go's expression grammar to read the tables of
// Istio's validation tests (struct, slice and map literals, &, selectors, calls, arithmetic on
// constants) into a tree, and to turn a protobuf message literal into the JSON the API server would
// receive for it (camelCase field names, oneofs flattened, well-known types as their JSON form,
// zero values left out as protojson leaves them out). The tables are read, never run: a value the
// tree cannot give (a local variable, a helper's result) is an error naming it, and the recipe
// that asked for it supplies it (recipes.ts).

export type Node =
    | { k: "lit"; type?: string; elems: { key?: Node; value: Node }[] }
    | { k: "str"; v: string }
    | { k: "num"; v: number }
    | { k: "ident"; name: string }
    | { k: "sel"; x: Node; name: string }
    | { k: "call"; fn: Node; args: Node[]; typeArg?: string }
    | { k: "unary"; op: string; x: Node }
    | { k: "binary"; op: string; l: Node; r: Node }
    | { k: "opaque"; text: string };

type Tok = { t: "id" | "str" | "num" | "p"; v: string; at: number };

function tokenize(src: string): Tok[] {
    const out: Tok[] = [];
    let i = 0;
    while (i < src.length) {
        const c = src[i];
        if (/\s/.test(c)) i++;
        else if (src.startsWith("//", i)) i = src.indexOf("\n", i) < 0 ? src.length : src.indexOf("\n", i);
        else if (src.startsWith("/*", i)) i = src.indexOf("*/", i) + 2;
        else if (/[A-Za-z_]/.test(c)) {
            const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 200))!;
            out.push({ t: "id", v: m[0], at: i });
            i += m[0].length;
        } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(src[i + 1] ?? ""))) {
            const m = /^(0[xX][0-9a-fA-F_]+|[0-9_]*\.?[0-9_]*([eE][+-]?[0-9]+)?)/.exec(src.slice(i, i + 100))!;
            out.push({ t: "num", v: m[0], at: i });
            i += m[0].length;
        } else if (c === '"') {
            let j = i + 1;
            while (src[j] !== '"') j += src[j] === "\\" ? 2 : 1;
            out.push({ t: "str", v: unquote(src.slice(i + 1, j)), at: i });
            i = j + 1;
        } else if (c === "`") {
            const j = src.indexOf("`", i + 1);
            out.push({ t: "str", v: src.slice(i + 1, j), at: i });
            i = j + 1;
        } else if (c === "'") {
            const j = src.indexOf("'", i + 1 + (src[i + 1] === "\\" ? 1 : 0));
            out.push({ t: "num", v: String(unquote(src.slice(i + 1, j)).codePointAt(0)), at: i });
            i = j + 1;
        } else {
            const p = ["<<", ">>", "...", ":="].find((x) => src.startsWith(x, i)) ?? c;
            out.push({ t: "p", v: p, at: i });
            i += p.length;
        }
    }
    return out;
}

function unquote(s: string): string {
    return s.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)/g, (_, e: string) => {
        if (/^[xuU]/.test(e)) return String.fromCodePoint(parseInt(e.slice(1), 16));
        if (/^[0-7]{3}$/.test(e)) return String.fromCharCode(parseInt(e, 8));
        const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", "0": "\0", a: "\x07", b: "\b" };
        return simple[e] ?? e;
    });
}

const PREC: Record<string, number> = { "||": 1, "&&": 2, "+": 4, "-": 4, "|": 4, "*": 5, "/": 5, "<<": 5, ">>": 5 };

class Parser {
    private i = 0;
    constructor(
        private readonly toks: Tok[],
        private readonly src: string,
    ) {}
    private peek(o = 0): Tok | undefined {
        return this.toks[this.i + o];
    }
    private is(v: string, o = 0) {
        return this.peek(o)?.v === v && this.peek(o)?.t !== "str";
    }
    private take(v?: string): Tok {
        const t = this.toks[this.i++];
        if (!t || (v !== undefined && t.v !== v)) throw new Error(`expected ${v} at ${t ? this.where(t) : "end"}`);
        return t;
    }
    where(t: Tok) {
        return `line ${this.src.slice(0, t.at).split("\n").length}: ${JSON.stringify(this.src.slice(t.at, t.at + 40))}`;
    }
    /** Skips a balanced (…), […] or {…} starting at the current token. */
    private skipBalanced(): string {
        const open = this.take();
        const close = { "(": ")", "[": "]", "{": "}" }[open.v]!;
        let depth = 1;
        while (depth > 0) {
            const t = this.take();
            if (t.t === "p" && t.v === open.v) depth++;
            if (t.t === "p" && t.v === close) depth--;
        }
        return close;
    }
    type(): string {
        if (this.is("*")) return (this.take(), "*" + this.type());
        if (this.is("[")) {
            this.take("[");
            const n = this.is("]") ? "" : this.take().v;
            this.take("]");
            return `[${n}]` + this.type();
        }
        if (this.is("map")) {
            this.take("map");
            this.take("[");
            const k = this.type();
            this.take("]");
            return `map[${k}]${this.type()}`;
        }
        if (this.is("struct") || this.is("func") || this.is("interface")) {
            const start = this.peek()!.at;
            this.take();
            if (this.is("(")) this.skipBalanced();
            if (this.is("{")) this.skipBalanced();
            return this.src.slice(start, this.peek()?.at ?? this.src.length).trim();
        }
        let name = this.take().v;
        while (this.is(".")) name += "." + (this.take("."), this.take().v);
        if (this.is("[") && !this.is("]", 1)) {
            // a generic instantiation such as sets.Set[string]
            this.take("[");
            name += `[${this.type()}]`;
            this.take("]");
        }
        return name;
    }
    expr(prec = 0): Node {
        let l = this.unary();
        for (;;) {
            const t = this.peek();
            if (!t || t.t !== "p") return l;
            const op = t.v === "&" && this.is("&", 1) ? "&&" : t.v === "|" && this.is("|", 1) ? "||" : t.v;
            const p = PREC[op];
            if (p === undefined || p <= prec) return l;
            this.take();
            if (op.length === 2 && op !== "<<" && op !== ">>") this.take();
            l = { k: "binary", op, l, r: this.expr(p) };
        }
    }
    private unary(): Node {
        if (this.is("&") || this.is("-") || this.is("+") || this.is("!") || this.is("*"))
            return { k: "unary", op: this.take().v, x: this.unary() };
        return this.postfix(this.primary());
    }
    private primary(): Node {
        const t = this.peek()!;
        if (t.t === "str") return (this.take(), { k: "str", v: t.v });
        if (t.t === "num") return (this.take(), { k: "num", v: Number(t.v.replace(/_/g, "")) });
        if (this.is("{")) return this.literal(undefined);
        if (this.is("(")) {
            this.take("(");
            const e = this.expr();
            this.take(")");
            return e;
        }
        if (this.is("[") || this.is("map") || this.is("struct")) {
            const type = this.type();
            // []byte("…") is a conversion, not a literal.
            return this.is("(") ? this.postfix({ k: "ident", name: type }) : this.literal(type);
        }
        if (this.is("func")) {
            const start = t.at;
            this.take("func");
            this.skipBalanced();
            while (!this.is("{")) this.take();
            this.skipBalanced();
            return { k: "opaque", text: this.src.slice(start, this.peek()?.at) };
        }
        if (t.t === "id") {
            this.take();
            return { k: "ident", name: t.v };
        }
        throw new Error(`unexpected ${t.v} at ${this.where(t)}`);
    }
    private postfix(x: Node): Node {
        for (;;) {
            if (this.is(".") && this.is("(", 1)) {
                this.take(".");
                this.skipBalanced(); // a type assertion
            } else if (this.is(".")) {
                this.take(".");
                x = { k: "sel", x, name: this.take().v };
            } else if (this.is("(")) {
                this.take("(");
                const args: Node[] = [];
                while (!this.is(")")) {
                    args.push(this.expr());
                    if (this.is(",")) this.take(",");
                }
                this.take(")");
                x = { k: "call", fn: x, args };
            } else if (this.is("[") && !this.is("]", 1)) {
                // a generic function's type argument: sets.New[string](...)
                this.take("[");
                const typeArg = this.type();
                this.take("]");
                x = { k: "call", fn: x, args: [], typeArg };
                if (this.is("(")) {
                    const call = this.postfix(x) as Extract<Node, { k: "call" }>;
                    x = { ...call, typeArg };
                }
            } else if (this.is("{") && (x.k === "ident" || x.k === "sel") && looksLikeType(x)) {
                x = this.literal(nodeName(x));
            } else return x;
        }
    }
    literal(type: string | undefined): Node {
        this.take("{");
        const elems: { key?: Node; value: Node }[] = [];
        while (!this.is("}")) {
            const first = this.expr();
            if (this.is(":")) {
                this.take(":");
                elems.push({ key: first, value: this.expr() });
            } else elems.push({ value: first });
            if (this.is(",")) this.take(",");
        }
        this.take("}");
        return { k: "lit", type, elems };
    }
    done() {
        return this.i >= this.toks.length;
    }
}

function looksLikeType(x: Node): boolean {
    // pkg.Type{…} or Type{…}; not a keyword or a bool.
    const name = nodeName(x);
    return !["true", "false", "nil", "if", "for", "switch", "range", "return", "else"].includes(name);
}

export function nodeName(x: Node): string {
    if (x.k === "ident") return x.name;
    if (x.k === "sel") return `${nodeName(x.x)}.${x.name}`;
    return "";
}

/** The expression at the start of `src` (a literal, usually). */
export function parseGoExpr(src: string): Node {
    const p = new Parser(tokenize(src), src);
    return p.expr();
}

/** A Go test function's table: its element type's fields, in order, and its elements. */
export interface GoTable {
    fields: string[];
    rows: { line: number; elems: { key?: Node; value: Node }[] }[];
}

/**
 * The table of the Go test function `name` in `src`: its first `x := []struct{…}{…}`, or
 * `x := []T{…}` with T a struct type the function declares, or `x := map[K]V{…}` (rows of "key" and
 * "value").
 */
export function goTable(src: string, name: string): GoTable {
    const start = src.indexOf(`func ${name}(`);
    if (start < 0) throw new Error(`no func ${name}`);
    // The function's body only: it ends at the first "}" in column 0.
    const end = src.indexOf("\n}\n", start);
    const body = src.slice(start, end < 0 ? undefined : end);
    let fieldsText: string | undefined;
    let litAt: number;
    const anonymous = /\w+ :?= \[\]\*?struct ?\{([^]*?)\n?\t?\}\{/.exec(body);
    const named = /type (\w+) struct \{([^]*?)\n\t\}[^]*?\w+ :?= \[\]\*?(\w+)\{/.exec(body);
    const map = /\w+ :?= map\[\w+\]\w+\{/.exec(body);
    if (anonymous) {
        fieldsText = anonymous[1];
        litAt = anonymous.index + anonymous[0].length - 1;
    } else if (named && named[1] === named[3]) {
        fieldsText = named[2];
        litAt = named.index + named[0].length - 1;
    } else if (map) litAt = map.index + map[0].length - 1;
    else throw new Error(`no table in ${name}`);
    const fields: string[] = [];
    for (const line of (fieldsText ?? "key value\nvalue v").split(/[\n;]/)) {
        const f = line.trim();
        if (!f || f.startsWith("//")) continue;
        const names = /^([\w, ]+?)\s+\S/.exec(f);
        if (names) fields.push(...names[1].split(",").map((s) => s.trim()));
    }
    const litStart = start + litAt;
    const toks = tokenize(src.slice(litStart));
    const p = new Parser(toks, src.slice(litStart));
    const lit = p.literal("table") as Extract<Node, { k: "lit" }>;
    const lineOf = (offset: number) => src.slice(0, litStart + offset).split("\n").length;
    const rows = lit.elems.map((e) =>
        fieldsText === undefined
            ? { line: 0, elems: [{ value: e.key! }, { value: e.value }] }
            : { line: 0, elems: (e.value as Extract<Node, { k: "lit" }>).elems },
    );
    // Each row's line: where its first token is, at depth 1 of the table.
    let depth = 0;
    let row = 0;
    let expectRow = true;
    for (const t of toks) {
        if (depth === 1 && expectRow && row < rows.length && !(t.t === "p" && (t.v === "," || t.v === "}"))) {
            rows[row++].line = lineOf(t.at);
            expectRow = false;
        }
        if (t.t !== "p") continue;
        if (t.v === "{" || t.v === "(" || t.v === "[") depth++;
        else if (t.v === "}" || t.v === ")" || t.v === "]") {
            depth--;
            if (depth === 0) break;
        } else if (t.v === "," && depth === 1) expectRow = true;
    }
    return { fields, rows };
}
