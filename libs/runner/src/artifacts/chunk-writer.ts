import { closeSync, openSync, writeSync } from "node:fs";
import { readInto } from "./file-chunks.js";

/** Bytes of a {@link ChunkWriter}'s buffer (one, reused for the whole file). */
const CHUNK = 1 << 20;

/** Characters of a long text encoded at a time (3 UTF-8 bytes at most each: one fits). */
const SLICE = CHUNK / 4;

/**
 * Buffers of {@link CHUNK} bytes no writer holds. A writer takes one while it holds unwritten
 * bytes (or copies a file range) and gives it back once written: the 256 compile-memo segments
 * and the sidecars of a cold compile at 10,000 models share a MB or two, touched once, instead
 * of each touching fresh pages for all it wrote (a buffer of its own, freed after). Two writers
 * filling at once (one feeding the other) each hold their own.
 */
const spareBuffers: Buffer[] = [];

/**
 * Writes texts and bytes to an open file in order, encoding texts into a reused 1 MB buffer
 * written when full (shared with the other writers of the process, see spareBuffers). At 10,000 models the manifest is 65 MB and the cached compile 10 MB: a
 * fresh Buffer per MB (or one for the whole file) touched that many fresh pages, ~45% of a cold
 * compile's page faults. `onBytes` sees every byte written, in order (e.g. to hash them), before
 * the buffer is reused. Call {@link end} once the last piece is in; the caller closes `fd`.
 *
 * @example
 * const out = new ChunkWriter(fd);
 * out.text('{"a":'); out.bytes(copied); out.text("}\n"); out.end();
 */
export class ChunkWriter {
  /** The buffer taken while it holds `used` unwritten bytes (see spareBuffers). */
  private buffer: Buffer | undefined;
  private used = 0;
  /** Bytes written or held so far (where the next piece starts in the file). */
  length = 0;
  constructor(
    private readonly fd: number,
    private readonly onBytes: (bytes: Buffer) => void = () => {},
  ) {}

  /** Append `text` UTF-8 encoded. */
  text(text: string): void {
    if (text.length * 3 > CHUNK - this.used) {
      if (text.length > SLICE) return this.longText(text);
      this.flush();
    }
    this.buffer ??= spareBuffers.pop() ?? Buffer.allocUnsafe(CHUNK);
    const wrote = this.buffer.write(text, this.used);
    this.used += wrote;
    this.length += wrote;
  }

  /** Append `bytes` (written at once, after what the buffer holds). */
  bytes(bytes: Buffer): void {
    this.flush();
    this.writeOut(bytes);
    this.length += bytes.length;
  }

  /**
   * Append bytes [from, to) of the open file `source`, read into the same reused buffer a MB at
   * a time: a copy of most of a previous file (the manifest's unchanged entries) never holds
   * that file in memory.
   */
  fileRange(source: number, from: number, to: number): void {
    this.flush();
    const buffer = spareBuffers.pop() ?? Buffer.allocUnsafe(CHUNK);
    for (let at = from; at < to; at += CHUNK) {
      const bytes = readInto(source, buffer, at, Math.min(CHUNK, to - at));
      this.writeOut(bytes);
      this.length += bytes.length;
    }
    spareBuffers.push(buffer);
  }

  /** Write what the buffer holds. */
  end(): void {
    this.flush();
  }

  /** A text too long for one buffer, a slice at a time (never splitting a surrogate pair). */
  private longText(text: string): void {
    for (let from = 0; from < text.length;) {
      let to = Math.min(from + SLICE, text.length);
      const last = text.charCodeAt(to - 1);
      if (to < text.length && last >= 0xd800 && last <= 0xdbff) to -= 1;
      this.text(text.slice(from, to));
      from = to;
    }
  }

  /** Write what the buffer holds and give the buffer back. */
  private flush(): void {
    const buffer = this.buffer;
    if (buffer === undefined) return;
    if (this.used > 0) this.writeOut(buffer.subarray(0, this.used));
    this.used = 0;
    this.buffer = undefined;
    spareBuffers.push(buffer);
  }

  private writeOut(bytes: Buffer): void {
    this.onBytes(bytes);
    // writeSync may write less than asked.
    for (let done = 0; done < bytes.length;)
      done += writeSync(this.fd, bytes, done, bytes.length - done);
  }
}

/**
 * Write `pieces` (texts and UTF-8 bytes, in order) to `file` (created or truncated) through a
 * {@link ChunkWriter}: no piece is joined to another or encoded into a Buffer of its own (a
 * `writeFileSync` of a 2 MB text encodes it into a fresh 2 MB Buffer first).
 *
 * @example writePieces("target/.manifest-index.json", [JSON.stringify(index)])
 */
export function writePieces(file: string, pieces: Iterable<string | Buffer>): void {
  const fd = openSync(file, "w");
  try {
    const out = new ChunkWriter(fd);
    for (const piece of pieces) {
      if (typeof piece === "string") out.text(piece);
      else out.bytes(piece);
    }
    out.end();
  } finally {
    closeSync(fd);
  }
}
