import { duckdbLiteral, duckdbStringLiteral, quoteDuckdbIdentifier } from "./duckdb-escape.js";

/** A column and its DuckDB type (`varchar`, `decimal(18,2)`, ...). */
export interface TypedColumn {
  name: string;
  type: string;
}

const q = quoteDuckdbIdentifier;

/** A value as text for a CAST to a column's type: the exact text of numbers, JSON for lists and maps. */
function castText(value: unknown): string {
  if (value === null || value === undefined) return "NULL";
  if (typeof value === "object") return duckdbStringLiteral(JSON.stringify(value));
  return duckdbStringLiteral(String(value));
}

/**
 * A SELECT of mock rows in the column order and types of `columns` (a unit test's input or
 * expectation): a column the rows do not give is a typed NULL, a given value is cast to its
 * column's type from its text (`'19.99'` → DECIMAL exactly). Columns the rows give that
 * `columns` lacks keep their own literal type, after the typed ones. Zero rows give an empty
 * SELECT of the same columns.
 *
 * @example mockRowsSql([{ name: "id", type: "bigint" }, { name: "c", type: "varchar" }], ["id"], [[1]])
 * // SELECT CAST(v."id" AS bigint) AS "id", CAST(NULL AS varchar) AS "c" FROM (VALUES ('1')) AS v("id")
 */
export function mockRowsSql(
  columns: readonly TypedColumn[],
  given: readonly string[],
  rows: readonly (readonly unknown[])[],
): string {
  const typed = new Set(columns.map((c) => c.name.toLowerCase()));
  const index = new Map(given.map((g, i) => [g.toLowerCase(), i]));
  const extra = given.filter((g) => !typed.has(g.toLowerCase()));
  const select = [
    ...columns.map((c) =>
      index.has(c.name.toLowerCase())
        ? `CAST(v.${q(given[index.get(c.name.toLowerCase())!]!)} AS ${c.type}) AS ${q(c.name)}`
        : `CAST(NULL AS ${c.type}) AS ${q(c.name)}`,
    ),
    ...extra.map((g) => `v.${q(g)} AS ${q(g)}`),
  ];
  if (select.length === 0) return "SELECT 1 AS __no_columns WHERE FALSE";
  if (given.length === 0 || rows.length === 0) {
    const nulls = given.map((g) => `NULL AS ${q(g)}`);
    const from = nulls.length > 0 ? ` FROM (SELECT ${nulls.join(", ")}) AS v` : "";
    return `SELECT ${select.join(", ")}${from} WHERE FALSE`;
  }
  const isTyped = (g: string) => typed.has(g.toLowerCase());
  const values = rows
    .map(
      (r) =>
        `(${given.map((g, i) => (isTyped(g) ? castText(r[i]) : duckdbLiteral(r[i] ?? null))).join(", ")})`,
    )
    .join(", ");
  return `SELECT ${select.join(", ")} FROM (VALUES ${values}) AS v(${given.map(q).join(", ")})`;
}

/**
 * Rows of a user's SELECT (`format: sql`) in the order and types of `columns`: each column the
 * query returns is cast to its type, the others are typed NULLs.
 */
export function mockQuerySql(
  columns: readonly TypedColumn[],
  returned: readonly string[],
  query: string,
): string {
  if (columns.length === 0) return query;
  const has = new Map(returned.map((r) => [r.toLowerCase(), r]));
  const select = columns.map((c) => {
    const own = has.get(c.name.toLowerCase());
    return own === undefined
      ? `CAST(NULL AS ${c.type}) AS ${q(c.name)}`
      : `CAST(s.${q(own)} AS ${c.type}) AS ${q(c.name)}`;
  });
  return `SELECT ${select.join(", ")} FROM (${query}\n) AS s`;
}

/** `CREATE OR REPLACE TABLE schema.name AS <select>`, with the schema created first. */
export function createMockTableSql(schema: string, name: string, select: string): string {
  return `CREATE SCHEMA IF NOT EXISTS ${q(schema)};\nCREATE OR REPLACE TABLE ${q(schema)}.${q(name)} AS ${select}`;
}

/** An empty table with the columns and types a SELECT returns (no row is computed). */
export function createEmptyTableSql(schema: string, name: string, select: string): string {
  return createMockTableSql(schema, name, `SELECT * FROM (${select}\n) AS s LIMIT 0`);
}

/** The columns of a table: `column_name`, `column_type`. */
export function describeTableSql(schema: string, name: string): string {
  return `DESCRIBE ${q(schema)}.${q(name)}`;
}

/** `SELECT "a", "b" FROM schema.name`: the columns compared, in the expectation's order. */
export function selectColumnsSql(schema: string, name: string, columns: readonly string[]): string {
  return `SELECT ${columns.map(q).join(", ")} FROM ${q(schema)}.${q(name)}`;
}

/** Drop a schema and everything in it (a unit test's mocks, between tests). */
export function dropSchemaSql(schema: string): string {
  return `DROP SCHEMA IF EXISTS ${q(schema)} CASCADE`;
}
