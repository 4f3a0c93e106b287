import { describe, expect, it } from "vitest";
import type { Partition } from "@aws-sdk/client-glue";
import { testAthenaTarget } from "../../test/athena-target.js";
import { awsError, FakeAws } from "../../test/fake-aws.js";
import { openAthenaEngine } from "./athena-engine.js";

const target = testAthenaTarget;
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
const day = (i: number) =>
  `2024-${String(1 + Math.floor(i / 28)).padStart(2, "0")}-${String(1 + (i % 28)).padStart(2, "0")}`;
const partitions = (version: string, from: number, to: number): Partition[] =>
  Array.from({ length: to - from }, (_, k) => ({
    Values: [day(from + k)],
    StorageDescriptor: {
      Location: `s3://lake/silver/orders/${version}/event_date=${day(from + k)}/`,
    },
  }));

/**
 * The staging table a CTAS wrote: its Glue entry and partitions, and its objects (one file per
 * partition folder, as the publish lists them).
 */
function putStaging(aws: FakeAws, written: Partition[]): void {
  aws.putTable(db, table("orders__sluice_v2", "s3://lake/silver/orders/v2/"), written);
  aws.putObjects(
    "lake",
    written.map((p) => `${p.StorageDescriptor!.Location!.slice("s3://lake/".length)}q_0.parquet`),
  );
}

async function setup() {
  const aws = new FakeAws();
  const engine = await openAthenaEngine({
    target,
    clients: aws.clients,
    sleep: async () => {},
    random: () => 0,
  });
  return { aws, engine };
}

describe("publishTable", () => {
  it("swaps an unpartitioned table with three Glue calls, keeping the old location for versions_to_keep", async () => {
    const { aws, engine } = await setup();
    aws.putTable(db, table("orders", "s3://lake/silver/orders/v1/", []));
    aws.putTable(db, table("orders__sluice_v2", "s3://lake/silver/orders/v2/", []));

    const result = await engine.publishTable(staging, orders);

    // Staging and target read together: the target's location becomes the retained version.
    expect(aws.commands()).toEqual(["GetTables", "UpdateTable", "DeleteTable"]);
    expect(aws.calls[1]?.input).toMatchObject({
      DatabaseName: db,
      SkipArchive: true,
      TableInput: {
        Name: "orders",
        Parameters: { sluice_retired_locations: '[["s3://lake/silver/orders/v1/"]]' },
      },
    });
    expect(aws.tables.get(`${db}.orders`)?.StorageDescriptor?.Location).toBe(
      "s3://lake/silver/orders/v2/",
    );
    expect(aws.tables.has(`${db}.orders__sluice_v2`)).toBe(false);
    expect(result).toEqual({
      location: "s3://lake/silver/orders/v2/",
      created: false,
      partitions: { created: 0, updated: 0, deleted: 0 },
      retained: ["s3://lake/silver/orders/v1/"],
      entry: expect.objectContaining({ Name: "orders" }),
      // Nothing expired outside the table's folder (v1 is kept, and inside it).
      expired: expect.objectContaining({ expired: [] }),
    });
    // The entry as written, so a later parameter update needs no GetTable.
    expect(result.entry.StorageDescriptor?.Location).toBe("s3://lake/silver/orders/v2/");
    expect(result.entry.Parameters?.["sluice_retired_locations"]).toBe(
      JSON.stringify([["s3://lake/silver/orders/v1/"]]),
    );
  });

  it("keeps the data of versions_to_keep earlier versions, the newest first", async () => {
    const { aws, engine } = await setup();
    aws.putTable(db, {
      ...table("orders", "s3://lake/silver/orders/v2/", []),
      Parameters: { sluice_retired_locations: '[["s3://lake/silver/orders/v1/"]]' },
    });
    aws.putTable(db, table("orders__sluice_v3", "s3://lake/silver/orders/v3/", []));
    const v3 = { schema: db, name: "orders__sluice_v3" };
    expect((await engine.publishTable(v3, orders, { versionsToKeep: 2 })).retained).toEqual([
      "s3://lake/silver/orders/v2/",
      "s3://lake/silver/orders/v1/",
    ]);
    aws.putTable(db, table("orders__sluice_v4", "s3://lake/silver/orders/v4/", []));
    const v4 = { schema: db, name: "orders__sluice_v4" };
    expect((await engine.publishTable(v4, orders, { versionsToKeep: 1 })).retained).toEqual([
      "s3://lake/silver/orders/v3/",
    ]);
    aws.putTable(db, table("orders__sluice_v5", "s3://lake/silver/orders/v5/", []));
    const v5 = { schema: db, name: "orders__sluice_v5" };
    expect((await engine.publishTable(v5, orders, { versionsToKeep: 0 })).retained).toEqual([]);
  });

  it("creates the table on the first publish", async () => {
    const { aws, engine } = await setup();
    aws.putTable(db, table("orders__sluice_v2", "s3://lake/silver/orders/v2/", []));
    const result = await engine.publishTable(staging, orders);
    expect(aws.commands()).toEqual(["GetTables", "UpdateTable", "CreateTable", "DeleteTable"]);
    expect(result.created).toBe(true);
    expect(aws.tables.get(`${db}.orders`)?.StorageDescriptor?.Location).toBe(
      "s3://lake/silver/orders/v2/",
    );
  });

  it("repoints, creates and deletes partitions within Glue's batch limits", async () => {
    const { aws, engine } = await setup();
    aws.putTable(db, table("orders", "s3://lake/silver/orders/v1/"), partitions("v1", 0, 60));
    putStaging(aws, partitions("v2", 50, 300));

    const result = await engine.publishTable(staging, orders);

    expect(result.partitions).toEqual({ updated: 10, created: 240, deleted: 50 });
    expect(aws.calls.map((c) => `${c.command}${batchSize(c.input)}`)).toEqual([
      "GetTables", // staging and target, read before the swap to be able to restore it
      "GetPartitions", // target's partitions
      "ListObjectsV2", // staging's partitions and their files, from its folder
      "UpdateTable",
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
    expect(
      published.every((p) =>
        p.StorageDescriptor?.Location?.startsWith("s3://lake/silver/orders/v2/"),
      ),
    ).toBe(true);
  });

  it("leaves the staging entry behind when a batch fails, and a re-run completes", async () => {
    const { aws, engine } = await setup();
    aws.putTable(db, table("orders", "s3://lake/silver/orders/v1/"), partitions("v1", 0, 5));
    putStaging(aws, partitions("v2", 0, 150));
    aws.respond.set("BatchCreatePartition", () => ({
      Errors: [
        {
          PartitionValues: ["x"],
          ErrorDetail: { ErrorCode: "InternalServiceException", ErrorMessage: "Internal error" },
        },
      ],
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

  describe("a partitioned publish that fails at any Glue step leaves the published table as it was", () => {
    const steps = [
      "GetTables staging and target",
      "GetPartitions target",
      "ListObjectsV2 staging folder",
      "UpdateTable",
      "BatchUpdatePartition",
      "BatchCreatePartition 1/3",
      "BatchCreatePartition 2/3",
      "BatchCreatePartition 3/3",
      "BatchDeletePartition 1/2",
      "BatchDeletePartition 2/2",
      "DeleteTable staging",
    ];
    it.each(steps.map((step, i) => [step, i] as const))(
      "fails at %s, then a clean re-run publishes",
      async (step, failAt) => {
        const { aws, engine } = await setup();
        aws.putTable(db, table("orders", "s3://lake/silver/orders/v1/"), partitions("v1", 0, 60));
        putStaging(aws, partitions("v2", 50, 300));
        const before = {
          table: structuredClone(aws.tables.get(`${db}.orders`)),
          partitions: sorted(aws.partitions.get(`${db}.orders`)),
        };
        aws.failWhen = (call, index) => {
          if (index !== failAt) return undefined;
          expect(step.startsWith(call.command)).toBe(true);
          return awsError("InternalServiceException", "Internal service error");
        };

        await expect(engine.publishTable(staging, orders)).rejects.toThrow(
          "Internal service error",
        );
        if (step === "DeleteTable staging") {
          // The swap was complete: the table is the whole new version; only the staging entry is left.
          expect(aws.tables.get(`${db}.orders`)?.StorageDescriptor?.Location).toBe(
            "s3://lake/silver/orders/v2/",
          );
        } else {
          expect(aws.tables.get(`${db}.orders`)).toEqual(before.table);
          expect(sorted(aws.partitions.get(`${db}.orders`))).toEqual(before.partitions);
        }
        expect(aws.tables.has(`${db}.orders__sluice_v2`)).toBe(true);

        aws.failWhen = undefined;
        await engine.publishTable(staging, orders);
        const published = aws.partitions.get(`${db}.orders`) ?? [];
        expect(published).toHaveLength(250);
        expect(
          published.every((p) =>
            p.StorageDescriptor?.Location?.startsWith("s3://lake/silver/orders/v2/"),
          ),
        ).toBe(true);
        expect(aws.tables.get(`${db}.orders`)?.StorageDescriptor?.Location).toBe(
          "s3://lake/silver/orders/v2/",
        );
        expect(aws.tables.has(`${db}.orders__sluice_v2`)).toBe(false);
      },
    );

    it("undoes the writes in reverse order, from what it read before the swap", async () => {
      const { aws, engine } = await setup();
      aws.putTable(db, table("orders", "s3://lake/silver/orders/v1/"), partitions("v1", 0, 60));
      putStaging(aws, partitions("v2", 50, 300));
      let deletes = 0;
      aws.failWhen = (call) =>
        call.command === "BatchDeletePartition" && ++deletes === 2
          ? awsError("InternalServiceException", "Internal service error")
          : undefined;

      await expect(engine.publishTable(staging, orders)).rejects.toThrow("Internal service error");

      const writes = aws.calls
        .filter((c) => c.service === "glue" && !c.command.startsWith("Get"))
        .map(
          (c) =>
            `${c.command}${batchSize(c.input)}${c.input.TableInput ? ` ${c.input.TableInput.StorageDescriptor.Location}` : ""}`,
        );
      expect(writes).toEqual([
        "UpdateTable s3://lake/silver/orders/v2/",
        "BatchUpdatePartition(10)",
        "BatchCreatePartition(100)",
        "BatchCreatePartition(100)",
        "BatchCreatePartition(40)",
        "BatchDeletePartition(25)",
        "BatchDeletePartition(25)", // fails
        // undo: recreate the deleted 50 (the failed batch may have been partly applied), delete the created 240, restore the 10, the entry
        "BatchCreatePartition(50)",
        ...Array(9).fill("BatchDeletePartition(25)"),
        "BatchDeletePartition(15)",
        "BatchUpdatePartition(10)",
        "UpdateTable s3://lake/silver/orders/v1/",
      ]);
      expect(
        aws.partitions
          .get(`${db}.orders`)
          ?.every((p) => p.StorageDescriptor?.Location?.startsWith("s3://lake/silver/orders/v1/")),
      ).toBe(true);
    });

    it("a failed first publish removes the table it created", async () => {
      const { aws, engine } = await setup();
      putStaging(aws, partitions("v2", 0, 150));
      aws.failNext.set("BatchCreatePartition", [
        awsError("InternalServiceException", "Internal service error"),
      ]);
      await expect(engine.publishTable(staging, orders)).rejects.toThrow("Internal service error");
      expect(aws.commands("glue").filter((c) => !c.startsWith("Get"))).toEqual([
        "CreateTable",
        "BatchCreatePartition",
        "DeleteTable",
      ]);
      expect(aws.calls.at(-1)?.input).toEqual({ DatabaseName: db, Name: "orders" });
      expect(aws.tables.has(`${db}.orders`)).toBe(false);
      const result = await engine.publishTable(staging, orders);
      expect(result).toMatchObject({
        created: true,
        partitions: { created: 150, updated: 0, deleted: 0 },
      });
    });

    it("says so when the undo fails too", async () => {
      const { aws, engine } = await setup();
      aws.putTable(db, table("orders", "s3://lake/silver/orders/v1/"), partitions("v1", 0, 5));
      putStaging(aws, partitions("v2", 0, 150));
      aws.failNext.set("BatchCreatePartition", [
        awsError("InternalServiceException", "Internal service error"),
      ]);
      let updates = 0;
      aws.failWhen = (call) =>
        call.command === "UpdateTable" && ++updates === 2
          ? awsError("AccessDeniedException", "not authorized to perform: glue:UpdateTable")
          : undefined;
      await expect(engine.publishTable(staging, orders)).rejects.toThrow(
        "publishing ecommerce_silver.orders failed (Internal service error) and restoring the previous version failed too (not authorized to perform: glue:UpdateTable); it may mix old and new partitions until the next successful run",
      );
    });
  });

  it("the fake enforces Glue's limits", async () => {
    const { aws } = await setup();
    aws.putTable(db, table("orders", "s3://lake/x/"));
    const send = aws.clients.glue.send as (command: unknown) => Promise<unknown>;
    const { BatchDeletePartitionCommand } = await import("@aws-sdk/client-glue");
    await expect(
      send(
        new BatchDeletePartitionCommand({
          DatabaseName: db,
          TableName: "orders",
          PartitionsToDelete: partitions("v1", 0, 26).map((p) => ({ Values: p.Values ?? [] })),
        }),
      ),
    ).rejects.toThrow("less than or equal to 25");
  });
});

describe("removeStaleLocations", () => {
  it("deletes every other version under the table root in 1,000-key pages", async () => {
    const { aws, engine } = await setup();
    const old = Array.from(
      { length: 2_500 },
      (_, i) => `silver/orders/v1/event_date=${day(i % 300)}/part-${i}.parquet`,
    );
    const kept = [
      "silver/orders/v2/event_date=2024-01-01/part-0.parquet",
      "silver/orders/v2/event_date=2024-01-02/part-1.parquet",
    ];
    const others = [
      "silver/orders_daily/v1/part-0.parquet",
      "silver/orders_v2/part-0.parquet",
      "raw/events/2024/01/01/00/x.gz",
    ];
    aws.putObjects("lake", [...old, ...kept, ...others]);

    await engine.removeStaleLocations(orders, "s3://lake/silver/orders/v2");

    expect(
      aws.calls.map(
        (c) =>
          `${c.command}${c.command === "DeleteObjects" ? `(${c.input.Delete.Objects.length})` : ""}`,
      ),
    ).toEqual([
      "ListObjectsV2",
      "DeleteObjects(1000)",
      "ListObjectsV2",
      "DeleteObjects(1000)",
      "ListObjectsV2",
      "DeleteObjects(500)",
    ]);
    expect(
      aws.calls.filter((c) => c.command === "ListObjectsV2").map((c) => c.input.Prefix),
    ).toEqual(Array(3).fill("silver/orders/"));
    expect([...(aws.objects.get("lake") ?? [])].sort()).toEqual([...others, ...kept].sort());
  });

  it("after a partitioned publish: the publish's one listing of the table root serves the cleanup", async () => {
    const { aws, engine } = await setup();
    aws.putTable(db, table("orders", "s3://lake/silver/orders/v1/"), partitions("v1", 0, 2));
    putStaging(aws, partitions("v2", 0, 3));
    const v1 = partitions("v1", 0, 2).map(
      (p) => `${p.StorageDescriptor!.Location!.slice("s3://lake/".length)}q_0.parquet`,
    );
    // Left by a build that died before publishing (no Glue entry reads it): stale.
    const crashed = "silver/orders/v0/event_date=2024-01-01/q_0.parquet";
    aws.putObjects("lake", [...v1, crashed, "silver/orders_daily/v1/q_0.parquet"]);

    const published = await engine.publishTable(staging, orders, { defer: true });
    await engine.removeStaleLocations(orders, published.location!, {
      defer: true,
      retain: published.retained,
    });
    const outcome = await engine.finishRun();

    expect(
      aws.calls
        .filter((c) => c.service === "s3")
        .map((c) => `${c.command} ${c.input.Prefix ?? ""}`),
    ).toEqual(["ListObjectsV2 silver/orders/", "DeleteObjects "]);
    // Gone: only what no version reads or keeps; v1 is kept (versions_to_keep 1).
    expect(outcome.objectsDeleted).toBe(1);
    expect(aws.objects.get("lake")?.has(crashed)).toBe(false);
    for (const key of v1) expect(aws.objects.get("lake")?.has(key)).toBe(true);
    expect(aws.partitions.get(`${db}.orders`)).toHaveLength(3);
  });

  it("refuses a location whose parent is not the table's folder", async () => {
    const { aws, engine } = await setup();
    aws.putObjects("lake", ["silver/orders/part-0.parquet", "silver/customers/part-0.parquet"]);
    await expect(engine.removeStaleLocations(orders, "s3://lake/silver/orders/")).rejects.toThrow(
      "refusing to clean",
    );
    expect(aws.calls).toEqual([]);
  });
});

function batchSize(input: Record<string, unknown>): string {
  const list = input.PartitionInputList ?? input.PartitionsToDelete ?? input.Entries;
  return Array.isArray(list) ? `(${list.length})` : "";
}

const sorted = (list: Partition[] | undefined) =>
  [...(list ?? [])].sort((a, b) =>
    JSON.stringify(a.Values).localeCompare(JSON.stringify(b.Values)),
  );
