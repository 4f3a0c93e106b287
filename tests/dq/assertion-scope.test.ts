import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import type { CompiledNode } from "@sluice/compiler";
import { createAthenaDialect, createDuckdbDialect } from "@sluice/dialects";
import { scopeOf, type ScopeInput } from "@sluice/runner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grammarErrors } from "../support/sql-grammar.js";

// An incremental table: the old partition (2026-11-25) breaks `v > 0`; the run wrote 2026-11-26,
// whose key 'a' also occurs in the old partition.
const fixture = `
CREATE SCHEMA s;
CREATE TABLE s.t (id VARCHAR, v INTEGER, d DATE);
INSERT INTO s.t VALUES
  ('a', 1, DATE '2026-11-25'), ('b', -1, DATE '2026-11-25'),
  ('c', 1, DATE '2026-11-26'), ('a', 2, DATE '2026-11-26');
-- References of t's keys, written by the same run (2026-11-26): p holds 'c' there and 'a' only in
-- its old partition; q holds 'c' and no 'a' at all.
CREATE TABLE s.p (k VARCHAR, d DATE);
INSERT INTO s.p VALUES ('a', DATE '2026-11-25'), ('c', DATE '2026-11-26');
CREATE TABLE s.q (k VARCHAR, d DATE);
INSERT INTO s.q VALUES ('b', DATE '2026-11-25'), ('c', DATE '2026-11-26');
`;

const subject = {
  id: "model.t",
  kind: "model",
  name: "t",
  relation: { schema: "s", name: "t" },
  materialization: "incremental",
} as CompiledNode;
const positive = { sql: 'select * from "s"."t" where "v" <= 0', newData: { kind: "rows" } };
const unique = {
  sql: 'select "id" as unique_field, count(*) as n from "s"."t" where "id" is not null group by "id" having count(*) > 1',
  newData: { kind: "keys", columns: ["id"] },
};
const written = new Map([["model.t", { columns: [{ name: "d" }], values: [["2026-11-26"]] }]]);
const input: ScopeInput = {
  dialect: createDuckdbDialect(),
  mode: "incremental",
  written,
  subject,
};

/** A relationships test of t.id against `parent`.k (the compiler's SQL), and its scope input. */
function relationship(parent: string): { test: typeof positive; scope: ScopeInput } {
  const reference = {
    id: `model.${parent}`,
    kind: "model",
    name: parent,
    relation: { schema: "s", name: parent },
    materialization: "incremental",
  } as CompiledNode;
  const sql =
    `with child as (select "id" as from_field from "s"."t" where "id" is not null), ` +
    `parent as (select "k" as to_field from "s"."${parent}" where "k" in (select from_field from child)) ` +
    `select from_field from child left join parent on child.from_field = parent.to_field where parent.to_field is null`;
  return {
    test: {
      sql,
      newData: { kind: "rows", lookup: { column: "id", field: "k" } },
      dependsOn: ["model.t", reference.id],
    } as never,
    scope: {
      ...input,
      reads: [subject, reference],
      written: new Map([...written, [reference.id, written.get("model.t")!]]),
    },
  };
}

let connection: DuckDBConnection;
beforeAll(async () => {
  connection = await (await DuckDBInstance.create(":memory:")).connect();
  await connection.run(fixture);
});
afterAll(() => connection?.closeSync());

async function failures(test: typeof positive | typeof unique, scope: ScopeInput): Promise<number> {
  const bound = scopeOf(test as unknown as CompiledNode, scope);
  const reader = await connection.runAndReadAll(bound.bind(test.sql));
  return reader.getRowObjectsJS().length;
}

describe("what a scoped test reads", () => {
  it("rows: only the partitions written; the old partition's violation is not read", async () => {
    expect(await failures(positive, input)).toBe(0);
    expect(await failures(positive, { ...input, mode: "full" })).toBe(1);
    expect(scopeOf(positive as unknown as CompiledNode, input).scope).toEqual({
      kind: "incremental",
      detail: "1 partition of d written this run (2026-11-26)",
    });
  });

  it("keys: a new key that repeats an old one fails, though the new partition alone has it once", async () => {
    expect(await failures(unique, input)).toBe(1);
    // Read as rows of the new partition only, the duplicate would be missed.
    expect(await failures({ ...unique, newData: { kind: "rows" } } as never, input)).toBe(0);
  });

  it("keys whose copies share a partition: a duplicate in another partition passes the incremental scope, which says so; full scope fails", async () => {
    // The model declares copies_share_partition of id, and t breaks it: 'a' is also in 2026-11-25.
    const shared = { ...unique, newData: { ...unique.newData, copiesSharePartition: true } };
    expect(await failures(shared, input)).toBe(0);
    expect(scopeOf(shared as unknown as CompiledNode, input).scope).toEqual({
      kind: "incremental",
      detail:
        "keys of 1 partition of d written this run (2026-11-26), against their partitions (copies of a key share its partition: copies_share_partition; --scope full checks the whole table)",
    });
    expect(await failures(shared, { ...input, mode: "full" })).toBe(1);
    expect(scopeOf(shared as unknown as CompiledNode, { ...input, mode: "full" }).scope.kind).toBe(
      "full",
    );
    // A key repeated inside its partition is still found.
    await connection.run(`INSERT INTO s.t VALUES ('c', 3, DATE '2026-11-26')`);
    try {
      expect(await failures(shared, input)).toBe(1);
    } finally {
      await connection.run(`DELETE FROM s.t WHERE v = 3`);
    }
  });

  it("lookup: new keys found in the reference's written partitions or, failing that, anywhere in it; a key found nowhere fails", async () => {
    const p = relationship("p");
    // 'c' is in p's new partition, 'a' only in its old one: both found.
    expect(await failures(p.test, p.scope)).toBe(0);
    expect(scopeOf(p.test as unknown as CompiledNode, p.scope).scope.detail).toBe(
      "1 partition of d written this run (2026-11-26), looked up in p: 1 partition of d written " +
        "this run (2026-11-26); then in the whole p for the keys not found there",
    );
    // 'a' is in no partition of q: the one failing row, as a full read finds it.
    const q = relationship("q");
    expect(await failures(q.test, q.scope)).toBe(1);
    // A full read checks t's old rows too: its old 'a' row fails as well.
    expect(await failures(q.test, { ...q.scope, mode: "full" })).toBe(2);
    // Without the reference's written partitions, the whole reference.
    const whole = { ...q.scope, written };
    expect(await failures(q.test, whole)).toBe(1);
    expect(scopeOf(q.test as unknown as CompiledNode, whole).scope.detail).toBe(
      "1 partition of d written this run (2026-11-26), looked up in the whole q",
    );
  });

  it("nothing written (no new data): empty, so the runner skips the check", () => {
    const none = new Map([["model.t", { columns: [{ name: "d" }], values: [] }]]);
    expect(scopeOf(positive as unknown as CompiledNode, { ...input, written: none }).empty).toBe(
      true,
    );
  });

  it("a subject not written incrementally, or a check needing the whole table: full, and why", () => {
    const plain = { sql: positive.sql } as CompiledNode;
    expect(scopeOf(plain, input).scope.detail).toBe("the whole table (the check needs all of it)");
    expect(
      scopeOf(positive as unknown as CompiledNode, { ...input, written: new Map() }).scope,
    ).toEqual({
      kind: "full",
      detail: "the whole table (not written incrementally this run)",
    });
  });

  it("on Athena the partitions are typed literals (Trino compares no DATE with a string) and the SQL parses", () => {
    const athena = scopeOf(unique as unknown as CompiledNode, {
      ...input,
      dialect: createAthenaDialect(),
      written: new Map([
        [
          "model.t",
          { columns: [{ name: "d", type: "date" }], values: [["2026-11-26"], ["2026-11-27"]] },
        ],
      ]),
    });
    const sql = athena.bind(unique.sql);
    expect(sql).toContain(`"d" IN (DATE '2026-11-26', DATE '2026-11-27')`);
    expect(grammarErrors({ sql, grammar: "trino" })).toEqual([]);
    // Copies sharing their key's partition: the written partitions, read whole (pruned by Athena).
    const shared = { ...unique, newData: { ...unique.newData, copiesSharePartition: true } };
    const inPartitions = scopeOf(shared as unknown as CompiledNode, {
      ...input,
      dialect: createAthenaDialect(),
      written: new Map([
        ["model.t", { columns: [{ name: "d", type: "date" }], values: [["2026-11-26"]] }],
      ]),
    }).bind(shared.sql);
    expect(inPartitions).toContain(`"d" IN (DATE '2026-11-26')`);
    expect(inPartitions).not.toMatch(/"id" IN \(/i);
    expect(grammarErrors({ sql: inPartitions, grammar: "trino" })).toEqual([]);
    const p = relationship("p");
    const typed = new Map([
      ["model.t", { columns: [{ name: "d", type: "date" }], values: [["2026-11-26"]] }],
      ["model.p", { columns: [{ name: "d", type: "date" }], values: [["2026-11-26"]] }],
    ]);
    const lookup = scopeOf(p.test as unknown as CompiledNode, {
      ...p.scope,
      dialect: createAthenaDialect(),
      written: typed,
    }).bind(p.test.sql);
    expect(lookup).toContain("EXCEPT");
    expect(grammarErrors({ sql: lookup, grammar: "trino" })).toEqual([]);
  });
});
