import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { deterministicGzip, type DeliveredObject } from "./firehose-buffer.js";
import { GzipLane } from "./gzip-lane.js";
import { lakeWriter } from "./local-sink.js";

const root = mkdtempSync(join(tmpdir(), "sluice-lane-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Repetitive but not trivially compressible lines, bigger than a lane's output chunk once gzipped. */
function lines(seed: number, count: number): Buffer {
  let x = seed;
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out.push(`{"i":${i},"x":${x},"hex":"${x.toString(16).repeat(3)}"}\n`);
  }
  return Buffer.from(out.join(""));
}

describe("GzipLane", () => {
  it("writes one complete gzip file per object, byte-identical to deterministicGzip", async () => {
    const lane = new GzipLane(1);
    try {
      for (const [i, raw] of [lines(1, 20_000), Buffer.from("x\n"), lines(2, 50_000)].entries()) {
        const path = join(root, `lane-${i}.gz`);
        const size = await lane.compress(raw, path);
        const body = readFileSync(path);
        expect(size).toBe(body.length);
        expect(body.equals(deterministicGzip(raw, 1))).toBe(true);
        expect(gunzipSync(body).equals(raw)).toBe(true);
      }
    } finally {
      lane.close();
    }
  });

  it("rejects when the file cannot be created", async () => {
    const lane = new GzipLane(1);
    await expect(lane.compress(Buffer.from("a\n"), join(root, "missing", "dir", "x.gz"))).rejects.toThrow(/ENOENT/);
    lane.close();
  });
});

describe("lakeWriter", () => {
  const objects = (n: number): DeliveredObject[] =>
    Array.from({ length: n }, (_, i) => {
      const raw = lines(i + 10, 5_000 + i * 3_000);
      return { key: `raw/events/2026/11/27/00/s-1-2026-11-27-00-00-0${i}-x.gz`, raw, gzipLevel: 1, records: 1, rawBytes: raw.length, firstArrivalMs: 0 };
    });

  it("writes the same files compressing in line or on the thread pool, with objects in flight released once", async () => {
    const files: Buffer[][] = [];
    for (const compressInline of [true, false]) {
      const dir = join(root, `lake-${compressInline}`);
      const writer = lakeWriter(dir, { compressInline });
      let released = 0;
      // More objects than lanes, without waiting for room(): extra lanes are made and dropped.
      for (const o of objects(5)) writer.write({ ...o, release: () => released++ });
      await writer.idle();
      expect(released).toBe(5);
      expect(writer.report.objects).toBe(5);
      files.push(writer.report.keys.map((k) => readFileSync(join(dir, k))));
      expect(writer.report.storedBytes).toBe(files.at(-1)!.reduce((s, b) => s + b.length, 0));
    }
    expect(files[1]!.map((b) => b.toString("base64"))).toEqual(files[0]!.map((b) => b.toString("base64")));
    objects(5).forEach((o, i) => expect(gunzipSync(files[1]![i]!).equals(o.raw)).toBe(true));
  });
});
