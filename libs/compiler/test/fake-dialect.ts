import type { Dialect, Relation, Statement, TableWrite } from "@sluice/dialects";

const stmt = (kind: Statement["kind"], sql: string): Statement => ({
  kind,
  sql,
  grammar: "duckdb",
});

/** A tiny dialect whose text is easy to assert on: identifiers in `[]`, strings in `'…'`. */
export function fakeDialect(): Dialect {
  const q = (name: string) => `[${name.replace(/]/g, "]]")}]`;
  const rel = (r: Relation) => `${q(r.schema)}.${q(r.name)}`;
  const literal = (v: unknown): string => {
    if (v === null || v === undefined) return "NULL";
    if (typeof v === "number" || typeof v === "bigint") return String(v);
    if (typeof v === "boolean") return v ? "TRUE" : "FALSE";
    return `'${String(v).replace(/'/g, "''")}'`;
  };
  const write = (verb: string, w: TableWrite) =>
    `${verb} ${rel(w.relation)} AT '${w.location}' ID ${w.writeId}${w.partitionedBy.length ? ` PARTITIONED (${w.partitionedBy.join(", ")})` : ""} AS\n${w.selectSql}`;
  return {
    name: "duckdb",
    queryGrammar: "duckdb",
    // Neither a LakeDialect nor a CatalogDialect (it has none of their members): "catalog", with
    // no Iceberg tables, makes it merge nothing and mark no window reads, as compiling needs.
    family: "catalog",
    capabilities: { maxPartitionsPerWrite: undefined, icebergTables: false, modelSql: "trino" },
    quoteIdentifier: q,
    quoteRelation: rel,
    querySql: (sql) => sql,
    selectIncoming: (sql, columns) =>
      `SELECT ${columns.map((c) => (c.missingType ? `NULL AS ${q(c.name)}` : q(c.name))).join(", ")} FROM (${sql})`,
    selectMax: (r, c) => `SELECT max(${q(c)}) AS watermark FROM ${rel(r)}`,
    countRows: (r) => `SELECT count(*) AS n FROM ${rel(r)}`,
    literal,
    createSchema: (s) => [stmt("create_schema", `CREATE SCHEMA ${q(s)}`)],
    createTableAs: (w) => [stmt("create_table_as", write("CTAS", w))],
    insertInto: (w) => [stmt("insert", write("INSERT", w))],
    createView: (r, sql) => [stmt("create_view", `VIEW ${rel(r)} AS\n${sql}`)],
    dropTable: (r) => [stmt("drop_table", `DROP TABLE ${rel(r)}`)],
    rawSource: (s) => [
      stmt(
        "create_view",
        `RAW ${rel(s.relation)} FROM '${s.location}' START '${s.projectionStart}'`,
      ),
    ],
    assertion: (sql) => stmt("select", `ASSERT (\n${sql}\n)`),
    limit: (sql, n) => `${sql} LIMIT ${n}`,
    selectColumns: (sql, columns) => `COLUMNS (${columns.map(q).join(", ")}) OF (\n${sql}\n)`,
    selectPartitions: (r, columns, values, from) =>
      `PARTITIONS ${columns.map((c) => q(c.name)).join(", ")} = ${JSON.stringify(values)} OF ${from ?? rel(r)}`,
    selectRowsOfKeys: (r, key, columns, values, rows) =>
      `KEYS ${q(key)} OF ${rel(r)} IN ${JSON.stringify(values)} OR (${rows})`,
    selectKeysNearFirst: (r, column, field, rows, near) =>
      `NEAR ${q(field)} OF ${rel(r)} FOR ${q(column)} OF (${rows}) IN (${near})`,
  };
}
