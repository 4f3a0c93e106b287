import { isSqlTextProblem, tokenizeSql } from "../sql-text/sql-tokens.js";

/**
 * The grammar Athena parses a statement written by hand with (a model's hook, say): its DDL
 * (CREATE EXTERNAL TABLE, CREATE TABLE without AS, ALTER, DROP TABLE/DATABASE, MSCK REPAIR
 * TABLE, SHOW, DESCRIBE, CREATE DATABASE) goes to Hive; everything else (SELECT, CTAS, INSERT,
 * views, ANALYZE...) to Trino. Comments before the first word are skipped.
 *
 * @example
 * athenaStatementGrammar("msck repair table `s`.`t`"); // "hive"
 * athenaStatementGrammar('create table "s"."t" with (format = \'PARQUET\') as select 1'); // "trino"
 */
export function athenaStatementGrammar(sql: string): "trino" | "hive" {
  const tokens = tokenizeSql(sql);
  if (isSqlTextProblem(tokens)) return "trino";
  const words = tokens.filter((t) => t.kind !== "comment");
  const word = (k: number): string =>
    words[k]?.kind === "word" ? words[k]!.text.toLowerCase() : "";
  const first = word(0);
  if (first === "msck" || first === "show" || first === "alter") return "hive";
  if (first === "describe") return ["input", "output"].includes(word(1)) ? "trino" : "hive";
  if (first === "drop") return word(1) === "view" ? "trino" : "hive";
  if (first !== "create") return "trino";
  const kind = word(1) === "or" ? word(3) : word(1);
  if (kind === "external" || kind === "database" || kind === "schema") return "hive";
  if (kind !== "table") return "trino";
  // CREATE TABLE ... AS SELECT (a CTAS) is Trino's; without AS it is Hive DDL.
  const isCtas = words.some(
    (t, k) =>
      t.kind === "word" &&
      t.text.toLowerCase() === "as" &&
      (words[k + 1]?.kind === "open" || ["select", "with", "values"].includes(word(k + 1))),
  );
  return isCtas ? "trino" : "hive";
}
