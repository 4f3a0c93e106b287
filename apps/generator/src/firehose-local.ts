import type { IncomingMessage, ServerResponse } from "node:http";
import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { Prng, hashString } from "@sluice/events";
import { ApiError } from "./api-error.js";
import { listenHttp1And2 } from "./dual-protocol-server.js";
import { EventTypePartitions, type RecordDelivery } from "./event-type-partitions.js";
import { FirehoseBuffer } from "./firehose-buffer.js";
import { base64DecodedLength, kinesisOperations } from "./kinesis-local.js";
import { lakeWriter } from "./local-sink.js";
import type { SinkReport } from "./sink.js";

/** Settings of the local Firehose endpoint. */
export interface FirehoseLocalOptions {
  lakeDir: string;
  /** 0 picks a free port. */
  port?: number;
  host?: string;
  gzip?: boolean;
  bufferSizeMiB?: number;
  bufferIntervalSeconds?: number;
  /** Seeds object UUIDs and injected failures. */
  seed?: number;
  /** Fraction of records answered with ServiceUnavailableException inside a 200 response. */
  failureRate?: number;
  /**
   * Fraction of batch calls refused whole, like throttling: Firehose's ServiceUnavailableException
   * (HTTP 503), Kinesis's ProvisionedThroughputExceededException (HTTP 400).
   */
  throttleRate?: number;
  /** Shards of each local Kinesis stream (default 4). */
  shards?: number;
  /**
   * Firehose dynamic partitioning by `event_type` (the stack's `partitionRawByEventType`):
   * objects under `raw/events/event_type=<t>/YYYY/MM/DD/HH/`, records whose key cannot be
   * extracted under `raw-errors/partitioning-failed/YYYY/MM/DD/HH/`. Default false.
   */
  partitionByEventType?: boolean;
  /**
   * The delivery streams (and Kinesis streams, each drained by the delivery stream of its name)
   * that exist; a call naming another is ResourceNotFoundException, as on AWS (a misspelt
   * stream name passed here and failed there). Default: `sluice-events`, the stack's.
   */
  streams?: readonly string[];
}

/**
 * Firehose's limits (API_PutRecordBatch): 500 records and 4 MiB a call, 1,000 KiB a record
 * before base64; a broken one fails the whole call.
 */
const firehoseLimits = {
  maxRecords: 500,
  maxRecordBytes: 1_024_000,
  maxCallBytes: 4 * 1024 * 1024,
};

/** A running local endpoint. */
export interface FirehoseLocal {
  /** e.g. `http://127.0.0.1:4573`, for `--endpoint-url`. */
  url: string;
  port: number;
  /**
   * Records accepted, records failed on purpose, calls throttled on purpose, and records sent to
   * the error prefix because their partition key could not be extracted.
   */
  stats: {
    accepted: number;
    failed: number;
    throttled: number;
    calls: number;
    partitioningFailed: number;
  };
  /** TCP connections accepted so far. */
  readonly connections: number;
  /** What was written to the lake so far. */
  output: SinkReport;
  /** Delivers every buffer now (as on shutdown) and waits until the objects are written. */
  flush(): Promise<void>;
  /** Flushes and stops listening. */
  close(): Promise<void>;
}

const JSON_11 = "application/x-amz-json-1.1";

/**
 * A Firehose and Kinesis look-alike for end-to-end runs without AWS, on one port: speaks the
 * JSON 1.1 protocol for Firehose's PutRecord, PutRecordBatch and DescribeDeliveryStream and for
 * Kinesis Data Streams (see `kinesisOperations`: each stream is drained by a delivery stream of
 * the same name), on the streams that exist (`streams`), within Firehose's and Kinesis's limits;
 * signatures are not checked. Delivery streams buffer and write to
 * `<lakeDir>/raw/events/...` exactly like the local sink, on wall-clock arrival time.
 *
 * @example
 * const fh = await startFirehoseLocal({ lakeDir: "models/.lake", port: 4573 });
 * // sluice generate --sink firehose --endpoint-url http://127.0.0.1:4573 ...
 * // sluice generate --sink kinesis --endpoint-url http://127.0.0.1:4573 ...
 * await fh.close();
 */
export async function startFirehoseLocal(options: FirehoseLocalOptions): Promise<FirehoseLocal> {
  const seed = options.seed ?? 1;
  const writer = lakeWriter(options.lakeDir);
  const buffers = new Map<string, RecordDelivery>();
  const chaos = new Prng(seed, hashString("firehose-local"));
  const ids = new Prng(seed, hashString("record-ids"));
  const stats = { accepted: 0, failed: 0, throttled: 0, calls: 0, partitioningFailed: 0 };

  const bufferAt = (stream: string, prefix?: string) =>
    new FirehoseBuffer(
      {
        stream,
        seed,
        gzip: options.gzip ?? true,
        bufferSizeMiB: options.bufferSizeMiB ?? 5,
        bufferIntervalSeconds: options.bufferIntervalSeconds ?? 300,
        ...(prefix !== undefined ? { prefix } : {}),
      },
      writer.write,
    );
  const bufferFor = (stream: string) => {
    let b = buffers.get(stream);
    if (!b) {
      b = options.partitionByEventType
        ? new EventTypePartitions((prefix) => bufferAt(stream, prefix), stats)
        : bufferAt(stream);
      buffers.set(stream, b);
    }
    return b;
  };
  const accept = (buffer: RecordDelivery, base64: string, now: number) => {
    buffer.addBase64(base64, now);
    stats.accepted++;
    return recordId(ids);
  };

  const streams = new Set(options.streams ?? ["sluice-events"]);
  const deliveryStream = (body: Record<string, unknown>): string => {
    const name = String(body.DeliveryStreamName ?? "");
    if (!streams.has(name)) throw ApiError.notFound("Firehose", name);
    return name;
  };
  /** A record's size before base64; over Firehose's limit, the whole call fails. */
  const recordBytes = (data: unknown, at: string): number => {
    const size = base64DecodedLength(typeof data === "string" ? data : "");
    if (size > firehoseLimits.maxRecordBytes)
      throw new ApiError(
        "ValidationException",
        `1 validation error detected: Value at '${at}' failed to satisfy constraint: Member must have length less than or equal to ${firehoseLimits.maxRecordBytes}`,
      );
    return size;
  };
  const kinesis = kinesisOperations({
    exists: (name) => streams.has(name),
    drainOf: bufferFor,
    shards: options.shards ?? 4,
    chaos,
    failureRate: options.failureRate ?? 0,
    stats,
  });
  const firehose: Record<string, (body: Record<string, unknown>) => unknown> = {
    PutRecordBatch(body) {
      const stream = deliveryStream(body);
      const records = (body.Records as { Data: string }[] | undefined) ?? [];
      if (records.length < 1 || records.length > firehoseLimits.maxRecords)
        throw new ApiError(
          "ValidationException",
          `1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length between 1 and ${firehoseLimits.maxRecords}`,
        );
      const total = records.reduce(
        (sum, r, i) => sum + recordBytes(r.Data, `records.${i + 1}.member.data`),
        0,
      );
      if (total > firehoseLimits.maxCallBytes)
        throw new ApiError(
          "ValidationException",
          `the records total ${total} bytes, more than the 4 MiB (${firehoseLimits.maxCallBytes} bytes) a PutRecordBatch call takes`,
        );
      let failed = 0;
      const buffer = bufferFor(stream);
      const now = Date.now();
      const RequestResponses = records.map((r) => {
        if (chaos.chance(options.failureRate ?? 0)) {
          failed++;
          stats.failed++;
          return { ErrorCode: "ServiceUnavailableException", ErrorMessage: "Slow down." };
        }
        return { RecordId: accept(buffer, r.Data, now) };
      });
      return { FailedPutCount: failed, Encrypted: false, RequestResponses };
    },
    PutRecord(body) {
      const stream = deliveryStream(body);
      const record = body.Record as { Data: string };
      recordBytes(record?.Data, "record.data");
      return {
        RecordId: accept(bufferFor(stream), record.Data, Date.now()),
        Encrypted: false,
      };
    },
    DescribeDeliveryStream(body) {
      const name = deliveryStream(body);
      return {
        DeliveryStreamDescription: {
          DeliveryStreamName: name,
          DeliveryStreamARN: `arn:aws:firehose:us-east-1:000000000000:deliverystream/${name}`,
          DeliveryStreamStatus: "ACTIVE",
          DeliveryStreamType: "DirectPut",
          VersionId: "1",
          CreateTimestamp: 0,
          HasMoreDestinations: false,
          Destinations: [
            {
              DestinationId: "destinationId-000000000001",
              ExtendedS3DestinationDescription: {
                BucketARN: "arn:aws:s3:::local-lake",
                RoleARN: "arn:aws:iam::000000000000:role/firehose-local",
                Prefix: options.partitionByEventType
                  ? "raw/events/event_type=!{partitionKeyFromQuery:event_type}/!{timestamp:yyyy/MM/dd/HH}/"
                  : "raw/events/",
                DynamicPartitioningConfiguration: {
                  Enabled: options.partitionByEventType ?? false,
                },
                BufferingHints: {
                  SizeInMBs: options.bufferSizeMiB ?? 5,
                  IntervalInSeconds: options.bufferIntervalSeconds ?? 300,
                },
                CompressionFormat: (options.gzip ?? true) ? "GZIP" : "UNCOMPRESSED",
                EncryptionConfiguration: { NoEncryptionConfig: "NoEncryption" },
              },
            },
          ],
        },
      };
    },
  };

  async function handle(
    req: IncomingMessage | Http2ServerRequest,
    res: ServerResponse | Http2ServerResponse,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    stats.calls++;
    const target = String(req.headers["x-amz-target"] ?? "");
    const [service, name = ""] = target.split(".", 2);
    const op =
      service === "Firehose_20150804"
        ? firehose[name]
        : service === "Kinesis_20131202"
          ? kinesis[name]
          : undefined;
    if (req.method !== "POST" || !op) {
      return reply(res, 400, {
        __type: "UnknownOperationException",
        message: `unknown operation ${target}`,
      });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
    } catch {
      return reply(res, 400, { __type: "SerializationException", message: "body is not JSON" });
    }
    if (name === "PutRecordBatch" && chaos.chance(options.throttleRate ?? 0)) {
      stats.throttled++;
      return reply(res, 503, { __type: "ServiceUnavailableException", message: "Slow down." });
    }
    if (name === "PutRecords" && chaos.chance(options.throttleRate ?? 0)) {
      stats.throttled++;
      return reply(res, 400, {
        __type: "ProvisionedThroughputExceededException",
        message: "Rate exceeded for stream under account 000000000000.",
      });
    }
    try {
      reply(res, 200, op(body));
    } catch (err) {
      if (err instanceof ApiError)
        return reply(res, 400, { __type: err.type, message: err.message });
      throw err;
    }
  }

  const server = await listenHttp1And2(
    (req, res) => {
      handle(req, res).catch((err: unknown) =>
        reply(res, 500, { __type: "InternalFailure", message: String(err) }),
      );
    },
    options.port ?? 0,
    options.host ?? "127.0.0.1",
  );
  const timer = setInterval(() => {
    const now = Date.now();
    for (const b of buffers.values()) b.flushIfDue(now);
  }, 250);
  timer.unref();
  const port = server.port;
  const flush = async () => {
    for (const b of buffers.values()) b.flush();
    await writer.idle();
  };
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    port,
    stats,
    get connections() {
      return server.connections;
    },
    output: writer.report,
    flush,
    async close() {
      clearInterval(timer);
      await flush();
      await server.close();
    },
  };
}

const hex: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** A 32-hex-digit record id from the seeded stream. */
function recordId(rng: Prng): string {
  let s = "";
  for (let i = 0; i < 4; i++) {
    const w = rng.uint32();
    s += hex[w >>> 24]! + hex[(w >>> 16) & 255]! + hex[(w >>> 8) & 255]! + hex[w & 255]!;
  }
  return s;
}

function reply(res: ServerResponse | Http2ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": JSON_11,
    "Content-Length": Buffer.byteLength(text),
    "x-amzn-RequestId": "local",
  });
  res.end(text);
}
