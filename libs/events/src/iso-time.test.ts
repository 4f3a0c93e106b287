import { describe, expect, it } from "vitest";
import { isoDay, isoMillis } from "./iso-time.js";

describe("isoMillis / isoDay", () => {
  it("formats exactly like toISOString, in and out of order across minutes", () => {
    const base = Date.UTC(2026, 10, 27, 23, 59, 58, 0);
    for (const ms of [base, base + 7, base + 2_001, base - 61_000, base + 999, base + 86_400_000 * 40 + 3, Date.UTC(1999, 0, 1), base + 256 * 60_000 + 1, base - 256 * 60_000 + 59_999, base]) {
      expect(isoMillis(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it("formats UTC day numbers as YYYY-MM-DD", () => {
    expect(isoDay(0)).toBe("1970-01-01");
    expect(isoDay(Math.floor(Date.UTC(2024, 1, 29) / 86_400_000))).toBe("2024-02-29");
  });
});
