import { gzipSync } from "node:zlib";
import { Prng, hashString } from "@sluice/events";
import { defaultGzipLevel } from "./gzip-level.js";
import { firehoseObjectKey } from "./object-key.js";

const MIB = 1024 * 1024;
/** zlib's largest hash tables: a little faster and smaller output than the default 8 on JSON lines. */
export const gzipMemLevel = 9;
/**
 * zlib's output chunk for {@link deterministicGzip}. Larger than an object's compressed size
 * (5 MiB of JSON lines is ~1 MiB gzipped), so gzipSync makes each object in one output buffer,
 * with no concatenated copy of several chunks left behind as garbage.
 */
const OUT_CHUNK = 2 * MIB;
/**
 * Headroom past the size hint, so the record that crosses it rarely forces a bigger buffer (and
 * past an oversized record, when one does).
 */
const SLACK = 64 * 1024;
/**
 * Released buffers kept for reuse. A consumer holds at most a few objects at once (the lake writer
 * compresses up to 2), so this bounds memory at (spares + 1) buffers instead of one fresh copy per
 * object, which glibc and V8's external-memory GC are slow to give back.
 */
const MAX_SPARES = 3;

/** One S3 object as Firehose would deliver it, before compression. */
export interface DeliveredObject {
  /** Key relative to the bucket / lake root, e.g. `raw/events/2026/11/27/13/...gz`. */
  key: string;
  /**
   * The records, concatenated. It may be a view of a pooled buffer: call {@link release} when
   * done with it (and don't touch `raw` afterwards); a consumer that never calls it may keep `raw`.
   */
  raw: Buffer;
  /** Hands `raw`'s memory back to the buffer for the next object; idempotent. */
  release?: () => void;
  /** zlib level to gzip `raw` with, or 0 to store it as is. */
  gzipLevel: number;
  records: number;
  /** Size of the records before compression. */
  rawBytes: number;
  /** Arrival time of the oldest record in the object. */
  firstArrivalMs: number;
}

/** How a delivery stream buffers and names objects (Firehose's S3 destination settings). */
export interface BufferSettings {
  stream: string;
  /** Key prefix; Firehose appends `YYYY/MM/DD/HH/`. Default `raw/events/`. */
  prefix?: string;
  /** GZIP compression (`.gz`), as the raw zone expects. Default true. */
  gzip?: boolean;
  /**
   * zlib level 1-9; default {@link defaultGzipLevel} (1). Firehose does not document the level it
   * compresses with; 1 is about twice as fast as zlib's default 6 on event JSON, for files ~15%
   * larger (the README gives measured ratios).
   */
  gzipLevel?: number;
  /** Size hint in MiB, measured before compression (1-128, default 5). */
  bufferSizeMiB?: number;
  /** Interval hint in seconds of arrival time (0-900, default 300). */
  bufferIntervalSeconds?: number;
  /** Seeds the object UUIDs so the same input gives the same keys. */
  seed: number;
}

/**
 * Firehose's S3 buffering: records collect until the size hint is reached or the interval since
 * the oldest record has passed, whichever comes first; then one object is delivered.
 * Time is the records' arrival time, so a simulated day buffers exactly like a real one.
 */
export class FirehoseBuffer {
  // Records are encoded straight into one Buffer, so their strings die young (cheap GC).
  private buf: Buffer;
  private count = 0;
  private bytes = 0;
  private firstArrivalMs = 0;
  private readonly prefix: string;
  private readonly gzip: boolean;
  private readonly gzipLevel: number;
  private readonly sizeBytes: number;
  private readonly intervalMs: number;
  private readonly uuids: Prng;
  private readonly spares: Buffer[] = [];

  constructor(
    private readonly settings: BufferSettings,
    private readonly deliver: (object: DeliveredObject) => void,
  ) {
    this.prefix = settings.prefix ?? "raw/events/";
    this.gzip = settings.gzip ?? true;
    this.gzipLevel = settings.gzipLevel ?? defaultGzipLevel;
    this.sizeBytes = (settings.bufferSizeMiB ?? 5) * MIB;
    this.intervalMs = (settings.bufferIntervalSeconds ?? 300) * 1000;
    this.uuids = new Prng(settings.seed, hashString(`objects:${settings.stream}`));
    this.buf = Buffer.allocUnsafe(this.sizeBytes + SLACK);
  }

  /** Number of records waiting in the buffer. */
  get pending(): number {
    return this.count;
  }

  /** Adds one record (already newline-terminated) that arrived at `arrivalMs`. */
  add(data: string, arrivalMs: number): void {
    this.beginRecord(arrivalMs);
    // A UTF-8 character takes at most 3 bytes per UTF-16 unit, so this check never truncates.
    if (this.bytes + data.length * 3 > this.buf.length) this.ensureRoom(Buffer.byteLength(data));
    this.endRecord(this.buf.write(data, this.bytes));
  }

  /** Adds one record given as bytes `src[start..end)` (newline included), copied straight in. */
  addBytes(src: Buffer, start: number, end: number, arrivalMs: number): void {
    this.beginRecord(arrivalMs);
    this.ensureRoom(end - start);
    this.endRecord(src.copy(this.buf, this.bytes, start, end));
  }

  /**
   * Adds one record given as base64 (as PutRecordBatch carries it), decoding straight into the
   * buffer with no intermediate string or Buffer.
   */
  addBase64(base64: string, arrivalMs: number): void {
    this.beginRecord(arrivalMs);
    // Decoded size is at most 3/4 of the base64 length.
    this.ensureRoom((base64.length * 3) >> 2);
    this.endRecord(this.buf.write(base64, this.bytes, "base64"));
  }

  /** Before a record arrives: delivers the buffer if its interval has passed, and dates a new one. */
  private beginRecord(arrivalMs: number): void {
    this.flushIfDue(arrivalMs);
    if (this.count === 0) this.firstArrivalMs = arrivalMs;
  }

  /** After a record of `written` bytes went in: counts it, and delivers when the size hint is reached. */
  private endRecord(written: number): void {
    this.bytes += written;
    this.count++;
    if (this.bytes >= this.sizeBytes) this.flush();
  }

  /** Makes sure `need` more bytes fit. */
  private ensureRoom(need: number): void {
    if (this.bytes + need > this.buf.length) this.grow(need);
  }

  /** Replaces the buffer with one that fits `need` more bytes (an oversized record). */
  private grow(need: number): void {
    const bigger = Buffer.allocUnsafe(this.bytes + need + SLACK);
    this.buf.copy(bigger, 0, 0, this.bytes);
    this.buf = bigger;
  }

  /** Delivers the buffer when its interval has passed by `nowMs`. */
  flushIfDue(nowMs: number): void {
    if (this.count > 0 && nowMs - this.firstArrivalMs >= this.intervalMs) this.flush();
  }

  /** Delivers whatever is buffered as one object. */
  flush(): void {
    if (this.count === 0) return;
    const full = this.buf;
    const raw = full.subarray(0, this.bytes);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      // Buffers grown for an oversized record are dropped rather than kept around.
      if (full.length === this.sizeBytes + SLACK && this.spares.length < MAX_SPARES)
        this.spares.push(full);
    };
    this.buf = this.spares.pop() ?? Buffer.allocUnsafe(this.sizeBytes + SLACK);
    const key = firehoseObjectKey({
      prefix: this.prefix,
      stream: this.settings.stream,
      arrivalMs: this.firstArrivalMs,
      uuid: this.uuids.uuid(),
      extension: this.gzip ? ".gz" : "",
    });
    const object: DeliveredObject = {
      key,
      raw,
      release,
      gzipLevel: this.gzip ? this.gzipLevel : 0,
      records: this.count,
      rawBytes: this.bytes,
      firstArrivalMs: this.firstArrivalMs,
    };
    this.count = 0;
    this.bytes = 0;
    this.deliver(object);
  }
}

/** Offset of the gzip header's OS byte, which zlib sets from the build platform. */
export const GZIP_OS_BYTE = 9;
/** The OS byte every sluice gzip file carries: 3 (Unix). */
export const GZIP_OS_UNIX = 3;

/**
 * gzip with a fixed header: zlib already writes mtime 0, and we pin the OS byte to Unix, so the
 * same input gives the same bytes everywhere.
 */
export function deterministicGzip(raw: Buffer, level = defaultGzipLevel): Buffer {
  const out = gzipSync(raw, { level, memLevel: gzipMemLevel, chunkSize: OUT_CHUNK });
  out[GZIP_OS_BYTE] = GZIP_OS_UNIX;
  return out;
}
