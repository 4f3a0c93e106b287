import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readKeyed, writeKeyedText } from "./keyed-file.js";

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

  it("reads a file written as pieces of text and bytes as the pieces joined", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-keyed-"));
    try {
      const file = path.join(dir, "manifest.state.json");
      // Longer than the writer's 1 MB buffer, non-ASCII in the key and across the pieces.
      const long = "é".repeat(700_000);
      const pieces = ['{"a":"', Buffer.from(long), '","b":', Buffer.from('"ü"'), "}"];
      writeKeyedText(file, '{"k":"ß"}', pieces);
      const kept = readKeyed(file);
      expect(kept?.key).toBe('{"k":"ß"}');
      expect(kept?.text()).toBe(`{"a":"${long}","b":"ü"}`);
      expect(kept?.value()).toEqual({ a: long, b: "ü" });
      expect(kept?.bytes.subarray(kept.valueAt).toString()).toBe(kept?.text());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
