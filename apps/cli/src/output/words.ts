import { grouped } from "@sluice/runner/grouped-number";

/**
 * `1 model`, `2 models`, `1,024 rows`: a count with its noun in the right number (English `s`
 * plural unless given).
 *
 * @example
 * counted(1, "seed"); // "1 seed"
 * counted(3, "query", "queries"); // "3 queries"
 */
export function counted(n: number, noun: string, plural = `${noun}s`): string {
  return `${grouped(n)} ${n === 1 ? noun : plural}`;
}

/**
 * A duration for people: `0.4 ms`, `7.9 ms`, `412 ms`, `3.2 s` (three significant figures at
 * most; a timer's last digits are noise).
 */
export function duration(ms: number): string {
  if (ms < 100) return `${Number(ms.toFixed(1))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}
