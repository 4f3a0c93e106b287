import { describe, expect, it } from "vitest";
import { strictIntegerCasts } from "./trino-casts.js";

describe("strictIntegerCasts", () => {
  it.each([
    ["select try(cast(j as bigint))", "select try(__sluice_cast_bigint(j))"],
    ["CAST(x AS INTEGER)", "__sluice_cast_integer(x)"],
    [
      "cast(x as int) + Cast(y As SmallInt)",
      "__sluice_cast_integer(x) + __sluice_cast_smallint(y)",
    ],
    ["cast(x as tinyint)", "__sluice_cast_tinyint(x)"],
    ["try_cast(s as bigint)", "TRY(__sluice_cast_bigint(s))"],
    [
      "cast(cast(f(a, (b)) as bigint) as integer)",
      "__sluice_cast_integer(__sluice_cast_bigint(f(a, (b))))",
    ],
    [
      "cast(json_extract_scalar(j, '$[' || cast(i as varchar) || '].q') as bigint)",
      "__sluice_cast_bigint(json_extract_scalar(j, '$[' || cast(i as varchar) || '].q'))",
    ],
    ["cast(\n  x\n  as\n  bigint\n)", "__sluice_cast_bigint(\n  x)"],
    ["cast(x -- why\n as bigint)", "__sluice_cast_bigint(x -- why\n )"],
    [
      "try(cast(from_iso8601_timestamp(json_extract_scalar(j, '$.t')) as timestamp))",
      "try(__sluice_iso8601_wall_time(json_extract_scalar(j, '$.t')))",
    ],
  ])("rewrites %j", (sql, expected) => {
    expect(strictIntegerCasts(sql)).toBe(expected);
  });

  it.each([
    "cast(x as decimal(18, 2))",
    "cast(x as varchar)",
    "cast(x as double)",
    "cast(x as timestamp)",
    "cast(at_timezone(from_iso8601_timestamp(s), 'UTC') as timestamp)",
    "cast(from_iso8601_timestamp(s) + interval '1' hour as timestamp)",
    "cast(x as bigint array)",
    "select 'cast(x as bigint)' as s -- cast(y as bigint)",
    'select "cast"(x) from t',
    "/* cast(x as bigint) */ select 1",
    "select cast_count from t",
    "select 'unterminated",
  ])("leaves %j alone", (sql) => {
    expect(strictIntegerCasts(sql)).toBe(sql);
  });

  it("reads nothing left from the longer texts it scanned before", () => {
    // Each text right after one with more tokens (and casts, closing parentheses) further on.
    const long = "select cast(a as bigint), f(cast(b as int)) from t where (c) > 1 ) as bigint)";
    const cases: [string, string][] = [
      ["cast(x", "cast(x"],
      ["cast(x as", "cast(x as"],
      ["try_cast(s as bigint)", "TRY(__sluice_cast_bigint(s))"],
      ["cast(cast(y as int) as bigint)", "__sluice_cast_bigint(__sluice_cast_integer(y))"],
    ];
    for (const [sql, expected] of [...cases, ...cases.reverse()]) {
      expect(strictIntegerCasts(long)).toBe(
        "select __sluice_cast_bigint(a), f(__sluice_cast_integer(b)) from t where (c) > 1 ) as bigint)",
      );
      expect(strictIntegerCasts(sql)).toBe(expected);
    }
    // Token 5 of the first is its `)`: the second, one token shorter, has no closing one.
    expect(strictIntegerCasts("cast(y as int)")).toBe("__sluice_cast_integer(y)");
    expect(strictIntegerCasts("cast(x as bigint")).toBe("cast(x as bigint");
  });
});
