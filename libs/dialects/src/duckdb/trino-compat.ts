import type { Statement } from "../dialect.js";
import { duckdbStringLiteral } from "./duckdb-escape.js";
import { arithmeticMacros } from "./trino-arithmetic.js";
import { integerCastMacros } from "./trino-casts.js";
import { jsonMacros } from "./trino-json.js";
import { timeMacros } from "./trino-time.js";

/**
 * Athena (Trino) functions as DuckDB TEMP macros, so model SQL written for Athena runs
 * unchanged on the local lake. Temp macros resolve before built-ins (temp is first on the
 * search path), so a Trino name may shadow a DuckDB function of the same name; the macro
 * then calls the built-in through its qualified name `system.main.f`. Nothing here is written
 * to the lake catalog: plain DuckDB tools reading the lake see tables (views over Parquet),
 * but model views that call these functions only bind inside sluice.
 *
 * Trino semantics beyond names live next to this file: strict integer casts (trino-casts.ts, with
 * the model-SQL rewrite casts need), strict JSON (trino-json.ts), ISO-8601 parsing and time zones
 * (trino-time.ts), division by zero (trino-arithmetic.ts); each file lists its own known gaps.
 *
 * Known gaps here: `date_add` on a DATE returns a TIMESTAMP; `cardinality` counts arrays only (not
 * maps); `date_format` lacks `%D` (day with English suffix) and `%U`/`%u` (Trino rejects them
 * too); `date_parse` (DuckDB's strptime needs a format constant at bind time, before macro folding),
 * `format_datetime` (Joda patterns) and `format` (Java patterns) are not provided;
 * `from_iso8601_date` is DuckDB's date cast (not Joda's grammar).
 */

/** Session settings: Trino divides integers by truncation (`7 / 2 = 3`), and sessions are UTC. */
const settings = ["SET integer_division = true", "SET TimeZone = 'UTC'"];

/** MySQL-style `date_format` codes (Trino) → DuckDB strftime codes. */
const mysqlToStrftime: Record<string, string> = {
  "%a": "%a",
  "%b": "%b",
  "%c": "%-m",
  "%d": "%d",
  "%e": "%-d",
  "%f": "%f",
  "%H": "%H",
  "%h": "%I",
  "%I": "%I",
  "%i": "%M",
  "%j": "%j",
  "%k": "%-H",
  "%l": "%-I",
  "%M": "%B",
  "%m": "%m",
  "%p": "%p",
  "%r": "%I:%M:%S %p",
  "%S": "%S",
  "%s": "%S",
  "%T": "%H:%M:%S",
  "%v": "%V",
  "%W": "%A",
  "%w": "%w",
  "%x": "%G",
  "%Y": "%Y",
  "%y": "%y",
  "%%": "%%",
};

const sqlString = (s: string): string => `'${s.replaceAll("'", "''")}'`;

// Splits the format into `%x` codes and plain text; a constant format folds to a constant.
const formatTranslation =
  "array_to_string([CASE t " +
  Object.entries(mysqlToStrftime)
    .map(([from, to]) => `WHEN ${sqlString(from)} THEN ${sqlString(to)}`)
    .join(" ") +
  " ELSE CASE WHEN starts_with(t, '%') THEN substr(t, 2) ELSE t END END " +
  "FOR t IN regexp_extract_all(fmt, '%.|[^%]+')], '')";

/** Trino `date_add` / `date_diff` unit names → an interval of `n` units. */
const unitInterval = (unit: string, n: string): string =>
  `CASE lower(${unit}) ` +
  [
    ["millisecond", `to_milliseconds(${n})`],
    ["second", `to_seconds(${n})`],
    ["minute", `to_minutes(${n})`],
    ["hour", `to_hours(${n})`],
    ["day", `to_days(${n})`],
    ["week", `to_weeks(${n})`],
    ["month", `to_months(${n})`],
    ["quarter", `to_months(3 * (${n}))`],
    ["year", `to_years(${n})`],
  ]
    .map(([name, expr]) => `WHEN '${name}' THEN ${expr}`)
    .join(" ") +
  " END";

/**
 * Trino trims Java whitespace (airlift `SliceUtf8.trim`: `Character.isWhitespace`, so tabs, line
 * breaks, U+001C..U+001F and Unicode spaces, but not the no-break spaces U+00A0, U+2007, U+202F);
 * DuckDB's one-argument trim removes spaces only. The two-argument forms agree.
 */
const JAVA_WHITESPACE = [
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x1680, 0x2000, 0x2001, 0x2002,
  0x2003, 0x2004, 0x2005, 0x2006, 0x2008, 0x2009, 0x200a, 0x2028, 0x2029, 0x205f, 0x3000,
];

function trimMacros(): Array<[string, string]> {
  // One literal, not 25 chr() calls joined: creating the three macros at every lake open cost
  // ~11 ms CPU that way, ~2.5 ms with the literal (#14); the trimmed results are the same.
  const whitespace = duckdbStringLiteral(String.fromCodePoint(...JAVA_WHITESPACE));
  return ["trim", "ltrim", "rtrim"].map((f) => [
    `${f}(s)`,
    `system.main.${f}(s, ${whitespace})), (s, chars) AS (system.main.${f}(s, chars)`,
  ]);
}

/** `name(params) AS body` (several overloads separated by commas). */
const macros: Array<[string, string]> = [
  ["__sluice_mysql_format(fmt)", formatTranslation],
  ["from_iso8601_date(s)", "CAST(s AS DATE)"],
  [
    "to_iso8601(x)",
    "CASE WHEN typeof(x) = 'DATE' THEN strftime(x, '%Y-%m-%d') " +
      "WHEN typeof(x) = 'TIMESTAMP WITH TIME ZONE' THEN strftime(x, '%Y-%m-%dT%H:%M:%S.%gZ') " +
      "ELSE strftime(x, '%Y-%m-%dT%H:%M:%S.%g') END",
  ],
  ["from_unixtime(n)", "to_timestamp(n)"],
  ["to_unixtime(ts)", "epoch(ts)"],
  ["date_format(ts, fmt)", "strftime(ts, __sluice_mysql_format(fmt))"],
  // DuckDB's HyperLogLog is far off Trino's 2.3% error on small sets; exact is within any bound.
  ["approx_distinct(x)", "count(DISTINCT x)), (x, e) AS (count(DISTINCT x)"],
  ["arbitrary(x)", "any_value(x)"],
  ["regexp_like(s, p)", "regexp_matches(s, p)"],
  // Trino: NULL when nothing matches (DuckDB: '').
  [
    "regexp_extract(s, p)",
    "CASE WHEN regexp_matches(s, p) THEN system.main.regexp_extract(s, p) END), " +
      "(s, p, g) AS (CASE WHEN regexp_matches(s, p) THEN system.main.regexp_extract(s, p, g) END",
  ],
  // Trino replaces every match and writes groups as $1 (DuckDB: first match, \1).
  [
    "regexp_replace(s, p)",
    "system.main.regexp_replace(s, p, '', 'g')), " +
      "(s, p, r) AS (system.main.regexp_replace(s, p, system.main.regexp_replace(r, '\\$(\\d)', '\\\\\\1', 'g'), 'g')",
  ],
  [
    "date_add(a, b)",
    `system.main.date_add(a, b)), (unit, n, ts) AS (ts + ${unitInterval("unit", "n")}`,
  ],
  // Trino counts whole units elapsed, like DuckDB's date_sub (DuckDB's date_diff counts boundaries).
  ["date_diff(unit, a, b)", "date_sub(unit, a, b)"],
  // Trino sequence(start, stop[, step]) → array; DuckDB's generate_series wants BIGINTs.
  [
    "sequence(a, b)",
    "generate_series(CAST(a AS BIGINT), CAST(b AS BIGINT))), " +
      "(a, b, s) AS (generate_series(CAST(a AS BIGINT), CAST(b AS BIGINT), CAST(s AS BIGINT))",
  ],
  ["element_at(c, k)", "c[k]"],
  ["cardinality(x)", "len(x)"],
  ["array_join(a, sep)", "array_to_string(a, sep)"],
  // Trino day_of_week/dow: Monday = 1 .. Sunday = 7 (DuckDB dow: Sunday = 0).
  ["day_of_week(x)", "isodow(x)"],
  ["dow(x)", "isodow(x)"],
  ["day_of_year(x)", "dayofyear(x)"],
  ["year_of_week(x)", "isoyear(x)"],
  ["yow(x)", "isoyear(x)"],
  ["last_day_of_month(x)", "last_day(x)"],
  ["is_nan(x)", "isnan(x)"],
  // Trino hashes bytes: md5(to_utf8(s)) is varbinary, shown by to_hex (DuckDB: md5 is hex text).
  ["to_utf8(s)", "encode(s)"],
  ["from_utf8(b)", "decode(b)"],
  ["md5(b)", "unhex(system.main.md5(b))"],
  ["truncate(x)", "trunc(x)"],
  ...trimMacros(),
  ...integerCastMacros,
  ...jsonMacros,
  ...timeMacros,
  ...arithmeticMacros,
];

/**
 * Statements that make Trino model SQL run on DuckDB; run them once per connection.
 *
 * @example
 * for (const s of trinoCompatStatements()) await connection.run(s.sql);
 */
export function trinoCompatStatements(): Statement[] {
  const sql = [
    ...settings,
    ...macros.map(([head, body]) => `CREATE OR REPLACE TEMP MACRO ${head} AS (${body})`),
  ];
  return sql.map((text) => ({ kind: "macro", sql: text, grammar: "duckdb" }));
}
