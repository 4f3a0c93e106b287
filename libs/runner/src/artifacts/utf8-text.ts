import { isAscii } from "node:buffer";
import { closeSync, fstatSync, openSync, readFileSync, readSync } from "node:fs";

/**
 * UTF-8 bytes as text, the same as `bytes.toString("utf8")`: decoded as Latin-1 when they are
 * all ASCII (then the same text, copied byte for byte). Node 20's UTF-8 decode took 70-90 ms
 * of CPU for a 5 MB sidecar at 10,000 models; reading the bytes, checking and copying them
 * 1-15 ms once the pages are in memory. Every big artifact read (manifest, partial_parse.json,
 * the compile memo's segments) decodes through this.
 *
 * @example utf8Text(Buffer.from("é")) // "é"
 */
export const utf8Text = (bytes: Buffer): string =>
  bytes.toString(isAscii(bytes) ? "latin1" : "utf8");

/** Files up to this size are read into {@link scratch}; a bigger one into a buffer of its own. */
const SCRATCH_LIMIT = 16 << 20;

/**
 * The buffer {@link readUtf8Lines} reads into, kept for the next read (grown to the biggest file
 * read, up to {@link SCRATCH_LIMIT}). Its bytes are decoded into a string of their own before
 * `readUtf8Lines` returns, so nothing outside sees them.
 */
let scratch = Buffer.alloc(0);

/**
 * `file` as text, the same as `readFileSync(file, "utf8")` (decoded by {@link utf8Text}). Not
 * through {@link scratch}: measured at 10,000 models (#14), reading every file into it saved a
 * one-edit compile ~1,200 page faults of ~40,000 but cost the first `ls` after a compile ~10,000
 * more (58,500 -> 68,500: the revive reads partial_parse.json and the memo segments this way).
 *
 * @example JSON.parse(readUtf8("target/manifest.json"))
 */
export const readUtf8 = (file: string): string => utf8Text(readFileSync(file));

/** Bytes {@link readUtf8Lines} reads at a time while it looks for its newline. */
const LINES_CHUNK = 1 << 20;

/**
 * `file` read up to its `lines`-th newline through the reused buffer (see {@link scratch}): the
 * text before that newline, decoded as {@link readUtf8} decodes, and the bytes from it to the
 * end of the file in a Buffer of their own (what the caller keeps as bytes); undefined when the
 * file holds fewer newlines. Throws as readFileSync does.
 *
 * For partial_parse.json (see the CLI's context-text.ts): its header and first line are decoded,
 * the model properties after them kept as bytes. At 10,000 models the whole file is 10.5 MB: read
 * into a Buffer of its own, it was that many fresh pages, then only a copy of the 6 MB decoded.
 *
 * @example readUtf8Lines("target/partial_parse.json", 2) // { text: "<header>\n<head>", rest }
 */
export function readUtf8Lines(
  file: string,
  lines: number,
): { text: string; rest: Buffer } | undefined {
  const fd = openSync(file, "r");
  try {
    // Room for the whole file: only the pages read into are touched, up to the newline.
    let buffer = bufferFor(Math.min(fstatSync(fd).size + 1, SCRATCH_LIMIT));
    let length = 0;
    let seen = 0;
    for (;;) {
      buffer = withRoom(buffer, length, bufferFor);
      const n = readSync(fd, buffer, length, Math.min(LINES_CHUNK, buffer.length - length), null);
      if (n === 0) return undefined;
      const filled = buffer.subarray(0, length + n);
      for (let at = filled.indexOf(10, length); at >= 0; at = filled.indexOf(10, at + 1))
        if (++seen === lines) return linesRead(fd, buffer, at, filled.length);
      length = filled.length;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * {@link readUtf8Lines}' result once its newline is found at `at` in `buffer`, which holds the
 * file's first `length` bytes: the rest of the file read after them, into the rest's own Buffer.
 */
function linesRead(
  fd: number,
  buffer: Buffer,
  at: number,
  length: number,
): { text: string; rest: Buffer } {
  const text = utf8Text(buffer.subarray(0, at));
  // The size is a hint: a file that grows meanwhile is read to its end, as readFileSync does.
  const rest = Buffer.allocUnsafe(Math.max(fstatSync(fd).size - at, length - at) + 1);
  const held = buffer.copy(rest, 0, at, length);
  return { text, rest: readToEnd(fd, rest, held) };
}

/**
 * The bytes of `buffer`'s first `length` and of `fd` read from its position to its end after
 * them, in `buffer` or, when full, in a new buffer twice its size.
 */
function readToEnd(fd: number, buffer: Buffer, length: number): Buffer {
  for (;;) {
    buffer = withRoom(buffer, length, (size) => Buffer.allocUnsafe(size));
    const n = readSync(fd, buffer, length, buffer.length - length, null);
    if (n === 0) return buffer.subarray(0, length);
    length += n;
  }
}

/** `buffer` when it has room past its first `length` bytes, else them in one twice its size. */
function withRoom(buffer: Buffer, length: number, allocate: (size: number) => Buffer): Buffer {
  if (length < buffer.length) return buffer;
  const bigger = allocate(buffer.length * 2);
  buffer.copy(bigger, 0, 0, length);
  return bigger;
}

/** A buffer of at least `size` bytes: {@link scratch} (grown) unless `size` is past its limit. */
function bufferFor(size: number): Buffer {
  if (size > SCRATCH_LIMIT) return Buffer.allocUnsafe(size);
  // Grown by whole 64 KiB, so a file a few bytes bigger than the last does not replace it.
  if (scratch.length < size) scratch = Buffer.allocUnsafe(Math.ceil(size / 65536) * 65536);
  return scratch;
}
