import { basename } from "node:path";
import { isCarried, PACK_RANGE, partitionRange, singlePartition } from "./version-files.js";

/**
 * Day packs: the carried hourly partitions of a closed day, in one file.
 *
 * A table partitioned by hour (`dt=2026%2F11%2F26%2F13`, as the raw zone's hour folders are)
 * gains a file per hour. Every file costs each later run a link and an unlink (carried into the
 * new version, removed with the old one) and each read of the whole table a footer: a lake of
 * 28 days paid for 672 files per table per run where it wrote three. So once no partition of a
 * day is written any more (the run wrote nothing of it, and a later day exists), the day's
 * carried files are rewritten into one pack, `<first>%%<last>~pack-<version>-<n>.parquet`, which
 * holds exactly their rows (a file's partition column is inside it; the name bounds its
 * values). An old table then has a file per day, not per hour.
 */

/** An hour partition value: `2026/11/26/13`, `2026-11-26-13` (a day and an hour, one separator). */
const HOUR_VALUE = /^(\d{4}([-/])\d{2}\2\d{2})\2\d{2}$/;

/** The day an hour partition (`dt=2026%2F11%2F26%2F13`) falls on, with its column, or undefined. */
export function dayOfPartition(partition: string): { column: string; day: string } | undefined {
  const single = singlePartition(partition);
  const m = single && HOUR_VALUE.exec(single.value);
  return m ? { column: single!.column, day: m[1]! } : undefined;
}

/** One pack to write: its files (relative to the version), its name, its column. */
export interface PackPlan {
  column: string;
  day: string;
  /** The version's files whose rows the pack holds (flat carried files and earlier packs). */
  files: string[];
  /** The pack's file name, flat at the version's root. */
  name: string;
}

/**
 * The packs a new version at `location` should write, from its `files` (relative paths, after the
 * carry): per (column, day), the flat carried files (carried hours and earlier packs) of a closed
 * day, one that this run wrote no partition of (no file of it in a partition folder) and that a
 * later day follows in the version, when there is more than one. Files of partitions that are not
 * hours stay as they are.
 *
 * @example
 * packPlans("/lake/t/v_2", ["dt=2026%2F11%2F25%2F00~part-a.parquet", "dt=2026%2F11%2F25%2F01~part-a.parquet", "dt=2026%2F11%2F26%2F00/part-b-0.parquet"])
 * // [{ column: "dt", day: "2026/11/25", files: [...both 11/25 files], name: "dt=2026%2F11%2F25%2F00%%dt=2026%2F11%2F25%2F01~pack-v_2-0.parquet" }]
 */
export function packPlans(location: string, files: readonly string[]): PackPlan[] {
  const openDays = new Set<string>();
  let latest = "";
  const groups = new Map<string, { column: string; day: string; files: string[] }>();
  for (const file of files) {
    const { first, last } = partitionRange(file);
    if (first === "") continue;
    const a = dayOfPartition(first);
    const b = dayOfPartition(last);
    if (!a || !b) continue;
    if (b.day > latest) latest = b.day;
    const key = `${a.column}\n${a.day}`;
    // Not carried: written by this run.
    if (!isCarried(file)) {
      openDays.add(key);
      continue;
    }
    if (a.column !== b.column || a.day !== b.day) continue;
    const group = groups.get(key) ?? { column: a.column, day: a.day, files: [] };
    group.files.push(file);
    groups.set(key, group);
  }
  const version = basename(location);
  const plans: PackPlan[] = [];
  for (const [key, group] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    if (openDays.has(key) || group.day >= latest || group.files.length < 2) continue;
    const ranges = group.files.map(partitionRange);
    const first = ranges.map((r) => r.first).sort()[0]!;
    const last = ranges
      .map((r) => r.last)
      .sort()
      .at(-1)!;
    const files = [...group.files].sort();
    plans.push({
      column: group.column,
      day: group.day,
      files,
      name: packName(first, last, `${version}-${plans.length}`),
    });
  }
  return plans;
}

/** A pack's file name: its first and last partition, then `pack-<id>` (flat, as carried files are). */
export function packName(first: string, last: string, id: string): string {
  return `${first}${PACK_RANGE}${last}~pack-${id}.parquet`;
}
