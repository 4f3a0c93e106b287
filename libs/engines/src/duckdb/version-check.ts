import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import type { VersionDamage } from "../engine.js";
import type { CarryRecord } from "@sluice/dialects";

/**
 * Compare a version folder with its record (`{ "<path in the version>": bytes }`): one stat per
 * file, so checking a version of ~200 files costs about a millisecond. A missing folder is one
 * damage entry, not one per file.
 *
 * @example checkVersionFiles("silver.events", "/lake/silver/events/v_7", { "part-7.parquet": 41 })
 * // [] when the file is there with 41 bytes
 */
export function checkVersionFiles(
  table: string,
  version: string,
  files: Readonly<Record<string, number>>,
): VersionDamage[] {
  if (statSync(version, { throwIfNoEntry: false }) === undefined) {
    return [{ table, version, path: version, problem: "missing folder" }];
  }
  const damage: VersionDamage[] = [];
  for (const [file, bytes] of Object.entries(files)) {
    const path = join(version, file);
    const found = statSync(path, { throwIfNoEntry: false });
    if (found === undefined) damage.push({ table, version, path, problem: "missing file" });
    else if (found.size !== bytes) {
      damage.push({
        table,
        version,
        path,
        problem: "size changed",
        expectedBytes: bytes,
        actualBytes: found.size,
      });
    }
  }
  return damage;
}

/**
 * The data files (`*.parquet`, what the table's view reads) of the version at `location`, as
 * `{ "<path inside the version>": size in bytes }`: what its record holds. A version an
 * incremental run wrote is mostly flat (carried files), so this is a readdir and a stat per file
 * whose size `known` (by path inside the version) does not hold: the run knows the sizes of the
 * files it checked against their record and carried by link, and a month of hourly partitions
 * is ~680 stats per table, slow where the inodes are no longer cached.
 *
 * @example listVersionFiles("/lake/silver/events/v_2", new Map([["p=1~part-0.parquet", 41]]))
 * // { "p=1~part-0.parquet": 41, "p=2/part-1.parquet": 57 } (one stat, of the second file)
 */
export function listVersionFiles(
  location: string,
  known?: ReadonlyMap<string, number>,
): Record<string, number> {
  const files: Record<string, number> = {};
  for (const entry of readdirSync(location, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith(".parquet")) continue;
    const path = join(entry.parentPath, entry.name);
    const file = relative(location, path);
    files[file] = known?.get(file) ?? statSync(path).size;
  }
  return files;
}

/** A recorded `files` column (JSON) as a map; undefined when not recorded (still writing). */
export function parseVersionFiles(json: unknown): Record<string, number> | undefined {
  if (typeof json !== "string") return undefined;
  const parsed = JSON.parse(json) as Record<string, number | string>;
  return Object.fromEntries(Object.entries(parsed).map(([file, bytes]) => [file, Number(bytes)]));
}

/**
 * A recorded `carried` column (JSON of a `CarryRecord`); undefined when not recorded, or not of
 * that shape (then nothing is known: every file is counted, which is always right).
 */
export function parseCarryRecord(json: unknown): CarryRecord | undefined {
  if (typeof json !== "string") return undefined;
  let parsed: Partial<CarryRecord> | null;
  try {
    parsed = JSON.parse(json) as Partial<CarryRecord> | null;
  } catch {
    return undefined;
  }
  const files = parsed?.files;
  if (
    typeof parsed?.column !== "string" ||
    typeof parsed.inclusive !== "boolean" ||
    typeof parsed.bound !== "string" ||
    typeof files !== "object" ||
    files === null ||
    !Object.values(files).every(
      (v) => Array.isArray(v) && v.length === 2 && v.every((n) => Number.isInteger(n)),
    )
  )
    return undefined;
  return { column: parsed.column, inclusive: parsed.inclusive, bound: parsed.bound, files };
}
