import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DescribeStreamSummaryCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
} from "@aws-sdk/client-kinesis";
import { afterAll, describe, expect, it } from "vitest";
import { objectText, readTree } from "../test/lake.js";
import { startFirehoseLocal } from "./firehose-local.js";
import { generate } from "./generate.js";
import { createKinesisClient } from "./kinesis-client.js";
import { createKinesisSink, kinesisLimits, partitionKey } from "./kinesis-sink.js";
import { firehoseObjectKeyPattern } from "./object-key.js";

const root = mkdtempSync(join(tmpdir(), "sluice-kinesis-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every line of the objects under a lake's raw zone, read back from the bytes on disk. */
const lakeLines = (dir: string) =>
  [...readTree(dir)].flatMap(([k, b]) => objectText(k, b).slice(0, -1).split("\n")).sort();
const config = (url: string) => ({
  region: "us-east-1",
  endpoint: url,
  credentials: { accessKeyId: "x", secretAccessKey: "x" },
  maxAttempts: 1,
});
const client = (url: string) => new KinesisClient(config(url));
/** The SDK's own client, and the sink's (its PutRecords body written natively, one session). */
const clients = [
  ["the SDK's client", async (url: string) => client(url)],
  ["the sink's client", (url: string) => createKinesisClient(config(url))],
] as const;
const bytes = (s: string) => new TextEncoder().encode(s);

describe.each(clients)("the local endpoint's Kinesis streams, through %s", (name, make) => {
  const dir = (what: string) => join(root, `${what}-${name.replace(/\W+/g, "-")}`);
  it("describes a stream and drains PutRecord/PutRecords into the raw zone, Firehose-named", async () => {
    const lakeDir = dir("put");
    const local = await startFirehoseLocal({ lakeDir, shards: 4, streams: ["shop"] });
    try {
      const kc = await make(local.url);
      const d = await kc.send(new DescribeStreamSummaryCommand({ StreamName: "shop" }));
      expect(d.StreamDescriptionSummary).toMatchObject({
        StreamStatus: "ACTIVE",
        StreamModeDetails: { StreamMode: "ON_DEMAND" },
        OpenShardCount: 4,
      });
      const shards = await kc.send(new ListShardsCommand({ StreamName: "shop" }));
      expect(shards.Shards).toHaveLength(4);
      const one = await kc.send(
        new PutRecordCommand({ StreamName: "shop", PartitionKey: "s1", Data: bytes('{"a":1}\n') }),
      );
      expect(one.ShardId).toMatch(/^shardId-0{11}[0-3]$/);
      const many = await kc.send(
        new PutRecordsCommand({
          StreamName: "shop",
          Records: [2, 3, 4].map((i) => ({ PartitionKey: "s1", Data: bytes(`{"a":${i}}\n`) })),
        }),
      );
      expect(many.FailedRecordCount).toBe(0);
      // One key, one shard; sequence numbers grow within it, as Kinesis orders a shard's records.
      expect(new Set(many.Records!.map((r) => r.ShardId))).toEqual(new Set([one.ShardId]));
      const seqs = [one, ...many.Records!].map((r) => BigInt(r.SequenceNumber!));
      expect(seqs).toEqual([...seqs].sort((a, b) => (a < b ? -1 : 1)));
    } finally {
      await local.close();
    }
    const keys = [...readTree(lakeDir).keys()];
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(firehoseObjectKeyPattern);
    expect(keys[0]).toContain("/shop-1-");
    expect(lakeLines(lakeDir)).toEqual(['{"a":1}', '{"a":2}', '{"a":3}', '{"a":4}']);
  });

  it("refuses what Kinesis refuses, whole: 501 records, a 1 MiB record plus its key, no key, 5 MiB + 1", async () => {
    const local = await startFirehoseLocal({ lakeDir: dir("limits"), streams: ["shop"] });
    const kc = await make(local.url);
    const put = (records: { PartitionKey?: string; Data: Uint8Array }[]) =>
      kc.send(new PutRecordsCommand({ StreamName: "shop", Records: records as never }));
    try {
      const small = { PartitionKey: "k", Data: bytes("x\n") };
      await expect(put(new Array(501).fill(small))).rejects.toMatchObject({
        name: "ValidationException",
      });
      // 1 MiB of data plus a one-character key is over the record limit.
      const full = new Uint8Array(kinesisLimits.maxRecordBytes);
      await expect(put([{ PartitionKey: "k", Data: full }])).rejects.toMatchObject({
        name: "ValidationException",
      });
      await expect(put([{ Data: bytes("x\n") }])).rejects.toMatchObject({
        name: "ValidationException",
      });
      expect(local.stats.accepted).toBe(0);
      // Five records of exactly 1 MiB with their keys make exactly 5 MiB: accepted. One key more is not.
      const fifth = { PartitionKey: "k", Data: new Uint8Array(kinesisLimits.maxRecordBytes - 1) };
      const fiveMiB = new Array(5).fill(fifth);
      expect((await put(fiveMiB)).FailedRecordCount).toBe(0);
      await expect(
        put([...fiveMiB, { PartitionKey: "k", Data: new Uint8Array(0) }]),
      ).rejects.toMatchObject({
        name: "InvalidArgumentException",
      });
      expect(local.stats.accepted).toBe(5);
    } finally {
      await local.close();
    }
  });
});

describe("the kinesis sink", () => {
  it("keys records by session id (a line without one by a hash of it)", () => {
    const line = bytes(
      '{"event_id":"e","event_type":"product_view","event_timestamp":"t","session_id":"5e55-10n","customer":{}}\n',
    );
    expect(partitionKey(line)).toBe("5e55-10n");
    expect(partitionKey(bytes("{not json\n"))).toMatch(/^line-[0-9a-f]+$/);
    expect(partitionKey(bytes("{not json\n"))).toBe(partitionKey(bytes("{not json\n")));
  });

  it("counts partition keys against the 1 MiB and 5 MiB limits, as Kinesis does", async () => {
    const session = "0123456789abcdef0123456789abcdef0123"; // a 36-character key
    /** A line of exactly `n` bytes keyed by `session`. */
    const line = (n: number) => {
      const head = `{"session_id":"${session}","pad":"`;
      return { data: head + "x".repeat(n - head.length - 3) + '"}\n', arrivalMs: 0 };
    };
    const atLimit = kinesisLimits.maxRecordBytes - session.length;
    const endpoint = await startFirehoseLocal({ lakeDir: join(root, "sizes"), streams: ["s"] });
    try {
      const sink = createKinesisSink({ client: client(endpoint.url), stream: "s", concurrency: 1 });
      await sink.write([line(atLimit + 1), ...new Array(6).fill(line(atLimit))]);
      const { kinesis } = await sink.close();
      // The record one byte over (with its key) is refused; six at the limit are 5 MiB + one more.
      expect(kinesis).toMatchObject({ sent: 6, rejected: 1, failed: 0, batches: 2 });
      expect(kinesis!.errors[0]).toMatch(/exceeds Kinesis's 1 MiB \(1048576 bytes\) record limit/);
    } finally {
      await endpoint.close();
    }
    expect(endpoint.stats.accepted).toBe(6);
  });

  it("loses nothing through partial failures and throttling: the lake holds the local sink's lines", async () => {
    const opts = {
      events: 8000,
      start: "2026-11-27T10:00:00Z",
      hours: 1,
      seed: 9,
      duplicateRate: 0.01,
      malformedRate: 0.005,
    } as const;
    const local = await generate({ ...opts, sink: "local", lakeDir: join(root, "local") });
    const lakeDir = join(root, "remote");
    const endpoint = await startFirehoseLocal({ lakeDir, failureRate: 0.1, throttleRate: 0.2 });
    let summary;
    try {
      summary = await generate({
        ...opts,
        sink: "kinesis",
        endpointUrl: endpoint.url,
        stream: "sluice-events",
        lakeDir: join(root, "unused"),
      });
    } finally {
      await endpoint.close();
    }
    const report = summary.output.kinesis!;
    expect(report).toMatchObject({ failed: 0, rejected: 0, sent: local.records });
    expect(report.retried).toBeGreaterThan(0);
    // Throttled calls are retried by the SDK's own retry strategy first (its retry quota decides
    // how many reach the sink), so only the endpoint's count is certain.
    expect(endpoint.stats.failed).toBeGreaterThan(0);
    expect(endpoint.stats.throttled).toBeGreaterThan(0);
    // Counted from the bytes on disk: exactly the generated lines, none lost, none doubled.
    const lines = lakeLines(lakeDir);
    expect(lines).toHaveLength(local.records);
    expect(lines).toEqual(lakeLines(join(root, "local")));
    for (const key of readTree(lakeDir).keys()) expect(key).toMatch(firehoseObjectKeyPattern);
  });

  it("reports records it could not deliver instead of dropping them", async () => {
    const endpoint = await startFirehoseLocal({ lakeDir: join(root, "down"), failureRate: 1 });
    let summary;
    try {
      summary = await generate({
        events: 200,
        start: "2026-11-27T10:00:00Z",
        hours: 1,
        seed: 2,
        sink: "kinesis",
        endpointUrl: endpoint.url,
        lakeDir: join(root, "unused2"),
      });
    } finally {
      await endpoint.close();
    }
    const report = summary.output.kinesis!;
    expect(report.sent).toBe(0);
    expect(report.failed).toBe(summary.records);
    expect(report.errors[0]).toMatch(/ProvisionedThroughputExceededException/);
  }, 60_000);
});
