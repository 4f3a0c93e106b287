import { createHash } from "node:crypto";
import { cp, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../support/cli.js";
import { copyJaffleShop, dbtCli } from "../support/dbt-fixture.js";

/**
 * dbt_utils' macros as dbt_utils writes them (tests/fixtures/dbt/jaffle_shop/packages/mini_utils:
 * `star`, `union_relations`, `generate_surrogate_key`, `date_spine` with `generate_series`, and
 * `_is_relation`/`_is_ephemeral`; adapter.get_columns_in_relation, api.Relation, loop.last,
 * `{%- -%}`, `return()` as an early exit, dict keys that are relations), called by the models of
 * tests/fixtures/dbt/utils_models added to a copy of jaffle_shop. Rows by hand from the seeds:
 * stg_customers (1 Michael P.) (2 Shawn M.) (3 Kathleen P.) (4 Jimmy C.); raw_customer_tiers
 * (1 bronze) (2 silver) (3 gold); orders 1..5 of customers 1 3 1 2 3, statuses returned
 * completed completed placed shipped, dated 2018-01-01 01-02 01-04 01-05 01-05.
 */
let dir: string;
let cleanup: () => Promise<void>;
const { sluice, query } = dbtCli(() => dir);
let build: Awaited<ReturnType<typeof sluice>>;
const md5 = (s: string) => createHash("md5").update(s).digest("hex");
const plain = (rows: Record<string, unknown>[]) =>
  rows.map((r) =>
    Object.fromEntries(
      Object.entries(r).map(([k, v]) => [k, typeof v === "bigint" ? Number(v) : v]),
    ),
  );

beforeAll(async () => {
  ({ dir, cleanup } = await copyJaffleShop());
  await cp(path.join(repoRoot, "tests/fixtures/dbt/utils_models"), path.join(dir, "models/utils"), {
    recursive: true,
  });
  build = await sluice("build");
}, 300_000);
afterAll(async () => cleanup());

describe("dbt_utils-shaped macros on the duckdb lake", () => {
  it("the project builds with them, nothing failing", () => {
    expect(build.code, build.stdout + build.stderr).toBe(0);
    expect(build.stderr).not.toMatch(/error/i);
  });

  it("star(from=ref(...), except=[...]): every other column, except matched case-insensitively", async () => {
    const rows = await query<Record<string, unknown>>(
      "select * from main.customers_but_names order by customer_id",
    );
    expect(plain(rows)).toEqual([1, 2, 3, 4].map((customer_id) => ({ customer_id })));
  });

  it("star with relation_alias and prefix: o.<col> as o_<col>, quoted", async () => {
    const sql = await readFile(
      path.join(dir, "target/run/models/utils/prefixed_orders.sql"),
      "utf8",
    );
    expect(sql).toContain('o."order_id" as "o_order_id",\n  o."customer_id" as "o_customer_id"');
    const rows = await query<Record<string, unknown>>(
      "select * from main.prefixed_orders order by o_order_id",
    );
    expect(plain(rows)).toEqual([
      { o_order_id: 1, o_customer_id: 1, o_status: "returned" },
      { o_order_id: 2, o_customer_id: 3, o_status: "completed" },
      { o_order_id: 3, o_customer_id: 1, o_status: "completed" },
      { o_order_id: 4, o_customer_id: 2, o_status: "placed" },
      { o_order_id: 5, o_customer_id: 3, o_status: "shipped" },
    ]);
  });

  it("union_relations: the superset of columns, null where a relation lacks one, its source named", async () => {
    const rows = await query<Record<string, unknown>>(
      "select * from main.customers_and_tiers order by _dbt_source_relation, customer_id",
    );
    const tiers = '"main"."raw_customer_tiers"';
    const customers = '"main_staging"."stg_customers"';
    const none = { first_name: null, last_name: null };
    expect(plain(rows)).toEqual([
      { _dbt_source_relation: tiers, customer_id: 1, ...none, tier: "bronze" },
      { _dbt_source_relation: tiers, customer_id: 2, ...none, tier: "silver" },
      { _dbt_source_relation: tiers, customer_id: 3, ...none, tier: "gold" },
      ...[
        [1, "Michael", "P."],
        [2, "Shawn", "M."],
        [3, "Kathleen", "P."],
        [4, "Jimmy", "C."],
      ].map(([customer_id, first_name, last_name]) => ({
        _dbt_source_relation: customers,
        customer_id,
        first_name,
        last_name,
        tier: null,
      })),
    ]);
  });

  it("generate_surrogate_key: md5 of the fields joined by '-', nulls as dbt_utils' marker", async () => {
    const rows = await query<{
      customer_id: number;
      tier: string | null;
      customer_tier_key: string;
    }>(
      "select customer_id, tier, customer_tier_key from main.customer_tier_keys " +
        "order by customer_id, tier nulls first",
    );
    const nul = "_dbt_utils_surrogate_key_null_";
    const expected: [number, string | null][] = [
      [1, null],
      [1, "bronze"],
      [2, null],
      [2, "silver"],
      [3, null],
      [3, "gold"],
      [4, null],
    ];
    expect(plain(rows as never)).toEqual(
      expected.map(([id, tier]) => ({
        customer_id: id,
        tier,
        customer_tier_key: md5(`${id}-${tier ?? nul}`),
      })),
    );
  });

  it("date_spine: the days from the start up to (not including) the end, orders counted per day", async () => {
    const rows = await query<{ d: string; orders: number }>(
      "select cast(cast(date_day as date) as varchar) as d, orders from main.orders_per_day order by d",
    );
    expect(plain(rows as never)).toEqual([
      { d: "2018-01-01", orders: 1 },
      { d: "2018-01-02", orders: 1 },
      { d: "2018-01-03", orders: 0 },
      { d: "2018-01-04", orders: 1 },
      { d: "2018-01-05", orders: 2 },
      { d: "2018-01-06", orders: 0 },
    ]);
  });

  it("star of an ephemeral model is dbt_utils' own error, at the call", async () => {
    await writeFile(
      path.join(dir, "models/utils/eph_orders.sql"),
      "{{ config(materialized='ephemeral') }}\nselect * from {{ ref('stg_orders') }}\n",
    );
    await writeFile(
      path.join(dir, "models/utils/star_of_ephemeral.sql"),
      "select {{ mini_utils.star(from=ref('eph_orders')) }} from {{ ref('eph_orders') }}\n",
    );
    const r = await sluice("compile", "--select", "star_of_ephemeral");
    expect(r.code, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(
      /star_of_ephemeral\.sql:1:\d+: error TEMPLATE_SYNTAX:\s+The `star` macro cannot be used with ephemeral models[\s\S]*`eph_orders` is an ephemeral model/,
    );
  });
});
