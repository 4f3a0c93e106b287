import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ChunkWriter } from "./chunk-writer.js";

/** A range [from, to) of a source file's bytes, copied with {@link ChunkWriter.fileRange}. */
type Range = { from: number; to: number };

/**
 * Pieces through a ChunkWriter into a file: the file's bytes and what onBytes saw. A range is
 * copied from `source` (written to a file first).
 */
function written(
  pieces: (string | Buffer | Range)[],
  source = Buffer.alloc(0),
): { file: Buffer; seen: Buffer; length: number } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-chunks-"));
  try {
    const file = path.join(dir, "out");
    writeFileSync(path.join(dir, "source"), source);
    const from = openSync(path.join(dir, "source"), "r");
    const fd = openSync(file, "w");
    const seen: Buffer[] = [];
    const out = new ChunkWriter(fd, (bytes) => seen.push(Buffer.from(bytes)));
    try {
      for (const piece of pieces) {
        if (typeof piece === "string") out.text(piece);
        else if (Buffer.isBuffer(piece)) out.bytes(piece);
        else out.fileRange(from, piece.from, piece.to);
      }
      out.end();
    } finally {
      closeSync(fd);
      closeSync(from);
    }
    return { file: readFileSync(file), seen: Buffer.concat(seen), length: out.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("ChunkWriter", () => {
  it("writes the pieces' UTF-8 bytes in order, across buffer and slice boundaries", () => {
    // A surrogate pair at every odd position: a slice cut anywhere could split one.
    const long = "😀a".repeat(700_000); // 2.1 M UTF-16 units, 3.5 MB
    const pieces: (string | Buffer)[] = [
      "{",
      "é".repeat(400_000), // fits no partly filled buffer: written after a flush
      Buffer.from("copied bytes"),
      long,
      "x".repeat(1 << 20),
      "",
      "}\n",
    ];
    const expected = Buffer.concat(pieces.map((p) => (typeof p === "string" ? Buffer.from(p) : p)));
    const { file, seen, length } = written(pieces);
    expect(file.equals(expected)).toBe(true);
    expect(seen.equals(expected)).toBe(true);
    expect(length).toBe(expected.length);
  });

  it("copies byte ranges of another file in order with the texts, larger than its buffer", () => {
    const source = Buffer.from(Array.from({ length: 3_000_000 }, (_, i) => (i * 7) % 251));
    const ranges = [
      { from: 5, to: 2_500_000 },
      { from: 0, to: 0 },
      { from: 2_999_990, to: 3_000_000 },
    ];
    const { file, seen, length } = written(["é{", ranges[0]!, ",", ranges[1]!, ranges[2]!], source);
    const expected = Buffer.concat([
      Buffer.from("é{"),
      source.subarray(5, 2_500_000),
      Buffer.from(","),
      source.subarray(2_999_990),
    ]);
    expect(file.equals(expected)).toBe(true);
    expect(seen.equals(expected)).toBe(true);
    expect(length).toBe(expected.length);
  });

  it("fails on a range past the end of the file copied from", () => {
    expect(() => written([{ from: 90, to: 120 }], Buffer.alloc(100))).toThrow(
      "file ends before byte 120",
    );
  });

  it("keeps two writers filling at once apart (their buffers are shared once written)", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-chunks-"));
    try {
      const files = ["outer", "inner"].map((name) => path.join(dir, name));
      const [outerFd, innerFd] = files.map((file) => openSync(file, "w"));
      // The outer writer's onBytes feeds the inner one while the outer holds its bytes.
      const inner = new ChunkWriter(innerFd!);
      const outer = new ChunkWriter(outerFd!, (bytes) => inner.text(`<${bytes.length}>`));
      outer.text("a".repeat(300_000));
      inner.text("i");
      outer.text("b".repeat(300_000)); // flushes the outer: inner writes while it holds bytes
      inner.text("b".repeat(300_000));
      outer.end();
      inner.end();
      [outerFd, innerFd].forEach((fd) => closeSync(fd!));
      expect(readFileSync(files[0]!, "latin1")).toBe("a".repeat(300_000) + "b".repeat(300_000));
      expect(readFileSync(files[1]!, "latin1")).toBe(`i<300000>${"b".repeat(300_000)}<300000>`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes nothing for no pieces", () => {
    expect(written([]).file.length).toBe(0);
  });
});
