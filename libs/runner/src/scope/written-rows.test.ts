import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueTestSql, type CompiledNode } from "@sluice/compiler";
import { createDuckdbDialect } from "@sluice/dialects";
import { isLakeEngine, openEngine, type LakeEngine } from "@sluice/engines";
import { scopeOf } from "./assertion-scope.js";
import { writtenRows } from "./written-partition-files.js";
import type { PublishedVersions } from "../incremental/window-reads.js";

// A version of silver.t published this run by insert_overwrite of d=2026-11-27 with carry_where:
// the run wrote keys a, b; it carried (flat, `~` in the name) a file of the old partition
// 2026-11-26 holding b and c, and one of the written partition holding c and e (rows carry_where
// kept). So: b is a new key also in an old row; c is duplicated among carried rows only.
let dir: string;
let engine: LakeEngine;
const dialect = createDuckdbDialect();
const relation = '"silver"."t"';
const subject = {
  id: "model.t",
  kind: "model",
  name: "t",
  relation: { schema: "silver", name: "t" },
  materialization: "incremental",
  partitionedBy: ["d"],
} as CompiledNode;
const test = {
  id: "test.unique_t_k",
  kind: "test",
  sql: uniqueTestSql(relation, "k"),
  newData: { kind: "keys", columns: ["k"] },
} as CompiledNode;
const written = new Map([["model.t", { columns: [{ name: "d" }], values: [["2026-11-27"]] }]]);
let location: string;
let published: PublishedVersions;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "sluice-written-rows-"));
  const opened = await openEngine({ engine: "duckdb", lake: "lake" } as never, dir);
  if (!isLakeEngine(opened)) throw new Error("not a lake engine");
  engine = opened;
  location = path.join(dir, "lake", "silver", "t", "v_2");
  const file = async (name: string, keys: string[], d: string) => {
    await mkdir(path.dirname(path.join(location, name)), { recursive: true });
    const rows = keys.map((k) => `('${k}', DATE '${d}')`).join(", ");
    await engine.execute(
      `COPY (SELECT * FROM (VALUES ${rows}) AS v(k, d)) TO '${path.join(location, name)}' (FORMAT parquet)`,
    );
  };
  await file("d=2026-11-27/part-new-0.parquet", ["a", "b"], "2026-11-27");
  await file("d=2026-11-26~part-old-0.parquet", ["b", "c"], "2026-11-26");
  await file("d=2026-11-27~part-old-0.parquet", ["c", "e"], "2026-11-27");
  await engine.execute(
    `CREATE SCHEMA silver; CREATE VIEW silver.t AS SELECT * FROM read_parquet('${location}/**/*.parquet', union_by_name = true)`,
  );
  published = new Map([[relation, { location }]]);
});

afterAll(async () => {
  await engine?.close();
  await rm(dir, { recursive: true, force: true });
});

const ctx = () => ({ engine, dialect, published, written, scope: "incremental" as const });

/** `node`'s incremental scope, with the version at `location` (default v_2) split by origin. */
const incremental = async (node: CompiledNode, location?: string) =>
  scopeOf(node, {
    dialect,
    mode: "incremental",
    written,
    subject,
    writtenRows: await writtenRows([subject], {
      ...ctx(),
      ...(location === undefined ? {} : { published: new Map([[relation, { location }]]) }),
    }),
  });

/** The `[key, copies]` a bound uniqueness check returns. */
const duplicates = async (sql: string) =>
  (await engine.execute(`${sql} ORDER BY unique_field`)).rows.map((r) => [
    r["unique_field"],
    Number(r["n_records"]),
  ]);

describe("a uniqueness check of the keys a run wrote, on the lake", () => {
  it("splits the version into the files the run wrote and those it carried", async () => {
    const rows = await writtenRows([subject], ctx());
    const split = rows.get(relation);
    const count = async (from: string) =>
      Number((await engine.execute(`SELECT count(*) AS n FROM ${from}`)).rows[0]!["n"]);
    // Each row in exactly one side: the two sides are the whole table.
    expect(await count(split!.written)).toBe(2);
    expect(await count(split!.carried!)).toBe(4);
    expect(await count(relation)).toBe(6);
    // Of the carried files, the one of the written partition: c and e.
    expect(await count(split!.carriedIntoWritten!)).toBe(2);
  });

  it("finds a new key's duplicate in a carried file, says carried rows are not rechecked, and --scope full finds the rest", async () => {
    const scoped = await incremental(test);
    expect(scoped.scope).toEqual({
      kind: "incremental",
      detail:
        "keys of the rows written this run in 1 partition of d (2026-11-27; rows carried into them unchanged are not rechecked), against the whole table",
    });
    expect(await duplicates(scoped.bind(test.sql))).toEqual([["b", 2]]);
    // c is duplicated among carried rows only: a full-scope check reads it.
    const full = scopeOf(test, { dialect, mode: "full", written, subject });
    expect(await duplicates(full.bind(test.sql))).toEqual([
      ["b", 2],
      ["c", 2],
    ]);
  });

  it("with copies sharing their key's partition, checks new keys against their partitions and says so; --scope full still fails", async () => {
    // b's other copy is in 2026-11-26, a partition this run did not write: a lake where the
    // declaration is false. The incremental check reads only 2026-11-27 (a, b written; c, e
    // carried into it), passes, and says what it read; the full check finds b and c.
    const shared = {
      ...test,
      newData: { kind: "keys", columns: ["k"], copiesSharePartition: true },
    } as CompiledNode;
    const scoped = await incremental(shared);
    expect(scoped.scope).toEqual({
      kind: "incremental",
      detail:
        "keys of the rows written this run in 1 partition of d (2026-11-27; rows carried into them unchanged are not rechecked), against their partitions (copies of a key share its partition: copies_share_partition; --scope full checks the whole table)",
    });
    expect(await duplicates(scoped.bind(shared.sql))).toEqual([]);
    // A new key duplicated in a carried file of its own partition is found.
    const dup = path.join(dir, "lake", "silver", "t", "v_4");
    await mkdir(path.join(dup, "d=2026-11-27"), { recursive: true });
    await engine.execute(
      `COPY (SELECT 'e' AS k, DATE '2026-11-27' AS d) TO '${path.join(dup, "d=2026-11-27", "part-0.parquet")}' (FORMAT parquet);` +
        `COPY (SELECT * FROM (VALUES ('e', DATE '2026-11-27'), ('f', DATE '2026-11-27')) AS v(k, d)) TO '${path.join(dup, "d=2026-11-27~part-old-0.parquet")}' (FORMAT parquet);` +
        `COPY (SELECT 'e' AS k, DATE '2026-11-26' AS d) TO '${path.join(dup, "d=2026-11-26~part-old-0.parquet")}' (FORMAT parquet)`,
    );
    const inPartition = await incremental(shared, dup);
    // Two copies in its partition; the third, in 2026-11-26, is not read.
    expect(await duplicates(inPartition.bind(shared.sql))).toEqual([["e", 2]]);
    // Off the lake (no split): the written partitions whole, no key filter over the table.
    const athenaLike = scopeOf(shared, { dialect, mode: "incremental", written, subject });
    expect(await duplicates(athenaLike.bind(shared.sql))).toEqual([]);
    const full = scopeOf(shared, { dialect, mode: "full", written, subject });
    expect(full.scope.kind).toBe("full");
    expect(await duplicates(full.bind(shared.sql))).toEqual([
      ["b", 2],
      ["c", 2],
    ]);
  });

  it("without carried rows in the written partitions, states the partitions as before", async () => {
    const only = path.join(dir, "lake", "silver", "t", "v_3");
    await mkdir(path.join(only, "d=2026-11-27"), { recursive: true });
    await engine.execute(
      `COPY (SELECT 'z' AS k, DATE '2026-11-27' AS d) TO '${path.join(only, "d=2026-11-27", "part-0.parquet")}' (FORMAT parquet)`,
    );
    const rows = await writtenRows([subject], {
      ...ctx(),
      published: new Map([[relation, { location: only }]]),
    });
    expect(rows.get(relation)?.carriedIntoWritten).toBeUndefined();
    expect(rows.get(relation)?.carried).toBeUndefined();
    const scoped = scopeOf(test, {
      dialect,
      mode: "incremental",
      written,
      subject,
      writtenRows: rows,
    });
    expect(scoped.scope.detail).toBe(
      "keys of 1 partition of d written this run (2026-11-27), against the whole table",
    );
    // --scope full: no split at all.
    expect(await writtenRows([subject], { ...ctx(), scope: "full" })).toEqual(new Map());
  });
});

describe("a check of new rows on the lake", () => {
  // accepted_values of k in ('a', 'b'): the written rows (a, b) pass; the carried file of the
  // written partition holds c and e, the old partition's c.
  const failing = `select k from ${relation} where k not in ('a', 'b')`;
  const rowsTest = {
    ...test,
    id: "test.accepted_values_t_k",
    sql: failing,
    newData: { kind: "rows" },
  } as CompiledNode;
  const ruleOf = {
    ...rowsTest,
    id: "test.dq_t_rule_1",
    assertion: { kind: "dq_rule" },
  } as CompiledNode;
  const keys = async (sql: string) =>
    (await engine.execute(`SELECT k FROM (${sql}) ORDER BY k`)).rows.map((r) => r["k"]);
  const scoped = async (node: CompiledNode) =>
    scopeOf(node, {
      dialect,
      mode: "incremental",
      written,
      subject,
      writtenRows: await writtenRows([subject], ctx()),
    });

  it("counts failing rows among the rows this run wrote, and says carried rows are not rechecked", async () => {
    const s = await scoped(rowsTest);
    expect(s.scope).toEqual({
      kind: "incremental",
      detail:
        "the rows written this run in 1 partition of d (2026-11-27; rows carried into them unchanged are not rechecked)",
    });
    expect(await keys(s.bind(failing))).toEqual([]);
    // The same check of the written partition's every row, and of the whole table (--scope full).
    const partition = scopeOf(rowsTest, { dialect, mode: "incremental", written, subject });
    expect(await keys(partition.bind(failing))).toEqual(["c", "e"]);
    const full = scopeOf(rowsTest, { dialect, mode: "full", written, subject });
    expect(await keys(full.bind(failing))).toEqual(["c", "c", "e"]);
  });

  it("a row this run wrote that fails is counted", async () => {
    const s = await scoped({
      ...rowsTest,
      sql: `select k from ${relation} where k <> 'a'`,
    } as CompiledNode);
    expect(await keys(s.bind(`select k from ${relation} where k <> 'a'`))).toEqual(["b"]);
  });

  it("a DQDL rule keeps the written partitions: its metric is a share of their rows", async () => {
    const s = await scoped(ruleOf);
    expect(s.scope.detail).toBe("1 partition of d written this run (2026-11-27)");
    expect(await keys(s.bind(failing))).toEqual(["c", "e"]);
  });
});
