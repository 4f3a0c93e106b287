import { incomingColumnsSql } from "../sql-text/incoming-columns.js";
import { partitionRowsSql } from "../sql-text/partition-rows.js";
import type {
  LakeDialect,
  RawSourceSpec,
  Relation,
  Statement,
  StatementKind,
  TableVersionState,
  TableWrite,
} from "../dialect.js";
import {
  duckdbGlobLiteral,
  duckdbLiteral,
  duckdbStringLiteral,
  quoteDuckdbIdentifier,
} from "./duckdb-escape.js";
import { copyFileRowsSql } from "./file-rows-copy.js";
import { RAW_LINE_SIZE_OPTIONS } from "./raw-line-size.js";
import { strictIntegerCasts } from "./trino-casts.js";
import {
  publishVersionRecordSql,
  recordVersionsSql,
  VERSIONS_CARRIED_COLUMN,
  versionsSetupSql,
} from "./version-records.js";
import type { TableVersionRef } from "./version-records.js";

/** Marks a view that stands for a table; the rest of the comment is the data location. */
export const DUCKDB_TABLE_COMMENT_PREFIX = "sluice:table location=";
/**
 * What the comment of a raw source's view starts with: the fingerprint of the statements that
 * made it follows (`LakeDialect.markSourceView`).
 */
export const DUCKDB_SOURCE_COMMENT_PREFIX = "sluice:source definition=";

const statement = (kind: StatementKind, sql: string): Statement => ({
  kind,
  sql,
  grammar: "duckdb",
});

const quoteRelation = (relation: Relation): string =>
  `${quoteDuckdbIdentifier(relation.schema)}.${quoteDuckdbIdentifier(relation.name)}`;

/**
 * Model SQL as the lake runs it: without a final `;`; when it is Trino SQL (`trinoCompat`), its
 * integer casts strict as Trino's (see trino-casts.ts).
 */
const modelSqlFor =
  (trinoCompat: boolean) =>
  (sql: string): string => {
    // After trim() (the same blanks as /\s/), /;\s*$/ can only match a final `;`.
    const trimmed = sql.trim();
    const text = trimmed.endsWith(";") ? trimmed.slice(0, -1) : trimmed;
    return trinoCompat ? strictIntegerCasts(text) : text;
  };

/** Model SQL may end with a line comment; wrap it so it can sit inside parentheses. */
const parenthesized = (sql: string): string => `(\n${sql}\n)`;

/** File names must be unique per write and safe in a path and a COPY pattern. */
function fileStem(writeId: string): string {
  const safe = writeId.replace(/[^A-Za-z0-9_-]/g, "_");
  if (safe === "") throw new TypeError("writeId must not be empty");
  return `part-${safe}`;
}

/** Where published table versions and their watermarks are recorded (in the lake catalog). */
export const DUCKDB_TABLE_STATE = "main.sluice_table_state";

/**
 * A version's files. Unified by column name unless they are known to share one schema: that
 * unification reads every file's footer at bind time, which a table of hourly files paid on
 * each query.
 */
const readParquet = (location: string, uniformSchema = false): string =>
  `read_parquet(${duckdbStringLiteral(parquetGlob(location))}, hive_partitioning = false${uniformSchema ? "" : ", union_by_name = true"})`;

/** Types whose text DuckDB reads back as the same value, and the literal prefix each needs. */
const LISTED_TYPES: Readonly<Record<string, string>> = {
  DATE: "DATE ",
  TIMESTAMP: "TIMESTAMP ",
  VARCHAR: "",
  TINYINT: "",
  SMALLINT: "",
  INTEGER: "",
  BIGINT: "",
};

/** A value of a listed subquery as a literal (see LakeDialect.listedLiteral). */
function listedLiteral(type: string, text: string): string | undefined {
  const prefix = LISTED_TYPES[type];
  if (prefix === undefined) return undefined;
  if (prefix === "" && type !== "VARCHAR") return /^-?\d+$/.test(text) ? text : undefined;
  return `${prefix}${duckdbStringLiteral(text)}`;
}

/**
 * Columns of the table-state table added after its first shape, in order: a lake from before
 * each was recorded gets it (NULL in its rows: not recorded, e.g. no column probe skipped).
 */
const ADDED_STATE_COLUMNS = [
  "raw_hours VARCHAR",
  "uniform_schema BOOLEAN",
  "raw_listed_at BIGINT",
  "pending_from VARCHAR",
  "inputs VARCHAR",
  "schema_id VARCHAR",
  "select_record VARCHAR",
];

/** The table-state table, created or brought up to date once per run (see Dialect.tableStateSetup). */
const tableStateSetup = (): Statement[] => [
  statement(
    "create_schema",
    `CREATE TABLE IF NOT EXISTS ${DUCKDB_TABLE_STATE} (schema_name VARCHAR, table_name VARCHAR, location VARCHAR, watermark VARCHAR, run_id VARCHAR, raw_hours VARCHAR, uniform_schema BOOLEAN)`,
  ),
  ...ADDED_STATE_COLUMNS.map((column) =>
    statement(
      "alter_table",
      `ALTER TABLE ${DUCKDB_TABLE_STATE} ADD COLUMN IF NOT EXISTS ${column}`,
    ),
  ),
  statement("create_schema", versionsSetupSql(DUCKDB_TABLE_STATE)),
  statement("alter_table", VERSIONS_CARRIED_COLUMN),
];

/** Record versions as sluice's before their files are written (see version-records.ts). */
const recordVersions = (versions: readonly TableVersionRef[], runId: string): Statement[] =>
  versions.length === 0 ? [] : [statement("record_version", recordVersionsSql(versions, runId))];

/**
 * Point the view at a new version and record its state in one transaction: a kill before
 * COMMIT leaves the previous version published (DuckDB replays only committed WAL entries).
 */
function publishVersion(
  relation: Relation,
  location: string,
  state?: TableVersionState,
): Statement {
  const loc = location.replace(/\/+$/, "");
  const key = `schema_name = ${duckdbStringLiteral(relation.schema)} AND table_name = ${duckdbStringLiteral(relation.name)}`;
  // Each only when recorded (`inputs`: seeds): a publish without them keeps its text.
  const optional: [string, string | undefined][] = [
    ["inputs", state?.inputs],
    ["schema_id", state?.schema],
    ["select_record", state?.select],
  ];
  const recorded = optional.filter((c): c is [string, string] => c[1] !== undefined);
  const lines = [
    "BEGIN TRANSACTION;",
    `CREATE OR REPLACE VIEW ${quoteRelation(relation)} AS SELECT ${viewColumns(state?.columns)} FROM ${readParquet(loc, state?.uniformSchema === true)};`,
    `COMMENT ON VIEW ${quoteRelation(relation)} IS ${duckdbStringLiteral(DUCKDB_TABLE_COMMENT_PREFIX + loc)};`,
    `DELETE FROM ${DUCKDB_TABLE_STATE} WHERE ${key};`,
    `INSERT INTO ${DUCKDB_TABLE_STATE} (schema_name, table_name, location, watermark, run_id, raw_hours, uniform_schema, ` +
      `raw_listed_at, pending_from${recorded.map(([name]) => `, ${name}`).join("")}) VALUES (` +
      `${duckdbStringLiteral(relation.schema)}, ${duckdbStringLiteral(relation.name)}, ${duckdbStringLiteral(loc)}, ` +
      `${duckdbLiteral(state?.watermark ?? null)}, ${duckdbLiteral(state?.runId ?? null)}, ` +
      `${duckdbLiteral(state?.rawHours ? JSON.stringify(state.rawHours) : null)}, ${state?.uniformSchema === true ? "true" : "false"}, ` +
      `${duckdbLiteral(state?.listedAt ?? null)}, ${duckdbLiteral(state?.pendingFrom ?? null)}` +
      `${recorded.map(([, value]) => `, ${duckdbLiteral(value)}`).join("")});`,
    ...publishVersionRecordSql(relation, loc, state),
    "COMMIT",
  ];
  return statement("create_view", lines.join("\n"));
}

/** A version view's select list: `*`, or exactly the table's columns, each cast to its type. */
const viewColumns = (columns: TableVersionState["columns"]): string =>
  columns === undefined
    ? "*"
    : columns
        .map(
          (c) =>
            `CAST(${quoteDuckdbIdentifier(c.name)} AS ${c.type}) AS ${quoteDuckdbIdentifier(c.name)}`,
        )
        .join(", ");

const parquetGlob = (location: string): string =>
  `${duckdbGlobLiteral(location.replace(/\/+$/, ""))}/**/*.parquet`;

/**
 * COPY of the rows into `location`: one file, or Hive-style folders when partitioned. The
 * write's SELECT is already model SQL as the lake runs it (see modelSqlFor).
 */
function copyRows(write: TableWrite): Statement {
  const location = write.location.replace(/\/+$/, "");
  const stem = fileStem(write.writeId);
  if (write.partitionedBy.length === 0) {
    return statement(
      "copy",
      `COPY ${parenthesized(write.selectSql)} TO ${duckdbStringLiteral(`${location}/${stem}.parquet`)} (FORMAT parquet, COMPRESSION zstd)`,
    );
  }
  // Partition columns stay inside the files too: the view then reads them back with their
  // exact types (hive autocast would turn '01' into 1), and null keys keep being null.
  const partitionBy = write.partitionedBy.map(quoteDuckdbIdentifier).join(", ");
  return statement(
    "copy",
    `COPY ${parenthesized(write.selectSql)} TO ${duckdbStringLiteral(location)} (FORMAT parquet, COMPRESSION zstd, ` +
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
  return {
    ...statement(
      "copy",
      `COPY (SELECT * FROM ${parenthesized(write.selectSql)} AS t LIMIT 0) TO ` +
        `${duckdbStringLiteral(`${location}/${fileStem(write.writeId)}-schema.parquet`)} (FORMAT parquet, COMPRESSION zstd)`,
    ),
    onlyIfNoRows: true,
  };
}

/**
 * The local lake dialect: tables are Parquet (ZSTD) folders exposed as DuckDB views over
 * `read_parquet`, so publishing a new version is swapping the view.
 *
 * @example
 * const d = createDuckdbDialect();
 * d.createTableAs({ relation: { schema: "silver", name: "events" }, selectSql: "select ...",
 *   partitionedBy: ["event_date"], location: "/lake/silver/events/v_1", writeId: "1" });
 *
 * `trinoCompat` (default true): model SQL is Trino's, run through the compat layer (strict
 * integer casts here; the engine installs the session settings and macros). False: plain DuckDB.
 */
export function createDuckdbDialect(options: { trinoCompat?: boolean } = {}): LakeDialect {
  const trinoCompat = options.trinoCompat ?? true;
  const modelSql = modelSqlFor(trinoCompat);
  const subquery = (sql: string): string => parenthesized(modelSql(sql));
  const prepared = (write: TableWrite): TableWrite => ({
    ...write,
    selectSql: modelSql(write.selectSql),
  });
  const createSchema = (schema: string): Statement[] => [
    statement("create_schema", `CREATE SCHEMA IF NOT EXISTS ${quoteDuckdbIdentifier(schema)}`),
  ];

  return {
    name: "duckdb",
    queryGrammar: "duckdb",
    family: "lake",
    capabilities: {
      maxPartitionsPerWrite: undefined,
      icebergTables: false,
      modelSql: trinoCompat ? "trino" : "duckdb",
    },
    quoteIdentifier: quoteDuckdbIdentifier,
    quoteRelation,
    querySql: (sql) => (trinoCompat ? strictIntegerCasts(sql) : sql),
    literal: duckdbLiteral,
    // The lake compares a partition column with its text (DuckDB casts the literal to its type).
    ...partitionRowsSql(quoteDuckdbIdentifier, quoteRelation, (text) => duckdbLiteral(text), {
      materializeNear: true,
    }),
    createSchema,
    createTableAs(write) {
      const ready = prepared(write);
      const statements = [
        ...createSchema(write.relation.schema),
        ...recordVersions([write], write.writeId),
        copyRows(ready),
      ];
      if (write.partitionedBy.length > 0) statements.push(copySchemaFile(ready));
      // One write: every file has the SELECT's columns.
      statements.push(
        publishVersion(write.relation, write.location, {
          runId: write.writeId,
          uniformSchema: true,
        }),
      );
      return statements;
    },
    insertInto(write) {
      return [copyRows(prepared(write))];
    },
    publishTableVersion: (relation, location, state) => [publishVersion(relation, location, state)],
    recordTableVersions: recordVersions,
    tableStateSetup,
    inOneRoundTrip: (statements) =>
      statement(statements[0]?.kind ?? "select", statements.map((s) => `${s.sql};`).join("\n")),
    tableStatesQuery: () => `SELECT * FROM ${DUCKDB_TABLE_STATE}`,
    tableStateQuery: (relation) =>
      `SELECT * FROM ${DUCKDB_TABLE_STATE} WHERE schema_name = ${duckdbStringLiteral(relation.schema)} ` +
      `AND table_name = ${duckdbStringLiteral(relation.name)}`,
    maxOfVersion: (location, column) =>
      `SELECT max(${quoteDuckdbIdentifier(column)})::VARCHAR AS watermark FROM ${readParquet(location)}`,
    rowsOfVersion: (location) => `SELECT count(*) AS n FROM ${readParquet(location)}`,
    listedValuesQuery: (subquery, limit) =>
      `SELECT DISTINCT typeof(v) AS t, CAST(v AS VARCHAR) AS s FROM (\n${subquery}\n) AS listed(v) WHERE v IS NOT NULL LIMIT ${limit}`,
    // NOT (c) OR (c) IS NULL rather than NOT coalesce(c, false): DuckDB pushes it into each
    // branch of the SELECT, where the branch reading the carried rows then prunes every row group.
    rowsNotCarried: (selectSql, condition) =>
      `SELECT * FROM ${parenthesized(selectSql)} AS sluice_new WHERE NOT (${condition}) OR (${condition}) IS NULL`,
    carriedRowsQuery(files, condition) {
      const list = `[${files.map(duckdbStringLiteral).join(", ")}]`;
      // The footers give each file's rows; only the rows the condition drops are counted, so a
      // condition on a column with statistics skips the row groups it keeps whole.
      const when = modelSql(condition);
      return (
        `SELECT m.file_name AS file, m.num_rows AS rows, coalesce(d.n, 0) AS dropped\n` +
        `FROM parquet_file_metadata(${list}) AS m LEFT JOIN (\n` +
        `  SELECT sluice_file, count(*) AS n FROM read_parquet(${list}, hive_partitioning = false, union_by_name = true, filename = 'sluice_file')\n` +
        `  WHERE NOT (${when}) OR (${when}) IS NULL GROUP BY sluice_file\n` +
        `) AS d ON d.sluice_file = m.file_name`
      );
    },
    copyCarriedRows: (files, condition, target) =>
      statement(
        "copy",
        copyFileRowsSql(files, target, `coalesce((${modelSql(condition)}), false)`),
      ),
    listedLiteral,
    // DuckDB's Parquet writer has no 128-bit integer: HUGEINT (sum() of integers) is stored as DOUBLE.
    storedType: (type) =>
      /^\s*u?hugeint\s*$/i.test(type) ? (type === type.toLowerCase() ? "double" : "DOUBLE") : type,
    rawLinesTable: (name, options) =>
      `CREATE OR REPLACE TEMP TABLE ${quoteDuckdbIdentifier(name)} ` +
      `(line VARCHAR, ${options?.eventType ? "event_type VARCHAR, " : ""}dt VARCHAR)`,
    markReconciled: (relations) =>
      statement(
        "update",
        `UPDATE ${DUCKDB_TABLE_STATE} SET pending_from = NULL WHERE ` +
          (relations.length === 0
            ? "false"
            : relations
                .map(
                  (r) =>
                    `(schema_name = ${duckdbStringLiteral(r.schema)} AND table_name = ${duckdbStringLiteral(r.name)})`,
                )
                .join(" OR ")),
      ),
    tableFilesRelation(files, columns) {
      if (files.length === 0) throw new TypeError("tableFilesRelation needs at least one file");
      return `(SELECT ${viewColumns(columns)} FROM read_parquet([${files.map(duckdbStringLiteral).join(", ")}], hive_partitioning = false, union_by_name = true))`;
    },
    markSourceView: (relation, definition) =>
      statement(
        "create_view",
        `COMMENT ON VIEW ${quoteRelation(relation)} IS ${duckdbStringLiteral(DUCKDB_SOURCE_COMMENT_PREFIX + definition)}`,
      ),
    noRowsOf: (relation) => `(SELECT * FROM ${relation} LIMIT 0)`,
    selectWrittenRows,
    selectRowsOfWrittenKeys(key, written, carried) {
      const rows = selectWrittenRows(written);
      if (carried === undefined) return rows;
      const k = quoteDuckdbIdentifier(key);
      return (
        `${rows}\nUNION ALL BY NAME\nSELECT * FROM ${carried} AS sluice_carried\n` +
        `WHERE ${k} IN (SELECT ${k} FROM ${written} AS sluice_written_keys)`
      );
    },
    mergeRewrite(write, currentLocation, uniqueKey) {
      if (uniqueKey.length === 0) throw new TypeError("merge needs a unique_key");
      const key = uniqueKey.map(quoteDuckdbIdentifier);
      const tuple = (alias: string): string => `(${key.map((k) => `${alias}.${k}`).join(", ")})`;
      // Rows of the current version whose key comes again are replaced by the new row.
      const merged =
        `WITH new_rows AS ${subquery(write.selectSql)}\n` +
        `SELECT cur.* FROM ${readParquet(currentLocation)} AS cur\n` +
        `WHERE NOT EXISTS (SELECT 1 FROM new_rows n WHERE ${tuple("n")} IS NOT DISTINCT FROM ${tuple("cur")})\n` +
        `UNION ALL BY NAME SELECT * FROM new_rows`;
      // With `columns` (sync_all_columns), exactly those: the current rows' dropped ones go.
      const listed =
        write.columns === undefined
          ? merged
          : `SELECT ${write.columns.map(quoteDuckdbIdentifier).join(", ")} FROM (\n${merged}\n) AS sluice_merged`;
      const rewrite: TableWrite = { ...write, selectSql: listed };
      const statements = [copyRows(prepared(rewrite))];
      if (write.partitionedBy.length > 0) statements.push(copySchemaFile(prepared(rewrite)));
      return statements;
    },
    createView(relation, selectSql) {
      return [
        statement(
          "create_view",
          `CREATE OR REPLACE VIEW ${quoteRelation(relation)} AS\n${modelSql(selectSql)}\n`,
        ),
      ];
    },
    // A table is a view over files here: the engine deletes the files (removeStaleLocations).
    dropTable: (relation) => [
      statement("drop_table", `DROP VIEW IF EXISTS ${quoteRelation(relation)}`),
    ],
    rawSource: (spec) => [...createSchema(spec.relation.schema), rawSourceView(spec)],
    assertion: (failingRowsSql) =>
      statement("select", `SELECT count(*) AS failures FROM ${subquery(failingRowsSql)} AS t`),
    selectIncoming: (selectSql, columns) =>
      incomingColumnsSql(quoteDuckdbIdentifier, selectSql, columns),
    selectMax: (relation, column) =>
      `SELECT max(${quoteDuckdbIdentifier(column)}) AS watermark FROM ${quoteRelation(relation)}`,
    countRows: (relation) => `SELECT count(*) AS n FROM ${quoteRelation(relation)}`,
    limit(sql, limit) {
      if (!Number.isSafeInteger(limit) || limit < 0) throw new TypeError(`invalid limit ${limit}`);
      return `SELECT * FROM ${subquery(sql)} AS t LIMIT ${limit}`;
    },

    selectColumns(sql, columns) {
      return `SELECT ${columns.map(quoteDuckdbIdentifier).join(", ")} FROM ${subquery(sql)} AS sluice_columns`;
    },
  };
}

/**
 * One row per non-empty line of the Firehose files (`YYYY/MM/DD/HH/<name>[.gz]`). read_csv with
 * no quote, no escape and a NUL delimiter hands back each line untouched; `.gz` is detected
 * from the extension.
 */
function rawSourceView(spec: RawSourceSpec): Statement {
  const root = spec.location.replace(/\/+$/, "");
  const body =
    spec.eventTypes === undefined
      ? rawLines(root, `${duckdbGlobLiteral(root)}/*/*/*/*/[!.]*`)
      : rawLinesByEventType(root, spec.eventTypes);
  return statement(
    "create_view",
    `CREATE OR REPLACE VIEW ${quoteRelation(spec.relation)} AS\n${body}`,
  );
}

/**
 * The raw lines (`line`, `event_type`, `dt`) of a zone partitioned by event type first
 * (`event_type=<t>/YYYY/MM/DD/HH/<name>`), as Athena's table has them. Both columns come from
 * the file name, so a filter on either prunes files before they are opened. A folder of an
 * event type not declared is not read, as Athena's enum projection does not list it.
 */
function rawLinesByEventType(root: string, eventTypes: readonly string[]): string {
  const files = duckdbStringLiteral(`${duckdbGlobLiteral(root)}/event_type=*/*/*/*/*/[!.]*`);
  const prefix = [...root].length + 2 + "event_type=".length;
  const folder = `split_part(substr(filename, ${prefix}), '/', 1)`;
  return (
    `SELECT line, ${folder} AS event_type, substr(filename, ${prefix} + length(${folder}) + 1, 13) AS dt\n` +
    `FROM read_csv(${files}, columns = {'line': 'VARCHAR'}, header = false, ` +
    `auto_detect = false, delim = chr(0), quote = '', escape = '', new_line = '\\n', ` +
    `strict_mode = false, filename = true, ${RAW_LINE_SIZE_OPTIONS})\n` +
    `WHERE line IS NOT NULL AND line <> '' AND ${folder} IN (${eventTypes.map(duckdbStringLiteral).join(", ")})`
  );
}

/**
 * The raw lines (`line`, `dt`) of the files matching `globs` under a raw zone `root`. dt is cut at
 * a fixed offset of the file name (the layout fixes the depth): DuckDB prunes files on that about
 * twice as fast as on a regexp.
 */
function rawLines(root: string, glob: string): string {
  const files = duckdbStringLiteral(glob);
  return (
    `SELECT line, substr(filename, ${[...root].length + 2}, 13) AS dt\n` +
    `FROM read_csv(${files}, columns = {'line': 'VARCHAR'}, header = false, ` +
    `auto_detect = false, delim = chr(0), quote = '', escape = '', new_line = '\\n', ` +
    `strict_mode = false, filename = true, ${RAW_LINE_SIZE_OPTIONS})\n` +
    `WHERE line IS NOT NULL AND line <> ''`
  );
}

/** The rows of a version's own write (see `LakeDialect.selectWrittenRows`). */
function selectWrittenRows(written: string): string {
  return `SELECT * FROM ${written} AS sluice_written`;
}
