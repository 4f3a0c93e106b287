import { describe, expect, it } from "vitest";
import { decodeUtf8, firstInvalidByte } from "./utf8.js";

const bytes = (...parts: (string | number[])[]) =>
  Buffer.concat(
    parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : Buffer.from(p))),
  );

describe("decodeUtf8", () => {
  it("decodes valid UTF-8 as is (a BOM is kept, like readFile)", () => {
    expect(decodeUtf8(bytes("\uFEFFCôte d'Ivoire 🌍"))).toEqual({ text: "\uFEFFCôte d'Ivoire 🌍" });
  });

  it("gives the line and column of the first bad byte, counting characters before it", () => {
    const out = decodeUtf8(bytes("select 1\n-- café ", [0xff], " and ", [0xfe]));
    expect(out.badByte).toEqual({ line: 2, column: 9, byte: 0xff });
    expect(out.text).toBe("select 1\n-- café \uFFFD and \uFFFD");
  });

  it("finds truncated, overlong, surrogate and out-of-range sequences", () => {
    expect(firstInvalidByte(bytes("ab", [0xe2, 0x82]))).toBe(2);
    expect(firstInvalidByte(bytes("a", [0xe2, 0x82, 0x41]))).toBe(1);
    expect(firstInvalidByte(bytes([0xc0, 0xaf]))).toBe(0);
    expect(firstInvalidByte(bytes([0xe0, 0x80, 0xaf]))).toBe(0);
    expect(firstInvalidByte(bytes("é", [0xed, 0xa0, 0x80]))).toBe(2);
    expect(firstInvalidByte(bytes([0xf4, 0x90, 0x80, 0x80]))).toBe(0);
    expect(firstInvalidByte(bytes("€𝄞 ok"))).toBe(-1);
  });
});
