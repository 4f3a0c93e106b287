const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

// Events of a session are close in time but sessions interleave, so the "YYYY-MM-DDTHH:MM:"
// prefixes of recent minutes are kept in a small direct-mapped cache (as bytes, for writing
// timestamps straight into an output buffer); this skips a Date, toISOString() and padding per event.
const MINUTE_SLOTS = 256;
const PREFIX_LEN = 17;
const byteMinuteKeys = new Float64Array(MINUTE_SLOTS).fill(Number.NaN);
const bytePrefixes = new Uint8Array(MINUTE_SLOTS * PREFIX_LEN);

/**
 * Writes `new Date(ms).toISOString()` (24 ASCII bytes, years 0-9999) into `buf` at `at`, with no
 * Date or string in between; returns the offset after it.
 *
 * @example
 * writeIsoMillis(buf, 0, Date.UTC(2026, 10, 27, 13, 4, 5, 7)); // buf holds "2026-11-27T13:04:05.007Z"; returns 24
 */
export function writeIsoMillis(buf: Uint8Array, at: number, ms: number): number {
  const minute = Math.floor(ms / MINUTE_MS);
  const slot = minute & (MINUTE_SLOTS - 1);
  const from = slot * PREFIX_LEN;
  if (byteMinuteKeys[slot] !== minute) {
    const prefix = new Date(minute * MINUTE_MS).toISOString();
    for (let i = 0; i < PREFIX_LEN; i++) bytePrefixes[from + i] = prefix.charCodeAt(i);
    byteMinuteKeys[slot] = minute;
  }
  for (let i = 0; i < PREFIX_LEN; i++) buf[at + i] = bytePrefixes[from + i]!;
  at += PREFIX_LEN;
  const inMinute = ms - minute * MINUTE_MS;
  const s = Math.floor(inMinute / 1000);
  const milli = inMinute - s * 1000;
  const tens = Math.floor(s / 10);
  const hundreds = Math.floor(milli / 100);
  const rest = milli - hundreds * 100;
  const tensMs = Math.floor(rest / 10);
  buf[at] = 48 + tens;
  buf[at + 1] = 48 + s - tens * 10;
  buf[at + 2] = 46; // .
  buf[at + 3] = 48 + hundreds;
  buf[at + 4] = 48 + tensMs;
  buf[at + 5] = 48 + rest - tensMs * 10;
  buf[at + 6] = 90; // Z
  return at + 7;
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
