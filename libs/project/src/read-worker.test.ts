import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Diagnostic } from "./diagnostics.js";
import { readBytesInWorker } from "./read-worker.js";
import { readFiles, readFilesAside } from "./walk.js";

// Bytes the worker must hand back unchanged: empty, multi-byte, a BOM, invalid UTF-8 (reported
// at its position), a byte split across what would be neighbouring files' boundaries.
const files: Record<string, Uint8Array> = {
  "a/empty.sql": new Uint8Array(),
  "a/plain.sql": Buffer.from("select 1 as n\n"),
  "b/accents.sql": Buffer.from("select 'Côte d’Ivoire 🌍' as c\n"),
  "b/bom.sql": Buffer.from("\uFEFFselect 2\n"),
  "c/latin1.sql": Buffer.from("select 'caf\xe9'\n-- x\n", "latin1"),
  "c/truncated.sql": Buffer.from([0x73, 0x65, 0xe2, 0x82]),
};

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sluice-read-worker-"));
  for (const [rel, bytes] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), bytes);
  }
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("readFilesAside (the model files read on a worker thread)", () => {
  it("gives the files, texts and diagnostics that readFiles gives", async () => {
    const rels = Object.keys(files);
    const inline: Diagnostic[] = [];
    const aside: Diagnostic[] = [];
    const expected = readFiles(dir, rels, inline);
    expect(await readFilesAside(dir, rels, aside, 0)).toEqual(expected);
    expect(aside).toEqual(inline);
    expect(expected[2]!.text).toBe("select 'Côte d’Ivoire 🌍' as c\n");
    expect(inline.map((d) => [d.code, d.at])).toEqual([
      ["INVALID_UTF8", { file: "c/latin1.sql", line: 1, column: 12 }],
      ["INVALID_UTF8", { file: "c/truncated.sql", line: 1, column: 3 }],
    ]);
  });

  it("rejects with readFileSync's error for a file that cannot be read", async () => {
    const rels = ["a/plain.sql", "a/gone.sql"];
    let thrown: NodeJS.ErrnoException | undefined;
    try {
      readFiles(dir, rels, []);
    } catch (e) {
      thrown = e as NodeJS.ErrnoException;
    }
    const rejected = await readFilesAside(dir, rels, [], 0).catch((e: unknown) => e);
    expect(rejected).toBeInstanceOf(Error);
    expect(rejected).toMatchObject({
      message: thrown!.message,
      code: "ENOENT",
      path: path.join(dir, "a/gone.sql"),
    });
  });

  it("reads on the worker (not the calling thread's fallback), an empty list too", async () => {
    const read = await readBytesInWorker([
      path.join(dir, "b/bom.sql"),
      path.join(dir, "a/plain.sql"),
    ]);
    expect(read && [Buffer.from(read.bytes).toString("latin1"), [...read.ends]]).toEqual([
      Buffer.concat([files["b/bom.sql"]!, files["a/plain.sql"]!]).toString("latin1"),
      [files["b/bom.sql"]!.length, files["b/bom.sql"]!.length + files["a/plain.sql"]!.length],
    ]);
    expect(await readFilesAside(dir, [], [], 0)).toEqual([]);
  });
});
