import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readKeyed, utf8Text, writeKeyedText } from "./keyed-file.js";

describe("utf8Text", () => {
  it("decodes as Node's UTF-8 decoder does, ASCII or not, malformed bytes included", () => {
    const samples = [
      Buffer.from('{"ids":"model.a\\nmodel.b","sums":"3f1c a0   "}'),
      Buffer.from("model.café 😀 \u0000\u007f"),
      Buffer.from([0x61, 0xff, 0x62]), // not UTF-8: U+FFFD, as the decoder writes it
      Buffer.from([0xc3]), // a sequence cut short
      Buffer.from([0x80, 0x41]), // a lone continuation byte
      Buffer.alloc(0),
    ];
    for (const bytes of samples) expect(utf8Text(bytes)).toBe(bytes.toString("utf8"));
  });
});

describe("readKeyed", () => {
  it("gives back the key and a value holding non-ASCII text as written", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-keyed-"));
    try {
      const file = path.join(dir, "state_checksums.json");
      const value = { count: 2, columns: ["model.é\nmodel.z", "3f1c    \na0    "] };
      writeKeyedText(file, '[3,"k"]', JSON.stringify(value));
      const kept = readKeyed(file);
      expect(kept?.key).toBe('[3,"k"]');
      expect(kept?.value()).toEqual(value);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
