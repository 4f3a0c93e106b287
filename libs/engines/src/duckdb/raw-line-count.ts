/**
 * The newline-delimited records of a raw file's bytes, counted from the bytes alone: every `\n`
 * ends a record, and bytes after the last one are one more. Empty, whitespace-only, NUL-bearing,
 * invalid-UTF-8 and oversized lines all count. This is the reconciliation's independent side: it
 * shares nothing with the reader that feeds the SQL (no decoding, no splitting, no engine).
 *
 * @example countRecords(Buffer.from('{"a":1}\n\n{"b":2}')) // 3
 */
export function countRecords(bytes: Uint8Array): number {
  let n = 0;
  let at = bytes.indexOf(10);
  while (at >= 0) {
    n++;
    at = bytes.indexOf(10, at + 1);
  }
  return bytes.length > 0 && bytes[bytes.length - 1] !== 10 ? n + 1 : n;
}

/** Whether the bytes start with gzip's magic number (the extension is not trusted: `.GZ`, none). */
export const isGzip = (bytes: Uint8Array): boolean =>
  bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
