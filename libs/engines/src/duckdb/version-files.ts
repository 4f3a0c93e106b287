import { copyFileSync, linkSync, readdirSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import type { CarriedFiles, VersionFileOrigins, WrittenPartitions } from "../engine.js";

/**
 * Separates the partition folder from the file name of a carried file (`dt=2026%2F11%2F27%2F00~part-….parquet`).
 * DuckDB names the files it writes `part-<write id>-<n>.parquet`, which never contain it.
 */
const CARRIED = "~";

/**
 * Joins the first and last partition of a day pack in its name (see version-packs.ts). A partition
 * folder DuckDB writes escapes `%` (`%25`), so `%%` never occurs in one.
 */
export const PACK_RANGE = "%%";

/** The files under a version folder, as paths relative to it. */
export function filesUnder(root: string): string[] {
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries.filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name)));
}

/**
 * The partition a version file belongs to: its folder (as DuckDB's partitioned COPY writes it,
 * `a=1/b=2` → `a=1%2Fb=2`), or the prefix of a file carried flat; "" for an unpartitioned file.
 */
export function partitionOf(file: string): string {
  const folder = dirname(file);
  if (folder !== ".") return folder.split(sep).join("%2F");
  const name = basename(file);
  const at = name.lastIndexOf(CARRIED);
  return at < 0 ? "" : name.slice(0, at);
}

/**
 * The partitions a version file holds rows of, as the first and last (both its partition for
 * one file of one partition; a day pack's range from its name).
 *
 * @example partitionRange("dt=2026%2F11%2F25%2F00%%dt=2026%2F11%2F25%2F23~pack-v_2-0.parquet")
 * // { first: "dt=2026%2F11%2F25%2F00", last: "dt=2026%2F11%2F25%2F23" }
 */
export function partitionRange(file: string): { first: string; last: string } {
  const partition = partitionOf(file);
  const at = partition.indexOf(PACK_RANGE);
  return at < 0
    ? { first: partition, last: partition }
    : { first: partition.slice(0, at), last: partition.slice(at + PACK_RANGE.length) };
}

/** A single-column partition `col=value` (its value decoded), or undefined. */
export function singlePartition(partition: string): { column: string; value: string } | undefined {
  const eq = partition.indexOf("=");
  if (eq <= 0) return undefined;
  const rest = partition.slice(eq + 1);
  // A second column starts at `%2Fk=` (see hivePartitions); a value's own `=` is escaped.
  if (rest.includes("=")) return undefined;
  let value: string;
  try {
    value = decodeURIComponent(rest);
  } catch {
    return undefined;
  }
  return { column: partition.slice(0, eq), value };
}

/**
 * The decoded values of the partitions in `written` (paths as `partitionOf` gives them) that fall
 * within the range of the pack `file`: the rows it must lose when those partitions are written
 * again. None for a file of partitions of several columns.
 *
 * @example writtenValuesIn("dt=2026%2F11%2F25%2F00%%dt=2026%2F11%2F25%2F23~pack-v_2-0.parquet", ["dt=2026%2F11%2F25%2F07"]) // ["2026/11/25/07"]
 */
export function writtenValuesIn(file: string, written: Iterable<string>): string[] {
  const { first, last } = partitionRange(file);
  const a = singlePartition(first);
  const b = singlePartition(last);
  if (!a || !b) return [];
  const values: string[] = [];
  for (const partition of written) {
    const p = singlePartition(partition);
    if (p && p.column === a.column && p.value >= a.value && p.value <= b.value)
      values.push(p.value);
  }
  return values.sort();
}

/** Whether `file` (of a version) is a pack. */
export const isPack = (file: string): boolean => partitionOf(file).includes(PACK_RANGE);

/** Partition values that order as their text does: digits and date/time separators, e.g. '2026/11/27/23', '2026-11-27'. */
const ORDERED_AS_TEXT = /^[0-9][0-9/:. T-]*$/;

/**
 * `a` and `b` compare as the dates or times they name when compared as text: both
 * {@link ORDERED_AS_TEXT} and of one length.
 *
 * @example comparableAsText("2026/11/27/23", "2026/11/28/00") // true
 */
export function comparableAsText(a: string, b: string): boolean {
  return a.length === b.length && ORDERED_AS_TEXT.test(a) && ORDERED_AS_TEXT.test(b);
}

/**
 * The files of the version at `location` whose partition value of `column` (the first partition
 * key, as sluice's tables have it) is at least `from`, with absolute paths. Files outside any
 * partition (the zero-row schema file of a partitioned version) are always picked. Undefined when
 * some file is partitioned by another column, or a value and `from` are not same-length texts
 * that order as they compare (then only reading every file is safe).
 *
 * @example filesFrom("/lake/staging/stg_events/v_1", "dt", "2026/11/27/23")
 * // ["/lake/…/v_1/dt=2026%2F11%2F27%2F23/part-….parquet", "/lake/…/v_1/dt=2026%2F11%2F28%2F00~part-….parquet"]
 */
export function filesFrom(
  location: string,
  column: string,
  from: string,
  /** The version's files, when already listed (`filesUnder(location)`). */
  files: readonly string[] = filesUnder(location),
): string[] | undefined {
  if (!ORDERED_AS_TEXT.test(from)) return undefined;
  const prefix = `${column}=`;
  const picked: string[] = [];
  for (const file of files) {
    // A pack holds rows up to its last partition: it is read when that one is at least `from`.
    const { first, last: partition } = partitionRange(file);
    if (partition === "") {
      picked.push(join(location, file));
      continue;
    }
    if (!partition.startsWith(prefix) || !first.startsWith(prefix)) return undefined;
    const value = decodeURIComponent(
      /^[^=]*=(.*?)(?:%2F[A-Za-z_][A-Za-z0-9_]*=.*)?$/.exec(partition)![1]!,
    );
    if (!ORDERED_AS_TEXT.test(value) || value.length !== from.length) return undefined;
    if (value >= from) picked.push(join(location, file));
  }
  return picked.sort();
}

/**
 * Which files of the version at `location` its own write produced and which it carried from an
 * earlier version (`carryFiles`, `carry_where`'s copies: flat, `~` in the name). Together they are
 * every file of the version, each in one list, so a read of both is a read of the table.
 *
 * @example writtenAndCarried("/lake/silver/events/v_2", ["event_date=2026-11-27/part-1.parquet", "event_date=2026-11-26~part-0.parquet"])
 * // { written: [".../event_date=2026-11-27/part-1.parquet"], carried: [".../event_date=2026-11-26~part-0.parquet"], carriedIntoWritten: [] }
 */
export function writtenAndCarried(
  location: string,
  files: readonly string[] = filesUnder(location),
): VersionFileOrigins {
  const written = files.filter((file) => !isCarried(file));
  const carried = files.filter(isCarried);
  const writtenPartitions = new Set(written.map(partitionOf).filter((p) => p !== ""));
  const carriedIntoWritten = carried.filter((file) =>
    isPack(file)
      ? writtenValuesIn(file, writtenPartitions).length > 0
      : writtenPartitions.has(partitionOf(file)),
  );
  const absolute = (names: string[]) => names.map((file) => join(location, file)).sort();
  return {
    written: absolute(written),
    carried: absolute(carried),
    carriedIntoWritten: absolute(carriedIntoWritten),
  };
}

/** Whether a version's `file` was carried from an earlier version (flat, `~` in its name). */
export const isCarried = (file: string): boolean =>
  dirname(file) === "." && basename(file).includes(CARRIED);

/** Where a carried file goes in the new version: flat, at its root, with its partition in its name. */
export function carriedName(file: string): string {
  const name = basename(file);
  return flatName(file, name.includes(CARRIED) ? name.slice(name.lastIndexOf(CARRIED) + 1) : name);
}

/** A file `name` of the partition `file` belongs to, flat at a version's root (see carriedName). */
export function flatName(file: string, name: string): string {
  const partition = partitionOf(file);
  return partition === "" ? name : `${partition}${CARRIED}${name}`;
}

/** A day pack of the current version that holds partitions the new version wrote (see carryFiles). */
export interface OverlappingPack {
  /** Its path inside the current version. */
  file: string;
  /** The values of the partitions in it that the new version wrote. */
  values: string[];
}

/**
 * Carry files of the current version into the new one by hard link (copy when linking is not
 * possible), so a new version costs only what changed. With `skipWrittenPartitions`, a
 * partition the new version already holds files in is a replaced partition: its old files stay
 * behind, and a day pack holding rows of one is not carried but listed in `overlapping`: the
 * caller carries its other rows (see DuckDbEngine.carryVersionFiles). Returns how many files were
 * carried, how many partitions the new version wrote and its `files` after the carry.
 *
 * Carried files are linked flat into the new version's root (their partition kept in the file
 * name; the partition columns are inside the Parquet files, which is what the views read):
 * creating a folder per partition cost ~0.5 ms each here, so a lake of hourly partitions paid
 * for its whole history on every incremental run. Synchronous on purpose: a link is
 * microseconds, a libuv round trip per file was not.
 *
 * With `sizes`, the size of each file linked or copied whose source size `sizes.from` holds is
 * set in `sizes.to`, by its path in the new version (a link is the same file; a copy is whole). A
 * file already there (a name taken) is not: its size is whatever it is.
 */
export async function carryFiles(
  from: string,
  to: string,
  options: { skipWrittenPartitions: boolean; files?: readonly string[] },
  sizes?: { from: ReadonlyMap<string, number>; to: Map<string, number> },
): Promise<CarriedFiles & { overlapping: OverlappingPack[]; files: string[] }> {
  const files = filesUnder(to);
  const written = new Set(files.map(partitionOf));
  const paths: Record<string, string> = {};
  const overlapping: OverlappingPack[] = [];
  let carried = 0;
  for (const file of options.files ?? filesUnder(from)) {
    const partition = partitionOf(file);
    if (options.skipWrittenPartitions && written.has(partition)) continue;
    const values =
      options.skipWrittenPartitions && isPack(file) ? writtenValuesIn(file, written) : [];
    if (values.length > 0) {
      overlapping.push({ file, values });
      continue;
    }
    const name = (paths[file] = carriedName(file));
    // A target already in the new version stays as it is (and was listed with it).
    if (linkOrCopy(join(from, file), join(to, name))) {
      carriedSize(sizes, file, name);
      files.push(name);
    }
    carried += 1;
  }
  // The schema file at the root (no partition) is not a partition the rows wrote.
  const partitions = [...written].filter((p) => p !== "").sort();
  return {
    carried,
    paths,
    writtenPartitions: partitions.length,
    written: hivePartitions(partitions),
    overlapping,
    files,
  };
}

/** Hard-link `source` to `target`, or copy it where links fail; false when `target` exists. */
function linkOrCopy(source: string, target: string): boolean {
  try {
    linkSync(source, target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    copyFileSync(source, target);
  }
  return true;
}

/** The size of `file`, carried to `name`, as `sizes.from` knows it (see carryFiles). */
function carriedSize(
  sizes: { from: ReadonlyMap<string, number>; to: Map<string, number> } | undefined,
  file: string,
  name: string,
): void {
  const size = sizes?.from.get(file);
  if (size !== undefined) sizes!.to.set(name, size);
}

/**
 * Hive partition paths as column values: `event_date=2026-11-27`; nested folders are joined by
 * `%2F`, which a value escapes too (`dt=2026%2F11%2F27%2F00`): a new column starts at a `k=`.
 */
export function hivePartitions(paths: readonly string[]): WrittenPartitions {
  const split = paths.map((p) =>
    folders(p).map((part) => {
      const eq = part.indexOf("=");
      const value = decodeURIComponent(part.slice(eq + 1));
      return { name: part.slice(0, eq), value: value === HIVE_NULL ? null : value };
    }),
  );
  return {
    columns: (split[0] ?? []).map((c) => ({ name: c.name })),
    values: split.map((row) => row.map((c) => c.value)),
  };
}

const HIVE_NULL = "__HIVE_DEFAULT_PARTITION__";

function folders(path: string): string[] {
  const out: string[] = [];
  for (const segment of path.split("%2F")) {
    if (segment.includes("=") || out.length === 0) out.push(segment);
    else out[out.length - 1] += `%2F${segment}`;
  }
  return out;
}
