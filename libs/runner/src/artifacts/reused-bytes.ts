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
 * `text`'s UTF-8 bytes (as `Buffer.from(text)`: a lone surrogate becomes U+FFFD), in a buffer
 * reused by the next call: use them before calling again (hash, write, compare), never keep
 * them. Hashing or writing a string directly converts it into fresh memory each time.
 *
 * @example hash("sha1", utf8Bytes(text), "base64") === hash("sha1", text, "base64")
 */
export function utf8Bytes(text: string): Buffer {
  // 3 bytes per UTF-16 unit at most: the text always fits without measuring it first.
  const most = text.length * 3;
  if (text.length > LONGEST_KEPT) return Buffer.from(text);
  if (most > scratch.length) {
    let size = Math.max(scratch.length, 1 << 16);
    while (size < most) size *= 2;
    scratch = Buffer.allocUnsafe(size);
  }
  return scratch.subarray(0, scratch.write(text, 0));
}
