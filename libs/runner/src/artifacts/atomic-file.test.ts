import { execFileSync } from "node:child_process";
import {
  chmodSync,
  createReadStream,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { replaceThroughTemp, writeFileAtomic, writeFileAtomicSync } from "./atomic-file.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "sluice-atomic-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("writeFileAtomic", () => {
  it("replaces the file whole, keeping its mode, and leaves no temporary file", async () => {
    const file = path.join(dir, "run_results.json");
    writeFileSync(file, "old");
    chmodSync(file, 0o640);
    await writeFileAtomic(file, "new");
    expect(readFileSync(file, "utf8")).toBe("new");
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(["run_results.json"]);
  });

  it("follows a link (the link stays) and writes what is not a regular file as it is", async () => {
    const kept = path.join(dir, "kept.yml");
    writeFileSync(kept, "old");
    symlinkSync(kept, path.join(dir, "sluice.yml"));
    await writeFileAtomic(path.join(dir, "sluice.yml"), "new");
    expect(lstatSync(path.join(dir, "sluice.yml")).isSymbolicLink()).toBe(true);
    expect(readFileSync(kept, "utf8")).toBe("new");
    // A FIFO (as /dev/stdout would be a device): written through, never renamed over.
    const fifo = path.join(dir, "out.json");
    execFileSync("mkfifo", [fifo]);
    const reading = new Promise<string>((resolve) => {
      const chunks: Buffer[] = [];
      createReadStream(fifo)
        .on("data", (c) => chunks.push(c as Buffer))
        .on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    });
    await writeFileAtomic(fifo, "through");
    expect(await reading).toBe("through");
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it("a write that fails leaves the old file as it was and its error as thrown", async () => {
    const file = path.join(dir, "sources.json");
    writeFileSync(file, "old");
    // The temporary path taken by a folder: the write fails as a full disk's would, midway.
    mkdirSync(path.join(dir, `sources.json.${process.pid}.tmp`));
    await expect(writeFileAtomic(file, "new")).rejects.toMatchObject({ code: "EISDIR" });
    expect(readFileSync(file, "utf8")).toBe("old");
  });

  it("a folder in the file's place is not renamed over: the write fails, nothing is left", async () => {
    const file = path.join(dir, "lineage.json");
    mkdirSync(path.join(file, "occupied"), { recursive: true });
    await expect(writeFileAtomic(file, "new")).rejects.toMatchObject({ code: "EISDIR" });
    expect(readdirSync(dir)).toEqual(["lineage.json"]);
  });
});

describe("replaceThroughTemp", () => {
  it("a write that fails midway removes its temporary file (a full disk keeps its space)", () => {
    const file = path.join(dir, "partial_parse.json");
    writeFileSync(file, "old");
    const full = Object.assign(new Error("ENOSPC: no space left on device, write"), {
      code: "ENOSPC",
    });
    expect(() =>
      replaceThroughTemp(file, (tmp) => {
        writeFileSync(tmp, "half of the n");
        throw full;
      }),
    ).toThrow(full);
    expect(readdirSync(dir)).toEqual(["partial_parse.json"]);
    expect(readFileSync(file, "utf8")).toBe("old");
    writeFileAtomicSync(file, "new");
    expect(readFileSync(file, "utf8")).toBe("new");
    expect(readdirSync(dir)).toEqual(["partial_parse.json"]);
  });
});
