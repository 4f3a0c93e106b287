import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

// The runner executes what the pure side (compiler plan, dialects) writes: no SQL text of its own.
// This reads every string literal and template text of libs/runner/src (comments do not count) and
// fails on SQL in them.
const SRC = path.dirname(fileURLToPath(import.meta.url));

/** SQL clauses (upper case, as the dialects write them) and the functions a statement counts with. */
const SQL =
  /\b(SELECT|INSERT|UPDATE|DELETE|MERGE|CREATE|DROP|ALTER|WITH|FROM|WHERE|JOIN|UNION|GROUP BY|ORDER BY|LIMIT|DISTINCT)\b|\b(count|max|min|sum|read_parquet|cast|coalesce)\(/;

/**
 * Literals that name SQL without being SQL, each with why it stays (file → literal text).
 * Keep it short: SQL that runs belongs in libs/dialects or libs/compiler/src/plan.
 */
const ALLOWED: ReadonlyMap<string, readonly { text: RegExp; why: string }[]> = new Map([
  [
    "freshness/source-freshness.ts",
    [{ text: /^max\($/, why: "a result message naming the expression, `max(loaded_at)`" }],
  ],
  [
    "athena/catalog-steps.ts",
    [{ text: /^the INSERT went past the partition limit/, why: "an error message" }],
  ],
]);

/** Every string literal and template part of a TypeScript source, with its line. */
function stringTexts(source: string): { text: string; line: number }[] {
  const file = ts.createSourceFile("x.ts", source, ts.ScriptTarget.Latest, true);
  const texts: { text: string; line: number }[] = [];
  const add = (node: ts.Node, text: string) =>
    texts.push({ text, line: file.getLineAndCharacterOfPosition(node.getStart()).line + 1 });
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) add(node, node.text);
    else if (ts.isTemplateExpression(node)) {
      add(node.head, node.head.text);
      for (const span of node.templateSpans) add(span.literal, span.literal.text);
    }
    // Import and export specifiers are module paths, not text.
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
    ts.forEachChild(node, visit);
  };
  visit(file);
  return texts;
}

/** SQL-looking literals of a source not in its allow-list, as `file:line: text`. */
function sqlLiterals(relative: string, source: string): string[] {
  const allowed = ALLOWED.get(relative) ?? [];
  return stringTexts(source)
    .filter(({ text }) => SQL.test(text) && !allowed.some((a) => a.text.test(text)))
    .map(({ text, line }) => `${relative}:${line}: ${JSON.stringify(text)}`);
}

const sources = (readdirSync(SRC, { recursive: true }) as string[])
  .filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts"))
  .map((f) => f.split(path.sep).join("/"));

describe("the runner writes no SQL of its own", () => {
  it("no string literal in libs/runner/src holds SQL (it is the dialects' or the plan's)", () => {
    expect(sources.length).toBeGreaterThan(30);
    const found = sources.flatMap((f) => sqlLiterals(f, readFileSync(path.join(SRC, f), "utf8")));
    expect(found).toEqual([]);
  });

  it("finds SQL in literals and templates, not in comments or messages", () => {
    const sql = [
      "// SELECT * FROM t in a comment",
      "const a = `SELECT * FROM ${relation} WHERE FALSE`;",
      "const b = 'x' + ` OR ${key} IN (SELECT ${key} FROM (${rows}) AS n)`;",
      'const c = "select count(*) AS n";',
      "const d = `${n} failing rows from the last run`;",
    ].join("\n");
    expect(sqlLiterals("x.ts", sql).map((s) => s.split(":")[1])).toEqual(["2", "2", "3", "3", "4"]);
  });

  it("every allow-listed literal is still there (a stale entry would hide new SQL)", () => {
    for (const [file, entries] of ALLOWED) {
      const texts = stringTexts(readFileSync(path.join(SRC, file), "utf8")).map((t) => t.text);
      for (const entry of entries)
        expect(
          texts.some((t) => entry.text.test(t)),
          `${file}: ${entry.why}`,
        ).toBe(true);
    }
  });
});
