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
  "incremental/incremental.e2e.test.ts": 213_573,
  "athena/parity.test.ts": 161_494,
  "athena/failure-positions.test.ts": 97_182,
  "athena/failure-matrix.test.ts": 85_086,
  "e2e/state.e2e.test.ts": 76_391,
  "integrity/hostile-raw.e2e.test.ts": 68_787,
  "e2e/cli-contract.e2e.test.ts": 67_501,
  "integrity/randomized.e2e.test.ts": 52_309,
  "e2e/money.e2e.test.ts": 47_433,
  "athena/build-lease.test.ts": 42_977,
  "incremental/incremental-marts.e2e.test.ts": 41_954,
  "incremental/lake-history.e2e.test.ts": 41_110,
  "athena/athena-local-build.test.ts": 33_321,
  "athena/dry-run.test.ts": 28_157,
  "docs/dashboard-prod.e2e.test.ts": 28_100,
  "docs/docs-site.e2e.test.ts": 22_290,
  "e2e/run-output.e2e.test.ts": 21_993,
  "e2e/side-doors.e2e.test.ts": 21_212,
  "athena/insert-overwrite-safety.test.ts": 20_635,
  "athena/unchanged-rerun.test.ts": 19_695,
};

/** What an unlisted file is taken to last: less than every listed one. */
export const UNLISTED_MS = 15_000;
