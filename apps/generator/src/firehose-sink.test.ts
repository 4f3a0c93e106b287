import type {
  FirehoseClient,
  PutRecordBatchCommandInput,
  PutRecordBatchCommandOutput,
} from "@aws-sdk/client-firehose";
import { describe, expect, it } from "vitest";
import type { RawRecord } from "./chaos.js";
import { planBatches } from "./batch-sink.js";
import { createFirehoseSink, firehoseLimits } from "./firehose-sink.js";

type Respond = (input: PutRecordBatchCommandInput, call: number) => PutRecordBatchCommandOutput;

/** A fake client: records every call's input and answers with `respond`. */
function fakeClient(respond?: Respond) {
  const calls: PutRecordBatchCommandInput[] = [];
  const client: Pick<FirehoseClient, "send"> = {
    send: (async (command: { input: PutRecordBatchCommandInput }) => {
      calls.push(command.input);
      const ok = (input: PutRecordBatchCommandInput) =>
        ({
          FailedPutCount: 0,
          RequestResponses: input.Records!.map((_, i) => ({ RecordId: String(i) })),
          $metadata: {},
        }) as PutRecordBatchCommandOutput;
      return respond ? respond(command.input, calls.length) : ok(command.input);
    }) as unknown as FirehoseClient["send"],
  };
  return { client, calls };
}

const lines = (n: number, size = 20): RawRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    data: `${String(i).padStart(size - 1, "x")}\n`,
    arrivalMs: 0,
  }));
const noSleep = { sleep: async () => {}, random: () => 0.5 };
const bytes = (input: PutRecordBatchCommandInput) =>
  input.Records!.reduce((s, r) => s + (r.Data as Uint8Array).length, 0);

describe("planBatches", () => {
  it("splits at 500 records and at 4 MiB", () => {
    const plan = (sizes: number[]) => planBatches(sizes, firehoseLimits);
    expect(plan(new Array(501).fill(10))).toEqual([500, 1]);
    expect(plan([1_000_000, 1_000_000, 1_000_000, 1_000_000, 194_305])).toEqual([4, 1]);
    expect(plan([1_000_000, 1_000_000, 1_000_000, 1_000_000, 194_304])).toEqual([5]);
  });
});

describe("createFirehoseSink", () => {
  it("sends 501 records as 500 + 1, newline-terminated and in order", async () => {
    const { client, calls } = fakeClient();
    const sink = createFirehoseSink({ client, stream: "s", ...noSleep });
    await sink.write(lines(501));
    const out = await sink.close();
    expect(calls.map((c) => c.Records!.length)).toEqual([500, 1]);
    expect(calls[0]!.DeliveryStreamName).toBe("s");
    const first = new TextDecoder().decode(calls[0]!.Records![0]!.Data as Uint8Array);
    expect(first.endsWith("0\n")).toBe(true);
    expect(out.firehose).toMatchObject({ sent: 501, failed: 0, retried: 0 });
  });

  it("keeps every call within 4 MiB of raw bytes (4 MiB + 1 byte is two calls)", async () => {
    const { client, calls } = fakeClient();
    const sink = createFirehoseSink({ client, stream: "s", ...noSleep });
    const big = (n: number) => ({ data: "x".repeat(n - 1) + "\n", arrivalMs: 0 });
    await sink.write([
      big(1_000_000),
      big(1_000_000),
      big(1_000_000),
      big(1_000_000),
      big(194_305),
    ]);
    await sink.close();
    expect(calls.map((c) => c.Records!.length)).toEqual([4, 1]);
    expect(Math.max(...calls.map(bytes))).toBeLessThanOrEqual(firehoseLimits.maxBatchBytes);
  });

  it("refuses a record over 1,000 KiB before sending, with a clear error", async () => {
    const { client, calls } = fakeClient();
    const sink = createFirehoseSink({ client, stream: "s", ...noSleep });
    await sink.write([
      { data: "x".repeat(1_024_000) + "\n", arrivalMs: 0 },
      { data: "x".repeat(1_023_999) + "\n", arrivalMs: 0 },
    ]);
    const out = await sink.close();
    expect(calls.flatMap((c) => c.Records!).map((r) => (r.Data as Uint8Array).length)).toEqual([
      1_024_000,
    ]);
    expect(out.firehose!.rejected).toBe(1);
    expect(out.firehose!.errors[0]).toMatch(/1,024,001|1024001 bytes exceeds Firehose's 1,000 KiB/);
  });

  it("retries only the failed records of a partially failed batch", async () => {
    const { client, calls } = fakeClient((input, call) => {
      const RequestResponses = input.Records!.map((_, i) =>
        call === 1 && i % 10 === 0
          ? { ErrorCode: "ServiceUnavailableException", ErrorMessage: "x" }
          : { RecordId: "r" },
      );
      return {
        FailedPutCount: RequestResponses.filter((r) => "ErrorCode" in r).length,
        RequestResponses,
        $metadata: {},
      } as PutRecordBatchCommandOutput;
    });
    const delays: number[] = [];
    const sink = createFirehoseSink({
      client,
      stream: "s",
      random: () => 0.5,
      sleep: async (ms) => void delays.push(ms),
    });
    await sink.write(lines(100));
    const out = await sink.close();
    expect(calls.map((c) => c.Records!.length)).toEqual([100, 10]);
    const resent = calls[1]!.Records!.map((r) =>
      new TextDecoder().decode(r.Data as Uint8Array).replace(/x/g, ""),
    );
    expect(resent).toEqual([
      "0\n",
      "10\n",
      "20\n",
      "30\n",
      "40\n",
      "50\n",
      "60\n",
      "70\n",
      "80\n",
      "90\n",
    ]);
    expect(out.firehose).toMatchObject({ sent: 100, retried: 10, failed: 0 });
    expect(delays).toEqual([100]); // jitter 0.5 * 100 ms * 2^1
  });

  it("backs off a throttled call and gives up on records after maxAttempts", async () => {
    const throttled = Object.assign(new Error("Slow down."), {
      name: "ServiceUnavailableException",
    });
    const { client, calls } = fakeClient((input, call) => {
      if (call <= 2) throw throttled;
      return {
        FailedPutCount: 0,
        RequestResponses: input.Records!.map(() => ({ RecordId: "r" })),
        $metadata: {},
      } as PutRecordBatchCommandOutput;
    });
    const sink = createFirehoseSink({ client, stream: "s", ...noSleep });
    await sink.write(lines(5));
    const out = await sink.close();
    expect(calls).toHaveLength(3);
    expect(out.firehose).toMatchObject({ sent: 5, throttled: 2, retried: 10, failed: 0 });

    const always = fakeClient(() => {
      throw throttled;
    });
    const gaveUp = createFirehoseSink({
      client: always.client,
      stream: "s",
      maxAttempts: 3,
      ...noSleep,
    });
    await gaveUp.write(lines(5));
    expect((await gaveUp.close()).firehose).toMatchObject({ sent: 0, failed: 5 });
    expect(always.calls).toHaveLength(3);
  });

  it("keeps several batches in flight", async () => {
    let inFlight = 0;
    let most = 0;
    const client: Pick<FirehoseClient, "send"> = {
      send: (async (command: { input: PutRecordBatchCommandInput }) => {
        most = Math.max(most, ++inFlight);
        await new Promise((r) => setTimeout(r, 5));
        inFlight--;
        return {
          FailedPutCount: 0,
          RequestResponses: command.input.Records!.map(() => ({ RecordId: "r" })),
          $metadata: {},
        };
      }) as unknown as FirehoseClient["send"],
    };
    const sink = createFirehoseSink({ client, stream: "s", concurrency: 3, ...noSleep });
    await sink.write(lines(5000));
    expect((await sink.close()).firehose!.sent).toBe(5000);
    expect(most).toBe(3);
  });
});
