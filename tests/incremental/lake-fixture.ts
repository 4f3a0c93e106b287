import { execFile } from "node:child_process";
import { mkdir, readdir, rename, rm } from "node:fs/promises";
import { promisify } from "node:util";
import path from "node:path";
import { queryLake } from "../support/lake-reader.js";

const run = promisify(execFile);

/** `YYYY/MM/DD/HH` folders under a raw zone, sorted. */
export async function rawHours(rawDir: string): Promise<string[]> {
  const entries = await readdir(rawDir, { recursive: true, withFileTypes: true });
  const hours = entries
    .filter((e) => e.isDirectory())
    .map((e) => path.relative(rawDir, path.join(e.parentPath, e.name)))
    .filter((p) => p.split(path.sep).length === 4);
  return hours.sort();
}

/** Move raw hour folders from a hidden zone into the project's lake (Firehose delivering them). */
export async function expose(
  hiddenRaw: string,
  projectDir: string,
  hours: readonly string[],
): Promise<void> {
  for (const hour of hours) {
    const target = path.join(projectDir, ".lake/raw/events", hour);
    await mkdir(path.dirname(target), { recursive: true });
    await rename(path.join(hiddenRaw, hour), target);
  }
}

/** Row count and an order-independent content hash of each silver and mart table. */
export async function tableHashes(
  projectDir: string,
  tables: readonly string[],
): Promise<Record<string, string>> {
  return (await lakeState(projectDir, tables, { views: false })).hashes;
}

/**
 * {@link tableHashes} and the leftovers in table folders, from one statement on the lake read in
 * this process as `sluice query` reads it (support/lake-reader.ts: no CLI start-up per check):
 * the hash rows and DuckDB's view definitions are one result.
 *
 * Leftovers are judged from the outside: the version folder each table's view reads (from
 * DuckDB's catalog, not sluice's records), plus at most one older folder (the version it
 * replaced, kept for versions_to_keep = 1). Anything else is a leftover: a second older folder,
 * a folder newer than the published one (a crashed write), a table reading no folder, or the lock.
 * Older and newer are by the run id's second (see below).
 */
export async function lakeState(
  projectDir: string,
  tables: readonly string[],
  options: { views?: boolean } = {},
): Promise<{ hashes: Record<string, string>; leftovers: string[] }> {
  const hashSql = tables.map(
    (t) =>
      `select 'hash' as kind, '${t}' as t, count(*) || ':' || coalesce(sum(hash(x)::hugeint), 0)::varchar as v from ${t} x`,
  );
  const viewSql =
    "select 'view' as kind, schema_name || '.' || view_name as t, sql as v from duckdb_views() where not internal";
  const sql = [...hashSql, ...(options.views === false ? [] : [viewSql])].join(" union all ");
  const rows = await queryLake<{ kind: string; t: string; v: string }>(projectDir, sql);
  const hashes: Record<string, string> = {};
  for (const row of rows.filter((x) => x.kind === "hash")) hashes[row.t] = row.v;
  if (options.views === false) return { hashes, leftovers: [] };
  const views = new Map(rows.filter((x) => x.kind === "view").map((v) => [v.t, v.v]));
  const found: string[] = [];
  for (const t of tables) {
    const dir = path.join(projectDir, ".lake", ...t.split("."));
    const entries = (await readdir(dir).catch(() => [] as string[])).sort();
    const published = entries.find((e) => views.get(t)?.includes(`${path.join(dir, e)}/`));
    // Folders are named `v_<run id>`, the run id a UTC second and a random suffix: two runs
    // publishing in the same second (a killed run and its re-run) are in no order by name, so
    // "older" is by the second only (a same-second folder counts as the one kept older folder).
    const second = (e: string) => e.replace(/_[^_]*$/, "");
    const older = entries.filter(
      (e) => published !== undefined && e !== published && second(e) <= second(published),
    );
    const stray = entries.filter((e) => e !== published && !older.includes(e));
    if (published === undefined || older.length > 1 || stray.length > 0)
      found.push(`${t}: ${entries.join(", ")} (published: ${published ?? "none"})`);
  }
  const lake = await readdir(path.join(projectDir, ".lake"));
  if (lake.includes(".sluice-build.lock.json")) found.push("lock file");
  return { hashes, leftovers: found };
}

/**
 * The files of the version folder a table's view reads (paths relative to it, sorted), found from
 * DuckDB's own view definition.
 */
export async function publishedFiles(projectDir: string, table: string): Promise<string[]> {
  const [schema, name] = table.split(".");
  const [view] = await queryLake<{ v: string }>(
    projectDir,
    `select sql as v from duckdb_views() where schema_name = '${schema}' and view_name = '${name}'`,
  );
  const dir = path.join(projectDir, ".lake", schema!, name!);
  const version = (await readdir(dir)).find((e) => view?.v.includes(`${path.join(dir, e)}/`));
  if (version === undefined) throw new Error(`${table}: no version folder is read by its view`);
  const entries = await readdir(path.join(dir, version), { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(path.join(dir, version), path.join(e.parentPath, e.name)))
    .sort();
}

/**
 * Replace `to` with a copy of `from`. `cp -r` (one C process) rather than `fs.cp`, which stats and
 * copies file by file on the test's event loop: a built lake is hundreds of small files.
 */
export async function copyDir(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await mkdir(path.dirname(to), { recursive: true });
  await run("cp", ["-r", from, to]);
}
