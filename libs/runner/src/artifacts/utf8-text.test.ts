import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readUtf8, readUtf8Lines, utf8Text } from "./utf8-text.js";

const samples = [
  Buffer.from('{"ids":"model.a\\nmodel.b","sums":"3f1c a0   "}'),
  Buffer.from("model.café 😀 \u0000\u007f"),
  Buffer.from([0x61, 0xff, 0x62]), // not UTF-8: U+FFFD, as the decoder writes it
  Buffer.from([0xc3]), // a sequence cut short
  Buffer.from([0x80, 0x41]), // a lone continuation byte
  Buffer.alloc(0),
];

describe("utf8Text", () => {
  it("decodes as Node's UTF-8 decoder does, ASCII or not, malformed bytes included", () => {
    for (const bytes of samples) expect(utf8Text(bytes)).toBe(bytes.toString("utf8"));
  });
});

describe("readUtf8", () => {
  it("reads a file as readFileSync(file, 'utf8') does", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-utf8-"));
    try {
      const file = path.join(dir, "f.json");
      for (const bytes of samples) {
        writeFileSync(file, bytes);
        expect(readUtf8(file)).toBe(bytes.toString("utf8"));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads each file as its own bytes, bigger or smaller than the last", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-utf8-"));
    try {
      // Past readUtf8Lines' reused buffer's 16 MB too, then small again.
      const sizes = [100_000, 10, 300_000, 70_000, (16 << 20) + 5, 3];
      sizes.forEach((size, i) => {
        const file = path.join(dir, `${i}.txt`);
        const text = `${"é"}${String.fromCharCode(97 + i).repeat(size)}`;
        writeFileSync(file, text);
        expect(readUtf8(file)).toBe(text);
      });
      expect(() => readUtf8(path.join(dir, "missing.json"))).toThrow(/ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("readUtf8Lines", () => {
  it("splits a file at its n-th newline: the text before decoded, the bytes from it kept", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-utf8-"));
    try {
      const file = path.join(dir, "partial_parse.json");
      // A line longer than a read (1 MB), after a bigger file left other bytes in the buffer.
      writeFileSync(path.join(dir, "big"), "x\n".repeat(2_000_000));
      readUtf8Lines(path.join(dir, "big"), 1);
      const lines = ['{"h":"é"}', `${"a".repeat(1_500_000)}ü`, '["😀"]', "[[1]]"];
      writeFileSync(file, lines.join("\n"));
      for (const n of [1, 2, 3]) {
        const read = readUtf8Lines(file, n);
        expect(read?.text).toBe(lines.slice(0, n).join("\n"));
        expect(read?.rest.toString()).toBe(`\n${lines.slice(n).join("\n")}`);
      }
      expect(readUtf8Lines(file, 4)).toBeUndefined();
      writeFileSync(file, "a\n");
      expect(readUtf8Lines(file, 1)).toEqual({ text: "a", rest: Buffer.from("\n") });
      expect(() => readUtf8Lines(path.join(dir, "missing"), 1)).toThrow(/ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
