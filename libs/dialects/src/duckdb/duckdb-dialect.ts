import type { Dialect, RawSourceSpec, Relation, Statement, StatementKind, TableWrite } from "../dialect.js";
import { duckdbLiteral, duckdbStringLiteral, quoteDuckdbIdentifier } from "./duckdb-escape.js";

/** Marks a view that stands for a table; the rest of the comment is the data location. */
export const DUCKDB_TABLE_COMMENT_PREFIX = "sluice:table location=";

const statement = (kind: StatementKind, sql: string): Statement => ({ kind, sql, grammar: "duckdb" });

const quoteRelation = (relation: Relation): string =>
  `${quoteDuckdbIdentifier(relation.schema)}.${quoteDuckdbIdentifier(relation.name)}`;

/** Model SQL may end with `;` or a line comment; wrap it so it can sit inside parentheses. */
const subquery = (sql: string): string => `(\n${sql.trim().replace(/;\s*$/, "")}\n)`;

/** File names must be unique per write and safe in a path and a COPY pattern. */
function fileStem(writeId: string): string {
  const safe = writeId.replace(/[^A-Za-z0-9_-]/g, "_");
  if (safe === "") throw new TypeError("writeId must not be empty");
  return `part-${safe}`;
}

const parquetGlob = (location: string): string => `${location.replace(/\/+$/, "")}/**/*.parquet`;

/** COPY of the rows into `location`: one file, or Hive-style folders when partitioned. */
function copyRows(write: TableWrite): Statement {
  const location = write.location.replace(/\/+$/, "");
  const stem = fileStem(write.writeId);
  if (write.partitionedBy.length === 0) {
    return statement(
      "copy",
      `COPY ${subquery(write.selectSql)} TO ${duckdbStringLiteral(`${location}/${stem}.parquet`)} (FORMAT parquet, COMPRESSION zstd)`,
    );
  }
  // Partition columns stay inside the files too: the view then reads them back with their
  // exact types (hive autocast would turn '01' into 1), and null keys keep being null.
  const partitionBy = write.partitionedBy.map(quoteDuckdbIdentifier).join(", ");
  return statement(
    "copy",
    `COPY ${subquery(write.selectSql)} TO ${duckdbStringLiteral(location)} (FORMAT parquet, COMPRESSION zstd, ` +
      `PARTITION_BY (${partitionBy}), WRITE_PARTITION_COLUMNS true, ` +
      `FILENAME_PATTERN ${duckdbStringLiteral(`${stem}-{i}`)}, OVERWRITE_OR_IGNORE true)`,
  );
}

/**
 * A partitioned COPY of zero rows writes no file, and read_parquet of an empty glob fails;
 * a zero-row file at the root keeps the table readable and its schema known.
 */
function copySchemaFile(write: TableWrite): Statement {
  const location = write.location.replace(/\/+$/, "");
  return statement(
    "copy",
    `COPY (SELECT * FROM ${subquery(write.selectSql)} AS t LIMIT 0) TO ` +
      `${duckdbStringLiteral(`${location}/${fileStem(write.writeId)}-schema.parquet`)} (FORMAT parquet, COMPRESSION zstd)`,
  );
}

/**
 * The local lake dialect: tables are Parquet (ZSTD) folders exposed as DuckDB views over
 * `read_parquet`, so publishing a new version is swapping the view.
 *
 * @example
 * const d = createDuckdbDialect();
 * d.createTableAs({ relation: { schema: "silver", name: "events" }, selectSql: "select ...",
 *   partitionedBy: ["event_date"], location: "/lake/silver/events/v_1", writeId: "1" });
 */
export function createDuckdbDialect(): Dialect {
  const createSchema = (schema: string): Statement[] => [
    statement("create_schema", `CREATE SCHEMA IF NOT EXISTS ${quoteDuckdbIdentifier(schema)}`),
  ];
  const dropView = (relation: Relation): Statement[] => [
    statement("drop_view", `DROP VIEW IF EXISTS ${quoteRelation(relation)}`),
  ];

  return {
    name: "duckdb",
    capabilities: {
      supportsCreateOrReplaceTable: true,
      supportsMerge: false,
      publishesTablesAsViews: true,
    },
    quoteIdentifier: quoteDuckdbIdentifier,
    quoteRelation,
    literal: duckdbLiteral,
    createSchema,
    createTableAs(write) {
      const statements = [...createSchema(write.relation.schema), copyRows(write)];
      if (write.partitionedBy.length > 0) statements.push(copySchemaFile(write));
      const location = write.location.replace(/\/+$/, "");
      statements.push(
        statement(
          "create_view",
          `CREATE OR REPLACE VIEW ${quoteRelation(write.relation)} AS SELECT * FROM ` +
            `read_parquet(${duckdbStringLiteral(parquetGlob(location))}, hive_partitioning = false)`,
        ),
        statement(
          "create_view",
          `COMMENT ON VIEW ${quoteRelation(write.relation)} IS ${duckdbStringLiteral(DUCKDB_TABLE_COMMENT_PREFIX + location)}`,
        ),
      );
      return statements;
    },
    insertInto(write) {
      return [copyRows(write)];
    },
    createView(relation, selectSql) {
      return [statement("create_view", `CREATE OR REPLACE VIEW ${quoteRelation(relation)} AS\n${selectSql.trim().replace(/;\s*$/, "")}\n`)];
    },
    // A table is a view over files here: the engine deletes the files (removeStaleLocations).
    dropTable: (relation) => [statement("drop_table", `DROP VIEW IF EXISTS ${quoteRelation(relation)}`)],
    dropView,
    rawSource: (spec) => [...createSchema(spec.relation.schema), rawSourceView(spec)],
    assertion: (failingRowsSql) =>
      statement("select", `SELECT count(*) AS failures FROM ${subquery(failingRowsSql)} AS t`),
    limit(sql, limit) {
      if (!Number.isSafeInteger(limit) || limit < 0) throw new TypeError(`invalid limit ${limit}`);
      return `SELECT * FROM ${subquery(sql)} AS t LIMIT ${limit}`;
    },
  };
}

/**
 * One row per non-empty line of the Firehose files (`YYYY/MM/DD/HH/<name>[.gz]`). read_csv with
 * no quote, no escape and a NUL delimiter hands back each line untouched; `.gz` is detected
 * from the extension.
 */
function rawSourceView(spec: RawSourceSpec): Statement {
  const glob = `${spec.location.replace(/\/+$/, "")}/*/*/*/*/*`;
  return statement(
    "create_view",
    `CREATE OR REPLACE VIEW ${quoteRelation(spec.relation)} AS\n` +
      `SELECT line, regexp_extract(filename, '(\\d{4}/\\d{2}/\\d{2}/\\d{2})/[^/]*$', 1) AS dt\n` +
      `FROM read_csv(${duckdbStringLiteral(glob)}, columns = {'line': 'VARCHAR'}, header = false, ` +
      `auto_detect = false, delim = chr(0), quote = '', escape = '', new_line = '\\n', ` +
      `strict_mode = false, filename = true, max_line_size = 67108864)\n` +
      `WHERE line IS NOT NULL AND line <> ''`,
  );
}
