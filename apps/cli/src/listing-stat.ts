import { statSync } from "node:fs";
import { toNamespacedPath } from "node:path";

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
  return {
    directory: (n[1]! & S_IFMT) === S_IFDIR,
    size: n[8]!,
    mtimeMs: n[12]! * 1e3 + n[13]! / 1e6,
  };
}

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
