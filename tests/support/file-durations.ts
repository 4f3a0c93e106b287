/**
 * How long the slowest test files of this project took (ms) in the last quiet full `npm test`
 * (2 workers on 2 cores), by path relative to `tests/`. The sequencer ({@link
 * ./longest-first-sequencer.ts}) starts them first, so that no long file starts near the end
 * while the other worker runs out of files. Every file not listed took less than the last one.
 *
 * The lake-side e2e files' entries are estimates: the quiet run of 2026-12-04 scaled by each
 * file's CPU ratio with in-process check reads vs spawned ones (paired runs at load 25-40, see
 * the wt-speed notes), or that quiet run's figure where no pair finished. Refresh after a change
 * moves a file a lot: run the project (`cd tests && npx vitest run`) and copy the `duration`s of
 * its cache (`node_modules/.vite/vitest/<hash>/results.json`).
 */
export const fileDurations: Readonly<Record<string, number>> = {
  "incremental/incremental.e2e.test.ts": 230_847,
  "athena/parity.test.ts": 147_584,
  "athena/failure-positions.test.ts": 98_917,
  "athena/failure-matrix.test.ts": 84_640,
  "integrity/hostile-raw.e2e.test.ts": 74_181,
  "e2e/state.e2e.test.ts": 50_033,
  "e2e/money.e2e.test.ts": 53_766,
  "e2e/cli-contract.e2e.test.ts": 46_220,
  "integrity/randomized.e2e.test.ts": 34_493,
  "incremental/lake-history.e2e.test.ts": 36_124,
  "athena/athena-local-build.test.ts": 38_132,
  "athena/build-lease.test.ts": 37_336,
  "incremental/incremental-marts.e2e.test.ts": 21_886,
  "docs/dashboard-prod.e2e.test.ts": 33_694,
  "athena/dry-run.test.ts": 33_425,
  "incremental/event-type-layout.e2e.test.ts": 26_918,
  "docs/docs-site.e2e.test.ts": 22_113,
  "e2e/run-output.e2e.test.ts": 19_745,
  "athena/insert-overwrite-safety.test.ts": 22_487,
  "docs/docs-10k.e2e.test.ts": 22_079,
  "e2e/side-doors.e2e.test.ts": 21_824,
  "athena/unchanged-rerun.test.ts": 21_228,
};

/** What an unlisted file is taken to last: less than every listed one. */
export const UNLISTED_MS = 15_000;
