import { cp, mkdir, readdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { runSluice } from "../support/cli.js";

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
  const out: Record<string, string> = {};
  const sql = tables
    .map(
      (t) =>
        `select '${t}' as t, count(*) as c, coalesce(sum(hash(x)::hugeint), 0)::varchar as h from ${t} x`,
    )
    .join(" union all ");
  const r = await runSluice(["--project-dir", projectDir, "query", sql, "--format", "json"]);
  if (r.code !== 0) throw new Error(`query failed: ${r.stderr}`);
  for (const row of JSON.parse(r.stdout) as { t: string; c: number; h: string }[])
    out[row.t] = `${row.c}:${row.h}`;
  return out;
}

/**
 * Leftovers in table folders, judged from the outside: the version folder each table's view reads
 * (from DuckDB's catalog, not sluice's records), plus at most one older folder (the version it
 * replaced, kept for versions_to_keep = 1). Anything else is a leftover: a second older folder,
 * a folder newer than the published one (a crashed write), a table reading no folder, or the lock.
 */
export async function leftovers(projectDir: string, tables: readonly string[]): Promise<string[]> {
  const r = await runSluice([
    ...["--project-dir", projectDir, "query", "--format", "json"],
    "select schema_name || '.' || view_name as t, sql from duckdb_views() where not internal",
  ]);
  if (r.code !== 0) throw new Error(`query failed: ${r.stderr}`);
  const views = new Map(
    (JSON.parse(r.stdout) as { t: string; sql: string }[]).map((v) => [v.t, v.sql]),
  );
  const found: string[] = [];
  for (const t of tables) {
    const dir = path.join(projectDir, ".lake", ...t.split("."));
    const entries = (await readdir(dir).catch(() => [] as string[])).sort();
    const published = entries.find((e) => views.get(t)?.includes(`${path.join(dir, e)}/`));
    const older = entries.filter((e) => published !== undefined && e < published);
    const stray = entries.filter((e) => e !== published && !older.includes(e));
    if (published === undefined || older.length > 1 || stray.length > 0)
      found.push(`${t}: ${entries.join(", ")} (published: ${published ?? "none"})`);
  }
  const lake = await readdir(path.join(projectDir, ".lake"));
  if (lake.includes(".sluice-build.lock.json")) found.push("lock file");
  return found;
}

export async function copyDir(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await cp(from, to, { recursive: true });
}
