import type { NodeResult, RunEvent, RunResults } from "@sluice/runner";
import type { Io } from "../command.js";
import type { Colors } from "./color.js";
import { colors } from "./color.js";
import { costCells, costLine, reportsCost } from "./cost.js";
import { renderTable } from "./table.js";
import { counted, duration } from "./words.js";

const label: Record<NodeResult["status"], string> = {
  success: "OK",
  pass: "PASS",
  warn: "WARN",
  fail: "FAIL",
  error: "ERROR",
  skipped: "SKIP",
};

/** A status label in its colour: green OK/PASS, yellow WARN, red FAIL/ERROR, dim SKIP. */
function paint(c: Colors, status: NodeResult["status"], text: string): string {
  if (status === "fail" || status === "error") return c.red(text);
  if (status === "warn") return c.yellow(text);
  return status === "skipped" ? c.dim(text) : c.green(text);
}

/**
 * One line per finished node, dbt style: `  3 of 24 OK    table silver.events ... 50,123 rows
 * [0.41s]`. The run's own checks after the DAG (reconciliation, quarantine) are not nodes of the
 * count: they print without `N of N`, which they would otherwise repeat.
 */
export function progressPrinter(io: Io): (event: RunEvent) => void {
  const c = colors(io.color?.err ?? false);
  let printed = 0;
  return (event) => {
    if (event.type !== "end") return;
    const r = event.result;
    const counter = `${String(event.index).padStart(String(event.total).length)} of ${event.total}`;
    const position = event.index > printed ? counter : "check".padStart(counter.length);
    printed = Math.max(printed, event.index);
    const what =
      r.kind === "test" ? `test ${r.name}` : `${r.materialization} ${r.relation ?? r.name}`;
    const seconds = c.dim(`[${(r.elapsedMs / 1000).toFixed(2)}s]`);
    io.err(
      `${position} ${paint(c, r.status, label[r.status].padEnd(5))} ${what} ${c.dim(dots(what))} ${r.message} ${seconds}`,
    );
  };
}

function dots(text: string): string {
  return ".".repeat(Math.max(3, 56 - text.length));
}

/** Totals by kind and status, plus the failures in full. */
export function printRunSummary(io: Io, results: RunResults, resultsFile: string): void {
  const rs = results.results;
  const built = rs.filter((r) => r.kind !== "test" && r.status === "success");
  const rows = built.reduce((sum, r) => sum + (r.rows ?? 0), 0);
  const tests = rs.filter((r) => r.kind === "test");
  const count = (s: NodeResult["status"]): number => rs.filter((r) => r.status === s).length;
  const problems = rs.filter(
    (r) => r.status === "error" || r.status === "fail" || r.status === "warn",
  );

  const c = colors(io.color?.out ?? false);
  const withCost = reportsCost(results);
  io.out("");
  io.out(
    renderTable(
      ["node", "status", "rows", "failures", "seconds", ...(withCost ? ["scanned", "cost"] : [])],
      rs
        .filter((r) => r.kind !== "test" || problems.includes(r))
        .map((r) => [
          r.kind === "test" ? `test ${r.name}` : (r.relation ?? r.name),
          label[r.status],
          r.rows ?? "",
          r.failures ?? "",
          (r.elapsedMs / 1000).toFixed(2),
          ...(withCost ? costCells(r) : []),
        ]),
    ),
  );
  for (const p of problems) {
    io.out(`\n${paint(c, p.status, label[p.status])} ${p.id}: ${p.message}`);
    if (p.storedFailures) io.out(`  failing rows stored in ${p.storedFailures}`);
  }
  const dq = rs.filter((r) => r.dq);
  if (dq.length > 0) {
    const outcomes = (o: string) => dq.filter((r) => r.dq?.outcome === o).length;
    const spent = duration(dq.reduce((sum, r) => sum + r.elapsedMs, 0));
    io.out(
      `\nDQDL rules: ${outcomes("PASS")} PASS, ${outcomes("FAIL")} FAIL, ${outcomes("ERROR")} ERROR (${spent}).`,
    );
  }
  io.out("");
  const models = counted(built.filter((r) => r.kind === "model").length, "model");
  const seeds = counted(built.filter((r) => r.kind === "seed").length, "seed");
  const failed = count("fail") + count("error") > 0;
  io.out(
    `Done in ${duration(results.elapsedMs)}. ` +
      `${models} and ${seeds} built (${counted(rows, "row")}), ` +
      `tests: ${tests.filter((t) => t.status === "pass").length} passed, ${count("warn")} warned, ${(failed ? c.red : String)(`${count("fail")} failed`)}; ` +
      `${counted(count("error"), "error")}, ${count("skipped")} skipped.`,
  );
  const cost = costLine(results);
  if (cost !== undefined) io.out(cost);
  const strays = results.cleanup?.strays ?? [];
  if (strays.length > 0) {
    io.out(`Warning: left alone in table folders (not created by sluice): ${strays.join(", ")}`);
  }
  io.out(`Results: ${resultsFile}`);
}
