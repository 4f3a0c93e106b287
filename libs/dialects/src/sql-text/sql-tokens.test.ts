import { describe, expect, it } from "vitest";
import { scanSqlTokens, tokenizeSql } from "./sql-tokens.js";
import type { SqlTokenSpans } from "./sql-tokens.js";

const kinds = (sql: string) => {
  const tokens = tokenizeSql(sql);
  return Array.isArray(tokens) ? tokens.map((t) => `${t.kind}:${t.text}@${t.offset}`) : tokens;
};

describe("tokenizeSql", () => {
  it("splits words, strings, quoted names, comments, parentheses and the rest", () => {
    expect(kinds("select a_$1, 'it''s' -- c\n/* b */ (\"x;\") `y`;-/")).toEqual([
      "word:select@0",
      "word:a_$1@7",
      "other:,@11",
      "string:'it''s'@13",
      "comment:-- c@21",
      "comment:/* b */@26",
      "open:(@34",
      'quoted:"x;"@35',
      "close:)@39",
      "quoted:`y`@41",
      "semicolon:;@44",
      "other:-@45",
      "other:/@46",
    ]);
  });

  it("drops every blank /\\s/ knows, Unicode ones too (no-break space, line separator, BOM)", () => {
    expect(kinds("a\t\u000bb\u00a0c\u2028d\ufeffé")).toEqual([
      "word:a@0",
      "word:b@3",
      "word:c@5",
      "word:d@7",
      "other:é@9",
    ]);
  });

  it("reports what it cannot close, at its start", () => {
    expect(tokenizeSql("a = 'x")).toEqual({ message: "unterminated string", offset: 4 });
    expect(tokenizeSql('a = "x')).toEqual({ message: "unterminated quoted name", offset: 4 });
    expect(tokenizeSql("a /* x")).toEqual({ message: "unterminated /* comment", offset: 2 });
  });

  it("keeps every token of a text made mostly of one-character tokens", () => {
    const sql = "(".repeat(300) + "x" + ")".repeat(300) + " ; 9";
    const tokens = kinds(sql) as string[];
    expect(tokens).toHaveLength(603);
    expect(tokens.slice(299, 302)).toEqual(["open:(@299", "word:x@300", "close:)@301"]);
    expect(tokens.slice(-2)).toEqual(["semicolon:;@602", "other:9@604"]);
  });

  it("scans into given spans as into new ones, whatever they held", () => {
    const into: SqlTokenSpans = { count: 0, kinds: [], starts: [], ends: [] };
    const span = (t: SqlTokenSpans) =>
      Array.from({ length: t.count }, (_, k) => [t.kinds[k], t.starts[k], t.ends[k]]);
    for (const sql of ["select f(x, 'y') -- z\nfrom t;", "a(b)", "", "(".repeat(40) + "c"]) {
      const fresh = scanSqlTokens(sql) as SqlTokenSpans;
      const reused = scanSqlTokens(sql, into);
      expect(reused).toBe(into);
      expect(into.count).toBe(fresh.count);
      expect(span(into)).toEqual(span(fresh));
    }
    expect(scanSqlTokens("a 'b", into)).toEqual({ message: "unterminated string", offset: 2 });
  });
});
