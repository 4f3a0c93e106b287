import { distance } from "fastest-levenshtein";

/**
 * A hint naming the closest candidates (at most three), or undefined when nothing is close.
 *
 * @example closestHint("stg_evnts", ["stg_events", "orders"]) // "did you mean 'stg_events'?"
 */
export function closestHint(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.max(2, Math.floor(word.length / 3));
  const close = [...new Set(candidates)]
    .map((c) => ({ c, d: distance(word.toLowerCase(), c.toLowerCase()) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .slice(0, 3)
    .map((x) => `'${x.c}'`);
  return close.length === 0 ? undefined : `did you mean ${close.join(" or ")}?`;
}
