import { mkdirSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import {
  FirehoseBuffer,
  deterministicGzip,
  type BufferSettings,
  type DeliveredObject,
} from "./firehose-buffer.js";
import { isTextRecord } from "./chaos.js";
import { EventTypePartitions } from "./event-type-partitions.js";
import { GzipLane } from "./gzip-lane.js";
import { publishBytes, publishFile } from "./in-flight.js";
import type { EventSink, SinkReport } from "./sink.js";

/**
 * Objects compressing at once. Each holds its 5 MiB input and a lane's zlib state, so this bounds
 * memory; two keep a second core busy while the main thread generates the next object.
 */
const MAX_IN_FLIGHT = 2;

/**
 * Records between turns of the event loop while objects are compressing on the thread pool
 * (~1 ms of generation; a lane's output chunk takes several ms to compress).
 */
const YIELD_EVERY = 512;

/** Writes delivered objects to disk, compressing off the main thread. */
export interface LakeWriter {
  /** Starts writing one object (its key is recorded in the report at once, in order). */
  write(o: DeliveredObject): void;
  /** True when the maximum number of objects are being compressed: wait for {@link room}. */
  readonly busy: boolean;
  /** Objects being compressed on the thread pool. */
  readonly inFlight: number;
  /** Resolves when fewer than the maximum number of objects are being compressed. */
  room(): Promise<void>;
  /** Resolves when everything started has been written. */
  idle(): Promise<void>;
  report: SinkReport;
}

/** How a {@link lakeWriter} compresses. */
export interface LakeWriterOptions {
  /**
   * Compress on the calling thread instead of libuv's pool. Default: only when this process may
   * run on a single CPU (`os.availableParallelism()`, which honours CPU affinity and quotas):
   * there the pool cannot overlap with generation, and switching between the two threads on
   * one core costs ~20% more CPU than compressing in line.
   */
  compressInline?: boolean;
}

/**
 * Writes objects under `lakeDir` exactly where a Firehose S3 destination would put them.
 * Used by the local sink and by the local Firehose endpoint. Each object is written under an
 * in-flight name (`inFlightPath`) and renamed into place once complete, so a reader listing
 * the hour folder sees whole objects only.
 */
export function lakeWriter(lakeDir: string, options: LakeWriterOptions = {}): LakeWriter {
  const inline = options.compressInline ?? availableParallelism() < 2;
  const report: SinkReport = { records: 0, objects: 0, rawBytes: 0, storedBytes: 0, keys: [] };
  const made = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  /** Lanes not compressing, for reuse (at most {@link MAX_IN_FLIGHT} are kept). */
  const idleLanes: GzipLane[] = [];
  const pathOf = (key: string) => {
    const path = join(lakeDir, key);
    const dir = dirname(path);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    return path;
  };
  const store = (key: string, body: Buffer) => {
    publishBytes(pathOf(key), body);
    report.storedBytes += body.length;
  };
  const laneFor = (level: number) => {
    const i = idleLanes.findIndex((l) => l.level === level);
    if (i >= 0) return idleLanes.splice(i, 1)[0]!;
    // A caller that doesn't wait for room() may have more objects in flight than lanes kept.
    if (idleLanes.length >= MAX_IN_FLIGHT) idleLanes.shift()!.close();
    return new GzipLane(level);
  };
  const check = () => {
    if (failure !== undefined) throw failure;
  };
  return {
    report,
    get busy() {
      return inFlight.size >= MAX_IN_FLIGHT;
    },
    get inFlight() {
      return inFlight.size;
    },
    write(o) {
      report.records += o.records;
      report.objects++;
      report.rawBytes += o.rawBytes;
      report.keys.push(o.key);
      if (o.gzipLevel === 0) {
        store(o.key, o.raw);
        return o.release?.();
      }
      if (inline) {
        const body = deterministicGzip(o.raw, o.gzipLevel);
        o.release?.();
        return store(o.key, body);
      }
      let path: string;
      try {
        path = pathOf(o.key);
      } catch (err) {
        failure ??= err;
        return o.release?.();
      }
      // Only once the path is known: a lane taken before a failing mkdir would never be closed.
      const lane = laneFor(o.gzipLevel);
      const p: Promise<void> = publishFile(path, (tmp) => lane.compress(o.raw, tmp))
        .then((size) => {
          report.storedBytes += size;
          if (idleLanes.length < MAX_IN_FLIGHT) idleLanes.push(lane);
          else lane.close();
        })
        .catch((err: unknown) => {
          lane.close();
          failure ??= err;
        })
        .finally(() => {
          o.release?.();
          inFlight.delete(p);
        });
      inFlight.add(p);
    },
    async room() {
      while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
      check();
    },
    async idle() {
      await Promise.all(inFlight);
      // Free zlib's state; a later write makes new lanes.
      for (const lane of idleLanes.splice(0)) lane.close();
      check();
    },
  };
}

/**
 * The `local` sink: Firehose's buffering and naming on simulated arrival time, written to
 * `<lakeDir>/raw/events/YYYY/MM/DD/HH/<stream>-1-YYYY-MM-DD-HH-mm-ss-<uuid>.gz`; with
 * `partitionByEventType`, as Firehose dynamic partitioning by `event_type` writes them:
 * `<lakeDir>/raw/events/event_type=<t>/YYYY/MM/DD/HH/...`, one buffer per event type, and
 * records with no event type to read (malformed lines) under `raw-errors/partitioning-failed/`.
 */
export function createLocalSink(
  lakeDir: string,
  settings: BufferSettings & { partitionByEventType?: boolean },
  options: LakeWriterOptions = {},
): EventSink {
  const writer = lakeWriter(lakeDir, options);
  const { partitionByEventType, ...buffering } = settings;
  const stats = { partitioningFailed: 0 };
  const partitions = partitionByEventType
    ? new EventTypePartitions(
        (prefix) => new FirehoseBuffer({ ...buffering, prefix }, writer.write),
        stats,
      )
    : undefined;
  const hourly = partitions ? undefined : new FirehoseBuffer(buffering, writer.write);
  let sinceYield = 0;
  return {
    async write(records) {
      for (const r of records) {
        if (hourly) {
          if (isTextRecord(r)) hourly.add(r.data, r.arrivalMs);
          else hourly.addBytes(r.bytes, r.start, r.end, r.arrivalMs);
        } else {
          const bytes = isTextRecord(r) ? Buffer.from(r.data) : r.bytes;
          const [start, end] = isTextRecord(r) ? [0, bytes.length] : [r.start, r.end];
          partitions!.addBytes(bytes, start, end, r.arrivalMs);
        }
        if (writer.busy) {
          await writer.room();
          sinceYield = 0;
        } else if (++sinceYield >= YIELD_EVERY && writer.inFlight > 0) {
          // A lane needs the event loop between output chunks; without a turn it would wait
          // for the whole batch to be generated.
          await new Promise<void>((resolve) => setImmediate(resolve));
          sinceYield = 0;
        }
      }
    },
    async close() {
      (hourly ?? partitions!).flush();
      await writer.idle();
      return partitions
        ? { ...writer.report, partitioningFailed: stats.partitioningFailed }
        : writer.report;
    },
  };
}
