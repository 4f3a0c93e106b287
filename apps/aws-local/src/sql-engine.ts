import { mkdir, readdir, realpath, rename, rm } from "node:fs/promises";
import path from "node:path";
import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { strictIntegerCasts, trinoCompatStatements } from "@sluice/dialects";
import { AthenaFailure, failureFromDuckdb } from "./athena-failure.js";
import { duckdbOnly } from "./duckdb-only.js";
import { checkCreatedColumns } from "./created-columns-check.js";
import type { GlueCatalog, GlueColumn, GlueTable } from "./glue-catalog.js";
import { icebergMetadata, isIceberg, writeIcebergMetadata } from "./iceberg-tables.js";
import { asFolder, parseS3Url, type S3Store } from "./s3-store.js";
import {
  balanced,
  hiveColumns,
  literal,
  properties,
  relationOf,
  RELATION,
  stringArray,
  statementPosition,
  stripStatement,
  unquote,
} from "./sql-statements.js";
import { athenaText, duckdbToHive, hiveToDuckdb } from "./sql-types.js";
import { FileColumnsMemo } from "./file-columns-memo.js";
import { profiledRun, prunedBytes, type ProjectedScan } from "./scanned-bytes.js";
import { ident, str, tableSource } from "./table-views.js";

/** One statement to run, with the context StartQueryExecution gave it. */
export interface QueryInput {
  queryId: string;
  sql: string;
  database: string;
  /** Query result location (`s3://.../`), where the data manifest goes. */
  outputLocation: string;
}

/** What a finished statement produced. */
export interface QueryOutcome {
  columns: { name: string; type: string }[];
  rows: (string | null)[][];
  updateCount?: number;
  scannedBytes: number;
  /** `s3://...-manifest.csv` listing the files a CTAS/INSERT wrote. */
  manifest?: string;
}

/** Athena's StatementType/SubstatementType of a statement, known at submission. */
export function classify(sql: string): {
  statementType: "DDL" | "DML" | "UTILITY";
  substatementType: string;
} {
  const s = stripStatement(sql).toUpperCase();
  if (/^CREATE\s+TABLE\b/.test(s) && /\bAS\b/.test(s))
    return { statementType: "DDL", substatementType: "CREATE_TABLE_AS_SELECT" };
  if (/^INSERT\b/.test(s)) return { statementType: "DML", substatementType: "INSERT" };
  if (/^MERGE\b/.test(s)) return { statementType: "DML", substatementType: "MERGE" };
  if (/^(SELECT|WITH|VALUES|\()/.test(s))
    return { statementType: "DML", substatementType: "SELECT" };
  if (/^(SHOW|DESCRIBE|EXPLAIN)\b/.test(s))
    return { statementType: "UTILITY", substatementType: s.split(/\s+/)[0]! };
  const words = s
    .replace(/^CREATE\s+OR\s+REPLACE\s+/, "CREATE ")
    .replace(/^CREATE\s+EXTERNAL\s+/, "CREATE ")
    .split(/\s+/);
  const altered = /^ALTER\s+TABLE\s+\S+\s+(ADD|REPLACE)\s+COLUMNS/.exec(s);
  const kind = altered ? `ALTER_TABLE_${altered[1]}_COLUMNS` : words.slice(0, 2).join("_");
  return { statementType: "DDL", substatementType: kind };
}

const WRITE = "sluice_write";
const MAX_PARTITIONS = 100;
const PARQUET = {
  InputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
  OutputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
  SerdeInfo: {
    SerializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
    Parameters: { "serialization.format": "1" },
  },
};
const TEXT = {
  InputFormat: "org.apache.hadoop.mapred.TextInputFormat",
  OutputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
};

/**
 * Runs Athena statements on one embedded DuckDB database, one statement at a time. Before each
 * statement, the Glue tables it mentions become DuckDB views over exactly their files
 * ({@link tableSource}), in schemas named like the Glue databases, so a table is only what Glue
 * says. Statements it does not understand fail; they never succeed silently.
 */
export class SqlEngine {
  private connection?: Promise<DuckDBConnection>;
  private instance?: DuckDBInstance;
  private queue: Promise<unknown> = Promise.resolve();
  private schemas = new Set<string>();
  /** Parquet files' columns, described once per file list (see FileColumnsMemo). */
  private readonly fileColumns = new FileColumnsMemo();

  constructor(
    private readonly store: S3Store,
    private readonly glue: GlueCatalog,
    /** Private scratch space (query outputs are staged here before they appear in S3). */
    private readonly workDir: string,
  ) {}

  /** Run `input` after every statement before it (one DuckDB connection, one statement at a time). */
  run(input: QueryInput, started?: () => boolean): Promise<QueryOutcome> {
    const next = this.queue.then(async () => {
      if (started !== undefined && !started())
        throw new AthenaFailure("USER_CANCELLED", "Query cancelled by user");
      const conn = await this.connect();
      try {
        return await this.statement(conn, input);
      } catch (error) {
        throw error instanceof AthenaFailure ? error : failureFromDuckdb(error);
      } finally {
        await conn.run(`DROP TABLE IF EXISTS temp.${WRITE}`).catch(() => undefined);
        await rm(path.join(this.workDir, input.queryId), { recursive: true, force: true });
      }
    });
    this.queue = next.catch(() => undefined);
    return next;
  }

  async close(): Promise<void> {
    await this.queue;
    if (this.connection) (await this.connection).closeSync();
    this.instance?.closeSync();
  }

  private connect(): Promise<DuckDBConnection> {
    this.connection ??= (async () => {
      // One thread: statements run one at a time over a test's small files, where a second
      // DuckDB thread mostly adds scheduling (measured: a raw-zone CTAS over 290 gzip files
      // 0.07 CPU-s on one thread, 0.19 on two; a prod build of the models project ~10% less
      // endpoint CPU).
      this.instance = await DuckDBInstance.create(":memory:", { threads: "1" });
      const conn = await this.instance.connect();
      for (const s of trinoCompatStatements()) await conn.run(s.sql);
      // Parquet footers are kept between statements (each binds its tables' files again); DuckDB
      // reads a footer again when its file changed, as the lake's engine does.
      await conn.run("SET parquet_metadata_cache = true");
      // Athena reads its buckets only: DuckDB's file functions (read_text, read_csv, a quoted
      // path as a table) reach no file outside them, whatever a query asks (through an endpoint
      // on a developer's machine, ~/.aws/credentials was one query away). Query outputs are
      // staged under workDir, inside the buckets' folder.
      await conn.run(`SET temp_directory = ${str(path.join(this.workDir, "duckdb"))}`);
      // Statements' profiles are written here (see writeTemp).
      await mkdir(this.workDir, { recursive: true });
      // The folder as named and as the file system resolves it (macOS: /tmp is /private/tmp).
      const roots = [...new Set([this.store.dir, await realpath(this.store.dir)])];
      await conn.run(`SET allowed_directories = [${roots.map(str).join(", ")}]`);
      await conn.run("SET enable_external_access = false");
      return conn;
    })();
    return this.connection;
  }

  private async statement(conn: DuckDBConnection, input: QueryInput): Promise<QueryOutcome> {
    // DuckDB would run these; Athena does not (positions are of the statement as sent).
    const rejected = duckdbOnly(input.sql);
    if (rejected) throw rejected;
    // Trino's integer casts: DuckDB's CAST cannot be shadowed, so the text calls the layer's.
    const sql = strictIntegerCasts(stripStatement(input.sql));
    const db = input.database.toLowerCase();
    const handlers: [RegExp, (m: RegExpExecArray) => Promise<QueryOutcome>][] = [
      [
        /^CREATE\s+(?:DATABASE|SCHEMA)\s+(IF\s+NOT\s+EXISTS\s+)?(\S+)([\s\S]*)$/i,
        (m) => this.createDatabase(m),
      ],
      [
        new RegExp(
          String.raw`^CREATE\s+EXTERNAL\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?${RELATION}\s*\(`,
          "i",
        ),
        (m) => this.createExternalTable(sql, m, db),
      ],
      [
        new RegExp(
          String.raw`^CREATE\s+TABLE\s+(IF\s+NOT\s+EXISTS\s+)?${RELATION}\s+WITH\s*\(`,
          "i",
        ),
        (m) => this.createTableAs(conn, input, sql, m, db),
      ],
      [
        new RegExp(
          String.raw`^CREATE\s+(OR\s+REPLACE\s+)?VIEW\s+${RELATION}\s+AS\s+([\s\S]+)$`,
          "i",
        ),
        (m) => this.createView(conn, m, db, statementPosition(input.sql)),
      ],
      [
        new RegExp(String.raw`^DROP\s+(TABLE|VIEW)\s+(IF\s+EXISTS\s+)?${RELATION}$`, "i"),
        (m) => this.drop(m, db),
      ],
      [
        new RegExp(String.raw`^ALTER\s+TABLE\s+${RELATION}\s+ADD\s+COLUMNS\s*\(([\s\S]*)\)$`, "i"),
        (m) => this.addColumns(m, db),
      ],
      [
        new RegExp(
          String.raw`^ALTER\s+TABLE\s+${RELATION}\s+REPLACE\s+COLUMNS\s*\(([\s\S]*)\)$`,
          "i",
        ),
        (m) => this.replaceColumns(m, db),
      ],
      [
        new RegExp(String.raw`^INSERT\s+INTO\s+${RELATION}\s*([\s\S]+)$`, "i"),
        (m) => this.insert(conn, input, m, db),
      ],
      [
        new RegExp(
          String.raw`^MERGE\s+INTO\s+${RELATION}(?:\s+(?:AS\s+)?([A-Za-z_][A-Za-z0-9_]*))?\s+USING\b([\s\S]+)$`,
          "i",
        ),
        (m) => this.merge(conn, input, m, db),
      ],
      [/^(SELECT|WITH|VALUES|\()/i, () => this.select(conn, sql, db, input.queryId)],
    ];
    for (const [pattern, handler] of handlers) {
      const m = pattern.exec(sql);
      if (m) return handler(m);
    }
    throw new AthenaFailure(
      "NOT_SUPPORTED",
      `aws-local does not understand this statement: ${sql.slice(0, 80)}`,
    );
  }

  // ---- catalog DDL ----

  private async createDatabase(m: RegExpExecArray): Promise<QueryOutcome> {
    const name = unquote(m[2]!);
    const rest = m[3]!.trim();
    const clause = /^(?:COMMENT\s+('(?:[^']|'')*')\s*)?(?:LOCATION\s+('(?:[^']|'')*'))?$/i.exec(
      rest,
    );
    if (!clause)
      throw new AthenaFailure(
        "NOT_SUPPORTED",
        `aws-local does not understand CREATE DATABASE ... ${rest}`,
      );
    if (this.glue.hasDatabase(name)) {
      if (m[1] !== undefined) return ddl();
      throw new AthenaFailure("ALREADY_EXISTS", `Database ${name} already exists`, {
        errorType: 1003,
      });
    }
    this.glue.operations.CreateDatabase!({
      DatabaseInput: {
        Name: name,
        ...(clause[2] ? { LocationUri: literal(clause[2]) } : {}),
        ...(clause[1] ? { Description: literal(clause[1]) } : {}),
      },
    });
    return ddl();
  }

  private async createExternalTable(
    sql: string,
    m: RegExpExecArray,
    db: string,
  ): Promise<QueryOutcome> {
    const { database, name } = relationOf(m[2]!, m[3], db);
    const open = m[0].length - 1;
    const { inner, end } = balanced(sql, open);
    let rest = sql.slice(end);
    const input: Record<string, unknown> = {
      Name: name,
      TableType: "EXTERNAL_TABLE",
      Parameters: { EXTERNAL: "TRUE" },
    };
    const sd: Record<string, unknown> = { Columns: hiveColumns(inner) };
    const serdeParameters: Record<string, string> = {};
    const take = (pattern: RegExp): RegExpExecArray | undefined => {
      const found = pattern.exec(rest);
      if (found) rest = rest.slice(found[0].length);
      return found ?? undefined;
    };
    for (;;) {
      rest = rest.replace(/^\s+/, "");
      if (rest === "") break;
      let c: RegExpExecArray | undefined;
      if ((c = take(/^PARTITIONED\s+BY\s*(?=\()/i))) {
        const p = balanced(rest, 0);
        input.PartitionKeys = hiveColumns(p.inner);
        rest = rest.slice(p.end);
      } else if (
        (c = take(
          /^ROW\s+FORMAT\s+DELIMITED(?:\s+FIELDS\s+TERMINATED\s+BY\s+('(?:[^'\\]|\\.|'')*'))?/i,
        ))
      ) {
        if (c[1] !== undefined)
          serdeParameters["field.delim"] = serdeParameters["serialization.format"] = literal(c[1]);
        sd.SerdeInfo = {
          SerializationLibrary: "org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe",
        };
      } else if ((c = take(/^STORED\s+AS\s+(TEXTFILE|PARQUET)\b/i))) {
        Object.assign(sd, c[1]!.toUpperCase() === "PARQUET" ? PARQUET : TEXT);
      } else if ((c = take(/^LOCATION\s+('(?:[^']|'')*')/i))) {
        sd.Location = literal(c[1]!);
      } else if ((c = take(/^COMMENT\s+('(?:[^']|'')*')/i))) {
        input.Description = literal(c[1]!);
      } else if ((c = take(/^TBLPROPERTIES\s*(?=\()/i))) {
        const p = balanced(rest, 0);
        rest = rest.slice(p.end);
        for (const [k, v] of properties(p.inner))
          (input.Parameters as Record<string, string>)[k] = literal(v);
      } else {
        throw new AthenaFailure(
          "NOT_SUPPORTED",
          `aws-local does not understand this part of CREATE EXTERNAL TABLE: ${rest.slice(0, 60)}`,
        );
      }
    }
    if (sd.Location === undefined)
      throw new AthenaFailure("SYNTAX_ERROR", "CREATE EXTERNAL TABLE needs a LOCATION");
    const serde = (sd.SerdeInfo as Record<string, unknown> | undefined) ?? {};
    sd.SerdeInfo = { ...serde, Parameters: serdeParameters };
    input.StorageDescriptor = sd;
    if (!this.glue.hasDatabase(database))
      throw new AthenaFailure("SCHEMA_NOT_FOUND", `Schema ${database} does not exist`);
    if (this.glue.findTable(database, name) !== undefined) {
      if (m[1] !== undefined) return ddl();
      throw new AthenaFailure("ALREADY_EXISTS", `Table ${database}.${name} already exists`, {
        errorType: 1003,
      });
    }
    this.glue.createTable(database, input);
    return ddl();
  }

  private async createView(
    conn: DuckDBConnection,
    m: RegExpExecArray,
    db: string,
    at: string,
  ): Promise<QueryOutcome> {
    const { database, name } = relationOf(m[2]!, m[3], db);
    const select = m[4]!;
    const current = this.glue.findTable(database, name);
    if (current !== undefined && (m[1] === undefined || current.TableType !== "VIRTUAL_VIEW")) {
      throw new AthenaFailure(
        "ALREADY_EXISTS",
        `${current.TableType === "VIRTUAL_VIEW" ? "View" : "Table"} '${database}.${name}' already exists`,
        { errorType: 1003 },
      );
    }
    if (!this.glue.hasDatabase(database))
      throw new AthenaFailure("SCHEMA_NOT_FOUND", `Schema ${database} does not exist`);
    await this.expose(conn, [select], database);
    const described = await describe(conn, select);
    await checkCreatedColumns(conn, select, at, async () => described.map((c) => c.name));
    const columns = described.map((c) => ({ name: c.name.toLowerCase(), type: viewType(c.type) }));
    const view = { originalSql: select, catalog: "awsdatacatalog", schema: database, columns };
    const input = {
      Name: name,
      TableType: "VIRTUAL_VIEW",
      Parameters: { presto_view: "true", comment: "Presto View" },
      StorageDescriptor: {
        Columns: columns.map((c) => ({ Name: c.name, Type: c.type })),
        Location: "",
        SerdeInfo: {},
      },
      ViewOriginalText: `/* Presto View: ${Buffer.from(JSON.stringify(view)).toString("base64")} */`,
      ViewExpandedText: "/* Presto View */",
    };
    if (current === undefined) this.glue.createTable(database, input);
    else this.glue.putTable(database, input, current);
    return ddl();
  }

  private async drop(m: RegExpExecArray, db: string): Promise<QueryOutcome> {
    const { database, name } = relationOf(m[3]!, m[4], db);
    const table = this.glue.findTable(database, name);
    const wantView = m[1]!.toUpperCase() === "VIEW";
    if (table === undefined) {
      if (m[2] !== undefined) return ddl();
      throw new AthenaFailure(
        wantView ? "VIEW_NOT_FOUND" : "TABLE_NOT_FOUND",
        `${wantView ? "View" : "Table"} '${database}.${name}' does not exist`,
      );
    }
    if (wantView !== (table.TableType === "VIRTUAL_VIEW")) {
      throw new AthenaFailure(
        "NOT_SUPPORTED",
        wantView
          ? `'${database}.${name}' is a table, not a view (use DROP TABLE)`
          : `Cannot drop view '${database}.${name}' with DROP TABLE`,
      );
    }
    // An external table's data stays in S3, as with Athena.
    this.glue.deleteTable(database, name);
    return ddl();
  }

  private async addColumns(m: RegExpExecArray, db: string): Promise<QueryOutcome> {
    const { database, name } = relationOf(m[1]!, m[2], db);
    const table = this.requireTable(database, name);
    const added = hiveColumns(m[3]!);
    const existing = [
      ...(table.StorageDescriptor?.Columns ?? []),
      ...(table.PartitionKeys ?? []),
    ].map((c) => c.Name.toLowerCase());
    const clash = added.find((c) => existing.includes(c.Name));
    if (clash)
      throw new AthenaFailure("COLUMN_ALREADY_EXISTS", `Column '${clash.Name}' already exists`, {
        errorType: 1003,
      });
    return this.setColumns(table, [...(table.StorageDescriptor?.Columns ?? []), ...added]);
  }

  /**
   * `ALTER TABLE t REPLACE COLUMNS (...)`: the listed columns become the table's data columns
   * (partition columns stay). Rejected as Athena rejects it: on an Iceberg table (Athena: use
   * DROP/CHANGE COLUMN), with a `date` column (Athena's docs: it does not work for them), or
   * naming a partition column or a column twice.
   */
  private async replaceColumns(m: RegExpExecArray, db: string): Promise<QueryOutcome> {
    const { database, name } = relationOf(m[1]!, m[2], db);
    const table = this.requireTable(database, name);
    if (isIceberg(table))
      throw new AthenaFailure(
        "NOT_SUPPORTED",
        "ALTER TABLE REPLACE COLUMNS is not supported for Iceberg tables. Use ALTER TABLE ADD COLUMNS, ALTER TABLE DROP COLUMN or ALTER TABLE CHANGE COLUMN",
        { errorType: 1003 },
      );
    const columns = hiveColumns(m[3]!);
    const dated = columns.find((c) => c.Type === "date");
    if (dated)
      throw new AthenaFailure(
        "NOT_SUPPORTED",
        `ALTER TABLE REPLACE COLUMNS does not support columns of type date (column '${dated.Name}'); use timestamp`,
        { errorType: 1003 },
      );
    const keys = (table.PartitionKeys ?? []).map((c) => c.Name.toLowerCase());
    const seen = new Set<string>();
    for (const c of columns) {
      const key = c.Name.toLowerCase();
      if (keys.includes(key) || seen.has(key))
        throw new AthenaFailure("COLUMN_ALREADY_EXISTS", `Column '${c.Name}' already exists`, {
          errorType: 1003,
        });
      seen.add(key);
    }
    return this.setColumns(table, columns);
  }

  /** Put the table back in Glue with `columns` as its data columns (a new table version). */
  private setColumns(table: GlueTable, columns: GlueColumn[]): QueryOutcome {
    const {
      VersionId: _v,
      CreateTime: _c,
      UpdateTime: _u,
      DatabaseName: _d,
      CatalogId: _i,
      IsRegisteredWithLakeFormation: _l,
      ...input
    } = table;
    this.glue.putTable(
      table.DatabaseName,
      {
        ...input,
        StorageDescriptor: { ...table.StorageDescriptor, Columns: columns },
      },
      table,
    );
    return ddl();
  }

  // ---- queries and writes ----

  private async select(
    conn: DuckDBConnection,
    sql: string,
    db: string,
    queryId: string,
  ): Promise<QueryOutcome> {
    const scannedBytes = await this.writeTemp(conn, sql, db, queryId, true);
    const columns = await describe(conn, `SELECT * FROM temp.${WRITE}`);
    const list = columns.map((c) => `${athenaText(ident(c.name), c.type)}`).join(", ");
    const reader = await conn.runAndReadAll(
      columns.length === 0 ? "SELECT 1 WHERE false" : `SELECT ${list} FROM temp.${WRITE}`,
    );
    const rows = reader.getRowsJS().map((r) => r.map((v) => (v === null ? null : String(v))));
    // Trino reports column names in lower case.
    return {
      columns: columns.map((c) => ({ ...c, name: c.name.toLowerCase() })),
      rows,
      scannedBytes,
    };
  }

  private async createTableAs(
    conn: DuckDBConnection,
    input: QueryInput,
    sql: string,
    m: RegExpExecArray,
    db: string,
  ): Promise<QueryOutcome> {
    const { database, name } = relationOf(m[2]!, m[3], db);
    const { inner, end } = balanced(sql, m[0].length - 1);
    const as = /^\s*AS\s+([\s\S]+)$/i.exec(sql.slice(end));
    if (!as)
      throw new AthenaFailure("SYNTAX_ERROR", "expected AS <query> after the WITH (...) list");
    const select = as[1]!;
    if (/\bWITH\s+(NO\s+)?DATA\s*$/i.test(select))
      throw new AthenaFailure("NOT_SUPPORTED", "aws-local does not support WITH [NO] DATA");
    const props = properties(inner);
    const allowed = [
      "format",
      "write_compression",
      "external_location",
      "partitioned_by",
      "compression_level",
      "table_type",
      "is_external",
      "location",
      "partitioning",
    ];
    const unknown = [...props.keys()].filter((k) => !allowed.includes(k));
    if (unknown.length > 0)
      throw new AthenaFailure(
        "NOT_SUPPORTED",
        `aws-local does not support the table propert${unknown.length > 1 ? "ies" : "y"} ${unknown.join(", ")}`,
      );
    const tableType = props.has("table_type")
      ? literal(props.get("table_type")!).toUpperCase()
      : "HIVE";
    if (tableType !== "HIVE" && tableType !== "ICEBERG")
      throw new AthenaFailure(
        "NOT_SUPPORTED",
        `aws-local writes Hive and Iceberg tables only, not table_type '${tableType}'`,
      );
    const iceberg = tableType === "ICEBERG";
    const misplaced = iceberg
      ? ["external_location", "partitioned_by"].filter((k) => props.has(k))
      : ["is_external", "location", "partitioning"].filter((k) => props.has(k));
    if (misplaced.length > 0)
      throw new AthenaFailure(
        "INVALID_TABLE_PROPERTY",
        `${misplaced.join(", ")} ${misplaced.length > 1 ? "are" : "is"} not a property of ${tableType} tables`,
      );
    if (iceberg && props.get("is_external")?.trim().toLowerCase() !== "false")
      throw new AthenaFailure(
        "INVALID_TABLE_PROPERTY",
        "Iceberg tables are created with is_external = false",
      );
    const format = props.has("format") ? literal(props.get("format")!).toUpperCase() : "PARQUET";
    if (format !== "PARQUET")
      throw new AthenaFailure(
        "NOT_SUPPORTED",
        `aws-local writes Parquet only, not format '${format}'`,
      );
    const compression = props.has("write_compression")
      ? literal(props.get("write_compression")!).toUpperCase()
      : "GZIP";
    if (!["ZSTD", "SNAPPY", "GZIP", "NONE"].includes(compression))
      throw new AthenaFailure("NOT_SUPPORTED", `write_compression ${compression}`);
    const locationProperty = iceberg ? "location" : "external_location";
    if (!props.has(locationProperty))
      throw new AthenaFailure(
        "NOT_SUPPORTED",
        `aws-local needs ${locationProperty} (it has no workgroup default table location)`,
      );
    const location = asFolder(literal(props.get(locationProperty)!));
    const keys = stringArray(props.get(iceberg ? "partitioning" : "partitioned_by"));

    if (!this.glue.hasDatabase(database))
      throw new AthenaFailure("SCHEMA_NOT_FOUND", `Schema '${database}' does not exist`);
    if (this.glue.findTable(database, name) !== undefined) {
      if (m[1] !== undefined) return { columns: [], rows: [], scannedBytes: 0, updateCount: 0 };
      throw new AthenaFailure(
        "ALREADY_EXISTS",
        `Table 'awsdatacatalog.${database}.${name}' already exists`,
        { errorType: 1003 },
      );
    }
    const { bucket, key } = parseS3Url(location);
    if ((await this.store.list(bucket, key)).length > 0) {
      throw new AthenaFailure(
        "HIVE_PATH_ALREADY_EXISTS",
        `Target directory for table '${database}.${name}' already exists: ${location}. You may need to manually clean the data at location '${input.outputLocation}tables/${input.queryId}' before retrying. Athena will not delete data in your account.`,
      );
    }
    const scannedBytes = await this.writeTemp(conn, select, db, input.queryId, false, () =>
      checkCreatedColumns(conn, select, statementPosition(input.sql), async () =>
        (await describe(conn, select)).map((c) => c.name),
      ),
    );
    const described = await describe(conn, `SELECT * FROM temp.${WRITE}`);
    const columns = described.map((c) => ({
      Name: c.name.toLowerCase(),
      Type: duckdbToHive(c.type),
      source: c.name,
    }));
    if (iceberg) {
      const unknown = keys.filter((k) => !columns.some((c) => c.Name === k));
      if (unknown.length > 0)
        throw new AthenaFailure(
          "NOT_SUPPORTED",
          `aws-local partitions Iceberg tables by columns only (identity transforms), not ${unknown.join(", ")}`,
        );
      return this.createIcebergTable(conn, input, { database, name, location, keys, scannedBytes });
    }
    const tail = columns.slice(columns.length - keys.length).map((c) => c.Name);
    if (keys.some((k, i) => tail[i] !== k)) {
      throw new AthenaFailure(
        "HIVE_COLUMN_ORDER_MISMATCH",
        `Partition keys must be the last columns in the table and in the same order as the table properties: [${keys.join(", ")}]`,
      );
    }
    const written = await this.write(
      conn,
      input,
      location,
      columns.map((c) => `${ident(c.source)} AS ${ident(c.Name)}`),
      keys,
      compression,
    );
    const data = columns
      .slice(0, columns.length - keys.length)
      .map(({ Name, Type }) => ({ Name, Type }));
    const partitionKeys = columns
      .slice(columns.length - keys.length)
      .map(({ Name, Type }) => ({ Name, Type }));
    const table = this.glue.createTable(database, {
      Name: name,
      TableType: "EXTERNAL_TABLE",
      Parameters: {
        EXTERNAL: "TRUE",
        has_encrypted_data: "false",
        "parquet.compression": compression,
        classification: "parquet",
      },
      PartitionKeys: partitionKeys,
      StorageDescriptor: { Columns: data, Location: location.replace(/\/$/, ""), ...PARQUET },
    });
    this.registerPartitions(table, written.partitions);
    return wrote(scannedBytes, written);
  }

  private async insert(
    conn: DuckDBConnection,
    input: QueryInput,
    m: RegExpExecArray,
    db: string,
  ): Promise<QueryOutcome> {
    const { database, name } = relationOf(m[1]!, m[2], db);
    const { columns: named, select } = insertColumnList(m[3]!);
    const table = this.requireTable(database, name);
    if (table.TableType === "VIRTUAL_VIEW")
      throw new AthenaFailure(
        "NOT_SUPPORTED",
        `Inserting into views is not supported: ${database}.${name}`,
      );
    if (!/parquet/i.test(table.StorageDescriptor?.InputFormat ?? "") && !isIceberg(table))
      throw new AthenaFailure(
        "NOT_SUPPORTED",
        `aws-local inserts into Parquet tables only (${database}.${name})`,
      );
    const all: GlueColumn[] = [
      ...(table.StorageDescriptor?.Columns ?? []),
      ...(table.PartitionKeys ?? []),
    ];
    // The query's columns go, by position, into the named columns (all of them, in order, without a list); the others get NULL.
    const target = named === undefined ? all : namedColumns(all, named);
    const scannedBytes = await this.writeTemp(conn, select, db, input.queryId);
    const described = await describe(conn, `SELECT * FROM temp.${WRITE}`);
    if (described.length !== target.length) {
      throw new AthenaFailure(
        "TYPE_MISMATCH",
        `Insert query has mismatched column types: Table: [${target.map((c) => c.Type).join(", ")}], Query: [${described.map((c) => c.type.toLowerCase()).join(", ")}]`,
      );
    }
    await this.checkInsertTypes(conn, target, described);
    const projection = all.map((c) => {
      const i = target.indexOf(c);
      const value = i < 0 ? "NULL" : ident(described[i]!.name);
      return `CAST(${value} AS ${hiveToDuckdb(c.Type ?? "string")}) AS ${ident(c.Name)}`;
    });
    if (isIceberg(table)) {
      const written = await this.commitIceberg(conn, input, table, projection, true);
      return wrote(scannedBytes, written);
    }
    const keys = (table.PartitionKeys ?? []).map((k) => k.Name);
    const written = await this.write(
      conn,
      input,
      asFolder(table.StorageDescriptor?.Location ?? ""),
      projection,
      keys,
      "ZSTD",
    );
    this.registerPartitions(
      table,
      written.partitions.filter(
        (p) =>
          !this.glue
            .tablePartitions(table)
            .some((q) => JSON.stringify(q.Values) === JSON.stringify(p.values)),
      ),
    );
    return wrote(scannedBytes, written);
  }

  /**
   * Write the rows of the temp table as Parquet under `location` (Hive `k=v/` folders for
   * `keys`), staged privately and then moved into the bucket, plus the data manifest Athena
   * writes next to the query results. More than 100 partitions fail before anything is written.
   * `flat` (Iceberg data files, which keep their partition columns): one file, no folders.
   */
  private async write(
    conn: DuckDBConnection,
    input: QueryInput,
    location: string,
    projection: string[],
    keys: string[],
    compression: string,
    flat = false,
  ) {
    const from = `(SELECT ${projection.join(", ")} FROM temp.${WRITE})`;
    const count = async (sql: string) =>
      Number((await conn.runAndReadAll(sql)).getRowsJS()[0]?.[0] ?? 0);
    const rows = await count(`SELECT count(*) FROM temp.${WRITE}`);
    if (keys.length > 0) {
      const partitions = await count(
        `SELECT count(*) FROM (SELECT DISTINCT ${keys.map(ident).join(", ")} FROM ${from})`,
      );
      if (partitions > MAX_PARTITIONS) {
        throw new AthenaFailure(
          "HIVE_TOO_MANY_OPEN_PARTITIONS",
          `Exceeded limit of ${MAX_PARTITIONS} open writers for partitions/buckets (${partitions} partitions)`,
        );
      }
    }
    const staging = path.join(this.workDir, input.queryId);
    await mkdir(staging, { recursive: true });
    const codec = compression === "NONE" ? "uncompressed" : compression.toLowerCase();
    if (rows > 0) {
      const options =
        keys.length > 0 && !flat
          ? `, PARTITION_BY (${keys.map(ident).join(", ")}), FILENAME_PATTERN ${str(`${input.queryId}_{i}`)}`
          : "";
      const to =
        keys.length > 0 && !flat ? staging : path.join(staging, `${input.queryId}_0.parquet`);
      await conn.run(`COPY ${from} TO ${str(to)} (FORMAT parquet, COMPRESSION ${codec}${options})`);
    }
    const { bucket, key } = parseS3Url(location);
    const files: string[] = [];
    const partitions = new Map<string, { values: string[]; location: string }>();
    for (const relative of await walk(staging)) {
      const target = this.store.file(bucket, key + relative);
      await mkdir(path.dirname(target), { recursive: true });
      await rename(path.join(staging, relative), target);
      files.push(`s3://${bucket}/${key}${relative}`);
      const folders = relative.split("/").slice(0, -1);
      if (keys.length > 0 && !flat) {
        const values = folders.map((f) => decodeURIComponent(f.slice(f.indexOf("=") + 1)));
        partitions.set(JSON.stringify(values), {
          values,
          location: `${location}${folders.join("/")}`,
        });
      }
    }
    return {
      rows,
      files,
      partitions: [...partitions.values()],
      manifest: await this.writeManifest(input, files),
    };
  }

  // ---- Iceberg (approximated: see iceberg-tables.ts) ----

  /** The CTAS of an Iceberg table: the rows in `temp.sluice_write` as its first snapshot. */
  private async createIcebergTable(
    conn: DuckDBConnection,
    input: QueryInput,
    t: { database: string; name: string; location: string; keys: string[]; scannedBytes: number },
  ): Promise<QueryOutcome> {
    const described = await describe(conn, `SELECT * FROM temp.${WRITE}`);
    const columns = described.map((c) => ({
      Name: c.name.toLowerCase(),
      Type: duckdbToHive(c.type),
    }));
    const written = await this.write(
      conn,
      input,
      `${t.location}data/`,
      described.map((c) => `${ident(c.name)} AS ${ident(c.name.toLowerCase())}`),
      t.keys,
      "ZSTD",
      true,
    );
    const metadata = await writeIcebergMetadata(this.store, t.location, input.queryId, {
      partitioning: t.keys,
      files: written.files,
      previous: null,
    });
    this.glue.createTable(t.database, {
      Name: t.name,
      TableType: "EXTERNAL_TABLE",
      Parameters: { table_type: "ICEBERG", metadata_location: metadata },
      PartitionKeys: [],
      StorageDescriptor: {
        Columns: columns,
        Location: t.location.replace(/\/$/, ""),
        ...PARQUET,
      },
    });
    return wrote(t.scannedBytes, written);
  }

  /**
   * Commit a new snapshot of an Iceberg table: write the rows of `temp.sluice_write` (projected)
   * as new data files, `keep` the current snapshot's files or not (a MERGE rewrites them all),
   * and move `metadata_location`, unless another commit moved it since `before` was read
   * (ICEBERG_COMMIT_ERROR, as Iceberg's optimistic concurrency does).
   */
  private async commitIceberg(
    conn: DuckDBConnection,
    input: QueryInput,
    table: GlueTable,
    projection: string[],
    keep: boolean,
  ) {
    const before = table.Parameters?.["metadata_location"];
    const current = await icebergMetadata(this.store, table);
    const written = await this.write(
      conn,
      input,
      `${asFolder(current.location)}data/`,
      projection,
      current.partitioning,
      "ZSTD",
      true,
    );
    const metadata = await writeIcebergMetadata(this.store, current.location, input.queryId, {
      partitioning: current.partitioning,
      files: [...(keep ? current.files : []), ...written.files],
      previous: before ?? null,
    });
    const now = this.requireTable(table.DatabaseName, table.Name);
    if (now.Parameters?.["metadata_location"] !== before)
      throw new AthenaFailure(
        "ICEBERG_COMMIT_ERROR",
        `Failed to commit Iceberg update to table ${table.DatabaseName}.${table.Name}: metadata location changed`,
        { retryable: true },
      );
    this.glue.putTable(
      now.DatabaseName,
      {
        Name: now.Name,
        TableType: now.TableType,
        Parameters: {
          ...now.Parameters,
          metadata_location: metadata,
          ...(before === undefined ? {} : { previous_metadata_location: before }),
        },
        PartitionKeys: now.PartitionKeys ?? [],
        StorageDescriptor: now.StorageDescriptor,
      },
      now,
    );
    return written;
  }

  /**
   * MERGE INTO an Iceberg table (Athena merges Iceberg tables only): the table's rows are loaded
   * into a DuckDB table, the statement runs on it with DuckDB's MERGE (the same SQL standard
   * clauses Trino takes), and the result is committed as the table's next snapshot.
   */
  private async merge(
    conn: DuckDBConnection,
    input: QueryInput,
    m: RegExpExecArray,
    db: string,
  ): Promise<QueryOutcome> {
    const { database, name } = relationOf(m[1]!, m[2], db);
    const alias = m[3] ?? name;
    const table = this.requireTable(database, name);
    if (!isIceberg(table))
      throw new AthenaFailure(
        "NOT_SUPPORTED",
        `Modifying Hive table rows is only supported for transactional tables: ${database}.${name} (MERGE INTO needs an Iceberg table)`,
      );
    const using = m[4]!;
    const { bytes: scannedBytes } = await this.expose(conn, [using, `${database}.${name}`], db);
    const target = "sluice_merge_target";
    await conn.run(`DROP TABLE IF EXISTS temp.${target}`);
    await conn.run(
      `CREATE TEMP TABLE ${target} AS SELECT * FROM ${ident(database)}.${ident(name)}`,
    );
    try {
      const merged = await conn.runAndReadAll(
        `MERGE INTO temp.${target} AS ${ident(alias)} USING ${using}`,
      );
      const changed = Number(merged.getRowsJS()[0]?.[0] ?? 0);
      await conn.run(`CREATE TEMP TABLE ${WRITE} AS SELECT * FROM temp.${target}`);
      const columns = table.StorageDescriptor?.Columns ?? [];
      const written = await this.commitIceberg(
        conn,
        input,
        table,
        columns.map((c) => ident(c.Name)),
        false,
      );
      return wrote(scannedBytes, { rows: changed, manifest: written.manifest });
    } finally {
      await conn.run(`DROP TABLE IF EXISTS temp.${target}`).catch(() => undefined);
    }
  }

  /**
   * Athena's data manifest of a CTAS/INSERT: `<OutputLocation><queryId>-manifest.csv`, one
   * written file per line. A failed write has one too; here it is empty, because files only
   * appear in the bucket once the whole statement has succeeded.
   */
  async writeManifest(
    input: Pick<QueryInput, "queryId" | "outputLocation">,
    files: readonly string[],
  ): Promise<string> {
    const out = parseS3Url(asFolder(input.outputLocation));
    const key = `${out.key}${input.queryId}-manifest.csv`;
    await this.store.put(out.bucket, key, files.map((f) => `${f}\n`).join(""));
    return `s3://${out.bucket}/${key}`;
  }

  /**
   * Trino inserts a query column into a table column only through an implicit coercion
   * (integers widen, integers/decimals to decimal or double, real to double); anything else is
   * `TYPE_MISMATCH`. A query column that is NULL on every row counts as Trino's `unknown` type
   * (DuckDB types a bare NULL as INTEGER), which coerces to anything.
   */
  private async checkInsertTypes(
    conn: DuckDBConnection,
    target: GlueColumn[],
    described: { name: string; type: string }[],
  ): Promise<void> {
    const counts =
      (
        await conn.runAndReadAll(
          `SELECT ${described.map((c) => `count(${ident(c.name)})`).join(", ")} FROM temp.${WRITE}`,
        )
      ).getRowsJS()[0] ?? [];
    const bad = target.some((column, i) => {
      if (Number(counts[i] ?? 0) === 0) return false;
      return !coercible(
        duckdbToHive(described[i]!.type),
        (column.Type ?? "string").toLowerCase().replace(/\s+/g, ""),
      );
    });
    if (bad) {
      throw new AthenaFailure(
        "TYPE_MISMATCH",
        `Insert query has mismatched column types: Table: [${target.map((c) => c.Type).join(", ")}], Query: [${described.map((c) => duckdbToHive(c.type)).join(", ")}]`,
      );
    }
  }

  private registerPartitions(
    table: GlueTable,
    partitions: { values: string[]; location: string }[],
  ): void {
    const sd = table.StorageDescriptor ?? {};
    for (const p of partitions) {
      this.glue.createPartition(table, {
        Values: p.values,
        StorageDescriptor: { ...sd, Location: p.location },
        Parameters: {},
      });
    }
  }

  private requireTable(database: string, name: string): GlueTable {
    const table = this.glue.findTable(database, name);
    if (table === undefined)
      throw new AthenaFailure(
        "TABLE_NOT_FOUND",
        `Table 'awsdatacatalog.${database}.${name}' does not exist`,
      );
    return table;
  }

  /**
   * Make the Glue tables the statement texts mention (and, through views, the tables those
   * mention) DuckDB views in schemas named like their databases; `database` is the default
   * schema. Returns the bytes of the files behind them (Athena's DataScannedInBytes, without
   * column or partition pruning) and, for one statement text, its projected raw tables' scans
   * (which {@link writeTemp} prunes by the partitions read).
   */
  private async expose(
    conn: DuckDBConnection,
    texts: string[],
    database: string,
  ): Promise<{ bytes: number; scans: ProjectedScan[] }> {
    for (const schema of this.schemas)
      await conn.run(`DROP SCHEMA IF EXISTS ${ident(schema)} CASCADE`);
    this.schemas.clear();
    const wanted = new Map<string, GlueTable>();
    const pending = [...texts];
    const all = this.glue.allTables();
    while (pending.length > 0) {
      const text = pending.pop()!.toLowerCase();
      for (const table of all) {
        const id = `${table.DatabaseName}.${table.Name}`;
        if (wanted.has(id) || !mentions(text, table.Name)) continue;
        wanted.set(id, table);
        if (table.TableType === "VIRTUAL_VIEW") pending.push(viewSql(table));
      }
    }
    const schemas = new Set([database, ...[...wanted.values()].map((t) => t.DatabaseName)]);
    for (const schema of schemas) {
      await conn.run(`CREATE SCHEMA IF NOT EXISTS ${ident(schema)}`);
      this.schemas.add(schema);
    }
    await conn.run(`SET search_path = ${str(ident(database))}`);
    let bytes = 0;
    const views: GlueTable[] = [];
    // Projected raw tables' files by enum value: a query reading some values scans only those.
    const scans: ProjectedScan[] = [];
    let markers = 0;
    const marker = () => `sluice_line_${++markers}`;
    const fileColumns = (list: string, stamp: string) =>
      this.fileColumns.columns(list, stamp, async () =>
        (
          await conn.runAndReadAll(
            `DESCRIBE SELECT * FROM read_parquet(${list}, union_by_name = true)`,
          )
        )
          .getRowsJS()
          .map((r) => String(r[0])),
      );
    for (const table of wanted.values()) {
      if (table.TableType === "VIRTUAL_VIEW") {
        views.push(table);
        continue;
      }
      const source = await tableSource(this.store, this.glue, table, fileColumns, marker);
      bytes += source.bytes;
      if (source.scans) scans.push(...source.scans);
      await conn.run(
        `CREATE VIEW ${ident(table.DatabaseName)}.${ident(table.Name)} AS ${source.select}`,
      );
    }
    // Views may read views: create those whose inputs exist, round after round, until none is
    // left or a round creates none (then it fails with the first error).
    while (views.length > 0) {
      const failures: unknown[] = [];
      const left = views.length;
      for (const view of [...views]) {
        try {
          await conn.run(
            `CREATE VIEW ${ident(view.DatabaseName)}.${ident(view.Name)} AS ${viewSql(view)}`,
          );
          views.splice(views.indexOf(view), 1);
        } catch (error) {
          failures.push(error);
        }
      }
      if (views.length === left) throw failures[0];
    }
    return { bytes, scans: texts.length === 1 ? scans : [] };
  }

  /**
   * `CREATE [OR REPLACE] TEMP TABLE sluice_write AS <select>` over the tables `select` mentions
   * ({@link expose}); returns the bytes it scanned. A projected raw table counts only the
   * partitions the statement read, told by its executed plan (DuckDB's profile): an EXPLAIN
   * before it planned the statement twice, ~0.1 s for staging's ~20 `json_extract_scalar` calls.
   */
  private async writeTemp(
    conn: DuckDBConnection,
    select: string,
    database: string,
    queryId: string,
    replace = false,
    /** Run once the query's tables are exposed, before anything is written. */
    bound?: () => Promise<void>,
  ): Promise<number> {
    const { bytes, scans } = await this.expose(conn, [select], database);
    await bound?.();
    const statement = `CREATE ${replace ? "OR REPLACE " : ""}TEMP TABLE ${WRITE} AS ${select}`;
    if (scans.length === 0) {
      await conn.run(statement);
      return bytes;
    }
    // Beside the query's folder, which its COPY writes (it must be empty).
    const profile = path.join(this.workDir, `${queryId}.profile.json`);
    const plan = await profiledRun(conn, statement, profile).finally(() =>
      rm(profile, { force: true }),
    );
    const read = plan === undefined ? undefined : await prunedBytes(conn, plan, scans);
    const projected = scans.reduce((n, s) => n + s.files.reduce((m, f) => m + f.size, 0), 0);
    return read === undefined ? bytes : bytes - projected + read;
  }
}

/** The outcome of a statement that wrote rows (CTAS, INSERT, MERGE): no result set. */
function wrote(scannedBytes: number, written: { rows: number; manifest: string }): QueryOutcome {
  return {
    columns: [],
    rows: [],
    scannedBytes,
    updateCount: written.rows,
    manifest: written.manifest,
  };
}

function ddl(): QueryOutcome {
  return { columns: [], rows: [], scannedBytes: 0 };
}

async function describe(
  conn: DuckDBConnection,
  select: string,
): Promise<{ name: string; type: string }[]> {
  const reader = await conn.runAndReadAll(`DESCRIBE ${select}`);
  return reader.getRowsJS().map((r) => ({ name: String(r[0]), type: String(r[1]) }));
}

/** A view's column type as Glue stores it (Hive names; types Hive tables refuse are kept as Trino names). */
function viewType(type: string): string {
  try {
    return duckdbToHive(type);
  } catch {
    return type.toUpperCase() === "TIMESTAMP WITH TIME ZONE"
      ? "timestamp(3) with time zone"
      : type.toLowerCase();
  }
}

/** The original SQL of a Glue view (Athena's `/* Presto View: <base64 JSON> *\/`). */
function viewSql(table: GlueTable): string {
  const m = /Presto View:\s*([A-Za-z0-9+/=]+)/.exec(table.ViewOriginalText ?? "");
  if (!m)
    throw new AthenaFailure(
      "HIVE_INVALID_VIEW_DATA",
      `View ${table.DatabaseName}.${table.Name} has no Presto view text`,
    );
  return (JSON.parse(Buffer.from(m[1]!, "base64").toString("utf8")) as { originalSql: string })
    .originalSql;
}

function mentions(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`(?<![\\w$])["\`]?${escaped}["\`]?(?![\\w$])`).test(text);
}

async function walk(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory())
      out.push(...(await walk(path.join(dir, entry.name), `${prefix}${entry.name}/`)));
    else if (!entry.name.startsWith(".")) out.push(prefix + entry.name);
  }
  return out.sort();
}

const INTEGRAL = ["tinyint", "smallint", "int", "bigint"];

/** Whether Trino coerces a value of Hive type `from` into a column of Hive type `to` on INSERT. */
function coercible(from: string, to: string): boolean {
  const base = (t: string) => t.replace(/\(.*$/, "").replace(/<.*$/, "");
  const [f, t] = [base(from), base(to)];
  if (f === t) return true;
  if (INTEGRAL.includes(f) && INTEGRAL.includes(t))
    return INTEGRAL.indexOf(f) <= INTEGRAL.indexOf(t);
  if (INTEGRAL.includes(f) || f === "decimal")
    return t === "decimal" || t === "double" || t === "float";
  if (f === "float") return t === "double";
  if (["string", "varchar", "char"].includes(f)) return ["string", "varchar", "char"].includes(t);
  return false;
}

/**
 * The column list of an INSERT (`("a", b) SELECT ...`), if any, and the query after it. A
 * parenthesised query (`(SELECT ...)`) is not a column list.
 */
function insertColumnList(rest: string): { columns?: string[]; select: string } {
  const list =
    /^\(\s*((?:"(?:[^"]|"")*"|[A-Za-z_][\w]*)(?:\s*,\s*(?:"(?:[^"]|"")*"|[A-Za-z_][\w]*))*)\s*\)\s*/.exec(
      rest,
    );
  if (!list || /^(SELECT|WITH)$/i.test(list[1]!.trim())) return { select: rest };
  const columns = [...list[1]!.matchAll(/"((?:[^"]|"")*)"|([A-Za-z_][\w]*)/g)].map((c) =>
    c[1] !== undefined ? c[1].replaceAll('""', '"') : c[2]!,
  );
  return { columns, select: rest.slice(list[0].length) };
}

/** The table columns an INSERT names, in the list's order; Trino's errors for unknown or repeated names. */
function namedColumns(all: readonly GlueColumn[], names: readonly string[]): GlueColumn[] {
  const seen = new Set<string>();
  return names.map((n) => {
    const lower = n.toLowerCase();
    if (seen.has(lower))
      throw new AthenaFailure(
        "DUPLICATE_COLUMN_NAME",
        `Insert column name is specified more than once: ${lower}`,
      );
    seen.add(lower);
    const column = all.find((c) => c.Name?.toLowerCase() === lower);
    if (column === undefined)
      throw new AthenaFailure(
        "COLUMN_NOT_FOUND",
        `Insert column name does not exist in target table: ${lower}`,
      );
    return column;
  });
}
