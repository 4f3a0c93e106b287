import { describe, expect, it } from "vitest";
import type { Partition } from "@aws-sdk/client-glue";
import { testAthenaTarget } from "../../test/athena-target.js";
import { FakeAws } from "../../test/fake-aws.js";
import { eventsEntry, eventsPartition } from "../../test/events-entries.js";
import { openAthenaEngine } from "./athena-engine.js";
import { encodePartitions, PARTITIONS_PARAMETER, recordedPartitions } from "./partition-record.js";

const target = testAthenaTarget;
const db = "ecommerce_silver";
const events = { schema: db, name: "events" };
const staging = { schema: db, name: "events__sluice_r2" };
const at = eventsPartition;
const entry = eventsEntry;
const record = (partitions: Partition[]) =>
  encodePartitions(
    ["event_date"],
    partitions.map((p) => ({ values: p.Values!, location: p.StorageDescriptor!.Location! })),
  );

async function setup() {
  const aws = new FakeAws();
  const logged: string[] = [];
  const engine = await openAthenaEngine({
    target,
    clients: aws.clients,
    sleep: async () => {},
    random: () => 0,
    log: (line) => logged.push(line),
  });
  return { aws, engine, logged };
}

describe("publishPartitions with the table's partition record", () => {
  it("repoints and creates without reading the target's partitions; the update records them", async () => {
    const { aws, engine } = await setup();
    const old = [at("r1", "2026-11-26"), at("r1", "2026-11-27")];
    aws.putTable(db, entry("events", "r1", { [PARTITIONS_PARAMETER]: record(old) }), old);
    aws.putTable(db, entry("events__sluice_r2", "r2"), [
      at("r2", "2026-11-27"),
      at("r2", "2026-11-28"),
    ]);

    const result = await engine.publishPartitions(staging, events, { versionsToKeep: 1 });

    expect(aws.commands("glue")).toEqual([
      "GetTable",
      "GetPartitions",
      "BatchUpdatePartition",
      "BatchCreatePartition",
      "UpdateTable",
      "DeleteTable",
    ]);
    expect(result.replaced).toEqual(["s3://lake/silver/events/r1/event_date=2026-11-27/"]);
    const now = recordedPartitions(aws.tables.get(`${db}.events`));
    expect(Object.fromEntries(now!)).toEqual({
      '["2026-11-26"]': "s3://lake/silver/events/r1/event_date=2026-11-26/",
      '["2026-11-27"]': "s3://lake/silver/events/r2/event_date=2026-11-27/",
      '["2026-11-28"]': "s3://lake/silver/events/r2/event_date=2026-11-28/",
    });
    // What Glue has is what the record says.
    expect(
      aws.partitions.get(`${db}.events`)!.map((p) => [p.Values![0], p.StorageDescriptor?.Location]),
    ).toEqual(expect.arrayContaining([...now!].map(([k, l]) => [JSON.parse(k)[0], l])));
  });

  it("a stale record (a partition deleted outside sluice): undone, partitions read, published", async () => {
    const { aws, engine, logged } = await setup();
    const old = [at("r1", "2026-11-26"), at("r1", "2026-11-27")];
    // Glue has only 2026-11-26: the record still lists 2026-11-27.
    aws.putTable(db, entry("events", "r1", { [PARTITIONS_PARAMETER]: record(old) }), [old[0]!]);
    aws.putTable(db, entry("events__sluice_r2", "r2"), [at("r2", "2026-11-27")]);

    const result = await engine.publishPartitions(staging, events, { versionsToKeep: 1 });

    expect(logged.join("\n")).toMatch(/events: its partition record is stale/);
    expect(aws.commands("glue")).toEqual([
      "GetTable",
      "GetPartitions",
      "BatchUpdatePartition",
      "GetPartitions",
      "BatchCreatePartition",
      "UpdateTable",
      "DeleteTable",
    ]);
    expect(result).toMatchObject({ created: 1, updated: 0, replaced: [] });
    expect(Object.fromEntries(recordedPartitions(aws.tables.get(`${db}.events`))!)).toEqual({
      '["2026-11-26"]': "s3://lake/silver/events/r1/event_date=2026-11-26/",
      '["2026-11-27"]': "s3://lake/silver/events/r2/event_date=2026-11-27/",
    });
  });

  it("no record: every partition read once (GetPartitions), and the record written", async () => {
    const { aws, engine } = await setup();
    aws.putTable(db, entry("events", "r1"), [at("r1", "2026-11-27")]);
    aws.putTable(db, entry("events__sluice_r2", "r2"), [at("r2", "2026-11-27")]);

    await engine.publishPartitions(staging, events, { versionsToKeep: 1 });

    expect(aws.commands("glue")).toEqual([
      "GetTable",
      "GetPartitions",
      "GetPartitions",
      "BatchUpdatePartition",
      "UpdateTable",
      "DeleteTable",
    ]);
    expect(recordedPartitions(aws.tables.get(`${db}.events`))?.size).toBe(1);
  });
});
