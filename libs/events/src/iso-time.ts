const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

// Events of a session are close in time but sessions interleave, so the "YYYY-MM-DDTHH:MM:"
// prefixes of recent minutes are kept in a small direct-mapped cache, and the "SS.mmmZ" tails
// (60,000 of them) are built once each; this skips a Date, toISOString() and padding per event.
const MINUTE_SLOTS = 256;
const minuteKeys = new Float64Array(MINUTE_SLOTS).fill(Number.NaN);
const minutePrefixes: string[] = new Array<string>(MINUTE_SLOTS).fill("");
const tails: (string | undefined)[] = new Array<string | undefined>(MINUTE_MS).fill(undefined);

const pad2 = (n: number) => (n < 10 ? "0" : "") + n;
const pad3 = (n: number) => (n < 10 ? "00" : n < 100 ? "0" : "") + n;

/**
 * `new Date(ms).toISOString()` for years 0-9999, without allocating a Date per call.
 *
 * @example
 * isoMillis(Date.UTC(2026, 10, 27, 13, 4, 5, 7)); // "2026-11-27T13:04:05.007Z"
 */
export function isoMillis(ms: number): string {
  const minute = Math.floor(ms / MINUTE_MS);
  const slot = minute & (MINUTE_SLOTS - 1);
  let prefix = minutePrefixes[slot]!;
  if (minuteKeys[slot] !== minute) {
    prefix = new Date(minute * MINUTE_MS).toISOString().slice(0, 17);
    minuteKeys[slot] = minute;
    minutePrefixes[slot] = prefix;
  }
  const inMinute = ms - minute * MINUTE_MS;
  let tail = tails[inMinute];
  if (tail === undefined) {
    const s = Math.floor(inMinute / 1000);
    tail = tails[inMinute] = pad2(s) + "." + pad3(inMinute - s * 1000) + "Z";
  }
  return prefix + tail;
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
