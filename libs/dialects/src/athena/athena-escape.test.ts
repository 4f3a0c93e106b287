import { describe, expect, it } from "vitest";
// Test-only helper shared by every dialect test; it never reaches library code.
// eslint-disable-next-line @nx/enforce-module-boundaries
import { grammarErrors } from "../../../../tests/support/sql-grammar.js";
import {
  hiveIdentifier,
  hiveString,
  trinoIdentifier,
  trinoLiteral,
  trinoString,
} from "./athena-escape.js";

const hostileStrings = [
  "it's",
  "''",
  "back\\slash",
  "\\'",
  "line1\nline2\r\n",
  "'; DROP TABLE x; --",
  "tab\there",
  "ünïcødé 🚀",
  "$" + "{dt}",
  "/* not a comment */",
];

describe("trino escaping", () => {
  it("doubles quotes and leaves backslashes and newlines alone", () => {
    expect(trinoString("it's")).toBe("'it''s'");
    expect(trinoString("a\\b")).toBe("'a\\b'");
    expect(trinoString("a\nb")).toBe("'a\nb'");
    expect(trinoIdentifier('x"y')).toBe('"x""y"');
  });

  it.each(hostileStrings)("literal %j is one string token in a statement that parses", (s) => {
    const sql = `select ${trinoString(s)} as ${trinoIdentifier(s)}`;
    expect(grammarErrors({ sql, grammar: "trino" })).toEqual([]);
    // Round trip: undoing the escaping gives the original value back.
    expect(trinoString(s).slice(1, -1).replaceAll("''", "'")).toBe(s);
  });

  it("writes literals for numbers, bigints, booleans, null and dates", () => {
    expect(trinoLiteral(42)).toBe("42");
    expect(trinoLiteral(-7)).toBe("-7");
    expect(trinoLiteral(1.5)).toBe("1.5E0");
    expect(trinoLiteral(1e-7)).toBe("1E-7");
    expect(trinoLiteral(1e21)).toBe("1E+21");
    expect(trinoLiteral(NaN)).toBe("nan()");
    expect(trinoLiteral(-Infinity)).toBe("-infinity()");
    expect(trinoLiteral(9007199254740993n)).toBe("9007199254740993");
    expect(trinoLiteral(true)).toBe("TRUE");
    expect(trinoLiteral(null)).toBe("NULL");
    expect(trinoLiteral(undefined)).toBe("NULL");
    expect(trinoLiteral(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 67)))).toBe(
      "TIMESTAMP '2024-01-02 03:04:05.067'",
    );
    const all = [42, 1.5, 1e-7, 1e21, NaN, -Infinity, 9n, true, null, new Date(0), "x"].map(
      trinoLiteral,
    );
    expect(grammarErrors({ sql: `select ${all.join(", ")}`, grammar: "trino" })).toEqual([]);
  });

  it("refuses values it cannot write", () => {
    expect(() => trinoLiteral({ a: 1 })).toThrow(TypeError);
    expect(() => trinoLiteral(new Date(NaN))).toThrow(TypeError);
  });
});

describe("hive escaping", () => {
  it("backslash-escapes quotes and backslashes, doubles backticks", () => {
    expect(hiveString("it's")).toBe("'it\\'s'");
    expect(hiveString("a\\b")).toBe("'a\\\\b'");
    expect(hiveIdentifier("a`b")).toBe("`a``b`");
  });

  it.each(hostileStrings)("literal %j parses in Hive DDL", (s) => {
    const sql = `CREATE DATABASE IF NOT EXISTS ${hiveIdentifier(s)} LOCATION ${hiveString(s)}`;
    expect(grammarErrors({ sql, grammar: "hive" })).toEqual([]);
    expect(hiveString(s).slice(1, -1).replace(/\\(.)/gs, "$1")).toBe(s);
  });
});
