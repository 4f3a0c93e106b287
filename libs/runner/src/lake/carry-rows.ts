import type { PlanStep } from "@sluice/compiler/plan";
import type { CarriedFiles } from "@sluice/engines";
import { basename, join, relative } from "node:path";
import { rowsKnown } from "./carry-record.js";
import type { LakePlanRun } from "./lake-steps.js";

/**
 * A partition holding more carried files than this is compacted: its carried rows are copied into
 * one new file. Each hourly run adds a file to the partitions it writes (today's, and the days
 * late events fall in), and every read of the table opens each file's footer: without a bound,
 * a year of hourly runs would leave thousands of files.
 */
export const MAX_CARRIED_FILES_PER_PARTITION = 24;

type CarryStep = Extract<PlanStep, { kind: "storage"; op: "carry_version_files" }>;

/** What {@link carryRows} carried. */
export interface RowsCarried {
  carried: CarriedFiles;
  /** Rows carried into the new version. */
  carriedRows: number;
  /**
   * With the step's `carryBound`: the rows of each file the new version carried, by path inside
   * it, to be recorded when it is published (`TableVersionState.carried`).
   */
  fileRows?: Map<string, number>;
}

/**
 * `carry_version_files` with `carry_where`: the current version's rows that meet `condition` go
 * into the new version. A file whose rows all meet it is linked; the rows that do from a file
 * where some do not are copied into a new file of the same partition (one per partition, which
 * also compacts a partition past {@link MAX_CARRIED_FILES_PER_PARTITION} files); a file none of
 * whose rows meet it, or an empty one, stays behind. One query reads the footers and counts the
 * rows the condition drops (statistics skip the row groups it keeps whole), over the files the
 * current version's carry record does not answer for (see {@link rowsKnown}): with a bound that
 * did not go down, only the files it wrote.
 */
export async function carryRows(
  step: CarryStep,
  condition: string,
  run: LakePlanRun,
): Promise<RowsCarried> {
  const { engine, dialect, ctx } = run;
  const sizes = await engine.versionFiles(step.from);
  const files = Object.keys(sizes).sort();
  const known =
    step.carryBound === undefined
      ? new Map<string, number>()
      : rowsKnown(await engine.carryRecord(run.node.relation, step.from), step.carryBound, sizes);
  const counts = new Map<string, { rows: number; dropped: number }>();
  for (const [file, rows] of known) counts.set(file, { rows, dropped: 0 });
  const counted = files.filter((file) => !known.has(file));
  if (counted.length > 0) {
    const query = dialect.carriedRowsQuery(
      counted.map((f) => join(step.from, f)),
      condition,
    );
    for (const row of (await ctx.execute(query)).rows)
      counts.set(relative(step.from, String(row["file"])), {
        rows: Number(row["rows"]),
        dropped: Number(row["dropped"]),
      });
  }
  // Per partition (by the flat name a file would take), the files to link and those to copy from.
  const partitions = new Map<
    string,
    { link: string[]; copy: string[]; rows: number; linkedRows: number[] }
  >();
  let carriedRows = 0;
  for (const file of files) {
    const count = counts.get(file);
    if (count === undefined) throw new Error(`bug: no row count for ${join(step.from, file)}`);
    const kept = count.rows - count.dropped;
    if (kept === 0) continue;
    carriedRows += kept;
    const key = engine.carriedFilePath("", file, "");
    const partition = partitions.get(key) ?? { link: [], copy: [], rows: 0, linkedRows: [] };
    if (count.dropped === 0) {
      partition.link.push(file);
      partition.linkedRows.push(kept);
    } else partition.copy.push(file);
    partition.rows += kept;
    partitions.set(key, partition);
  }
  const link: string[] = [];
  const linkRows = new Map<string, number>();
  const copies: { files: string[]; rows: number }[] = [];
  for (const { link: whole, copy, rows, linkedRows } of partitions.values()) {
    if (whole.length + copy.length > MAX_CARRIED_FILES_PER_PARTITION)
      copies.push({ files: [...whole, ...copy], rows });
    else {
      link.push(...whole);
      whole.forEach((file, i) => linkRows.set(file, linkedRows[i]!));
      if (copy.length > 0)
        copies.push({ files: copy, rows: rows - linkedRows.reduce((a, b) => a + b, 0) });
    }
  }
  const carried = await engine.carryVersionFiles(step.from, step.to, {
    skipWrittenPartitions: false,
    files: link,
  });
  const fileRows = new Map<string, number>();
  for (const [file, rows] of linkRows) {
    const path = carried.paths?.[file];
    if (path !== undefined) fileRows.set(path, rows);
  }
  // Unique within the new version, and across versions: a file is carried on under its own name.
  const stem = `part-${basename(step.to)}-carried`;
  for (const [i, group] of copies.entries()) {
    const target = engine.carriedFilePath(step.to, group.files[0]!, `${stem}-${i}.parquet`);
    const statement = dialect.copyCarriedRows(
      group.files.map((f) => join(step.from, f)),
      condition,
      target,
    );
    await ctx.execute(statement.sql);
    fileRows.set(relative(step.to, target), group.rows);
  }
  return {
    carried: { ...carried, carried: carried.carried + copies.length },
    carriedRows,
    ...(step.carryBound === undefined ? {} : { fileRows }),
  };
}
