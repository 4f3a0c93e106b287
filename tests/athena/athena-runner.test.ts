import {
  compileProject,
  dialectFor,
  type CompiledNode,
  type CompiledProject,
} from "@sluice/compiler";
import { openAthenaEngineWith } from "@sluice/engines";
import { loadProject, type AthenaTarget } from "@sluice/project";
import { runProject, type RunCommand } from "@sluice/runner";
import { afterAll, describe, expect, it } from "vitest";
import { copyModelsProject } from "../support/cli.js";
import { grammarErrors } from "../support/sql-grammar.js";
import { addTableModels } from "../support/table-models.js";
import { FakeAthenaLake } from "./fake-athena-lake.js";

/**
 * The runner on the Athena engine + dialect, for the models project compiled for `prod`,
 * against a fake of Athena, Glue and S3: which calls it makes, in which order, with which SQL.
 * The project's marts are incremental: a copy of it gets unpartitioned `table` models too.
 */
const copy = await copyModelsProject();
afterAll(() => copy.cleanup());
const tableModels = await addTableModels(copy.dir);
const project = await loadProject(copy.dir);
const target = project.config.targets["prod"] as AthenaTarget;
const dialect = dialectFor(target);
const compile = (runId: string): CompiledProject =>
  compileProject(project, { targetName: "prod", runId, dialect, env: {} });
const days = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    new Date(Date.UTC(2026, 0, 1) + i * 86_400_000).toISOString().slice(0, 10),
  );

async function run(
  aws: FakeAthenaLake,
  runId: string,
  options: {
    select?: string[];
    command?: RunCommand;
    patch?: (n: CompiledNode) => CompiledNode;
    signal?: AbortSignal;
    sleep?: () => void;
  } = {},
) {
  const compiled = compile(runId);
  // These tests pin the calls that delete replaced data: no earlier version is kept (the
  // default, versions_to_keep 1, is tested on the endpoint in insert-overwrite-safety.test.ts).
  compiled.nodes = compiled.nodes.map((n) => ({
    ...n,
    config: { ...n.config, versions_to_keep: 0 },
  }));
  if (options.patch) compiled.nodes = compiled.nodes.map(options.patch);
  // Reruns here have the same inputs and pin the write paths: forget what each table was built
  // from, or it would be left unchanged (unchanged-rerun.test.ts tests that on the endpoint).
  for (const table of aws.tables.values()) delete table.Parameters?.["sluice_inputs"];
  const engine = await openAthenaEngineWith({
    target,
    clients: aws.clients,
    sleep: async () => options.sleep?.(),
    random: () => 0.5,
    token: () => "t".repeat(32),
  });
  const from = aws.calls.length;
  const results = await runProject({
    command: options.command ?? "run",
    compiled,
    engine,
    dialect,
    runId,
    selected: options.select,
    threads: 1,
    signal: options.signal,
  });
  await engine.close();
  const calls = aws.calls.slice(from).filter((c) => c.command !== "GetQueryExecution");
  return { results, calls: calls.map(describeCall), raw: aws.calls.slice(from) };
}

/** A call as one line: the command plus what identifies it (SQL head, table, batch size). */
function describeCall(call: FakeAthenaLake["calls"][number]): string {
  const i = call.input;
  switch (call.command) {
    case "StartQueryExecution":
      return `Athena ${String(i.QueryString).split("\n")[0]}`;
    case "GetTable":
    case "DeleteTable":
      return `${call.command} ${i.DatabaseName}.${i.Name}`;
    case "UpdateTable":
    case "CreateTable":
      return `${call.command} ${i.DatabaseName}.${i.TableInput.Name} -> ${i.TableInput.StorageDescriptor?.Location}`;
    case "BatchDeleteTable":
      return `BatchDeleteTable ${i.DatabaseName} ${i.TablesToDelete.join(",")}`;
    case "GetTables":
      return `GetTables ${i.DatabaseName} ${i.Expression ?? "*"}`;
    case "ListObjectsV2":
      return `ListObjectsV2 ${i.Bucket}/${i.Prefix}`;
    case "DeleteObjects":
      return `DeleteObjects ${i.Delete.Objects.length}`;
    case "BatchCreatePartition":
      return `BatchCreatePartition ${i.PartitionInputList.length}`;
    case "BatchUpdatePartition":
      return `BatchUpdatePartition ${i.Entries.length}`;
    case "BatchDeletePartition":
      return `BatchDeletePartition ${i.PartitionsToDelete.length}`;
    case "BatchGetPartition":
      return `BatchGetPartition ${i.PartitionsToGet.length}`;
    case "GetPartitions":
      return `GetPartitions ${i.DatabaseName}.${i.TableName}`;
    case "GetObject":
      return `GetObject ${i.Bucket}/${i.Key}`;
    default:
      return call.command;
  }
}

/**
 * Incremental runs of model.events on an existing table: the window from the watermark recorded
 * in its Glue entry (read with the table), the write, then the new watermark: the table's entry
 * (read before the plan) has no dt column, so the newest one recorded upstream (stg_events; none
 * here), with no second read of the table. No on_schema_change probe: the model and what it reads
 * are as when its version recorded its SELECT's columns as the table's (`sluice_select`).
 */
const incrementalCalls = (write: string) => [
  "GetTables ecommerce_silver *", // listed while the run creates the database: the staging sweep's listing, which also holds the table
  "Athena CREATE DATABASE IF NOT EXISTS `ecommerce_silver`",
  "ListObjectsV2 sluice-lake/raw/events/", // the raw hours of the window: the watermark, the inputs
  "GetTable ecommerce_staging.stg_events", // the version (and schema id) of the table it reads
  `Athena ${write}`,
  "GetQueryResults",
  "GetTable ecommerce_staging.stg_events",
];
const APPEND_CALLS = incrementalCalls(
  'INSERT INTO "ecommerce_silver"."events" ("event_id", "id", "event_date")',
);
const MERGE_CALLS = incrementalCalls('MERGE INTO "ecommerce_silver"."events" AS sluice_target');
/** First build of an Iceberg table: CTAS into a staging Iceberg table, then the Glue entry is created from it. */
const MERGE_FIRST_CALLS = [
  "GetTables ecommerce_silver *",
  "Athena CREATE DATABASE IF NOT EXISTS `ecommerce_silver`",
  "ListObjectsV2 sluice-lake/raw/events/",
  "GetTable ecommerce_staging.stg_events", // the version it reads: its inputs
  'Athena CREATE TABLE "ecommerce_silver"."events__sluice_r1_1"',
  "GetQueryResults",
  "GetTable ecommerce_staging.stg_events", // its watermark: no dt column, so the upstream's
  "GetTables ecommerce_silver events__sluice_r1_1|events",
  "UpdateTable ecommerce_silver.events -> s3://sluice-lake/silver/events/v_r1/",
  "CreateTable ecommerce_silver.events -> s3://sluice-lake/silver/events/v_r1/",
  "ListObjectsV2 sluice-lake/silver/events/",
  "BatchDeleteTable ecommerce_silver events__sluice_r1_1",
];

const grammarOf = (sql: string) =>
  /^(CREATE DATABASE|CREATE EXTERNAL TABLE|DROP TABLE|ALTER TABLE)/.test(sql) ? "hive" : "trino";
const sluiceTables = (aws: FakeAthenaLake) =>
  [...aws.tables.keys()].filter((k) => k.includes("__sluice_"));

describe("the models project on Athena (fake AWS)", () => {
  it("builds every node; every statement sent parses under Athena's grammar", async () => {
    const aws = new FakeAthenaLake();
    const { results } = await run(aws, "r1", { command: "build" });
    expect(results.results.filter((r) => !["success", "pass"].includes(r.status))).toEqual([]);
    expect(aws.statements.length).toBeGreaterThan(20);
    for (const sql of aws.statements)
      expect(grammarErrors({ sql, grammar: grammarOf(sql) }), sql).toEqual([]);
    // The incremental window is bound to a literal before Athena sees the SQL.
    expect(aws.statements.filter((sql) => /sluice_incremental_from/i.test(sql))).toEqual([]);
    expect(sluiceTables(aws)).toEqual([]);
    // Cost: each data query bills the 10 MB minimum.
    const orders = results.results.find((r) => r.id === "model.order_items")!;
    expect(orders.billedBytes).toBe(10 * 1024 * 1024);
    expect(orders.costUsd).toBeCloseTo(((10 * 1024 * 1024) / 1024 ** 4) * 5, 12);
    const billed = results.results.reduce((sum, r) => sum + (r.billedBytes ?? 0), 0);
    expect(billed % (10 * 1024 * 1024)).toBe(0);
    expect(results.cost).toEqual({
      bytesScanned: results.results.reduce((sum, r) => sum + (r.bytesScanned ?? 0), 0),
      billedBytes: billed,
      costUsd: (billed / 1024 ** 4) * 5,
    });
  });

  it("publishes a table: one CTAS into a staging table, a Glue swap, the old data deleted", async () => {
    const aws = new FakeAthenaLake();
    await run(aws, "r1", { select: ["model.daily_revenue"] });
    const { results, calls } = await run(aws, "r2", { select: ["model.daily_revenue"] });
    expect(results.results.map((r) => `${r.id} ${r.status} ${r.message}`)).toEqual([
      "model.daily_revenue success created table 10 rows",
    ]);
    expect(calls).toEqual([
      "GetTables ecommerce_marts *",
      "Athena CREATE DATABASE IF NOT EXISTS `ecommerce_marts`",
      // The versions of the tables it reads (not built in this run): its inputs.
      "GetTable ecommerce_silver.order_items",
      'Athena CREATE TABLE "ecommerce_marts"."daily_revenue__sluice_r2_1"',
      "GetQueryResults",
      "GetTables ecommerce_marts daily_revenue__sluice_r2_1|daily_revenue",
      "UpdateTable ecommerce_marts.daily_revenue -> s3://sluice-lake/marts/daily_revenue/v_r2/",
      // The old data, listed once the new version is published (while later nodes run) ...
      "ListObjectsV2 sluice-lake/marts/daily_revenue/",
      // ... then after all nodes, batched across the run's tables:
      "BatchDeleteTable ecommerce_marts daily_revenue__sluice_r2_1",
      "DeleteObjects 1",
    ]);
    expect(results.cleanup).toEqual({ tablesDropped: 1, objectsDeleted: 1 });
    expect(aws.tables.get("ecommerce_marts.daily_revenue")?.StorageDescriptor?.Location).toBe(
      "s3://sluice-lake/marts/daily_revenue/v_r2/",
    );
    expect(aws.keys("sluice-lake")).toEqual(["marts/daily_revenue/v_r2/data.parquet"]);
    expect(sluiceTables(aws)).toEqual([]);
  });

  it("rebuilding the (unpartitioned) table models costs 1 Athena query and at most 4 Glue/S3 calls per model", async () => {
    const aws = new FakeAthenaLake();
    await run(aws, "r1");
    const nodes = compile("r2").nodes.filter(
      (n) => n.kind === "model" && n.materialization === "table" && n.partitionedBy.length === 0,
    );
    const tables = nodes.map((n) => n.id);
    // The table models the copy adds (the project's own marts are incremental).
    expect([...tables].sort()).toEqual([...tableModels].sort());
    expect(tables.length).toBeGreaterThanOrEqual(4);
    const { results, calls, raw } = await run(aws, "r2", { select: tables });
    expect(results.results.map((r) => r.status)).toEqual(tables.map(() => "success"));
    const queries = calls.filter(
      (c) => c.startsWith("Athena") && !c.startsWith("Athena CREATE DATABASE"),
    );
    expect(queries).toHaveLength(tables.length);
    const catalogAndStorage = raw.filter((c) => c.service !== "athena").map((c) => c.command);
    // Run level, not per model: one GetTable per table the models read that the run does not
    // build (its version is among their inputs), read once in the run.
    const read = new Set(
      nodes.flatMap((n) =>
        compile("r2")
          .nodes.filter((u) => n.dependsOn.includes(u.id) && !tables.includes(u.id))
          .filter((u) => ["table", "incremental", "seed"].includes(u.materialization))
          .map((u) => u.id),
      ),
    );
    const perModel = (catalogAndStorage.length - read.size) / tables.length;
    console.log(
      `unpartitioned table models: ${tables.length}, Glue/S3 calls per model: ${perModel.toFixed(2)}`,
    );
    expect(perModel).toBeLessThanOrEqual(4);
    // Per model: GetTables (staging and published entry together), UpdateTable, ListObjectsV2 of
    // its root; shared: one GetTables (staging sweep) and one BatchDeleteTable per database, one
    // DeleteObjects per 1,000 old keys.
    const databases = new Set(nodes.map((n) => n.relation.schema)).size;
    const count = (command: string) => catalogAndStorage.filter((c) => c === command).length;
    expect([count("GetTables"), count("UpdateTable"), count("ListObjectsV2")]).toEqual([
      tables.length + databases,
      tables.length,
      tables.length,
    ]);
    expect([count("GetTable"), count("BatchDeleteTable"), count("DeleteObjects")]).toEqual([
      read.size,
      databases,
      1,
    ]);
    expect(catalogAndStorage).toHaveLength(3 * tables.length + 2 * databases + 1 + read.size);
    expect(sluiceTables(aws)).toEqual([]);
    const oldData = aws
      .keys("sluice-lake")
      .filter((k) => k.includes("/v_r1/") && nodes.some((n) => k.includes(`/${n.relation.name}/`)));
    expect(oldData).toEqual([]);
  });

  it("splits a CTAS of 250 partitions into a CTAS and INSERTs of at most 100 partitions", async () => {
    const aws = new FakeAthenaLake();
    aws.partitionValues.set("order_items", days(250));
    const { results, calls } = await run(aws, "r1", { select: ["model.order_items"] });
    expect(results.results[0]?.status).toBe("success");
    const queries = calls.filter((c) => c.startsWith("Athena"));
    expect(queries).toEqual([
      "Athena CREATE DATABASE IF NOT EXISTS `ecommerce_silver`",
      'Athena CREATE TABLE "ecommerce_silver"."order_items__sluice_r1_1"',
      'Athena CREATE TABLE "ecommerce_silver"."order_items__sluice_r1_1_src"',
      'Athena SELECT DISTINCT "event_date" FROM "ecommerce_silver"."order_items__sluice_r1_1_src" ORDER BY "event_date"',
      'Athena CREATE TABLE "ecommerce_silver"."order_items__sluice_r1_1"',
      'Athena INSERT INTO "ecommerce_silver"."order_items__sluice_r1_1"',
      'Athena INSERT INTO "ecommerce_silver"."order_items__sluice_r1_1"',
    ]);
    expect(aws.partitions.get("ecommerce_silver.order_items")).toHaveLength(250);
    expect(aws.tables.get("ecommerce_silver.order_items")?.StorageDescriptor?.Location).toBe(
      "s3://sluice-lake/silver/order_items/v_r1_batched/",
    );
    expect(
      aws.keys("sluice-lake").every((k) => k.startsWith("silver/order_items/v_r1_batched/")),
    ).toBe(true);
    expect(sluiceTables(aws)).toEqual([]);
    const batch = aws.statements.find((s) =>
      s.startsWith('INSERT INTO "ecommerce_silver"."order_items__sluice_r1_1"'),
    )!;
    expect(batch).toContain(`WHERE "event_date" IN (DATE '${days(250)[100]}', `);
    for (const sql of aws.statements)
      expect(grammarErrors({ sql, grammar: grammarOf(sql) }), sql).toEqual([]);
  });

  it("insert_overwrite over 250 partitions: stage, delete the partitions' data and entries, INSERT in batches of 100", async () => {
    const aws = new FakeAthenaLake();
    const overwrite = (n: CompiledNode) =>
      n.id === "model.events" ? { ...n, incrementalStrategy: "insert_overwrite" as const } : n;
    aws.partitionValues.set("events", days(60));
    await run(aws, "r1", { select: ["model.events"], patch: overwrite });
    aws.partitionValues.set("events", days(250));
    const { results, calls } = await run(aws, "r2", { select: ["model.events"], patch: overwrite });
    expect(results.results.map((r) => `${r.status} ${r.message}`)).toEqual([
      "success replaced 250 partitions, 2,500 rows",
    ]);
    expect(calls).toEqual([
      "GetTables ecommerce_silver *",
      "Athena CREATE DATABASE IF NOT EXISTS `ecommerce_silver`",
      "ListObjectsV2 sluice-lake/raw/events/",
      "GetTable ecommerce_staging.stg_events",
      // The replacement partitions go to a staging table at this run's location: one CTAS...
      'Athena CREATE TABLE "ecommerce_silver"."events__sluice_r2_1"',
      // ...past 100 partitions: stage unpartitioned, list the values, CTAS + INSERTs of 100.
      "GetTable ecommerce_silver.events__sluice_r2_1",
      'Athena CREATE TABLE "ecommerce_silver"."events__sluice_r2_1_src"',
      "GetQueryResults",
      'Athena SELECT DISTINCT "event_date" FROM "ecommerce_silver"."events__sluice_r2_1_src" ORDER BY "event_date"',
      "GetQueryResults",
      'Athena CREATE TABLE "ecommerce_silver"."events__sluice_r2_1"',
      "GetQueryResults",
      'Athena INSERT INTO "ecommerce_silver"."events__sluice_r2_1"',
      "GetQueryResults",
      'Athena INSERT INTO "ecommerce_silver"."events__sluice_r2_1"',
      "GetQueryResults",
      "GetTable ecommerce_silver.events__sluice_r2_1_src",
      "ListObjectsV2 sluice-lake/silver/events/v_r2_staging_src/",
      "DeleteObjects 1",
      "DeleteTable ecommerce_silver.events__sluice_r2_1_src",
      "GetTable ecommerce_staging.stg_events", // the new watermark (events has no dt here)
      // Then the staging folder is listed (its partitions and their files; no GetTable: the
      // run's GetTables listing gave the target's entry and its VersionId)...
      "ListObjectsV2 sluice-lake/silver/events/v_r2_batched/",
      // ...repointed (60 existed, each entry recording the location it leaves in its own
      // sluice_replaced) or created (190) in Glue's batch sizes...
      "BatchUpdatePartition 60",
      "BatchCreatePartition 100",
      "BatchCreatePartition 90",
      // ...then the watermark and the expired locations (versions_to_keep 0 here: the 60 just
      // replaced, their files known from the record) in the one table update, under the listed
      // VersionId; at the end of the run the expired files are deleted by key, then the staging
      // entry that marked them (the publish-in-flight marker) is dropped. The first CTAS of that
      // name was dropped (over 100 partitions) and redone: the entry must still go (it leaked).
      "UpdateTable ecommerce_silver.events -> s3://sluice-lake/silver/events/v_r1/",
      "DeleteObjects 60",
      "BatchDeleteTable ecommerce_silver events__sluice_r2_1",
    ]);
    const writes = aws.statements.filter(
      (s) =>
        /^(CREATE TABLE|INSERT INTO) "ecommerce_silver"."events__sluice_r2_1"\n/.test(s) &&
        s.includes("DATE '"),
    );
    expect(writes.map((s) => (s.match(/DATE '/g) ?? []).length)).toEqual([100, 100, 50]);
    expect(writes[0]).toContain(
      `SELECT * FROM "ecommerce_silver"."events__sluice_r2_1_src"\nWHERE "event_date" IN (DATE '2026-01-01', DATE '2026-01-02'`,
    );
    expect(aws.partitions.get("ecommerce_silver.events")).toHaveLength(250);
    // Every partition reads this run's files; the first build's are gone.
    const parquet = aws.keys("sluice-lake").filter((k) => k.endsWith(".parquet"));
    expect(parquet.filter((k) => k.startsWith("silver/events/v_r2_batched/"))).toHaveLength(250);
    expect(parquet.filter((k) => k.startsWith("silver/events/v_r1/"))).toEqual([]);
    expect(sluiceTables(aws)).toEqual([]);
    for (const sql of aws.statements)
      expect(grammarErrors({ sql, grammar: grammarOf(sql) }), sql).toEqual([]);
  });

  it("append: one INSERT INTO the published table, the window bound from its watermark", async () => {
    const aws = new FakeAthenaLake();
    const appendOnly = (n: CompiledNode) =>
      n.id === "model.events" ? { ...n, incrementalStrategy: "append" as const } : n;
    await run(aws, "r1", { select: ["model.events"], patch: appendOnly });
    const events = aws.tables.get("ecommerce_silver.events")!;
    // No hour pending (the first run's were never reconciled: rejected_events was not built).
    events.Parameters = {
      ...events.Parameters,
      sluice_watermark: "2026/11/27/05",
      sluice_pending_from: "",
    };
    // The table it reads recorded a newer raw hour: events (no dt column in the fake) takes it.
    aws.putTable("ecommerce_staging", {
      Name: "stg_events",
      TableType: "EXTERNAL_TABLE",
      Parameters: { sluice_watermark: "2026/11/27/08" },
    });
    const { results, calls } = await run(aws, "r2", {
      select: ["model.events"],
      patch: appendOnly,
    });
    expect(results.results.map((r) => `${r.status} ${r.message}`)).toEqual([
      "success inserted 10 rows",
    ]);
    expect(calls).toEqual([
      ...APPEND_CALLS,
      "GetTable ecommerce_silver.events",
      "UpdateTable ecommerce_silver.events -> s3://sluice-lake/silver/events/v_r1/",
    ]);
    // Watermark 05 minus the 3-hour lookback.
    expect(aws.statements.at(-1)).toContain("dt >= '2026/11/27/02'");
    expect(aws.tables.get("ecommerce_silver.events")?.Parameters).toMatchObject({
      classification: "parquet",
      sluice_watermark: "2026/11/27/08",
    });
    for (const sql of aws.statements)
      expect(grammarErrors({ sql, grammar: grammarOf(sql) }), sql).toEqual([]);
    expect(sluiceTables(aws)).toEqual([]);
  });

  it("a table without a recorded watermark: max() of its dt column when its Glue entry has one, else the whole window", async () => {
    const aws = new FakeAthenaLake();
    const appendOnly = (n: CompiledNode) =>
      n.id === "model.events" ? { ...n, incrementalStrategy: "append" as const } : n;
    await run(aws, "r1", { select: ["model.events"], patch: appendOnly });
    // The fake's table has no dt column: no max() query, the window starts before any hour.
    const plain = await run(aws, "r2", { select: ["model.events"], patch: appendOnly });
    expect(plain.calls.filter((c) => c.includes("max("))).toEqual([]);
    expect(aws.statements.at(-1)).toContain("dt >= '0000/00/00/00'");
    // An older table that has the column.
    aws.tables
      .get("ecommerce_silver.events")!
      .StorageDescriptor!.Columns!.push({ Name: "dt", Type: "string" });
    const older = await run(aws, "r3", { select: ["model.events"], patch: appendOnly });
    expect(older.results.results.map((r) => r.status)).toEqual(["success"]);
    expect(older.calls.filter((c) => c.includes("max("))).toEqual([
      'Athena SELECT max("dt") AS watermark FROM "ecommerce_silver"."events"', // the window
      'Athena SELECT max("dt") AS watermark FROM "ecommerce_silver"."events"', // the watermark recorded after the INSERT
    ]);
  });

  it("append past 100 partitions: the failed INSERT's partial files (from its data manifest) are deleted before the batched retry", async () => {
    const aws = new FakeAthenaLake();
    const appendOnly = (n: CompiledNode) =>
      n.id === "model.events" ? { ...n, incrementalStrategy: "append" as const } : n;
    aws.partitionValues.set("events", days(60));
    await run(aws, "r1", { select: ["model.events"], patch: appendOnly });
    aws.partitionValues.set("events", days(250));
    const { results, calls } = await run(aws, "r2", {
      select: ["model.events"],
      patch: appendOnly,
    });
    expect(results.results.map((r) => `${r.status} ${r.message}`)).toEqual([
      "success inserted 2,500 rows",
    ]);
    const failedInsert = calls.indexOf(
      'Athena INSERT INTO "ecommerce_silver"."events" ("event_id", "id", "event_date")',
    );
    expect(calls.slice(failedInsert, failedInsert + 4)).toEqual([
      'Athena INSERT INTO "ecommerce_silver"."events" ("event_id", "id", "event_date")', // fails: HIVE_TOO_MANY_OPEN_PARTITIONS, after writing 100 partitions' files
      "GetObject athena-results/tables/q4-manifest.csv", // from the query's Statistics.DataManifestLocation
      "DeleteObjects 100",
      'Athena CREATE TABLE "ecommerce_silver"."events__sluice_r2_1"', // the rows, staged unpartitioned, then INSERTed in batches
    ]);
    expect(aws.keys("sluice-lake").filter((k) => k.includes("partial-"))).toEqual([]);
    // Every new partition holds the batched INSERT's file once; the 60 old ones keep their CTAS file too.
    expect(aws.keys("sluice-lake").filter((k) => k.endsWith("insert.parquet"))).toHaveLength(250);
    expect(aws.partitions.get("ecommerce_silver.events")).toHaveLength(250);
    expect(sluiceTables(aws)).toEqual([]);
  });

  it("append past 100 partitions without a data manifest fails the node instead of risking duplicates", async () => {
    const aws = new FakeAthenaLake();
    const appendOnly = (n: CompiledNode) =>
      n.id === "model.events" ? { ...n, incrementalStrategy: "append" as const } : n;
    await run(aws, "r1", { select: ["model.events"], patch: appendOnly });
    aws.partitionValues.set("events", days(250));
    aws.failWhen = (call) =>
      call.command === "GetObject"
        ? Object.assign(new Error("Access Denied"), { name: "AccessDenied" })
        : undefined;
    const { results } = await run(aws, "r2", { select: ["model.events"], patch: appendOnly });
    expect(results.results.map((r) => `${r.status} ${r.message}`)).toEqual([
      "error the INSERT went past the partition limit and its partial output could not be removed (Access Denied), so it was not retried in batches: HIVE_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of 100 open writers for partitions/buckets [ErrorType 1003]",
    ]);
    expect(aws.statements.filter((s) => s.startsWith("INSERT INTO"))).toHaveLength(1);
  });

  it("any failed INSERT into the published table has its partial files removed; without a manifest the message says the rows may remain", async () => {
    const aws = new FakeAthenaLake();
    const appendOnly = (n: CompiledNode) =>
      n.id === "model.events" ? { ...n, incrementalStrategy: "append" as const } : n;
    await run(aws, "r1", { select: ["model.events"], patch: appendOnly });
    const before = aws.keys("sluice-lake");
    const partial = "silver/events/v_r1/event_date=2026-01-01/partial.parquet";
    aws.failQuery = {
      match: /^INSERT INTO/,
      message: "GENERIC_INTERNAL_ERROR: worker lost",
      wrote: { bucket: "sluice-lake", keys: [partial] },
    };
    const failed = await run(aws, "r2", { select: ["model.events"], patch: appendOnly });
    expect(failed.results.results.map((r) => `${r.status} ${r.message}`)).toEqual([
      "error GENERIC_INTERNAL_ERROR: worker lost [ErrorType 1003]",
    ]);
    expect(failed.calls.slice(-2)).toEqual([
      "GetObject athena-results/tables/q4-manifest.csv",
      "DeleteObjects 1",
    ]);
    expect(aws.keys("sluice-lake")).toEqual(before);

    aws.failQuery = { match: /^INSERT INTO/, message: "GENERIC_INTERNAL_ERROR: worker lost" };
    const unknown = await run(aws, "r3", { select: ["model.events"], patch: appendOnly });
    expect(unknown.results.results.map((r) => r.message)).toEqual([
      "GENERIC_INTERNAL_ERROR: worker lost [ErrorType 1003] (its partial output could not be removed: Athena query q-6 has no data manifest: cannot tell which files it wrote before failing; the table may hold some of its rows until --full-refresh)",
    ]);
  });

  it("a partitioned publish failing mid-way (BatchDeletePartition) is undone; the next run publishes", async () => {
    const aws = new FakeAthenaLake();
    // A partitioned table model (the project's order_items is incremental).
    const asTable = (n: CompiledNode) =>
      n.id === "model.order_items" ? { ...n, materialization: "table" as const } : n;
    aws.partitionValues.set("order_items", days(60));
    await run(aws, "r1", { select: ["model.order_items"], patch: asTable });
    const before = structuredClone(aws.partitions.get("ecommerce_silver.order_items"));
    aws.partitionValues.set("order_items", days(100).slice(50));
    let deletes = 0;
    aws.failWhen = (call) =>
      call.command === "BatchDeletePartition" && ++deletes === 1
        ? Object.assign(new Error("Internal service error"), { name: "InternalServiceException" })
        : undefined;
    const failed = await run(aws, "r2", { select: ["model.order_items"], patch: asTable });
    aws.failWhen = undefined;
    expect(failed.results.results.map((r) => `${r.status} ${r.message}`)).toEqual([
      "error Internal service error",
    ]);
    expect(failed.calls.filter((c) => /Partition|Table /.test(c))).toEqual([
      "GetPartitions ecommerce_silver.order_items",
      "UpdateTable ecommerce_silver.order_items -> s3://sluice-lake/silver/order_items/v_r2/",
      "BatchUpdatePartition 10",
      "BatchCreatePartition 40",
      "BatchDeletePartition 25", // fails; undone in reverse order:
      "BatchCreatePartition 25",
      "BatchDeletePartition 25",
      "BatchDeletePartition 15",
      "BatchUpdatePartition 10",
      "UpdateTable ecommerce_silver.order_items -> s3://sluice-lake/silver/order_items/v_r1/",
      // The node's compensation: its staging table goes, with its data (nothing reads it now).
      "GetTable ecommerce_silver.order_items__sluice_r2_1",
      "GetTable ecommerce_silver.order_items",
      "GetPartitions ecommerce_silver.order_items",
      "DeleteTable ecommerce_silver.order_items__sluice_r2_1",
    ]);
    expect(sluiceTables(aws)).toEqual([]);
    expect(aws.keys("sluice-lake").filter((k) => k.includes("/v_r2/"))).toEqual([]);
    expect(aws.tables.get("ecommerce_silver.order_items")?.StorageDescriptor?.Location).toBe(
      "s3://sluice-lake/silver/order_items/v_r1/",
    );
    expect(
      new Set(aws.partitions.get("ecommerce_silver.order_items")?.map((p) => JSON.stringify(p))),
    ).toEqual(new Set(before?.map((p) => JSON.stringify(p))));

    const { results } = await run(aws, "r3", { select: ["model.order_items"], patch: asTable });
    expect(results.results.map((r) => r.status)).toEqual(["success"]);
    const published = aws.partitions.get("ecommerce_silver.order_items") ?? [];
    expect(published.map((p) => p.StorageDescriptor?.Location?.split("/")[5])).toEqual(
      Array(50).fill("v_r3"),
    );
    expect(
      aws.keys("sluice-lake").filter((k) => !k.startsWith("silver/order_items/v_r3/")),
    ).toEqual([]);
    expect(sluiceTables(aws)).toEqual([]);
  });

  describe("on_schema_change", () => {
    /**
     * model.events appending with `policy`; `changed`: its SQL changed since the table recorded
     * its SELECT's columns (the fake's `probeColumns` then says how), so the build probes them.
     */
    const withPolicy =
      (policy: string, changed = false) =>
      (n: CompiledNode) =>
        n.id === "model.events"
          ? {
              ...n,
              incrementalStrategy: "append" as const,
              config: { ...n.config, on_schema_change: policy as "fail" },
              ...(changed ? { incrementalSql: `${n.incrementalSql}\n-- changed` } : {}),
            }
          : n;
    const probe = "Athena SELECT * FROM (";

    it("append_new_columns: ALTER TABLE ... ADD COLUMNS (Hive types), then an INSERT in the table's column order", async () => {
      const aws = new FakeAthenaLake();
      await run(aws, "r1", { select: ["model.events"], patch: withPolicy("append_new_columns") });
      // The SELECT gained `coupon` (between existing columns) and lost `id`.
      aws.probeColumns = [
        { Name: "event_id", Type: "varchar" },
        { Name: "coupon", Type: "varchar" },
        { Name: "qty", Type: "integer" },
        { Name: "event_date", Type: "date" },
      ];
      const { results, calls } = await run(aws, "r2", {
        select: ["model.events"],
        patch: withPolicy("append_new_columns", true),
      });
      expect(results.results.map((r) => r.status)).toEqual(["success"]);
      expect(calls.filter((c) => c.startsWith("Athena")).slice(-3)).toEqual([
        probe,
        "Athena ALTER TABLE `ecommerce_silver`.`events` ADD COLUMNS (`coupon` string, `qty` int)",
        // The table's columns in its order, the new ones before the partition column.
        'Athena INSERT INTO "ecommerce_silver"."events" ("event_id", "id", "coupon", "qty", "event_date")',
      ]);
      const insert = aws.statements.at(-1)!;
      expect(insert).toContain(
        'SELECT "event_id", CAST(NULL AS bigint) AS "id", "coupon", "qty", "event_date" FROM (\n',
      );
      expect(insert).toMatch(/\) AS sluice_incoming$/);
      expect(
        aws.tables
          .get("ecommerce_silver.events")
          ?.StorageDescriptor?.Columns?.map((c) => `${c.Name} ${c.Type}`),
      ).toEqual(["event_id string", "id bigint", "coupon string", "qty int"]);
      for (const sql of aws.statements.slice(-3))
        expect(grammarErrors({ sql, grammar: grammarOf(sql) }), sql).toEqual([]);
    });

    it("append_new_columns refuses a new complex column whose element type the probe does not tell", async () => {
      const aws = new FakeAthenaLake();
      await run(aws, "r1", { select: ["model.events"], patch: withPolicy("append_new_columns") });
      aws.probeColumns = [
        ...aws.probeColumns.slice(0, 2),
        { Name: "tags", Type: "array" },
        { Name: "event_date", Type: "date" },
      ];
      const { results } = await run(aws, "r2", {
        select: ["model.events"],
        patch: withPolicy("append_new_columns", true),
      });
      expect(results.results.map((r) => r.message)).toEqual([
        "cannot add column(s) tags (array) to ecommerce_silver.events (on_schema_change='append_new_columns'): the query result does not give their element types. Add them with ALTER TABLE ... ADD COLUMNS, or run with --full-refresh",
      ]);
      expect(aws.statements.filter((s) => /^(ALTER|INSERT)/.test(s))).toEqual([]);
    });

    it("fail: stops before writing, with the column diff (Glue's string is Athena's varchar)", async () => {
      const aws = new FakeAthenaLake();
      await run(aws, "r1", { select: ["model.events"], patch: withPolicy("fail") });
      aws.probeColumns = [
        { Name: "event_id", Type: "varchar" },
        { Name: "id", Type: "varchar" },
        { Name: "coupon", Type: "varchar" },
        { Name: "event_date", Type: "date" },
      ];
      const { results, calls } = await run(aws, "r2", {
        select: ["model.events"],
        patch: withPolicy("fail", true),
      });
      expect(results.results.map((r) => `${r.status} ${r.message}`)).toEqual([
        "error the incremental model's columns differ from ecommerce_silver.events (on_schema_change='fail'): added: coupon varchar; changed: id bigint -> varchar. Run with --full-refresh or set on_schema_change",
      ]);
      expect(calls.filter((c) => c.startsWith("Athena")).at(-1)).toBe(probe);
    });

    it("fail with unchanged columns writes as usual; ignore (the default) does not even probe", async () => {
      const aws = new FakeAthenaLake();
      await run(aws, "r1", { select: ["model.events"], patch: withPolicy("fail") });
      aws.probeColumns = [
        { Name: "event_id", Type: "varchar" },
        { Name: "id", Type: "bigint" },
        { Name: "event_date", Type: "date" },
      ];
      const same = await run(aws, "r2", {
        select: ["model.events"],
        patch: withPolicy("fail", true),
      });
      expect(same.results.results.map((r) => r.status)).toEqual(["success"]);
      expect(same.calls.filter((c) => c.startsWith("Athena")).slice(-2)).toEqual([
        probe,
        'Athena INSERT INTO "ecommerce_silver"."events" ("event_id", "id", "event_date")',
      ]);
      expect(aws.statements.at(-1)).not.toContain("sluice_incoming");
      // The probe's verdict is recorded with the write: the same model again is not probed.
      const again = await run(aws, "r3", {
        select: ["model.events"],
        patch: withPolicy("fail", true),
      });
      expect(again.results.results.map((r) => r.status)).toEqual(["success"]);
      expect(again.calls.filter((c) => c === probe)).toEqual([]);
      const ignored = await run(aws, "r4", {
        select: ["model.events"],
        patch: withPolicy("ignore", true),
      });
      expect(ignored.calls.filter((c) => c === probe)).toEqual([]);
    });
  });

  it("merge on an Iceberg table: CTAS (table_type ICEBERG) + Glue swap first, then one MERGE INTO by unique_key", async () => {
    const aws = new FakeAthenaLake();
    const iceberg = (n: CompiledNode) =>
      n.id === "model.events"
        ? {
            ...n,
            incrementalStrategy: "merge" as const,
            config: { ...n.config, table_type: "iceberg" as const, unique_key: "event_id" },
          }
        : n;
    const first = await run(aws, "r1", { select: ["model.events"], patch: iceberg });
    expect(first.results.results.map((r) => r.status)).toEqual(["success"]);
    expect(first.calls).toEqual(MERGE_FIRST_CALLS);
    const ctas = aws.statements.find((sql) => sql.startsWith("CREATE TABLE"))!;
    expect(ctas).toContain(
      "table_type = 'ICEBERG',\n  is_external = false,\n  location = 's3://sluice-lake/silver/events/v_r1/'",
    );
    expect(ctas).toContain("partitioning = ARRAY['event_date']");
    expect(aws.tables.get("ecommerce_silver.events")?.Parameters?.["metadata_location"]).toBe(
      "s3://sluice-lake/silver/events/v_r1/metadata/00000-events__sluice_r1_1.metadata.json",
    );

    const { results, calls } = await run(aws, "r2", { select: ["model.events"], patch: iceberg });
    expect(results.results.map((r) => `${r.status} ${r.message}`)).toEqual([
      "success merged 10 rows",
    ]);
    // The merge moves the table's watermark and records what it was built from.
    expect(calls).toEqual([
      ...MERGE_CALLS,
      "GetTable ecommerce_silver.events",
      "UpdateTable ecommerce_silver.events -> s3://sluice-lake/silver/events/v_r1/",
    ]);
    const merge = aws.statements.at(-1)!;
    expect(merge).toMatch(
      /^MERGE INTO "ecommerce_silver"."events" AS sluice_target\nUSING \(\n[\s\S]+\n\) AS sluice_src\nON sluice_target."event_id" = sluice_src."event_id"\n/,
    );
    expect(merge).toContain(
      'WHEN MATCHED THEN UPDATE SET "id" = sluice_src."id", "event_date" = sluice_src."event_date"\n',
    );
    expect(merge).toContain(
      'WHEN NOT MATCHED THEN INSERT ("event_id", "id", "event_date") VALUES (sluice_src."event_id", sluice_src."id", sluice_src."event_date")',
    );
    for (const sql of aws.statements)
      expect(grammarErrors({ sql, grammar: grammarOf(sql) }), sql).toEqual([]);
    expect(sluiceTables(aws)).toEqual([]);

    // insert_overwrite is refused on Iceberg (its partitions are not Glue's), a Hive table cannot be merged.
    const overwrite = await run(aws, "r3", {
      select: ["model.events"],
      patch: (n) => {
        const m = iceberg(n);
        return m.id === "model.events"
          ? { ...m, incrementalStrategy: "insert_overwrite" as const }
          : m;
      },
    });
    expect(overwrite.results.results.map((r) => r.message)).toEqual([
      "incremental_strategy 'insert_overwrite' is for Hive tables; use 'merge' with a unique_key on an Iceberg table",
    ]);
  });

  it("a failure mid-publish leaves the published table as it was and drops its staging table; the next run publishes", async () => {
    const aws = new FakeAthenaLake();
    await run(aws, "r1", { select: ["model.daily_revenue"] });
    aws.failNext.set("UpdateTable", [
      Object.assign(new Error("User is not authorized to perform: glue:UpdateTable"), {
        name: "AccessDeniedException",
      }),
    ]);
    const failed = await run(aws, "r2", { select: ["model.daily_revenue"] });
    expect(failed.results.results.map((r) => `${r.status} ${r.message}`)).toEqual([
      "error User is not authorized to perform: glue:UpdateTable",
    ]);
    expect(aws.tables.get("ecommerce_marts.daily_revenue")?.StorageDescriptor?.Location).toBe(
      "s3://sluice-lake/marts/daily_revenue/v_r1/",
    );
    // The failed node's compensation: the staging table and the version it wrote are gone.
    expect(failed.calls.slice(-5)).toEqual([
      "GetTable ecommerce_marts.daily_revenue__sluice_r2_1",
      "GetTable ecommerce_marts.daily_revenue",
      "ListObjectsV2 sluice-lake/marts/daily_revenue/v_r2/",
      "DeleteObjects 1",
      "DeleteTable ecommerce_marts.daily_revenue__sluice_r2_1",
    ]);
    expect(sluiceTables(aws)).toEqual([]);
    expect(aws.keys("sluice-lake")).toEqual(["marts/daily_revenue/v_r1/data.parquet"]);

    const { results } = await run(aws, "r3", { select: ["model.daily_revenue"] });
    expect(results.results.map((r) => r.status)).toEqual(["success"]);
    expect(sluiceTables(aws)).toEqual([]);
    expect(aws.keys("sluice-lake")).toEqual(["marts/daily_revenue/v_r3/data.parquet"]);
  });

  it("a failed end-of-run cleanup fails no node; the next run removes its leftovers and keeps the published data", async () => {
    const aws = new FakeAthenaLake();
    await run(aws, "r1", { select: ["model.daily_revenue"] });
    aws.failNext.set("BatchDeleteTable", [
      Object.assign(new Error("Rate exceeded"), { name: "InternalServiceException" }),
    ]);
    aws.failNext.set("DeleteObjects", [
      Object.assign(new Error("Access Denied"), { name: "AccessDenied" }),
    ]);
    const { results } = await run(aws, "r2", { select: ["model.daily_revenue"] });
    expect(results.results.map((r) => r.status)).toEqual(["success"]);
    expect(results.cleanup?.error).toMatch(/Rate exceeded|Access Denied/);
    expect(aws.tables.get("ecommerce_marts.daily_revenue")?.StorageDescriptor?.Location).toBe(
      "s3://sluice-lake/marts/daily_revenue/v_r2/",
    );
    expect(sluiceTables(aws)).toEqual(["ecommerce_marts.daily_revenue__sluice_r2_1"]);

    const { calls } = await run(aws, "r3", { select: ["model.daily_revenue"] });
    // The leftover entry shares the published data: only its Glue entry goes.
    expect(calls.slice(0, 5)).toEqual([
      "GetTables ecommerce_marts *",
      "Athena CREATE DATABASE IF NOT EXISTS `ecommerce_marts`",
      "GetTable ecommerce_silver.order_items",
      "GetTable ecommerce_marts.daily_revenue",
      "DeleteTable ecommerce_marts.daily_revenue__sluice_r2_1",
    ]);
    expect(sluiceTables(aws)).toEqual([]);
    expect(aws.keys("sluice-lake")).toEqual(["marts/daily_revenue/v_r3/data.parquet"]);
  });

  it("cancel: an aborted run stops the running query with StopQueryExecution", async () => {
    const aws = new FakeAthenaLake();
    aws.hang = /^CREATE TABLE/;
    const abort = new AbortController();
    let polls = 0;
    const { results, calls } = await run(aws, "r1", {
      select: ["model.daily_revenue"],
      signal: abort.signal,
      sleep: () => {
        if (++polls === 2) abort.abort(new Error("interrupted (Ctrl-C)"));
      },
    });
    expect(calls).toEqual([
      "GetTables ecommerce_marts *",
      "Athena CREATE DATABASE IF NOT EXISTS `ecommerce_marts`",
      "GetTable ecommerce_silver.order_items",
      'Athena CREATE TABLE "ecommerce_marts"."daily_revenue__sluice_r1_1"',
      "StopQueryExecution",
      // The compensation: a CTAS Athena finished before the stop would have made it.
      "GetTable ecommerce_marts.daily_revenue__sluice_r1_1",
    ]);
    expect(results.results.map((r) => `${r.status} ${r.message}`)).toEqual([
      "error interrupted (Ctrl-C): cancelled",
    ]);
    expect(aws.tables.has("ecommerce_marts.daily_revenue")).toBe(false);
  }, 10_000);
});
