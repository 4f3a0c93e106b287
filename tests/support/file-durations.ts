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
  // incremental.e2e (204 s) split in four; estimated from a loaded run (load 16) scaled by 1/3.3.
  "incremental/incremental-days.e2e.test.ts": 90_000,
  "incremental/incremental-crash-late.e2e.test.ts": 75_000,
  "incremental/incremental-crash-early.e2e.test.ts": 70_000,
  "incremental/incremental.e2e.test.ts": 30_000,
  "athena/parity.test.ts": 107_694,
  "athena/failure-positions.test.ts": 68_906,
  "athena/failure-matrix.test.ts": 63_729,
  "integrity/hostile-raw.e2e.test.ts": 57_355,
  "e2e/state.e2e.test.ts": 44_667,
  "e2e/cli-contract.e2e.test.ts": 41_273,
  "athena/athena-local-build.test.ts": 34_210,
  "athena/clone-athena-local.test.ts": 32_837,
  "docs/docs-10k.e2e.test.ts": 32_094,
  "e2e/money.e2e.test.ts": 30_294,
  "integrity/randomized.e2e.test.ts": 30_130,
  "athena/build-lease.test.ts": 29_172,
  "athena/dry-run.test.ts": 28_396,
  "docs/dashboard-prod.e2e.test.ts": 27_565,
  "incremental/lake-history.e2e.test.ts": 26_003,
  "compile/warm-equals-cold.e2e.test.ts": 24_976,
  "incremental/event-type-layout.e2e.test.ts": 23_793,
  "incremental/incremental-marts.e2e.test.ts": 23_179,
  "incremental/no-new-data.e2e.test.ts": 22_985,
  "docs/docs-site.e2e.test.ts": 22_503,
  "e2e/side-doors.e2e.test.ts": 19_347,
  "athena/call-budget.test.ts": 18_980,
  "athena/insert-overwrite-safety.test.ts": 17_373,
  "athena/event-type-layout-athena.test.ts": 16_966,
  "e2e/run-output.e2e.test.ts": 16_959,
  "dbt/snapshots.e2e.test.ts": 16_950,
  "athena/unchanged-rerun.test.ts": 15_383,
  // Files added since, unlisted (taken as 15 s, so started among the last): from the loaded run
  // of 2026-12-05 (load 14-21) scaled by 0.33, the median ratio of the listed files' figures to
  // that run's. warm-change-kinds (~55 s) started 90% into that run.
  "compile/warm-change-kinds.e2e.test.ts": 55_000,
  "dbt/flags-which.e2e.test.ts": 26_000,
  "athena/row-messages.test.ts": 18_000,
  "e2e/dry-run.e2e.test.ts": 18_000,
  "e2e/unit-tests.e2e.test.ts": 17_000,
  "compile/compile-identical.e2e.test.ts": 16_000,
  "e2e/athena-check.e2e.test.ts": 16_000,
};

/** What an unlisted file is taken to last: less than every listed one. */
export const UNLISTED_MS = 15_000;
