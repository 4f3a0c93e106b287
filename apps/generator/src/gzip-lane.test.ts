import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { deterministicGzip, type DeliveredObject } from "./firehose-buffer.js";
import { GzipLane } from "./gzip-lane.js";
import { inFlightPath } from "./in-flight.js";
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
    await expect(
      lane.compress(Buffer.from("a\n"), join(root, "missing", "dir", "x.gz")),
    ).rejects.toThrow(/ENOENT/);
    lane.close();
  });
});

describe("lakeWriter", () => {
  const objects = (n: number): DeliveredObject[] =>
    Array.from({ length: n }, (_, i) => {
      const raw = lines(i + 10, 5_000 + i * 3_000);
      return {
        key: `raw/events/2026/11/27/00/s-1-2026-11-27-00-00-0${i}-x.gz`,
        raw,
        gzipLevel: 1,
        records: 1,
        rawBytes: raw.length,
        firstArrivalMs: 0,
      };
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
    expect(files[1]!.map((b) => b.toString("base64"))).toEqual(
      files[0]!.map((b) => b.toString("base64")),
    );
    objects(5).forEach((o, i) => expect(gunzipSync(files[1]![i]!).equals(o.raw)).toBe(true));
  });

  describe("publishes objects whole", () => {
    const files = (dir: string) =>
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => join(e.parentPath, e.name));

    it("keeps the hour folder free of a half-written object, then holds only the final files", async () => {
      const dir = join(root, "whole");
      const writer = lakeWriter(dir, { compressInline: false });
      const [first, second] = objects(2);
      writer.write(first!);
      // The lane compresses on the thread pool: the object is being written now.
      const final = join(dir, first!.key);
      expect(existsSync(final)).toBe(false);
      expect(readdirSync(dirname(final))).toEqual([]);
      expect(files(dir)).toEqual([inFlightPath(final)]);
      expect(inFlightPath(final)).toMatch(/\/2026\/11\/27\/\.00-s-1-.*\.gz\.tmp-\d+$/);
      writer.write(second!);
      await writer.idle();
      const keys = [first!, second!].map((o) => join(dir, o.key)).sort();
      expect(files(dir).sort()).toEqual(keys);
      expect(gunzipSync(readFileSync(final)).equals(first!.raw)).toBe(true);
    });

    for (const compressInline of [true, false]) {
      it(`removes the in-flight file when publishing fails (in line: ${compressInline})`, async () => {
        const dir = join(root, `fails-${compressInline}`);
        const [o] = objects(1);
        // A folder in the way of the final name: the rename fails.
        mkdirSync(join(dir, o!.key, "x"), { recursive: true });
        const writer = lakeWriter(dir, { compressInline });
        let released = 0;
        const publish = async () => {
          writer.write({ ...o!, release: () => released++ });
          await writer.idle();
        };
        await expect(publish()).rejects.toThrow(/EISDIR|ENOTEMPTY|EEXIST|EPERM/);
        expect(released).toBe(1);
        expect(existsSync(inFlightPath(join(dir, o!.key)))).toBe(false);
        expect(files(dir)).toEqual([]);
      });
    }
  });
});
