import type { Table } from "@aws-sdk/client-glue";
import { decodeEntries, encodeEntries, type RecordedPartition } from "./partition-record.js";
import { parseRetired, type Retirement } from "./version-retention.js";
import { asFolder, parseS3Directory } from "./s3-location.js";

/**
 * Glue table parameter: the file names of retired partition locations (those listed in
 * `sluice_retired_locations` whose files the partition record named), encoded as the partition
 * record (`partition-record.ts`). When they expire, their objects are deleted by key, with no
 * listing. Over {@link RETIRED_FILES_LIMIT} bytes it is left out, and those locations are
 * deleted by listing them, as before.
 */
export const RETIRED_FILES_PARAMETER = "sluice_retired_files";

/**
 * Glue table parameter written by the publish update that expires locations by key:
 * `{"t":"<staging table>","l":["s3://…/r1/event_date=2026-11-27/", …]}`. The objects are deleted
 * at the end of the run, in DeleteObjects calls shared by every table, and only then is staging
 * table `t` dropped. So while `t` is in Glue, the deletes may not have happened: whatever drops
 * `t` otherwise (the next run's sweep, a failed node's cleanup) first deletes what lies under
 * `l` ({@link pendingExpiry}). Once `t` is gone the value is stale, and the next publish
 * replaces or removes it.
 */
export const EXPIRING_PARAMETER = "sluice_expiring";

/** Largest {@link RETIRED_FILES_PARAMETER} value (as the partition record's limit). */
export const RETIRED_FILES_LIMIT = 128_000;

/** Objects to delete in one bucket. */
export interface KeysToDelete {
  bucket: string;
  keys: string[];
}

/** A publish's expiry, split into what is deleted by key and what still needs a listing. */
export interface KeyedExpiry {
  /** The retirement without the locations deleted by key (`expired`: those left to list). */
  retirement: Retirement;
  /** The objects of the locations expired by key, to delete after the table update. */
  expiring: KeysToDelete[];
  /** The {@link EXPIRING_PARAMETER} value; undefined: remove the parameter. */
  marker: string | undefined;
}

/**
 * Split `retirement`'s expired locations into those whose files are known (`known`: the table's
 * {@link RETIRED_FILES_PARAMETER} plus the partitions this publish replaced), deleted by key after
 * the update and recorded under `staging` in {@link EXPIRING_PARAMETER} (no longer listed as
 * retired), and the others (`retirement.expired`: listed and deleted as before).
 */
export function expireByKey(
  retirement: Retirement,
  known: ReadonlyMap<string, RecordedPartition>,
  staging: string,
): KeyedExpiry {
  const byKey = retirement.expired.filter((l) => known.has(asFolder(l)));
  if (byKey.length === 0) return { retirement, expiring: [], marker: undefined };
  const gone = new Set(byKey.map(asFolder));
  const pending = parseRetired(retirement.pending)
    .map((generation) => generation.filter((l) => !gone.has(asFolder(l))))
    .filter((generation) => generation.length > 0);
  const buckets = new Map<string, string[]>();
  for (const location of byKey) {
    const { bucket, prefix } = parseS3Directory(location);
    if (prefix === "") continue;
    const names = known.get(asFolder(location))?.files ?? [];
    buckets.set(bucket, [...(buckets.get(bucket) ?? []), ...names.map((n) => prefix + n)]);
  }
  return {
    retirement: {
      pending: JSON.stringify(pending),
      kept: retirement.kept,
      expired: retirement.expired.filter((l) => !gone.has(asFolder(l))),
    },
    expiring: [...buckets].map(([bucket, keys]) => ({ bucket, keys })),
    marker: JSON.stringify({ t: staging, l: byKey }),
  };
}

/** The retired locations with known files: the table's record of them, plus `replaced`. */
export function knownRetiredFiles(
  table: Table,
  replaced: readonly RecordedPartition[],
): Map<string, RecordedPartition> {
  const value = table.Parameters?.[RETIRED_FILES_PARAMETER];
  const keys = partitionKeyNames(table);
  const recorded = value === undefined || value === "" ? [] : (decodeEntries(keys, value) ?? []);
  return new Map(
    [...recorded, ...replaced]
      .filter((p) => p.files !== undefined)
      .map((p) => [asFolder(p.location), p]),
  );
}

/**
 * The {@link RETIRED_FILES_PARAMETER} value for the locations `pending` (a retired-locations
 * value) still lists; undefined (remove it) when none is known or they do not fit.
 */
export function retiredFilesValue(
  table: Table,
  known: ReadonlyMap<string, RecordedPartition>,
  pending: string,
): string | undefined {
  const listed = new Set(parseRetired(pending).flat().map(asFolder));
  const entries = [...known.values()].filter((p) => listed.has(asFolder(p.location)));
  if (entries.length === 0) return undefined;
  const value = encodeEntries(partitionKeyNames(table), entries, true);
  return Buffer.byteLength(value) <= RETIRED_FILES_LIMIT ? value : undefined;
}

/**
 * The locations whose deletion `table`'s {@link EXPIRING_PARAMETER} says may not have happened
 * because staging table `staging` is still in Glue: to delete (by listing) before it is dropped.
 */
export function pendingExpiry(table: Table | undefined, staging: string): string[] {
  const value = table?.Parameters?.[EXPIRING_PARAMETER];
  if (value === undefined || value === "") return [];
  try {
    const parsed = JSON.parse(value) as { t?: unknown; l?: unknown };
    if (
      typeof parsed.t === "string" &&
      parsed.t.toLowerCase() === staging.toLowerCase() &&
      Array.isArray(parsed.l)
    )
      return parsed.l.filter((l): l is string => typeof l === "string");
  } catch {
    // An unreadable value (edited by hand): nothing of this staging table's.
  }
  return [];
}

function partitionKeyNames(table: Table): string[] {
  return (table.PartitionKeys ?? []).map((k) => k.Name ?? "");
}
