import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { assignShards, packArtifacts, readPackedArtifact } from "./packed-artifacts.js";
import { writeChangedFiles } from "./write-changed-files.js";

/** `count` artifacts `f<i>/m_<i>.sql` holding `select <i>` (plus a line with `tweak` for `changed`). */
function artifacts(count: number, changed = -1): Map<string, string> {
  return new Map(
    Array.from({ length: count }, (_, i) => [
      `f${i % 37}/m_${i}.sql`,
      `select ${i} as id\n${i === changed ? "-- tweak\n" : ""}`,
    ]),
  );
}

describe("packed artifacts", () => {
  it("assign each path to one shard, a function of the paths alone, each shard sorted", () => {
    const names = [...artifacts(3000).keys(), "B.sql", "a.sql", "é.sql", "😀.sql", "\uffff.sql"];
    const assigned = assignShards(names);
    expect(assigned).toHaveLength(16);
    expect(assigned.flat().sort()).toEqual([...names].sort());
    // Sorted as Array.prototype.sort sorts strings (by UTF-16 code units).
    for (const held of assigned) expect(held).toEqual([...held].sort());
    expect(assignShards([...names].reverse())).toEqual(assigned);
  });

  it("hold every artifact's text, read back by path from its shard", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-packed-"));
    try {
      const texts = artifacts(3000);
      texts.set("tests/odd 'name' é.sql", "select '-- sluice artifact: x';\n\nselect 2;\n");
      writeChangedFiles([dir], packArtifacts(dir, texts));
      expect(readdirSync(dir)).toHaveLength(16);
      const sample = [...texts].filter((_, i) => i % 7 === 0 || i === texts.size - 1);
      for (const [name, text] of sample) expect(readPackedArtifact(dir, name)).toBe(text);
      expect(readPackedArtifact(dir, "f1/missing.sql")).toBeUndefined();
      expect(readPackedArtifact(path.join(dir, "none"), "f1/m_1.sql")).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("rewrite only the shard holding a changed artifact, and nothing when none changed", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-packed-"));
    const index = path.join(dir, ".hashes.json");
    try {
      const write = (texts: Map<string, string>) =>
        writeChangedFiles([path.join(dir, "p")], packArtifacts(path.join(dir, "p"), texts), {
          index,
        });
      expect(write(artifacts(5000))).toEqual({ written: 32, removed: 0 });
      expect(write(artifacts(5000))).toEqual({ written: 0, removed: 0 });
      expect(write(artifacts(5000, 4321))).toEqual({ written: 1, removed: 0 });
      expect(readPackedArtifact(path.join(dir, "p"), "f29/m_4321.sql")).toContain("-- tweak");
      // Twice as many artifacts: twice as many shards, the old ones removed.
      expect(write(artifacts(10_000))).toEqual({ written: 64, removed: 32 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
