import {
  BatchCreatePartitionCommand,
  BatchDeletePartitionCommand,
  CreateDatabaseCommand,
  CreateDataQualityRulesetCommand,
  CreateTableCommand,
  GetDataQualityRulesetCommand,
  GetPartitionsCommand,
  GetTableCommand,
  GetTablesCommand,
  GetTableVersionsCommand,
  UpdateDataQualityRulesetCommand,
  UpdateTableCommand,
  type TableInput,
} from "@aws-sdk/client-glue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localAws } from "./helpers.js";

/** Glue through the real SDK v3 client: what sluice relies on, shaped like AWS's answers. */
describe("Glue (JSON 1.1) on athena-local", () => {
  let aws: Awaited<ReturnType<typeof localAws>>;
  const table = (name: string, keys = ["d"]): TableInput => ({
    Name: name,
    TableType: "EXTERNAL_TABLE",
    PartitionKeys: keys.map((k) => ({ Name: k, Type: "string" })),
    StorageDescriptor: {
      Columns: [{ Name: "x", Type: "bigint" }],
      Location: `s3://lake/db/${name}`,
    },
  });
  const error = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (e: Error & { $metadata?: { httpStatusCode?: number } }) => ({
        name: e.name,
        message: e.message,
        status: e.$metadata?.httpStatusCode,
      }),
    );

  beforeAll(async () => {
    aws = await localAws();
    await aws.glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "db" } }));
  });
  afterAll(async () => aws?.close());

  it("refuses documentation Glue refuses: a comment over 255 characters or with a line break, a description over 2,048", async () => {
    const documented = (comment: string, description = "ok"): TableInput => {
      const t = table("documented");
      return {
        ...t,
        Description: description,
        StorageDescriptor: {
          ...t.StorageDescriptor,
          Columns: [{ Name: "x", Type: "bigint", Comment: comment }],
        },
      };
    };
    const create = (input: TableInput) =>
      error(aws.glue.send(new CreateTableCommand({ DatabaseName: "db", TableInput: input })));
    expect(await create(documented("c".repeat(256)))).toEqual({
      name: "ValidationException",
      message:
        "1 validation error detected: Value at 'tableInput.storageDescriptor.columns.1.member.comment' failed to satisfy constraint: Member must have length less than or equal to 255",
      status: 400,
    });
    expect(await create(documented("two\nlines"))).toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining(
        "'tableInput.storageDescriptor.columns.1.member.comment' failed to satisfy constraint: Member must satisfy regular expression pattern",
      ),
    });
    expect(await create(documented("ok", "d".repeat(2049)))).toMatchObject({
      name: "ValidationException",
      message: expect.stringContaining("'tableInput.description'"),
    });
    // At the limits, with a line break in the description: accepted, and kept as given.
    expect(
      await create(documented("c".repeat(255), `two\nlines${"d".repeat(2039)}`)),
    ).toBeUndefined();
    const kept = await aws.glue.send(
      new GetTableCommand({ DatabaseName: "db", Name: "documented" }),
    );
    expect(kept.Table?.StorageDescriptor?.Columns?.[0]?.Comment).toBe("c".repeat(255));
    expect(kept.Table?.Description).toHaveLength(2048);
  });

  it("answers a missing database or table with EntityNotFoundException and a duplicate with AlreadyExistsException", async () => {
    expect(
      await error(aws.glue.send(new GetTableCommand({ DatabaseName: "db", Name: "nope" }))),
    ).toEqual({ name: "EntityNotFoundException", message: "Table nope not found.", status: 400 });
    expect(
      await error(
        aws.glue.send(new CreateTableCommand({ DatabaseName: "nodb", TableInput: table("t") })),
      ),
    ).toMatchObject({ name: "EntityNotFoundException", message: "Database nodb not found." });
    expect(
      await error(aws.glue.send(new CreateDatabaseCommand({ DatabaseInput: { Name: "DB" } }))),
    ).toMatchObject({ name: "AlreadyExistsException" });
  });

  it("pages GetTables with NextToken and MaxResults, and filters by Expression", async () => {
    for (const name of ["p1", "p2", "p3", "p4", "p5"])
      await aws.glue.send(new CreateTableCommand({ DatabaseName: "db", TableInput: table(name) }));
    const names: string[] = [];
    const pages: number[] = [];
    let token: string | undefined;
    do {
      const page = await aws.glue.send(
        new GetTablesCommand({
          DatabaseName: "db",
          Expression: "p*",
          MaxResults: 2,
          NextToken: token,
        }),
      );
      names.push(...(page.TableList ?? []).map((t) => t.Name!));
      pages.push(page.TableList?.length ?? 0);
      token = page.NextToken;
    } while (token !== undefined);
    expect(names).toEqual(["p1", "p2", "p3", "p4", "p5"]);
    expect(pages).toEqual([2, 2, 1]);
    expect(
      await error(aws.glue.send(new GetTablesCommand({ DatabaseName: "db", MaxResults: 101 }))),
    ).toMatchObject({ name: "ValidationException" });
  });

  it("versions tables: UpdateTable with a stale VersionId is a ConcurrentModificationException", async () => {
    await aws.glue.send(
      new CreateTableCommand({ DatabaseName: "db", TableInput: table("versioned") }),
    );
    const v0 = (await aws.glue.send(new GetTableCommand({ DatabaseName: "db", Name: "versioned" })))
      .Table!.VersionId!;
    await aws.glue.send(
      new UpdateTableCommand({ DatabaseName: "db", TableInput: table("versioned"), VersionId: v0 }),
    );
    const v1 = (await aws.glue.send(new GetTableCommand({ DatabaseName: "db", Name: "versioned" })))
      .Table!.VersionId!;
    expect(Number(v1)).toBe(Number(v0) + 1);
    expect(
      await error(
        aws.glue.send(
          new UpdateTableCommand({
            DatabaseName: "db",
            TableInput: table("versioned"),
            VersionId: v0,
          }),
        ),
      ),
    ).toMatchObject({
      name: "ConcurrentModificationException",
    });
  });

  it("enforces batch limits (create 100, delete 25) and reports per-entry Errors", async () => {
    await aws.glue.send(new CreateTableCommand({ DatabaseName: "db", TableInput: table("parts") }));
    const inputs = (n: number, from = 0) =>
      Array.from({ length: n }, (_, i) => ({
        Values: [String(from + i)],
        StorageDescriptor: { Location: `s3://lake/db/parts/d=${from + i}/` },
      }));
    expect(
      await error(
        aws.glue.send(
          new BatchCreatePartitionCommand({
            DatabaseName: "db",
            TableName: "parts",
            PartitionInputList: inputs(101),
          }),
        ),
      ),
    ).toMatchObject({ name: "ValidationException" });
    expect(
      (
        await aws.glue.send(
          new BatchCreatePartitionCommand({
            DatabaseName: "db",
            TableName: "parts",
            PartitionInputList: inputs(100),
          }),
        )
      ).Errors,
    ).toEqual([]);
    const again = await aws.glue.send(
      new BatchCreatePartitionCommand({
        DatabaseName: "db",
        TableName: "parts",
        PartitionInputList: inputs(2, 99),
      }),
    );
    expect(again.Errors).toEqual([
      {
        PartitionValues: ["99"],
        ErrorDetail: {
          ErrorCode: "AlreadyExistsException",
          ErrorMessage: "Partition already exists.",
        },
      },
    ]);

    const toDelete = (n: number, from = 0) =>
      Array.from({ length: n }, (_, i) => ({ Values: [String(from + i)] }));
    expect(
      await error(
        aws.glue.send(
          new BatchDeletePartitionCommand({
            DatabaseName: "db",
            TableName: "parts",
            PartitionsToDelete: toDelete(26),
          }),
        ),
      ),
    ).toMatchObject({ name: "ValidationException" });
    const deleted = await aws.glue.send(
      new BatchDeletePartitionCommand({
        DatabaseName: "db",
        TableName: "parts",
        PartitionsToDelete: [...toDelete(24), { Values: ["nope"] }],
      }),
    );
    expect(deleted.Errors).toEqual([
      {
        PartitionValues: ["nope"],
        ErrorDetail: {
          ErrorCode: "EntityNotFoundException",
          ErrorMessage: "Cannot find partition.",
        },
      },
    ]);

    const left: string[] = [];
    let token: string | undefined;
    do {
      const page = await aws.glue.send(
        new GetPartitionsCommand({
          DatabaseName: "db",
          TableName: "parts",
          MaxResults: 30,
          NextToken: token,
        }),
      );
      left.push(...(page.Partitions ?? []).map((p) => p.Values![0]!));
      token = page.NextToken;
    } while (token !== undefined);
    expect(left).toHaveLength(101 - 24);
    const filtered = await aws.glue.send(
      new GetPartitionsCommand({
        DatabaseName: "db",
        TableName: "parts",
        Expression: "d = '30' OR (d='31')",
      }),
    );
    expect(filtered.Partitions?.map((p) => p.Values)).toEqual([["30"], ["31"]]);
    expect(
      await error(
        aws.glue.send(
          new GetPartitionsCommand({
            DatabaseName: "db",
            TableName: "parts",
            Expression: "d > '3'",
          }),
        ),
      ),
    ).toMatchObject({ name: "InvalidInputException" });
  });

  it("keeps Data Quality rulesets", async () => {
    await aws.glue.send(
      new CreateDataQualityRulesetCommand({
        Name: "rs",
        Ruleset: "Rules = [ RowCount > 0 ]",
        TargetTable: { DatabaseName: "db", TableName: "parts" },
      }),
    );
    expect(
      await error(
        aws.glue.send(
          new CreateDataQualityRulesetCommand({ Name: "rs", Ruleset: "Rules = [ RowCount > 0 ]" }),
        ),
      ),
    ).toMatchObject({ name: "AlreadyExistsException" });
    await aws.glue.send(
      new UpdateDataQualityRulesetCommand({ Name: "rs", Ruleset: "Rules = [ RowCount > 1 ]" }),
    );
    const got = await aws.glue.send(new GetDataQualityRulesetCommand({ Name: "rs" }));
    expect(got).toMatchObject({
      Name: "rs",
      Ruleset: "Rules = [ RowCount > 1 ]",
      TargetTable: { DatabaseName: "db", TableName: "parts" },
    });
    expect(
      await error(aws.glue.send(new GetDataQualityRulesetCommand({ Name: "none" }))),
    ).toMatchObject({ name: "EntityNotFoundException" });
  });

  it("rejects an unknown operation and an unsupported parameter instead of answering them", async () => {
    expect(
      await error(
        aws.glue.send(new GetTableVersionsCommand({ DatabaseName: "db", TableName: "parts" })),
      ),
    ).toMatchObject({
      name: "UnknownOperationException",
      message: "aws-local does not implement AWSGlue.GetTableVersions",
    });
    const response = await fetch(aws.local.url, {
      method: "POST",
      headers: { "X-Amz-Target": "AWSGlue.GetTable", "Content-Type": "application/x-amz-json-1.1" },
      body: JSON.stringify({ DatabaseName: "db", Name: "parts", QueryAsOfTime: 1 }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      __type: "InvalidInputException",
      Message: "aws-local does not support the parameter(s) QueryAsOfTime",
    });
  });

  it("throttles the Nth call of an API when told to", async () => {
    aws.local.faults.set({ calls: [{ api: "Glue.GetTable", nth: 2, kind: "throttle" }] });
    const get = () =>
      error(aws.glue.send(new GetTableCommand({ DatabaseName: "db", Name: "parts" })));
    expect(await get()).toBeUndefined();
    expect(await get()).toMatchObject({ name: "ThrottlingException", status: 400 });
    expect(await get()).toBeUndefined();
  });
});
