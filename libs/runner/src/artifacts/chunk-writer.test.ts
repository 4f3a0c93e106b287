import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ChunkWriter } from "./chunk-writer.js";

/** Pieces through a ChunkWriter into a file: the file's bytes and what onBytes saw. */
function written(pieces: (string | Buffer)[]): { file: Buffer; seen: Buffer; length: number } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-chunks-"));
  try {
    const file = path.join(dir, "out");
    const fd = openSync(file, "w");
    const seen: Buffer[] = [];
    const out = new ChunkWriter(fd, (bytes) => seen.push(Buffer.from(bytes)));
    for (const piece of pieces) {
      if (typeof piece === "string") out.text(piece);
      else out.bytes(piece);
    }
    out.end();
    closeSync(fd);
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

  it("writes nothing for no pieces", () => {
    expect(written([]).file.length).toBe(0);
  });
});
