import type { Table } from "@aws-sdk/client-glue";
/**
 * Glue table parameter listing the data locations a table no longer reads, newest publish
 * first, one list per publish: `[["s3://…/r3/event_date=2026-11-27/"], ["s3://…/r2/…"]]`.
 */
export const RETIRED_PARAMETER = "sluice_retired_locations";

/**
 * Glue table parameter that partition publishes before {@link REPLACED_PARAMETER} wrote ahead of
 * a repoint: the partitions about to be repointed, each with the location it had, e.g.
 * `[{"values":["2026-11-27"],"location":"s3://…/v_r1/event_date=2026-11-27/"}]`. No longer
 * written; a table that still carries one (a build killed mid-publish by an older sluice) has
 * the intents that were carried out retired by its next publish, and the parameter removed.
 */
export const PUBLISHING_PARAMETER = "sluice_publishing";

/**
 * Glue partition parameter written by the BatchUpdatePartition entry that repoints a partition
 * (atomic with the repoint): the data location the partition read before, e.g.
 * `s3://…/v_r1/event_date=2026-11-27/`. The publish's table update then lists it as retired. If
 * the build dies in between, the staging entry (dropped only after that update) is left, and the
 * next sweep of it retires the recorded locations of the partitions that read its folder (see
 * `recoverInterruptedPublish`). Older publishes wrote {@link PUBLISHING_PARAMETER} instead.
 */
export const REPLACED_PARAMETER = "sluice_replaced";

/** One partition a publish is about to repoint, with the location it reads before. */
export interface RepointIntent {
  values: string[];
  location: string;
}

/** The intents recorded on a table entry; an unreadable value (edited by hand) counts as none. */
export function recordedIntents(table: Table | undefined): RepointIntent[] {
  const value = table?.Parameters?.[PUBLISHING_PARAMETER];
  if (value === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    if (
      Array.isArray(parsed) &&
      parsed.every(
        (i: { values?: unknown; location?: unknown }) =>
          Array.isArray(i.values) && typeof i.location === "string",
      )
    )
      return parsed as RepointIntent[];
  } catch {
    // fall through
  }
  return [];
}

/** The retired locations after one more publish. */
export interface Retirement {
  /** The parameter's new value, with the expired locations still listed (not deleted yet). */
  pending: string;
  /** The parameter's value once the expired locations are deleted. */
  kept: string;
  /** Locations to delete: those of the publishes past `versionsToKeep`. */
  expired: string[];
}

/**
 * `versions_to_keep: N` keeps the data of the N publishes before the current one, so a query
 * that started before a swap (or up to N swaps ago) still finds its files; older data is deleted
 * after the next publish. A publish that replaced nothing adds no generation. The expired
 * locations stay listed until they are deleted, so a failed delete is retried by the next publish.
 *
 * @example
 * retire(undefined, ["s3://l/t/r1/d=1/"], 1) // { expired: [], kept: '[["s3://l/t/r1/d=1/"]]', ... }
 */
export function retire(
  current: string | undefined,
  replaced: readonly string[],
  versionsToKeep: number,
): Retirement {
  const generations = parseRetired(current);
  if (replaced.length > 0) generations.unshift([...replaced]);
  const keep = generations.slice(0, versionsToKeep);
  return {
    pending: JSON.stringify(generations),
    kept: JSON.stringify(keep),
    expired: generations.slice(versionsToKeep).flat(),
  };
}

/** The generations in a parameter value; an unreadable value (edited by hand) counts as none. */
export function parseRetired(value: string | undefined): string[][] {
  if (value === undefined) return [];
  try {
    const parsed: unknown = JSON.parse(value);
    if (
      Array.isArray(parsed) &&
      parsed.every((g) => Array.isArray(g) && g.every((l) => typeof l === "string"))
    )
      return parsed as string[][];
  } catch {
    // fall through
  }
  return [];
}
