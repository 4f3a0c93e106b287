import { statSync } from "node:fs";
import { sep, toNamespacedPath } from "node:path";

/**
 * What the project listing (compile-cache.ts) reads of one path: whether it is a folder, and a
 * file's size and modification time in ms (as `Stats.mtimeMs`).
 */
export interface ListingStat {
  directory: boolean;
  size: number;
  mtimeMs: number;
}

/** The raw `stat` of Node's fs binding: the 18 numbers `Stats` is built from, or undefined. */
type RawStat = (path: string, bigint: false, req: undefined, throwIfNoEntry: false) => unknown;

/**
 * statSync's call of its binding, without whitespace or a trailing comma: the only shape
 * {@link rawStat} accepts.
 */
const EXPECTED_CALL =
  "binding.stat(pathModule.toNamespacedPath(path),options.bigint,undefined,options.throwIfNoEntry)";
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

let raw: RawStat | null | undefined;

/**
 * Node's own fs binding's `stat`, when this Node's `fs.statSync` calls it exactly as
 * {@link listingStat} does (read from statSync's source); otherwise null. `statSync` builds a
 * `Stats` and four `Date`s per call: at 10,000 files that is about half of the listing's CPU in
 * a fresh process (its code never gets warm), and the listing is most of a no-change compile.
 * `process.binding` is deprecated (DEP0111, a warning only under --pending-deprecation, which
 * this keeps quiet) and may go away or change; any doubt gives null and statSync is used.
 */
function rawStat(): RawStat | null {
  if (raw !== undefined) return raw;
  raw = null;
  const proc = process as unknown as {
    binding?: (name: string) => unknown;
    noDeprecation?: boolean;
  };
  if (typeof proc.binding !== "function") return raw;
  const source = statSync.toString().replace(/\s+/g, "").replaceAll(",)", ")");
  if (!source.includes(EXPECTED_CALL)) return raw;
  const quiet = proc.noDeprecation;
  try {
    proc.noDeprecation = true;
    const binding = proc.binding("fs") as { stat?: unknown } | undefined;
    if (typeof binding?.stat === "function") raw = binding.stat.bind(binding) as RawStat;
  } catch {
    // Not allowed here (e.g. Node's permission model): statSync.
  } finally {
    proc.noDeprecation = quiet;
  }
  return raw;
}

/** Whether {@link listingStat} calls Node's fs binding (else statSync). */
export function listingStatThroughBinding(): boolean {
  return rawStat() !== null;
}

/** The raw numbers as {@link ListingStat}, as Node's getStatsFromBinding computes them. */
function fromRaw(n: ArrayLike<number>): ListingStat {
  return { directory: isDirectory(n), size: n[8]!, mtimeMs: mtimeMs(n) };
}

const isDirectory = (n: ArrayLike<number>): boolean => (n[1]! & S_IFMT) === S_IFDIR;
const mtimeMs = (n: ArrayLike<number>): number => n[12]! * 1e3 + n[13]! / 1e6;

const STAT_OPTIONS = { throwIfNoEntry: false } as const;

/** {@link listingStat} through `fs.statSync`: the reference, and the fallback. */
export function statSyncListingStat(path: string): ListingStat | undefined {
  const s = statSync(path, STAT_OPTIONS);
  return s && { directory: s.isDirectory(), size: s.size, mtimeMs: s.mtimeMs };
}

/**
 * `path`'s {@link ListingStat}, undefined when it does not exist; throws as statSync does
 * (e.g. EACCES). The same values as {@link statSyncListingStat}, at about half the CPU where
 * Node's binding can be called directly (see {@link rawStat}).
 */
export function listingStat(path: string): ListingStat | undefined {
  const stat = rawStat();
  if (stat === null) return statSyncListingStat(path);
  const n = stat(toNamespacedPath(path), false, undefined, false);
  if (n === undefined) return undefined;
  if (!(n instanceof Float64Array) || n.length < 14) {
    raw = null;
    return statSyncListingStat(path);
  }
  return fromRaw(n);
}

/** A listed name's first number when it is a folder (a file's are its size and mtime). */
export const FOLDER = -1;
/** A listed name's first number when it is missing or cannot be stat'ed. */
export const MISSING = -2;
/**
 * A listed name's first number when it is neither a folder nor a regular file (a FIFO, a
 * socket, a device): never read for its content (a FIFO's read waits for a writer forever).
 */
export const OTHER = -3;

/**
 * The numbers of `names` (entries of the folder `base`) in a listing: at 2i and 2i+1 a file's
 * size and modification time in ms, or {@link FOLDER}, {@link MISSING} or {@link OTHER} and 0.
 *
 * `fromFolder`: stat each name relative to `base` made the working directory (the caller puts
 * the working directory back: see {@link withFolderStats}). The kernel then resolves one path
 * component instead of the whole path, and no path string is built per file: about a quarter of
 * a 10,000-file listing's CPU (#14). Where chdir is not possible, full paths.
 */
export function folderStats(
  base: string,
  names: readonly string[],
  fromFolder = false,
): Float64Array {
  const numbers = new Float64Array(names.length * 2);
  let prefix = `${base}${sep}`;
  if (fromFolder) {
    try {
      process.chdir(base);
      prefix = "";
    } catch {
      // Gone since its listing, or no chdir here: each name by its full path.
    }
  }
  for (let i = 0; i < names.length; i++) {
    try {
      statInto(prefix === "" ? names[i]! : `${prefix}${names[i]}`, numbers, 2 * i);
    } catch {
      // Unreadable (permissions, a file where a folder was): as good as missing.
      numbers[2 * i] = MISSING;
    }
  }
  return numbers;
}

/**
 * {@link listingStat} written into a listing's `numbers` at `at` (see {@link folderStats}): no
 * object per file (at 10,000 files they and the GC they caused were ~17 % of the listing's CPU).
 */
function statInto(path: string, numbers: Float64Array, at: number): void {
  const stat = rawStat();
  if (stat !== null) {
    const n = stat(toNamespacedPath(path), false, undefined, false);
    if (n === undefined) numbers[at] = MISSING;
    else if (!(n instanceof Float64Array) || n.length < 14) raw = null;
    else if (isDirectory(n)) numbers[at] = FOLDER;
    else if ((n[1]! & S_IFMT) !== S_IFREG) numbers[at] = OTHER;
    else {
      numbers[at] = n[8]!;
      numbers[at + 1] = mtimeMs(n);
    }
    if (raw !== null) return;
  }
  const s = statSync(path, STAT_OPTIONS);
  if (s === undefined) numbers[at] = MISSING;
  else if (s.isDirectory()) numbers[at] = FOLDER;
  else if (!s.isFile()) numbers[at] = OTHER;
  else {
    numbers[at] = s.size;
    numbers[at + 1] = s.mtimeMs;
  }
}

/**
 * Thrown when the working directory changed by {@link folderStats} cannot be put back as it was
 * (it was moved or removed meanwhile): the command must stop rather than run somewhere else.
 */
export class WorkingDirectoryLost extends Error {
  override name = "WorkingDirectoryLost";
}

/**
 * Run `list`, allowed (its argument true) to change the working directory through
 * {@link folderStats}, then put the working directory back, checked by device and inode.
 * Only where nothing else can use the working directory meanwhile: bin/sluice.js's replay gate,
 * synchronous and before anything asynchronous started (a command's own listing, with file
 * operations or workers in flight, uses full paths). `list` gets false where the working
 * directory cannot be known or changed (a removed one, a worker thread).
 */
export function withFolderStats<T>(list: (fromFolder: boolean) => T): T {
  let cwd: string;
  let here: string | undefined;
  try {
    cwd = process.cwd();
    here = identity(".");
    process.chdir(cwd);
  } catch {
    return list(false);
  }
  if (here === undefined) return list(false);
  try {
    return list(true);
  } finally {
    try {
      process.chdir(cwd);
    } catch {
      // Checked below.
    }
    if (identity(".") !== here)
      throw new WorkingDirectoryLost(
        `the working directory ${cwd} was moved or removed while sluice listed the project`,
      );
  }
}

/** Device and inode of `p` (a folder), or undefined. */
function identity(p: string): string | undefined {
  try {
    const s = statSync(p, { bigint: true, throwIfNoEntry: false });
    return s && `${s.dev}:${s.ino}`;
  } catch {
    return undefined;
  }
}
