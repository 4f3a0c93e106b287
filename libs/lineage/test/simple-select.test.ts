import { describe, expect, it } from "vitest";
import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import { buildLineage, simpleSelect } from "../src/index.js";

/** A model over `s.orders` (id, customer, amount, day) and `s.customers` (id, country). */
function project(sql: string): CompiledProject {
  const node = (id: string, name: string, columns: string[], body = ""): CompiledNode => ({
    id,
    kind: id.startsWith("model") ? "model" : "source",
    name,
    path: `${name}.sql`,
    schema: "s",
    relation: { schema: "s", name },
    materialization: "table",
    partitionedBy: [],
    config: {},
    tags: [],
    columns: columns.map((c) => ({ name: c })),
    dependsOn: id.startsWith("model") ? ["source.s.orders", "source.s.customers"] : [],
    sql: body,
    statements: [],
  });
  return {
    projectName: "p",
    targetName: "local",
    dialect: "duckdb",
    nodes: [
      node("source.s.orders", "orders", ["id", "customer", "amount", "day"]),
      node("source.s.customers", "customers", ["id", "country"]),
      node("model.m", "m", [], sql),
    ],
    diagnostics: [],
  };
}

describe("simpleSelect: the lineage fast path", () => {
  const same = [
    "select id, customer as buyer, amount * 2 as doubled, 'x' as tag, null as nothing, 7 as seven from s.orders",
    'select o."id", "o".customer, o.amount from "s"."orders" as o',
    "select o.id + 1, cast(o.amount as decimal(38, 2)) as amount, try_cast(o.day as varchar) as d from s.orders o",
    "select c.country, count(distinct o.customer) as buyers, sum(o.amount) as total, count(*) as n from s.orders as o left join s.customers as c on c.id = o.customer and o.amount > 0 where o.amount is not null group by c.country having count(*) > 1 order by 1 limit 5",
    "select case when o.amount > 10 then 'big' else c.country end as size, coalesce(o.day, c.country) as d from s.orders as o, s.customers c",
    "select distinct o.id, o.amount between 1 and 2 as mid, o.customer in (1, 2) as vip, o.day like '2%' as y from s.orders as o cross join s.customers as c",
    "select id from s.orders -- a comment\n/* and another */ where amount > 0",
    "select id, country from s.orders join s.customers using (id)",
    "select (o.id) as x, (o.amount) as amount, -o.amount as neg, (o.amount + 1) * 2 as y from s.orders as o",
    "select upper(o.day) as day, o.day || 'x' as tagged, o.amount / 100.0 as ratio from s.orders as o",
    'select o.id as "Weird Name", "O"."ID" as up, max_by(o.day, o.amount) as d from s.orders o group by 1, 2',
    "select coalesce(nullif(o.day, ''), 'x') as d, if(o.amount > 0, 'pos', 'neg') as sign, try(o.amount / 0) as t from s.orders as o",
    "select o.id, c.id from s.orders o left outer join s.customers c on c.id = o.customer order by o.id desc nulls last limit 5",
    "select id from s.orders o inner join s.customers c on (c.id = o.customer)",
    "SELECT O.ID, CAST(O.DAY AS TIMESTAMP(3)) AS T FROM S.ORDERS O",
    "select o.id from s.orders o where o.id in (select id from s.customers)",
  ];
  it.each(same)("gives node-sql-parser's lineage: %s", (sql) => {
    const p = project(sql);
    expect(buildLineage(p)).toEqual(buildLineage(p, {}, undefined, { simpleSelects: false }));
  });

  it("takes the simple shapes", () => {
    expect(same.slice(0, 7).map((sql) => simpleSelect(sql) !== undefined)).toEqual(
      Array(7).fill(true),
    );
    expect(simpleSelect("select a.x as y from s.t as a")).toMatchObject({
      columns: [{ expr: { type: "column_ref", table: "a", column: "x" }, as: "y" }],
      from: [{ db: "s", table: "t", as: "a" }],
    });
  });

  // Shapes it must leave to the full parser: reading them as simple would give wrong lineage.
  const full = [
    ["an alias without as", "select amount total from s.orders"],
    ["an alias without as after an expression", "select amount + 1 total from s.orders"],
    ["is distinct from", "select id is distinct from customer as d from s.orders"],
    ["a window", "select sum(amount) over (partition by day) as s from s.orders"],
    ["a scalar subquery", "select (select max(id) from s.customers) as m from s.orders"],
    ["a subquery in FROM", "select x.id from (select id from s.orders) as x"],
    ["a CTE", "with o as (select id from s.orders) select id from o"],
    ["a UNION", "select id from s.orders union all select id from s.customers"],
    ["select *", "select * from s.orders"],
    ["t.*", "select o.* from s.orders as o"],
    ["a typed literal", "select date '2026-01-01' as d, id from s.orders"],
    ["extract", "select extract(year from day) as y from s.orders"],
    ["an alias with a column list", "select x.a from s.orders as x(a, b, c, d)"],
    ["a three-part name", "select id from awsdatacatalog.s.orders"],
    ["a table function", "select line from sluice_raw_window(s.orders)"],
    ["unnest", "select x from s.orders cross join unnest(items) as t(x)"],
    ["a lambda", "select transform(items, x -> x + 1) as y from s.orders"],
    ["an array subscript", "select items[1] as first from s.orders"],
    ["a row field", "select o.r.f as f from s.orders as o"],
    ["a constant expression", "select 1 + 2 as three, id from s.orders"],
    ["current_date", "select current_date as today, id from s.orders"],
    ["a semicolon", "select id from s.orders;"],
    ["a parenthesised column", "select (o.id) as x from s.orders as o"],
    ["an escaped quote in a name", 'select "a""b" from s.orders'],
  ];
  it.each(full)("leaves %s to node-sql-parser", (_, sql) => {
    expect(simpleSelect(sql!)).toBeUndefined();
  });
});
