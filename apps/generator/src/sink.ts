import type { RawRecord } from "./chaos.js";
import type { DeliveryReport } from "./batch-sink.js";

/** Where generated lines go. `write` receives records in arrival order. */
export interface EventSink {
  /**
   * Takes the records, which are valid only until the returned promise resolves (or `write`
   * returns): the simulation then reuses their buffers and objects for the next batch, so a sink
   * copies out whatever it keeps.
   */
  write(records: readonly RawRecord[]): void | Promise<void>;
  /** Flushes what is buffered and reports what was delivered. */
  close(): Promise<SinkReport>;
}

/** What a sink delivered. */
export interface SinkReport {
  /** Records accepted (by the lake, or by Firehose). */
  records: number;
  /** S3-style objects written (local sink). */
  objects: number;
  /** Bytes of records before compression. */
  rawBytes: number;
  /** Bytes stored after compression (local sink). */
  storedBytes: number;
  /** Keys of the objects written, relative to the lake (local sink). */
  keys: string[];
  /**
   * Local sink partitioned by event type: records with no event type to read, written as
   * Firehose's error documents under `raw-errors/partitioning-failed/` (counted in `records`).
   */
  partitioningFailed?: number;
  /** Sent / retried / failed records (firehose sink). */
  firehose?: DeliveryReport;
  /** Sent / retried / failed records (kinesis sink). */
  kinesis?: DeliveryReport;
}
