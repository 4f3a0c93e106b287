import { closeSync, openSync, writeSync } from "node:fs";
import { constants, createGzip, type Gzip } from "node:zlib";
import { GZIP_OS_BYTE, GZIP_OS_UNIX, gzipMemLevel } from "./firehose-buffer.js";

/**
 * zlib's output chunk for a lane. Each chunk is written to the file as soon as it is produced
 * and dies young (a scavenge frees it), so no compressed object is ever held whole; smaller
 * chunks cost more thread-pool round trips.
 */
const LANE_CHUNK = 128 * 1024;
/** Every zlib stream has `reset()` (deflateReset: for gzip, a new member); the typings list it only for deflate and inflate. */
type ResettableGzip = Gzip & { reset(): void };

/**
 * One long-lived gzip stream on libuv's thread pool that compresses objects one after another,
 * each into a file of its own (a complete gzip member: the stream is reset between objects).
 * Compared with `zlib.gzip` per object, nothing big is allocated per object: no zlib state, no
 * whole-object output buffer, no final copy. Those allocations outlived the young generation and
 * piled up as external memory between full collections, which is what grew the RSS.
 */
export class GzipLane {
  private readonly gz: ResettableGzip;
  private fd = -1;
  /** Bytes of the current member written so far. */
  private written = 0;
  private failure: unknown;
  private rejectPending: ((err: unknown) => void) | undefined;

  constructor(readonly level: number) {
    this.gz = createGzip({
      level,
      memLevel: gzipMemLevel,
      chunkSize: LANE_CHUNK,
    }) as ResettableGzip;
    this.gz.on("data", (chunk: Buffer) => this.take(chunk));
    this.gz.on("error", (err) => {
      this.failure ??= err;
      this.rejectPending?.(err);
    });
  }

  /**
   * Compresses `raw` into a new file at `path`; resolves with the file's size once it is
   * written and closed. `raw` must not change until then. One object at a time per lane; a
   * lane that failed stays failed.
   */
  compress(raw: Buffer, path: string): Promise<number> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.rejectPending = (err) => {
        this.rejectPending = undefined;
        this.closeFile();
        reject(err);
      };
      try {
        this.fd = openSync(path, "w");
      } catch (err) {
        return this.rejectPending(err);
      }
      this.written = 0;
      this.gz.write(raw);
      // Z_FINISH ends the gzip member; its callback runs once all of it has been through zlib.
      this.gz.flush(constants.Z_FINISH, () => {
        if (this.rejectPending === undefined) return;
        // Output is emitted before this callback in flowing mode; drain anything still buffered.
        for (let chunk: Buffer | null; (chunk = this.gz.read() as Buffer | null) !== null;)
          this.take(chunk);
        if (this.failure !== undefined) return this.rejectPending(this.failure);
        this.rejectPending = undefined;
        this.closeFile();
        // Starts the next member: a fresh header, CRC and size.
        this.gz.reset();
        resolve(this.written);
      });
    });
  }

  /** Frees zlib's state. */
  close(): void {
    this.gz.close();
  }

  private take(chunk: Buffer): void {
    if (this.failure !== undefined) return;
    try {
      if (this.written <= GZIP_OS_BYTE && GZIP_OS_BYTE < this.written + chunk.length)
        chunk[GZIP_OS_BYTE - this.written] = GZIP_OS_UNIX;
      for (let at = 0; at < chunk.length;) at += writeSync(this.fd, chunk, at);
      this.written += chunk.length;
    } catch (err) {
      // Reported when the member is finished, so zlib is idle before the lane is dropped.
      this.failure = err;
    }
  }

  private closeFile(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    try {
      closeSync(fd);
    } catch (err) {
      this.failure ??= err;
    }
  }
}
