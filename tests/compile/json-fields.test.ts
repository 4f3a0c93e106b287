import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { strictIntegerCasts, trinoCompatStatements } from "@sluice/dialects";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compiledModelSql } from "./compiled-model.js";

/**
 * models/macros/json.sql's json_fields(): on the local lake stg_events parses each raw line's
 * JSON once (json_extract with a list of paths) instead of once per field. The fields must be
 * what one json_extract_scalar / json_extract per path gives (the compat layer's Trino
 * semantics), on lines that are not plain event objects; on Athena the model is unchanged.
 */
const lines = [
  '{"event_id":"e1","event_type":"product_view","session_id":"s","event_timestamp":"2026-11-27T00:15:00Z","customer":{"customer_id":7,"country":"DE"},"session":{"channel":"email","device":"mobile"},"product":{"product_id":1,"product_name":"Mug","category":"home","price":9.5}}',
  '{"event_id":"a","event_id":"b","event_type":"order_paid","order":{"order_id":"o","order_total":1e2,"items":[{"x":1},{"x":2}]}}',
  '{"event_id":"c","customer":"not an object","order":{"items":{}},"quantity":"3"}',
  '{"event_id":{"nested":1},"event_type":[1],"session_id":null,"product":{"price":"12.345"}}',
  '{"a":1,}',
  '{"event_id":NaN}',
  "[1,2]",
  '"text"',
  "3",
  "null",
  "not json",
  "",
  '{"customer":{"customer_id":12345678901234567890},"payment":{"method":"card"}}',
  '{"event_id":"n","customer":{"customer_id":1,"customer_id":2},"customer":{"customer_id":3,"country":"FR","customer_id":4}}',
  '{"event_id":"m","order":{"items":[1],"order_id":"o1"},"order":{"order_id":"o2"},"payment":{"method":"card","method":{"x":1}}}',
];

/** The typed fields of stg_events, each read with its own json_extract_scalar / json_extract. */
const perPath = `
select line,
  json_extract_scalar(j, '$.event_id') as event_id,
  json_extract_scalar(j, '$.event_type') as event_type,
  json_extract_scalar(j, '$.session_id') as session_id,
  try(cast(json_extract_scalar(j, '$.customer.customer_id') as bigint)) as customer_id,
  json_extract_scalar(j, '$.customer.country') as country,
  json_extract_scalar(j, '$.session.channel') as channel,
  json_extract_scalar(j, '$.session.device') as device,
  try(cast(json_extract_scalar(j, '$.product.product_id') as bigint)) as product_id,
  json_extract_scalar(j, '$.product.product_name') as product_name,
  json_extract_scalar(j, '$.product.category') as category,
  try(cast(json_extract_scalar(j, '$.product.price') as decimal(18, 2))) as price,
  try(cast(json_extract_scalar(j, '$.quantity') as bigint)) as quantity,
  json_extract_scalar(j, '$.order.order_id') as order_id,
  try(cast(json_extract_scalar(j, '$.order.order_total') as decimal(18, 2))) as order_total,
  try(cast(json_array_length(json_extract(j, '$.order.items')) as bigint)) as order_item_count,
  json_extract_scalar(j, '$.payment.method') as payment_method,
  json_format(json_extract(j, '$.order.items')) as order_items_json
from (select line, try(json_parse(line)) as j from lines)`;

const columns =
  "line, event_id, event_type, session_id, customer_id, country, channel, device, product_id, " +
  "product_name, category, price, quantity, order_id, order_total, order_item_count, " +
  "payment_method, order_items_json";

const compiledStgEvents = (target: string) => compiledModelSql(target, "model.stg_events");

describe("json_fields: one parse per line on the local lake, the same fields", () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  const rows = async (sql: string) =>
    (await connection.runAndReadAll(`${sql} order by line`)).getRowObjectsJson();

  beforeAll(async () => {
    instance = await DuckDBInstance.create(":memory:");
    connection = await instance.connect();
    for (const s of trinoCompatStatements()) await connection.run(s.sql);
    const values = lines.map((l) => `('2026/11/27/00', '${l.replaceAll("'", "''")}')`);
    await connection.run(
      `create temp table lines as select * from (values ${values.join(", ")}) t(dt, line)`,
    );
  });
  afterAll(() => {
    connection?.closeSync();
    instance?.closeSync();
  });

  it("the local model's fields equal one json_extract_scalar per path", async () => {
    const sql = await compiledStgEvents("local");
    // One call for all paths: the list form once, no per-field json_extract_scalar(j, ...) left.
    expect(sql.match(/__sluice_json_extract_paths\(j, ARRAY\[/g)).toHaveLength(1);
    expect(sql).not.toMatch(/json_extract(_scalar)?\(j, '/);
    // Each field's text through the lake-only scalar macro: no json_extract_scalar left to bind.
    expect(sql).not.toContain("json_extract_scalar");
    expect(sql.match(/__sluice_json_scalar\(__sluice_json_\w+\)/g)?.length).toBeGreaterThan(10);
    const model = strictIntegerCasts(sql.replace(/sluice_raw_window\([^)]*\)/, "lines"));
    const got = await rows(`select ${columns} from (${model})`);
    const want = await rows(strictIntegerCasts(perPath));
    expect(got).toHaveLength(lines.length);
    expect(got).toEqual(want);
    // Spot checks by hand (Trino): the last of duplicate keys at every level of the path,
    // objects are no scalars, a non-array has no length.
    const byLine = new Map(got.map((r) => [r["line"], r]));
    expect(byLine.get(lines[1]!)).toMatchObject({ event_id: "b", order_item_count: "2" });
    expect(byLine.get(lines[13]!)).toMatchObject({ customer_id: "4", country: "FR" });
    expect(byLine.get(lines[14]!)).toMatchObject({
      order_id: "o2",
      order_item_count: null,
      order_items_json: null,
      payment_method: null,
    });
    expect(byLine.get(lines[2]!)).toMatchObject({ country: null, order_item_count: null });
    expect(byLine.get(lines[3]!)).toMatchObject({ event_id: null, price: "12.35" });
  });

  it("__sluice_json_scalar(v) is json_extract_scalar(v, '$') for every kind of JSON value", async () => {
    const values = [
      `'{"a": 1}'`,
      `'[1, 2]'`,
      `'"text"'`,
      `'"with \\"quote\\""'`,
      `'12.50'`,
      `'-3e2'`,
      `'true'`,
      `'null'`,
      `NULL`,
    ];
    const sql = values
      .map(
        (v, i) =>
          `select ${i} as i, __sluice_json_scalar(CAST(${v} AS JSON)) as got, ` +
          `json_extract_scalar(CAST(${v} AS JSON), '$') as want`,
      )
      .join(" union all ");
    const got = (await connection.runAndReadAll(`${sql} order by i`)).getRowObjectsJson();
    expect(got.map((r) => r["got"])).toEqual(got.map((r) => r["want"]));
    // By hand (Trino): scalars as text (numbers re-printed), objects, arrays and nulls as NULL.
    expect(got.map((r) => r["got"])).toEqual([
      null,
      null,
      "text",
      'with "quote"',
      "12.5",
      "-300.0",
      "true",
      null,
      null,
    ]);
  });

  it("the Athena model reads each path from j as written", async () => {
    const sql = await compiledStgEvents("prod");
    expect(sql).not.toContain("json_extract(j, [");
    expect(sql).not.toContain("__sluice_json_extract_paths");
    expect(sql).toContain("json_extract_scalar(j, '$.customer.customer_id') as customer_id_raw");
    expect(sql).toContain("json_format(json_extract(j, '$.order.items')) as order_items_json");
    expect(sql).toMatch(/\n {4}from parsed\n\)/);
  });
});
