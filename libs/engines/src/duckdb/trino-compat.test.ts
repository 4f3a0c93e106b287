import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { strictIntegerCasts, trinoCompatStatements } from "@sluice/dialects";
import { QueryError } from "../engine.js";
import { openMemoryDatabase } from "./memory-database.js";

/**
 * The lake's Trino compatibility layer on real DuckDB, against Trino's documented or implemented
 * results (written by hand from the source cited per group; no Trino runs here). Each case is
 * Trino SQL as a model would write it: it goes through the same cast rewrite the lake applies.
 * `error` cases fail in Trino; the lake must fail too, with Trino's message inside DuckDB's.
 */
type Case = [sql: string, expected: string | number | bigint | boolean | null | { error: RegExp }];

let instance: DuckDBInstance;
let connection: DuckDBConnection;

beforeAll(async () => {
  instance = await DuckDBInstance.create(":memory:");
  connection = await instance.connect();
  for (const s of trinoCompatStatements()) await connection.run(s.sql);
});
afterAll(() => {
  connection.closeSync();
  instance.closeSync();
});

async function value(sql: string): Promise<unknown> {
  const reader = await connection.runAndReadAll(`SELECT ${strictIntegerCasts(sql)}`);
  return reader.getRowsJS()[0]?.[0];
}

function table(name: string, cases: Case[]): void {
  describe(name, () => {
    it.each(cases)("%s", async (sql, expected) => {
      if (expected !== null && typeof expected === "object") {
        await expect(value(sql)).rejects.toThrow(expected.error);
      } else {
        expect(await value(sql)).toEqual(expected);
      }
    });
  });
}

const ts = (iso: string) => `date_format(from_iso8601_timestamp('${iso}'), '%Y-%m-%d %H:%i:%s.%f')`;
const utc = (iso: string, as: string) =>
  `cast(cast(at_timezone(from_iso8601_timestamp('${iso}'), 'UTC') as ${as}) as varchar)`;

// io.trino.type.VarcharOperators.castToBigint/castToInteger/…: Long.parseLong(text) and friends,
// no trimming: an optional sign and digits; anything else is INVALID_CAST_ARGUMENT
// "Cannot cast '<text>' to BIGINT" (INT, SMALLINT, TINYINT), NULL under try / try_cast.
// io.trino.type.DoubleOperators.castToLong: (long) MathFunctions.round(value), half away from 0.
table("integer casts (Trino VarcharOperators / DoubleOperators)", [
  ["try(cast('42' as bigint))", 42n],
  ["try(cast('-7' as bigint))", -7n],
  ["try(cast('+7' as bigint))", 7n],
  ["try(cast('1.5' as bigint))", null],
  ["try(cast('1e3' as bigint))", null],
  ["try(cast('0x10' as bigint))", null],
  ["try(cast('1_000' as bigint))", null],
  ["try(cast(' 12 ' as bigint))", null],
  ["try(cast('' as bigint))", null],
  ["try(cast(null as bigint))", null],
  ["cast('1.5' as bigint)", { error: /Cannot cast '1\.5' to BIGINT/ }],
  ["CAST('12' AS INTEGER)", 12],
  ["cast('x' as int)", { error: /Cannot cast 'x' to INT/ }],
  ["try(cast('99999999999' as integer))", null],
  ["cast('-32768' as smallint)", -32768],
  ["try(cast('2.0' as smallint))", null],
  ["cast('-128' as tinyint)", -128],
  ["try(cast('128' as tinyint))", null],
  ["try_cast('1.5' as bigint)", null],
  ["try_cast('7' as integer)", 7],
  ["cast(cast('12' as bigint) as integer) + 1", 13],
  ["cast(2.5e0 as bigint)", 3n],
  ["cast(-2.5e0 as bigint)", -3n],
  ["cast(3.5e0 as bigint)", 4n],
  ["cast(2.5 as bigint)", 3n],
  ["cast(true as bigint)", 1n],
]);

// io.trino.operator.scalar.JsonFunctions.jsonParse: Jackson with default features, so trailing
// commas and NaN/Infinity are "Cannot convert value to JSON"; json_extract_scalar and
// json_array_length of text that is not JSON are NULL, json_array_length of a non-array is NULL
// (docs: "Returns the array length of json (a string containing a JSON array)").
table("JSON (Trino JsonFunctions)", [
  ["try(json_parse('{\"a\":1,}'))", null],
  ["try(json_parse('[1,2,]'))", null],
  ["try(json_parse('[1, 2 ,\n]'))", null],
  ["try(json_parse('{\"a\":NaN}'))", null],
  ["try(json_parse('[Infinity]'))", null],
  ["try(json_parse('[-Infinity]'))", null],
  ["json_parse('[1,2,]')", { error: /Cannot convert value to JSON: '\[1,2,\]'/ }],
  ['json_format(json_parse(\'{"a": "NaN, inf,]"}\'))', '{"a":"NaN, inf,]"}'],
  ['json_format(json_parse(\'{"a": "say \\"hi\\", ]"}\'))', '{"a":"say \\"hi\\", ]"}'],
  // Jackson reads a float into a Double and writes it back as Double.toString: 2.5e1 → 25.0.
  ["json_format(json_parse('[1, 2.5e1, true, null]'))", "[1,25.0,true,null]"],
  ["json_extract_scalar('{\"a\":1,}', '$.a')", null],
  ["json_extract_scalar('{\"a\":\"x\"}', '$.a')", "x"],
  ["json_extract_scalar(json_parse('{\"a\":{\"b\":2}}'), '$.a')", null],
  ["json_extract_scalar(json_parse('{\"a\":{\"b\":2}}'), '$.a.b')", "2"],
  ["json_format(json_extract('{\"a\":[1, 2]}', '$.a'))", "[1,2]"],
  ["json_extract('[1,]', '$[0]')", null],
  ["json_array_length('[1, 2, 3]')", 3n],
  ["json_array_length(json_parse('[]'))", 0n],
  ["json_array_length('{\"a\":1}')", null],
  ["json_array_length('3')", null],
  ["json_array_length('[1,]')", null],
  ["json_array_length('not json')", null],
  ["json_array_length(json_extract(json_parse('{\"o\":{\"items\":{}}}'), '$.o.items'))", null],
  // Duplicate keys: Jackson reads an object into a map, so the last entry wins, at every level
  // of the path (DuckDB alone reads the first).
  ["json_extract_scalar('{\"a\":1,\"a\":2}', '$.a')", "2"],
  ['json_extract_scalar(json_parse(\'{"a":"x","b":0,"a":"y"}\'), \'$.a\')', "y"],
  ['json_extract_scalar(\'{"a":{"b":1,"b":3},"a":{"b":2,"b":4}}\', \'$.a.b\')', "4"],
  ['json_extract_scalar(\'{"a":{"b":1,"c":5},"a":{"b":2}}\', \'$.a.c\')', null],
  ['json_extract_scalar(\'{"a":{"b":1},"a":5}\', \'$.a.b\')', null],
  ['json_extract_scalar(\'{"a":{"q":1},"a":"s"}\', \'$.a\')', "s"],
  ['json_extract_scalar(\'{"a":"s","a":{"q":1}}\', \'$.a\')', null],
  ['json_extract_scalar(\'{"a":"s","a":null}\', \'$.a\')', null],
  ['json_format(json_extract(\'{"a":"s","a":null}\', \'$.a\'))', "null"],
  ['json_format(json_extract(\'{"o":{"i":[1]},"o":{"i":[2,3]}}\', \'$.o.i\'))', "[2,3]"],
  ['json_array_length(json_extract(\'{"o":{"i":[1]},"o":{"i":[2,3]}}\', \'$.o.i\'))', 2n],
  ["json_extract_scalar('{\"a\":1,\"a\":2,}', '$.a')", null],
  ['json_extract_scalar(\'{"a":{"a":1},"b":2}\', \'$.a.a\')', "1"],
  ["json_extract_scalar('[{\"p\":1,\"p\":2}]', '$[0].p')", "2"],
  ['json_extract_scalar(\'{"i":[0,{"q":"a","q":"b"}]}\', \'$.i[\' || \'1\' || \'].q\')', "b"],
  ["json_extract_scalar('[{\"p\":1}]', '$[' || cast(0 as varchar) || '].p')", "1"],
]);

// trim/ltrim/rtrim: "Removes leading and trailing whitespace" (Trino string functions docs);
// io.trino.operator.scalar.StringFunctions.trim → airlift SliceUtf8.trim, whitespace =
// Character.isWhitespace: tab, LF, VT, FF, CR, U+001C..U+001F, Unicode spaces except no-break.
table("trim (Trino StringFunctions, airlift SliceUtf8)", [
  ["trim(chr(9) || chr(10) || ' x ' || chr(13) || chr(11) || chr(12))", "x"],
  ["trim(chr(12288) || chr(8195) || 'x' || chr(8232))", "x"],
  ["trim(chr(160) || 'x') = chr(160) || 'x'", true],
  ["ltrim(chr(9) || 'x ')", "x "],
  ["rtrim(' x' || chr(10))", " x"],
  ["trim('xxaxx', 'x')", "a"],
  ["trim(null)", null],
]);

it("trims exactly Java's whitespace of the code points up to U+3000, at either end", async () => {
  // Character.isWhitespace, written from its Javadoc: a Unicode space separator (Zs), line (Zl)
  // or paragraph (Zp) separator other than the no-break spaces, or U+0009..U+000D, U+001C..U+001F.
  const java = (c: number): boolean =>
    (/[\p{Zs}\p{Zl}\p{Zp}]/u.test(String.fromCodePoint(c)) &&
      ![0xa0, 0x2007, 0x202f].includes(c)) ||
    (c >= 0x09 && c <= 0x0d) ||
    (c >= 0x1c && c <= 0x1f);
  const reader = await connection.runAndReadAll(
    "SELECT list(c ORDER BY c) FROM range(1, 12289) AS t(c) " +
      "WHERE trim(chr(c::INTEGER) || 'x' || chr(c::INTEGER)) = 'x' " +
      "AND ltrim(chr(c::INTEGER) || 'x') = 'x' AND rtrim('x' || chr(c::INTEGER)) = 'x'",
  );
  const trimmed = (reader.getRowsJS()[0]![0] as bigint[]).map(Number);
  const expected = Array.from({ length: 12288 }, (_, i) => i + 1).filter(java);
  expect(expected).toHaveLength(25);
  expect(trimmed).toEqual(expected);
});

// from_iso8601_timestamp: Joda ISODateTimeFormat.dateTimeParser().withOffsetParsed()
// (io.trino.operator.scalar.timestamp.DateTimeFunctions / docs: "Parses the ISO 8601 formatted
// date string, optionally with time and time zone, into a timestamp(3) with time zone"); the
// session zone (UTC) when no offset is given. at_timezone (Athena docs, "Use supported time
// zones"): same instant in the zone; cast to timestamp gives that zone's wall time.
table("ISO-8601 timestamps (Trino DateTimeFunctions, Joda dateTimeParser)", [
  ["to_unixtime(from_iso8601_timestamp('2026-03-01T10:00:00+02:00'))", 1772352000],
  ["to_unixtime(from_iso8601_timestamp('2026-03-01T10:00:00+0530'))", 1772339400],
  ["to_unixtime(from_iso8601_timestamp('2026-03-01T00:00:00Z'))", 1772323200],
  ["to_unixtime(from_iso8601_timestamp('2026-03-01'))", 1772323200],
  ["to_unixtime(from_iso8601_timestamp('2026-03-01T10'))", 1772359200],
  [ts("2026-03-01T10:00:00.123Z"), "2026-03-01 10:00:00.123000"],
  [ts("2026-03-01T10:00:00,5Z"), "2026-03-01 10:00:00.500000"],
  [ts("2026-03-01T10:00:00.123456Z"), "2026-03-01 10:00:00.123000"],
  [ts("2026-03-01T10:00-02:30"), "2026-03-01 12:30:00.000000"],
  [utc("2026-03-01T00:30:00+02:00", "timestamp"), "2026-02-28 22:30:00"],
  // Trino's cast to timestamp keeps the value's own wall time, offset dropped.
  [
    "cast(cast(from_iso8601_timestamp('2026-03-01T00:30:00.5+02:00') as timestamp) as varchar)",
    "2026-03-01 00:30:00.5",
  ],
  ["try(cast(from_iso8601_timestamp('2026-03-01 00:30') as timestamp))", null],
  [utc("2026-03-01T00:30:00+02:00", "date"), "2026-02-28"],
  [utc("2026-02-28T23:30:00-02:00", "date"), "2026-03-01"],
  ["try(from_iso8601_timestamp('2026-03-01 10:00:00'))", null],
  ["try(from_iso8601_timestamp('epoch'))", null],
  ["try(from_iso8601_timestamp('2026-03-01T10:00:00Z trailing'))", null],
  ["try(from_iso8601_timestamp('2026-02-30T00:00:00Z'))", null],
  ["try(from_iso8601_timestamp(''))", null],
  ["from_iso8601_timestamp(null)", null],
  ["from_iso8601_timestamp('2026-03-01 10:00')", { error: /Invalid format: "2026-03-01 10:00"/ }],
  // The events' shape (read by the macros' direct cast) gives what the grammar gives.
  [ts("2026-11-27T01:23:45Z"), "2026-11-27 01:23:45.000000"],
  [ts("2026-11-27T01:23:45.6Z"), "2026-11-27 01:23:45.600000"],
  [ts("2026-11-27T01:23:45.1234Z"), "2026-11-27 01:23:45.123000"],
  [
    "from_iso8601_timestamp('2026-11-27T01:23:45.67Z') = from_iso8601_timestamp('2026-11-27T01:23:45.670+00:00')",
    true,
  ],
  [
    "cast(cast(from_iso8601_timestamp('2026-11-27T23:59:59.999Z') as timestamp) as varchar)",
    "2026-11-27 23:59:59.999",
  ],
  ["try(from_iso8601_timestamp('2026-13-01T00:00:00Z'))", null],
  ["try(from_iso8601_timestamp('2026-11-27T01:23:45.Z'))", null],
  ["from_iso8601_timestamp('2026-11-27 01:23:45Z')", { error: /Invalid format/ }],
  // Not Trino: the lake keeps no zone per value, so it refuses rather than answer in UTC.
  [
    "at_timezone(from_iso8601_timestamp('2026-03-01T10:00Z'), 'Europe/Paris')",
    { error: /UTC only, not Europe\/Paris/ },
  ],
]);

// io.trino.type.BigintOperators.divide/modulus and DecimalOperators.divide…: "Division by zero"
// (DIVISION_BY_ZERO), NULL under try; integer division truncates and keeps the operands' type.
table("division by zero (Trino BigintOperators, DecimalOperators)", [
  ["7 / 2", 3],
  ["typeof(7 / 2)", "INTEGER"],
  ["typeof(cast(7 as bigint) / 2)", "BIGINT"],
  ["typeof(cast(7 as smallint) % cast(2 as smallint))", "SMALLINT"],
  ["-7 / 2", -3],
  ["7 % -3", 1],
  ["-7 % 3", -1],
  ["1 / 0", { error: /Division by zero/ }],
  ["try(1 / 0)", null],
  ["cast(5 as bigint) % 0", { error: /Division by zero/ }],
  ["try(7 % 0)", null],
  ["1.5 / 0", { error: /Division by zero/ }],
  ["try(1.5 / 0.0)", null],
  ["1 / null", null],
  ["1e0 / 4", 0.25],
  ["cast(sum(x) / count(*) as bigint) from range(10) as t(x)", 4n],
  ["count_if(x > 100) / nullif(count(*), 0) from range(0) as t(x)", null],
  [
    "date_add('minute', 90 / 60, timestamp '2026-01-01 00:00:00') = timestamp '2026-01-01 00:01:00'",
    true,
  ],
]);

// Trino: md5(varbinary) → varbinary; to_utf8(varchar) → varbinary; to_hex → upper-case hex
// (dbt-athena's hash and snapshot ids). Expected values: md5 of the text, computed by Node.
table("hashing bytes", [
  ["lower(to_hex(md5(to_utf8('1|2018-01-01 00:00:00'))))", "b07f7373d19bd98e7f624e1435614ead"],
  ["from_utf8(to_utf8('é'))", "é"],
  ["typeof(md5(to_utf8('a')))", "BLOB"],
]);

// The lake reports what the layer raises in Trino's words, as Athena's StateChangeReason starts
// (`DIVISION_BY_ZERO: Division by zero`), not as the cast DuckDB saw it fail through.
describe("the layer's failures, as the lake reports them", () => {
  it.each([
    ["1 / 0", "DIVISION_BY_ZERO: Division by zero"],
    ["cast(5 as bigint) % 0", "DIVISION_BY_ZERO: Division by zero"],
    ["cast('1.5' as bigint)", "INVALID_CAST_ARGUMENT: Cannot cast '1.5' to BIGINT"],
    ["cast('it''s 1' as int)", "INVALID_CAST_ARGUMENT: Cannot cast 'it's 1' to INT"],
  ])("%s", async (sql, expected) => {
    const db = await openMemoryDatabase();
    try {
      const failure = await db.execute(`select ${strictIntegerCasts(sql)} as x`, "model.m").then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(QueryError);
      expect((failure as QueryError).details.engineMessage).toBe(expected);
      expect((failure as QueryError).message).toBe(`model.m: ${expected}`);
    } finally {
      await db.close();
    }
  });

  it("leaves DuckDB's own conversion errors as they are", async () => {
    const db = await openMemoryDatabase();
    try {
      await expect(db.execute("select 'x'::date as d")).rejects.toThrow(/Conversion Error/);
    } finally {
      await db.close();
    }
  });
});
