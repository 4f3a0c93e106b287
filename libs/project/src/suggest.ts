import { distance } from "fastest-levenshtein";

/** Candidates within typo distance of `word` (at most a third of its length, minimum 2), closest first. */
function near(word: string, candidates: Iterable<string>): string[] {
  const limit = Math.max(2, Math.floor(word.length / 3));
  return [...new Set(candidates)]
    .map((c) => ({ c, d: distance(word.toLowerCase(), c.toLowerCase()) }))
    .filter((x) => x.d <= limit)
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c))
    .map((x) => x.c);
}

/**
 * The candidate closest to `word`, or undefined when none is close enough to be a plausible typo.
 *
 * @example closest("regoin", ["region", "workgroup"]) // "region"
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  return near(word, candidates)[0];
}

/** `did you mean 'x'?` for a close candidate, else undefined. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const c = closest(word, candidates);
  return c === undefined ? undefined : `did you mean '${c}'?`;
}

/**
 * A hint naming the closest candidates (at most three), or undefined when nothing is close.
 *
 * @example closestHint("stg_evnts", ["stg_events", "orders"]) // "did you mean 'stg_events'?"
 */
export function closestHint(word: string, candidates: Iterable<string>): string | undefined {
  const close = near(word, candidates)
    .slice(0, 3)
    .map((c) => `'${c}'`);
  return close.length === 0 ? undefined : `did you mean ${close.join(" or ")}?`;
}
