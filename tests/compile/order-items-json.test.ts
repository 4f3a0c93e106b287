import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { strictIntegerCasts, trinoCompatStatements } from "@sluice/dialects";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compiledModelSql } from "./compiled-model.js";

/**
 * silver.order_items on the local lake extracts each item once and reads its fields with
 * json_fields (a computed-path json_extract_scalar per field cost ~0.2 CPU-s to bind per
 * statement). Its rows must be what the Athena SQL (one json_extract_scalar per field, run here
 * through the compat layer) gives, on items that are not plain objects.
 */
const orders = [
  '[{"product_id":1,"product_name":"Mug","category":"home","quantity":2,"unit_price":9.5}]',
  '[{"product_id":1,"product_id":2,"unit_price":1e2,"quantity":"3"},{"category":{"x":1},"product_name":[1]}]',
  '[3, null, "text", true]',
  '[{"unit_price":"12.345","quantity":1.5,"product_id":12345678901234567890}]',
  '[{"product_name":null,"category":"a","category":"b","unit_price":-0.005}]',
  '[[{"product_id":9}], {}]',
];

const compiledOrderItems = (target: string) => compiledModelSql(target, "model.order_items");

/** The model's SQL reading the temp table `paid_events` instead of silver.events. */
const onTable = (sql: string): string =>
  strictIntegerCasts(sql.replace(/"(?:ecommerce_)?silver"\."events"/g, "paid_events"));

describe("order_items on the local lake: each item parsed once, the same rows", () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  const rows = async (sql: string) =>
    (
      await connection.runAndReadAll(`select * from (${sql}) order by event_id, order_item_number`)
    ).getRowObjectsJson();

  beforeAll(async () => {
    instance = await DuckDBInstance.create(":memory:");
    connection = await instance.connect();
    for (const s of trinoCompatStatements()) await connection.run(s.sql);
    const values = orders.map(
      (o, i) =>
        `('e${i}', 'order_paid', 's', TIMESTAMP '2026-11-27 00:00:00', ${i}, 'DE', 'email', ` +
        `'o${i}', '${o.replaceAll("'", "''")}', json_array_length('${o.replaceAll("'", "''")}'), ` +
        `DATE '2026-11-27', '2026/11/27/00')`,
    );
    await connection.run(
      `create temp table paid_events as select * from (values ${values.join(", ")}) ` +
        "t(event_id, event_type, session_id, event_timestamp, customer_id, country, channel, " +
        "order_id, order_items_json, order_item_count, event_date, dt)",
    );
  });
  afterAll(() => {
    connection?.closeSync();
    instance?.closeSync();
  });

  it("local rows equal the Athena SQL's (one json_extract_scalar per field)", async () => {
    const local = await compiledOrderItems("local");
    const prod = await compiledOrderItems("prod");
    expect(local).not.toContain("json_extract_scalar");
    expect(local.match(/__sluice_json_extract_paths\(j, ARRAY\[/g)).toHaveLength(1);
    expect(prod.match(/json_extract_scalar\(order_items_json, /g)).toHaveLength(5);
    expect(prod).not.toContain("__sluice_json");
    const got = await rows(onTable(local));
    const want = await rows(onTable(prod));
    expect(got).toHaveLength(11);
    expect(got).toEqual(want);
    // By hand (Trino): the last of duplicate keys, objects and arrays are no scalars, a
    // non-object item has no fields, money to DECIMAL(18, 2) rounding half up.
    const at = (id: string, n: number) =>
      got.find((r) => r["event_id"] === id && Number(r["order_item_number"]) === n);
    expect(at("e1", 1)).toMatchObject({
      product_id: "2",
      unit_price: "100.00",
      order_item_qty: "3",
    });
    expect(at("e1", 2)).toMatchObject({ category: null, product_name: null });
    expect(at("e2", 3)).toMatchObject({ product_id: null, product_name: null });
    expect(at("e3", 1)).toMatchObject({
      unit_price: "12.35",
      product_id: null,
      order_item_qty: null,
    });
    expect(at("e4", 1)).toMatchObject({ category: "b", product_name: null, unit_price: "-0.01" });
  });
});
