import { recordBytes, type RawRecord } from "./chaos.js";
import type { EventSink, SinkReport } from "./sink.js";

/** What a batch sink (Firehose or Kinesis) did. `retried` counts re-sends, each may duplicate. */
export interface DeliveryReport {
  sent: number;
  retried: number;
  failed: number;
  /** Records over the service's record limit, refused before sending. */
  rejected: number;
  batches: number;
  /** Whole calls that failed (throttling, service unavailable) and were backed off. */
  throttled: number;
  errors: string[];
}

/** A batch API's fixed limits. Bytes are raw bytes (before base64) plus `recordOverhead`. */
export interface BatchLimits {
  maxRecordsPerBatch: number;
  maxBatchBytes: number;
  maxRecordBytes: number;
}

/** Retry and concurrency settings shared by the Firehose and Kinesis sinks. */
export interface BatchSinkSettings {
  /** Calls in flight (default 8). */
  concurrency?: number;
  /** Attempts per record, including the first (default 8). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Jitter source; default Math.random (jitter need not be reproducible). */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/** One record as a batch API takes it: its bytes and (Kinesis) its partition key. */
export interface BatchRecord {
  data: Uint8Array;
  key: string;
}

/** How one service's batch call is made and read. */
export interface BatchApi {
  /** The operation's name, for messages (`PutRecordBatch`, `PutRecords`). */
  operation: string;
  /** `Firehose's 1,000 KiB` style name of the record limit, for the refusal message. */
  recordLimitName: string;
  limits: BatchLimits;
  /** Bytes a record costs against the limits besides its data (Kinesis counts the key). */
  overhead(record: BatchRecord): number;
  /** The partition key of a record (empty when the service has none). */
  keyOf(record: RawRecord, data: Uint8Array): string;
  /** Sends the records; the error code of each failed one, by index (`undefined`: accepted). */
  put(records: BatchRecord[]): Promise<(string | undefined)[]>;
  /** Whole-call errors worth backing off and retrying (throttling, unavailable). */
  retryable: ReadonlySet<string>;
}

/**
 * Splits record sizes into batches within a batch API's limits, in order; returns the batch
 * sizes (record counts).
 */
export function planBatches(recordBytes: readonly number[], limits: BatchLimits): number[] {
  const batches: number[] = [];
  let count = 0;
  let bytes = 0;
  for (const b of recordBytes) {
    if (count > 0 && (count === limits.maxRecordsPerBatch || bytes + b > limits.maxBatchBytes)) {
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
 * A sink over a batch API (Firehose PutRecordBatch, Kinesis PutRecords): batches within its
 * limits, several calls in flight, records over the record limit refused before sending, only
 * the failed records of a partially failed call retried, and failed records and throttled calls
 * backed off with jittered exponential delays. Nothing is dropped silently: what could not be
 * delivered is counted in `failed`/`rejected` with the first errors in `errors`.
 */
export function createBatchSink(
  api: BatchApi,
  settings: BatchSinkSettings,
  /** The field of `SinkReport` the report goes in. */
  reportAs: "firehose" | "kinesis",
): EventSink & { report: DeliveryReport } {
  const concurrency = settings.concurrency ?? 8;
  const maxAttempts = settings.maxAttempts ?? 8;
  const baseDelayMs = settings.baseDelayMs ?? 100;
  const maxDelayMs = settings.maxDelayMs ?? 5000;
  const random = settings.random ?? Math.random;
  const sleep = settings.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const { limits } = api;
  const report: DeliveryReport = {
    sent: 0,
    retried: 0,
    failed: 0,
    rejected: 0,
    batches: 0,
    throttled: 0,
    errors: [],
  };
  const inFlight = new Set<Promise<void>>();
  let batch: BatchRecord[] = [];
  let batchBytes = 0;
  let rawBytes = 0;

  const backoff = (attempt: number) =>
    sleep(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** attempt));
  const noteError = (message: string) => {
    if (report.errors.length < 20) report.errors.push(message);
  };

  async function send(records: BatchRecord[]): Promise<void> {
    let pending = records;
    for (let attempt = 1; pending.length > 0; attempt++) {
      report.batches++;
      let failedIdx: number[];
      try {
        const codes = await api.put(pending);
        failedIdx = [];
        for (let i = 0; i < pending.length; i++) if (codes[i] !== undefined) failedIdx.push(i);
        if (failedIdx.length > 0)
          noteError(`${failedIdx.length} record(s) failed: ${codes[failedIdx[0]!]}`);
      } catch (err) {
        const name = (err as { name?: string }).name ?? "Error";
        noteError(`${api.operation} failed: ${name}: ${(err as Error).message}`);
        if (!api.retryable.has(name) || attempt >= maxAttempts) {
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
        const record = { data, key: api.keyOf(r, data) };
        const cost = data.length + api.overhead(record);
        if (cost > limits.maxRecordBytes) {
          report.rejected++;
          noteError(
            `record of ${cost} bytes exceeds ${api.recordLimitName} (${limits.maxRecordBytes} bytes) record limit; not sent`,
          );
          continue;
        }
        if (
          batch.length === limits.maxRecordsPerBatch ||
          batchBytes + cost > limits.maxBatchBytes
        ) {
          await dispatch();
        }
        batch.push(record);
        batchBytes += cost;
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
        [reportAs]: report,
      };
    },
  };
}
