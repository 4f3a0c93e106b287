import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  athenaLocalProject,
  callLog,
  fillRawZone,
  glueTables,
  type LoggedCall,
} from "../support/athena-local.js";
import { HOURLY_TABLES } from "../support/prod-tables.js";

type Project = Awaited<ReturnType<typeof athenaLocalProject>>;

/** The table models rebuilt by one more raw hour (all insert_overwrite on Athena). */
const MODELS = HOURLY_TABLES;

/** Models whose raw hours the build's reconciliation checks (their pending-hours clear). */
const RECONCILED = ["ecommerce_staging.stg_events", "ecommerce_silver.events"];

/**
 * A model's Glue and S3 calls, counted on the endpoint's call log: Glue calls naming its table
 * or one of its staging tables (`<name>__…`), S3 calls under its folder (`<bucket>/<zone>/<name>/`).
 * Everything else (the run's GetTables listings, the raw table, the lease, the end-of-run
 * BatchDeleteTable of staging entries) is run-level.
 */
function callsOf(log: readonly LoggedCall[], relation: string): string[] {
  const name = relation.split(".")[1]!;
  const folder = new RegExp(`^sluice-lake/[^/]+/${name}/`);
  return log
    .filter((c) =>
      c.api.startsWith("Glue.")
        ? c.resource === relation || c.resource.startsWith(`${relation}__`)
        : c.api.startsWith("S3.") && folder.test(c.resource),
    )
    .map((c) => c.api.replace(/^\w+\./, ""));
}

/**
 * Issue #12's call budget, asserted on the real CLI against `sluice athena-local`: on the next
 * build after one more raw hour, a model's insert_overwrite publish makes at most 4 Glue/S3
 * calls: GetPartitions of its staging table, one BatchGetPartition of its own, the repoint
 * (BatchUpdatePartition, each entry recording the location it leaves) and one UpdateTable
 * (watermark, retired locations, and for reconciled models the reconciliation's verdict). A
 * model that also gets a new partition makes one BatchCreatePartition more: Glue has no
 * create-or-update call, so 5 is the floor there (see libs/engines/README.md).
 */
describe("Glue/S3 calls per table model on the next build after one more hour", () => {
  let p: Project;
  let next: LoggedCall[];

  beforeAll(async () => {
    p = await athenaLocalProject({ latencyMs: 0 });
    const raw = await fillRawZone(p, {
      events: 400,
      start: "2026-11-27T00:00:00Z",
      hours: 6,
      seed: 21,
    });
    expect(raw.code, raw.stderr).toBe(0);
    const first = await p.sluice("build", "--target", "prod");
    expect(first.code, first.stdout + first.stderr).toBe(0);
    const more = await fillRawZone(p, {
      events: 50,
      start: "2026-11-27T06:00:00Z",
      hours: 1,
      seed: 22,
    });
    expect(more.code, more.stderr).toBe(0);
    await callLog(p.endpoint.url, true);
    const second = await p.sluice("build", "--target", "prod");
    expect(second.code, second.stdout + second.stderr).toBe(0);
    next = await callLog(p.endpoint.url, true);
  }, 600_000);

  afterAll(async () => {
    await p?.cleanup();
  });

  it("at most 4 per model (5 with a new partition), one UpdateTable each, none for the pending clear", () => {
    const over: string[] = [];
    for (const relation of MODELS) {
      const calls = callsOf(next, relation);
      const budget = calls.includes("BatchCreatePartition") ? 5 : 4;
      if (calls.length > budget) over.push(`${relation} (${calls.length}): ${calls.join(" ")}`);
      expect(
        calls.filter((c) => c === "UpdateTable"),
        relation,
      ).toHaveLength(calls.length === 0 ? 0 : 1);
      expect(calls, relation).not.toContain("GetTable");
    }
    expect(over).toEqual([]);
    // Reconciled models: the pending-hours clear rides on the publish's one table update.
    for (const relation of RECONCILED)
      expect(
        callsOf(next, relation).filter((c) => c !== "BatchCreatePartition"),
        relation,
      ).toEqual(["GetPartitions", "BatchGetPartition", "BatchUpdatePartition", "UpdateTable"]);
  }, 60_000);

  it("the reconciled tables record the balanced hours as no longer pending", async () => {
    for (const relation of RECONCILED) {
      const [database, name] = relation.split(".") as [string, string];
      const entry = (await glueTables(p.endpoint.url, database)).find((t) => t.Name === name);
      expect(entry?.Parameters?.["sluice_pending_from"], relation).toBe("");
      expect(entry?.Parameters?.["sluice_watermark"], relation).toBe("2026/11/27/06");
    }
  }, 60_000);
});
