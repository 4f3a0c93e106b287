import { describe, expect, it } from "vitest";
import { utf8Bytes } from "./reused-bytes.js";

describe("utf8Bytes", () => {
  it("gives Buffer.from's bytes, for texts of every width and length, one after another", () => {
    const texts = [
      "",
      "ascii",
      "é".repeat(70_000), // grows the buffer past its first size
      "😀a".repeat(3),
      "lone \ud800 surrogate",
      "short after long",
      "x".repeat((1 << 22) + 1), // too long to keep: a buffer of its own
    ];
    for (const text of texts) expect(utf8Bytes(text).equals(Buffer.from(text))).toBe(true);
  });

  it("gives the bytes of pieces as those of their join, never joining them", () => {
    const pieces = ["-- {", "é".repeat(30_000), "", "😀", "x".repeat(100_000), "}\n"];
    expect(utf8Bytes(pieces).equals(Buffer.from(pieces.join("")))).toBe(true);
    expect(utf8Bytes([]).length).toBe(0);
  });

  it("reuses one buffer: the bytes of a call are overwritten by the next", () => {
    const first = utf8Bytes("first");
    utf8Bytes("other");
    expect(first.toString()).toBe("other");
  });
});
