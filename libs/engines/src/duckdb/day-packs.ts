import { unlinkSync } from "node:fs";
import { basename, join } from "node:path";
import { duckdbLiteral, quoteDuckdbIdentifier } from "@sluice/dialects";
import type { QueryResult } from "../engine.js";
import {
  filesUnder,
  partitionOf,
  partitionRange,
  singlePartition,
  type OverlappingPack,
} from "./version-files.js";
import { packPlans } from "./version-packs.js";

/** Runs one statement on the lake (the engine's execute). */
type Execute = (sql: string) => Promise<QueryResult>;

const list = (paths: readonly string[]): string => `[${paths.map(duckdbLiteral).join(", ")}]`;

/**
 * Pack the closed days' hourly files of the new version at `to` (see version-packs.ts): one COPY
 * per day reads them and writes the pack, then the hourly files (links of the current version's)
 * leave the new version, and `sizes` (its known file sizes) forgets them. Returns the packs
 * written.
 */
export async function writeDayPacks(
  execute: Execute,
  to: string,
  sizes?: Map<string, number>,
): Promise<number> {
  const plans = packPlans(to, filesUnder(to));
  for (const plan of plans) {
    await execute(
      `COPY (SELECT * FROM read_parquet(${list(plan.files.map((f) => join(to, f)))}, hive_partitioning = false, union_by_name = true)) ` +
        `TO ${duckdbLiteral(join(to, plan.name))} (FORMAT parquet, COMPRESSION zstd)`,
    );
    for (const file of plan.files) {
      unlinkSync(join(to, file));
      sizes?.delete(file);
    }
  }
  return plans.length;
}

/**
 * For each day pack of the current version (at `from`) that holds partitions the new version (at
 * `to`) wrote, copy its rows of the other partitions into a pack of the new version with the same
 * range (none when no row is left). Returns the packs written.
 */
export async function writePackRemainders(
  execute: Execute,
  from: string,
  to: string,
  overlapping: readonly OverlappingPack[],
): Promise<number> {
  let written = 0;
  for (const [i, { file, values }] of overlapping.entries()) {
    const column = singlePartition(partitionRange(file).first)!.column;
    const target = join(to, `${partitionOf(file)}~pack-${basename(to)}-r${i}.parquet`);
    const result = await execute(
      `COPY (SELECT * FROM read_parquet(${list([join(from, file)])}, hive_partitioning = false) ` +
        `WHERE CAST(${quoteDuckdbIdentifier(column)} AS VARCHAR) NOT IN (${values.map(duckdbLiteral).join(", ")})) ` +
        `TO ${duckdbLiteral(target)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    if (result.stats.rowsAffected === 0) unlinkSync(target);
    else written += 1;
  }
  return written;
}
