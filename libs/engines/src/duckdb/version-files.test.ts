import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  carriedName,
  carryFiles,
  filesFrom,
  hivePartitions,
  partitionOf,
  partitionRange,
  writtenAndCarried,
} from "./version-files.js";

const roots: string[] = [];
afterEach(() => roots.splice(0).forEach((r) => rmSync(r, { recursive: true, force: true })));

function version(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), "sluice-carry-"));
  roots.push(root);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(join(root, file, ".."), { recursive: true });
    writeFileSync(join(root, file), text);
  }
  return root;
}

function listing(root: string): Record<string, string> {
  const files = readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(root.length + 1))
    .sort();
  return Object.fromEntries(files.map((f) => [f, readFileSync(join(root, f), "utf8")]));
}

describe("version files", () => {
  it("names the partition of a file written by COPY, of a carried file, and of an unpartitioned one", () => {
    expect(partitionOf("dt=2026%2F11%2F27%2F00/part-r1-0.parquet")).toBe("dt=2026%2F11%2F27%2F00");
    expect(partitionOf("a=1/b=2/part-r1-0.parquet")).toBe("a=1%2Fb=2");
    expect(partitionOf("a=1%2Fb=2~part-r1-0.parquet")).toBe("a=1%2Fb=2");
    expect(partitionOf("part-r1-schema.parquet")).toBe("");
    expect(carriedName("a=1/b=2/part-r1-0.parquet")).toBe("a=1%2Fb=2~part-r1-0.parquet");
    expect(carriedName("a=1%2Fb=2~part-r1-0.parquet")).toBe("a=1%2Fb=2~part-r1-0.parquet");
  });

  it("insert_overwrite carries the untouched partitions flat and leaves the replaced one behind, run after run", async () => {
    const v1 = version({
      "d=1/part-r1-0.parquet": "one",
      "d=2/part-r1-0.parquet": "two",
      "d=3/part-r1-0.parquet": "three",
    });
    const v2 = version({ "d=2/part-r2-0.parquet": "two again" });
    expect((await carryFiles(v1, v2, { skipWrittenPartitions: true })).carried).toBe(2);
    expect(listing(v2)).toEqual({
      "d=1~part-r1-0.parquet": "one",
      "d=2/part-r2-0.parquet": "two again",
      "d=3~part-r1-0.parquet": "three",
    });
    // The next run reads the mixed layout: d=3 replaced, d=1 and the new d=2 carried.
    const v3 = version({ "d=3/part-r3-0.parquet": "three again", "d=4/part-r3-0.parquet": "four" });
    const carried = await carryFiles(v2, v3, { skipWrittenPartitions: true });
    expect(carried.carried).toBe(2);
    // What the run's tests may check alone: the partitions it wrote, not the carried ones.
    expect(carried.written).toEqual({ columns: [{ name: "d" }], values: [["3"], ["4"]] });
    expect(listing(v3)).toEqual({
      "d=1~part-r1-0.parquet": "one",
      "d=2~part-r2-0.parquet": "two again",
      "d=3/part-r3-0.parquet": "three again",
      "d=4/part-r3-0.parquet": "four",
    });
  });

  it("gives the size of each file it links, as known in the version it came from, but not of a name already taken", async () => {
    const v1 = version({ "d=1/part-r1-0.parquet": "one", "d=2/part-r1-0.parquet": "two" });
    const v2 = version({ "d=2~part-r1-0.parquet": "taken before" });
    const to = new Map<string, number>();
    const from = new Map([
      ["d=1/part-r1-0.parquet", 3],
      ["d=2/part-r1-0.parquet", 3],
    ]);
    await carryFiles(v1, v2, { skipWrittenPartitions: true }, { from, to });
    expect([...to]).toEqual([["d=1~part-r1-0.parquet", 3]]);
  });

  it("reads partition values back from their folders: escaped values, nested columns, NULL", () => {
    expect(hivePartitions(["dt=2026%2F11%2F27%2F23", "dt=__HIVE_DEFAULT_PARTITION__"])).toEqual({
      columns: [{ name: "dt" }],
      values: [["2026/11/27/23"], [null]],
    });
    expect(hivePartitions(["a=1%2Fb=x%3Dy"])).toEqual({
      columns: [{ name: "a" }, { name: "b" }],
      values: [["1", "x=y"]],
    });
  });

  it("append carries every file, also of the partitions the new version wrote", async () => {
    const v1 = version({ "d=1/part-r1-0.parquet": "one" });
    const v2 = version({ "d=1/part-r2-0.parquet": "more" });
    expect((await carryFiles(v1, v2, { skipWrittenPartitions: false })).carried).toBe(1);
    expect(Object.keys(listing(v2))).toEqual(["d=1/part-r2-0.parquet", "d=1~part-r1-0.parquet"]);
  });

  it("picks the files of the partitions from a value on, written or carried, and the schema file", () => {
    const v = version({
      "dt=2026%2F11%2F27%2F22~part-r1-0.parquet": "old",
      "dt=2026%2F11%2F27%2F23~part-r1-0.parquet": "kept",
      "dt=2026%2F11%2F28%2F00/part-r2-0.parquet": "new",
      "part-r2-schema.parquet": "",
    });
    const picked = filesFrom(v, "dt", "2026/11/27/23")!.map((f) => f.slice(v.length + 1));
    expect(picked).toEqual([
      "dt=2026%2F11%2F27%2F23~part-r1-0.parquet",
      "dt=2026%2F11%2F28%2F00/part-r2-0.parquet",
      "part-r2-schema.parquet",
    ]);
    expect(filesFrom(v, "dt", "2026/11/28/01")!.map((f) => f.slice(v.length + 1))).toEqual([
      "part-r2-schema.parquet",
    ]);
  });

  it("picks nothing it cannot order safely: another partition column, or values that do not compare as text", () => {
    expect(
      filesFrom(version({ "event_date=2026-11-27~part-r1-0.parquet": "x" }), "dt", "2026/11/27/23"),
    ).toBeUndefined();
    expect(filesFrom(version({ "dt=9~part-r1-0.parquet": "x" }), "dt", "10")).toBeUndefined();
    expect(filesFrom(version({ "dt=b~part-r1-0.parquet": "x" }), "dt", "a")).toBeUndefined();
    expect(filesFrom(version({ "a=1%2Fdt=2~part-r1-0.parquet": "x" }), "dt", "1")).toBeUndefined();
  });
});

describe("day packs in a version's files", () => {
  const pack = "dt=2026%2F11%2F26%2F00%%dt=2026%2F11%2F26%2F23~pack-v_2-0.parquet";

  it("reads a pack's range from its name; a file of one partition is its own range", () => {
    expect(partitionRange(pack)).toEqual({
      first: "dt=2026%2F11%2F26%2F00",
      last: "dt=2026%2F11%2F26%2F23",
    });
    expect(partitionRange("dt=2026%2F11%2F27%2F00/part-r1-0.parquet")).toEqual({
      first: "dt=2026%2F11%2F27%2F00",
      last: "dt=2026%2F11%2F27%2F00",
    });
    expect(carriedName(pack)).toBe(pack);
  });

  it("a window read opens a pack whose last hour is in the window", () => {
    const v = version({ [pack]: "day", "dt=2026%2F11%2F27%2F00/part-r3-0.parquet": "new" });
    const from = (value: string) => filesFrom(v, "dt", value)!.map((f) => f.slice(v.length + 1));
    expect(from("2026/11/26/23")).toEqual([pack, "dt=2026%2F11%2F27%2F00/part-r3-0.parquet"]);
    expect(from("2026/11/27/00")).toEqual(["dt=2026%2F11%2F27%2F00/part-r3-0.parquet"]);
  });

  it("a pack is carried; one holding an hour the new version wrote is listed as overlapping instead", async () => {
    const v1 = version({ [pack]: "day", "dt=2026%2F11%2F27%2F00~part-r1-0.parquet": "h" });
    const v2 = version({ "dt=2026%2F11%2F27%2F01/part-r2-0.parquet": "new" });
    const kept = await carryFiles(v1, v2, { skipWrittenPartitions: true });
    expect(kept.overlapping).toEqual([]);
    expect(Object.keys(listing(v2))).toContain(pack);
    const v3 = version({ "dt=2026%2F11%2F26%2F05/part-r3-0.parquet": "late" });
    const split = await carryFiles(v2, v3, { skipWrittenPartitions: true });
    expect(split.overlapping).toEqual([{ file: pack, values: ["2026/11/26/05"] }]);
    expect(Object.keys(listing(v3))).not.toContain(pack);
    // The pack's range covers the hour written: it counts as carried into a written partition.
    expect(writtenAndCarried(v2).carriedIntoWritten).toEqual([]);
    writeFileSync(join(v3, pack), "rest of the day");
    expect(writtenAndCarried(v3).carriedIntoWritten).toEqual([join(v3, pack)]);
  });
});

describe("writtenAndCarried", () => {
  it("puts each file of a version in one list: partition folders and the schema file written, flat `~` files carried", () => {
    const root = version({
      "event_date=2026-11-27/part-new-0.parquet": "n",
      "event_date=2026-11-26~part-old-0.parquet": "o",
      "schema.parquet": "s",
    });
    const origins = writtenAndCarried(root);
    expect(origins.written.map((f) => f.slice(root.length + 1))).toEqual([
      "event_date=2026-11-27/part-new-0.parquet",
      "schema.parquet",
    ]);
    expect(origins.carried.map((f) => f.slice(root.length + 1))).toEqual([
      "event_date=2026-11-26~part-old-0.parquet",
    ]);
    // The carried file is of another partition than the written one.
    expect(origins.carriedIntoWritten).toEqual([]);
  });

  it("lists the carried files that belong to a partition the version wrote (carry_where kept rows)", () => {
    const root = version({
      "event_date=2026-11-27/part-new-0.parquet": "n",
      "event_date=2026-11-27~part-old-0.parquet": "o",
    });
    expect(writtenAndCarried(root).carriedIntoWritten).toEqual([
      join(root, "event_date=2026-11-27~part-old-0.parquet"),
    ]);
  });
});
