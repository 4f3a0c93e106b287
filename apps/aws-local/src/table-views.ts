import { RAW_LINE_SIZE_OPTIONS } from "@sluice/dialects";
import type { GlueCatalog, GlueTable } from "./glue-catalog.js";
import { AthenaFailure } from "./athena-failure.js";
import { hiveToDuckdb } from "./sql-types.js";
import { icebergFiles, isIceberg } from "./iceberg-tables.js";
import { asFolder, parseS3Url, type S3Entry, type S3Store } from "./s3-store.js";
import type { ProjectedScan } from "./scanned-bytes.js";

/** How a Glue table reads on DuckDB: the view body and the bytes of the files it reads. */
export interface TableSource {
  select: string;
  bytes: number;
  /**
   * A projected raw table: its files per enum value (one union branch each), so a query's
   * bytes can count only the values it reads (see `prunedBytes`).
   */
  scans?: ProjectedScan[];
}

export const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
export const str = (text: string) => `'${text.replaceAll("'", "''")}'`;

/** Hive and Athena skip files whose name (or a folder's) starts with `_` or `.`. */
const hidden = (relative: string) =>
  relative.split("/").some((p) => p.startsWith("_") || p.startsWith("."));

/**
 * The DuckDB SELECT that reads exactly what Athena would read for `table`, per Glue:
 * - Parquet, unpartitioned: every (non-hidden) file under its location;
 * - Parquet, partitioned: only the files under each registered partition's location, with the
 *   partition values as columns (a folder with no Glue partition is not read);
 * - Iceberg (`table_type` ICEBERG): the data files of the snapshot at `metadata_location`;
 * - the raw TEXTFILE table with partition projection on `dt`: files at
 *   `<location>YYYY/MM/DD/HH/<name>` inside the projection range, one row per line (`line`, `dt`);
 *   with an enum projection on `event_type` before it (Firehose dynamic partitioning), files at
 *   `<location>event_type=<value>/YYYY/MM/DD/HH/<name>` for the enum's values only (`line`,
 *   `event_type`, `dt`).
 * Columns come from Glue by name (Parquet is read by name); a Glue column missing from the files
 * reads as NULL. Views (`VIRTUAL_VIEW`) are handled by the caller.
 */
export async function tableSource(
  store: S3Store,
  glue: GlueCatalog,
  table: GlueTable,
  /**
   * The column names of `read_parquet(<list>, union_by_name = true)`. `stamp` names the files'
   * sizes and modification times: the same list and stamp are the same files.
   */
  fileColumns: (list: string, stamp: string) => Promise<string[]>,
  /** A column name no other scan of the statement uses (the projected table's line columns). */
  marker: () => string = () => "line",
): Promise<TableSource> {
  const sd = table.StorageDescriptor ?? {};
  const location = sd.Location;
  if (location === undefined)
    throw new AthenaFailure(
      "HIVE_METASTORE_ERROR",
      `Table ${table.DatabaseName}.${table.Name} has no location`,
    );
  const columns = sd.Columns ?? [];
  const keys = table.PartitionKeys ?? [];
  const input = sd.InputFormat ?? "";
  if (table.Parameters?.["projection.enabled"] === "true")
    return projectedText(store, table, location, marker);
  const iceberg = isIceberg(table);
  if (
    !iceberg &&
    !/parquet/i.test(input) &&
    !/parquet/i.test(sd.SerdeInfo?.SerializationLibrary ?? "")
  ) {
    throw new AthenaFailure(
      "NOT_SUPPORTED",
      `aws-local reads Parquet tables and the projected raw text table only; ${table.DatabaseName}.${table.Name} is ${input || "of unknown format"}`,
    );
  }
  const parts = iceberg
    ? []
    : keys.length === 0
      ? [{ values: [] as string[], location }]
      : glue.tablePartitions(table).map((p) => ({
          values: p.Values,
          location:
            p.StorageDescriptor?.Location ??
            `${asFolder(location)}${keys.map((k, i) => `${k.Name}=${p.Values[i]}`).join("/")}/`,
        }));
  const groups: { values: string[]; files: S3Entry[]; paths: string[] }[] = [];
  if (iceberg) {
    // The current snapshot's data files, per its metadata (older snapshots' files are not read).
    const files = await icebergFiles(store, table);
    const { bucket } = parseS3Url(location);
    if (files.length > 0)
      groups.push({ values: [], files, paths: files.map((f) => store.file(bucket, f.key)) });
  }
  for (const part of parts) {
    const { bucket, key } = parseS3Url(asFolder(part.location));
    const files = (await store.list(bucket, key).catch(() => [])).filter(
      (f) => f.size > 0 && !hidden(f.key.slice(key.length)),
    );
    if (files.length > 0)
      groups.push({
        values: part.values,
        files,
        paths: files.map((f) => store.file(bucket, f.key)),
      });
  }
  const empty = `SELECT ${[...columns, ...keys].map((c) => `CAST(NULL AS ${hiveToDuckdb(c.Type ?? "string")}) AS ${ident(c.Name)}`).join(", ")} WHERE false`;
  if (groups.length === 0) return { select: empty, bytes: 0 };
  const bytes = groups.reduce((n, g) => n + g.files.reduce((m, f) => m + f.size, 0), 0);
  const selects: string[] = [];
  for (const g of groups) {
    const list = `[${g.paths.map(str).join(", ")}]`;
    const stamp = g.files.map((f) => `${f.size}@${f.modified.getTime()}`).join(",");
    const present = new Map((await fileColumns(list, stamp)).map((c) => [c.toLowerCase(), c]));
    const projection = [
      ...columns.map((c) => {
        const found = present.get(c.Name.toLowerCase());
        return `CAST(${found === undefined ? "NULL" : ident(found)} AS ${hiveToDuckdb(c.Type ?? "string")}) AS ${ident(c.Name)}`;
      }),
      ...keys.map(
        (k, i) =>
          `CAST(${str(g.values[i] ?? "")} AS ${hiveToDuckdb(k.Type ?? "string")}) AS ${ident(k.Name)}`,
      ),
    ];
    selects.push(
      `SELECT ${projection.join(", ")} FROM read_parquet(${list}, union_by_name = true)`,
    );
  }
  return { select: selects.join("\nUNION ALL\n"), bytes };
}

async function projectedText(
  store: S3Store,
  table: GlueTable,
  location: string,
  marker: () => string,
): Promise<TableSource> {
  const params = table.Parameters ?? {};
  const keys = (table.PartitionKeys ?? []).map((k) => k.Name);
  const dateKey = keys[keys.length - 1];
  const enumKey = keys.length === 2 ? keys[0] : undefined;
  const supported =
    (keys.length === 1 || keys.length === 2) &&
    params[`projection.${dateKey}.type`] === "date" &&
    params[`projection.${dateKey}.format`] === "yyyy/MM/dd/HH" &&
    (enumKey === undefined || params[`projection.${enumKey}.type`] === "enum");
  if (!supported || dateKey === undefined)
    throw new AthenaFailure(
      "NOT_SUPPORTED",
      `aws-local projects only a date partition 'yyyy/MM/dd/HH', optionally after one enum partition (table ${table.DatabaseName}.${table.Name})`,
    );
  const [start = "", end = "NOW"] = (params[`projection.${dateKey}.range`] ?? "").split(",");
  const upper =
    end.trim() === "NOW"
      ? new Date().toISOString().replace(/^(\d+)-(\d+)-(\d+)T(\d+).*$/, "$1/$2/$3/$4")
      : end.trim();
  const template =
    params["storage.location.template"] ??
    `${asFolder(location)}${enumKey === undefined ? "" : `\${${enumKey}}/`}\${${dateKey}}/`;
  // The enum's values, each a folder of the template: Athena lists exactly these.
  const values =
    enumKey === undefined
      ? [undefined]
      : (params[`projection.${enumKey}.values`] ?? "").split(",").map((v) => v.trim());
  const columns = table.StorageDescriptor?.Columns ?? [];
  const lineColumn = ident(columns[0]?.Name ?? "line");
  const selects: string[] = [];
  const scans: ProjectedScan[] = [];
  let bytes = 0;
  for (const value of values) {
    const filled = enumKey === undefined ? template : template.replaceAll(`\${${enumKey}}`, value!);
    const root = filled.slice(0, filled.indexOf(`\${${dateKey}}`));
    const { bucket, key: prefix } = parseS3Url(root);
    const files = (await store.list(bucket, prefix).catch(() => [])).filter((f) => {
      const m = /^(\d{4}\/\d{2}\/\d{2}\/\d{2})\/[^/]+$/.exec(f.key.slice(prefix.length));
      return (
        m !== null &&
        f.size > 0 &&
        !hidden(f.key.slice(prefix.length)) &&
        m[1]! >= start.trim() &&
        m[1]! <= upper
      );
    });
    if (files.length === 0) continue;
    bytes += files.reduce((n, f) => n + f.size, 0);
    const rootDir = store.file(bucket, prefix.replace(/\/$/, ""));
    const paths = files.map((f) => store.file(bucket, f.key));
    const list = `[${paths.map(str).join(", ")}]`;
    const line = marker();
    scans.push({ marker: line, files: files.map((f, i) => ({ path: paths[i]!, size: f.size })) });
    selects.push(
      // A blank line is a row holding '' (Hive's LazySimpleSerDe returns a blanked row for it;
      // DuckDB reads it as NULL), so staging sees and rejects it, as on the local lake.
      `SELECT coalesce(${ident(line)}, '') AS ${lineColumn}, ` +
        (enumKey === undefined ? "" : `${str(value!)} AS ${ident(enumKey)}, `) +
        `substr(filename, ${[...rootDir].length + 2}, 13) AS ${ident(dateKey)}\n` +
        `FROM read_csv(${list}, columns = {${str(line)}: 'VARCHAR'}, header = false, auto_detect = false, delim = chr(0), quote = '', escape = '', ` +
        `new_line = '\\n', strict_mode = false, filename = true, ${RAW_LINE_SIZE_OPTIONS})`,
    );
  }
  if (selects.length === 0)
    return {
      select: `SELECT CAST(NULL AS VARCHAR) AS ${lineColumn}, ${keys.map((k) => `CAST(NULL AS VARCHAR) AS ${ident(k)}`).join(", ")} WHERE false`,
      bytes: 0,
    };
  return { select: selects.join("\nUNION ALL\n"), bytes, scans };
}
