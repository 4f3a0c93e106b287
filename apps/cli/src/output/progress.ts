import type { NodeResult, RunEvent } from "@sluice/runner";
import type { Io } from "../command.js";
import type { Colors } from "./color.js";
import { colors } from "./color.js";

/** Status words, dbt's: `OK`, `PASS`, `WARN`, `FAIL`, `ERROR`, `SKIP`. */
export const statusLabel: Record<NodeResult["status"], string> = {
  success: "OK",
  pass: "PASS",
  warn: "WARN",
  fail: "FAIL",
  error: "ERROR",
  skipped: "SKIP",
};

/** A status label in its colour: green OK/PASS, yellow WARN, red FAIL/ERROR, dim SKIP. */
export function paint(c: Colors, status: NodeResult["status"], text: string): string {
  if (status === "fail" || status === "error") return c.red(text);
  if (status === "warn") return c.yellow(text);
  return status === "skipped" ? c.dim(text) : c.green(text);
}

/** `test not_null_events_id` or `table silver.events`: a node as progress lines name it. */
export function nodeLabel(r: NodeResult): string {
  if (r.id.startsWith("unit_test.")) return `unit test ${r.name}`;
  return r.kind === "test" ? `test ${r.name}` : `${r.materialization} ${r.relation ?? r.name}`;
}

/** ` [incremental: 1 partition of event_date written this run (2026-11-27)]` for a test. */
function scopeNote(r: NodeResult): string {
  return r.scope ? ` [${r.scope.kind}: ${r.scope.detail}]` : "";
}

function dots(text: string): string {
  return ".".repeat(Math.max(3, 56 - text.length));
}

/**
 * Progress of a run on stderr, dbt style. Without a terminal (CI, a pipe, a file): a `START`
 * line when a node starts and an `OK`/`PASS`/... line when it ends:
 *
 *     1 of 24 START table silver.events ....................... [RUN]
 *     1 of 24 OK    table silver.events ....................... inserted 2,060 rows [0.41s]
 *
 * On a terminal (`io.statusLine`): only the end lines, and below them one line that is redrawn
 * with the nodes running now (`3 of 24 done; running: table silver.events, view marts.funnel`), so a
 * long Athena query shows which node is waiting. The run's own checks after the DAG
 * (reconciliation, quarantine) are not nodes of the count: they print `check`, not `N of N` again.
 */
export function progressPrinter(io: Io): (event: RunEvent) => void {
  const c = colors(io.color?.err ?? false);
  const running = new Map<string, string>();
  let printed = 0;
  let done = 0;
  let total = 0;
  const status = io.statusLine;
  const redraw = (): void => {
    if (!status) return;
    const names = [...running.values()];
    status(names.length === 0 ? "" : `${done} of ${total} done; running: ${names.join(", ")}`);
  };
  const line = (text: string): void => {
    status?.("");
    io.err(text);
    redraw();
  };
  return (event) => {
    total = event.total;
    const counter = `${String(event.index).padStart(String(event.total).length)} of ${event.total}`;
    if (event.type === "start") {
      running.set(event.id, event.description);
      if (status) return redraw();
      return line(
        `${counter} ${"START".padEnd(5)} ${event.description} ${c.dim(dots(event.description))} [RUN]`,
      );
    }
    const r = event.result;
    running.delete(r.id);
    const position = event.index > printed ? counter : "check".padStart(counter.length);
    if (event.index > printed) done += 1;
    printed = Math.max(printed, event.index);
    const what = nodeLabel(r);
    const seconds = c.dim(`[${(r.elapsedMs / 1000).toFixed(2)}s]`);
    line(
      `${position} ${paint(c, r.status, statusLabel[r.status].padEnd(5))} ${what} ${c.dim(dots(what))} ${r.message}${scopeNote(r)} ${seconds}`,
    );
  };
}
