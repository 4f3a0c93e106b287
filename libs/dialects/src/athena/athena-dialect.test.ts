import { describe, expect, it } from "vitest";
import type { Statement, TableWrite } from "../dialect.js";
// Test-only helper shared by every dialect test; it never reaches library code.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { grammarErrors } from "../../../../tests/support/sql-grammar.js";
import { createAthenaDialect } from "./athena-dialect.js";

const d = createAthenaDialect();
const orders = { schema: "ecommerce_silver", name: "orders" };
const write: TableWrite = {
  relation: orders,
  selectSql: 'select order_id, amount, event_date\nfrom "ecommerce_staging"."stg_orders";\n',
  partitionedBy: ["event_date"],
  location: "s3://lake/silver/orders/20240101T000000-ab12",
  writeId: "ab12",
};
const raw = {
  relation: { schema: "ecommerce_raw", name: "events" },
  location: "s3://lake/raw/events/",
  projectionStart: "2024/01/01/00",
};

describe("athena dialect SQL text", () => {
  it("writes one CTAS with Parquet, ZSTD, the fresh location and partition columns", () => {
    expect(d.createTableAs(write)).toEqual([
      {
        kind: "create_table_as",
        grammar: "trino",
        sql: `CREATE TABLE "ecommerce_silver"."orders"
WITH (
  format = 'PARQUET',
  write_compression = 'ZSTD',
  external_location = 's3://lake/silver/orders/20240101T000000-ab12/',
  partitioned_by = ARRAY['event_date']
)
AS
select order_id, amount, event_date
from "ecommerce_staging"."stg_orders"`,
      },
    ]);
  });

  it("omits partitioned_by for an unpartitioned table", () => {
    const [ctas] = d.createTableAs({ ...write, partitionedBy: [], location: "s3://lake/x//" });
    expect(ctas?.sql).not.toContain("partitioned_by");
    expect(ctas?.sql).toContain("external_location = 's3://lake/x/'\n)");
  });

  it("appends with INSERT INTO and replaces views", () => {
    expect(d.insertInto(write)).toEqual([
      {
        kind: "insert",
        grammar: "trino",
        sql: 'INSERT INTO "ecommerce_silver"."orders"\nselect order_id, amount, event_date\nfrom "ecommerce_staging"."stg_orders"',
      },
    ]);
    expect(d.createView({ schema: "marts", name: "funnel" }, "select 1 as x")).toEqual([
      {
        kind: "create_view",
        grammar: "trino",
        sql: 'CREATE OR REPLACE VIEW "marts"."funnel" AS\nselect 1 as x',
      },
    ]);
  });

  it("adds columns with Hive DDL, Trino types written as Hive's (on_schema_change='append_new_columns')", () => {
    const [statement, ...rest] = d.addColumns(orders, [
      { name: "coupon", type: "varchar" },
      { name: "qty", type: "integer" },
      { name: "ratio", type: "real" },
      { name: "tags", type: "array(varchar)" },
      { name: "price", type: "decimal(10,2)" },
      { name: "shipping", type: "row(city varchar, zip integer)" },
      { name: "odd`name", type: "map(varchar, bigint)" },
    ]);
    expect(rest).toEqual([]);
    expect(statement).toEqual({
      kind: "alter_table",
      grammar: "hive",
      sql: "ALTER TABLE `ecommerce_silver`.`orders` ADD COLUMNS (`coupon` string, `qty` int, `ratio` float, `tags` array<string>, `price` decimal(10,2), `shipping` struct<city:string,zip:int>, `odd``name` map<string,bigint>)",
    });
    expect(grammarErrors(statement!)).toEqual([]);
    expect(d.addColumns(orders, [])).toEqual([]);
  });

  it("replaces a Hive table's data columns (on_schema_change='sync_all_columns')", () => {
    const [statement, ...rest] = d.replaceColumns(orders, [
      { name: "order_id", type: "varchar" },
      { name: "qty", type: "bigint" },
      { name: "price", type: "decimal(10,2)" },
    ]);
    expect(rest).toEqual([]);
    expect(statement).toEqual({
      kind: "alter_table",
      grammar: "hive",
      sql: "ALTER TABLE `ecommerce_silver`.`orders` REPLACE COLUMNS (`order_id` string, `qty` bigint, `price` decimal(10,2))",
    });
    expect(grammarErrors(statement!)).toEqual([]);
  });

  it("writes drops and databases in the grammar Athena routes them to", () => {
    expect(d.dropTable(orders)).toEqual([
      {
        kind: "drop_table",
        grammar: "hive",
        sql: "DROP TABLE IF EXISTS `ecommerce_silver`.`orders`",
      },
    ]);
    expect(d.createSchema("ecommerce_silver")).toEqual([
      {
        kind: "create_schema",
        grammar: "hive",
        sql: "CREATE DATABASE IF NOT EXISTS `ecommerce_silver`",
      },
    ]);
    expect(d.createSchema("ecommerce_silver", "s3://lake/silver")[0]?.sql).toBe(
      "CREATE DATABASE IF NOT EXISTS `ecommerce_silver` LOCATION 's3://lake/silver/'",
    );
  });

  it("declares the raw zone as a text table with hourly partition projection", () => {
    expect(d.rawSource(raw)).toEqual([
      {
        kind: "create_external_table",
        grammar: "hive",
        sql: `CREATE EXTERNAL TABLE IF NOT EXISTS \`ecommerce_raw\`.\`events\` (\`line\` string)
PARTITIONED BY (\`dt\` string)
ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\001'
STORED AS TEXTFILE
LOCATION 's3://lake/raw/events/'
TBLPROPERTIES (
  'classification' = 'text',
  'projection.enabled' = 'true',
  'projection.dt.type' = 'date',
  'projection.dt.format' = 'yyyy/MM/dd/HH',
  'projection.dt.range' = '2024/01/01/00,NOW',
  'projection.dt.interval' = '1',
  'projection.dt.interval.unit' = 'HOURS',
  'storage.location.template' = 's3://lake/raw/events/\${dt}/'
)`,
      },
    ]);
  });

  it("declares a zone partitioned by event type with an enum projection before dt", () => {
    const [ddl] = d.rawSource({ ...raw, eventTypes: ["product_view", "order_paid"] });
    expect(ddl!.sql).toContain("PARTITIONED BY (`event_type` string, `dt` string)");
    expect(ddl!.sql).toContain(`  'projection.event_type.type' = 'enum',
  'projection.event_type.values' = 'product_view,order_paid',
  'storage.location.template' = 's3://lake/raw/events/event_type=\${event_type}/\${dt}/'
)`);
  });

  it("wraps assertions and limits as subqueries, dropping a trailing semicolon", () => {
    expect(d.assertion("select * from t where x is null -- nulls;\n;")).toEqual({
      kind: "select",
      grammar: "trino",
      sql: "SELECT count(*) AS failures FROM (\nselect * from t where x is null -- nulls\n) AS sluice_assertion",
    });
    expect(d.limit("select 1 as x;", 10)).toBe(
      "SELECT * FROM (\nselect 1 as x\n) AS sluice_limit LIMIT 10",
    );
    expect(() => d.limit("select 1", -1)).toThrow(RangeError);
  });

  it("declares its capabilities", () => {
    expect(d.name).toBe("athena");
    expect(d.family).toBe("catalog");
    expect(d.capabilities).toEqual({
      maxPartitionsPerWrite: 100,
      icebergTables: true,
      modelSql: "trino",
    });
  });

  it("writes Iceberg tables (CTAS with table_type ICEBERG) and merges into them by unique key", () => {
    const [ctas] = d.createTableAs({ ...write, tableType: "iceberg" });
    expect(ctas!.sql).toContain(
      `WITH (\n  table_type = 'ICEBERG',\n  is_external = false,\n  location = 's3://lake/silver/orders/20240101T000000-ab12/',\n  format = 'PARQUET',\n  write_compression = 'ZSTD',\n  partitioning = ARRAY['event_date']\n)`,
    );
    expect(
      d.mergeInto(
        { schema: "silver", name: "orders" },
        "select * from s;",
        ["order_id", "it's"],
        ["order_id", "it's", "amount"],
      ),
    ).toEqual([
      {
        kind: "merge",
        grammar: "trino",
        sql: [
          `MERGE INTO "silver"."orders" AS sluice_target`,
          `USING (\nselect * from s\n) AS sluice_src`,
          `ON sluice_target."order_id" = sluice_src."order_id" AND sluice_target."it's" = sluice_src."it's"`,
          `WHEN MATCHED THEN UPDATE SET "amount" = sluice_src."amount"`,
          `WHEN NOT MATCHED THEN INSERT ("order_id", "it's", "amount") VALUES (sluice_src."order_id", sluice_src."it's", sluice_src."amount")`,
        ].join("\n"),
      },
    ]);
    // Only keys: nothing to update.
    expect(
      d.mergeInto({ schema: "s", name: "t" }, "select 1 as k", ["k"], ["k"])[0]!.sql,
    ).not.toContain("WHEN MATCHED");
  });
});

describe("athena statements parse under their grammar", () => {
  const hostile = { schema: 'we"ird`db', name: 'it\'s `a` "table"' };
  const statements: Statement[] = [
    ...d.createSchema("ecommerce_silver", "s3://lake/silver"),
    ...d.createSchema(hostile.schema, "s3://lake/it's\\here"),
    ...d.createTableAs(write),
    ...d.createTableAs({
      ...write,
      relation: hostile,
      partitionedBy: ["a'b", "event_date"],
      location: "s3://l/it's",
    }),
    ...d.insertInto(write),
    ...d.insertInto({ ...write, relation: hostile, columns: ["order_id", 'x"y', "event_date"] }),
    ...d.createTableAs({ ...write, tableType: "iceberg" }),
    ...d.createTableAs({ ...write, relation: hostile, tableType: "iceberg", partitionedBy: [] }),
    ...d.mergeInto(hostile, "select 1 as k, 2 as v", ["k"], ["k", 'v"w']),
    ...d.createView(hostile, `select ${d.literal("it's\n\\'")} as ${d.quoteIdentifier('x"y')}`),
    ...d.dropTable(write.relation),
    ...d.dropTable(hostile),
    ...d.rawSource(raw),
    ...d.rawSource({ ...raw, eventTypes: ["product_view", "order_paid"] }),
    ...d.rawSource({ ...raw, relation: hostile, location: "s3://lake/it's\\raw" }),
    d.assertion("select * from t where x is null -- trailing comment"),
    { kind: "select", grammar: "trino", sql: d.limit("select 1 as x", 5) },
  ];

  it.each(statements.map((s) => [s.kind, s] as const))("%s parses", (_kind, statement) => {
    expect(grammarErrors(statement)).toEqual([]);
  });

  it("the check fails on broken SQL and on the wrong grammar", () => {
    expect(grammarErrors({ sql: "selec 1", grammar: "trino" })).not.toEqual([]);
    expect(grammarErrors({ sql: "DROP TABEL x", grammar: "hive" })).not.toEqual([]);
    // Hive has no double-quoted identifiers: a Trino-quoted DROP TABLE must not pass as Hive.
    expect(grammarErrors({ sql: 'DROP TABLE IF EXISTS "db"."t"', grammar: "hive" })).not.toEqual(
      [],
    );
    // A Hive-escaped quote ends a Trino string early.
    expect(grammarErrors({ sql: "select 'a\\'b' as x", grammar: "trino" })).not.toEqual([]);
    // A CTAS that lost its AS is reported.
    const [ctas] = d.createTableAs(write);
    expect(grammarErrors({ sql: ctas!.sql.replace("\nAS\n", "\n"), grammar: "trino" })).not.toEqual(
      [],
    );
    expect(grammarErrors({ sql: "selec 1", grammar: "duckdb" })).toEqual([]);
  });
});

describe("partition batches", () => {
  const d = createAthenaDialect();
  const rel = { schema: "silver", name: "events__sluice_r1" };
  it("selects distinct partition values, ordered", () => {
    expect(d.selectDistinct(rel, ["event_date"])).toBe(
      'SELECT DISTINCT "event_date" FROM "silver"."events__sluice_r1" ORDER BY "event_date"',
    );
  });
  it("writes partition values as typed literals (Athena prunes only on literals)", () => {
    expect(
      d.selectPartitions(
        rel,
        [{ name: "event_date", type: "date" }],
        [["2026-01-01"], ["2026-01-02"], [null]],
      ),
    ).toBe(
      `SELECT * FROM "silver"."events__sluice_r1"\nWHERE "event_date" IN (DATE '2026-01-01', DATE '2026-01-02') OR "event_date" IS NULL`,
    );
    expect(
      d.selectPartitions(
        rel,
        [
          { name: "country", type: "varchar" },
          { name: "h", type: "integer" },
        ],
        [
          ["it's", "3"],
          ["FR", null],
        ],
      ),
    ).toBe(
      `SELECT * FROM "silver"."events__sluice_r1"\nWHERE ("country" = 'it''s' AND "h" = 3)\n   OR ("country" = 'FR' AND "h" IS NULL)`,
    );
    expect(() =>
      d.selectPartitions(rel, [{ name: "h", type: "integer" }], [["1; drop table x"]]),
    ).toThrow(/not an integer/);
  });
  it("reads no rows of no partitions, and the rows sharing a key with the written partitions", () => {
    const date = [{ name: "event_date", type: "date" }];
    expect(d.selectPartitions(rel, date, [])).toBe(
      `SELECT * FROM "silver"."events__sluice_r1"\nWHERE FALSE`,
    );
    const newRows = d.selectPartitions(rel, date, [["2026-01-02"]]);
    expect(d.selectRowsOfKeys(rel, "event_id", date, [["2026-01-02"]], newRows)).toBe(
      `SELECT * FROM "silver"."events__sluice_r1"\nWHERE ("event_date" IN (DATE '2026-01-02')) OR "event_id" IN (SELECT "event_id" FROM (${newRows}) AS sluice_new)`,
    );
    // A column the catalog did not type is compared with its text.
    expect(d.selectPartitions(rel, [{ name: "dt" }], [["2026/01/02/03"]])).toContain(
      `"dt" IN ('2026/01/02/03')`,
    );
  });
});
