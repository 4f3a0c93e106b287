import { describe, expect, it } from "vitest";
import { isoDay, writeIsoMillis } from "./iso-time.js";

describe("writeIsoMillis / isoDay", () => {
  it("writes exactly what toISOString writes, at an offset, in and out of order across minutes", () => {
    const base = Date.UTC(2026, 10, 27, 23, 59, 58, 0);
    const buf = Buffer.alloc(30, 32);
    for (const ms of [
      base,
      base + 7,
      base + 2_001,
      base - 61_000,
      base + 999,
      base + 86_400_000 * 40 + 3,
      base + 60_000 * 300 + 45_678,
      Date.UTC(1999, 0, 1),
      base + 256 * 60_000 + 1,
      base - 256 * 60_000 + 59_999,
      base,
    ]) {
      expect(writeIsoMillis(buf, 3, ms)).toBe(27);
      expect(buf.toString("latin1", 3, 27)).toBe(new Date(ms).toISOString());
    }
    expect(buf.toString("latin1", 0, 3) + buf.toString("latin1", 27)).toBe("      ");
  });

  it("formats UTC day numbers as YYYY-MM-DD", () => {
    expect(isoDay(0)).toBe("1970-01-01");
    expect(isoDay(Math.floor(Date.UTC(2024, 1, 29) / 86_400_000))).toBe("2024-02-29");
  });
});
