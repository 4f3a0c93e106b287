import type { FirehoseBuffer } from "./firehose-buffer.js";

/** What a delivery stream does with the records it accepts: one buffer, or one per partition. */
export type RecordDelivery = Pick<FirehoseBuffer, "addBase64" | "flushIfDue" | "flush">;

/** Where records go under Firehose dynamic partitioning by `event_type` (the stack's layout). */
export const eventTypePartitioning = {
  /** Inline parsing query (jq 1.6) of the delivery stream's MetadataExtraction processor. */
  query: "{event_type: .event_type}",
  /** `raw/events/event_type=<t>/` + Firehose's `YYYY/MM/DD/HH/`. */
  prefix: (eventType: string) => `raw/events/event_type=${eventType}/`,
  /** Records whose key could not be extracted: `raw-errors/partitioning-failed/YYYY/MM/DD/HH/`. */
  errorPrefix: "raw-errors/partitioning-failed/",
  errorCode: "DynamicPartitioning.MetadataExtractionFailed",
} as const;

/**
 * A partition key's value as the local endpoint can use it as a folder: jq's `.event_type` of a
 * JSON object record, when it is a non-empty string, number or boolean of safe characters.
 * Undefined (the record goes to the error prefix, as Firehose sends records whose extraction
 * fails) for a line that is not JSON, has no `event_type` (jq gives null), or has one that is
 * not a safe folder name here (S3 would take `a/../b`; a local lake folder must not).
 */
export function eventTypeOf(line: Buffer): string | undefined {
  let value: unknown;
  try {
    value = (JSON.parse(line.toString("utf8")) as { event_type?: unknown }).event_type;
  } catch {
    return undefined;
  }
  if (typeof value !== "string" && typeof value !== "number" && typeof value !== "boolean")
    return undefined;
  const key = String(value);
  return /^[\w-][\w.-]{0,127}$/.test(key) ? key : undefined;
}

/**
 * Firehose dynamic partitioning by `event_type` for a local delivery stream: each record is
 * decoded, its key extracted ({@link eventTypeOf}), and it is buffered with the other records of
 * its partition (one FirehoseBuffer per partition, as Firehose buffers per partition). A record
 * whose key cannot be extracted is written to the error prefix as Firehose's error document (one
 * JSON line with the base64 record as `rawData`), and counted: nothing dropped.
 *
 * @example
 * const d = new EventTypePartitions((prefix) => new FirehoseBuffer({ stream, seed, prefix }, write), stats);
 * d.addBase64(base64Line, Date.now());
 */
export class EventTypePartitions implements RecordDelivery {
  private readonly buffers = new Map<string, FirehoseBuffer>();

  constructor(
    private readonly bufferAt: (prefix: string) => FirehoseBuffer,
    /** `partitioningFailed` counts the records sent to the error prefix. */
    private readonly stats: { partitioningFailed: number },
  ) {}

  addBase64(base64: string, arrivalMs: number): void {
    const data = Buffer.from(base64, "base64");
    this.addBytes(data, 0, data.length, arrivalMs, base64);
  }

  /**
   * Adds one record given as bytes `src[start..end)` (newline included, as the local sink hands
   * them); `base64` is the record's base64 when the caller has it (the error document holds it).
   */
  addBytes(src: Buffer, start: number, end: number, arrivalMs: number, base64?: string): void {
    const key = eventTypeOf(src.subarray(start, end));
    if (key !== undefined) {
      this.buffer(eventTypePartitioning.prefix(key)).addBytes(src, start, end, arrivalMs);
      return;
    }
    this.stats.partitioningFailed++;
    const error = JSON.stringify({
      attemptsMade: 1,
      arrivalTimestamp: arrivalMs,
      errorCode: eventTypePartitioning.errorCode,
      errorMessage: "Non JSON record provided, or the query found no value for event_type",
      attemptEndingTimestamp: arrivalMs,
      rawData: base64 ?? src.subarray(start, end).toString("base64"),
    });
    this.buffer(eventTypePartitioning.errorPrefix).add(`${error}\n`, arrivalMs);
  }

  flushIfDue(nowMs: number): void {
    for (const b of this.buffers.values()) b.flushIfDue(nowMs);
  }

  flush(): void {
    for (const b of this.buffers.values()) b.flush();
  }

  private buffer(prefix: string): FirehoseBuffer {
    let b = this.buffers.get(prefix);
    if (!b) this.buffers.set(prefix, (b = this.bufferAt(prefix)));
    return b;
  }
}
