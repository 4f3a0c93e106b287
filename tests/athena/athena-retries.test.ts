import { mkdir, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { AthenaClient } from "@aws-sdk/client-athena";
import { GlueClient } from "@aws-sdk/client-glue";
import { S3Client } from "@aws-sdk/client-s3";
import { startAthenaLocal, type AthenaLocal } from "@sluice/aws-local";
import { openAthenaEngineWith, QueryError, type AthenaEngine } from "@sluice/engines";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

/**
 * Retries of the Athena engine against `sluice athena-local` through the real SDK v3 clients
 * (with the SDK's own retries off, so what retries is sluice): throttling, query failures Athena
 * marks Retryable, Glue's ConcurrentModificationException, and StopQueryExecution.
 */
describe("Athena engine retries, on the athena-local endpoint", () => {
  let root: string;
  let local: AthenaLocal;
  let engine: AthenaEngine;
  let log: string[] = [];
  /** Commands the engine sent, in order (`Athena.StartQueryExecution`, `Glue.GetTable`...). */
  let sent: string[] = [];

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), "sluice-retries-"));
    await mkdir(path.join(root, "lake"));
    await mkdir(path.join(root, "results"));
    local = await startAthenaLocal({ dir: root, latencyMs: 0 });
    const config = {
      region: "eu-west-1",
      endpoint: local.url,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
      maxAttempts: 1,
    };
    const recorded = <C extends { send: (...a: never[]) => Promise<unknown> }>(
      service: string,
      client: C,
    ): C => {
      const send = client.send.bind(client) as (command: object) => Promise<unknown>;
      return Object.assign(Object.create(client) as C, {
        send: (command: object) => {
          sent.push(`${service}.${command.constructor.name.replace(/Command$/, "")}`);
          return send(command);
        },
      });
    };
    engine = await openAthenaEngineWith({
      target: {
        engine: "athena",
        region: "eu-west-1",
        workgroup: "primary",
        s3_staging_dir: "s3://results/q/",
        s3_lake_root: "s3://lake",
        databases: { silver: "db" },
        threads: 1,
      },
      clients: {
        athena: recorded("Athena", new AthenaClient(config)),
        glue: recorded("Glue", new GlueClient(config)),
        s3: recorded("S3", new S3Client({ ...config, forcePathStyle: true })),
      },
      sleep: async () => {},
      log: (line) => log.push(line),
    });
    await engine.execute("CREATE DATABASE IF NOT EXISTS db");
    await engine.execute(
      "CREATE TABLE db.t WITH (format = 'PARQUET', external_location = 's3://lake/t/v1/') AS SELECT 1 AS x",
    );
  }, 60_000);

  beforeEach(() => {
    local.faults.clear();
    log = [];
    sent = [];
  });

  afterAll(async () => {
    await engine?.close();
    await local?.close();
    if (root) await rm(root, { recursive: true, force: true });
  });

  const count = (api: string) => sent.filter((s) => s === api).length;

  it("retries throttled calls (Athena TooManyRequestsException) with backoff, and logs each retry", async () => {
    local.faults.set({ calls: [{ api: "Athena.GetQueryExecution", kind: "throttle", times: 2 }] });
    const { rows } = await engine.execute("SELECT 7 AS n");
    expect(rows).toEqual([{ n: 7 }]);
    expect(count("Athena.StartQueryExecution")).toBe(1);
    expect(log).toHaveLength(2);
    expect(log[0]).toMatch(/^retry 1\/7 in \d+ ms: TooManyRequestsException/);
  });

  it("runs a SELECT again when Athena fails it as Retryable, and not when it is not", async () => {
    local.faults.set({
      queries: [
        { match: "SELECT 42", athenaError: "GENERIC_INTERNAL_ERROR", retryable: true, times: 2 },
      ],
    });
    expect((await engine.execute("SELECT 42 AS n")).rows).toEqual([{ n: 42 }]);
    expect(count("Athena.StartQueryExecution")).toBe(3);
    expect(log).toHaveLength(2);
    expect(log[0]).toMatch(/GENERIC_INTERNAL_ERROR/);

    sent = [];
    log = [];
    local.faults.set({ queries: [{ match: "SELECT 43", athenaError: "HIVE_BAD_DATA" }] });
    const failed = await engine.execute("SELECT 43 AS n").catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(QueryError);
    expect((failed as QueryError).details.engineMessage).toMatch(/^HIVE_BAD_DATA/);
    expect((failed as QueryError).details.retryable).toBeUndefined();
    expect(count("Athena.StartQueryExecution")).toBe(1);
    expect(log).toEqual([]);
  });

  it("does not run a CTAS again (its partial output must go first): the error says retryable", async () => {
    local.faults.set({
      queries: [{ match: "CREATE TABLE db.u", athenaError: "ICEBERG_COMMIT_ERROR", times: 5 }],
    });
    const failed = await engine
      .execute(
        "CREATE TABLE db.u WITH (format = 'PARQUET', external_location = 's3://lake/u/v1/') AS SELECT 1 AS x",
      )
      .catch((e: unknown) => e);
    expect((failed as QueryError).details.retryable).toBe(true);
    expect(count("Athena.StartQueryExecution")).toBe(1);
  });

  it("re-reads the table when Glue answers ConcurrentModificationException to UpdateTable", async () => {
    local.faults.set({
      calls: [{ api: "Glue.UpdateTable", error: "ConcurrentModificationException" }],
    });
    await engine.setTableParameters({ schema: "db", name: "t" }, { note: "x" });
    expect(sent).toEqual([
      "Glue.GetTable",
      "Glue.UpdateTable",
      "Glue.GetTable",
      "Glue.UpdateTable",
    ]);
    expect(local.glue.findTable("db", "t")?.Parameters?.["note"]).toBe("x");
    expect(log).toHaveLength(1);
    expect(log[0]).toMatch(/ConcurrentModificationException/);
  });

  it("after StopQueryExecution, polls until the query is CANCELLED before failing", async () => {
    local.faults.set({ queries: [{ match: "SELECT 99", stall: true }] });
    const abort = new AbortController();
    const running = engine.execute("SELECT 99 AS n", { signal: abort.signal });
    await new Promise((r) => setTimeout(r, 300));
    abort.abort();
    const failed = await running.catch((e: unknown) => e);
    expect((failed as QueryError).details.engineMessage).toBe("cancelled");
    const stop = sent.indexOf("Athena.StopQueryExecution");
    expect(stop).toBeGreaterThan(0);
    expect(sent.slice(stop + 1)).toContain("Athena.GetQueryExecution");
  });
});
