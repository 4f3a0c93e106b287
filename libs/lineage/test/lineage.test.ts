import { describe, expect, it } from "vitest";
import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import { buildLineage, traceColumn } from "../src/index.js";
import type { ColumnLineage, LineageCache, NodeLineage } from "../src/index.js";

/** A node as the compiler makes it, with only what lineage reads. */
function node(
  id: string,
  sql: string,
  dependsOn: string[] = [],
  columns: string[] = [],
): CompiledNode {
  const [kind, ...rest] = id.split(".");
  const name = rest[rest.length - 1]!;
  const schema = kind === "source" ? rest[0]! : kind === "seed" ? "seeds" : "s";
  return {
    id,
    kind: kind as CompiledNode["kind"],
    name,
    path: `${name}.sql`,
    schema,
    relation: { schema, name },
    materialization: "table",
    partitionedBy: [],
    config: {},
    tags: [],
    columns: columns.map((c) => ({ name: c })),
    dependsOn,
    sql,
    statements: [],
  };
}

const project = (...nodes: CompiledNode[]): CompiledProject => ({
  projectName: "p",
  targetName: "local",
  dialect: "duckdb",
  nodes,
  diagnostics: [],
});

const orders = node("source.raw.orders", "", [], ["id", "customer", "amount", "items", "day"]);
const customers = node("seed.customers", "", [], ["id", "country"]);

/** The lineage of one model's columns as `column transform from...` lines. */
function lines(nodes: CompiledNode[], id: string): string[] {
  const graph = buildLineage(project(...nodes));
  const show = (c: ColumnLineage) =>
    [c.column, c.transform, ...c.from.map((f) => `${f.node}.${f.column}`)].join(" ");
  return graph.nodes[id]!.columns.map(show);
}

describe("column lineage from compiled SQL", () => {
  it("pass-through, renamed, transformed, aggregated and constant through a CTE and a join", () => {
    const sql = `with o as (select id, customer as buyer, amount * 2 as doubled, day from raw.orders)
      select c.country, o.buyer, sum(o.doubled) as total, count(*) as n, 'x' as tag,
             max(o.day) over (partition by c.country) as last_day
      from o join seeds.customers as c on c.id = o.buyer
      group by c.country, o.buyer, o.day`;
    const m = node("model.m", sql, ["source.raw.orders", "seed.customers"]);
    expect(lines([orders, customers, m], "model.m")).toEqual([
      "country passthrough seed.customers.country",
      "buyer renamed source.raw.orders.customer",
      "total aggregated source.raw.orders.amount",
      "n aggregated",
      "tag constant",
      "last_day transformed seed.customers.country source.raw.orders.day",
    ]);
  });

  it("select * expands from the upstream model's columns; a union; a scalar subquery", () => {
    const base = node("model.base", "select id, amount from raw.orders", ["source.raw.orders"]);
    const sql = `select * from (select b.* from s.base as b)
      union all select id, amount from raw.orders`;
    const m = node("model.m", sql, ["model.base", "source.raw.orders"]);
    expect(lines([orders, base, m], "model.m")).toEqual([
      "id passthrough model.base.id source.raw.orders.id",
      "amount passthrough model.base.amount source.raw.orders.amount",
    ]);
    // A scalar subquery: the Trino grammar rejects it, the Athena grammar fallback reads it.
    const sub = node(
      "model.sub",
      "select id, (select max(day) from raw.orders) as latest from s.base",
      ["model.base", "source.raw.orders"],
    );
    expect(lines([orders, base, sub], "model.sub")).toEqual([
      "id passthrough model.base.id",
      "latest aggregated source.raw.orders.day",
    ]);
  });

  it("unnest with an alias column list, and VALUES", () => {
    const sql = `select o.id, t.item, v.label
      from raw.orders as o
      cross join unnest(o.items) as t(item)
      cross join (values (1, 'a')) as v(k, label)`;
    const m = node("model.m", sql, ["source.raw.orders"]);
    expect(lines([orders, m], "model.m")).toEqual([
      "id passthrough source.raw.orders.id",
      "item transformed source.raw.orders.items",
      "label constant",
    ]);
  });

  it("unknown, never a guess: an ambiguous column, an undeclared relation, a parse failure", () => {
    const ambiguous = node("model.a", "select id from raw.orders join seeds.customers on true", [
      "source.raw.orders",
      "seed.customers",
    ]);
    const graph = buildLineage(project(orders, customers, ambiguous));
    expect(graph.nodes["model.a"]!.columns).toEqual([
      {
        column: "id",
        transform: "unknown",
        from: [],
        reason: "id could come from orders or customers",
      },
    ]);
    // A table no upstream node owns: its columns are not known, so * cannot be expanded.
    const opaque = node("model.o", "select * from elsewhere.t", []);
    expect(lines([opaque], "model.o")).toEqual(["* unknown"]);
    const broken = node("model.b", "select from where", [], ["x"]);
    const b = buildLineage(project(broken)).nodes["model.b"]!;
    expect(b.error).toMatch(/^the SQL did not parse/);
    expect(b.columns.map((c) => `${c.column} ${c.transform}`)).toEqual(["x unknown"]);
    expect(buildLineage(project(orders, customers, ambiguous, broken)).stats).toEqual({
      columns: 2,
      resolved: 0,
      unknown: 2,
    });
  });

  it("traces a column upstream to the source and back downstream", () => {
    const a = node("model.a", "select id, amount as value from raw.orders", ["source.raw.orders"]);
    const b = node("model.b", "select sum(value) as total from s.a", ["model.a"]);
    const graph = buildLineage(project(orders, a, b));
    const up = traceColumn(graph, { node: "model.b", column: "total" }, "upstream");
    expect(up.map((s) => `${s.depth} ${s.column.node}.${s.column.column} ${s.transform}`)).toEqual([
      "1 model.a.value aggregated",
      "2 source.raw.orders.amount renamed",
    ]);
    const down = traceColumn(graph, { node: "source.raw.orders", column: "amount" }, "downstream");
    expect(down.map((s) => `${s.column.node}.${s.column.column}`)).toEqual([
      "model.a.value",
      "model.b.total",
    ]);
  });

  it("a cache entry is reused while the SQL and the upstream columns stay the same", () => {
    const stored = new Map<string, { key: string; lineage: NodeLineage }>();
    const cache: LineageCache = {
      get: (node, key) => (stored.get(node)?.key === key ? stored.get(node)!.lineage : undefined),
      set: (node, key, lineage) => stored.set(node, { key, lineage }),
    };
    const a = node("model.a", "select id from raw.orders", ["source.raw.orders"]);
    buildLineage(project(orders, a), {}, cache);
    // Marked, to see whether the next build reads it or parses again.
    stored.get("model.a")!.lineage.columns[0]!.reason = "from the cache";
    const again = buildLineage(project(orders, a), {}, cache).nodes["model.a"]!;
    expect(again.columns[0]!.reason).toBe("from the cache");
    const edited = node("model.a", "select id, amount from raw.orders", ["source.raw.orders"]);
    const fresh = buildLineage(project(orders, edited), {}, cache).nodes["model.a"]!;
    expect(fresh.columns.map((c) => [c.column, c.reason])).toEqual([
      ["id", undefined],
      ["amount", undefined],
    ]);
    const wider = node("source.raw.orders", "", [], ["id", "amount", "extra"]);
    expect(buildLineage(project(wider, edited), {}, cache).nodes["model.a"]).not.toBe(fresh);
  });
});
