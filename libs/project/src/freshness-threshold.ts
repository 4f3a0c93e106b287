import type { FreshnessThreshold } from "./source-freshness.js";

/**
 * A threshold in seconds. Its own file (no zod) so the run-time entry (`run-time.ts`) can give it
 * to the runner without the properties schemas.
 *
 * @example thresholdSeconds({ count: 2, period: "hour" }) // 7200
 */
export function thresholdSeconds(t: FreshnessThreshold): number {
  return t.count * { minute: 60, hour: 3600, day: 86400 }[t.period];
}
