import { describe, expect, it } from "vitest";
import { awsError, FakeAws, fakeAthenaTarget } from "../../test/fake-aws.js";
import { openAthenaEngine } from "./athena-engine.js";

const target = fakeAthenaTarget({
  databases: { raw: "ecommerce_raw", silver: "ecommerce_silver" },
});
const spec = {
  relation: { schema: "ecommerce_raw", name: "events" },
  location: "s3://lake/raw/events",
  projectionStart: "2026/01/01/00",
};

async function setup() {
  const aws = new FakeAws();
  const engine = await openAthenaEngine({
    target,
    clients: aws.clients,
    sleep: async () => {},
    random: () => 0.5,
  });
  return { aws, engine };
}

describe("registerRawSource (sluice sources register)", () => {
  it("creates the table through Glue, then reports unchanged, then applies a change with UpdateTable", async () => {
    const { aws, engine } = await setup();
    expect(await engine.registerRawSource!(spec)).toBe("created");
    const table = aws.tables.get("ecommerce_raw.events")!;
    expect(table.Parameters).toMatchObject({
      "projection.enabled": "true",
      "projection.dt.format": "yyyy/MM/dd/HH",
      "projection.dt.range": "2026/01/01/00,NOW",
      "projection.dt.interval.unit": "HOURS",
      "storage.location.template": "s3://lake/raw/events/${dt}/",
    });
    expect(table.PartitionKeys).toEqual([{ Name: "dt", Type: "string" }]);
    expect(table.StorageDescriptor?.Columns).toEqual([{ Name: "line", Type: "string" }]);
    expect(table.StorageDescriptor?.Location).toBe("s3://lake/raw/events/");

    expect(await engine.registerRawSource!(spec)).toBe("unchanged");
    expect(await engine.registerRawSource!({ ...spec, projectionStart: "2025/06/01/00" })).toBe(
      "updated",
    );
    expect(aws.tables.get("ecommerce_raw.events")?.Parameters?.["projection.dt.range"]).toBe(
      "2025/06/01/00,NOW",
    );
    expect(aws.commands("glue")).toEqual([
      "GetTable",
      "GetDatabase",
      "CreateTable",
      "GetTable",
      "GetTable",
      "UpdateTable",
    ]);
  });

  it("creates the raw database first on a fresh catalog; one created meanwhile (AlreadyExistsException) is fine", async () => {
    const { aws, engine } = await setup();
    aws.databases.add("ecommerce_silver");
    expect(await engine.registerRawSource!(spec)).toBe("created");
    expect(aws.commands("glue")).toEqual([
      "GetTable",
      "GetDatabase",
      "CreateDatabase",
      "CreateTable",
    ]);
    expect(aws.databases.has("ecommerce_raw")).toBe(true);

    const raced = await setup();
    raced.aws.databases.add("ecommerce_silver");
    raced.aws.failNext.set("GetDatabase", [
      awsError("EntityNotFoundException", "Database ecommerce_raw not found."),
    ]);
    raced.aws.failNext.set("CreateDatabase", [
      awsError("AlreadyExistsException", "Database ecommerce_raw already exists."),
    ]);
    expect(await raced.engine.registerRawSource!(spec)).toBe("created");
    expect(raced.aws.commands("glue")).toEqual([
      "GetTable",
      "GetDatabase",
      "CreateDatabase",
      "CreateTable",
    ]);
  });
});

describe("checkSetup (sluice debug)", () => {
  it("reports credentials, workgroup, databases and staging dir in plain words", async () => {
    const { aws, engine } = await setup();
    aws.workgroups.set("sluice", {
      Name: "sluice",
      State: "ENABLED",
      Configuration: { EngineVersion: { EffectiveEngineVersion: "Athena engine version 3" } },
    });
    aws.databases.add("ecommerce_raw");
    const checks = await engine.checkSetup!(["ecommerce_raw", "ecommerce_silver"]);
    expect(checks.map((c) => `${c.ok ? "OK" : "FAIL"} ${c.name}: ${c.detail}`)).toEqual([
      "OK credentials: AWS credentials accepted in eu-west-1",
      "OK workgroup: workgroup 'sluice': ENABLED, engine Athena engine version 3",
      "OK database ecommerce_raw: Glue database 'ecommerce_raw' exists",
      "FAIL database ecommerce_silver: Glue database 'ecommerce_silver' does not exist (sluice run creates it; or create it with CREATE DATABASE ecommerce_silver)",
      "OK staging dir: S3 staging dir s3://results/sluice/ is readable",
    ]);
  });

  it("stops at credentials when AWS refuses them", async () => {
    const { aws, engine } = await setup();
    aws.failNext.set("GetWorkGroup", [
      awsError(
        "UnrecognizedClientException",
        "The security token included in the request is invalid.",
      ),
    ]);
    const checks = await engine.checkSetup!(["ecommerce_raw"]);
    expect(checks).toHaveLength(1);
    expect(checks[0]).toMatchObject({ name: "credentials", ok: false });
    expect(checks[0]?.detail).toContain("The security token included in the request is invalid.");
  });
});

describe("dropStagingTables", () => {
  it("lists leftovers once per database and keeps data the published table still points at", async () => {
    const { aws, engine } = await setup();
    const sd = (Location: string) => ({ Location });
    aws.putTable("ecommerce_silver", {
      Name: "orders",
      StorageDescriptor: sd("s3://lake/silver/orders/v_2/"),
    });
    aws.putTable("ecommerce_silver", {
      Name: "orders__sluice_2_1",
      StorageDescriptor: sd("s3://lake/silver/orders/v_2/"),
    });
    aws.putTable("ecommerce_silver", {
      Name: "orders__sluice_1_1",
      StorageDescriptor: sd("s3://lake/silver/orders/v_1/"),
    });
    aws.putTable("ecommerce_silver", {
      Name: "items__sluice_1_2",
      StorageDescriptor: sd("s3://lake/silver/items/v_1/"),
    });
    aws.putObjects("lake", [
      "silver/orders/v_1/a.parquet",
      "silver/orders/v_2/b.parquet",
      "silver/items/v_1/c.parquet",
    ]);

    expect(
      await engine.dropStagingTables!(
        { schema: "ecommerce_silver", name: "orders" },
        "__sluice_",
        "orders__sluice_3_1",
      ),
    ).toEqual(["orders__sluice_2_1", "orders__sluice_1_1"]);
    expect(
      await engine.dropStagingTables!(
        { schema: "ecommerce_silver", name: "items" },
        "__sluice_",
        "items__sluice_3_2",
      ),
    ).toEqual(["items__sluice_1_2"]);
    expect([...aws.tables.keys()]).toEqual(["ecommerce_silver.orders"]);
    expect([...aws.objects.get("lake")!]).toEqual(["silver/orders/v_2/b.parquet"]);
    expect(aws.commands("glue").filter((c) => c === "GetTables")).toHaveLength(1);
  });
});
