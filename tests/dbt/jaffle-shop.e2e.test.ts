import { createHash } from "node:crypto";
import { appendFile, readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readRunResults } from "../support/cli.js";
import { copyJaffleShop, dbtCli } from "../support/dbt-fixture.js";

/**
 * The jaffle_shop fixture (tests/fixtures/dbt/jaffle_shop) builds unmodified from its
 * dbt_project.yml + profiles.yml (type: duckdb), and its rows equal what was computed by hand
 * from the seeds below (amounts are cents / 100 under DuckDB's division, so 1050 -> 10.5).
 *
 *   raw_payments: (1,o1,cc,1050) (2,o2,cc,2000) (3,o3,coupon,100) (4,o3,cc,950)
 *                 (5,o4,bank,2525) (6,o5,gift,300) (7,o5,cc,1)
 *   raw_orders:   o1 c1 2018-01-01 returned, o2 c3 01-02 completed, o3 c1 01-04 completed,
 *                 o4 c2 01-05 placed, o5 c3 01-05 shipped
 */
let dir: string;
let cleanup: () => Promise<void>;
const { sluice, query } = dbtCli(() => dir);

let firstBuild: Awaited<ReturnType<typeof sluice>>;
beforeAll(async () => {
  ({ dir, cleanup } = await copyJaffleShop());
  firstBuild = await sluice("build");
}, 240_000);
afterAll(async () => cleanup());

describe("jaffle_shop (dbt project, duckdb profile)", () => {
  it("builds with every model, seed and test passing", () => {
    expect(firstBuild.code, firstBuild.stdout + firstBuild.stderr).toBe(0);
    expect(firstBuild.stderr).not.toMatch(/error/i);
  });

  it("names schemas as dbt's generate_schema_name does: main_staging for +schema: staging", async () => {
    const rows = await query<{ s: string; t: string }>(
      "select table_schema as s, table_name as t from information_schema.tables " +
        "where table_name in ('stg_payments','orders','customers','raw_orders') order by t",
    );
    expect(rows).toEqual([
      { s: "main", t: "customers" },
      { s: "main", t: "orders" },
      { s: "main", t: "raw_orders" },
      { s: "main_staging", t: "stg_payments" },
    ]);
  });

  it("divides as DuckDB does (no Trino integer division): 1050 cents are 10.5 dollars", async () => {
    const rows = await query<{ payment_id: number; amount: number }>(
      "select payment_id, amount from main_staging.stg_payments order by payment_id",
    );
    expect(rows.map((r) => [Number(r.payment_id), r.amount])).toEqual([
      [1, 10.5],
      [2, 20],
      [3, 1],
      [4, 9.5],
      [5, 25.25],
      [6, 3],
      [7, 0.01],
    ]);
  });

  it("orders pivots the payment methods of the {% for %} loop", async () => {
    const rows = await query<Record<string, unknown>>(
      "select order_id, customer_id, cast(order_date as varchar) as order_date, status, " +
        "round(credit_card_amount, 2) as cc, round(coupon_amount, 2) as coupon, " +
        "round(bank_transfer_amount, 2) as bank, round(gift_card_amount, 2) as gift, " +
        "round(amount, 2) as amount from main.orders order by order_id",
    );
    expect(
      rows.map((r) => Object.values(r).map((v) => (typeof v === "string" ? v : Number(v)))),
    ).toEqual([
      [1, 1, "2018-01-01", "returned", 10.5, 0, 0, 0, 10.5],
      [2, 3, "2018-01-02", "completed", 20, 0, 0, 0, 20],
      [3, 1, "2018-01-04", "completed", 9.5, 1, 0, 0, 10.5],
      [4, 2, "2018-01-05", "placed", 0, 0, 25.25, 0, 25.25],
      [5, 3, "2018-01-05", "shipped", 0.01, 0, 0, 3, 3.01],
    ]);
  });

  it("customers aggregates orders and payments per customer", async () => {
    const rows = await query<Record<string, unknown>>(
      "select customer_id, first_name, cast(first_order as varchar) as f, " +
        "cast(most_recent_order as varchar) as l, number_of_orders as n, " +
        "round(customer_lifetime_value, 2) as v from main.customers order by customer_id",
    );
    expect(
      rows.map((r) =>
        Object.values(r).map((v) => (typeof v === "string" ? v : v === null ? null : Number(v))),
      ),
    ).toEqual([
      [1, "Michael", "2018-01-01", "2018-01-04", 2, 21],
      [2, "Shawn", "2018-01-05", "2018-01-05", 1, 25.25],
      [3, "Kathleen", "2018-01-02", "2018-01-05", 2, 23.01],
      [4, "Jimmy", null, null, 0, null],
    ]);
  });

  it("ran the custom generic test, the package's test and the singular test, each passing", async () => {
    const results = (await readRunResults(dir)).results as { id: string; status: string }[];
    const status = new Map(results.map((r) => [r.id, r.status]));
    for (const id of [
      "test.is_positive_stg_payments_amount",
      "test.is_positive_orders_amount",
      "test.at_least_zero_customers_number_of_orders",
      "test.assert_total_payment_amount_is_positive",
      "test.relationships_orders_customer_id",
      "test.accepted_values_stg_orders_status",
      "test.unique_combination_of_columns_order_keys",
      "test.expression_is_true_order_keys",
      "test.accepted_range_order_keys_order_id",
    ])
      expect([id, status.get(id)]).toEqual([id, "pass"]);
    expect(results.filter((r) => r.id.startsWith("test.")).length).toBe(27);
  });

  it("a package's dbt_utils-shaped macro builds surrogate keys (dispatch, return, do, loop.last)", async () => {
    const rows = await query<{ order_id: number; order_key: string }>(
      "select order_id, order_key from main.order_keys order by order_id",
    );
    const orders: [number, number][] = [
      [1, 1],
      [2, 3],
      [3, 1],
      [4, 2],
      [5, 3],
    ];
    expect(rows.map((r) => [Number(r.order_id), r.order_key])).toEqual(
      orders.map(([o, c]) => [o, createHash("md5").update(`${o}-${c}`).digest("hex")]),
    );
  });

  it("renders {{ doc() }} descriptions and folder config written without '+'", async () => {
    // dbt's v12 manifest: nodes by unique id, columns by name, the resolved config.
    const manifest = JSON.parse(await readFile(path.join(dir, "target/manifest.json"), "utf8"))
      .nodes as Record<
      string,
      {
        description?: string;
        tags: string[];
        config: { materialized: string };
        columns: Record<string, { name: string; description?: string }>;
      }
    >;
    const node = (name: string) => manifest[`model.jaffle_shop.${name}`]!;
    expect(node("customers").description).toBe(
      "One row per customer, with their first and latest order and what they paid in total.",
    );
    const status = node("orders").columns["status"]!;
    expect(status.description).toMatch(/^Orders can be one of the following statuses:\n/);
    expect(status.description).toMatch(
      /\| returned +\| The order has been returned by the customer/,
    );
    expect(node("orders").tags).toEqual(["marts"]);
    expect(node("orders").config.materialized).toBe("table");
    expect(node("stg_orders").config.materialized).toBe("view");
    expect(node("stg_orders").tags).toEqual(["staging"]);
  });

  it("warns, once, about dbt config the local lake does not apply (+persist_docs: Athena only)", () => {
    expect(firstBuild.stderr).toContain(
      "warn DBT_KEY_IGNORED: persist_docs (stg_customers, stg_orders, stg_payments, customers, orders and 3 more) is applied on Athena targets only: the local lake keeps no table or column comments\n",
    );
    expect(firstBuild.stderr.match(/persist_docs/g)).toHaveLength(1);
  });

  it("an incremental model appends only new rows on the next build ({{ this }} in is_incremental())", async () => {
    await appendFile(path.join(dir, "seeds/raw_orders.csv"), "6,4,2018-01-06,completed\n");
    await appendFile(path.join(dir, "seeds/raw_payments.csv"), "8,6,coupon,1999\n");
    const again = await sluice("build");
    expect(again.code, again.stdout + again.stderr).toBe(0);
    const rows = await query<{ order_id: number; amount: number }>(
      "select order_id, round(amount, 2) as amount from main.completed_orders order by order_id",
    );
    expect(rows.map((r) => [Number(r.order_id), Number(r.amount)])).toEqual([
      [2, 20],
      [3, 10.5],
      [6, 19.99],
    ]);
  });

  /** Node id -> status of the last run. */
  const statuses = async () =>
    new Map(
      (
        (await readRunResults(dir)).results as {
          id: string;
          status: string;
        }[]
      ).map((r) => [r.id, r.status]),
    );

  it("a package's test fails the build on the rows it selects (accepted_range, max_value: 100)", async () => {
    await appendFile(path.join(dir, "seeds/raw_orders.csv"), "150,1,2018-01-07,placed\n");
    await appendFile(path.join(dir, "seeds/raw_payments.csv"), "9,150,coupon,100\n");
    const failed = await sluice("build");
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    const status = await statuses();
    expect(status.get("test.accepted_range_order_keys_order_id")).toBe("fail");
    expect(status.get("test.expression_is_true_order_keys")).toBe("pass");
    expect([...status.values()].filter((s) => s === "fail")).toEqual(["fail"]);
  });

  it("a project's {% test %} fails the build on the rows it selects (is_positive)", async () => {
    await appendFile(path.join(dir, "seeds/raw_payments.csv"), "10,6,coupon,-500\n");
    const failed = await sluice("build");
    expect(failed.code, failed.stdout + failed.stderr).toBe(1);
    expect((await statuses()).get("test.is_positive_stg_payments_amount")).toBe("fail");
  });
});
