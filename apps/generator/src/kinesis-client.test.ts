import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KinesisClient, PutRecordsCommand, type PutRecordsInput } from "@aws-sdk/client-kinesis";
import { afterAll, describe, expect, it } from "vitest";
import { startFirehoseLocal } from "./firehose-local.js";
import { createKinesisClient, putRecordsBody } from "./kinesis-client.js";

const root = mkdtempSync(join(tmpdir(), "sluice-kinesis-client-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const credentials = { accessKeyId: "x", secretAccessKey: "x" };

/** The JSON body a client sends for `input`, caught before it reaches the network. */
async function sentBody(kc: KinesisClient, input: PutRecordsInput): Promise<unknown> {
  let body: unknown;
  kc.middlewareStack.add(
    () => async (args) => {
      const req = (args as { request: { body: Uint8Array | string } }).request;
      const b = req.body;
      body = JSON.parse(typeof b === "string" ? b : new TextDecoder().decode(b));
      throw new Error("caught");
    },
    { step: "finalizeRequest", priority: "low" },
  );
  await expect(kc.send(new PutRecordsCommand(input))).rejects.toThrow("caught");
  return body;
}

describe("the kinesis sink's client", () => {
  it("sends the same PutRecords JSON as the SDK's serializer, hostile keys and all", async () => {
    const input: PutRecordsInput = {
      StreamName: 'odd"name\\',
      StreamARN: "arn:aws:kinesis:eu-west-1:123456789012:stream/s",
      Records: [
        { Data: new Uint8Array([0, 255, 10, 34, 92]), PartitionKey: 'k"\\\n\u2028é🦆' },
        { Data: new Uint8Array(0), PartitionKey: "empty", ExplicitHashKey: "123" },
        { Data: new TextEncoder().encode('{"a":"ü"}\n'), PartitionKey: "\u0001" },
        { Data: new Uint8Array([1, 2]), PartitionKey: "two" },
      ],
    };
    const config = { region: "eu-west-1", endpoint: "http://127.0.0.1:9", credentials };
    const sdk = await sentBody(new KinesisClient(config), input);
    const ours = await sentBody(await createKinesisClient(config), input);
    expect(ours).toEqual(sdk);
    expect(JSON.parse(putRecordsBody(input as never).toString("utf8"))).toEqual(sdk);
  });

  it("keeps one connection for all its calls, and reads the answers (per-record errors too)", async () => {
    const local = await startFirehoseLocal({
      lakeDir: join(root, "one"),
      failureRate: 0.3,
      streams: ["s"],
    });
    try {
      const kc = await createKinesisClient({
        region: "us-east-1",
        endpoint: local.url,
        credentials,
      });
      const put = (i: number) =>
        kc.send(
          new PutRecordsCommand({
            StreamName: "s",
            Records: Array.from({ length: 50 }, (_, j) => ({
              PartitionKey: `session-${j}`,
              Data: new TextEncoder().encode(`{"call":${i},"n":${j}}\n`),
            })),
          }),
        );
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => put(i)));
      expect(local.connections).toBe(1);
      const entries = answers.flatMap((a) => a.Records ?? []);
      const failed = entries.filter((e) => e.ErrorCode !== undefined);
      expect(entries).toHaveLength(600);
      expect(answers.reduce((n, a) => n + (a.FailedRecordCount ?? 0), 0)).toBe(failed.length);
      expect(failed.length).toBe(local.stats.failed);
      expect(failed[0]).toMatchObject({ ErrorCode: "ProvisionedThroughputExceededException" });
      for (const e of entries.filter((x) => x.ErrorCode === undefined))
        expect(e).toMatchObject({ SequenceNumber: expect.stringMatching(/^\d{56}$/) });
      expect(answers[0]!.$metadata.httpStatusCode).toBe(200);
      kc.destroy();
    } finally {
      await local.close();
    }
  });
});
