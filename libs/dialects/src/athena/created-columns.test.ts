import { describe, expect, it } from "vitest";
import { createdColumnsProblem } from "./created-columns.js";

const brief = (columns: Parameters<typeof createdColumnsProblem>[0]) => {
  const p = createdColumnsProblem(columns);
  return p && { errorName: p.errorName, message: p.message, index: p.index };
};

describe("createdColumnsProblem (Trino's validateColumns)", () => {
  it("passes named, distinct, typed columns and stars", () => {
    expect(brief([{ name: "a" }, { star: true }, { name: "b" }])).toBeUndefined();
  });

  it("an expression without AS: its position, unless a * before it hides it", () => {
    expect(brief([{ name: "a" }, {}])).toEqual({
      errorName: "MISSING_COLUMN_NAME",
      message: "Column name not specified at position 2",
      index: 1,
    });
    expect(brief([{ star: true }, {}])?.message).toBe("Column name not specified");
    expect(brief([{ star: true }, { position: 7 }])?.message).toBe(
      "Column name not specified at position 7",
    );
  });

  it("a name twice, whatever its case", () => {
    expect(brief([{ name: "a" }, { name: "b" }, { name: "A" }])).toEqual({
      errorName: "DUPLICATE_COLUMN_NAME",
      message: "Column name 'a' specified more than once",
      index: 2,
    });
  });

  it("a bare NULL", () => {
    expect(brief([{ name: "n", untyped: true }])).toEqual({
      errorName: "COLUMN_TYPE_UNKNOWN",
      message: "Column type is unknown: n",
      index: 0,
    });
  });

  it("checks column by column, each column's rules in Trino's order", () => {
    // The first column's problem wins over a later one's; a duplicate before its type.
    expect(brief([{ name: "a", untyped: true }, {}])?.errorName).toBe("COLUMN_TYPE_UNKNOWN");
    expect(brief([{ name: "a" }, { name: "a", untyped: true }])?.errorName).toBe(
      "DUPLICATE_COLUMN_NAME",
    );
  });
});
