import type { Engine, RawZone } from "@sluice/engines";
import { incrementalFrom, NO_WATERMARK } from "@sluice/compiler/plan";

/** Raw hour folder ('YYYY/MM/DD/HH') → signature of its files (count and names). */
export type RawHours = ReadonlyMap<string, string>;

/** A raw zone's hours as listed once in a run: every hour from `from` on. */
export interface ListedRawHours {
  from: string;
  hours: Promise<RawHours>;
  /** Paths outside the hour-folder layout seen by that listing (not read). */
  strays: Promise<readonly string[]>;
}

/**
 * The raw hours (with signatures) of `zones` from hour `from` on, merged, listed through
 * `listed`, the run's memo (by location): a zone already listed from `from` or earlier is not
 * listed again; one listed from later is listed again from `from`.
 */
export async function rawHoursOf(
  engine: Pick<Engine, "listRawHours">,
  listed: Map<string, ListedRawHours>,
  zones: readonly RawZone[],
  from: string,
): Promise<RawHours> {
  const merged = new Map<string, string>();
  for (const zone of zones) {
    const { location } = zone;
    let entry = listed.get(location);
    if (!entry || entry.from > from) {
      const listing = engine.listRawHours(zone, from);
      entry = { from, hours: listing.then((l) => l.hours), strays: listing.then((l) => l.strays) };
      // A failed listing fails the node that awaits it; the run need not read its strays.
      entry.strays.catch(() => undefined);
      listed.set(location, entry);
    }
    for (const [dt, signature] of await entry.hours)
      merged.set(dt, merged.has(dt) ? `${merged.get(dt)}+${signature}` : signature);
  }
  return merged;
}

/** The listed raw hours a window starting at `from` reads, in order. */
export function hoursFrom(hours: RawHours, from: string): string[] {
  return [...hours.keys()].filter((h) => h >= from).sort();
}

/** The newest raw hour present, if any. */
export function newestHour(hours: RawHours | undefined): string | undefined {
  let newest: string | undefined;
  for (const dt of hours?.keys() ?? []) if (newest === undefined || dt > newest) newest = dt;
  return newest;
}

/**
 * The first raw hour an incremental run reads. Without a record of the hours read last time
 * (older lakes, Athena), the whole lookback window: `lookbackHours` before the watermark. With
 * it, only from the earliest hour of that window whose files changed since (a late file landed)
 * or, when none did, from the first hour after the watermark: new data only.
 *
 * @example
 * // watermark 10:00, lookback 3, a file landed in 09:00 since: read from 09:00
 * windowFrom("2026/11/28/10", { "2026/11/28/09": "2:ab", "2026/11/28/10": "3:cd" }, new Map([["2026/11/28/09", "3:ef"], ["2026/11/28/10", "3:cd"], ["2026/11/28/11", "1:01"]]), 3)
 * // "2026/11/28/09"
 */
export function windowFrom(
  watermark: string | undefined,
  readBefore: Readonly<Record<string, string>> | undefined,
  current: RawHours | undefined,
  lookbackHours: number,
): string {
  const lower = incrementalFrom(watermark, lookbackHours);
  if (watermark === undefined || lower === NO_WATERMARK || !readBefore || !current) return lower;
  let from: string | undefined;
  const consider = (dt: string): void => {
    if (dt >= lower && (from === undefined || dt < from)) from = dt;
  };
  for (const [dt, signature] of current)
    if (dt > watermark || readBefore[dt] !== signature) consider(dt);
  for (const dt of Object.keys(readBefore)) if (!current.has(dt)) consider(dt);
  return from ?? incrementalFrom(watermark, -1);
}

/** What a published version records: the signatures of the hours the next run's window may revisit. */
export function hoursToRecord(
  current: RawHours | undefined,
  lookbackHours: number,
): Record<string, string> | undefined {
  const newest = newestHour(current);
  if (current === undefined || newest === undefined) return undefined;
  const lower = incrementalFrom(newest, lookbackHours);
  return Object.fromEntries(
    // Hour texts order as their code units do (no ICU collator, which costs its load).
    [...current].filter(([dt]) => dt >= lower).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}
