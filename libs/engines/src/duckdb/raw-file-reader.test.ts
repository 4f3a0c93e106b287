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

  it("judges UTF-8 as the WHATWG decoder does: overlong, surrogate, out-of-range and cut sequences", () => {
    // The oracle is the fatal TextDecoder, not the validator splitLines uses.
    const strict = new TextDecoder("utf-8", { fatal: true });
    const valid = (b: Buffer): boolean => {
      try {
        strict.decode(b);
        return true;
      } catch {
        return false;
      }
    };
    const sequences = [
      [0xc0, 0xaf], // overlong "/"
      [0xe0, 0x80, 0xaf], // overlong, 3 bytes
      [0xed, 0xa0, 0x80], // a UTF-16 surrogate, encoded
      [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
      [0xf5, 0x80, 0x80, 0x80],
      [0xe2, 0x82], // cut before its last byte
      [0x80], // a lone continuation byte
      [0xef, 0xbb, 0xbf], // a BOM inside a line: valid
      [0xef, 0xbf, 0xbe], // U+FFFE, a noncharacter: valid
      [0xf0, 0x9f, 0x98, 0x80], // U+1F600
      [0x00],
    ].map((bytes) => Buffer.concat([text('{"a":"'), Buffer.from(bytes), text('"}')]));
    const lines = [...splitLines(Buffer.concat(sequences.flatMap((b) => [b, text("\n")])), 1024)];
    expect(lines.map((l) => l.problem === undefined)).toEqual(sequences.map(valid));
    expect(lines.map((l) => l.text)).toEqual(sequences.map((b) => new TextDecoder().decode(b)));
    expect(valid(sequences[0]!)).toBe(false);
    expect(valid(sequences[7]!)).toBe(true);
    // Each file of valid lines alone takes the one-decode path: the same text.
    for (const b of sequences.filter(valid))
      expect([...splitLines(b, 1024)]).toEqual([{ number: 1, text: new TextDecoder().decode(b) }]);
  });
});
