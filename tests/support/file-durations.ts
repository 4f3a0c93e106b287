/**
 * How long the slowest test files of this project took (ms), by path relative to `tests/`: the
 * `duration`s vitest cached (`node_modules/.vite/vitest/<hash>/results.json`: setup included)
 * in the full run of 2026-12-06 (2 workers, load 11-16 on 2 cores) scaled by 0.324, the median
 * ratio of the previous table's figures (a quiet run) to that run's. The sequencer ({@link
 * ./longest-first-sequencer.ts}) starts them first, so that no long file starts near the end
 * while the other worker runs out of files. Every file not listed took less than the last one.
 *
 * Refresh after a change moves a file a lot, or when files are added: run the project (`cd tests
 * && npx vitest run`) and copy the `duration`s of its cache.
 */
export const fileDurations: Readonly<Record<string, number>> = {
  "e2e/cli-contract.e2e.test.ts": 111_500,
  "athena/parity.test.ts": 88_500,
  "incremental/incremental-days.e2e.test.ts": 81_500,
  "athena/failure-positions.test.ts": 77_500,
  "athena/failure-matrix.test.ts": 75_600,
  "incremental/incremental-crash-late.e2e.test.ts": 71_900,
  "integrity/hostile-raw.e2e.test.ts": 65_700,
  "incremental/incremental-crash-early.e2e.test.ts": 57_800,
  "e2e/state.e2e.test.ts": 45_000,
  "e2e/money.e2e.test.ts": 41_000,
  "compile/warm-change-kinds.e2e.test.ts": 38_800,
  "compile/warm-equals-cold.e2e.test.ts": 38_100,
  "docs/docs-10k.e2e.test.ts": 35_900,
  "athena/build-lease.test.ts": 32_700,
  "integrity/randomized.e2e.test.ts": 31_500,
  "incremental/lake-history.e2e.test.ts": 30_700,
  "athena/athena-local-build.test.ts": 28_600,
  "athena/schema-change-probe.test.ts": 28_500,
  "athena/clone-athena-local.test.ts": 26_400,
  "incremental/lake-dry-run.e2e.test.ts": 25_500,
  "athena/event-type-layout-athena.test.ts": 24_800,
  "dbt/snapshots.e2e.test.ts": 23_800,
  "athena/unchanged-rerun.test.ts": 23_300,
  "athena/insert-overwrite-safety.test.ts": 23_200,
  "e2e/run-output.e2e.test.ts": 22_600,
  "incremental/incremental.e2e.test.ts": 22_200,
  "incremental/carry-where.e2e.test.ts": 21_900,
  "docs/dashboard-prod.e2e.test.ts": 21_900,
  "e2e/athena-check.e2e.test.ts": 21_800,
  "compile/replay-gate.e2e.test.ts": 21_800,
  "dbt/warehouse-queries.e2e.test.ts": 21_400,
  "compile/compile-identical.e2e.test.ts": 20_900,
  "athena/dry-run.test.ts": 19_100,
  "athena/call-budget.test.ts": 18_900,
  "incremental/incremental-marts.e2e.test.ts": 17_600,
  "e2e/unit-tests.e2e.test.ts": 17_400,
  "dq/dq-cli.e2e.test.ts": 17_100,
  "dbt/flags-which.e2e.test.ts": 16_600,
  "e2e/side-doors.e2e.test.ts": 16_300,
  "athena/pending-hours.test.ts": 15_400,
  "athena/sync-all-columns-athena-local.test.ts": 14_400,
  "e2e/error-positions.e2e.test.ts": 13_700,
  "incremental/event-type-layout.e2e.test.ts": 13_700,
  "e2e/ownership.e2e.test.ts": 13_600,
  "athena/row-messages.test.ts": 13_500,
  "dbt/jaffle-shop.e2e.test.ts": 13_200,
  "incremental/assertion-scope.e2e.test.ts": 12_900,
  "e2e/failure-messages.e2e.test.ts": 12_800,
  "incremental/events-new-column.e2e.test.ts": 12_100,
  "incremental/sync-all-columns.e2e.test.ts": 11_200,
  "e2e/selection.e2e.test.ts": 10_500,
};

/** What an unlisted file is taken to last: less than every listed one. */
export const UNLISTED_MS = 10_000;
