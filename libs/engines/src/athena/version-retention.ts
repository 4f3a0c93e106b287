/**
 * Glue table parameter listing the data locations a table no longer reads, newest publish
 * first, one list per publish: `[["s3://…/r3/event_date=2026-11-27/"], ["s3://…/r2/…"]]`.
 */
export const RETIRED_PARAMETER = "sluice_retired_locations";

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
