import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";

/**
 * Feeds `file`'s bytes to `onChunk` in order, at most `chunkSize` new bytes at a time, through
 * one reused buffer (copy what you keep): a 60 MB manifest read whole costs more CPU in page
 * faults and copies than the work done on it. `onChunk` may return how many bytes of the chunk
 * it used: the rest (e.g. a token cut by the chunk's end) starts the next chunk, the buffer
 * growing when one token fills it; bytes left unused at the end of the file are dropped (the
 * caller tells an unfinished input from its own state). False when the file cannot be opened;
 * a read error, or an error thrown by `onChunk`, propagates (the file is closed either way).
 *
 * @example readChunks("manifest.json", 1 << 20, (chunk) => hash.update(chunk))
 */
export function readChunks(
  file: string,
  chunkSize: number,
  onChunk: (chunk: Buffer) => number | void,
): boolean {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return false;
  }
  try {
    let buffer = Buffer.allocUnsafe(chunkSize);
    let kept = 0;
    for (;;) {
      if (kept === buffer.length) {
        const bigger = Buffer.allocUnsafe(buffer.length * 2);
        buffer.copy(bigger, 0, 0, kept);
        buffer = bigger;
      }
      const n = readSync(fd, buffer, kept, Math.min(chunkSize, buffer.length - kept), null);
      if (n <= 0) return true;
      const end = kept + n;
      const used = onChunk(buffer.subarray(0, end)) ?? end;
      kept = end - used;
      if (kept > 0) buffer.copy(buffer, 0, used, end);
    }
  } finally {
    closeSync(fd);
  }
}

/** Bytes hashed at a time by {@link digestOfBytes}: one buffer reused. */
const HASH_CHUNK = 1 << 20;

/**
 * sha256 (hex) of `length` bytes of the open file `fd` from `from` (default: its first), read a
 * MB at a time (a 60 MB manifest read whole cost more CPU in page faults and copies than hashing
 * it). Throws when the file is shorter.
 */
export function digestOfBytes(fd: number, length: number, from = 0): string {
  const h = createHash("sha256");
  const buffer = Buffer.allocUnsafe(Math.min(HASH_CHUNK, Math.max(1, length)));
  for (let done = 0; done < length; done += buffer.length)
    h.update(readInto(fd, buffer, from + done, Math.min(buffer.length, length - done)));
  return h.digest("hex");
}

/** `length` bytes of the open file `fd` from `position`. Throws when the file is shorter. */
export function readAt(fd: number, position: number, length: number): Buffer {
  return readInto(fd, Buffer.allocUnsafe(length), position, length);
}

/** `buffer`'s first `length` bytes filled from `fd` at `position` (readSync may read less). */
export function readInto(fd: number, buffer: Buffer, position: number, length: number): Buffer {
  for (let done = 0; done < length;) {
    const n = readSync(fd, buffer, done, length - done, position + done);
    if (n <= 0) throw new Error(`file ends before byte ${position + length}`);
    done += n;
  }
  return buffer.subarray(0, length);
}
