import { describe, expect, it } from "vitest";
import { createDuckdbDialect } from "./duckdb-dialect.js";
import { duckdbGlobLiteral, duckdbStringLiteral, quoteDuckdbIdentifier } from "./duckdb-escape.js";
import { versionName } from "./version-records.js";

// The escaping and text helpers have fast paths for the common case (nothing to escape); each is
// checked here against the plain formula it must equal, over hostile and ordinary inputs.
const hostile = [
  "",
  "events",
  "it's",
  "''",
  "'; DROP TABLE t; --",
  'my "col"',
  '"',
  "a\0b",
  "\0",
  "\0'\0",
  "back\\slash",
  "new\nline",
  "ünïcödé ✓",
  "\u{1F600}'\u{1F600}",
];

const referenceLiteral = (value: string): string => {
  const parts = value.split("\0").map((part) => `'${part.replaceAll("'", "''")}'`);
  return parts.length === 1 ? parts[0]! : `(${parts.join(" || chr(0) || ")})`;
};

describe("duckdb escaping", () => {
  it.each(hostile)("writes %j as the literal of the plain formula", (value) => {
    expect(duckdbStringLiteral(value)).toBe(referenceLiteral(value));
  });

  it.each(hostile.filter((v) => !v.includes("\0")))("quotes the name %j", (name) => {
    expect(quoteDuckdbIdentifier(name)).toBe(`"${name.replaceAll('"', '""')}"`);
  });

  it("refuses a name with a NUL character", () => {
    expect(() => quoteDuckdbIdentifier("a\0b")).toThrow(/NUL character/);
  });
});

describe("versionName", () => {
  it.each([
    "",
    "/",
    "//",
    "v_1",
    "/v_1",
    "/lake/t/v_1",
    "/lake/t/v_1/",
    "/lake/t/v_1///",
    "s3://b/t/v",
  ])("is the last segment of %j once trailing slashes are dropped", (location) => {
    expect(versionName(location)).toBe(location.replace(/\/+$/, "").split("/").at(-1) ?? "");
  });
});

describe("model SQL as the lake runs it", () => {
  const copyOf = (selectSql: string): string =>
    createDuckdbDialect({ trinoCompat: false }).insertInto({
      relation: { schema: "s", name: "t" },
      selectSql,
      partitionedBy: [],
      location: "/lake/s/t/v_1",
      writeId: "1",
    })[0]!.sql;

  it.each([
    "select 1",
    "select 1;",
    "select 1;;",
    " select 1 ;\n\t ",
    "select ';'",
    "select 1; -- c",
  ])("drops one final semicolon and the blanks around %j", (sql) => {
    expect(copyOf(sql)).toContain(`(\n${sql.trim().replace(/;\s*$/, "")}\n)`);
  });
});

describe("duckdbGlobLiteral", () => {
  it("puts [, * and ? in classes of their own; anything else as it is", () => {
    expect(duckdbGlobLiteral("/home/ana/shop [old]")).toBe("/home/ana/shop [[]old]");
    expect(duckdbGlobLiteral("/a*b?c")).toBe("/a[*]b[?]c");
    expect(duckdbGlobLiteral("/plain/it's é")).toBe("/plain/it's é");
  });
});
