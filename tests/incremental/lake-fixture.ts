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

/** Table folders holding more than their one published version (leftovers). */
export async function leftovers(projectDir: string, tables: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const t of tables) {
    const dir = path.join(projectDir, ".lake", ...t.split("."));
    const entries = await readdir(dir).catch(() => []);
    // The published version, and at most the one it replaced (versions_to_keep defaults to 1).
    if (entries.length < 1 || entries.length > 2) found.push(`${t}: ${entries.join(", ")}`);
  }
  const lake = await readdir(path.join(projectDir, ".lake"));
  if (lake.includes(".sluice-build.lock.json")) found.push("lock file");
  return found;
}

export async function copyDir(from: string, to: string): Promise<void> {
  await rm(to, { recursive: true, force: true });
  await cp(from, to, { recursive: true });
}
