import type { FirehoseClient } from "@aws-sdk/client-firehose";
import { recordBytes, type RawRecord } from "./chaos.js";
import type { EventSink, SinkReport } from "./sink.js";

/** PutRecordBatch limits (fixed by AWS). Batch bytes are raw bytes, before base64. */
export const firehoseLimits = {
  maxRecordsPerBatch: 500,
  maxBatchBytes: 4 * 1024 * 1024,
  maxRecordBytes: 1000 * 1024,
} as const;

/** What the Firehose sink did. `retried` counts record re-sends, each of which may duplicate. */
export interface FirehoseReport {
  sent: number;
  retried: number;
  failed: number;
  /** Records over 1,000 KiB, refused before sending. */
  rejected: number;
  batches: number;
  /** Whole calls that failed (throttling, service unavailable) and were backed off. */
  throttled: number;
  errors: string[];
}

export interface FirehoseSinkOptions {
  /** Only `send` is used, so a test fake is a few lines. */
  client: Pick<FirehoseClient, "send">;
  stream: string;
  /** PutRecordBatch calls in flight (default 8). */
  concurrency?: number;
  /** Attempts per record, including the first (default 8). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Jitter source; default Math.random (jitter need not be reproducible). */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const retryableErrors = new Set([
  "ServiceUnavailableException",
  "ThrottlingException",
  "LimitExceededException",
  "InternalFailure",
  "TimeoutError",
]);

/**
 * Splits record sizes into batches within PutRecordBatch's limits: at most 500 records and
 * 4 MiB of raw bytes, in order. Returns the batch sizes (record counts).
 */
export function planBatches(recordBytes: readonly number[]): number[] {
  const batches: number[] = [];
  let count = 0;
  let bytes = 0;
  for (const b of recordBytes) {
    if (
      count > 0 &&
      (count === firehoseLimits.maxRecordsPerBatch || bytes + b > firehoseLimits.maxBatchBytes)
    ) {
      batches.push(count);
      count = 0;
      bytes = 0;
    }
    count++;
    bytes += b;
  }
  if (count > 0) batches.push(count);
  return batches;
}

/**
 * The `firehose` sink: PutRecordBatch within the limits, several batches in flight, and only the
 * failed records of a partially failed batch retried with jittered exponential backoff.
 *
 * @example
 * const sink = createFirehoseSink({ client: new FirehoseClient({}), stream: "sluice-events" });
 * await sink.write([{ data: '{"a":1}\n', arrivalMs: Date.now() }]);
 * const { firehose } = await sink.close();
 */
export function createFirehoseSink(
  options: FirehoseSinkOptions,
): EventSink & { report: FirehoseReport } {
  const concurrency = options.concurrency ?? 8;
  const maxAttempts = options.maxAttempts ?? 8;
  const baseDelayMs = options.baseDelayMs ?? 100;
  const maxDelayMs = options.maxDelayMs ?? 5000;
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const report: FirehoseReport = {
    sent: 0,
    retried: 0,
    failed: 0,
    rejected: 0,
    batches: 0,
    throttled: 0,
    errors: [],
  };
  const inFlight = new Set<Promise<void>>();
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  let rawBytes = 0;

  const backoff = (attempt: number) =>
    sleep(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt));
  const noteError = (message: string) => {
    if (report.errors.length < 20) report.errors.push(message);
  };

  async function send(records: Uint8Array[]): Promise<void> {
    // Loaded on first use so importing the generator (e.g. for `sluice --help`) stays fast.
    const { PutRecordBatchCommand } = await import("@aws-sdk/client-firehose");
    let pending = records;
    for (let attempt = 1; pending.length > 0; attempt++) {
      report.batches++;
      let failedIdx: number[];
      try {
        const res = await options.client.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: options.stream,
            Records: pending.map((Data) => ({ Data })),
          }),
        );
        const responses = res.RequestResponses ?? [];
        failedIdx = [];
        pending.forEach((_, i) => {
          const r = responses[i];
          if (!r || r.ErrorCode) failedIdx.push(i);
        });
        if (failedIdx.length > 0)
          noteError(
            `${failedIdx.length} record(s) failed: ${responses[failedIdx[0]!]?.ErrorCode ?? "missing response"}`,
          );
      } catch (err) {
        const name = (err as { name?: string }).name ?? "Error";
        noteError(`PutRecordBatch failed: ${name}: ${(err as Error).message}`);
        if (!retryableErrors.has(name) || attempt >= maxAttempts) {
          report.failed += pending.length;
          return;
        }
        report.throttled++;
        report.retried += pending.length;
        await backoff(attempt);
        continue;
      }
      report.sent += pending.length - failedIdx.length;
      if (failedIdx.length === 0) return;
      if (attempt >= maxAttempts) {
        report.failed += failedIdx.length;
        return;
      }
      report.retried += failedIdx.length;
      pending = failedIdx.map((i) => pending[i]!);
      await backoff(attempt);
    }
  }

  async function dispatch(): Promise<void> {
    if (batch.length === 0) return;
    const records = batch;
    batch = [];
    batchBytes = 0;
    const p = send(records).finally(() => inFlight.delete(p));
    inFlight.add(p);
    if (inFlight.size >= concurrency) await Promise.race(inFlight);
  }

  return {
    report,
    async write(records: readonly RawRecord[]) {
      for (const r of records) {
        const data = recordBytes(r);
        if (data.length > firehoseLimits.maxRecordBytes) {
          report.rejected++;
          noteError(
            `record of ${data.length} bytes exceeds Firehose's 1,000 KiB (${firehoseLimits.maxRecordBytes} bytes) record limit; not sent`,
          );
          continue;
        }
        if (
          batch.length === firehoseLimits.maxRecordsPerBatch ||
          batchBytes + data.length > firehoseLimits.maxBatchBytes
        ) {
          await dispatch();
        }
        batch.push(data);
        batchBytes += data.length;
        rawBytes += data.length;
      }
    },
    async close(): Promise<SinkReport> {
      await dispatch();
      await Promise.all(inFlight);
      return {
        records: report.sent,
        objects: 0,
        rawBytes,
        storedBytes: 0,
        keys: [],
        firehose: report,
      };
    },
  };
}
