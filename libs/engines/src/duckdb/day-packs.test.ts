import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LakeEngine } from "../engine.js";
import { openDuckdbEngine } from "./duckdb-engine.js";
import { packPlans } from "./version-packs.js";

let root: string;
let engine: LakeEngine;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "sluice-packs-"));
  engine = await openDuckdbEngine({ lakeDir: join(root, ".lake") });
});
afterEach(async () => {
  await engine.close();
  await rm(root, { recursive: true, force: true });
});

const at = (version: string) => join(root, ".lake", "staging", "t", version);

/** Write rows `[id, dt]` into `version` as a partitioned COPY does (a folder per hour). */
async function write(version: string, rows: [number, string][]): Promise<void> {
  const values = rows.map(([id, dt]) => `(${id}, '${dt}')`).join(", ");
  await engine.execute(
    `COPY (SELECT * FROM (VALUES ${values}) AS t(id, dt)) TO '${at(version)}' (FORMAT parquet, ` +
      `COMPRESSION zstd, PARTITION_BY (dt), WRITE_PARTITION_COLUMNS true, FILENAME_PATTERN 'part-${version}-{i}', OVERWRITE_OR_IGNORE true)`,
  );
}

/** The rows of a version, read from every file under it (as the table's view does). */
async function rowsOf(version: string): Promise<string[]> {
  const { rows } = await engine.execute(
    `SELECT id, dt FROM read_parquet('${at(version)}/**/*.parquet', hive_partitioning = false) ORDER BY id`,
  );
  return rows.map((r) => `${String(r["id"])} ${String(r["dt"])}`);
}

const files = async (version: string) =>
  (await readdir(at(version), { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(at(version).length + 1))
    .sort();

const hours = (day: string, from: number, to: number, firstId: number): [number, string][] =>
  Array.from({ length: to - from + 1 }, (_, i) => [
    firstId + i,
    `${day}/${String(from + i).padStart(2, "0")}`,
  ]);

describe("day packs", () => {
  it("packs a closed day's hours into one file, copies a pack's other hours when one is written again, and packs the day again once it is closed", async () => {
    // v1: four hours of 11/24, two of 11/25 (one row each).
    const v1 = [...hours("2026/11/24", 0, 3, 1), ...hours("2026/11/25", 0, 1, 5)];
    await write("v_1", v1);

    // v2 writes 11/25/02: 11/24 is closed (nothing written, a later day exists) and packed.
    await write("v_2", [[7, "2026/11/25/02"]]);
    await engine.carryVersionFiles(at("v_1"), at("v_2"), { skipWrittenPartitions: true });
    expect(await files("v_2")).toEqual([
      "dt=2026%2F11%2F24%2F00%%dt=2026%2F11%2F24%2F03~pack-v_2-0.parquet",
      "dt=2026%2F11%2F25%2F00~part-v_1-0.parquet",
      "dt=2026%2F11%2F25%2F01~part-v_1-0.parquet",
      "dt=2026%2F11%2F25%2F02/part-v_2-0.parquet",
    ]);
    const expected2 = [...v1, [7, "2026/11/25/02"] as [number, string]].map(
      ([i, d]) => `${i} ${d}`,
    );
    expect(await rowsOf("v_2")).toEqual(expected2);
    // The current version keeps its own files: v_1 reads as it did.
    expect(await rowsOf("v_1")).toEqual(v1.map(([i, d]) => `${i} ${d}`));

    // v3 writes 11/24/02 again (a late file): the pack's other hours are copied, not linked.
    await write("v_3", [[8, "2026/11/24/02"]]);
    await engine.carryVersionFiles(at("v_2"), at("v_3"), { skipWrittenPartitions: true });
    expect(await files("v_3")).toEqual([
      "dt=2026%2F11%2F24%2F00%%dt=2026%2F11%2F24%2F03~pack-v_3-r0.parquet",
      "dt=2026%2F11%2F24%2F02/part-v_3-0.parquet",
      "dt=2026%2F11%2F25%2F00~part-v_1-0.parquet",
      "dt=2026%2F11%2F25%2F01~part-v_1-0.parquet",
      "dt=2026%2F11%2F25%2F02~part-v_2-0.parquet",
    ]);
    expect(await rowsOf("v_3")).toEqual(
      ["1 2026/11/24/00", "2 2026/11/24/01", "4 2026/11/24/03"].concat([
        "5 2026/11/25/00",
        "6 2026/11/25/01",
        "7 2026/11/25/02",
        "8 2026/11/24/02",
      ]),
    );

    // v4 writes 11/25/03: 11/24 is closed again, its pack and its carried hour are one pack.
    await write("v_4", [[9, "2026/11/25/03"]]);
    await engine.carryVersionFiles(at("v_3"), at("v_4"), { skipWrittenPartitions: true });
    expect((await files("v_4")).filter((f) => f.includes("2026%2F11%2F24"))).toEqual([
      "dt=2026%2F11%2F24%2F00%%dt=2026%2F11%2F24%2F03~pack-v_4-0.parquet",
    ]);
    expect(await rowsOf("v_4")).toEqual([
      "1 2026/11/24/00",
      "2 2026/11/24/01",
      "4 2026/11/24/03",
      "5 2026/11/25/00",
      "6 2026/11/25/01",
      "7 2026/11/25/02",
      "8 2026/11/24/02",
      "9 2026/11/25/03",
    ]);

    // A window read from 11/24/03 opens the pack (it holds that hour); from 11/25/00 it does not.
    const from = async (value: string) =>
      ((await engine.versionFilesFrom(at("v_4"), "dt", value)) ?? []).map((f) =>
        f.slice(at("v_4").length + 1),
      );
    expect(await from("2026/11/24/03")).toContain(
      "dt=2026%2F11%2F24%2F00%%dt=2026%2F11%2F24%2F03~pack-v_4-0.parquet",
    );
    expect((await from("2026/11/25/00")).some((f) => f.includes("2026%2F11%2F24"))).toBe(false);
    // The record of the new version lists the pack with its size.
    const listed = await engine.versionFiles(at("v_4"));
    const pack = "dt=2026%2F11%2F24%2F00%%dt=2026%2F11%2F24%2F03~pack-v_4-0.parquet";
    expect(listed[pack]).toBe((await stat(join(at("v_4"), pack))).size);
  });

  it("leaves no pack when every hour of a pack is written again", async () => {
    await write("v_1", [...hours("2026/11/24", 0, 1, 1), [3, "2026/11/25/00"]]);
    await write("v_2", [[4, "2026/11/25/01"]]);
    await engine.carryVersionFiles(at("v_1"), at("v_2"), { skipWrittenPartitions: true });
    await write("v_3", hours("2026/11/24", 0, 1, 10));
    await engine.carryVersionFiles(at("v_2"), at("v_3"), { skipWrittenPartitions: true });
    expect((await files("v_3")).some((f) => f.includes("~pack-"))).toBe(false);
    expect(await rowsOf("v_3")).toEqual([
      "3 2026/11/25/00",
      "4 2026/11/25/01",
      "10 2026/11/24/00",
      "11 2026/11/24/01",
    ]);
  });

  it("packs only hour partitions of one column, of a closed day, more than one file", () => {
    const plans = (list: string[]) => packPlans("/lake/t/v_9", list).map((p) => p.name);
    // The latest day stays open even with nothing written; one file alone is not packed.
    expect(
      plans([
        "dt=2026%2F11%2F24%2F00~part-a.parquet",
        "dt=2026%2F11%2F25%2F00~part-a.parquet",
        "dt=2026%2F11%2F25%2F01~part-a.parquet",
      ]),
    ).toEqual([]);
    // Days (not hours), two columns, and values that are not hours are left as they are.
    expect(
      plans([
        "event_date=2026-11-24~part-a.parquet",
        "event_date=2026-11-24~part-b.parquet",
        "event_date=2026-11-25~part-a.parquet",
        "a=1%2Fdt=2026%2F11%2F24%2F00~part-a.parquet",
        "a=1%2Fdt=2026%2F11%2F24%2F01~part-a.parquet",
        "dt=2026%2F11%2F26%2F00~part-a.parquet",
      ]),
    ).toEqual([]);
    // Dashes as the separator too; the written day stays open.
    expect(
      plans([
        "h=2026-11-24-00~part-a.parquet",
        "h=2026-11-24-01~part-a.parquet",
        "h=2026-11-25-00~part-a.parquet",
        "h=2026-11-25-01~part-a.parquet",
        "h=2026-11-25-02/part-b-0.parquet",
        "h=2026-11-26-00~part-a.parquet",
        "part-a-schema.parquet",
      ]),
    ).toEqual(["h=2026-11-24-00%%h=2026-11-24-01~pack-v_9-0.parquet"]);
  });
});
