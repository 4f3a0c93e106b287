/**
 * How long the slowest test files of this project took (ms) in the last quiet full `npm test`
 * (2 workers on 2 cores), by path relative to `tests/`. The sequencer ({@link
 * ./longest-first-sequencer.ts}) starts them first, so that no long file starts near the end
 * while the other worker runs out of files. Every file not listed took less than the last one.
 *
 * Refresh after a change moves a file a lot: run the project (`cd tests && npx vitest run`) and
 * copy the `duration`s of its cache (`node_modules/.vite/vitest/<hash>/results.json`).
 */
export const fileDurations: Readonly<Record<string, number>> = {
  "incremental/incremental.e2e.test.ts": 238_790,
  "athena/parity.test.ts": 147_584,
  "integrity/hostile-raw.e2e.test.ts": 67_578,
  // Estimates: the last quiet run's 80,617 and 71,055 times the ratio measured on wt-speedath
  // (old vs new interleaved, load 30: 0.81 and 0.86), not yet a quiet run's own figure.
  "athena/failure-positions.test.ts": 65_500,
  "athena/failure-matrix.test.ts": 61_000,
  "e2e/state.e2e.test.ts": 51_132,
  "e2e/money.e2e.test.ts": 47_051,
  "e2e/cli-contract.e2e.test.ts": 46_220,
  "integrity/randomized.e2e.test.ts": 43_562,
  "incremental/lake-history.e2e.test.ts": 43_072,
  "athena/athena-local-build.test.ts": 38_132,
  "athena/build-lease.test.ts": 37_336,
  "incremental/incremental-marts.e2e.test.ts": 34_373,
  "docs/dashboard-prod.e2e.test.ts": 33_694,
  "athena/dry-run.test.ts": 33_425,
  "incremental/event-type-layout.e2e.test.ts": 28_116,
  "docs/docs-site.e2e.test.ts": 26_654,
  "e2e/run-output.e2e.test.ts": 23_910,
  "athena/insert-overwrite-safety.test.ts": 22_487,
  "docs/docs-10k.e2e.test.ts": 22_079,
  "e2e/side-doors.e2e.test.ts": 21_824,
  "athena/unchanged-rerun.test.ts": 21_228,
};

/** What an unlisted file is taken to last: less than every listed one. */
export const UNLISTED_MS = 15_000;
