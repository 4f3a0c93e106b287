import type { FirehoseClient } from "@aws-sdk/client-firehose";
import { createBatchSink, type BatchSinkSettings, type DeliveryReport } from "./batch-sink.js";
import type { EventSink } from "./sink.js";

/** PutRecordBatch limits (fixed by AWS). Batch bytes are raw bytes, before base64. */
export const firehoseLimits = {
  maxRecordsPerBatch: 500,
  maxBatchBytes: 4 * 1024 * 1024,
  maxRecordBytes: 1000 * 1024,
} as const;

export interface FirehoseSinkOptions extends BatchSinkSettings {
  /** Only `send` is used, so a test fake is a few lines. */
  client: Pick<FirehoseClient, "send">;
  stream: string;
}

const retryable = new Set([
  "ServiceUnavailableException",
  "ThrottlingException",
  "LimitExceededException",
  "InternalFailure",
  "TimeoutError",
]);

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
): EventSink & { report: DeliveryReport } {
  return createBatchSink(
    {
      operation: "PutRecordBatch",
      recordLimitName: "Firehose's 1,000 KiB",
      limits: firehoseLimits,
      overhead: () => 0,
      keyOf: () => "",
      retryable,
      async put(records) {
        // Loaded on first use so importing the generator (e.g. for `sluice --help`) stays fast.
        const { PutRecordBatchCommand } = await import("@aws-sdk/client-firehose");
        const res = await options.client.send(
          new PutRecordBatchCommand({
            DeliveryStreamName: options.stream,
            Records: records.map((r) => ({ Data: r.data })),
          }),
        );
        const responses = res.RequestResponses ?? [];
        return records.map((_, i) => {
          const r = responses[i];
          return !r ? "missing response" : (r.ErrorCode ?? undefined);
        });
      },
    },
    options,
    "firehose",
  );
}
