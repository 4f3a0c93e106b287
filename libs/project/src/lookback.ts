/**
 * `lookback`: hours as a number (`3`) or text (`'3 hours'`, `'3h'`). Its own file (no zod) so the
 * run-time entry (`run-time.ts`) can give it to the planner without the config schemas.
 *
 * @example LOOKBACK_PATTERN.exec("3 hours")?.[1] // "3"
 */
export const LOOKBACK_PATTERN = /^\s*(\d+)\s*(h|hours?)?\s*$/i;
