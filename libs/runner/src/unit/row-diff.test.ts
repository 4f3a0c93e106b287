import { describe, expect, it } from "vitest";
import { compareRows, formatRowDiff } from "./row-diff.js";

describe("compareRows", () => {
  it("compares multisets: order does not matter, duplicates count", () => {
    expect(compareRows([[1], [2]], [[2], [1]])).toEqual({
      matched: 2,
      missing: [],
      unexpected: [],
    });
    expect(compareRows([[1], [1]], [[1]])).toEqual({ matched: 1, missing: [[1]], unexpected: [] });
    expect(compareRows([[1]], [[1], [1]])).toEqual({ matched: 1, missing: [], unexpected: [[1]] });
  });

  it("NULL equals NULL; a number and its text are the same cell; 1 is not '1.0'", () => {
    expect(compareRows([[null, 2]], [[undefined, "2"]]).matched).toBe(1);
    expect(compareRows([[1]], [["1.0"]]).matched).toBe(0);
  });
});

describe("formatRowDiff", () => {
  it("pairs a missing row with the closest unexpected one and marks the differing cells", () => {
    const text = formatRowDiff(
      ["id", "country", "revenue"],
      compareRows(
        [
          [1, "DE", 30],
          [2, "FR", 5],
        ],
        [
          [2, "FR", 5],
          [9, "XX", 0],
          [1, "DE", 25],
        ],
      ),
    );
    expect(text.split("\n")).toEqual([
      "(- expected, + actual; >x< marks a cell that differs)",
      "   id  country  revenue",
      "-  1   DE       30",
      "+  1   DE       >25<",
      "+  9   XX       0",
      "  row 1: revenue expected 30, got 25",
      "  row 2: not expected",
    ]);
  });

  it("a missing row with nothing alike stands alone", () => {
    const text = formatRowDiff(["a"], compareRows([[1]], []));
    expect(text).toContain("-  1");
    expect(text).toContain("row 1: expected, but no actual row is like it");
  });
});
