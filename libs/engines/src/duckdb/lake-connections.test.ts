import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDuckdbDialect } from "@sluice/dialects";
import type { LakeEngine } from "../engine.js";
import { openDuckdbEngine } from "./duckdb-engine.js";

const dialect = createDuckdbDialect();
let lake: string;
let engine: LakeEngine;

// ~0.3-1 s of one DuckDB thread: long enough that a statement queued behind it shows.
const SLOW = "select count(*) as n from range(60000000) t(i) where i % 7 = 3";

beforeAll(async () => {
  lake = await mkdtemp(join(tmpdir(), "sluice-lanes-"));
  engine = await openDuckdbEngine({ lakeDir: lake, connections: 2 });
  for (const s of dialect.tableStateSetup()) await engine.execute(s.sql);
  await engine.execute("SET threads = 1");
});
afterAll(async () => {
  await engine.close();
  await rm(lake, { recursive: true, force: true });
});

/** The order in which the statements' results came back. */
async function finishOrder(statements: Record<string, string>): Promise<string[]> {
  const order: string[] = [];
  await Promise.all(
    Object.entries(statements).map(([name, sql]) =>
      engine.execute(sql).then(() => void order.push(name)),
    ),
  );
  return order;
}

describe("a lake engine with two connections", () => {
  it("runs a statement beside a slow one, with the Trino-compat layer on both", async () => {
    // Trino's integer division and a TEMP macro of the layer on whichever connection runs it.
    const compat = "select 7 / 2 as q, from_iso8601_date('2026-11-27') as d";
    // The second connection is set up in the background after open: give it a few tries (with
    // one connection the quick statement is never first).
    let order: string[] = [];
    for (let i = 0; i < 10 && order[0] !== "quick"; i++)
      order = await finishOrder({ slow: SLOW, quick: compat });
    expect(order).toEqual(["quick", "slow"]);
    const [a, b] = await Promise.all([engine.execute(compat), engine.execute(compat)]);
    expect(a.rows).toEqual([{ q: 3, d: "2026-11-27" }]);
    expect(b.rows).toEqual(a.rows);
  });

  it("reads the raw window's TEMP table on the connection that loaded it, however busy", async () => {
    const raw = join(lake, "raw", "events");
    await mkdir(join(raw, "2026/11/27/10"), { recursive: true });
    await writeFile(join(raw, "2026/11/27/10", "f-1"), '{"a":1}\n{"a":2}\n');
    const load = await engine.loadRawWindow({ location: raw }, ["2026/11/27/10"], {
      name: "sluice_raw_lines_1",
      createSql: dialect.rawLinesTable("sluice_raw_lines_1"),
    });
    const count = `select count(*) as n from ${load.relation}`;
    // The slow statement holds the first connection: the read still goes there, after it.
    const [, read] = await Promise.all([engine.execute(SLOW), engine.execute(count)]);
    expect(read.rows).toEqual([{ n: 2 }]);
  });

  it("publishes tables at once while their state rows are updated: every commit lands", async () => {
    const publish = (name: string, version: number) =>
      dialect.createTableAs({
        relation: { schema: "silver", name },
        selectSql: `select ${version} as id, date '2026-11-27' as event_date`,
        partitionedBy: ["event_date"],
        location: join(lake, "silver", name, `v_${name}_${version}`),
        writeId: `w_${name}_${version}`,
      });
    const names = ["t1", "t2", "t3", "t4", "t5", "t6"];
    const relations = names.map((name) => ({ schema: "silver", name }));
    // Each table published three times (each publish updates the rows of the table's earlier
    // versions) while every table's state row is updated in between, as a reconciliation does.
    await Promise.all([
      ...names.map(async (name) => {
        for (const version of [1, 2, 3])
          for (const s of publish(name, version)) await engine.execute(s.sql);
      }),
      ...[1, 2].map(async () => {
        for (let i = 0; i < 10; i++) await engine.execute(dialect.markReconciled(relations).sql);
      }),
    ]);
    const { rows } = await engine.execute(
      "select table_name from sluice_table_state where schema_name = 'silver' order by 1",
    );
    expect(rows.map((r) => r.table_name)).toEqual(names);
    for (const name of names)
      expect((await engine.execute(`select id from silver.${name}`)).rows).toEqual([{ id: 3 }]);
  });
});
