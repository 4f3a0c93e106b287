import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { GetQueryResultsCommand } from "@aws-sdk/client-athena";
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import { DuckDBInstance } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FileColumnsMemo } from "../src/file-columns-memo.js";
import { localAws } from "./helpers.js";

describe("FileColumnsMemo", () => {
  it("describes a file list once per stamp, and again when a file's stamp changes", async () => {
    const memo = new FileColumnsMemo();
    let described = 0;
    const describe = (columns: string[]) => async () => (described++, columns);
    expect(await memo.columns("['a.parquet']", "10@1", describe(["x"]))).toEqual(["x"]);
    expect(await memo.columns("['a.parquet']", "10@1", describe(["other"]))).toEqual(["x"]);
    expect(described).toBe(1);
    // The same path written again (another size or time): described afresh.
    expect(await memo.columns("['a.parquet']", "12@2", describe(["x", "y"]))).toEqual(["x", "y"]);
    expect(await memo.columns("['b.parquet']", "10@1", describe(["z"]))).toEqual(["z"]);
    expect(described).toBe(3);
  });

  it("keeps no failure: a list that failed is described again", async () => {
    const memo = new FileColumnsMemo();
    const failing = async (): Promise<string[]> => {
      throw new Error("not a Parquet file");
    };
    await expect(memo.columns("['bad']", "1@1", failing)).rejects.toThrow("not a Parquet file");
    expect(await memo.columns("['bad']", "1@1", async () => ["x"])).toEqual(["x"]);
  });

  it("starts again empty past its limit", async () => {
    const memo = new FileColumnsMemo(2);
    let described = 0;
    const describe = async () => (described++, ["x"]);
    for (const list of ["a", "b", "c", "a"]) await memo.columns(list, "1@1", describe);
    // a, b described; c clears the memo (limit 2) and is kept; a is described again.
    expect(described).toBe(4);
  });
});

/** The memo seen through Athena: a Parquet file replaced in place is read with its new columns. */
describe("athena-local reads a Parquet file written again under the same key", () => {
  let aws: Awaited<ReturnType<typeof localAws>>;
  let scratch: string;
  const rows = async (sql: string) => {
    const execution = await aws.query(sql, "silver");
    expect(execution.Status?.StateChangeReason ?? "").toBe("");
    const page = await aws.athena.send(
      new GetQueryResultsCommand({ QueryExecutionId: execution.QueryExecutionId }),
    );
    return page.ResultSet!.Rows!.map((r) => r.Data!.map((d) => d.VarCharValue ?? null));
  };

  beforeAll(async () => {
    aws = await localAws();
    scratch = await mkdtemp(path.join(tmpdir(), "aws-local-parquet-"));
    for (const bucket of ["results", "lake"])
      await aws.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await rows("CREATE DATABASE IF NOT EXISTS `silver` LOCATION 's3://lake/silver/'");
  });
  afterAll(async () => {
    await aws?.close();
    await rm(scratch, { recursive: true, force: true });
  });

  it("a column the new file has reads its values, not NULL", async () => {
    await rows(
      `CREATE TABLE "silver"."swap"\nWITH (\n  format = 'PARQUET',\n  external_location = 's3://lake/silver/swap/'\n)\nAS\nSELECT 1 AS x`,
    );
    expect(await rows('SELECT x FROM "silver"."swap"')).toEqual([["x"], ["1"]]);
    await rows("ALTER TABLE silver.swap ADD COLUMNS (y string)");
    // Described (and remembered) while the file has no `y`: it reads as NULL.
    expect(await rows('SELECT x, y FROM "silver"."swap"')).toEqual([
      ["x", "y"],
      ["1", null],
    ]);
    const listed = await aws.s3.send(
      new ListObjectsV2Command({ Bucket: "lake", Prefix: "silver/swap/" }),
    );
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    expect(keys).toHaveLength(1);
    // The same key, now a file with `y` (another size and modification time).
    const file = path.join(scratch, "swap.parquet");
    const db = await DuckDBInstance.create(":memory:");
    const conn = await db.connect();
    await conn.run(`COPY (SELECT 2 AS x, 'new' AS y) TO '${file}' (FORMAT parquet)`);
    conn.closeSync();
    db.closeSync();
    await aws.s3.send(
      new PutObjectCommand({ Bucket: "lake", Key: keys[0]!, Body: await readFile(file) }),
    );
    expect(await rows('SELECT x, y FROM "silver"."swap"')).toEqual([
      ["x", "y"],
      ["2", "new"],
    ]);
  });
});
