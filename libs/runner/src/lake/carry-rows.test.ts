import { mkdir, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CompiledNode } from "@sluice/compiler";
import type { CarryBound, NodePlan } from "@sluice/compiler/plan";
import { createDuckdbDialect, type CarryRecord } from "@sluice/dialects";
import { isLakeEngine, openEngine, type LakeEngine } from "@sluice/engines";
import { carryRows } from "./carry-rows.js";
import { carryRecordOf, rowsKnown } from "./carry-record.js";
import type { LakePlanRun } from "./lake-steps.js";

// Version v_1 of silver.t, as an hourly insert_overwrite with carry_where='dt < sluice_incremental_from()'
// leaves it after a run from 2026/11/27/01: one file it wrote (hours 01 and 02 of 27), and two
// files it carried (flat, `~`), all of whose rows were older than that bound.
const dialect = createDuckdbDialect();
const node = { id: "model.t", relation: { schema: "silver", name: "t" } } as CompiledNode;
const WRITTEN = "d=2026-11-27/part-w.parquet";
const OLD_DAY = "d=2026-11-26~part-a.parquet";
const SAME_DAY = "d=2026-11-27~part-b.parquet";
let dir: string;
let engine: LakeEngine;
let from: string;
/** v_1's record, as its publish wrote it. */
let record: CarryRecord;

const write = async (version: string, name: string, dts: string[]) => {
  const file = path.join(version, name);
  await mkdir(path.dirname(file), { recursive: true });
  const rows = dts.map(
    (dt, i) => `(${i}, '${dt}', DATE '${dt.slice(0, 10).replaceAll("/", "-")}')`,
  );
  await engine.execute(
    `COPY (SELECT * FROM (VALUES ${rows.join(", ")}) AS v(k, dt, d)) TO '${file}' (FORMAT parquet)`,
  );
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sluice-carry-rows-"));
  const opened = await openEngine({ engine: "duckdb", lake: "lake" } as never, dir);
  if (!isLakeEngine(opened)) throw new Error("not a lake engine");
  engine = opened;
  from = path.join(dir, "lake/silver/t/v_1");
  await write(from, WRITTEN, ["2026/11/27/01", "2026/11/27/01", "2026/11/27/02"]);
  await write(from, OLD_DAY, ["2026/11/26/22", "2026/11/26/23"]);
  await write(from, SAME_DAY, ["2026/11/27/00", "2026/11/27/00", "2026/11/27/00"]);
  const sizes = await engine.versionFiles(from);
  record = carryRecordOf(
    { column: "dt", inclusive: false, from: "2026/11/27/01" },
    new Map([
      [OLD_DAY, 2],
      [SAME_DAY, 3],
    ]),
    sizes,
  );
});

afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

/**
 * carryRows from v_1 into a new version `to` under `bound`, v_1's record as `recorded`: what it
 * carried, the SQL it ran, and each file of the new version with its rows (sorted).
 */
async function carry(to: string, bound: CarryBound, recorded: CarryRecord | undefined) {
  const sql: string[] = [];
  const lake = Object.create(engine) as LakeEngine;
  lake.carryRecord = () => Promise.resolve(recorded);
  const run = {
    node,
    engine: lake,
    dialect,
    ctx: {
      execute: (s: string) => {
        sql.push(s);
        return engine.execute(s);
      },
    },
    reads: {},
    replan: () => ({}) as NodePlan,
  } as unknown as LakePlanRun;
  const location = path.join(dir, "lake/silver/t", to);
  await mkdir(location, { recursive: true });
  const condition = `dt ${bound.inclusive ? "<=" : "<"} '${bound.from}'`;
  const step = {
    kind: "storage",
    op: "carry_version_files",
    purpose: "",
    from,
    to: location,
    skipWrittenPartitions: false,
    carryWhere: condition,
    carryBound: bound,
  } as const;
  const result = await carryRows(step, condition, run);
  const files: Record<string, unknown[]> = {};
  for (const name of (await readdir(location, { recursive: true })).sort()) {
    if (!name.endsWith(".parquet")) continue;
    const rows = await engine.execute(
      `SELECT k, dt, d::VARCHAR AS d FROM read_parquet('${path.join(location, name)}') ORDER BY ALL`,
    );
    files[name.replace(`part-${to}-`, "part-<v>-")] = rows.rows;
  }
  const counted = sql.filter((s) => s.includes("parquet_file_metadata"));
  return { result, files, counted, location };
}

/** The outcome two ways of carrying must agree on. */
const outcome = (c: Awaited<ReturnType<typeof carry>>) => ({
  carriedRows: c.result.carriedRows,
  carried: c.result.carried.carried,
  files: c.files,
  fileRows: Object.fromEntries(
    [...(c.result.fileRows ?? [])].map(([f, n]) => [f.replace(/part-v_\w+-/, "part-<v>-"), n]),
  ),
});

/**
 * Carry from v_1 up to `from` twice, into `<v>a` with v_1's record and into `<v>b` without one
 * (the query over every file): the two must agree file for file. Returns the first.
 */
async function bothWays(v: string, upTo: string) {
  const bound = { column: "dt", inclusive: false, from: upTo };
  const fast = await carry(`${v}a`, bound, record);
  const slow = await carry(`${v}b`, bound, undefined);
  expect(slow.counted[0]).toContain(OLD_DAY);
  expect(outcome(fast)).toEqual(outcome(slow));
  return fast;
}

/** The record's answer for OLD_DAY under another bound: how many files it answers for. */
const answered = (bound: CarryBound, recorded: CarryRecord | null = record) =>
  rowsKnown(recorded ?? undefined, bound, { [OLD_DAY]: record.files[OLD_DAY]![0] }).size;

describe("carry_where's rows: what the previous version's record proves is not counted again", () => {
  it("a bound not lower: only the written file is counted; the result is the query's, file for file", async () => {
    const fast = await bothWays("v_2", "2026/11/27/02");
    // The shortcut's one query lists the written file only; the query path lists all three.
    expect(fast.counted).toHaveLength(1);
    expect(fast.counted[0]).toContain(WRITTEN);
    expect(fast.counted[0]).not.toContain(OLD_DAY);
    expect(fast.counted[0]).not.toContain(SAME_DAY);
    // 2 + 3 carried whole, 2 of the written file copied out (its hour 01 rows).
    expect(fast.result.carriedRows).toBe(7);
    expect(outcome(fast).fileRows).toEqual({
      [OLD_DAY]: 2,
      [SAME_DAY]: 3,
      "d=2026-11-27~part-<v>-carried-0.parquet": 2,
    });
    // The carried files are v_1's, linked.
    expect((await stat(path.join(fast.location, OLD_DAY))).ino).toBe(
      (await stat(path.join(from, OLD_DAY))).ino,
    );
  });

  it("a lowered bound (late raw files): every file is counted, and rows of the reopened hour stay behind", async () => {
    const fast = await bothWays("v_3", "2026/11/27/00");
    expect(fast.counted[0]).toContain(SAME_DAY);
    // Only the older day's rows: trusting the record would have kept SAME_DAY's three.
    expect(fast.result.carriedRows).toBe(2);
  });

  it("another condition (column or operator) is not trusted", () => {
    const later = "2026/11/28/00";
    expect(answered({ column: "dt", inclusive: false, from: later })).toBe(1);
    expect(answered({ column: "d", inclusive: false, from: later })).toBe(0);
    expect(answered({ column: "dt", inclusive: true, from: later })).toBe(0);
    // Bounds that do not compare as text; no record (an old lake).
    expect(answered({ column: "dt", inclusive: false, from: "2026/11/28" })).toBe(0);
    expect(answered({ column: "dt", inclusive: false, from: later }, null)).toBe(0);
  });

  it("a carried file replaced by other bytes under its path is counted, not taken from the record", async () => {
    const before = (await stat(path.join(from, SAME_DAY))).size;
    await write(from, SAME_DAY, [
      "2026/11/27/00",
      "2026/11/27/01",
      "2026/11/27/02",
      "2026/11/27/03",
    ]);
    expect((await stat(path.join(from, SAME_DAY))).size).not.toBe(before);
    const fast = await bothWays("v_4", "2026/11/27/02");
    expect(fast.counted[0]).toContain(SAME_DAY);
    expect(fast.counted[0]).not.toContain(OLD_DAY);
    // 2 (old day) + 2 (hours 00 and 01 of the new file) + 2 (written, hour 01).
    expect(fast.result.carriedRows).toBe(6);
  });
});
