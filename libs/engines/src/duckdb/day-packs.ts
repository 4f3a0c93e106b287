import { unlinkSync } from "node:fs";
import { basename, join } from "node:path";
import { copyFileRowsSql, duckdbLiteral, quoteDuckdbIdentifier } from "@sluice/dialects";
import type { QueryResult } from "../engine.js";
import { partitionRange, singlePartition, type OverlappingPack } from "./version-files.js";
import { packName, packPlans } from "./version-packs.js";

/** Runs one statement on the lake (the engine's execute). */
type Execute = (sql: string) => Promise<QueryResult>;

/**
 * Pack the closed days' hourly files of the new version at `to`, whose `files` (paths inside it)
 * the carry listed (see version-packs.ts): one COPY per day reads them and writes the pack, then
 * the hourly files (links of the current version's) leave the new version, and `sizes` (its
 * known file sizes) forgets them. Returns the packs written.
 */
export async function writeDayPacks(
  execute: Execute,
  to: string,
  files: readonly string[],
  sizes?: Map<string, number>,
): Promise<number> {
  const plans = packPlans(to, files);
  for (const plan of plans) {
    const members = plan.files.map((f) => join(to, f));
    await execute(copyFileRowsSql(members, join(to, plan.name)));
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
 * range (none when no row is left). Returns the names of the packs written.
 */
export async function writePackRemainders(
  execute: Execute,
  from: string,
  to: string,
  overlapping: readonly OverlappingPack[],
): Promise<string[]> {
  const written: string[] = [];
  for (const [i, { file, values }] of overlapping.entries()) {
    const { first, last } = partitionRange(file);
    const name = packName(first, last, `${basename(to)}-r${i}`);
    const column = quoteDuckdbIdentifier(singlePartition(first)!.column);
    const kept = `CAST(${column} AS VARCHAR) NOT IN (${values.map(duckdbLiteral).join(", ")})`;
    const result = await execute(copyFileRowsSql([join(from, file)], join(to, name), kept));
    if (result.stats.rowsAffected === 0) unlinkSync(join(to, name));
    else written.push(name);
  }
  return written;
}
