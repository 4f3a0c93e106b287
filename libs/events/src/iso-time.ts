const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const pad2 = (n: number) => (n < 10 ? "0" : "") + n;
const pad3 = (n: number) => (n < 10 ? "00" : n < 100 ? "0" : "") + n;

// Events of a session are close in time, so the last minute's "YYYY-MM-DDTHH:MM:" prefix is
// almost always the one needed; this skips a Date and toISOString() per event.
let cachedMinute = Number.NaN;
let cachedPrefix = "";

/**
 * `new Date(ms).toISOString()` for years 0-9999, without allocating a Date per call.
 *
 * @example
 * isoMillis(Date.UTC(2026, 10, 27, 13, 4, 5, 7)); // "2026-11-27T13:04:05.007Z"
 */
export function isoMillis(ms: number): string {
  const minute = Math.floor(ms / MINUTE_MS);
  if (minute !== cachedMinute) {
    cachedMinute = minute;
    cachedPrefix = new Date(minute * MINUTE_MS).toISOString().slice(0, 17);
  }
  const inMinute = ms - minute * MINUTE_MS;
  const s = Math.floor(inMinute / 1000);
  return cachedPrefix + pad2(s) + "." + pad3(inMinute - s * 1000) + "Z";
}

const dates = new Map<number, string>();

/** `YYYY-MM-DD` of a UTC day number (days since 1970-01-01), memoized: customers draw from ~1,100 days. */
export function isoDay(day: number): string {
  let s = dates.get(day);
  if (s === undefined) {
    s = new Date(day * DAY_MS).toISOString().slice(0, 10);
    if (dates.size < 100_000) dates.set(day, s);
  }
  return s;
}
