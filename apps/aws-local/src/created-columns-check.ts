import type { DuckDBConnection } from "@duckdb/node-api";
import { createdColumnsProblem, type CreatedColumn } from "@sluice/dialects";
import { AthenaFailure } from "./athena-failure.js";

/** An expression of DuckDB's serialized parse tree (`json_serialize_sql`), as far as read here. */
interface ParsedExpression {
  class: string;
  alias: string;
  column_names?: string[];
  value?: { type?: { id?: string } };
}

interface ParsedNode {
  type: string;
  select_list?: ParsedExpression[];
  left?: ParsedNode;
}

/**
 * Fail a CREATE TABLE AS or CREATE VIEW whose query's columns Athena refuses (see
 * createdColumnsProblem: an expression without AS, a name twice, a bare NULL), as Athena does
 * before reading anything: `MISSING_COLUMN_NAME: line 1:1: Column name not specified at
 * position 2`. DuckDB runs such a query (it names and renames the columns itself), so without
 * this the double built tables the service refuses. `select` must be bound on `conn` (its
 * tables exposed); `describeNames` gives its result's column names as DESCRIBE does (repeats
 * kept), asked only when a `*` is there. `at` is the statement's `line:column`. A query DuckDB
 * cannot parse or bind is left to the statement's own run.
 */
export async function checkCreatedColumns(
  conn: DuckDBConnection,
  select: string,
  at: string,
  describeNames: () => Promise<string[]>,
): Promise<void> {
  const parsed = await conn.runAndReadAll(`SELECT json_serialize_sql(${sqlString(select)})`);
  const tree = JSON.parse(String(parsed.getRows()[0]?.[0] ?? "{}")) as {
    error?: boolean;
    statements?: { node: ParsedNode }[];
  };
  let node = tree.error ? undefined : tree.statements?.[0]?.node;
  // A UNION's columns are named by its left-most SELECT, and typed by all of them.
  const union = node?.type === "SET_OPERATION_NODE";
  while (node?.type === "SET_OPERATION_NODE") node = node.left;
  const items = node?.type === "SELECT_NODE" ? node.select_list : undefined;
  if (items === undefined) return;
  const stars = items.filter((e) => e.class === "STAR").length;
  const names = stars === 0 ? undefined : await describeNames().catch(() => undefined);
  if (stars > 0 && names === undefined) return;
  const lastStar = items.map((e) => e.class).lastIndexOf("STAR");
  const columns = items.map((e, i): CreatedColumn => {
    if (e.class === "STAR") return { star: true };
    // After the last *, the columns are the result's last ones.
    const position =
      names !== undefined && i > lastStar ? names.length - (items.length - i) + 1 : undefined;
    const name =
      e.alias !== "" ? e.alias : e.class === "COLUMN_REF" ? e.column_names?.at(-1) : undefined;
    return {
      ...(name === undefined ? {} : { name }),
      ...(!union && e.class === "CONSTANT" && e.value?.type?.id === "NULL"
        ? { untyped: true }
        : {}),
      ...(position === undefined ? {} : { position }),
    };
  });
  // The names a * brings in are the result's (DESCRIBE keeps a repeated name as it is).
  const problem =
    createdColumnsProblem(columns) ??
    (names === undefined ? undefined : createdColumnsProblem(names.map((name) => ({ name }))));
  if (problem) throw new AthenaFailure(problem.errorName, `${at}: ${problem.message}`);
}

const sqlString = (text: string): string => `'${text.replaceAll("'", "''")}'`;
