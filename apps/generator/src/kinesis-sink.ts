import type { KinesisClient } from "@aws-sdk/client-kinesis";
import { hashString } from "@sluice/events";
import { createBatchSink, type BatchSinkSettings, type DeliveryReport } from "./batch-sink.js";
import type { RawRecord } from "./chaos.js";
import type { EventSink } from "./sink.js";

/**
 * PutRecords limits (fixed by AWS): 500 records and 5 MiB per call, 1 MiB per record, where a
 * record's size is its data plus its partition key (at most 256 characters).
 */
export const kinesisLimits = {
  maxRecordsPerBatch: 500,
  maxBatchBytes: 5 * 1024 * 1024,
  maxRecordBytes: 1024 * 1024,
} as const;

export interface KinesisSinkOptions extends BatchSinkSettings {
  /** Only `send` is used, so a test fake is a few lines. */
  client: Pick<KinesisClient, "send">;
  stream: string;
}

/** Whole-call errors Kinesis documents as transient for PutRecords. */
const retryable = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "LimitExceededException",
  "KMSThrottlingException",
  "InternalFailure",
  "ServiceUnavailable",
  "TimeoutError",
]);

const SESSION_ID = Buffer.from('"session_id":"');

/**
 * A record's partition key: its event's `session_id`, so a session's events land on one shard
 * and stay in order. A line without one (malformed on purpose) is keyed by a hash of its text.
 */
export function partitionKey(data: Uint8Array): string {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const at = buf.indexOf(SESSION_ID);
  const from = at + SESSION_ID.length;
  const to = at < 0 ? -1 : buf.indexOf(34, from); // the closing quote
  if (to > from && to - from <= 256) return buf.toString("utf8", from, to);
  return `line-${hashString(buf.toString("latin1", 0, Math.min(buf.length, 512))).toString(16)}`;
}

/**
 * The `kinesis` sink: PutRecords within the limits (partition key = session id), several calls
 * in flight, only failed records retried, throttling backed off (see {@link createBatchSink}).
 *
 * @example
 * const sink = createKinesisSink({ client: new KinesisClient({}), stream: "sluice-events" });
 * await sink.write(records);
 * const { kinesis } = await sink.close();
 */
export function createKinesisSink(
  options: KinesisSinkOptions,
): EventSink & { report: DeliveryReport } {
  return createBatchSink(
    {
      operation: "PutRecords",
      recordLimitName: "Kinesis's 1 MiB",
      limits: kinesisLimits,
      overhead: (r) => Buffer.byteLength(r.key),
      keyOf: (_r: RawRecord, data) => partitionKey(data),
      retryable,
      async put(records) {
        // Loaded on first use so importing the generator (e.g. for `sluice --help`) stays fast.
        const { PutRecordsCommand } = await import("@aws-sdk/client-kinesis");
        const res = await options.client.send(
          new PutRecordsCommand({
            StreamName: options.stream,
            Records: records.map((r) => ({ Data: r.data, PartitionKey: r.key })),
          }),
        );
        const responses = res.Records ?? [];
        return records.map((_, i) => {
          const r = responses[i];
          return !r ? "missing response" : (r.ErrorCode ?? undefined);
        });
      },
    },
    options,
    "kinesis",
  );
}
