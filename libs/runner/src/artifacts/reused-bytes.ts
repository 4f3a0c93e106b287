/**
 * Fresh memory is what a cold compile pays for most (on a Firecracker VM ~3 ms per MB touched,
 * and a buffer freed is handed back, so fresh again): a text converted to UTF-8 per hash or per
 * write touches as many fresh pages as it has bytes. One buffer, touched once and kept, instead.
 */

/** Texts longer than this (UTF-16 units) get a buffer of their own, not kept for the process. */
const LONGEST_KEPT = 1 << 22;

/** The buffer {@link utf8Bytes} encodes into, grown (doubling) to the longest text seen. */
let scratch = Buffer.allocUnsafe(0);

/**
 * The UTF-8 bytes of `text`, or of its pieces joined (never joining them), as `Buffer.from`
 * gives them (a lone surrogate becomes U+FFFD), in a buffer reused by the next call: use them
 * before calling again (hash, write, compare), never keep them. Hashing or writing a string
 * directly converts it into fresh memory each time, and a long string built by `+=` is first
 * flattened into a fresh copy. Pieces are encoded one by one: a surrogate pair split between two
 * pieces would become two U+FFFD (pieces cut at ASCII, as shards are, never split one).
 *
 * @example hash("sha1", utf8Bytes(text), "base64") === hash("sha1", text, "base64")
 */
export function utf8Bytes(text: string | readonly string[]): Buffer {
  const pieces = typeof text === "string" ? [text] : text;
  let units = 0;
  for (const piece of pieces) units += piece.length;
  if (units > LONGEST_KEPT) return Buffer.from(pieces.join(""));
  // 3 bytes per UTF-16 unit at most: the text always fits without measuring it first.
  if (units * 3 > scratch.length) {
    let size = Math.max(scratch.length, 1 << 16);
    while (size < units * 3) size *= 2;
    scratch = Buffer.allocUnsafe(size);
  }
  let length = 0;
  for (const piece of pieces) length += scratch.write(piece, length);
  return scratch.subarray(0, length);
}
