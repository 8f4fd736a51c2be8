// Reads the machine-readable part of UPGRADING.md (and UPGRADING.ja.md): the release the notes
// upgrade from, and the tables of the changes `pulumi up` makes, each after a marker
// `<!-- plan <release> <table>: <group> -->`. A row is `| op | type | name | danger |`, names with
// `<env>` for the stack's environment, and any other placeholder (`<app>`, `<host>`) for every
// object of that shape the stack has (none needed); the danger cell is `no`, or `yes` and a link to the section
// that says what to do about it. The staged path's stack-file snippets follow
// `<!-- config <release> step <n> -->` markers, so the steps the suite plans are the ones people copy.
import * as fs from "node:fs";

export interface Row {
    op: string;
    type: string;
    name: string;
    danger: boolean;
    /** The anchor the danger cell links to. */
    link?: string;
}

export interface Notes {
    release: string;
    /** Tables by "<table>: <group>", e.g. "direct: owner", "step 2: owner". */
    tables: Map<string, Row[]>;
    /** Explicit anchors (`<a id="…"></a>`) of the document. */
    anchors: Set<string>;
    /** The staged path: each step's YAML snippet (`<!-- config <release> step <n> -->` and a yaml block), in order. */
    steps: { step: string; yaml: string }[];
}

const cell = (c: string) => c.trim().replace(/^`|`$/g, "");

export function readNotes(file: string): Notes {
    const text = fs.readFileSync(file, "utf8");
    const release = /<!-- release: (\S+) -->/.exec(text)?.[1];
    if (!release) throw new Error(`${file}: no <!-- release: <ref> --> marker`);
    const tables = new Map<string, Row[]>();
    const marker = /<!-- plan (\S+) ([^:]+): (\S+) -->\n/g;
    for (let m = marker.exec(text); m; m = marker.exec(text)) {
        if (m[1] !== release)
            throw new Error(`${file}: table ${m[2]}: ${m[3]} is for ${m[1]}, the notes for ${release}`);
        const lines = text.slice(m.index + m[0].length).split("\n");
        const rows: Row[] = [];
        // Header and separator first, then rows up to the first line that is not one.
        for (const line of lines.slice(2)) {
            if (!line.startsWith("|")) break;
            const [op, type, name, danger] = line.split("|").slice(1, -1).map(cell);
            const link = /\]\(#([^)]+)\)/.exec(danger)?.[1];
            rows.push({ op, type, name, danger: /^\**yes\b/.test(danger), ...(link ? { link } : {}) });
        }
        tables.set(`${m[2]}: ${m[3]}`, rows);
    }
    const anchors = new Set([...text.matchAll(/<a id="([^"]+)"><\/a>/g)].map((a) => a[1]));
    const steps = [...text.matchAll(/<!-- config (\S+) step (\S+) -->\n```yaml\n([\s\S]*?)```/g)].map((m) => {
        if (m[1] !== release)
            throw new Error(`${file}: step ${m[2]}'s config is for ${m[1]}, the notes for ${release}`);
        return { step: m[2], yaml: m[3] };
    });
    return { release, tables, anchors, steps };
}

/** A row as the notes write it, for a failure message that can be pasted into the notes. */
export const rowText = (r: Row) =>
    `| ${r.op} | \`${r.type}\` | \`${r.name}\` | ${r.danger ? `yes: [what to do](#${r.link ?? "…"})` : "no"} |`;
