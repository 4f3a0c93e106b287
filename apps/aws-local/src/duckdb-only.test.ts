import { describe, expect, it } from "vitest";
import { duckdbOnly } from "./duckdb-only.js";

const failure = (sql: string) => duckdbOnly(sql)?.message;

describe("duckdbOnly: what Athena rejects that DuckDB would run", () => {
  it("a :: cast is Athena's syntax error, at its line and column", () => {
    expect(failure("SELECT 1::int")).toMatch(/^SYNTAX_ERROR: line 1:9: mismatched input '::'/);
    expect(failure("SELECT a,\n  b :: bigint\nFROM t")).toMatch(/^SYNTAX_ERROR: line 2:5: /);
  });

  it("a call of a DuckDB function Trino lacks is FUNCTION_NOT_FOUND, whatever its case", () => {
    expect(failure("select strftime(ts, '%Y') from t")).toBe(
      "FUNCTION_NOT_FOUND: line 1:8: Function 'strftime' not registered",
    );
    expect(failure("select x,\n  EPOCH_MS (ts) from t")).toBe(
      "FUNCTION_NOT_FOUND: line 2:3: Function 'epoch_ms' not registered",
    );
    expect(failure("select list_value(1, 2)")).toMatch(/Function 'list_value' not registered/);
  });

  it("finds neither inside literals, quoted identifiers or comments", () => {
    expect(failure("select 'a::b strftime(x)' as s")).toBeUndefined();
    expect(failure(`select "strftime"(x), "a::b" from t`)).toBeUndefined();
    expect(
      failure("select 1 -- strftime(x) or 1::int\n, 2 /* epoch_ms(x)\n :: */ from t"),
    ).toBeUndefined();
    expect(failure("select 'it''s' || strftime(ts, 'x') from t")).toMatch(/line 1:19: Function/);
    // Positions count the lines a literal or comment spans.
    expect(failure("select '\n', /*\n*/ 1::int")).toMatch(/^SYNTAX_ERROR: line 3:5: /);
  });

  it("leaves Trino alone: its functions, names that are not calls, qualified calls", () => {
    const trino = [
      "select date_format(ts, '%Y-%m'), cardinality(a), array_join(array_agg(x), ',') from t",
      "select json_extract_scalar(j, '$.a'), try(cast(x as decimal(18, 2))), regexp_like(s, 'a') from t",
      "select range, len, median from t where today = 1",
      'select udfs.strftime(x), "db".len(y) from t',
      "CREATE TABLE x WITH (format = 'PARQUET', partitioned_by = ARRAY['dt']) AS SELECT * FROM t",
      "CREATE EXTERNAL TABLE raw (line string) PARTITIONED BY (dt string) LOCATION 's3://b/raw/'",
      "select map(ARRAY['a'], ARRAY[1]), x['a'], transform(a, v -> v + 1) from t",
      // Names that are not calls: a CTE and a table with their columns, an alias's columns.
      "WITH range (n) AS (SELECT 1), t AS (SELECT 2), median (m) AS (SELECT 3) SELECT * FROM range",
      "INSERT INTO len (a, b) SELECT 1, 2",
      "CREATE TABLE IF NOT EXISTS today (a int)",
      "SELECT * FROM (VALUES (1, 2)) AS range (a, b)",
    ];
    for (const sql of trino) expect(failure(sql), sql).toBeUndefined();
  });
});
