import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { openRawFile, splitLines } from "./raw-file-reader.js";
import { countRecords } from "./raw-line-count.js";

const text = (s: string): Buffer => Buffer.from(s, "utf8");

describe("openRawFile", () => {
  it("decompresses gzip by its magic number, whatever the name", async () => {
    expect(await openRawFile(gzipSync('{"a":1}\n'))).toEqual({ data: text('{"a":1}\n') });
    expect(await openRawFile(text('{"a":1}\n'))).toEqual({ data: text('{"a":1}\n') });
  });

  it("names what makes a file unreadable", async () => {
    const gz = gzipSync("x\n".repeat(1000));
    expect(await openRawFile(Buffer.alloc(0))).toMatchObject({ problem: "empty_file" });
    expect(await openRawFile(gz.subarray(0, gz.length - 10))).toMatchObject({
      problem: "truncated_gzip",
    });
    const flipped = Buffer.from(gz);
    flipped.writeUInt8(flipped.readUInt8(flipped.length - 8) ^ 1, flipped.length - 8); // the CRC
    expect(await openRawFile(flipped)).toMatchObject({ problem: "corrupt_gzip" });
    expect(
      await openRawFile(Buffer.from(Array.from({ length: 2048 }, (_, i) => (i * 7919) % 256))),
    ).toMatchObject({ problem: "binary_file" });
    expect(await openRawFile(Buffer.concat([text("PAR1"), text("x".repeat(100))]))).toMatchObject({
      problem: "binary_file",
    });
  });

  it("keeps text with a few control bytes (a NUL in a line) readable", async () => {
    const data = text(`\u0000{"event_id":"a"}\n{"event_id":"b\u0000c"}\n`);
    expect(await openRawFile(data)).toEqual({ data });
  });
});

describe("splitLines and countRecords", () => {
  const cases: [string, Buffer, string[]][] = [
    ["a final newline ends the last line", text("a\nb\n"), ["a", "b"]],
    ["no final newline", text("a\nb"), ["a", "b"]],
    ["empty and whitespace-only lines are lines", text("a\n\n  \nb\n"), ["a", "", "  ", "b"]],
    ["CRLF endings", text("a\r\nb\r\n"), ["a", "b"]],
    ["NUL bytes stay in the line", text("\u0000a\nb\u0000c\n"), ["\u0000a", "b\u0000c"]],
  ];
  for (const [name, data, expected] of cases) {
    it(name, () => {
      expect([...splitLines(data, 1024)].map((l) => l.text)).toEqual(expected);
      expect(countRecords(data)).toBe(expected.length);
    });
  }

  it("flags invalid UTF-8 (text with U+FFFD, exact bytes kept) and oversized lines (no text)", () => {
    const bad = Buffer.concat([text('{"a":"'), Buffer.from([0xff]), text('"}')]);
    const data = Buffer.concat([
      text("ok\n"),
      bad,
      text("\n"),
      text("y".repeat(50)),
      text("\nlast"),
    ]);
    const lines = [...splitLines(data, 40)];
    expect(
      lines.map((l) => [l.number, l.problem ?? "", l.text.length > 20 ? "long" : l.text]),
    ).toEqual([
      [1, "", "ok"],
      [2, "invalid_utf8", '{"a":"\ufffd"}'],
      [3, "oversized_line", ""],
      [4, "", "last"],
    ]);
    expect(lines[1]!.bytes).toEqual(bad);
    expect(lines[2]!.bytes!.length).toBe(50);
    expect(countRecords(data)).toBe(4);
  });
});
