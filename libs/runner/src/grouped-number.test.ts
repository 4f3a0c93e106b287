import { describe, expect, it } from "vitest";
import { grouped } from "./grouped-number.js";

describe("grouped", () => {
  it("writes what toLocaleString('en-US') writes", () => {
    const values = [0, 7, -7, 999, 1000, -1000, 12345, 301794, -1234567, 2 ** 53 - 1, 1.5, NaN];
    for (const n of values) expect(grouped(n), String(n)).toBe(n.toLocaleString("en-US"));
    for (const n of [0n, 1000n, -98765432109876543210n])
      expect(grouped(n)).toBe(n.toLocaleString("en-US"));
  });
});
