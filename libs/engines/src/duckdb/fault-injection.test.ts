import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { faultInjector } from "./fault-injection.js";

const events = "model.sluice_ecommerce.events";
const marts = "model.sluice_ecommerce.funnel";
/** Statements as two nodes interleave them on two connections. */
const run = [
  { label: undefined, sql: "CREATE SCHEMA IF NOT EXISTS silver" },
  { label: events, sql: "SELECT max(dt) FROM raw" },
  { label: marts, sql: "COPY (SELECT 1) TO '/l/f' (FORMAT parquet)" },
  { label: events, sql: "COPY (SELECT 2) TO '/l/e' (FORMAT parquet)" },
  { label: events, sql: "BEGIN; CREATE OR REPLACE VIEW silver.events AS ...; COMMIT" },
  { label: marts, sql: "BEGIN; CREATE OR REPLACE VIEW marts.funnel AS ...; COMMIT" },
];

/** The index in `run` of the statement after which the kill came, or -1. */
function killedAfter(spec: string): number {
  let killed = -1;
  const fault = faultInjector({ SLUICE_TEST_KILL_AFTER_STATEMENT: spec }, () => {
    killed = killed === -1 ? current : killed;
  });
  let current = 0;
  for (const [i, statement] of run.entries()) {
    current = i;
    fault.statementStarted(statement)();
  }
  return killed;
}

describe("crash points", () => {
  it("kill after the N-th statement, or the k-th of a label whose SQL matches", () => {
    expect(killedAfter("3")).toBe(2);
    expect(killedAfter(events)).toBe(1);
    expect(killedAfter(`${events}#2`)).toBe(3);
    expect(killedAfter(`${events}~^BEGIN`)).toBe(4);
    expect(killedAfter(`${marts}~^(copy|begin)#2`)).toBe(5);
    expect(killedAfter(`${marts}~^select`)).toBe(-1);
    expect(killedAfter("0")).toBe(-1);
  });

  it("refuses a target it cannot read", () => {
    expect(() => faultInjector({ SLUICE_TEST_KILL_DURING_STATEMENT: "#2" })).toThrow(
      /bad statement target "#2"/,
    );
  });

  it("logs each statement when it ends: start order, label, SQL, duration in ms, failed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sluice-statement-log-"));
    const log = join(dir, "statements.log");
    const fault = faultInjector({ SLUICE_TEST_STATEMENT_LOG: log });
    const first = fault.statementStarted(run[1]!);
    const second = fault.statementStarted({ label: marts, sql: "COPY (SELECT\t1)\n TO '/l/f'" });
    second(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
    first();
    const lines = readFileSync(log, "utf8").trim().split("\n");
    rmSync(dir, { recursive: true });
    const [failed, slow] = lines.map((line) => line.split("\t"));
    expect(failed).toEqual(["2", marts, "COPY (SELECT 1) TO '/l/f'", expect.any(String), "failed"]);
    expect(slow!.slice(0, 3)).toEqual(["1", events, "SELECT max(dt) FROM raw"]);
    expect(slow).toHaveLength(4);
    // The duration: a number of ms, at least the wait between start and end.
    expect(Number(slow![3])).toBeGreaterThanOrEqual(19);
    expect(slow![3]).toMatch(/^\d+\.\d$/);
  });
});
