import type { CarryBound } from "@sluice/compiler/plan";
import type { CarryRecord } from "@sluice/dialects";
import { comparableAsText } from "@sluice/engines";

/**
 * The rows of the files of a version that its {@link CarryRecord} proves still meet the
 * condition whole under this run's `bound`, by path inside the version: no query needs to count
 * them. Empty (count them all) when the record is of another condition, its bound and this one
 * do not compare as text, or this bound is lower (late raw files, a pending reconciliation: some
 * carried rows may no longer meet it). A file whose size is not the recorded one is not the file
 * recorded: it is left out, so counted.
 *
 * Why it holds: every row of a carried file met `column < record.bound` (or `<=`) when carried;
 * with `bound.from >= record.bound`, it meets `column < bound.from` too.
 *
 * @example rowsKnown(record, { column: "dt", inclusive: false, from: "2026/11/27/02" },
 *   { "event_date=2026-11-26~part-0.parquet": 41230, "event_date=2026-11-27/part-1.parquet": 900 })
 * // Map { "event_date=2026-11-26~part-0.parquet" => 1812 } (when recorded with 41230 bytes)
 */
export function rowsKnown(
  record: CarryRecord | undefined,
  bound: CarryBound,
  sizes: Readonly<Record<string, number>>,
): Map<string, number> {
  const known = new Map<string, number>();
  if (
    record === undefined ||
    record.column !== bound.column ||
    record.inclusive !== bound.inclusive ||
    !comparableAsText(record.bound, bound.from) ||
    bound.from < record.bound
  )
    return known;
  for (const [file, [bytes, rows]] of Object.entries(record.files))
    if (sizes[file] === bytes) known.set(file, rows);
  return known;
}

/**
 * The {@link CarryRecord} of a new version: the rows of each file it carried (`rows`, by path
 * inside it) with the bytes the version's file listing at publish gives; a file not listed then
 * is left out.
 */
export function carryRecordOf(
  bound: CarryBound,
  rows: ReadonlyMap<string, number>,
  sizes: Readonly<Record<string, number>>,
): CarryRecord {
  const files: Record<string, [number, number]> = {};
  for (const [file, n] of rows) {
    const bytes = sizes[file];
    if (bytes !== undefined) files[file] = [bytes, n];
  }
  return { column: bound.column, inclusive: bound.inclusive, bound: bound.from, files };
}
