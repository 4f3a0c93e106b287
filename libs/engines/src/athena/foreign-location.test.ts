import { describe, expect, it } from "vitest";
import { FakeAws } from "../../test/fake-aws.js";
import { testAthenaTarget } from "../../test/athena-target.js";
import { openAthenaEngine } from "./athena-engine.js";

const db = "ecommerce_silver";
const orders = { schema: db, name: "orders" };
const staging = { schema: db, name: "orders__sluice_v2" };
const entry = (name: string, location: string) => ({
  Name: name,
  TableType: "EXTERNAL_TABLE",
  Parameters: {},
  PartitionKeys: [],
  StorageDescriptor: { Location: location, Columns: [{ Name: "id", Type: "bigint" }] },
});

async function setup() {
  const aws = new FakeAws();
  const warnings: string[] = [];
  const engine = await openAthenaEngine({
    target: testAthenaTarget,
    clients: aws.clients,
    sleep: async () => {},
    random: () => 0,
    warn: (m) => warnings.push(m),
  });
  aws.putTable(db, entry("orders", "s3://legacy/exports/current/"));
  aws.putTable(db, entry("orders__sluice_v2", "s3://lake/silver/orders/v2/"));
  aws.putObjects("legacy", ["exports/current/part-0.parquet", "exports/current/part-1.parquet"]);
  return { aws, engine, warnings };
}

describe("a full publish over a table whose old location is outside its folder", () => {
  it("deletes the old location once expired, when no other Glue table reads it", async () => {
    const { aws, engine, warnings } = await setup();

    await engine.publishTable(staging, orders, { versionsToKeep: 0 });

    expect(aws.objects.get("legacy")?.size ?? 0).toBe(0);
    expect(warnings).toEqual([]);
    expect(aws.tables.get(`${db}.orders`)?.Parameters?.["sluice_retired_locations"]).toBe("[]");
  });

  it("keeps it, with a warning naming it and its reader, when another table reads it", async () => {
    const { aws, engine, warnings } = await setup();
    aws.putTable("ecommerce_marts", entry("orders_export", "s3://legacy/exports/"));

    await engine.publishTable(staging, orders, { versionsToKeep: 0 });

    expect(aws.objects.get("legacy")?.size).toBe(2);
    expect(warnings).toEqual([
      "ecommerce_silver.orders: its old location s3://legacy/exports/current/ is not deleted: ecommerce_marts.orders_export reads it",
    ]);
    expect(aws.tables.get(`${db}.orders`)?.Parameters?.["sluice_retired_locations"]).toBe("[]");
  });
});
