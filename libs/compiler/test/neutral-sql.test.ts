import { hash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { CompiledNode, CompiledProject } from "../src/index.js";
import {
  byteScratch,
  collapsedUtf8,
  collapseWhitespace,
  neutralSql,
  relationKeys,
  replaceQualified,
} from "../src/state/neutral-sql.js";
import type { QualifiedId } from "../src/state/neutral-sql.js";
import { seededRandom } from "./seeded-random.js";

/** A random text of `max` pieces at most from `alphabet`. */
function randomText(random: () => number, alphabet: readonly string[], max: number): string {
  const length = Math.floor(random() * (max + 1));
  let text = "";
  for (let k = 0; k < length; k++) text += alphabet[Math.floor(random() * alphabet.length)];
  return text;
}

/**
 * The pattern the scanner replaces, as the body checksum applied it before (one regex replace,
 * a callback per match): the oracle of {@link replaceQualified}.
 */
const QUALIFIED = /(["`]?)([\w$]+)\1\s*\.\s*(["`]?)([\w$]+)\3(?![\w"`.])/g;
const byPattern = (text: string, idOf: (schema: string, name: string) => string | undefined) =>
  text.replace(QUALIFIED, (m, _q, schema: string, _r, name: string) => {
    const id = idOf(schema, name);
    return id === undefined ? m : `{{${id}}}`;
  });

/** Knows `s.n`, `a.b$` and `x.y` (any case); records what it was asked. */
function lookup() {
  const asked: string[] = [];
  const known = new Map([
    ["s.n", "model.n"],
    ["a.b$", "model.b"],
    ["x.y", "source.x.y"],
  ]);
  const byText = (schema: string, name: string) => {
    asked.push(`${schema}|${name}`);
    return known.get(`${schema}.${name}`.toLowerCase());
  };
  const idOf: QualifiedId = (text, schemaFrom, schemaTo, nameFrom, nameTo) =>
    byText(text.slice(schemaFrom, schemaTo), text.slice(nameFrom, nameTo));
  return { byText, idOf, asked };
}

describe("replaceQualified", () => {
  const check = (text: string) => {
    const a = lookup();
    const b = lookup();
    expect([text, replaceQualified(text, a.idOf), a.asked]).toEqual([
      text,
      byPattern(text, b.byText),
      b.asked,
    ]);
  };

  it("replaces as the pattern does in hand-picked texts", () => {
    const texts = [
      'select * from "s"."n" join s.n on `s`.`n`.x = S . N',
      'foo.bar.baz s.n.x s.n$ s.n$x. a.b$.c a.b$$. a.b$ x.y\' \'x.y\' "s.n" s."n"x',
      '"s"."n"x "s" . "n" "s".n s."n" "s`.`n" "a b".c $s.n 9s.n _.x é.s.n s.né',
      's.n\u00a0. s\u00a0.\u2028n s\ufeff.n ``.s.n "".s.n s..n .s.n s.n.',
      // A match may end before a `$`: its closing quote opens no schema after it.
      '"s"."n"$x".y `a`.b$y`.n',
    ];
    for (const text of texts) check(text);
    expect(replaceQualified('from "s"."n" as a, X.Y', lookup().idOf)).toBe(
      "from {{model.n}} as a, {{source.x.y}}",
    );
  });

  it("replaces as the pattern does in 20,000 random texts of names, dots, quotes and spaces", () => {
    const random = seededRandom(23);
    const alphabet = [
      ...["s", "n", "S", "N", "a", "b$", "x", "y", "_", "$", "1", "é", "s.n", "a.b$", "x.y"],
      ...[".", " . ", '"', "`", "'", " ", "\n", "\u00a0", "\u2028", "(", "{{", "-- ", "/*"],
    ];
    for (let n = 0; n < 20_000; n++) check(randomText(random, alphabet, 12));
  });
});

describe("collapseWhitespace", () => {
  /**
   * The rule written plainly, character by character: a quote opens a literal or identifier
   * when a closing one follows (`''` / `""` inside are escapes), the longest such (as the
   * pattern matches it), whose text is kept; elsewhere each whitespace run is one space; the
   * whole trimmed.
   */
  function reference(sql: string): string {
    let out = "";
    let i = 0;
    while (i < sql.length) {
      const q = sql[i]!;
      if (q === "'" || q === '"') {
        // Each quote the text so far (other characters and doubled quotes) may close at.
        let close = -1;
        for (let j = i + 1; j < sql.length; j++) {
          if (sql[j] !== q) continue;
          close = j;
          if (sql[j + 1] !== q) break;
          j++;
        }
        if (close >= 0) {
          out += sql.slice(i, close + 1);
          i = close + 1;
          continue;
        }
      }
      if (/\s/.test(q)) {
        while (i < sql.length && /\s/.test(sql[i]!)) i++;
        out += " ";
        continue;
      }
      out += q;
      i++;
    }
    return out.trim();
  }

  it("equals the rule on 20,000 random texts of quotes, whitespace and words", () => {
    const random = seededRandom(17);
    const alphabet = [
      ...["a", "b", ".", " ", "  ", "\n", "\t", "'", '"', "''", '""', "x y"],
      ...["\u00a0", "\u2028", "\ufeff", "\u3000", "\u0085", "é", "`"],
    ];
    for (let n = 0; n < 20_000; n++) {
      const sql = randomText(random, alphabet, 13);
      expect([sql, collapseWhitespace(sql)]).toEqual([sql, reference(sql)]);
    }
  });

  it("writes the bytes Node hashes for the rule's text, surrogates and all (5,000 texts)", () => {
    const random = seededRandom(29);
    const alphabet = [
      ...["a", " ", "\n", "'", '"', "\u00a0", "é", "ß", "€", "\u0800", "\uffff"],
      ...["\ud83d\ude00", "\ud83d", "\ude00", "\udbff\udfff", "\u0000", "\u007f", "\u0080"],
    ];
    const scratch = byteScratch();
    for (let n = 0; n < 5_000; n++) {
      const sql = randomText(random, alphabet, 16);
      const bytes = collapsedUtf8(sql, scratch);
      expect([sql, hash("sha256", bytes, "hex")]).toEqual([
        sql,
        hash("sha256", reference(sql), "hex"),
      ]);
    }
  });
});

describe("neutralSql", () => {
  const relation = (id: string, schema: string, name: string) => ({
    id,
    relation: { schema, name },
  });
  const keys = relationKeys({
    nodes: [
      relation("model.m", "MARTS", "m"),
      relation("model.p", "staging", "p"),
      relation("source.raw.events", "raw", "events"),
    ],
  } as unknown as CompiledProject);
  const node = (sql: string, incrementalSql?: string) =>
    ({
      id: "model.m",
      dependsOn: ["model.p", "source.raw.events"],
      sql,
      incrementalSql,
    }) as CompiledNode;

  it("writes relations as ids, drops the raw window and collapses whitespace", () => {
    const sql = 'select  p.x,\n "a  b" from "staging"."p" p join sluice_raw_window("raw"."events")';
    expect(neutralSql(node(sql), keys)).toBe(
      'select p.x, "a  b" from {{model.p}} p join {{source.raw.events}} -- incremental',
    );
    expect(neutralSql(node(sql, "select 1 from MARTS.M"), keys)).toBe(
      'select p.x, "a  b" from {{model.p}} p join {{source.raw.events}} -- incremental select 1 from {{model.m}}',
    );
  });
});
