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

/** The mean of {@link trafficWeight} over a week (every hour of the week once). */
const meanWeeklyWeight =
  (diurnalWeights.reduce((a, b) => a + b, 0) * weeklyWeights.reduce((a, b) => a + b, 0)) /
  (diurnalWeights.length * weeklyWeights.length);

/**
 * How many events the hour starting at `hourStartMs` gets when traffic averages `perHour`
 * events an hour over a week: `perHour` shaped by the traffic curve, rounded up or down by a
 * draw of its own (`fraction` in [0, 1), from the seed and the hour). A pure function of the
 * hour, never of the window it is generated in, so overlapping windows agree on every hour.
 *
 * @example
 * hourVolume(2000, Date.parse("2026-11-27T20:00:00Z"), 0.5); // 2000 * 1.4 * 1.1 / mean ≈ 3197
 */
export function hourVolume(perHour: number, hourStartMs: number, fraction: number): number {
  const exact = (perHour * trafficWeight(new Date(hourStartMs))) / meanWeeklyWeight;
  const whole = Math.floor(exact);
  return whole + (fraction < exact - whole ? 1 : 0);
}
