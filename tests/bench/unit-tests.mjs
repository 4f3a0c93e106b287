// Unit tests (issue #17): the models project's 4 unit tests copied `copies` times (default 10,
// so 40 tests), run with `sluice test --select test_type:unit` on a temp copy, no lake built.
// The embedded DuckDB stays open for the run: the first test pays opening it, the Trino-compat
// layer and learning the upstreams' columns; the budget is the others: under 50 ms each.
//
//   node tests/bench/unit-tests.mjs [copies]
//
// Per-test times are each test's elapsed ms from target/run_results.json; medians of 3 runs.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { median, report, timeCommand, sluiceBin, tempProject } from "./lib.mjs";

const copies = Number(process.argv[2] ?? 10);
const project = tempProject();
try {
  for (const file of [
    "staging/stg_events.unit.yml",
    "silver/events.unit.yml",
    "marts/sales_by_country.unit.yml",
  ]) {
    const text = readFileSync(path.join(project.dir, file), "utf8");
    for (let n = 2; n <= copies; n++)
      writeFileSync(
        path.join(project.dir, file.replace(".unit.yml", `.copy${n}.yml`)),
        text.replace(/- name: (\w+)/g, `- name: $1_${n}`),
      );
  }
  const firsts = [];
  const others = [];
  const walls = [];
  for (let run = 0; run < 3; run++) {
    // A pass is kept in target/unit_test_results.json and replayed (0 ms) while the test's
    // inputs are the same: removed, so that every run executes its tests.
    rmSync(path.join(project.dir, "target/unit_test_results.json"), { force: true });
    const t0 = performance.now();
    timeCommand(process.execPath, [
      ...[sluiceBin, "--project-dir", project.dir, "test", "--select", "test_type:unit"],
    ]);
    walls.push(performance.now() - t0);
    const { results } = JSON.parse(
      readFileSync(path.join(project.dir, "target/run_results.json"), "utf8"),
    );
    if (results.some((r) => r.status !== "pass")) throw new Error("a unit test did not pass");
    // run_results.json is dbt's shape: sluice's own elapsed_ms under adapter_response.sluice.
    const ms = results.map(
      (r) => r.adapter_response?.sluice?.elapsed_ms ?? r.execution_time * 1000,
    );
    if (ms.some((v) => !Number.isFinite(v))) throw new Error("no elapsed time in run_results.json");
    if (ms.every((v) => v === 0)) throw new Error("every unit test took 0 ms: replayed, not run");
    firsts.push(ms[0]);
    others.push(median(ms.slice(1)));
  }
  report(`Unit tests: ${copies * 4} per run, embedded DuckDB kept open (median ms of 3 runs)`, {
    "first unit test (opens DuckDB)": median(firsts),
    "each other unit test (budget < 50)": median(others),
    "whole command (wall, incl. start-up)": median(walls),
    "load average (1 min)": os.loadavg()[0],
  });
} finally {
  project.cleanup();
}
