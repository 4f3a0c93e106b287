import { readFile } from "node:fs/promises";
import type { DuckDBConnection } from "@duckdb/node-api";

/**
 * One enum value's files of a projected raw table, read by a `read_csv` whose line column is
 * named `marker`, so the query plan tells which values a query reads.
 */
export interface ProjectedScan {
  marker: string;
  files: readonly { path: string; size: number }[];
}

/** A node of DuckDB's JSON profile of a statement: the walk reads these fields only. */
export interface PlanNode {
  name?: string;
  children?: PlanNode[];
  extra_info?: Record<string, unknown>;
}

/**
 * Run `statement` with DuckDB's JSON profiling written to `file`, and return its executed plan
 * (undefined when the profile cannot be read: the caller counts every file then). Profiling is
 * on for this statement only.
 */
export async function profiledRun(
  conn: DuckDBConnection,
  statement: string,
  file: string,
): Promise<PlanNode | undefined> {
  // In this order: DuckDB checks the file's extension against the profiling format.
  await conn.run("SET enable_profiling = 'json'");
  await conn.run(`SET profiling_output = '${file.replaceAll("'", "''")}'`);
  let text: string | undefined;
  try {
    await conn.run(statement);
    // Read before profiling is reset: that statement would write its own profile.
    text = await readFile(file, "utf8").catch(() => undefined);
  } finally {
    await conn.run("RESET enable_profiling");
  }
  try {
    return text === undefined ? undefined : (JSON.parse(text) as PlanNode);
  } catch {
    return undefined;
  }
}

/**
 * The bytes a query read from projected raw tables, as Athena counts them with partition
 * projection: only the partitions its predicates admit. `plan` is the query's executed plan
 * ({@link profiledRun}): the union branch of an enum value a filter on the enum column excludes
 * is pruned from it, and a filter on the date column shows as the scan's file filter, which is
 * applied here to the branch's files. Undefined when the plan cannot be read that way (a scan
 * that reads no line column cannot be told apart): the caller counts every file then.
 *
 * @example
 * const plan = await profiledRun(conn, "CREATE TEMP TABLE t AS SELECT count(*) FROM raw WHERE event_type = 'order_paid'", file);
 * if (plan) await prunedBytes(conn, plan, scans); // 1834
 */
export async function prunedBytes(
  conn: DuckDBConnection,
  plan: PlanNode,
  scans: readonly ProjectedScan[],
): Promise<number | undefined> {
  const reads: Record<string, unknown>[] = [];
  const walk = (node: PlanNode): void => {
    if (node.extra_info?.["Function"] === "READ_CSV") reads.push(node.extra_info);
    node.children?.forEach(walk);
  };
  walk(plan);
  let bytes = 0;
  for (const read of reads) {
    const projections = [read["Projections"] ?? []].flat().map(String);
    const scan = scans.find((s) => projections.includes(s.marker));
    // A CSV scan of something else (a table's own files are Parquet): not ours.
    if (scan === undefined) {
      if (projections.every((p) => p === "filename")) return undefined;
      continue;
    }
    bytes += await filteredBytes(conn, scan, read["File Filters"]);
  }
  return bytes;
}

/** The bytes of the scan's files its file filter (an expression on `filename`) keeps. */
async function filteredBytes(
  conn: DuckDBConnection,
  scan: ProjectedScan,
  filter: unknown,
): Promise<number> {
  const all = scan.files.reduce((n, f) => n + f.size, 0);
  if (typeof filter !== "string" || filter === "" || scan.files.length === 0) return all;
  const rows = scan.files
    .map((f) => `('${f.path.replaceAll("'", "''")}', ${Math.trunc(f.size)})`)
    .join(", ");
  try {
    const reader = await conn.runAndReadAll(
      `SELECT coalesce(sum(size), 0)::BIGINT AS n FROM (VALUES ${rows}) AS t(filename, size) WHERE ${filter}`,
    );
    return Number(reader.getRowsJS()[0]?.[0] ?? all);
  } catch {
    return all;
  }
}
