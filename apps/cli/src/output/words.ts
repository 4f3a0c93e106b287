// `counted(2, "model")`: one definition for the runner's messages and the CLI's words.
export { counted } from "@sluice/runner/grouped-number";

/**
 * A duration for people: `0.4 ms`, `7.9 ms`, `412 ms`, `3.2 s` (three significant figures at
 * most; a timer's last digits are noise).
 */
export function duration(ms: number): string {
  if (ms < 100) return `${Number(ms.toFixed(1))} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}
