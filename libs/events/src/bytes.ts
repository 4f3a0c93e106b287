// Small helpers for writing JSON lines straight into a Buffer (ASCII text, no strings in between).

/** A string's UTF-8 bytes, for constant pieces encoded once. */
export const utf8 = (s: string): Buffer => Buffer.from(s, "utf8");

/**
 * Copies `src` into `buf` at `at`; returns the offset after it. TypedArray#set is a memmove but
 * costs a call, so the shortest pieces are copied in a loop.
 */
export function put(buf: Uint8Array, at: number, src: Uint8Array): number {
  const n = src.length;
  if (n <= 16) {
    for (let i = 0; i < n; i++) buf[at + i] = src[i]!;
  } else {
    buf.set(src, at);
  }
  return at + n;
}

/** Writes a non-negative integer in decimal (as JSON and String() write it); returns the offset after it. */
export function putUint(buf: Uint8Array, at: number, n: number): number {
  if (n < 10) {
    buf[at] = 48 + n;
    return at + 1;
  }
  let digits = 1;
  for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
  let x = n;
  for (let i = at + digits - 1; i >= at; i--) {
    const q = Math.floor(x / 10);
    buf[i] = 48 + x - q * 10;
    x = q;
  }
  return at + digits;
}

/** Writes a string known to be ASCII (e.g. a number's text or a date); returns the offset after it. */
export function putAscii(buf: Uint8Array, at: number, s: string): number {
  for (let i = 0; i < s.length; i++) buf[at + i] = s.charCodeAt(i);
  return at + s.length;
}
