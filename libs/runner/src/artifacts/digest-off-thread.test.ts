import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startFileDigest } from "./digest-off-thread.js";
import { utf8Text } from "./keyed-file.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-digest-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const sha256 = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("hex");

describe("startFileDigest (a state manifest hashed on a worker thread)", () => {
  // 2.5 MB: the worker reads it in three chunks of 1 MB.
  const bytes = Buffer.alloc(2.5 * 2 ** 20, "manifest ");
  const file = path.join(dir, "manifest.json");
  writeFileSync(file, bytes);

  it("gives the file's sha256, or that of its first bytes", async () => {
    const whole = startFileDigest(file);
    const prefix = startFileDigest(file, 1_500_001);
    expect(await whole()).toBe(sha256(bytes));
    expect(await prefix()).toBe(sha256(bytes.subarray(0, 1_500_001)));
  });

  it("gives undefined for a file that is missing or shorter than asked", async () => {
    expect(await startFileDigest(path.join(dir, "missing.json"))()).toBeUndefined();
    expect(await startFileDigest(file, bytes.length + 1)()).toBeUndefined();
  });
});

describe("utf8Text", () => {
  it("decodes UTF-8 bytes, ASCII or not", () => {
    for (const text of ['{"schema":"marts"}', '{"name":"é 日本 😀"}'])
      expect(utf8Text(Buffer.from(text))).toBe(text);
  });
});
