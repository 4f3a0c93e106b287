// The two parsers' own modules, not the package index: the index loads all of dt-sql-parser's
// grammars (20 MB of ANTLR code, 4.5 MB of it Trino's and Hive's), which vite transforms and every
// test file's worker then evaluates (~3 CPU-s a file).
import { HiveSQL } from "dt-sql-parser/dist/parser/hive/index.js";
import { TrinoSQL } from "dt-sql-parser/dist/parser/trino/index.js";

export { TrinoSQL };

/** The grammars a dialect statement can be written in (mirrors `Grammar` in @sluice/dialects). */
export type CheckedGrammar = "trino" | "hive" | "duckdb";

// Parsers are expensive to build (ANTLR ATN deserialisation); one instance per grammar.
let trino: TrinoSQL | undefined;
let hive: HiveSQL | undefined;

/**
 * Syntax errors of one statement under the grammar Athena routes it to (dt-sql-parser's
 * TrinoSQL for Trino statements, HiveSQL for Hive DDL). DuckDB statements are not checked
 * (no DuckDB grammar in dt-sql-parser) and yield `[]`.
 *
 * dt-sql-parser is published as ES modules with directory imports, so it loads under
 * vitest/vite only: use this from tests.
 *
 * @example
 * expect(grammarErrors({ sql: "select 1", grammar: "trino" })).toEqual([]);
 * grammarErrors({ sql: "selec 1", grammar: "trino" }); // ["1:1 mismatched input 'selec' ..."]
 */
export function grammarErrors(statement: { sql: string; grammar: CheckedGrammar }): string[] {
  if (statement.grammar === "duckdb") return [];
  const parser =
    statement.grammar === "trino" ? (trino ??= new TrinoSQL()) : (hive ??= new HiveSQL());
  return parser.validate(statement.sql).map((e) => `${e.startLine}:${e.startColumn} ${e.message}`);
}
