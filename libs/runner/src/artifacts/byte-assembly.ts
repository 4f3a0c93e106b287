// manifest.json's bytes as writeManifest assembles them: pieces written as they come, runs of
// the previous file's bytes copied, and the digest by ranges (state-index.ts) kept for ranges
// copied whole.
import { createHash } from "node:crypto";
import { ChunkWriter } from "./chunk-writer.js";
import type { ManifestIndex } from "./manifest-index.js";
import { rangesDigest } from "./state-index.js";
import type { IndexedOutput } from "./state-index.js";

/**
 * A run of the previous manifest's bytes being copied: entries that followed each other there,
 * with the separators between them, copied as one piece.
 */
export class CopyRun {
  /** The run's bytes in the previous file: [from, to); none when `from` is undefined. */
  private from: number | undefined;
  private to = 0;
  /** The index position of the run's last entry in the previous file. */
  private last = -1;
  /** Where the run starts in the file being written. */
  private at = 0;
  /** `source`: the previous file, open. */
  constructor(private readonly source: number | undefined) {}

  /**
   * Whether the entry at index position `slot` of the previous file extends the run: it came
   * right after the run's last entry there, in the same section (a run never spans sections).
   * The bytes between the two are then `,"<unique id>":`, exactly the separator this entry gets
   * after the run's last one: no separator is built or compared for it.
   */
  follows(slot: number): boolean {
    return this.from !== undefined && slot === this.last + 1;
  }

  /** Where a byte at `from` of the previous file, inside the run, lands in `out`. */
  offsetOf(from: number): number {
    return this.at + (from - this.from!);
  }

  start(out: ByteAssembly, slot: number, from: number, to: number): void {
    this.from = from;
    this.to = to;
    this.last = slot;
    this.at = out.length;
  }

  extend(slot: number, to: number): void {
    this.last = slot;
    this.to = to;
  }

  flushTo(out: ByteAssembly): void {
    if (this.from === undefined) return;
    out.copy(this.source!, this.from, this.to);
    this.from = undefined;
  }
}

/**
 * A file's bytes written as they come (see ChunkWriter), knowing their length so far (where the
 * next piece starts) and their digest by ranges (see state-index.ts): the bytes are cut in
 * ranges where the writer says ({@link cut}), each hashed on its own, and a range copied whole
 * from the previous file keeps its known sha256 ({@link copyRange}): a one-model change hashes
 * the few ranges it touches, not 60 MB. Copied entries stay bytes: no decoding of the previous
 * file and encoding again.
 */
export class ByteAssembly implements IndexedOutput {
  private hasher = createHash("sha256");
  private hashing = true;
  /** Where the current range starts. */
  private from = 0;
  /** The ranges cut so far: start, length, sha256 (hex). */
  readonly ranges: [number, number, string][] = [];
  private readonly out: ChunkWriter;
  constructor(fd: number) {
    this.out = new ChunkWriter(fd, (bytes) => {
      if (this.hashing) this.hasher.update(bytes);
    });
  }
  get length(): number {
    return this.out.length;
  }
  push(piece: string | Buffer): void {
    if (typeof piece === "string") this.out.text(piece);
    else this.out.bytes(piece);
  }
  /** Append bytes [from, to) of the open file `source` (hashed with the current range). */
  copy(source: number, from: number, to: number): void {
    this.out.fileRange(source, from, to);
  }
  /** End the current range (none when empty): the bytes pushed next start another. */
  cut(): void {
    this.out.end();
    const length = this.out.length - this.from;
    if (length === 0) return;
    this.ranges.push([this.from, length, this.hasher.digest("hex")]);
    this.hasher = createHash("sha256");
    this.from = this.out.length;
  }
  /**
   * Append bytes [from, to) of the open file `source` as a range of their own, whose sha256 is
   * `digest` (known from the write that cut it: not hashed again).
   */
  copyRange(source: number, from: number, to: number, digest: string): void {
    this.cut();
    this.hashing = false;
    try {
      this.out.fileRange(source, from, to);
    } finally {
      this.hashing = true;
    }
    this.ranges.push([this.from, to - from, digest]);
    this.from = this.out.length;
  }
  /** The ranges so far (the current one ended): their lengths and digest. */
  rangesSoFar(): { lengths: number[]; digest: string } {
    this.cut();
    return {
      lengths: this.ranges.map(([, length]) => length),
      digest: rangesDigest(this.ranges.map(([, length, digest]) => [length, digest] as const)),
    };
  }
  /** Write what is left. */
  finish(): void {
    this.out.end();
  }
}

/** The sha256 of a previous manifest's range at (start, length), when one was cut there. */
export type KnownRange = (start: number, length: number) => string | undefined;

/** {@link KnownRange} of the manifest `index` describes (see ByteAssembly), or of none. */
export function knownRanges(index: ManifestIndex | undefined): KnownRange {
  const lookup = new Map<number, [number, string]>(
    index?.ranges.map(([from, size, digest]) => [from, [size, digest]]),
  );
  return (start, length) => {
    const range = lookup.get(start);
    return range?.[0] === length ? range[1] : undefined;
  };
}
