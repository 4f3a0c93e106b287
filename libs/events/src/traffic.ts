const HOUR_MS = 3_600_000;

/** Relative traffic by UTC hour of day: a quiet early morning, Europe's afternoon, a peak when Europe's evening overlaps the Americas' day. */
export const diurnalWeights: readonly number[] = [
  0.9, 0.8, 0.65, 0.5, 0.4, 0.35, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.05, 1.1, 1.1, 1.15,
  1.25, 1.35, 1.4, 1.3, 1.15, 1.0,
];

/** Relative traffic by UTC day of week (0 = Sunday): weekends are busier. */
export const weeklyWeights: readonly number[] = [1.15, 0.95, 0.92, 0.95, 1.0, 1.05, 1.1];

/** The relative traffic at an instant, from the UTC hour and weekday. */
export function trafficWeight(at: Date): number {
  return diurnalWeights[at.getUTCHours()]! * weeklyWeights[at.getUTCDay()]!;
}

/**
 * Splits `total` events across `hours` consecutive hours from `start` in proportion to the
 * traffic curve (largest remainder, so the parts always sum to `total`).
 *
 * @example
 * allocateEvents(50_000, new Date("2026-11-27T00:00:00Z"), 24); // 24 counts summing to 50000
 */
export function allocateEvents(total: number, start: Date, hours: number): number[] {
  const weights = Array.from({ length: hours }, (_, i) =>
    trafficWeight(new Date(start.getTime() + i * HOUR_MS)),
  );
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact
    .map((x, i) => [x - Math.floor(x), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of byRemainder) {
    if (left-- <= 0) break;
    counts[i]!++;
  }
  return counts;
}
