import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { describe, expect, it } from "vitest";
import { readCommonYaml } from "./common-yaml.js";
import { parseYamlFast } from "./fast-yaml.js";
import { parseYaml, parseYamlDocument } from "./yaml-source.js";
import type { YamlPath } from "./yaml-source.js";

const repoRoot = path.resolve(import.meta.dirname, "../../..");

/** Every YAML file of the repository (models, fixtures, tests), but not dependencies' or outputs. */
function repoYaml(dir = repoRoot, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (/^(node_modules|\.git|dist|target|\.lake|\.nx|tmp)$/.test(e.name)) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) repoYaml(p, out);
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

/** Every key path of the data, each with a missing child and a missing index after it. */
function pathsOf(data: unknown, base: YamlPath = [], out: YamlPath[] = []): YamlPath[] {
  out.push(base, [...base, "no_such_key"], [...base, 99]);
  if (Array.isArray(data)) data.forEach((v, i) => pathsOf(v, [...base, i], out));
  else if (data && typeof data === "object")
    for (const [k, v] of Object.entries(data)) pathsOf(v, [...base, k], out);
  return out;
}

/**
 * Parse with parseYaml (fast path when it takes the text) and with the `yaml` document API only;
 * every difference in data, errors or any position, as text. Also says whether the fast path took it.
 */
function differences(text: string): { fast: boolean; diffs: string[] } {
  const fast = parseYamlFast(text) !== undefined;
  const a = parseYaml(text, "f.yml");
  const b = parseYamlDocument(text, "f.yml");
  const diffs: string[] = [];
  if (!isDeepStrictEqual(a.syntaxErrors, b.syntaxErrors)) diffs.push("syntax errors differ");
  if (!isDeepStrictEqual(a.data, b.data))
    diffs.push(`data: ${JSON.stringify(a.data)} vs ${JSON.stringify(b.data)}`);
  for (const p of pathsOf(b.data))
    for (const prefer of ["value", "key"] as const) {
      const [x, y] = [a.locate(p, prefer), b.locate(p, prefer)];
      if (!isDeepStrictEqual(x, y))
        diffs.push(
          `${JSON.stringify(p)} ${prefer}: ${x.line}:${x.column} vs ${y.line}:${y.column}`,
        );
    }
  return { fast, diffs };
}

/** A deterministic generator of small edits: what a user's typo or a bad indent does. */
function mutations(text: string, count: number, seed: number): string[] {
  let s = seed >>> 0 || 1;
  const rand = (n: number) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
  const bits = [" ", "  ", ":", ": ", "- ", "#", "'", '"', "[", "]", "{", "}", ",", "\n", "|", ">"];
  bits.push("x", "1", "1.5", "null", "~", "true", "|-\n  a", "\n  - a", ": b", "\n-");
  const out: string[] = [];
  for (let k = 0; k < count; k++) {
    const at = rand(text.length + 1);
    const lines = text.split("\n");
    const line = rand(lines.length);
    switch (rand(5)) {
      case 0:
        out.push(text.slice(0, at) + text.slice(at + 1 + rand(3)));
        break;
      case 1:
        out.push(text.slice(0, at) + bits[rand(bits.length)] + text.slice(at));
        break;
      case 2:
        lines[line] = " ".repeat(1 + rand(3)) + lines[line];
        out.push(lines.join("\n"));
        break;
      case 3:
        lines[line] = lines[line]!.replace(/^ {1,2}/, "");
        out.push(lines.join("\n"));
        break;
      default:
        lines.splice(line, 0, lines[rand(lines.length)]!);
        out.push(lines.join("\n"));
    }
  }
  return out;
}

const handmade = [
  "version: 2\nmodels:\n  - name: a\n    description: >\n      folded\n      text\n\n    columns:\n      - name: id\n        tests: [not_null, unique]\n",
  "models:\n- name: a\n  description: |-\n    keep\n     this\n  config: {materialized: table, tags: [x, 'y']}\n",
  '# lead\n\nmodels: # trailing\n  # between\n  - # item comment\n    name: a\n    description:\n    columns:\n      -   name: b\n          description: "q: #1"\n',
  "a:\n  b:\n    c: 1\n    d: 1.5\n    e: -3\n    f: true\n    g: null\n    h: ~\n    i: ''\n    j:\n  k: [1, 2, [3, {x: y}]]\n",
  "vars:\n  s: 0.10\n  t: 007\n  u: 1e3\n  v: 0x1F\n  w: .5\n  y: yes\n  z: No\n",
  "plain: a multi\n  line plain\n  scalar\nafter: 'single ''quoted'' '\ndq: \"esc \\t \\u00e9\"\n",
  "desc: |+\n  keep trailing\n\nnext: >2\n    indented\n  more\nlast: x\n",
  "list:\n- a\n-\n- c\n",
  "list:\n  - a\n  -\n  - c\nm: {}\nn: []\n",
  "key with spaces: 1\n\"quoted key\": 2\n'single': 3\n",
  "a: 1\nb: [a,\n  b, c]\nc: {d: 1,\n  e: 2}\n",
  "a:\n  - - 1\n    - 2\n  - - 3\n",
  "a: b\n  # comment\nc:\n\n\n  d: e\n",
  "models:\n  - name: x\n    tests:\n      - relationships:\n          to: ref('y')\n          field: id\n      - accepted_values: {values: ['a', 'b']}\n",
  'é: ü\n中文: 値\nemoji: "😀"\n',
  "a: 1\na: 2\n",
  "a: &x 1\nb: *x\n",
  "a: !!str 1\n",
  "a:\tb\n",
  "a: 1\r\nb: 2\r\n",
  "- a\n- b\n",
  "",
  "# only a comment\n",
  "just a scalar\n",
  "a: b: c\n",
  "a: 'unterminated\n",
  "a:\n  - b\n  c: d\n",
  "a: [1, 2\n",
  "key: value # comment\nother: value#not-comment\n",
  "a: -\nb: - x\n",
  "a: 1\n---\nb: 2\n",
  // A flow collection as a block sequence's item: js-yaml reads it twice (as a key first).
  'macro-paths:\n- ["macros"]\n- {a: [b]}\n',
];

/** Properties files of the common shape (what common-yaml.ts reads without js-yaml). */
const common = [
  "version: 2\nmodels:\n  - name: m_1\n    columns:\n      - name: id\n        tests: [not_null, unique]\n  - name: m_2\n    columns:\n      - name: id\n        tests: [not_null,unique ,  relationships]\n",
  "models:\n- name: m_2\n  description: a plain text - with words\n  config:\n    materialized: table\n    tags: [a, b.c, d/e]\n  columns:\n  - name: id\n    tests:\n      - not_null\n      - unique\n  -   name: x_y\n      data_type: bigint\nsources:\n  - name: raw\n    tables:\n      - name: events\n        loaded_at_field: dt\nversion: 2",
  "a:\n  b:\n    c: 0\n    d: 12\n  e:\n  - f\n  - g h\n\n\n  i: _j\nk: l\n",
];

describe("fast YAML path (js-yaml) against the yaml document API", () => {
  it("reads the common shape without js-yaml, giving the same as yaml, on 3,000 mutated copies", () => {
    for (const text of common) {
      expect(readCommonYaml(text), text).toBeDefined();
      expect(differences(text).diffs, text).toEqual([]);
    }
    // Near the common shape: words the core schema gives a meaning, numbers, blanks, empties.
    const near = [
      "true",
      "False",
      "NULL",
      "~",
      "007",
      "1.5",
      "-1",
      "1e3",
      "b ",
      "[x, TRUE]",
      "[b, ]",
    ];
    for (const value of [...near, "[]", "", "[a, [b]]"]) {
      for (const text of [`a: ${value}\n`, `a:\n  - ${value}\nb: c\n`, `a: [b, ${value}]\n`])
        expect(differences(text).diffs, JSON.stringify(text)).toEqual([]);
    }
    let taken = 0;
    let total = 0;
    common.forEach((text, i) => {
      for (const m of mutations(text, 1000, i + 101)) {
        const r = differences(m);
        expect(r.diffs, JSON.stringify(m)).toEqual([]);
        total++;
        if (readCommonYaml(m)) taken++;
      }
    });
    // Mutants of every kind: many still of the common shape, many left to js-yaml or yaml.
    expect(taken).toBeGreaterThan(total / 5);
    expect(taken).toBeLessThan(total);
  }, 120_000);

  it("gives the same data, errors and every position for each YAML file of the repository", () => {
    const files = repoYaml();
    expect(files.length).toBeGreaterThan(10);
    let fast = 0;
    for (const f of files) {
      const r = differences(readFileSync(f, "utf8"));
      expect(r.diffs, f).toEqual([]);
      if (r.fast) fast++;
    }
    // Most files take the fast path (sluice.yml's `+key`s and a few others do not).
    expect(fast).toBeGreaterThan(files.length / 2);
  });

  it("gives the same on hand-made edge cases, and leaves the unusual ones to yaml", () => {
    const taken = handmade.map((text) => {
      const r = differences(text);
      expect(r.diffs, JSON.stringify(text)).toEqual([]);
      return r.fast;
    });
    expect(taken.filter(Boolean).length).toBeGreaterThan(8);
    expect(taken.at(-1)).toBe(true);
    // Anchors, tags, tabs, CR, a root that is not a mapping, duplicate keys, syntax errors.
    for (const i of [15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 30])
      expect(taken[i], JSON.stringify(handmade[i])).toBe(false);
  });

  it("gives the same on 4,000 mutated copies: bad indents, stray characters, lost lines", () => {
    const texts = [...repoYaml().map((f) => readFileSync(f, "utf8")), ...handmade.slice(0, 15)];
    let fast = 0;
    let total = 0;
    texts.forEach((text, i) => {
      for (const m of mutations(text, Math.ceil(4000 / texts.length), i + 1)) {
        const r = differences(m);
        expect(r.diffs, JSON.stringify(m)).toEqual([]);
        total++;
        if (r.fast) fast++;
      }
    });
    expect(total).toBeGreaterThanOrEqual(4000);
    expect(fast).toBeGreaterThan(total / 10);
  }, 120_000);
});
