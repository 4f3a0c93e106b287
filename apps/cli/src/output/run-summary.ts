import type { NodeResult, RunEvent, RunResults } from "@sluice/runner";
import type { Io } from "../command.js";
import { costCells, costLine, reportsCost } from "./cost.js";
import { renderTable } from "./table.js";

const label: Record<NodeResult["status"], string> = {
  success: "OK",
  pass: "PASS",
  warn: "WARN",
  fail: "FAIL",
  error: "ERROR",
  skipped: "SKIP",
};

/** One line per finished node, dbt style: `  3 of 24 OK    table silver.events ... 50,123 rows [0.41s]`. */
export function progressPrinter(io: Io): (event: RunEvent) => void {
  return (event) => {
    if (event.type !== "end") return;
    const r = event.result;
    const width = String(event.total).length;
    const what = r.kind === "test" ? `test ${r.name}` : `${r.materialization} ${r.relation ?? r.name}`;
    const seconds = `[${(r.elapsedMs / 1000).toFixed(2)}s]`;
    io.err(`${String(event.index).padStart(width)} of ${event.total} ${label[r.status].padEnd(5)} ${what} ${dots(what)} ${r.message} ${seconds}`);
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
  const problems = rs.filter((r) => r.status === "error" || r.status === "fail" || r.status === "warn");

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
    io.out(`\n${label[p.status]} ${p.id}: ${p.message}`);
    if (p.storedFailures) io.out(`  failing rows stored in ${p.storedFailures}`);
  }
  const dq = rs.filter((r) => r.dq);
  if (dq.length > 0) {
    const outcomes = (o: string) => dq.filter((r) => r.dq?.outcome === o).length;
    io.out(`\nDQDL rules: ${outcomes("PASS")} PASS, ${outcomes("FAIL")} FAIL, ${outcomes("ERROR")} ERROR (${(dq.reduce((sum, r) => sum + r.elapsedMs, 0) / 1000).toFixed(2)}s).`);
  }
  io.out("");
  io.out(
    `Done in ${(results.elapsedMs / 1000).toFixed(1)}s. ` +
      `${built.filter((r) => r.kind === "model").length} models and ${built.filter((r) => r.kind === "seed").length} seeds built (${rows.toLocaleString("en-US")} rows), ` +
      `tests: ${tests.filter((t) => t.status === "pass").length} passed, ${count("warn")} warned, ${count("fail")} failed; ` +
      `${count("error")} errors, ${count("skipped")} skipped.`,
  );
  const cost = costLine(results);
  if (cost !== undefined) io.out(cost);
  const strays = results.cleanup?.strays ?? [];
  if (strays.length > 0) {
    io.out(`Warning: left alone in table folders (not created by sluice): ${strays.join(", ")}`);
  }
  io.out(`Results: ${resultsFile}`);
}
