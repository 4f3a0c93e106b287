import type { PlanStep } from "@sluice/compiler/plan";
import type { CarriedFiles } from "@sluice/engines";
import { basename, join } from "node:path";
import type { LakePlanRun } from "./lake-steps.js";

/**
 * A partition holding more carried files than this is compacted: its carried rows are copied into
 * one new file. Each hourly run adds a file to the partitions it writes (today's, and the days
 * late events fall in), and every read of the table opens each file's footer: without a bound,
 * a year of hourly runs would leave thousands of files.
 */
export const MAX_CARRIED_FILES_PER_PARTITION = 24;

type CarryStep = Extract<PlanStep, { kind: "storage"; op: "carry_version_files" }>;

/**
 * `carry_version_files` with `carry_where`: the current version's rows that meet `condition` go
 * into the new version. A file whose rows all meet it is linked; the rows that do from a file
 * where some do not are copied into a new file of the same partition (one per partition, which
 * also compacts a partition past {@link MAX_CARRIED_FILES_PER_PARTITION} files); a file none of
 * whose rows meet it, or an empty one, stays behind. One query reads the footers and counts the
 * rows the condition drops (statistics skip the row groups it keeps whole).
 */
export async function carryRows(
  step: CarryStep,
  condition: string,
  run: LakePlanRun,
): Promise<{ carried: CarriedFiles; carriedRows: number }> {
  const { engine, dialect, ctx } = run;
  const files = Object.keys(await engine.versionFiles(step.from)).sort();
  const counts = new Map<string, { rows: number; dropped: number }>();
  if (files.length > 0) {
    const query = dialect.carriedRowsQuery(
      files.map((f) => join(step.from, f)),
      condition,
    );
    for (const row of (await ctx.execute(query)).rows)
      counts.set(String(row["file"]), {
        rows: Number(row["rows"]),
        dropped: Number(row["dropped"]),
      });
  }
  // Per partition (by the flat name a file would take), the files to link and those to copy from.
  const partitions = new Map<string, { link: string[]; copy: string[]; rows: number }>();
  let carriedRows = 0;
  for (const file of files) {
    const count = counts.get(join(step.from, file));
    if (count === undefined) throw new Error(`bug: no row count for ${join(step.from, file)}`);
    const kept = count.rows - count.dropped;
    if (kept === 0) continue;
    carriedRows += kept;
    const key = engine.carriedFilePath("", file, "");
    const partition = partitions.get(key) ?? { link: [], copy: [], rows: 0 };
    (count.dropped === 0 ? partition.link : partition.copy).push(file);
    partition.rows += kept;
    partitions.set(key, partition);
  }
  const link: string[] = [];
  const copies: string[][] = [];
  for (const { link: whole, copy } of partitions.values()) {
    if (whole.length + copy.length > MAX_CARRIED_FILES_PER_PARTITION)
      copies.push([...whole, ...copy]);
    else {
      link.push(...whole);
      if (copy.length > 0) copies.push(copy);
    }
  }
  const carried = await engine.carryVersionFiles(step.from, step.to, {
    skipWrittenPartitions: false,
    files: link,
  });
  // Unique within the new version, and across versions: a file is carried on under its own name.
  const stem = `part-${basename(step.to)}-carried`;
  for (const [i, group] of copies.entries()) {
    const target = engine.carriedFilePath(step.to, group[0]!, `${stem}-${i}.parquet`);
    const statement = dialect.copyCarriedRows(
      group.map((f) => join(step.from, f)),
      condition,
      target,
    );
    await ctx.execute(statement.sql);
  }
  return { carried: { ...carried, carried: carried.carried + copies.length }, carriedRows };
}
