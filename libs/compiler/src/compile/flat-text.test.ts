import { describe, expect, it } from "vitest";
import { flatText } from "./flat-text.js";

describe("flatText", () => {
  it("returns the same characters for any text, numeric-looking or not", () => {
    let built = "select 1";
    for (let i = 0; i < 1000; i++) built += ` union all select ${i}`;
    const texts = [
      "",
      " ",
      "12",
      "  12  ",
      "-0",
      "0x1f",
      "1e400",
      "Infinity",
      "NaN",
      "é€😀",
      built,
    ];
    for (const text of texts) expect(flatText(text)).toBe(text);
    expect(flatText(built)).toHaveLength(built.length);
  });
});
