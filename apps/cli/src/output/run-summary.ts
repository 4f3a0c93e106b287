import path from "node:path";
import type { NodeResult, RunResults } from "@sluice/runner";
import type { Io } from "../command.js";
import { colors } from "./color.js";
import { nodeLabel, paint, statusLabel as label } from "./progress.js";
import { costCells, costLine, reportsCost } from "./cost.js";
import { renderTable } from "./table.js";
import { counted, duration } from "./words.js";

/** Totals by kind and status, plus the failures in full. */
export function printRunSummary(
  io: Io,
  results: RunResults,
  resultsFile: string,
  /** Where a failed node's files are (`at models/x.sql:3:9 (compiled: ...)`), if known. */
  whereFailed: (r: NodeResult) => string | undefined = () => undefined,
): void {
  const rs = results.results;
  const done = rs.filter((r) => r.kind !== "test" && r.status === "success");
  const built = done.filter((r) => !r.unchanged);
  const kept = done.filter((r) => r.unchanged);
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
      [
        "node",
        "status",
        "rows",
        "failures",
        "scope",
        "seconds",
        ...(withCost ? ["scanned", "cost"] : []),
      ],
      rs
        .filter((r) => r.kind !== "test" || problems.includes(r))
        .map((r) => [
          r.kind === "test" ? nodeLabel(r) : (r.relation ?? r.name),
          label[r.status],
          r.rows ?? "",
          r.failures ?? "",
          r.scope?.kind ?? "",
          (r.elapsedMs / 1000).toFixed(2),
          ...(withCost ? costCells(r) : []),
        ]),
    ),
  );
  for (const p of problems) {
    io.out(`\n${paint(c, p.status, label[p.status])} ${p.id}: ${p.message}`);
    const where = whereFailed(p);
    if (where) io.out(`  ${where}`);
    if (p.diff) io.out(p.diff.replace(/^/gm, "  "));
    if (p.storedFailures) io.out(`  failing rows stored in ${p.storedFailures}`);
    if (p.scope) io.out(`  checked: ${p.scope.kind} scope, ${p.scope.detail}`);
  }
  const scoped = tests.filter((r) => r.scope);
  if (scoped.length > 0) {
    const n = (kind: string) => scoped.filter((r) => r.scope?.kind === kind).length;
    io.out(
      `\nAssertion scope: ${n("incremental")} checked what this run wrote or read (incremental), ${n("full")} whole tables (full).`,
    );
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
  const snapshotCount = built.filter((r) => r.kind === "snapshot").length;
  const snapshots = snapshotCount > 0 ? [counted(snapshotCount, "snapshot")] : [];
  const failed = count("fail") + count("error") > 0;
  // What the command did not select is left out (`sluice test` built no model or seed).
  const kinds = (rs.some((r) => r.kind === "model" || r.kind === "seed") ? [models, seeds] : [])
    .concat(snapshots)
    .join(", ")
    .replace(/, ([^,]*)$/, " and $1");
  const builds = kinds ? `${kinds} built (${counted(rows, "row")}), ` : "";
  const keptKinds = (["model", "seed", "snapshot"] as const)
    .map((kind) => [kind, kept.filter((r) => r.kind === kind).length] as const)
    .filter(([, n]) => n > 0)
    .map(([kind, n]) => counted(n, kind))
    .join(" and ");
  const unchanged = keptKinds ? `${keptKinds} unchanged, ` : "";
  const checks =
    tests.length > 0
      ? `tests: ${tests.filter((t) => t.status === "pass").length} passed, ${count("warn")} warned, ${(failed ? c.red : String)(`${count("fail")} failed`)}; `
      : "";
  io.out(
    `Done in ${duration(results.elapsedMs)}. ${builds}${unchanged}${checks}` +
      `${counted(count("error"), "error")}, ${count("skipped")} skipped.`,
  );
  const cost = costLine(results);
  if (cost !== undefined) io.out(cost);
  const strays = results.cleanup?.strays ?? [];
  if (strays.length > 0) {
    io.out(`Warning: left alone in table folders (not created by sluice): ${strays.join(", ")}`);
  }
  // The tables are published; what the cleanup could not remove, the next build removes.
  if (results.cleanup?.error !== undefined)
    io.out(
      `Warning: cleanup after the run failed (the next build removes the leftovers): ${results.cleanup.error}`,
    );
  io.out(`Results: ${path.relative(process.cwd(), resultsFile) || resultsFile}`);
}
