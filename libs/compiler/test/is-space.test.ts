import { describe, expect, it } from "vitest";
import { isSpace } from "../src/is-space.js";

describe("isSpace", () => {
  it("is a regex's \\s for every UTF-16 code unit", () => {
    const wrong: number[] = [];
    for (let code = 0; code <= 0xffff; code++)
      if (isSpace(code) !== /\s/.test(String.fromCharCode(code))) wrong.push(code);
    expect(wrong).toEqual([]);
  });
});
