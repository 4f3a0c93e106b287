import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { generate, type GenerateOptions } from "./generate.js";
import { readTree } from "../test/lake.js";

const root = mkdtempSync(join(tmpdir(), "sluice-gen-pinned-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;

/** SHA-256 over every object's key and bytes, in key order, and the count of objects. */
async function lakeHash(o: Partial<GenerateOptions> & { events: number; hours: number }) {
  const lakeDir = join(root, String(n++));
  const summary = await generate({
    start: "2026-11-27T00:00:00Z",
    seed: 42,
    sink: "local",
    lakeDir,
    ...o,
  });
  const files = readTree(lakeDir);
  const hash = createHash("sha256");
  for (const [key, bytes] of files) hash.update(key).update("\0").update(bytes).update("\0");
  return { objects: files.size, records: summary.records, sha256: hash.digest("hex") };
}

/**
 * The generator's output for a seed is pinned: these hashes were recorded before the memory
 * work of issue #18 (smaller event chunks for sparse minutes, faker's locales loaded one by one),
 * which must not change a byte. A change that means to change the output re-records them and
 * says why in its commit.
 */
describe("output pinned for a seed", () => {
  it("a busy two hours (several 256 KiB chunks a minute, sessions running hours ahead), gzipped", async () => {
    expect(await lakeHash({ events: 120_000, hours: 2 })).toEqual({
      objects: 45,
      records: 122_163,
      sha256: "b034c453801f2c0885da958c84be1fab2ab019606ffafbaa4fbc9d9b5b3e4243",
    });
  });

  it("a quiet day with every kind of chaos (late, duplicate, malformed...), uncompressed", async () => {
    expect(
      await lakeHash({
        events: 20_000,
        hours: 24,
        seed: 7,
        gzip: false,
        lateRate: 0.02,
        duplicateRate: 0.02,
        malformedRate: 0.01,
        missingFieldRate: 0.01,
        wrongTypeRate: 0.01,
      }),
    ).toEqual({
      objects: 284,
      records: 21_284,
      sha256: "878ef2c96830c4968182778b517eb3c0ef35e9cd48a2d94974892d8aa6eb3aa2",
    });
  });
});
