import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeFileAtomic } from "./atomic-file.js";

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

  it("a write that fails leaves the old file as it was and its error as thrown", async () => {
    const file = path.join(dir, "sources.json");
    writeFileSync(file, "old");
    // The temporary path taken by a folder: the write fails as a full disk's would, midway.
    mkdirSync(path.join(dir, `sources.json.${process.pid}.tmp`));
    await expect(writeFileAtomic(file, "new")).rejects.toMatchObject({ code: "EISDIR" });
    expect(readFileSync(file, "utf8")).toBe("old");
  });

  it("a rename that fails removes the temporary file (a full disk keeps its space)", async () => {
    const file = path.join(dir, "lineage.json");
    mkdirSync(path.join(file, "occupied"), { recursive: true });
    await expect(writeFileAtomic(file, "new")).rejects.toThrow();
    expect(readdirSync(dir)).toEqual(["lineage.json"]);
  });
});
