import { beforeAll, describe, expect, it } from "vitest";
import { loadAthenaGrammars, type GrammarCheck } from "./athena-syntax.js";

/**
 * The Athena check's function names: a call of a function Trino lacks is a finding at its
 * position (Athena: FUNCTION_NOT_FOUND); Trino's functions, the forms Trino parses as syntax
 * rather than calls, qualified names and sluice's own run-time calls are not.
 */
let check: GrammarCheck;
beforeAll(async () => {
  check = await loadAthenaGrammars();
}, 60_000);
/** The findings about function calls (not about the columns a CTAS would create). */
const calls = (sql: string) => check(sql, "trino").filter((e) => e.columns === undefined);

describe("functions Athena does not have", () => {
  it("finds DuckDB's, at the call, by lowercase name, quoted or not", () => {
    const sql =
      "select\n  strftime(order_date, '%Y-%m') as m,\n  \"LIST_SUM\"(array[1, 2]) as s\nfrom orders";
    expect(calls(sql)).toEqual([
      {
        line: 2,
        column: 3,
        message: "Function 'strftime' not registered (FUNCTION_NOT_FOUND)",
        function: "strftime",
      },
      {
        line: 3,
        column: 3,
        message: "Function 'list_sum' not registered (FUNCTION_NOT_FOUND)",
        function: "list_sum",
      },
    ]);
  });

  it.each([
    "select date_format(ts, '%Y-%m'), count(*), count_if(x > 1), approx_percentile(x, 0.5) from t",
    "select row_number() over (partition by a order by b), lag(a) over (order by b) from t",
    "select if(a, 1, 2), coalesce(a, b), nullif(a, b), try(cast(a as bigint)), try_cast(a as int) from t",
    "select extract(day from ts), position('a' in s), trim(both ' ' from s), substring(s from 2) from t",
    "select cast(a as decimal(18, 2)), json_extract_scalar(j, '$.a'), transform(xs, x -> x + 1) from t",
    "select current_date, current_timestamp, localtimestamp, date '2026-01-01' from t",
    "select at_timezone(from_iso8601_timestamp(s), 'UTC'), to_hex(md5(to_utf8(s))) from t",
    "select listagg(s, ',') within group (order by s), array_agg(s) from t group by grouping sets ((a), ())",
    "select a from t where dt >= sluice_incremental_from() and d in (sluice_listed((select d from u)))",
    "select my_catalog.my_schema.my_udf(a) from t",
    "select * from unnest(array[1, 2]) as u(x) cross join table(sequence(start => 1, stop => 3))",
  ])("none in %s", (sql) => {
    expect(calls(sql)).toEqual([]);
  });

  it("a statement that does not parse gives its syntax error only; Hive DDL is not read for calls", () => {
    const [error, ...rest] = check("select strftime(a, '%Y') from t group by a,", "trino");
    expect(rest).toEqual([]);
    expect(error!.function).toBeUndefined();
    expect(check("ALTER TABLE t ADD IF NOT EXISTS PARTITION (dt='x')", "hive")).toEqual([]);
  });
});

describe("columns Athena would not create (Trino's CTAS and view checks)", () => {
  const columns = (sql: string) => check(sql, "trino").filter((e) => e.columns !== undefined);

  it("an expression without AS, at the select item; a CTAS's finding says so", () => {
    expect(columns("select a,\n  count(*)\nfrom t group by a")).toEqual([
      {
        line: 2,
        column: 3,
        message: "Column name not specified at position 2 (MISSING_COLUMN_NAME)",
        columns: "query",
        hint: expect.stringContaining("AS <name>"),
      },
    ]);
    const ctas = `create table s.x with (format = 'PARQUET') as\nselect a, a + 1 from t`;
    expect(columns(ctas)).toMatchObject([{ line: 2, column: 11, columns: "ctas" }]);
    expect(columns("create or replace view s.v as select 1 as a, 2")).toMatchObject([
      { message: "Column name not specified at position 2 (MISSING_COLUMN_NAME)", columns: "ctas" },
    ]);
  });

  it("a name twice, by alias or column, whatever its case or quotes", () => {
    expect(columns('select t.id, u."ID" from t join u on true')).toMatchObject([
      { column: 14, message: "Column name 'id' specified more than once (DUPLICATE_COLUMN_NAME)" },
    ]);
    expect(columns("select a as x, b as X from t")).toMatchObject([
      { message: "Column name 'x' specified more than once (DUPLICATE_COLUMN_NAME)" },
    ]);
  });

  it("a bare NULL, unless a UNION types it", () => {
    expect(columns("select 1 as id, NULL as note")).toMatchObject([
      { message: "Column type is unknown: note (COLUMN_TYPE_UNKNOWN)" },
    ]);
    expect(columns("select 1 as id, null as note union all select 2, 'b'")).toEqual([]);
  });

  it.each([
    "select a, t.b, c as d, cast(null as varchar) as e, * from t",
    "with x as (select 1) select y from x",
    "(select a from t) union all select 1 + 1",
    "select a from t order by 1",
    "insert into s.x select a + 1 from t",
  ])("none in %s", (sql) => {
    expect(columns(sql)).toEqual([]);
  });
});
