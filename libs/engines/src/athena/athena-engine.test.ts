import { describe, expect, it } from "vitest";
import { QueryError } from "../engine.js";
import { awsError, FakeAws, fakeAthenaTarget } from "../../test/fake-aws.js";
import { openAthenaEngine } from "./athena-engine.js";
import { pollDelay } from "./query-runner.js";

const target = fakeAthenaTarget();

async function setup(
  options: { onSleep?: (ms: number, count: number) => void; pollInterval?: number } = {},
) {
  const aws = new FakeAws();
  const sleeps: number[] = [];
  let clock = 0;
  let tokens = 0;
  const engine = await openAthenaEngine({
    target:
      options.pollInterval === undefined
        ? target
        : { ...target, poll_interval: options.pollInterval },
    clients: aws.clients,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
      options.onSleep?.(ms, sleeps.length);
    },
    now: () => clock,
    random: () => 0.5,
    token: () => `token-${++tokens}`.padEnd(32, "0"),
  });
  return { aws, engine, sleeps };
}

describe("execute", () => {
  it("starts, polls adaptively, pages the results and converts values", async () => {
    const { aws, engine, sleeps } = await setup();
    aws.scripts.push({
      states: ["QUEUED", "RUNNING", "RUNNING", "SUCCEEDED"],
      substatementType: "SELECT",
      statistics: { DataScannedInBytes: 10_485_760, EngineExecutionTimeInMillis: 812 },
      columns: [
        { Name: "id", Type: "bigint" },
        { Name: "amount", Type: "decimal" },
        { Name: "ok", Type: "boolean" },
        { Name: "at", Type: "timestamp" },
        { Name: "country", Type: "varchar" },
      ],
      rows: [
        ["1", "12.50", "true", "2024-01-02 03:04:05.067", "FR"],
        ["9007199254740993", "0.1", "false", null, "id"],
        ["3", null, null, "2024-01-02 00:00:00.000", null],
      ],
      pageSize: 2,
    });

    const result = await engine.execute("select * from t", { label: "model.silver.orders" });

    expect(result.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      "id:bigint",
      "amount:decimal",
      "ok:boolean",
      "at:timestamp",
      "country:varchar",
    ]);
    expect(result.rows).toEqual([
      { id: 1, amount: 12.5, ok: true, at: "2024-01-02T03:04:05.067", country: "FR" },
      { id: 9007199254740993n, amount: 0.1, ok: false, at: null, country: "id" },
      { id: 3, amount: null, ok: null, at: "2024-01-02T00:00:00.000", country: null },
    ]);
    expect(result.stats).toEqual({
      elapsedMs: 300,
      queryId: "q-1",
      bytesScanned: 10_485_760,
      engineMs: 812,
      rowsAffected: undefined,
      billedBytes: 10_485_760,
    });
    expect(sleeps).toEqual([100, 100, 100]);
    expect(aws.commands()).toEqual([
      "StartQueryExecution",
      "GetQueryExecution",
      "GetQueryExecution",
      "GetQueryExecution",
      "GetQueryExecution",
      "GetQueryResults",
      "GetQueryResults",
    ]);
    expect(aws.calls[0]?.input).toEqual({
      QueryString: "select * from t",
      ClientRequestToken: "token-10000000000000000000000000",
      WorkGroup: "sluice",
      QueryExecutionContext: { Catalog: "AwsDataCatalog", Database: "ecommerce_silver" },
      ResultConfiguration: { OutputLocation: "s3://results/sluice/" },
    });
    expect(
      aws.calls.filter((c) => c.command === "GetQueryResults").map((c) => c.input.NextToken),
    ).toEqual([undefined, "2"]);
  });

  it("polls every 100 ms for 2 s, then every 5% of the elapsed time, capped at 2 s", async () => {
    const { aws, engine, sleeps } = await setup();
    aws.scripts.push({
      states: [...Array<"RUNNING">(24).fill("RUNNING"), "SUCCEEDED"],
      statementType: "DDL",
    });
    await engine.execute("create database x");
    expect(sleeps.slice(0, 21)).toEqual(Array(21).fill(100));
    expect(sleeps.slice(21)).toEqual([105, 110.25, 115.7625]);
    expect([0, 2_000, 10_000, 39_000, 40_000, 600_000].map((t) => pollDelay(t))).toEqual([
      100, 100, 500, 1_950, 2_000, 2_000,
    ]);
    expect(aws.commands()).not.toContain("GetQueryResults");
  });

  it("poll_interval sets the least wait: 0.005 s polls a fast endpoint every 5 ms, 5 s every 5 s", async () => {
    const fast = await setup({ pollInterval: 0.005 });
    fast.aws.scripts.push({
      states: [...Array<"RUNNING">(3).fill("RUNNING"), "SUCCEEDED"],
      statementType: "DDL",
    });
    await fast.engine.execute("create database x");
    expect(fast.sleeps).toEqual([5, 5, 5]);
    // The backoff still applies: 5% of the elapsed time, at most 2 s, never under 5 ms.
    expect([0, 100, 200, 10_000, 600_000].map((t) => pollDelay(t, 5))).toEqual([
      5, 5, 10, 500, 2_000,
    ]);

    const slow = await setup({ pollInterval: 5 });
    slow.aws.scripts.push({ states: ["RUNNING", "RUNNING", "SUCCEEDED"], statementType: "DDL" });
    await slow.engine.execute("create database x");
    expect(slow.sleeps).toEqual([5_000, 5_000]);
  });

  it("reports rows written by a CTAS from UpdateCount", async () => {
    const { aws, engine } = await setup();
    aws.scripts.push({
      states: ["SUCCEEDED"],
      statementType: "DDL",
      substatementType: "CREATE_TABLE_AS_SELECT",
      updateCount: 42,
    });
    const result = await engine.execute("create table x as select 1");
    expect(result.rows).toEqual([]);
    expect(result.stats.rowsAffected).toBe(42);
  });

  it("raises a QueryError with label, query id and Athena's message on FAILED, without retrying", async () => {
    const { aws, engine } = await setup();
    aws.scripts.push({
      states: ["RUNNING", "FAILED"],
      stateChangeReason: "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved",
      athenaError: {
        ErrorCategory: 2,
        ErrorType: 1006,
        ErrorMessage: "COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved",
      },
    });
    const error = await engine
      .execute("select nope", { label: "model.silver.orders" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).message).toBe(
      "model.silver.orders failed (Athena query q-1): COLUMN_NOT_FOUND: line 1:8: Column 'nope' cannot be resolved [ErrorType 1006]",
    );
    expect((error as QueryError).details).toMatchObject({
      sql: "select nope",
      label: "model.silver.orders",
      queryId: "q-1",
    });
    expect(aws.commands().filter((c) => c === "StartQueryExecution")).toHaveLength(1);
  });

  it("retries throttling with jittered backoff, reusing the idempotency token", async () => {
    const { aws, engine, sleeps } = await setup();
    aws.failNext.set("StartQueryExecution", [
      awsError("TooManyRequestsException", "CONCURRENT_QUERY_LIMIT_EXCEEDED"),
      awsError("ThrottlingException", "Rate exceeded"),
    ]);
    aws.failNext.set("GetQueryExecution", [awsError("ThrottlingException", "Rate exceeded")]);
    aws.scripts.push({ states: ["SUCCEEDED"], statementType: "DDL" });
    await engine.execute("create database x");
    const starts = aws.calls.filter((c) => c.command === "StartQueryExecution");
    expect(starts.map((c) => c.input.ClientRequestToken)).toEqual(
      Array(3).fill("token-10000000000000000000000000"),
    );
    // random() = 0.5: half of 200·2^attempt
    expect(sleeps).toEqual([100, 200, 100]);
    expect(aws.commands()).toEqual([
      "StartQueryExecution",
      "StartQueryExecution",
      "StartQueryExecution",
      "GetQueryExecution",
      "GetQueryExecution",
    ]);
  });

  it("does not retry other errors", async () => {
    const { aws, engine } = await setup();
    aws.failNext.set("StartQueryExecution", [
      awsError("InvalidRequestException", "Queries of this type are not supported"),
    ]);
    await expect(engine.execute("vacuum x", { label: "model.x" })).rejects.toThrow(
      "model.x failed: Queries of this type are not supported",
    );
    expect(aws.commands()).toEqual(["StartQueryExecution"]);
  });

  it("stops the query when the signal fires", async () => {
    const controller = new AbortController();
    const { aws, engine } = await setup({
      onSleep: (_ms, count) => count === 2 && controller.abort(),
    });
    aws.scripts.push({ states: ["RUNNING"] });
    const error = await engine
      .execute("select 1", { signal: controller.signal, label: "model.x" })
      .catch((e: unknown) => e);
    expect((error as QueryError).details.engineMessage).toBe("cancelled");
    expect(aws.commands()).toEqual([
      "StartQueryExecution",
      "GetQueryExecution",
      "GetQueryExecution",
      "StopQueryExecution",
      // Until CANCELLED: only then is the query's data manifest final.
      "GetQueryExecution",
    ]);
    expect(aws.calls.at(-2)?.input).toEqual({ QueryExecutionId: "q-1" });
  });

  it("says so when the query had already SUCCEEDED as the stop arrived", async () => {
    const controller = new AbortController();
    const { aws, engine } = await setup({
      onSleep: (_ms, count) => count === 1 && controller.abort(),
    });
    aws.scripts.push({ states: ["RUNNING", "SUCCEEDED"], statementType: "DDL" });
    const error = await engine
      .execute("create table t as select 1", { signal: controller.signal, label: "model.x" })
      .catch((e: unknown) => e);
    expect((error as QueryError).message).toBe(
      "model.x failed (Athena query q-1): cancelled after Athena had finished it (SUCCEEDED): what it wrote stays until undone",
    );
    expect(aws.commands()).toEqual([
      "StartQueryExecution",
      "GetQueryExecution",
      "StopQueryExecution",
      "GetQueryExecution",
    ]);
  });

  it("does not start a query when already aborted", async () => {
    const { aws, engine } = await setup();
    await expect(engine.execute("select 1", { signal: AbortSignal.abort() })).rejects.toThrow(
      QueryError,
    );
    expect(aws.calls).toEqual([]);
  });
});

describe("describeRelation", () => {
  it("reads the location, kind and columns from Glue", async () => {
    const { aws, engine } = await setup();
    aws.putTable("ecommerce_silver", {
      Name: "orders",
      TableType: "EXTERNAL_TABLE",
      StorageDescriptor: {
        Location: "s3://lake/silver/orders/v2/",
        Columns: [{ Name: "id", Type: "bigint" }],
      },
      PartitionKeys: [{ Name: "event_date", Type: "date" }],
    });
    aws.putTable("ecommerce_silver", { Name: "v", TableType: "VIRTUAL_VIEW" });
    expect(await engine.describeRelation({ schema: "ecommerce_silver", name: "orders" })).toEqual({
      exists: true,
      kind: "table",
      location: "s3://lake/silver/orders/v2/",
      columns: [
        { name: "id", type: "bigint" },
        { name: "event_date", type: "date" },
      ],
    });
    expect((await engine.describeRelation({ schema: "ecommerce_silver", name: "v" })).kind).toBe(
      "view",
    );
    expect(await engine.describeRelation({ schema: "ecommerce_silver", name: "missing" })).toEqual({
      exists: false,
    });
  });
});

describe("prefetchTables: the run's table listing overlaps its CREATE DATABASE", () => {
  const orders = { schema: "ecommerce_silver", name: "orders" };
  it("one GetTables per database, started at once, answers each table's first read", async () => {
    const { aws, engine } = await setup();
    aws.putTable("ecommerce_silver", {
      Name: "orders",
      TableType: "EXTERNAL_TABLE",
      StorageDescriptor: { Location: "s3://lake/silver/orders/v1/", Columns: [] },
    });
    engine.prefetchTables(["ecommerce_silver", "ecommerce_marts"]);
    // Sent before anything waits for it.
    expect(aws.commands()).toEqual(["GetTables", "GetTables"]);
    const info = await engine.describeRelation(orders, { written: true });
    const missing = await engine.describeRelation(
      { schema: "ecommerce_marts", name: "funnel" },
      { written: true },
    );
    expect(info).toMatchObject({ exists: true, location: "s3://lake/silver/orders/v1/" });
    expect(missing.exists).toBe(false);
    expect(aws.commands()).toEqual(["GetTables", "GetTables"]);
  });

  it("a database not created yet lists as empty; any other failure reaches the first read's caller", async () => {
    const { aws, engine } = await setup();
    aws.databases.add("ecommerce_marts"); // only this one exists
    engine.prefetchTables(["ecommerce_silver"]);
    const info = await engine.describeRelation(orders, { written: true });
    expect(info.exists).toBe(false);
    expect(aws.commands()).toEqual(["GetTables"]);

    const denied = await setup();
    denied.aws.failNext.set("GetTables", [awsError("AccessDeniedException", "no glue:GetTables")]);
    denied.engine.prefetchTables(["ecommerce_silver"]);
    // The staging sweep reads the same listing and reports its failure.
    await expect(
      denied.engine.dropStagingTables(orders, "__sluice_", "orders__sluice_r1"),
    ).rejects.toThrow(/no glue:GetTables/);
  });
});
