import { incomingColumnsSql } from "../sql-text/incoming-columns.js";
import type {
  CatalogDialect,
  DialectCapabilities,
  RawSourceSpec,
  Relation,
  Statement,
  StatementKind,
  TableWrite,
} from "../dialect.js";
import {
  directory,
  hiveIdentifier,
  hiveString,
  trinoIdentifier,
  trinoLiteral,
  trinoString,
} from "./athena-escape.js";
import { typedLiteral } from "./athena-partition-literal.js";
import { partitionRowsSql } from "../sql-text/partition-rows.js";
import { rawSourceTable } from "./athena-raw-source.js";
import { hiveType } from "./athena-types.js";

/** Athena engine v3 capabilities for Hive (Glue) tables. */
export const athenaCapabilities: DialectCapabilities = {
  maxPartitionsPerWrite: 100,
  // MERGE needs Iceberg tables (`mergeInto`); Hive tables cannot be merged.
  icebergTables: true,
  modelSql: "trino",
};

/**
 * The Athena (engine v3) dialect. Hive DDL (CREATE DATABASE, CREATE EXTERNAL TABLE, DROP TABLE)
 * is emitted with backtick identifiers and grammar `hive`; everything else (SELECT, CTAS,
 * INSERT, views) is Trino SQL with double-quoted identifiers and grammar `trino`.
 *
 * @example
 * const d = createAthenaDialect();
 * d.createTableAs({ relation: { schema: "silver", name: "orders" }, selectSql: "select ...",
 *   partitionedBy: ["event_date"], location: "s3://lake/silver/orders/v1", writeId: "v1" });
 * // [{ kind: "create_table_as", grammar: "trino",
 * //    sql: `CREATE TABLE "silver"."orders" WITH (format = 'PARQUET', ...) AS\nselect ...` }]
 */
/** The Athena dialect: a catalog dialect (Hive DDL and Trino SQL for Athena + Glue). */
export type AthenaDialect = CatalogDialect;

export function createAthenaDialect(): AthenaDialect {
  const trino = (kind: StatementKind, sql: string): Statement => ({ kind, sql, grammar: "trino" });
  const hive = (kind: StatementKind, sql: string): Statement => ({ kind, sql, grammar: "hive" });
  const quoteRelation = (r: Relation) => `${trinoIdentifier(r.schema)}.${trinoIdentifier(r.name)}`;
  const hiveRelation = (r: Relation) => `${hiveIdentifier(r.schema)}.${hiveIdentifier(r.name)}`;

  return {
    name: "athena",
    family: "catalog",
    queryGrammar: "trino",
    capabilities: athenaCapabilities,
    quoteIdentifier: trinoIdentifier,
    quoteRelation,
    querySql: (sql) => sql,
    literal: trinoLiteral,

    createSchema(schema, location) {
      const at = location === undefined ? "" : ` LOCATION ${hiveString(directory(location))}`;
      return [
        hive("create_schema", `CREATE DATABASE IF NOT EXISTS ${hiveIdentifier(schema)}${at}`),
      ];
    },

    createTableAs(write: TableWrite) {
      const iceberg = write.tableType === "iceberg";
      const properties = iceberg
        ? [
            `table_type = 'ICEBERG'`,
            `is_external = false`,
            `location = ${trinoString(directory(write.location))}`,
            `format = 'PARQUET'`,
            `write_compression = 'ZSTD'`,
          ]
        : [
            `format = 'PARQUET'`,
            `write_compression = 'ZSTD'`,
            `external_location = ${trinoString(directory(write.location))}`,
          ];
      if (write.partitionedBy.length > 0) {
        const list = `ARRAY[${write.partitionedBy.map(trinoString).join(", ")}]`;
        properties.push(iceberg ? `partitioning = ${list}` : `partitioned_by = ${list}`);
      }
      const sql = `CREATE TABLE ${quoteRelation(write.relation)}\nWITH (\n  ${properties.join(",\n  ")}\n)\nAS\n${body(write.selectSql)}`;
      return [trino("create_table_as", sql)];
    },

    insertInto(write: TableWrite) {
      const columns =
        write.columns === undefined || write.columns.length === 0
          ? ""
          : ` (${write.columns.map(trinoIdentifier).join(", ")})`;
      return [
        trino(
          "insert",
          `INSERT INTO ${quoteRelation(write.relation)}${columns}\n${body(write.selectSql)}`,
        ),
      ];
    },

    mergeInto(relation, selectSql, uniqueKey, columns) {
      const col = (alias: string, c: string) => `${alias}.${trinoIdentifier(c)}`;
      const on = uniqueKey
        .map((k) => `${col("sluice_target", k)} = ${col("sluice_src", k)}`)
        .join(" AND ");
      const updated = columns.filter((c) => !uniqueKey.includes(c));
      const lines = [
        `MERGE INTO ${quoteRelation(relation)} AS sluice_target`,
        `USING (\n${body(selectSql)}\n) AS sluice_src`,
        `ON ${on}`,
        ...(updated.length === 0
          ? []
          : [
              `WHEN MATCHED THEN UPDATE SET ${updated.map((c) => `${trinoIdentifier(c)} = ${col("sluice_src", c)}`).join(", ")}`,
            ]),
        `WHEN NOT MATCHED THEN INSERT (${columns.map(trinoIdentifier).join(", ")}) VALUES (${columns.map((c) => col("sluice_src", c)).join(", ")})`,
      ];
      return [trino("merge", lines.join("\n"))];
    },

    createView(relation, selectSql) {
      return [
        trino(
          "create_view",
          `CREATE OR REPLACE VIEW ${quoteRelation(relation)} AS\n${body(selectSql)}`,
        ),
      ];
    },

    addColumns(relation, columns) {
      if (columns.length === 0) return [];
      const list = columns.map((c) => `${hiveIdentifier(c.name)} ${hiveType(c.type)}`).join(", ");
      return [hive("alter_table", `ALTER TABLE ${hiveRelation(relation)} ADD COLUMNS (${list})`)];
    },

    replaceColumns(relation, columns) {
      const list = columns.map((c) => `${hiveIdentifier(c.name)} ${hiveType(c.type)}`).join(", ");
      return [
        hive("alter_table", `ALTER TABLE ${hiveRelation(relation)} REPLACE COLUMNS (${list})`),
      ];
    },

    dropTable(relation) {
      return [hive("drop_table", `DROP TABLE IF EXISTS ${hiveRelation(relation)}`)];
    },

    rawSource(spec: RawSourceSpec) {
      return [hive("create_external_table", rawSourceTable(hiveRelation(spec.relation), spec))];
    },

    assertion(failingRowsSql) {
      return trino(
        "select",
        `SELECT count(*) AS failures FROM (\n${body(failingRowsSql)}\n) AS sluice_assertion`,
      );
    },

    selectDistinct(relation, columns) {
      const list = columns.map(trinoIdentifier).join(", ");
      return `SELECT DISTINCT ${list} FROM ${quoteRelation(relation)} ORDER BY ${list}`;
    },

    ...partitionRowsSql(trinoIdentifier, quoteRelation, (text, type) =>
      type === undefined ? trinoString(text) : typedLiteral(text, type),
    ),

    selectAll: (relation) => `SELECT * FROM ${quoteRelation(relation)}`,

    limit(sql, limit) {
      if (!Number.isSafeInteger(limit) || limit < 0)
        throw new RangeError(`limit(): not a row count: ${limit}`);
      return `SELECT * FROM (\n${body(sql)}\n) AS sluice_limit LIMIT ${limit}`;
    },

    selectIncoming: (selectSql, columns) => incomingColumnsSql(trinoIdentifier, selectSql, columns),
    selectMax: (relation, column) =>
      `SELECT max(${trinoIdentifier(column)}) AS watermark FROM ${quoteRelation(relation)}`,
    countRows: (relation) => `SELECT count(*) AS n FROM ${quoteRelation(relation)}`,

    selectColumns(sql, columns) {
      const list = columns.map(trinoIdentifier).join(", ");
      return `SELECT ${list} FROM (\n${body(sql)}\n) AS sluice_columns`;
    },
  };
}

/** A model's SELECT without trailing `;` or blank space, so it can be embedded in a statement. */
function body(selectSql: string): string {
  return selectSql.replace(/[\s;]+$/, "");
}
