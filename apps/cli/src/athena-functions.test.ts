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

describe("functions Athena does not have", () => {
  it("finds DuckDB's, at the call, by lowercase name, quoted or not", () => {
    const sql =
      "select\n  strftime(order_date, '%Y-%m') as m,\n  \"LIST_SUM\"(array[1, 2]) as s\nfrom orders";
    expect(check(sql, "trino")).toEqual([
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
    expect(check(sql, "trino")).toEqual([]);
  });

  it("a statement that does not parse gives its syntax error only; Hive DDL is not read for calls", () => {
    const [error, ...rest] = check("select strftime(a, '%Y') from t group by a,", "trino");
    expect(rest).toEqual([]);
    expect(error!.function).toBeUndefined();
    expect(check("ALTER TABLE t ADD IF NOT EXISTS PARTITION (dt='x')", "hive")).toEqual([]);
  });
});
