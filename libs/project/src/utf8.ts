import { positionAt } from "./diagnostics.js";

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lossy = new TextDecoder("utf-8", { ignoreBOM: true });

/** Lowest valid second byte of a sequence led by `lead` (rejects overlongs), and the highest. */
function secondByteRange(lead: number): [number, number] {
  if (lead === 0xe0) return [0xa0, 0xbf];
  if (lead === 0xed) return [0x80, 0x9f]; // no UTF-16 surrogates
  if (lead === 0xf0) return [0x90, 0xbf];
  if (lead === 0xf4) return [0x80, 0x8f]; // nothing above U+10FFFF
  return [0x80, 0xbf];
}

/** Index of the first byte that starts an invalid or truncated UTF-8 sequence, or -1. */
export function firstInvalidByte(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i]!;
    const extra =
      lead < 0x80 ? 0 : lead < 0xc2 ? -1 : lead < 0xe0 ? 1 : lead < 0xf0 ? 2 : lead < 0xf5 ? 3 : -1;
    if (extra < 0) return i;
    const [low, high] = secondByteRange(lead);
    for (let k = 1; k <= extra; k++) {
      const b = bytes[i + k];
      if (b === undefined || b < (k === 1 ? low : 0x80) || b > (k === 1 ? high : 0xbf)) return i;
    }
    i += extra + 1;
  }
  return -1;
}

/**
 * Text of a project file's bytes. Invalid UTF-8 is not silently replaced: `badByte` gives the
 * 1-based line and column (in characters of the valid text before it) of the first bad byte;
 * `text` is then the lossy decoding, so loading can go on and report the other files too.
 *
 * @example decodeUtf8(Buffer.from([0x61, 0x0a, 0xff])) // { text: "a\n\uFFFD", badByte: { line: 2, column: 1, byte: 0xff } }
 */
export function decodeUtf8(bytes: Uint8Array): {
  text: string;
  badByte?: { line: number; column: number; byte: number };
} {
  try {
    return { text: decoder.decode(bytes) };
  } catch {
    const offset = firstInvalidByte(bytes);
    const before = lossy.decode(bytes.subarray(0, Math.max(0, offset)));
    return {
      text: lossy.decode(bytes),
      badByte: { ...positionAt(before, before.length), byte: bytes[offset] ?? 0 },
    };
  }
}
