import type { Statement } from "../dialect.js";

/**
 * Athena (Trino) functions as DuckDB TEMP macros, so model SQL written for Athena runs
 * unchanged on the local lake. Temp macros resolve before built-ins (temp is first on the
 * search path), so a Trino name may shadow a DuckDB function of the same name; the macro
 * then calls the built-in through its qualified name `system.main.f`. Nothing here is written
 * to the lake catalog: plain DuckDB tools reading the lake see tables (views over Parquet),
 * but model views that call these functions only bind inside sluice.
 *
 * Known gaps: `date_add` on a DATE returns a TIMESTAMP; `cardinality` counts arrays only (not
 * maps); `date_format` lacks `%D` (day with English suffix) and `%U`/`%u` (Trino rejects them
 * too); `date_parse` (DuckDB's strptime needs a format constant at bind time, before macro folding),
 * `format_datetime` (Joda patterns) and `format` (Java patterns) are not provided.
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

/** `name(params) AS body` (several overloads separated by commas). */
const macros: Array<[string, string]> = [
  ["__sluice_mysql_format(fmt)", formatTranslation],
  // timestamp(3) with time zone in Trino; instants agree (sessions are UTC).
  ["from_iso8601_timestamp(s)", "CAST(s AS TIMESTAMPTZ)"],
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
  // Trino returns NULL for malformed JSON and for non-scalar values. The document is parsed
  // once (TRY: malformed -> NULL) and the lambda binds the small extracted value, so the type
  // check and the unquoting re-parse only that value: staging calls this ~20 times per line.
  [
    "json_extract_scalar(j, p)",
    "list_transform([TRY(system.main.json_extract(j, p))], v -> CASE WHEN json_type(v) NOT IN ('OBJECT', 'ARRAY') THEN json_extract_string(v, '$') END)[1]",
  ],
  ["json_extract(j, p)", "TRY(system.main.json_extract(j, p))"],
  ["json_parse(s)", "json(s)"],
  ["json_format(j)", "CAST(j AS VARCHAR)"],
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
  ["truncate(x)", "trunc(x)"],
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
