/** Mixes 32-bit words into one 32-bit hash (murmur3 finalizer over a running state). */
export function hash32(...words: number[]): number {
  let h = 0x9e3779b9;
  for (const w of words) {
    h = Math.imul(h ^ (w >>> 0), 0x85ebca6b);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** A stable 32-bit number for a string, for deriving PRNG streams from names. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** {@link Prng.uuid}'s 36 bytes before they become a string; shared, as the copy is immediate. */
const uuidScratch = Buffer.alloc(36);
/** Char codes of the hex digits 0-f. */
const hexCodes: number[] = Array.from({ length: 16 }, (_, i) => i.toString(16).charCodeAt(0));

/**
 * A small, fast seeded PRNG (sfc32). The same seed words always give the same sequence on every
 * machine, which is what makes generated files byte-identical; we avoid Math.random and
 * crypto.randomUUID for that reason.
 *
 * @example
 * const rng = new Prng(42, hashString("objects"));
 * rng.next(); // in [0, 1)
 */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(...seedWords: number[]) {
    this.a = hash32(1, ...seedWords);
    this.b = hash32(2, ...seedWords);
    this.c = hash32(3, ...seedWords);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** A uniform unsigned 32-bit integer. */
  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** A uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** A uniformly chosen element. */
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** A uniform index in [0, length): the index {@link pick} would choose, from the same draw. */
  index(length: number): number {
    return Math.floor(this.next() * length);
  }

  /** An exponentially distributed value with the given mean. */
  exp(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** A version-4-shaped UUID drawn from this stream (deterministic for the seed). */
  uuid(): string {
    // latin1 decoding gives one flat string: concatenating pieces would leave a tree of cons
    // strings (~500 bytes) behind every id, which events that wait for later batches keep alive.
    this.uuidInto(uuidScratch, 0);
    return uuidScratch.toString("latin1", 0, 36);
  }

  /**
   * Writes {@link uuid}'s 36 ASCII characters into `buf` at `at` (the same draws, so the same id
   * for the same stream position) without making a string; returns the offset after it.
   */
  uuidInto(buf: Uint8Array, at: number): number {
    const h = hexCodes;
    const w0 = this.uint32();
    const w1 = this.uint32();
    const w2 = this.uint32();
    const w3 = this.uint32();
    for (let s = 28; s >= 0; s -= 4) buf[at++] = h[(w0 >>> s) & 15]!;
    buf[at++] = 45;
    for (let s = 28; s >= 16; s -= 4) buf[at++] = h[(w1 >>> s) & 15]!;
    buf[at++] = 45;
    buf[at++] = h[4]!;
    for (let s = 8; s >= 0; s -= 4) buf[at++] = h[(w1 >>> s) & 15]!;
    buf[at++] = 45;
    buf[at++] = h[8 | ((w2 >>> 28) & 3)]!;
    for (let s = 24; s >= 16; s -= 4) buf[at++] = h[(w2 >>> s) & 15]!;
    buf[at++] = 45;
    for (let s = 12; s >= 0; s -= 4) buf[at++] = h[(w2 >>> s) & 15]!;
    for (let s = 28; s >= 0; s -= 4) buf[at++] = h[(w3 >>> s) & 15]!;
    return at;
  }
}

/**
 * Draws indexes in proportion to weights in O(log n) (cumulative table + binary search).
 */
export class WeightedPicker<T> {
  private readonly cumulative: number[];
  private readonly total: number;

  constructor(
    readonly items: readonly T[],
    weights: readonly number[],
  ) {
    let sum = 0;
    this.cumulative = weights.map((w) => (sum += w));
    this.total = sum;
  }

  pick(rng: Prng): T {
    return this.items[this.pickIndex(rng)] as T;
  }

  /** The index of the item {@link pick} would choose, from the same draw. */
  pickIndex(rng: Prng): number {
    const x = rng.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid]! > x) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
