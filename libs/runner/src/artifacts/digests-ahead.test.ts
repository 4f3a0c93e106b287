import { createHash } from "node:crypto";
import { closeSync, mkdtempSync, openSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { digestsAhead, leadingDigest } from "./digests-ahead.js";

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
const fileOf = (bytes: Buffer) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "digests-ahead-"));
  dirs.push(dir);
  const file = path.join(dir, "manifest.json");
  writeFileSync(file, bytes);
  return file;
};
const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");
/** 2.5 MB: more than one of the worker's 1 MB reads, with a length inside the second. */
const bytes = Buffer.from(Array.from({ length: 2_500_000 }, (_, i) => (i * 7919) % 251));
const withFd = <T>(file: string, use: (fd: number) => T): T => {
  const fd = openSync(file, "r");
  try {
    return use(fd);
  } finally {
    closeSync(fd);
  }
};

describe("digestsAhead", () => {
  it("hashes each leading length of the file as sha256 of those bytes", async () => {
    const file = fileOf(bytes);
    const known = await digestsAhead(file, [0, 1_500_001, bytes.length])();
    expect(known).toBeDefined();
    expect([...known!.byLength]).toEqual([
      [0, sha256(bytes.subarray(0, 0))],
      [1_500_001, sha256(bytes.subarray(0, 1_500_001))],
      [bytes.length, sha256(bytes)],
    ]);
    withFd(file, (fd) =>
      expect(leadingDigest(fd, 1_500_001, known)).toBe(sha256(bytes.subarray(0, 1_500_001))),
    );
  });

  it("gives nothing for a file it cannot read whole", async () => {
    expect(await digestsAhead(path.join(os.tmpdir(), "no-such-dir-x", "m.json"), [10])()).toBe(
      undefined,
    );
    expect(await digestsAhead(fileOf(bytes.subarray(0, 100)), [200])()).toBe(undefined);
  });

  it("is not used for a file changed since (same size), nor for a length it did not hash", async () => {
    const file = fileOf(bytes);
    const known = await digestsAhead(file, [bytes.length])();
    const edited = Buffer.from(bytes);
    edited[5] = edited[5]! ^ 1;
    writeFileSync(file, edited);
    // File times are coarse (a few ms): dated apart, as any edit after the hash would be.
    utimesSync(file, new Date(Date.now() + 10_000), new Date(Date.now() + 10_000));
    withFd(file, (fd) => {
      expect(leadingDigest(fd, bytes.length, known)).toBe(sha256(edited));
      expect(leadingDigest(fd, 10, known)).toBe(sha256(edited.subarray(0, 10)));
    });
  });
});
