import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grammarErrors } from "../support/sql-grammar.js";
import {
  athenaLocalProject,
  athenaRows,
  awsCall,
  callLog,
  fillRawZone,
} from "../support/athena-local.js";

type Project = Awaited<ReturnType<typeof athenaLocalProject>>;

const TABLE = "ecommerce_silver.test_sync";

/**
 * The model: `columns` between event_id and dt, a Hive Parquet table whose raw hours from the
 * newest one written on are rewritten (no lookback: the older hours keep their files).
 */
const model = (columns: string): string =>
  "{{ config(materialized='incremental', incremental_strategy='insert_overwrite', partitioned_by=['dt'], lookback=0, on_schema_change='sync_all_columns') }}\n" +
  `select event_id, ${columns}, dt from {{ ref('stg_events') }} where reject_reason is null\n` +
  "{% if is_incremental() %} and dt >= sluice_incremental_from() {% endif %}\n";

/**
 * on_schema_change='sync_all_columns' on Athena, through the real CLI and SDK against `sluice
 * athena-local`, as dbt-athena does it on a Hive table: the model drops a column, adds one and
 * widens one; the build probes, runs ALTER TABLE ... REPLACE COLUMNS (Hive has no DROP COLUMN)
 * and writes. The endpoint rejects what Athena rejects (REPLACE COLUMNS on Iceberg, with a date
 * column).
 */
describe("sync_all_columns on athena-local: a dropped, an added and a widened column", () => {
  let p: Project;
  const alters: string[] = [];
  let columns: string[] = [];
  let counts: string[][] = [];
  let staged: string[][] = [];
  let narrowed = { code: 0, output: "" };

  const build = async (hour: string, seed: number) => {
    const raw = await fillRawZone(p, { events: 60, start: hour, hours: 1, seed });
    expect(raw.code, raw.stderr).toBe(0);
    return p.sluice("build", "--target", "prod", "--select", "+test_sync");
  };

  beforeAll(async () => {
    p = await athenaLocalProject({ latencyMs: 0 });
    const file = path.join(p.dir, "silver/test_sync.sql");
    await writeFile(
      file,
      model("event_type, 'gone' as dropped_col, cast(length(event_id) as integer) as n"),
    );
    const first = await build("2026-11-27T00:00:00Z", 41);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    await writeFile(
      file,
      model("event_type, cast(length(event_id) as bigint) as n, upper(event_type) as added_col"),
    );
    await callLog(p.endpoint.url, true);
    const synced = await build("2026-11-27T01:00:00Z", 42);
    expect(synced.code, synced.stdout + synced.stderr).toBe(0);
    // The statements the endpoint ran, by the ids its call log lists.
    for (const call of await callLog(p.endpoint.url, true)) {
      if (call.queryId === undefined) continue;
      const { body: q } = await awsCall<{ QueryExecution: { Query: string } }>(
        p.endpoint.url,
        "AmazonAthena.GetQueryExecution",
        { QueryExecutionId: call.queryId },
      );
      if (/^\s*ALTER TABLE/i.test(q.QueryExecution.Query))
        alters.push(q.QueryExecution.Query.trim());
    }
    const { body } = await awsCall<{
      Table: {
        StorageDescriptor: { Columns: { Name: string; Type: string }[] };
        PartitionKeys: { Name: string; Type: string }[];
      };
    }>(p.endpoint.url, "AWSGlue.GetTable", { DatabaseName: "ecommerce_silver", Name: "test_sync" });
    columns = [...body.Table.StorageDescriptor.Columns, ...body.Table.PartitionKeys].map(
      (c) => `${c.Name} ${c.Type}`,
    );
    counts = await athenaRows(
      p.endpoint.url,
      "SELECT dt, count(*), count(event_type), count(added_col), " +
        "count_if(n <> length(event_id)), count_if(added_col <> upper(event_type)) " +
        `FROM ${TABLE} GROUP BY dt ORDER BY dt`,
    );
    staged = await athenaRows(
      p.endpoint.url,
      "SELECT dt, count(*) FROM ecommerce_staging.stg_events WHERE reject_reason IS NULL " +
        "GROUP BY dt ORDER BY dt",
    );
    await writeFile(
      file,
      model("event_type, cast(length(event_id) as varchar) as n, upper(event_type) as added_col"),
    );
    const refused = await build("2026-11-27T02:00:00Z", 43);
    narrowed = { code: refused.code, output: refused.stdout + refused.stderr };
  }, 600_000);

  afterAll(async () => {
    await p?.cleanup();
  });

  it("runs one ALTER TABLE ... REPLACE COLUMNS that parses as HiveSQL", () => {
    expect(alters).toEqual([
      "ALTER TABLE `ecommerce_silver`.`test_sync` REPLACE COLUMNS (`event_id` string, `event_type` string, `n` bigint, `added_col` string)",
    ]);
    expect(grammarErrors({ sql: alters[0]!, grammar: "hive" })).toEqual([]);
  });

  it("leaves the table with exactly the model's columns; old rows keep their values", async () => {
    expect(columns).toEqual([
      "event_id string",
      "event_type string",
      "n bigint",
      "added_col string",
      "dt string",
    ]);
    // Rows per raw hour as staged (counted apart): the first hour, not rewritten, has no
    // added_col (NULL) and its old values; the rewritten newest one has it on every row.
    expect(counts.map(([dt, rows]) => [dt, rows])).toEqual(staged);
    expect(counts).toHaveLength(2);
    const [
      [, oldRows, oldTypes, oldAdded, oldBadN],
      [, newRows, newTypes, newAdded, newBadN, bad],
    ] = counts as [string[], string[]];
    expect(Number(oldRows)).toBeGreaterThan(0);
    expect([oldTypes, oldAdded, oldBadN]).toEqual([oldRows, "0", "0"]);
    expect(Number(newRows)).toBeGreaterThan(0);
    expect([newTypes, newAdded, newBadN, bad]).toEqual([newRows, newRows, "0", "0"]);
    await expect(athenaRows(p.endpoint.url, `SELECT dropped_col FROM ${TABLE}`)).rejects.toThrow(
      /dropped_col/,
    );
  });

  it("refuses a type Athena cannot read the old files as, naming the column and the fix", () => {
    expect(narrowed.code, narrowed.output).toBe(1);
    expect(narrowed.output).toMatch(
      /cannot change the type of n bigint -> varchar in ecommerce_silver\.test_sync \(on_schema_change='sync_all_columns'\).*--full-refresh/,
    );
  });

  it("the endpoint rejects REPLACE COLUMNS as Athena does: on Iceberg, with a date column", async () => {
    await athenaRows(
      p.endpoint.url,
      "CREATE TABLE ecommerce_silver.sync_ice WITH (table_type = 'ICEBERG', is_external = false, " +
        "location = 's3://sluice-lake/sync_ice/') AS SELECT 1 AS a, 'x' AS b",
    );
    await expect(
      athenaRows(p.endpoint.url, "ALTER TABLE ecommerce_silver.sync_ice REPLACE COLUMNS (a int)"),
    ).rejects.toThrow(/REPLACE COLUMNS is not supported for Iceberg tables/);
    await expect(
      athenaRows(
        p.endpoint.url,
        `ALTER TABLE ${TABLE} REPLACE COLUMNS (event_id string, day date)`,
      ),
    ).rejects.toThrow(/does not support columns of type date/);
    await expect(
      athenaRows(p.endpoint.url, `ALTER TABLE ${TABLE} DROP COLUMN event_type`),
    ).rejects.toThrow(/FAILED/);
  });
});
