import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeHeadedFile } from "./headed-file.js";
import { jsonPieces } from "./json-pieces.js";

describe("writeHeadedFile", () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const tempDir = (): string => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-headed-"));
    dirs.push(dir);
    return dir;
  };

  it("writes the header line then the body, byte for byte, and leaves no temporary file", () => {
    const dir = tempDir();
    const file = path.join(dir, "cache.json");
    writeFileSync(file, "old header\nold body that is longer than the new one");
    // Multi-byte characters and a body larger than one write buffer.
    const body = JSON.stringify({ text: "é ✓ ".repeat(200_000) });
    writeHeadedFile(file, '{"format":1}', body);
    expect(readFileSync(file, "utf8")).toBe(`{"format":1}\n${body}`);
    expect(readdirSync(dir)).toEqual(["cache.json"]);
  });

  it("writes a body given as pieces exactly as its joined text, across write batches", () => {
    const dir = tempDir();
    const file = path.join(dir, "memo.json");
    // About 3 MB of multi-byte text in 60,000 pieces: several batches, split mid-object.
    const value = {
      models: Object.fromEntries(
        Array.from({ length: 20_000 }, (_, i) => [`model.m_${i}`, { sql: `select 'é ✓ ${i}'` }]),
      ),
      tail: [1, undefined, "😀".repeat(600_000)],
    };
    writeHeadedFile(file, "h", jsonPieces(value, 2));
    expect(readFileSync(file, "utf8")).toBe(`h\n${JSON.stringify(value)}`);
    expect(readdirSync(dir)).toEqual(["memo.json"]);
  });
});
