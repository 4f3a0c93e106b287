import { hash } from "node:crypto";
import type { Prng } from "@sluice/events";
import { ApiError } from "./api-error.js";
import type { RecordDelivery } from "./event-type-partitions.js";
import { kinesisLimits } from "./kinesis-sink.js";

/** What the Kinesis operations of the local endpoint share with its Firehose side. */
export interface KinesisLocalContext {
  /** Whether a stream of this name exists (another is ResourceNotFoundException). */
  exists(name: string): boolean;
  /** The delivery stream that drains Kinesis stream `name` into the raw zone (named like it). */
  drainOf(name: string): RecordDelivery;
  /** Shards per stream (records go to one by the MD5 of their partition key, as in Kinesis). */
  shards: number;
  /** Draws injected per-record failures. */
  chaos: Prng;
  failureRate: number;
  stats: { accepted: number; failed: number };
}

/**
 * The shard of a key: Kinesis splits the 128-bit MD5 range evenly between a stream's shards.
 * The top 48 bits decide it (exactly, except within 2^-48 of a boundary), without a BigInt.
 * A one-shot `hash`: it runs for every record, and a Hash object per record cost more than the
 * digest itself.
 */
function shardOf(partitionKey: string, shards: number): number {
  const top48 = Number.parseInt(hash("md5", partitionKey, "hex").slice(0, 12), 16);
  return Math.floor((top48 * shards) / 2 ** 48);
}

const shardId = (i: number) => `shardId-${String(i).padStart(12, "0")}`;
const shardPrefix = (i: number) => `4960${String(i).padStart(12, "0")}`;

/** One record of a PutRecords/PutRecord body, as sent on the wire. */
interface WireRecord {
  Data?: string;
  PartitionKey?: string;
}

/** A record that passed the limits: its base64 data (decoded only into the buffer) and key. */
interface CheckedRecord {
  base64: string;
  key: string;
  /** Bytes against Kinesis's limits: decoded data plus the key's UTF-8. */
  size: number;
}

/** The size of base64 `text` once decoded (padding and length, as Kinesis counts the blob). */
export function base64DecodedLength(text: string): number {
  let n = text.length;
  if (n > 0 && text.charCodeAt(n - 1) === 61) n--; // '='
  if (n > 0 && text.charCodeAt(n - 1) === 61) n--;
  return Math.floor((n * 3) / 4);
}

const ZEROS = "0".repeat(40);

/**
 * Kinesis Data Streams (JSON 1.1, `Kinesis_20131202.<Op>`) for the local endpoint: PutRecords,
 * PutRecord, DescribeStreamSummary and ListShards on the streams that exist (`ctx.exists`). Accepted records go, in
 * order, to the stream's local delivery stream, which buffers and names objects like Firehose
 * does when it reads from a Kinesis stream; the limits are Kinesis's (500 records and 5 MiB a
 * call, 1 MiB a record counting its key, keys of 1-256 characters) and a broken limit fails the
 * whole call, as Kinesis does. `failureRate` fails single records with
 * ProvisionedThroughputExceededException inside a 200 answer.
 */
export function kinesisOperations(
  ctx: KinesisLocalContext,
): Record<string, (body: Record<string, unknown>) => unknown> {
  // 56-digit sequence numbers like Kinesis's, growing per shard: a fixed prefix, the shard and
  // a counter (a Number: 2^53 records per shard is beyond any local run).
  const sequences = new Map<string, number[]>();
  const nextSequence = (stream: string, shard: number) => {
    let counters = sequences.get(stream);
    if (!counters) sequences.set(stream, (counters = new Array<number>(ctx.shards).fill(0)));
    const next = String(++counters[shard]!);
    return `${shardPrefix(shard)}${ZEROS.slice(next.length)}${next}`;
  };
  const streamOf = (body: Record<string, unknown>) => {
    const name =
      body.StreamName ??
      String(body.StreamARN ?? "")
        .split("/")
        .pop();
    if (typeof name !== "string" || !/^[a-zA-Z0-9_.-]{1,128}$/.test(name))
      throw new ApiError("ValidationException", "StreamName or StreamARN is required");
    if (!ctx.exists(name)) throw ApiError.notFound("Stream", name);
    return name;
  };
  const check = (r: WireRecord, i: number): CheckedRecord => {
    const key = r.PartitionKey;
    if (typeof key !== "string" || key.length < 1 || key.length > 256)
      throw new ApiError(
        "ValidationException",
        `Value at 'records.${i + 1}.member.partitionKey' failed to satisfy constraint: Member must have length between 1 and 256`,
      );
    const base64 = r.Data ?? "";
    const size = base64DecodedLength(base64) + Buffer.byteLength(key);
    if (size > kinesisLimits.maxRecordBytes)
      throw new ApiError(
        "ValidationException",
        `Value at 'records.${i + 1}.member.data' failed to satisfy constraint: Member must have length less than or equal to 1048576`,
      );
    return { base64, key, size };
  };
  const accept = (stream: string, record: CheckedRecord, shard: number, now: number) => {
    ctx.drainOf(stream).addBase64(record.base64, now);
    ctx.stats.accepted++;
    return { SequenceNumber: nextSequence(stream, shard), ShardId: shardId(shard) };
  };
  const describe = (stream: string) => ({
    StreamName: stream,
    StreamARN: `arn:aws:kinesis:us-east-1:000000000000:stream/${stream}`,
    StreamStatus: "ACTIVE",
    StreamModeDetails: { StreamMode: "ON_DEMAND" },
    RetentionPeriodHours: 24,
    StreamCreationTimestamp: 0,
    EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
    EncryptionType: "NONE",
    OpenShardCount: ctx.shards,
    ConsumerCount: 1,
  });
  return {
    PutRecords(body) {
      const stream = streamOf(body);
      const wire = (body.Records as WireRecord[] | undefined) ?? [];
      if (wire.length < 1 || wire.length > kinesisLimits.maxRecordsPerBatch)
        throw new ApiError(
          "ValidationException",
          "Value at 'records' failed to satisfy constraint: Member must have length between 1 and 500",
        );
      const records = wire.map(check);
      const total = records.reduce((sum, r) => sum + r.size, 0);
      if (total > kinesisLimits.maxBatchBytes)
        throw new ApiError(
          "InvalidArgumentException",
          `Records size exceeds 5 MB limit: ${total} bytes`,
        );
      const now = Date.now();
      let failed = 0;
      const Records = records.map((r) => {
        const shard = shardOf(r.key, ctx.shards);
        if (ctx.chaos.chance(ctx.failureRate)) {
          failed++;
          ctx.stats.failed++;
          return {
            ErrorCode: "ProvisionedThroughputExceededException",
            ErrorMessage: `Rate exceeded for shard ${shardId(shard)} in stream ${stream} under account 000000000000.`,
          };
        }
        return accept(stream, r, shard, now);
      });
      return { FailedRecordCount: failed, Records, EncryptionType: "NONE" };
    },
    PutRecord(body) {
      const stream = streamOf(body);
      const record = check(body as WireRecord, 0);
      return {
        ...accept(stream, record, shardOf(record.key, ctx.shards), Date.now()),
        EncryptionType: "NONE",
      };
    },
    DescribeStreamSummary(body) {
      return { StreamDescriptionSummary: describe(streamOf(body)) };
    },
    ListShards(body) {
      streamOf(body);
      const step = (1n << 128n) / BigInt(ctx.shards);
      return {
        Shards: Array.from({ length: ctx.shards }, (_, i) => ({
          ShardId: shardId(i),
          HashKeyRange: {
            StartingHashKey: (step * BigInt(i)).toString(),
            EndingHashKey: (i === ctx.shards - 1
              ? (1n << 128n) - 1n
              : step * BigInt(i + 1) - 1n
            ).toString(),
          },
          SequenceNumberRange: { StartingSequenceNumber: "49000000000000000000000000000000" },
        })),
      };
    },
  };
}
