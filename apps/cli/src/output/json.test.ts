import { describe, expect, it } from "vitest";
import { rowsToJson, toSnakeJson } from "./json.js";

describe("rowsToJson", () => {
  it("keeps BIGINT beyond 2^53 and DECIMAL exact, as strings; NULL as null", () => {
    const columns = [
      { name: "big", type: "bigint" },
      { name: "d", type: "decimal(38,9)" },
      { name: "m", type: "decimal(5,2)" },
      { name: "n", type: "integer" },
    ];
    const rows = [{ big: 9223372036854775807n, d: "123456789.123456789", m: 1.5, n: null }];
    expect(JSON.parse(rowsToJson(columns, rows))).toEqual([
      { big: "9223372036854775807", d: "123456789.123456789", m: "1.50", n: null },
    ]);
  });
});

describe("toSnakeJson", () => {
  it("writes keys in snake_case, nested too", () => {
    expect(
      JSON.parse(toSnakeJson({ elapsedMs: 1, results: [{ skippedBecause: "x", rows: 2n }] })),
    ).toEqual({
      elapsed_ms: 1,
      results: [{ skipped_because: "x", rows: "2" }],
    });
  });
});
