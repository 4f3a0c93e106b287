import { HiveSQL, TrinoSQL } from "dt-sql-parser";

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
