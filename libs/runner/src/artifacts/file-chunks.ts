import { closeSync, openSync, readSync } from "node:fs";

/**
 * Feeds `file`'s bytes to `onChunk` in order, `chunkSize` at a time, through one reused buffer
 * (copy what you keep): a 60 MB manifest read whole costs more CPU in page faults and copies than
 * the work done on it. False when the file cannot be opened; a read error, or an error thrown by
 * `onChunk`, propagates (the file is closed either way).
 */
export function readChunks(
  file: string,
  chunkSize: number,
  onChunk: (chunk: Buffer) => void,
): boolean {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return false;
  }
  try {
    const chunk = Buffer.allocUnsafe(chunkSize);
    for (let n = readSync(fd, chunk, 0, chunkSize, null); n > 0;) {
      onChunk(chunk.subarray(0, n));
      n = readSync(fd, chunk, 0, chunkSize, null);
    }
    return true;
  } finally {
    closeSync(fd);
  }
}
