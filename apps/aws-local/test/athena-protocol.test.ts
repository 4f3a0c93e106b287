import { rm, writeFile } from "node:fs/promises";
import { request } from "node:http";
import path from "node:path";
import { gzipSync } from "node:zlib";
import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  GetWorkGroupCommand,
  ListWorkGroupsCommand,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { GetPartitionsCommand, GetTableCommand } from "@aws-sdk/client-glue";
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAthenaDialect } from "@sluice/dialects";
import { localAws } from "./helpers.js";

/** Athena through the real SDK v3 client: queries run on DuckDB over what Glue and S3 hold. */
describe("Athena (JSON 1.1) on athena-local", () => {
  let aws: Awaited<ReturnType<typeof localAws>>;
  const error = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (e: Error) => ({ name: e.name, message: e.message }),
    );
  const ok = async (sql: string, database = "default") => {
    const execution = await aws.query(sql, database);
    expect(execution.Status?.StateChangeReason ?? "").toBe("");
    expect(execution.Status?.State).toBe("SUCCEEDED");
    return execution;
  };
  const rows = async (sql: string) => {
    const { QueryExecutionId } = await ok(sql);
    const page = await aws.athena.send(new GetQueryResultsCommand({ QueryExecutionId }));
    return page.ResultSet!.Rows!.map((r) => r.Data!.map((d) => d.VarCharValue ?? null));
  };

  beforeAll(async () => {
    aws = await localAws();
    for (const bucket of ["results", "lake"])
      await aws.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await ok("CREATE DATABASE IF NOT EXISTS `silver` LOCATION 's3://lake/silver/'");
  });
  afterAll(async () => aws?.close());

  it("pages results with MaxResults and NextToken, the header row first", async () => {
    const { QueryExecutionId } = await ok(
      "SELECT i AS n, 'v' || CAST(i AS varchar) AS label FROM UNNEST(sequence(1, 25)) AS t(i) ORDER BY i",
    );
    const pages: string[][][] = [];
    let token: string | undefined;
    do {
      const page = await aws.athena.send(
        new GetQueryResultsCommand({ QueryExecutionId, MaxResults: 10, NextToken: token }),
      );
      pages.push(page.ResultSet!.Rows!.map((r) => r.Data!.map((d) => d.VarCharValue!)));
      if (token === undefined)
        expect(page.ResultSet!.ResultSetMetadata!.ColumnInfo!.map((c) => [c.Name, c.Type])).toEqual(
          [
            ["n", "bigint"],
            ["label", "varchar"],
          ],
        );
      token = page.NextToken;
    } while (token !== undefined);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 6]);
    expect(pages[0]![0]).toEqual(["n", "label"]);
    expect(pages[2]!.at(-1)).toEqual(["25", "v25"]);
    expect(
      await error(
        aws.athena.send(new GetQueryResultsCommand({ QueryExecutionId, MaxResults: 1001 })),
      ),
    ).toMatchObject({ name: "InvalidRequestException" });
  });

  it("fails an unknown table with TABLE_NOT_FOUND and an unknown column with COLUMN_NOT_FOUND, in Athena's error shape", async () => {
    const missing = await aws.query('SELECT * FROM "silver"."nope"');
    expect(missing.Status).toMatchObject({
      State: "FAILED",
      StateChangeReason: expect.stringMatching(/^TABLE_NOT_FOUND: /),
      AthenaError: {
        ErrorCategory: 2,
        ErrorType: 1006,
        Retryable: false,
        ErrorMessage: expect.stringMatching(/^TABLE_NOT_FOUND/),
      },
    });
    await ok(
      `CREATE TABLE "silver"."small"\nWITH (\n  format = 'PARQUET',\n  external_location = 's3://lake/silver/small/v1/'\n)\nAS\nSELECT 1 AS a`,
    );
    expect((await aws.query('SELECT b FROM "silver"."small"')).Status?.StateChangeReason).toMatch(
      /^COLUMN_NOT_FOUND: Column 'b' cannot be resolved/,
    );
    expect(
      await error(
        aws.athena.send(new GetQueryResultsCommand({ QueryExecutionId: missing.QueryExecutionId })),
      ),
    ).toEqual({
      name: "InvalidRequestException",
      message: "Query did not finish successfully. Final query state: FAILED",
    });
  });

  it("classifies statements like Athena and reports result column names in lower case", async () => {
    expect(await rows("SELECT 1 AS MixedCase")).toEqual([["mixedcase"], ["1"]]);
    const view = await ok('CREATE OR REPLACE VIEW "silver"."v" AS\nSELECT 1 AS x');
    expect([view.StatementType, view.SubstatementType]).toEqual(["DDL", "CREATE_VIEW"]);
    expect((await ok('SELECT * FROM "silver"."v"')).SubstatementType).toBe("SELECT");
    expect((await ok("DROP VIEW IF EXISTS `silver`.`v`")).SubstatementType).toBe("DROP_VIEW");
  });

  it("reads a view over a view over a view", async () => {
    await ok('CREATE VIEW "silver"."inner_v" AS SELECT 2 AS x');
    await ok('CREATE VIEW "silver"."middle_v" AS SELECT x + 1 AS y FROM "silver"."inner_v"');
    await ok('CREATE VIEW "silver"."outer_v" AS SELECT y * 10 AS z FROM "silver"."middle_v"');
    expect(await rows('SELECT z FROM "silver"."outer_v"')).toEqual([["z"], ["30"]]);
    for (const v of ["outer_v", "middle_v", "inner_v"]) await ok(`DROP VIEW "silver"."${v}"`);
  });

  it("fails statements it does not understand instead of succeeding", async () => {
    for (const sql of [
      "MSCK REPAIR TABLE silver.small",
      "SHOW TABLES IN silver",
      "OPTIMIZE silver.small REWRITE DATA USING BIN_PACK",
    ]) {
      expect((await aws.query(sql)).Status).toMatchObject({
        State: "FAILED",
        StateChangeReason: expect.stringMatching(/^NOT_SUPPORTED: /),
      });
    }
    expect(await error(aws.athena.send(new ListWorkGroupsCommand({})))).toMatchObject({
      name: "UnknownOperationException",
    });
  });

  it("fails what DuckDB runs and Athena rejects: a :: cast, DuckDB's own functions", async () => {
    expect((await aws.query("SELECT 1::int AS n")).Status).toMatchObject({
      State: "FAILED",
      StateChangeReason: expect.stringMatching(/^SYNTAX_ERROR: line 1:9: mismatched input '::'/),
    });
    expect((await aws.query("SELECT\n  strftime(now(), '%Y') AS y")).Status).toMatchObject({
      State: "FAILED",
      StateChangeReason: "FUNCTION_NOT_FOUND: line 2:3: Function 'strftime' not registered",
    });
    // Trino's spelling runs.
    expect(
      await rows("SELECT CAST(1 AS integer) AS n, date_format(now(), '%Y') <> '' AS y"),
    ).toEqual([
      ["n", "y"],
      ["1", "true"],
    ]);
  });

  it("fails a division by zero and a bad integer cast in Trino's words, where DuckDB gives NULL", async () => {
    expect((await aws.query("SELECT 1 / 0 AS n")).Status).toMatchObject({
      State: "FAILED",
      StateChangeReason: "DIVISION_BY_ZERO: Division by zero",
    });
    expect((await aws.query("SELECT CAST('1.5' AS bigint) AS n")).Status).toMatchObject({
      State: "FAILED",
      StateChangeReason: "INVALID_CAST_ARGUMENT: Cannot cast '1.5' to BIGINT",
    });
    expect(await rows("SELECT try(1 / 0) AS n")).toEqual([["n"], [null]]);
  });

  it("fails a CTAS or view whose columns Trino refuses, before writing, where DuckDB runs it", async () => {
    let version = 0;
    const ctas = (select: string) =>
      `-- model\nCREATE TABLE "silver"."cols"\nWITH (\n  external_location = 's3://lake/silver/cols/v${++version}/'\n)\nAS\n${select}`;
    for (const [select, reason] of [
      [
        "SELECT 1 AS a, count(*) FROM (VALUES (1)) t(x)",
        "MISSING_COLUMN_NAME: line 2:1: Column name not specified at position 2",
      ],
      [
        "SELECT 1 AS a, 2 AS A",
        "DUPLICATE_COLUMN_NAME: line 2:1: Column name 'a' specified more than once",
      ],
      [
        "SELECT x, x FROM (VALUES (1)) t(x)",
        "DUPLICATE_COLUMN_NAME: line 2:1: Column name 'x' specified more than once",
      ],
      [
        "SELECT * FROM (VALUES (1)) s(id) JOIN (VALUES (1)) t(id) ON true",
        "DUPLICATE_COLUMN_NAME: line 2:1: Column name 'id' specified more than once",
      ],
      [
        "SELECT *, x + 1 FROM (VALUES (1, 2)) t(x, y)",
        "MISSING_COLUMN_NAME: line 2:1: Column name not specified at position 3",
      ],
      ["SELECT NULL AS n", "COLUMN_TYPE_UNKNOWN: line 2:1: Column type is unknown: n"],
      ["SELECT 1 AS a UNION ALL SELECT 2 AS a", undefined],
      ["SELECT NULL AS n UNION ALL SELECT 'b'", undefined],
      ["SELECT x, CAST(NULL AS varchar) AS n FROM (VALUES (1)) t(x)", undefined],
    ] as const) {
      const execution = await aws.query(ctas(select));
      expect(execution.Status, select).toMatchObject(
        reason === undefined
          ? { State: "SUCCEEDED" }
          : { State: "FAILED", StateChangeReason: reason },
      );
      if (reason === undefined) await ok('DROP TABLE "silver"."cols"');
      // Nothing written, no table: a retry after the fix starts clean.
      else
        expect(
          await error(aws.glue.send(new GetTableCommand({ DatabaseName: "silver", Name: "cols" }))),
        ).toMatchObject({ name: "EntityNotFoundException" });
    }
    expect(
      (await aws.query('CREATE VIEW "silver"."cols_v" AS SELECT 1 AS a, 1 + 1')).Status,
    ).toMatchObject({
      State: "FAILED",
      StateChangeReason: "MISSING_COLUMN_NAME: line 1:1: Column name not specified at position 2",
    });
  });

  it("reads no file outside its buckets, whatever a query asks (Athena has no file functions)", async () => {
    // A file of this machine, outside the buckets' folder: its bytes must not come back.
    const outside = path.join(path.dirname(aws.dir), `aws-local-outside-${process.pid}.txt`);
    await writeFile(outside, "TOP-SECRET-BYTES\n");
    try {
      for (const sql of [
        `SELECT * FROM read_text('${outside}')`,
        `SELECT content FROM read_blob('${outside}')`,
        `SELECT * FROM read_csv('${outside}')`,
        `SELECT * FROM '${outside}'`,
        `SELECT * FROM read_text('${aws.dir}/../${path.basename(outside)}')`,
      ]) {
        const execution = await aws.query(sql);
        expect(execution.Status?.State, sql).toBe("FAILED");
        expect(execution.Status?.StateChangeReason, sql).not.toContain("TOP-SECRET-BYTES");
      }
    } finally {
      await rm(outside, { force: true });
    }
  });

  it("refuses a request naming another host (DNS rebinding), control requests too", async () => {
    // node:http, not fetch: a browser (and undici) sets Host itself, as a rebound page's does.
    const send = (pathname: string, method: string, headers: Record<string, string>) =>
      new Promise<{ status: number; text: string }>((resolve, reject) => {
        const req = request(`${aws.local.url}${pathname}`, { method, headers }, (res) => {
          let text = "";
          res.on("data", (c: Buffer) => (text += c.toString()));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
        });
        req.on("error", reject);
        req.end(method === "POST" ? "{}" : undefined);
      });
    const rebound = { host: "rebound.example:80" };
    for (const [pathname, method, headers] of [
      ["/", "POST", { ...rebound, "x-amz-target": "AmazonAthena.ListWorkGroups" }],
      ["/_aws-local/calls/log", "GET", rebound],
      ["/lake/", "GET", rebound],
    ] as const) {
      const reply = await send(pathname, method, headers);
      expect(reply.status, pathname).toBe(403);
      expect(reply.text).toContain("host not allowed: rebound.example:80");
    }
    // Its own names answer.
    const port = new URL(aws.local.url).port;
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`])
      expect((await send("/_aws-local/calls", "GET", { host })).status, host).toBe(200);
  });

  it("CTAS writes Hive-partitioned Parquet, registers table and partitions in Glue, writes a data manifest; INSERT adds files and partitions", async () => {
    const ctas = await ok(
      `CREATE TABLE "silver"."orders"\nWITH (\n  format = 'PARQUET',\n  write_compression = 'ZSTD',\n  external_location = 's3://lake/silver/orders/v1/',\n  partitioned_by = ARRAY['d']\n)\nAS\n` +
        `SELECT i AS id, i * 1.5 AS amount, CAST(date_add('day', i % 3, DATE '2026-01-01') AS date) AS d FROM UNNEST(sequence(1, 9)) AS t(i)`,
      "silver",
    );
    expect(ctas).toMatchObject({
      StatementType: "DDL",
      SubstatementType: "CREATE_TABLE_AS_SELECT",
    });
    const created = await aws.athena.send(
      new GetQueryResultsCommand({ QueryExecutionId: ctas.QueryExecutionId }),
    );
    expect(created.UpdateCount).toBe(9);
    const table = (
      await aws.glue.send(new GetTableCommand({ DatabaseName: "silver", Name: "orders" }))
    ).Table!;
    expect(table.StorageDescriptor?.Columns?.map((c) => `${c.Name}:${c.Type}`)).toEqual([
      "id:bigint",
      "amount:decimal(21,1)",
    ]);
    expect(table.PartitionKeys?.map((c) => `${c.Name}:${c.Type}`)).toEqual(["d:date"]);
    const parts = await aws.glue.send(
      new GetPartitionsCommand({ DatabaseName: "silver", TableName: "orders" }),
    );
    expect(parts.Partitions?.map((p) => p.StorageDescriptor?.Location).sort()).toEqual(
      [1, 2, 3].map((n) => `s3://lake/silver/orders/v1/d=2026-01-0${n}`),
    );

    const manifest = /^s3:\/\/results\/(.+)$/.exec(ctas.Statistics!.DataManifestLocation!)![1]!;
    const listed = (
      await (
        await aws.s3.send(new GetObjectCommand({ Bucket: "results", Key: manifest }))
      ).Body!.transformToString()
    )
      .trim()
      .split("\n");
    const objects = await aws.s3.send(
      new ListObjectsV2Command({ Bucket: "lake", Prefix: "silver/orders/v1/" }),
    );
    expect(listed.sort()).toEqual(objects.Contents!.map((o) => `s3://lake/${o.Key}`).sort());
    expect(listed).toHaveLength(3);

    await ok(`INSERT INTO "silver"."orders"\nSELECT 10, 15.0, DATE '2026-01-04'`);
    expect(
      await rows(
        'SELECT d, count(*) AS n, sum(amount) AS total FROM "silver"."orders" GROUP BY d ORDER BY d',
      ),
    ).toEqual([
      ["d", "n", "total"],
      ["2026-01-01", "3", "27.0"],
      ["2026-01-02", "3", "18.0"],
      ["2026-01-03", "3", "22.5"],
      ["2026-01-04", "1", "15.0"],
    ]);
    const scanned = await ok('SELECT count(*) FROM "silver"."orders"');
    expect(scanned.Statistics?.DataScannedInBytes).toBeGreaterThan(0);
  });

  it("reads only the partitions Glue lists", async () => {
    await ok(
      `CREATE TABLE "silver"."p"\nWITH (\n  external_location = 's3://lake/silver/p/v1/',\n  partitioned_by = ARRAY['k']\n)\nAS\nSELECT 1 AS x, 'a' AS k UNION ALL SELECT 2, 'b'`,
    );
    await ok("DROP TABLE IF EXISTS `silver`.`p`");
    expect((await aws.query('SELECT * FROM "silver"."p"')).Status?.StateChangeReason).toMatch(
      /^TABLE_NOT_FOUND/,
    );
    // The files are still there (Athena never deletes data): a new CTAS at that location fails.
    const again = await aws.query(
      `CREATE TABLE "silver"."p"\nWITH (\n  external_location = 's3://lake/silver/p/v1/'\n)\nAS\nSELECT 1 AS x`,
    );
    expect(again.Status).toMatchObject({
      State: "FAILED",
      StateChangeReason: expect.stringMatching(
        /^HIVE_PATH_ALREADY_EXISTS: Target directory for table 'silver.p' already exists: s3:\/\/lake\/silver\/p\/v1\//,
      ),
    });
  });

  it("gives a failed write (here an injected one) a data manifest, empty because nothing reached the bucket", async () => {
    await ok(
      `CREATE TABLE "silver"."target"\nWITH (\n  external_location = 's3://lake/silver/target/v1/'\n)\nAS\nSELECT 1 AS x`,
    );
    aws.local.faults.set({
      queries: [{ match: "^INSERT INTO", athenaError: "HIVE_BAD_DATA", message: "injected" }],
    });
    const failed = await aws.query('INSERT INTO "silver"."target"\nSELECT 2');
    expect(failed.Status).toMatchObject({
      State: "FAILED",
      StateChangeReason: "HIVE_BAD_DATA: injected",
      AthenaError: { ErrorCategory: 2, ErrorType: 1001 },
    });
    const key = /^s3:\/\/results\/(.+-manifest\.csv)$/.exec(
      failed.Statistics?.DataManifestLocation ?? "",
    )?.[1];
    expect(key).toBe(`q/${failed.QueryExecutionId}-manifest.csv`);
    expect(
      await (
        await aws.s3.send(new GetObjectCommand({ Bucket: "results", Key: key }))
      ).Body!.transformToString(),
    ).toBe("");
    expect(await rows('SELECT x FROM "silver"."target"')).toEqual([["x"], ["1"]]);
  });

  it("inserts only through Trino's implicit coercions (TYPE_MISMATCH otherwise; NULL fits any column)", async () => {
    await ok(
      `CREATE TABLE "silver"."typed"\nWITH (\n  external_location = 's3://lake/silver/typed/v1/'\n)\nAS\nSELECT CAST(1 AS bigint) AS n, 'a' AS s`,
    );
    expect(
      (await aws.query(`INSERT INTO "silver"."typed"\nSELECT 'x', 'b'`)).Status?.StateChangeReason,
    ).toBe(
      "TYPE_MISMATCH: Insert query has mismatched column types: Table: [bigint, string], Query: [string, string]",
    );
    await ok(`INSERT INTO "silver"."typed"\nSELECT 2, NULL`);
    await ok(`INSERT INTO "silver"."typed"\nSELECT CAST(3 AS tinyint), 'c'`);
    expect(await rows('SELECT n, s FROM "silver"."typed" ORDER BY n')).toEqual([
      ["n", "s"],
      ["1", "a"],
      ["2", null],
      ["3", "c"],
    ]);
  });

  it("inserts into the columns an INSERT names (by position, the others NULL); unknown or repeated names fail like Trino", async () => {
    await ok(
      `CREATE TABLE "silver"."listed"\nWITH (\n  external_location = 's3://lake/silver/listed/v1/'\n)\nAS\nSELECT CAST(1 AS bigint) AS n, 'a' AS s`,
    );
    await ok(`INSERT INTO "silver"."listed" ("s", "n")\nSELECT 'b', 2`);
    await ok(`INSERT INTO "silver"."listed" (n)\n(SELECT 3)`);
    expect(await rows('SELECT n, s FROM "silver"."listed" ORDER BY n')).toEqual([
      ["n", "s"],
      ["1", "a"],
      ["2", "b"],
      ["3", null],
    ]);
    expect(
      (await aws.query(`INSERT INTO "silver"."listed" ("n", "nope")\nSELECT 4, 'd'`)).Status
        ?.StateChangeReason,
    ).toBe("COLUMN_NOT_FOUND: Insert column name does not exist in target table: nope");
    expect(
      (await aws.query(`INSERT INTO "silver"."listed" ("n", "N")\nSELECT 4, 5`)).Status
        ?.StateChangeReason,
    ).toBe("DUPLICATE_COLUMN_NAME: Insert column name is specified more than once: n");
  });

  it("fails a write of more than 100 partitions with HIVE_TOO_MANY_OPEN_PARTITIONS", async () => {
    const failed = await aws.query(
      `CREATE TABLE "silver"."wide"\nWITH (\n  external_location = 's3://lake/silver/wide/v1/',\n  partitioned_by = ARRAY['k']\n)\nAS\nSELECT i AS x, i AS k FROM UNNEST(sequence(1, 101)) AS t(i)`,
    );
    expect(failed.Status?.StateChangeReason).toMatch(
      /^HIVE_TOO_MANY_OPEN_PARTITIONS: Exceeded limit of 100 open writers/,
    );
    expect(
      (await aws.s3.send(new ListObjectsV2Command({ Bucket: "lake", Prefix: "silver/wide/" })))
        .KeyCount,
    ).toBe(0);
  });

  it("reads the raw TEXTFILE table through partition projection on dt, gzip included", async () => {
    await ok(
      "CREATE EXTERNAL TABLE IF NOT EXISTS `silver`.`raw` (`line` string)\nPARTITIONED BY (`dt` string)\nROW FORMAT DELIMITED FIELDS TERMINATED BY '\\001'\nSTORED AS TEXTFILE\nLOCATION 's3://lake/raw/events/'\n" +
        "TBLPROPERTIES (\n  'projection.enabled' = 'true',\n  'projection.dt.type' = 'date',\n  'projection.dt.format' = 'yyyy/MM/dd/HH',\n  'projection.dt.range' = '2026/01/01/00,NOW',\n  'projection.dt.interval' = '1',\n  'projection.dt.interval.unit' = 'HOURS',\n  'storage.location.template' = 's3://lake/raw/events/${dt}/'\n)",
    );
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: "lake",
        Key: "raw/events/2026/01/01/05/a.gz",
        Body: gzipSync('{"a":1}\n{"a":2}\n'),
      }),
    );
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: "lake",
        Key: "raw/events/2026/01/01/06/b",
        Body: "not json\n",
      }),
    );
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: "lake",
        Key: "raw/events/2025/12/31/23/before-range",
        Body: "old\n",
      }),
    );
    expect(await rows('SELECT dt, line FROM "silver"."raw" ORDER BY dt, line')).toEqual([
      ["dt", "line"],
      ["2026/01/01/05", '{"a":1}'],
      ["2026/01/01/05", '{"a":2}'],
      ["2026/01/01/06", "not json"],
    ]);
  });

  it("reads a raw line longer than DuckDB's 2 MB default whole (lines up to 64 MiB)", async () => {
    // The `silver`.`raw` table of the test above; an hour of its own.
    const line = `{"pad":"${"x".repeat(3_000_000)}"}`;
    await aws.s3.send(
      new PutObjectCommand({
        Bucket: "lake",
        Key: "raw/events/2026/01/01/07/long.gz",
        Body: gzipSync(`${line}\n{"a":3}\n`),
      }),
    );
    expect(
      await rows(
        `SELECT length(line) AS n FROM "silver"."raw" WHERE dt = '2026/01/01/07' ORDER BY n`,
      ),
    ).toEqual([["n"], ["7"], [String(line.length)]]);
  });

  it("reads a raw table partitioned by event type through its enum and date projections", async () => {
    const [ddl] = createAthenaDialect().rawSource({
      relation: { schema: "silver", name: "raw_by_type" },
      location: "s3://lake/raw/typed",
      projectionStart: "2026/01/01/00",
      eventTypes: ["product_view", "order_paid"],
    });
    await ok(ddl!.sql);
    const put = (Key: string, Body: Buffer | string) =>
      aws.s3.send(new PutObjectCommand({ Bucket: "lake", Key, Body }));
    await put("raw/typed/event_type=order_paid/2026/01/01/05/a.gz", gzipSync('{"a":1}\n{"a":2}\n'));
    await put("raw/typed/event_type=product_view/2026/01/01/06/b", '{"v":1}\n');
    // Not in the enum, before the range, in flight: none of them is read.
    await put("raw/typed/event_type=refund/2026/01/01/05/c", '{"r":1}\n');
    await put("raw/typed/event_type=order_paid/2025/12/31/23/old", "old\n");
    await put("raw/typed/event_type=order_paid/2026/01/01/05/.tmp", "partial\n");
    expect(
      await rows('SELECT event_type, dt, line FROM "silver"."raw_by_type" ORDER BY dt, line'),
    ).toEqual([
      ["event_type", "dt", "line"],
      ["order_paid", "2026/01/01/05", '{"a":1}'],
      ["order_paid", "2026/01/01/05", '{"a":2}'],
      ["product_view", "2026/01/01/06", '{"v":1}'],
    ]);
    expect(
      await rows(
        `SELECT count(*) AS n FROM "silver"."raw_by_type" WHERE event_type = 'product_view'`,
      ),
    ).toEqual([["n"], ["1"]]);

    // Bytes scanned: only the partitions the query reads, as Athena reports with projection.
    const paid = gzipSync('{"a":1}\n{"a":2}\n').length;
    const view = '{"v":1}\n'.length;
    const scanned = async (sql: string) =>
      (await ok(sql)).Statistics?.DataScannedInBytes ?? Number.NaN;
    expect(await scanned('SELECT count(*) FROM "silver"."raw_by_type"')).toBe(paid + view);
    expect(
      await scanned(
        `SELECT count(*) FROM "silver"."raw_by_type" WHERE event_type = 'product_view'`,
      ),
    ).toBe(view);
    expect(
      await scanned(
        `SELECT line FROM "silver"."raw_by_type" WHERE event_type IN ('order_paid', 'refund')`,
      ),
    ).toBe(paid);
    // A date filter prunes too: no order_paid object from 06 on.
    expect(
      await scanned(
        `SELECT line FROM "silver"."raw_by_type" WHERE event_type = 'order_paid' AND dt >= '2026/01/01/06'`,
      ),
    ).toBe(0);
    // A predicate on the data, not the partitions: every partition is read.
    expect(await scanned(`SELECT count(*) FROM "silver"."raw_by_type" WHERE line LIKE '%v%'`)).toBe(
      paid + view,
    );
  });

  it("moves a query QUEUED → RUNNING → SUCCEEDED over the latency; a stalled query is CANCELLED by StopQueryExecution", async () => {
    // QUEUED for a quarter of the latency, then RUNNING: 2 s leaves the checks room on a busy
    // machine (at 300 ms, three calls did not fit in the 75 ms QUEUED window under load).
    const LATENCY_MS = 2_000;
    const slow = await localAws({ latencyMs: LATENCY_MS });
    try {
      await slow.s3.send(new CreateBucketCommand({ Bucket: "results" }));
      const start = (sql: string) =>
        slow.athena.send(
          new StartQueryExecutionCommand({
            QueryString: sql,
            ResultConfiguration: { OutputLocation: "s3://results/" },
            ClientRequestToken: sql.padEnd(40, "-"),
          }),
        );
      const state = async (id: string) =>
        (await slow.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id })))
          .QueryExecution!.Status!.State;
      /** Wait until `ms` after `since`. */
      const until = (since: number, ms: number) =>
        new Promise((resolve) => setTimeout(resolve, Math.max(0, since + ms - Date.now())));
      /** Poll until the query leaves QUEUED/RUNNING (at most 30 s). */
      const settled = async (id: string) => {
        for (let i = 0; i < 300; i++) {
          const now = await state(id);
          if (now !== "QUEUED" && now !== "RUNNING") return now;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return state(id);
      };
      const started = Date.now();
      const { QueryExecutionId } = await start("SELECT 1");
      expect(await state(QueryExecutionId!)).toBe("QUEUED");
      expect((await start("SELECT 1")).QueryExecutionId).toBe(QueryExecutionId); // same ClientRequestToken
      expect(
        await error(slow.athena.send(new GetQueryResultsCommand({ QueryExecutionId }))),
      ).toMatchObject({ message: "Query has not yet finished. Current state: QUEUED" });
      await until(started, LATENCY_MS / 4 + 250);
      expect(await state(QueryExecutionId!)).toBe("RUNNING");
      // Final once the latency has passed and the statement has run (later on a busy machine).
      expect(await settled(QueryExecutionId!)).toBe("SUCCEEDED");
      expect(Date.now() - started).toBeGreaterThanOrEqual(LATENCY_MS);

      slow.local.faults.set({
        queries: [
          { match: "stall me", stall: true },
          {
            match: "fail me",
            athenaError: "ICEBERG_COMMIT_ERROR",
            errorType: 233,
            retryable: true,
          },
        ],
      });
      const stalledAt = Date.now();
      const stalled = (await start("SELECT 'stall me'")).QueryExecutionId!;
      await until(stalledAt, LATENCY_MS / 4 + 250);
      expect(await state(stalled)).toBe("RUNNING");
      await slow.athena.send(new StopQueryExecutionCommand({ QueryExecutionId: stalled }));
      expect(await state(stalled)).toBe("CANCELLED");
      const failing = (await start("SELECT 'fail me'")).QueryExecutionId!;
      await settled(failing);
      const failed = (
        await slow.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: failing }))
      ).QueryExecution!.Status!;
      expect(failed).toMatchObject({
        State: "FAILED",
        AthenaError: { ErrorCategory: 1, ErrorType: 233, Retryable: true },
        StateChangeReason: expect.stringMatching(/^ICEBERG_COMMIT_ERROR/),
      });
    } finally {
      await slow.close();
    }
  });

  it("answers GetWorkGroup with engine version 3; a fault throttles StartQueryExecution", async () => {
    const { WorkGroup } = await aws.athena.send(new GetWorkGroupCommand({ WorkGroup: "sluice" }));
    expect(WorkGroup).toMatchObject({
      Name: "sluice",
      State: "ENABLED",
      Configuration: { EngineVersion: { EffectiveEngineVersion: "Athena engine version 3" } },
    });
    aws.local.faults.set({ calls: [{ api: "Athena.StartQueryExecution", kind: "throttle" }] });
    expect(await error(aws.query("SELECT 1"))).toMatchObject({ name: "TooManyRequestsException" });
    await ok("SELECT 1");
  });
});
