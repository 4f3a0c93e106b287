import { describe, expect, it } from "vitest";
import type { Partition } from "@aws-sdk/client-glue";
import type { AthenaTarget } from "@sluice/project";
import { FakeAws } from "../../test/fake-aws.js";
import { openAthenaEngine } from "./athena-engine.js";

const target = {
  engine: "athena",
  region: "eu-west-1",
  workgroup: "sluice",
  s3_staging_dir: "s3://results/",
  s3_lake_root: "s3://lake",
  databases: {},
  threads: 1,
} satisfies AthenaTarget;
const db = "ecommerce_silver";
const orders = { schema: db, name: "orders" };
const staging = { schema: db, name: "orders__sluice_v2" };
const keys = [{ Name: "event_date", Type: "string" }];

const table = (name: string, location: string, partitionKeys = keys) => ({
  Name: name,
  TableType: "EXTERNAL_TABLE",
  Parameters: { classification: "parquet" },
  PartitionKeys: partitionKeys,
  StorageDescriptor: { Location: location, Columns: [{ Name: "id", Type: "bigint" }] },
});
const day = (i: number) => `2024-${String(1 + Math.floor(i / 28)).padStart(2, "0")}-${String(1 + (i % 28)).padStart(2, "0")}`;
const partitions = (version: string, from: number, to: number): Partition[] =>
  Array.from({ length: to - from }, (_, k) => ({
    Values: [day(from + k)],
    StorageDescriptor: { Location: `s3://lake/silver/orders/${version}/event_date=${day(from + k)}/` },
  }));

async function setup() {
  const aws = new FakeAws();
  const engine = await openAthenaEngine({ target, clients: aws.clients, sleep: async () => {}, random: () => 0 });
  return { aws, engine };
}

describe("publishTable", () => {
  it("swaps an unpartitioned table with three Glue calls", async () => {
    const { aws, engine } = await setup();
    aws.putTable(db, table("orders", "s3://lake/silver/orders/v1/", []));
    aws.putTable(db, table("orders__sluice_v2", "s3://lake/silver/orders/v2/", []));

    const result = await engine.publishTable(staging, orders);

    expect(aws.commands()).toEqual(["GetTable", "UpdateTable", "DeleteTable"]);
    expect(aws.calls[1]?.input).toMatchObject({ DatabaseName: db, SkipArchive: true, TableInput: { Name: "orders" } });
    expect(aws.tables.get(`${db}.orders`)?.StorageDescriptor?.Location).toBe("s3://lake/silver/orders/v2/");
    expect(aws.tables.has(`${db}.orders__sluice_v2`)).toBe(false);
    expect(result).toEqual({ location: "s3://lake/silver/orders/v2/", created: false, partitions: { created: 0, updated: 0, deleted: 0 } });
  });

  it("creates the table on the first publish", async () => {
    const { aws, engine } = await setup();
    aws.putTable(db, table("orders__sluice_v2", "s3://lake/silver/orders/v2/", []));
    const result = await engine.publishTable(staging, orders);
    expect(aws.commands()).toEqual(["GetTable", "UpdateTable", "CreateTable", "DeleteTable"]);
    expect(result.created).toBe(true);
    expect(aws.tables.get(`${db}.orders`)?.StorageDescriptor?.Location).toBe("s3://lake/silver/orders/v2/");
  });

  it("repoints, creates and deletes partitions within Glue's batch limits", async () => {
    const { aws, engine } = await setup();
    aws.putTable(db, table("orders", "s3://lake/silver/orders/v1/"), partitions("v1", 0, 60));
    aws.putTable(db, table("orders__sluice_v2", "s3://lake/silver/orders/v2/"), partitions("v2", 50, 300));

    const result = await engine.publishTable(staging, orders);

    expect(result.partitions).toEqual({ updated: 10, created: 240, deleted: 50 });
    expect(aws.calls.map((c) => `${c.command}${batchSize(c.input)}`)).toEqual([
      "GetTable",
      "GetPartitions", // target's partitions, read before the swap
      "UpdateTable",
      "GetPartitions", // staging's partitions
      "BatchUpdatePartition(10)",
      "BatchCreatePartition(100)",
      "BatchCreatePartition(100)",
      "BatchCreatePartition(40)",
      "BatchDeletePartition(25)",
      "BatchDeletePartition(25)",
      "DeleteTable",
    ]);
    const published = aws.partitions.get(`${db}.orders`) ?? [];
    expect(published).toHaveLength(250);
    expect(published.every((p) => p.StorageDescriptor?.Location?.startsWith("s3://lake/silver/orders/v2/"))).toBe(true);
  });

  it("leaves the staging entry behind when a batch fails, and a re-run completes", async () => {
    const { aws, engine } = await setup();
    aws.putTable(db, table("orders", "s3://lake/silver/orders/v1/"), partitions("v1", 0, 5));
    aws.putTable(db, table("orders__sluice_v2", "s3://lake/silver/orders/v2/"), partitions("v2", 0, 150));
    aws.respond.set("BatchCreatePartition", () => ({
      Errors: [{ PartitionValues: ["x"], ErrorDetail: { ErrorCode: "InternalServiceException", ErrorMessage: "Internal error" } }],
    }));

    await expect(engine.publishTable(staging, orders)).rejects.toThrow(
      "Glue BatchCreatePartition on ecommerce_silver.orders failed for 1 partition(s): Internal error",
    );
    expect(aws.tables.has(`${db}.orders__sluice_v2`)).toBe(true);

    aws.respond.delete("BatchCreatePartition");
    const result = await engine.publishTable(staging, orders);
    expect(result.partitions).toEqual({ updated: 5, created: 145, deleted: 0 });
    expect(aws.tables.has(`${db}.orders__sluice_v2`)).toBe(false);
  });

  it("the fake enforces Glue's limits", async () => {
    const { aws } = await setup();
    aws.putTable(db, table("orders", "s3://lake/x/"));
    const send = aws.clients.glue.send as (command: unknown) => Promise<unknown>;
    const { BatchDeletePartitionCommand } = await import("@aws-sdk/client-glue");
    await expect(
      send(new BatchDeletePartitionCommand({ DatabaseName: db, TableName: "orders", PartitionsToDelete: partitions("v1", 0, 26).map((p) => ({ Values: p.Values ?? [] })) })),
    ).rejects.toThrow("less than or equal to 25");
  });
});

describe("removeStaleLocations", () => {
  it("deletes every other version under the table root in 1,000-key pages", async () => {
    const { aws, engine } = await setup();
    const old = Array.from({ length: 2_500 }, (_, i) => `silver/orders/v1/event_date=${day(i % 300)}/part-${i}.parquet`);
    const kept = ["silver/orders/v2/event_date=2024-01-01/part-0.parquet", "silver/orders/v2/event_date=2024-01-02/part-1.parquet"];
    const others = ["silver/orders_daily/v1/part-0.parquet", "silver/orders_v2/part-0.parquet", "raw/events/2024/01/01/00/x.gz"];
    aws.putObjects("lake", [...old, ...kept, ...others]);

    await engine.removeStaleLocations(orders, "s3://lake/silver/orders/v2");

    expect(aws.calls.map((c) => `${c.command}${c.command === "DeleteObjects" ? `(${c.input.Delete.Objects.length})` : ""}`)).toEqual([
      "ListObjectsV2",
      "DeleteObjects(1000)",
      "ListObjectsV2",
      "DeleteObjects(1000)",
      "ListObjectsV2",
      "DeleteObjects(500)",
    ]);
    expect(aws.calls.filter((c) => c.command === "ListObjectsV2").map((c) => c.input.Prefix)).toEqual(Array(3).fill("silver/orders/"));
    expect([...(aws.objects.get("lake") ?? [])].sort()).toEqual([...others, ...kept].sort());
  });

  it("refuses a location whose parent is not the table's folder", async () => {
    const { aws, engine } = await setup();
    aws.putObjects("lake", ["silver/orders/part-0.parquet", "silver/customers/part-0.parquet"]);
    await expect(engine.removeStaleLocations(orders, "s3://lake/silver/orders/")).rejects.toThrow("refusing to clean");
    expect(aws.calls).toEqual([]);
  });
});

function batchSize(input: Record<string, unknown>): string {
  const list = input.PartitionInputList ?? input.PartitionsToDelete ?? input.Entries;
  return Array.isArray(list) ? `(${list.length})` : "";
}
