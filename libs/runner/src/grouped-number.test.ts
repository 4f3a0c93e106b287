import { describe, expect, it } from "vitest";
import { counted, grouped } from "./grouped-number.js";

describe("grouped", () => {
  it("writes what toLocaleString('en-US') writes", () => {
    const values = [0, -0, 7, -7, 999, 1000, -1000, 12345, 301794, -1234567, 2 ** 53 - 1, 1.5, NaN];
    for (const n of values) expect(grouped(n), String(n)).toBe(n.toLocaleString("en-US"));
    for (const n of [0n, 1000n, -98765432109876543210n])
      expect(grouped(n)).toBe(n.toLocaleString("en-US"));
  });

  it("counted: the noun in the right number", () => {
    expect(counted(1, "row")).toBe("1 row");
    expect(counted(0, "row")).toBe("0 rows");
    expect(counted(2060, "row")).toBe("2,060 rows");
    expect(counted(3, "query", "queries")).toBe("3 queries");
  });
});
