import type { Table } from "@aws-sdk/client-glue";
/**
 * Glue table parameter listing the data locations a table no longer reads, newest publish
 * first, one list per publish: `[["s3://…/r3/event_date=2026-11-27/"], ["s3://…/r2/…"]]`.
 */
export const RETIRED_PARAMETER = "sluice_retired_locations";

/**
 * Glue table parameter written before a partition publish repoints anything: the partitions it
 * is about to repoint, each with the data location it has now, e.g.
 * `[{"values":["2026-11-27"],"location":"s3://…/v_r1/event_date=2026-11-27/"}]`. The publish
 * removes it when it records those locations as retired. If the build dies in between (a
 * SIGKILL, a failed call), the next publish of the table finds it and asks Glue which of the
 * partitions were repointed: their old locations are retired then, so no data is orphaned and
 * none that a partition still reads is ever deleted.
 */
export const PUBLISHING_PARAMETER = "sluice_publishing";

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
