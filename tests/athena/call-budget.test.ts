import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  athenaLocalProject,
  awsCall,
  callLog,
  fillRawZone,
  glueTables,
  s3Keys,
  type LoggedCall,
} from "../support/athena-local.js";
import { HOURLY_TABLES } from "../support/prod-tables.js";
import { queriesPerModel } from "../support/query-counts.js";

type Project = Awaited<ReturnType<typeof athenaLocalProject>>;

/** The table models rebuilt by one more raw hour (all insert_overwrite on Athena). */
const MODELS = HOURLY_TABLES;

/** Models whose raw hours the build's reconciliation checks (their pending-hours clear). */
const RECONCILED = ["ecommerce_staging.stg_events", "ecommerce_silver.events"];

/**
 * A model's Glue and S3 calls, counted on the endpoint's call log: Glue calls naming its table
 * or one of its staging tables (`<name>__…`), S3 calls under its folder (`<bucket>/<zone>/<name>/`,
 * a DeleteObjects by the common prefix of its keys: one shared by several tables is run-level).
 * Everything else (the run's GetTables listings, the raw table, the lease, the end-of-run
 * BatchDeleteTable of staging entries) is run-level.
 */
function callsOf(log: readonly LoggedCall[], relation: string): string[] {
  const name = relation.split(".")[1]!;
  const folder = new RegExp(`^sluice-lake/(?!raw/)[^/]+/${name}/`);
  return log
    .filter((c) =>
      c.api.startsWith("Glue.")
        ? c.resource === relation || c.resource.startsWith(`${relation}__`)
        : c.api.startsWith("S3.") && folder.test(c.resource),
    )
    .map((c) => c.api.replace(/^\w+\./, ""));
}

/** A build's calls per model, the models over the budget as `relation (n): calls`. */
function overBudget(log: readonly LoggedCall[], budget: number): string[] {
  return MODELS.map((r) => ({ r, calls: callsOf(log, r) }))
    .filter(({ calls }) => calls.length > budget)
    .map(({ r, calls }) => `${r} (${calls.length}): ${calls.join(" ")}`);
}

/** The models that ran more than `budget` queries in a build, as `relation (n): queries`. */
const overQueries = (queries: Map<string, string[]>, budget: number): string[] =>
  [...queries]
    .filter(([, q]) => q.length > budget)
    .map(([r, q]) => `${r} (${q.length}): ${q.map((sql) => sql.slice(0, 80)).join(" | ")}`);

/** The partition folders each model's Glue partitions read (GetPartitions, not through sluice). */
async function partitionFolders(url: string): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const relation of MODELS) {
    const [DatabaseName, TableName] = relation.split(".");
    const { body } = await awsCall<{
      Partitions?: { StorageDescriptor?: { Location?: string } }[];
    }>(url, "AWSGlue.GetPartitions", { DatabaseName, TableName });
    out.set(
      relation,
      (body.Partitions ?? []).map((p) => `${p.StorageDescriptor!.Location!.replace(/\/+$/, "")}/`),
    );
  }
  return out;
}

/** The files under an `s3://sluice-lake/…/` folder, counted on the endpoint's disk. */
async function filesOnDisk(aws: string, folder: string): Promise<string[]> {
  const prefix = folder.replace(/^s3:\/\/sluice-lake\//, "");
  return s3Keys(aws, "sluice-lake", prefix).catch(() => []);
}

/**
 * Issue #12's call budget, asserted on the real CLI against `sluice athena-local`: a model's
 * insert_overwrite publish makes at most 4 Glue/S3 calls on every build: ListObjectsV2 of its
 * staging folder (the staging partitions and their files), the repoint (BatchUpdatePartition,
 * each entry recording the location it leaves), the creation of new partitions
 * (BatchCreatePartition) and one UpdateTable (watermark, retired locations, the partition record
 * with its files that spares a read of the target's partitions, the expired locations deleted by
 * key, and for reconciled models the reconciliation's verdict). Measured on the next hour, on a
 * third build (the first generation expires) and on a build whose raw hours carry late events
 * of an old date next to a new date (repoint + create + expiry). The expired objects are
 * deleted by key at the end of the run, in DeleteObjects calls shared by every model (run level).
 */
describe("Glue/S3 calls per table model on a first build and the builds after it", () => {
  let p: Project;
  const logs: Record<"first" | "next" | "third" | "late", LoggedCall[]> = {
    first: [],
    next: [],
    third: [],
    late: [],
  };
  /** After each build: the partition folders each model reads, and the lake's files on disk. */
  const read: Record<"first" | "next" | "third" | "late", Map<string, string[]>> = {
    first: new Map(),
    next: new Map(),
    third: new Map(),
    late: new Map(),
  };
  const disk: Record<"first" | "next" | "third" | "late", string[]> = {
    first: [],
    next: [],
    third: [],
    late: [],
  };
  /** After each build: the queries the endpoint started per model. */
  const queries: Record<"first" | "next" | "third" | "late", Map<string, string[]>> = {
    first: new Map(),
    next: new Map(),
    third: new Map(),
    late: new Map(),
  };
  const unowned: string[] = [];
  const snapshot = async (b: "first" | "next" | "third" | "late") => {
    read[b] = await partitionFolders(p.endpoint.url);
    disk[b] = await filesOnDisk(p.aws, "s3://sluice-lake/");
    const counted = await queriesPerModel(logs[b], p.dir, MODELS);
    queries[b] = counted.perModel;
    unowned.push(...counted.unowned.map((q) => `${b}: ${q}`));
  };

  const build = async () => {
    await callLog(p.endpoint.url, true);
    const run = await p.sluice("build", "--target", "prod");
    expect(run.code, run.stdout + run.stderr).toBe(0);
    return callLog(p.endpoint.url, true);
  };
  const fill = async (o: { events: number; start: string; hours: number; seed: number }) => {
    const raw = await fillRawZone(p, o);
    expect(raw.code, raw.stderr).toBe(0);
  };

  beforeAll(async () => {
    p = await athenaLocalProject({ latencyMs: 0 });
    await fill({ events: 400, start: "2026-11-27T00:00:00Z", hours: 6, seed: 21 });
    logs.first = await build();
    await snapshot("first");
    await fill({ events: 50, start: "2026-11-27T06:00:00Z", hours: 1, seed: 22 });
    logs.next = await build();
    await snapshot("next");
    await fill({ events: 50, start: "2026-11-27T07:00:00Z", hours: 1, seed: 23 });
    logs.third = await build();
    await snapshot("third");
    // Hours 23:00 and 00:00: late events of 2026-11-27 (arriving 1-6 h after they happened)
    // next to the first events of 2026-11-28.
    const late = await p.sluice(
      ...["generate", "--events", "60", "--start", "2026-11-27T23:00:00Z", "--hours", "2"],
      ...["--seed", "24", "--late-rate", "0.5", "--lake", `${p.aws}/sluice-lake`],
    );
    expect(late.code, late.stderr).toBe(0);
    logs.late = await build();
    await snapshot("late");
  }, 600_000);

  afterAll(async () => {
    // CALL_TABLE=1: print each model's calls on the four builds (the table in the #12 notes).
    if (process.env["CALL_TABLE"])
      for (const r of MODELS)
        console.log(
          r,
          (["first", "next", "third", "late"] as const)
            .map(
              (b) =>
                `${b}=${queries[b].get(r)?.length}q ${callsOf(logs[b], r).length} [${callsOf(logs[b], r).join(" ")}]`,
            )
            .join(" | "),
        );
    await p?.cleanup();
  });

  it("first build: 1 query and at most 4 Glue/S3 calls per model (the staging listing is the stale-data cleanup's too)", () => {
    expect(overQueries(queries.first, 1)).toEqual([]);
    expect(overBudget(logs.first, 4)).toEqual([]);
    for (const relation of MODELS) {
      const calls = callsOf(logs.first, relation);
      // One listing of the table root: the staging partitions and the stale data, together.
      expect(
        calls.filter((c) => c === "ListObjectsV2"),
        relation,
      ).toHaveLength(1);
      expect(calls, relation).toContain("CreateTable");
    }
    // Reconciled models: CreateTable with the hours pending, then the verdict's UpdateTable.
    for (const relation of RECONCILED)
      expect(callsOf(logs.first, relation), relation).toEqual([
        "ListObjectsV2",
        "CreateTable",
        "BatchCreatePartition",
        "UpdateTable",
      ]);
  }, 60_000);

  it("next hour: 1 query and at most 4 Glue/S3 calls per model, one UpdateTable each, no read of the target's partitions", () => {
    // silver.events (on_schema_change='append_new_columns') runs no LIMIT 0 probe: its entry
    // records (sluice_select) that its SELECT's columns are its own.
    expect(overQueries(queries.next, 1)).toEqual([]);
    expect(overBudget(logs.next, 4)).toEqual([]);
    for (const relation of MODELS) {
      const calls = callsOf(logs.next, relation);
      expect(
        calls.filter((c) => c === "UpdateTable"),
        relation,
      ).toHaveLength(calls.length === 0 ? 0 : 1);
      expect(calls, relation).not.toContain("GetTable");
      expect(calls, relation).not.toContain("BatchGetPartition");
    }
    // Reconciled models: the pending-hours clear rides on the publish's one table update.
    for (const relation of RECONCILED)
      expect(
        callsOf(logs.next, relation).filter((c) => c !== "BatchCreatePartition"),
        relation,
      ).toEqual(["ListObjectsV2", "BatchUpdatePartition", "UpdateTable"]);
  }, 60_000);

  /**
   * What a build `after` the one `before` deleted and kept, counted on the endpoint's disk:
   * `expired`, the folders read two builds ago and no longer read one build ago (retired then,
   * past `versions_to_keep: 1` now), must be gone; `retired`, the folders read before and not
   * now, must still be there whole; every folder a partition reads must hold the files it held.
   */
  const checkDisk = (
    older: "first" | "next" | "third",
    before: "next" | "third",
    after: "third" | "late",
  ) => {
    const under = (files: readonly string[], folder: string) => {
      const prefix = folder.replace(/^s3:\/\/sluice-lake\//, "");
      return files.filter((f) => f.startsWith(prefix));
    };
    let expiredFiles = 0;
    for (const relation of MODELS) {
      const was = new Set(read[before].get(relation));
      const now = new Set(read[after].get(relation));
      const expired = read[older].get(relation)!.filter((f) => !was.has(f));
      for (const folder of expired) {
        expiredFiles += under(disk[before], folder).length;
        expect(under(disk[after], folder), `${relation}: expired ${folder}`).toEqual([]);
      }
      for (const folder of [...was].filter((f) => !now.has(f)))
        expect(under(disk[after], folder), `${relation}: retired ${folder}`).toEqual(
          under(disk[before], folder),
        );
      for (const folder of now) {
        const files = under(disk[after], folder);
        expect(files.length, `${relation}: read ${folder}`).toBeGreaterThan(0);
        if (was.has(folder))
          expect(files, `${relation}: read ${folder}`).toEqual(under(disk[before], folder));
      }
    }
    return expiredFiles;
  };

  it("third build (the first generation expires): 1 query and at most 4 Glue/S3 calls per model; expired files gone, read ones there", () => {
    expect(overQueries(queries.third, 1)).toEqual([]);
    expect(overBudget(logs.third, 4)).toEqual([]);
    // The expiry happens (files of the first build's generation were there, and are gone), in
    // DeleteObjects calls of the run.
    expect(checkDisk("first", "next", "third")).toBeGreaterThan(0);
    expect(logs.third.some((c) => c.api === "S3.DeleteObjects")).toBe(true);
  }, 60_000);

  it("late events of an old date next to a new date: at most 4 per model; expired files gone", () => {
    const repointedAndCreated = MODELS.filter((r) => {
      const calls = callsOf(logs.late, r);
      return calls.includes("BatchUpdatePartition") && calls.includes("BatchCreatePartition");
    });
    // The case this build is for: some model repoints the old date and creates the new one.
    expect(repointedAndCreated.length).toBeGreaterThan(0);
    expect(overQueries(queries.late, 1)).toEqual([]);
    expect(overBudget(logs.late, 4)).toEqual([]);
    expect(checkDisk("next", "third", "late")).toBeGreaterThan(0);
  }, 60_000);

  it("every model writes with one query on every build; the run's other queries are its set-up and reconciliation", () => {
    // Counted on the endpoint: each model's one query is its write (a CTAS of the rebuilt
    // partitions), none is a LIMIT 0 probe.
    for (const b of ["first", "next", "third", "late"] as const)
      for (const relation of MODELS) {
        const q = queries[b].get(relation)!;
        expect(q, `${b}: ${relation}`).toHaveLength(1);
        expect(q[0], `${b}: ${relation}`).toMatch(/^CREATE TABLE /);
      }
    // No query escapes the count: those no node lists are, per build, the 5 schemas' CREATE
    // DATABASE and the reconciliation's one read (a SELECT, not a LIMIT 0 probe).
    for (const b of ["first", "next", "third", "late"] as const) {
      const of = unowned.filter((q) => q.startsWith(`${b}: `)).map((q) => q.slice(b.length + 2));
      const kinds = of.map((q) =>
        /^CREATE DATABASE IF NOT EXISTS /.test(q)
          ? "create database"
          : /^(WITH|SELECT)\b/i.test(q) && !/LIMIT 0\s*$/i.test(q)
            ? "reconciliation"
            : q,
      );
      expect(kinds.sort(), b).toEqual([
        ...Array<string>(5).fill("create database"),
        "reconciliation",
      ]);
    }
  }, 60_000);

  it("the reconciled tables record the balanced hours as no longer pending", async () => {
    for (const relation of RECONCILED) {
      const [database, name] = relation.split(".") as [string, string];
      const entry = (await glueTables(p.endpoint.url, database)).find((t) => t.Name === name);
      expect(entry?.Parameters?.["sluice_pending_from"], relation).toBe("");
      expect(entry?.Parameters?.["sluice_watermark"], relation).toBe("2026/11/28/00");
    }
  }, 60_000);
});
