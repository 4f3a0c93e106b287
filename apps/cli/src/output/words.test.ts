import { describe, expect, it } from "vitest";
import { counted, duration } from "./words.js";
import { colorEnabled } from "./color-enabled.js";

describe("counted", () => {
  it("puts the noun in the right number", () => {
    expect([
      counted(0, "model"),
      counted(1, "model"),
      counted(1, "seed"),
      counted(1234, "row"),
      counted(2, "query", "queries"),
    ]).toEqual(["0 models", "1 model", "1 seed", "1,234 rows", "2 queries"]);
  });
});

describe("duration", () => {
  it("rounds to what a timer can tell", () => {
    expect([duration(7.924102000000033), duration(0.04), duration(412.6), duration(3210)]).toEqual([
      "7.9 ms",
      "0 ms",
      "413 ms",
      "3.2 s",
    ]);
  });
});

describe("colorEnabled", () => {
  it("follows NO_COLOR, then FORCE_COLOR, then whether the stream is a terminal", () => {
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: "1", FORCE_COLOR: "1" })).toBe(false);
    expect(colorEnabled({ isTTY: false }, { FORCE_COLOR: "1" })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { FORCE_COLOR: "0" })).toBe(false);
    expect(colorEnabled({ isTTY: false }, { CI: "true" })).toBe(false);
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
  });
});
