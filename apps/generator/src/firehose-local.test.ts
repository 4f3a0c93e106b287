import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { request } from "node:http";
import { join } from "node:path";
import {
  DescribeDeliveryStreamCommand,
  FirehoseClient,
  PutRecordBatchCommand,
  PutRecordCommand as PutFirehoseRecordCommand,
} from "@aws-sdk/client-firehose";
import { KinesisClient, PutRecordCommand } from "@aws-sdk/client-kinesis";
import { afterAll, describe, expect, it } from "vitest";
import { objectText, readTree } from "../test/lake.js";
import { startFirehoseLocal } from "./firehose-local.js";
import { generate } from "./generate.js";
import { firehoseObjectKeyPattern } from "./object-key.js";

const root = mkdtempSync(join(tmpdir(), "sluice-fh-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const lakeLines = (dir: string) =>
  [...readTree(dir)].flatMap(([k, b]) => objectText(k, b).slice(0, -1).split("\n")).sort();
const client = (url: string) =>
  new FirehoseClient({
    region: "us-east-1",
    endpoint: url,
    credentials: { accessKeyId: "x", secretAccessKey: "x" },
    maxAttempts: 1,
  });

describe("local Firehose endpoint", () => {
  it("answers DescribeDeliveryStream and PutRecord through the real SDK", async () => {
    const lakeDir = join(root, "put");
    const fh = await startFirehoseLocal({ lakeDir });
    try {
      const fc = client(fh.url);
      const d = await fc.send(
        new DescribeDeliveryStreamCommand({ DeliveryStreamName: "sluice-events" }),
      );
      expect(d.DeliveryStreamDescription?.DeliveryStreamStatus).toBe("ACTIVE");
      const r = await fc.send(
        new PutFirehoseRecordCommand({
          DeliveryStreamName: "sluice-events",
          Record: { Data: new TextEncoder().encode('{"a":1}\n') },
        }),
      );
      expect(r.RecordId).toMatch(/^[0-9a-f]{32}$/);
    } finally {
      await fh.close();
    }
    const files = [...readTree(lakeDir).keys()];
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(firehoseObjectKeyPattern);
    expect(lakeLines(lakeDir)).toEqual(['{"a":1}']);
  });

  it("loses nothing through partial failures and throttling: same lines as the local sink", async () => {
    const opts = {
      events: 5000,
      start: "2026-11-27T10:00:00Z",
      hours: 1,
      seed: 9,
      duplicateRate: 0.01,
    } as const;
    const local = await generate({ ...opts, sink: "local", lakeDir: join(root, "local") });
    const lakeDir = join(root, "remote");
    const fh = await startFirehoseLocal({ lakeDir, failureRate: 0.1, throttleRate: 0.2 });
    let summary;
    try {
      summary = await generate({
        ...opts,
        sink: "firehose",
        endpointUrl: fh.url,
        stream: "sluice-events",
        lakeDir: join(root, "unused"),
      });
    } finally {
      await fh.close();
    }
    const report = summary.output.firehose!;
    expect(report.failed).toBe(0);
    expect(report.sent).toBe(local.records);
    expect(report.retried).toBeGreaterThan(0);
    expect(fh.stats.failed).toBeGreaterThan(0);
    expect(fh.stats.throttled).toBeGreaterThan(0);
    // The endpoint writes nothing for a failed record, so retries add no duplicates here:
    // the lake holds exactly the generated lines (including the injected duplicates).
    expect(lakeLines(lakeDir)).toEqual(lakeLines(join(root, "local")));
    for (const key of readTree(lakeDir).keys()) expect(key).toMatch(firehoseObjectKeyPattern);
  });

  it("refuses unknown operations and bodies that are not JSON", async () => {
    const fh = await startFirehoseLocal({ lakeDir: join(root, "bad") });
    try {
      const post = (target: string, body: string) =>
        fetch(fh.url, {
          method: "POST",
          headers: { "X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.1" },
          body,
        });
      const unknown = await post("Firehose_20150804.DeleteEverything", "{}");
      expect(unknown.status).toBe(400);
      expect(((await unknown.json()) as { __type: string }).__type).toBe(
        "UnknownOperationException",
      );
      const garbled = await post("Firehose_20150804.PutRecordBatch", "{nope");
      expect(((await garbled.json()) as { __type: string }).__type).toBe("SerializationException");
    } finally {
      await fh.close();
    }
  });

  it("refuses a request naming another host (DNS rebinding): nothing reaches the lake", async () => {
    const lakeDir = join(root, "rebound");
    const fh = await startFirehoseLocal({ lakeDir });
    try {
      // node:http, not fetch: a browser (and undici) sets Host itself, as a rebound page's does.
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          fh.url,
          {
            method: "POST",
            headers: {
              host: "rebound.example",
              "x-amz-target": "Firehose_20150804.PutRecord",
              "content-type": "application/x-amz-json-1.1",
            },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("error", reject);
        req.end(JSON.stringify({ DeliveryStreamName: "sluice-events", Record: { Data: "e30K" } }));
      });
      expect(status).toBe(403);
    } finally {
      await fh.close();
    }
    expect(existsSync(lakeDir) ? [...readTree(lakeDir).keys()] : []).toEqual([]);
  });

  it("refuses what Firehose refuses, whole: an unknown stream, 0 or 501 records, 1,000 KiB + 1 in a record, 4 MiB + in a call", async () => {
    const lakeDir = join(root, "limits");
    const fh = await startFirehoseLocal({ lakeDir });
    const fc = client(fh.url);
    const kc = new KinesisClient({
      region: "us-east-1",
      endpoint: fh.url,
      credentials: { accessKeyId: "x", secretAccessKey: "x" },
      maxAttempts: 1,
    });
    const refusal = (p: Promise<unknown>) =>
      p.then(
        () => "accepted",
        (e: Error) => `${e.name}: ${e.message}`,
      );
    const batch = (sizes: number[], name = "sluice-events") =>
      refusal(
        fc.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: name,
            Records: sizes.map((n) => ({ Data: new Uint8Array(n).fill(10) })),
          }),
        ),
      );
    try {
      expect(await batch([10], "sluice-evnts")).toBe(
        "ResourceNotFoundException: Firehose sluice-evnts under account 000000000000 not found.",
      );
      expect(
        await refusal(fc.send(new DescribeDeliveryStreamCommand({ DeliveryStreamName: "other" }))),
      ).toMatch(/^ResourceNotFoundException/);
      expect(
        await refusal(
          kc.send(
            new PutRecordCommand({
              StreamName: "other",
              PartitionKey: "k",
              Data: new Uint8Array(1),
            }),
          ),
        ),
      ).toBe("ResourceNotFoundException: Stream other under account 000000000000 not found.");
      expect(await batch([])).toMatch(/^ValidationException: .*'records'.*between 1 and 500/);
      expect(await batch(new Array(501).fill(1))).toMatch(/^ValidationException/);
      expect(await batch([1_024_001])).toMatch(
        /^ValidationException: .*'records\.1\.member\.data'.*less than or equal to 1024000/,
      );
      // 5 records of 1,000,000 bytes: each within its limit, 5,000,000 over the call's 4 MiB.
      expect(await batch(new Array(5).fill(1_000_000))).toMatch(/^ValidationException: .*4 MiB/);
      // What Firehose takes, at its limits: accepted.
      expect(await batch([1_024_000, 1_024_000, 1_024_000, 1_024_000])).toBe("accepted");
    } finally {
      kc.destroy();
      await fh.close();
    }
    // Only the accepted call's four records reached the lake (4 x 1,024,000 newline bytes).
    const bytes = [...readTree(lakeDir)].reduce(
      (n, [k, b]) => n + Buffer.byteLength(objectText(k, b)),
      0,
    );
    expect(bytes).toBe(4 * 1_024_000);
  });
});
