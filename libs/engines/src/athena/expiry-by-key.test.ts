import { describe, expect, it } from "vitest";
import { testAthenaTarget } from "../../test/athena-target.js";
import { FakeAws } from "../../test/fake-aws.js";
import { eventsEntry, eventsPartition } from "../../test/events-entries.js";
import { openAthenaEngine } from "./athena-engine.js";
import { encodeEntries, PARTITIONS_PARAMETER, recordedEntries } from "./partition-record.js";
import { EXPIRING_PARAMETER, RETIRED_FILES_PARAMETER } from "./expiring-files.js";
import { RETIRED_PARAMETER } from "./version-retention.js";
import { writtenPartitions } from "./written-partitions.js";
import type { PartitionPublishResult } from "./partition-publisher.js";

const db = "ecommerce_silver";
const events = { schema: db, name: "events" };
const staging = { schema: db, name: "events__sluice_r2" };
const folder = (run: string, date: string) => `s3://lake/silver/events/${run}/event_date=${date}/`;
const key = (run: string, date: string, file: string) =>
  `silver/events/${run}/event_date=${date}/${file}`;
const at = eventsPartition;

/**
 * `events` as a run before left it: r1's two dates published (their files recorded), r0's copy
 * of 2026-11-27 retired (its file recorded too), every object on S3; and this run's staging
 * table r2, written with 2026-11-27 again.
 */
async function setup() {
  const aws = new FakeAws();
  const entry = eventsEntry;
  const live = [at("r1", "2026-11-26"), at("r1", "2026-11-27")];
  aws.putTable(
    db,
    entry("events", "r1", {
      [PARTITIONS_PARAMETER]: encodeEntries(
        ["event_date"],
        live.map((p) => ({
          values: p.Values!,
          location: p.StorageDescriptor!.Location!,
          files: ["q1_0.parquet"],
        })),
        true,
      ),
      [RETIRED_PARAMETER]: JSON.stringify([[folder("r0", "2026-11-27")]]),
      [RETIRED_FILES_PARAMETER]: encodeEntries(
        ["event_date"],
        [{ values: ["2026-11-27"], location: folder("r0", "2026-11-27"), files: ["q0_0.parquet"] }],
        true,
      ),
    }),
    live,
  );
  aws.putTable(db, entry("events__sluice_r2", "r2"), [at("r2", "2026-11-27")]);
  aws.putObjects("lake", [
    key("r0", "2026-11-27", "q0_0.parquet"),
    key("r1", "2026-11-26", "q1_0.parquet"),
    key("r1", "2026-11-27", "q1_0.parquet"),
    key("r2", "2026-11-27", "q2_0.parquet"),
    key("r2", "2026-11-27", "q2_1.parquet"),
  ]);
  const open = () =>
    openAthenaEngine({
      target: testAthenaTarget,
      clients: aws.clients,
      sleep: async () => {},
      random: () => 0,
    });
  return { aws, engine: await open(), open };
}

const objects = (aws: FakeAws) => [...(aws.objects.get("lake") ?? [])].sort();

describe("expired data deleted by key, at the end of the run", () => {
  it("lists only the staging folder; the expired generation goes in the run's DeleteObjects, then the staging entry", async () => {
    const { aws, engine } = await setup();

    const result = await engine.publishPartitions(staging, events, {
      versionsToKeep: 1,
      defer: true,
      stagingLocation: "s3://lake/silver/events/r2/",
    });

    // No GetPartitions of the staging table, no listing of the expired folder.
    expect(aws.calls.map((c) => `${c.command} ${c.input.Prefix ?? ""}`.trim())).toEqual([
      "GetTable",
      "ListObjectsV2 silver/events/r2/",
      "BatchUpdatePartition",
      "UpdateTable",
    ]);
    expect((result as PartitionPublishResult).expiring).toEqual([
      { bucket: "lake", keys: [key("r0", "2026-11-27", "q0_0.parquet")] },
    ]);
    const table = aws.tables.get(`${db}.events`)!;
    // The update moved r0 from the retired list to the marker naming the staging entry, and
    // recorded the files of r2 (live) and r1's 2026-11-27 (retired now).
    expect(JSON.parse(table.Parameters![EXPIRING_PARAMETER]!)).toEqual({
      t: "events__sluice_r2",
      l: [folder("r0", "2026-11-27")],
    });
    expect(JSON.parse(table.Parameters![RETIRED_PARAMETER]!)).toEqual([
      [folder("r1", "2026-11-27")],
    ]);
    expect(table.Parameters![RETIRED_FILES_PARAMETER]).toContain("q1_0.parquet");
    expect(recordedEntries(table)?.get('["2026-11-27"]')).toEqual({
      values: ["2026-11-27"],
      location: "s3://lake/silver/events/r2/event_date=2026-11-27/",
      files: ["q2_0.parquet", "q2_1.parquet"],
    });
    expect(objects(aws)).toContain(key("r0", "2026-11-27", "q0_0.parquet"));

    aws.calls.length = 0;
    const outcome = await engine.finishRun();
    expect(aws.commands()).toEqual(["DeleteObjects", "BatchDeleteTable"]);
    expect(outcome).toEqual({ tablesDropped: 1, objectsDeleted: 1 });
    // Gone: only the expired object; every object a partition reads is there.
    expect(objects(aws)).toEqual([
      key("r1", "2026-11-26", "q1_0.parquet"),
      key("r1", "2026-11-27", "q1_0.parquet"),
      key("r2", "2026-11-27", "q2_0.parquet"),
      key("r2", "2026-11-27", "q2_1.parquet"),
    ]);
    expect(aws.tables.has(`${db}.events__sluice_r2`)).toBe(false);
  });

  it("a key S3 refuses (DeleteObjects Errors) keeps the staging entry, says so, and the next sweep deletes it", async () => {
    const { aws, engine, open } = await setup();
    aws.respond.set("DeleteObjects", (input: { Delete: { Objects: { Key: string }[] } }) => ({
      Errors: input.Delete.Objects.map(({ Key }) => ({
        Key,
        Code: "AccessDenied",
        Message: "Access Denied",
      })),
    }));
    await engine.publishPartitions(staging, events, {
      versionsToKeep: 1,
      defer: true,
      stagingLocation: "s3://lake/silver/events/r2/",
    });

    await expect(engine.finishRun()).rejects.toThrow(
      `S3 DeleteObjects failed for 1 object(s), e.g. s3://lake/${key("r0", "2026-11-27", "q0_0.parquet")}: AccessDenied Access Denied; the staging entries ecommerce_silver.events__sluice_r2 are kept`,
    );
    expect(aws.tables.has(`${db}.events__sluice_r2`)).toBe(true);
    expect(objects(aws)).toContain(key("r0", "2026-11-27", "q0_0.parquet"));

    // The next run (or one after a SIGKILL before the flush): its sweep deletes what the marker
    // names (by listing: the keys were in the dead run's memory), then drops the entry.
    aws.respond.delete("DeleteObjects");
    aws.calls.length = 0;
    const next = await open();
    await next.dropStagingTables(events, "__sluice_", "r3");
    expect(aws.commands("s3")).toEqual(["ListObjectsV2", "DeleteObjects"]);
    expect(aws.tables.has(`${db}.events__sluice_r2`)).toBe(false);
    expect(objects(aws)).not.toContain(key("r0", "2026-11-27", "q0_0.parquet"));
    expect(objects(aws)).toContain(key("r2", "2026-11-27", "q2_0.parquet"));
  });
});

describe("the partitions a CTAS wrote, from a listing of its folder", () => {
  const listing = (...names: string[]) => ({
    bucket: "lake",
    prefix: "t/r2/",
    keys: names.map((n) => `t/r2/${n}`),
  });

  it("Hive folders unescaped, files relative to them; hidden files make no partition of their own", () => {
    expect(
      writtenPartitions(
        ["k", "h"],
        "s3://lake/t/r2/",
        listing("k=a%2Fb/h=1/q_0", "k=a%2Fb/h=1/q_1", "k=c/h=2/_SUCCESS", "k=d/h=3/.crc"),
      ),
    ).toEqual([
      { values: ["a/b", "1"], location: "s3://lake/t/r2/k=a%2Fb/h=1", files: ["q_0", "q_1"] },
    ]);
  });

  it("another layout (other key names, another depth): undefined, the caller asks Glue", () => {
    expect(writtenPartitions(["k"], "s3://lake/t/r2/", listing("x=1/q_0"))).toBeUndefined();
    expect(writtenPartitions(["k"], "s3://lake/t/r2/", listing("k=1/sub/q_0"))).toBeUndefined();
    expect(writtenPartitions(["k"], "s3://lake/t/r2/", listing())).toEqual([]);
  });
});
