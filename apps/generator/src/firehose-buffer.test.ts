import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { FirehoseBuffer, deterministicGzip, type DeliveredObject } from "./firehose-buffer.js";
import { defaultGzipLevel } from "./gzip-level.js";

const t0 = Date.UTC(2026, 10, 27, 13, 4, 5, 123);

function collect(settings: Partial<ConstructorParameters<typeof FirehoseBuffer>[0]> = {}) {
  const objects: DeliveredObject[] = [];
  const buffer = new FirehoseBuffer({ stream: "s", seed: 1, ...settings }, (o) => objects.push(o));
  return { buffer, objects };
}

describe("FirehoseBuffer", () => {
  it("names the object after the oldest record's arrival and flushes when the interval has passed", () => {
    const { buffer, objects } = collect({ bufferIntervalSeconds: 60 });
    buffer.add("a\n", t0);
    buffer.add("b\n", t0 + 59_999);
    expect(objects).toHaveLength(0);
    buffer.add("c\n", t0 + 60_000);
    expect(objects).toHaveLength(1);
    expect(objects[0]!.key).toMatch(
      /^raw\/events\/2026\/11\/27\/13\/s-1-2026-11-27-13-04-05-[0-9a-f-]{36}\.gz$/,
    );
    expect(objects[0]!.raw.toString()).toBe("a\nb\n");
    expect(objects[0]!.gzipLevel).toBe(defaultGzipLevel);
    expect(defaultGzipLevel).toBe(1);
    buffer.flush();
    expect(objects[1]!.key).toContain("-2026-11-27-13-05-05-");
    expect(objects[1]!.raw.toString()).toBe("c\n");
  });

  it("takes records as byte ranges of a shared buffer, in order with text records", () => {
    const { buffer, objects } = collect({ gzip: false });
    const shared = Buffer.from('xx{"a":1}\n{"b":2}\nyy');
    buffer.addBytes(shared, 2, 10, t0);
    buffer.add("text\n", t0 + 1);
    buffer.addBytes(shared, 10, 18, t0 + 2);
    buffer.flush();
    expect(objects).toHaveLength(1);
    expect(objects[0]!.raw.toString()).toBe('{"a":1}\ntext\n{"b":2}\n');
    expect(objects[0]!.records).toBe(3);
    expect(objects[0]!.rawBytes).toBe(21);
  });

  it("counts the size hint in UTF-8 bytes and keeps multi-byte text intact", () => {
    const { buffer, objects } = collect({ bufferSizeMiB: 1, gzip: false });
    const line = "Café ☕ 😀 " + "x".repeat(1000) + "\n";
    const n = Math.ceil((1024 * 1024) / Buffer.byteLength(line)) + 3;
    for (let i = 0; i < n; i++) buffer.add(line, t0 + i);
    buffer.flush();
    expect(objects).toHaveLength(2);
    expect(objects[0]!.rawBytes).toBeGreaterThanOrEqual(1024 * 1024);
    expect(objects[0]!.rawBytes).toBeLessThan(1024 * 1024 + Buffer.byteLength(line));
    expect(objects[0]!.raw.toString()).toBe(line.repeat(objects[0]!.records));
    expect(objects[0]!.records + objects[1]!.records).toBe(n);
    expect(objects[1]!.key).not.toMatch(/\.gz$/);
    expect(objects[0]!.gzipLevel).toBe(0);
  });

  it("grows for a record bigger than the buffer", () => {
    const { buffer, objects } = collect({ bufferSizeMiB: 1 });
    const big = "y".repeat(3 * 1024 * 1024) + "\n";
    buffer.add("small\n", t0);
    buffer.add(big, t0 + 1);
    expect(objects).toHaveLength(1);
    expect(objects[0]!.raw.toString()).toBe("small\n" + big);
  });

  it("decodes base64 records straight into the buffer, growing it for a big one", () => {
    const { buffer, objects } = collect({ bufferSizeMiB: 1, gzip: false });
    const lines = ["Café ☕\n", "z".repeat(2 * 1024 * 1024) + "\n", "end\n"];
    for (const [i, line] of lines.entries())
      buffer.addBase64(Buffer.from(line).toString("base64"), t0 + i);
    buffer.flush();
    expect(objects.map((o) => o.raw.toString())).toEqual([lines[0]! + lines[1]!, lines[2]]);
    expect(objects[0]!.rawBytes).toBe(Buffer.byteLength(lines[0]! + lines[1]!));
  });

  it("reuses a released object's memory and leaves unreleased objects intact", () => {
    const objects: DeliveredObject[] = [];
    const buffer = new FirehoseBuffer(
      { stream: "s", seed: 1, bufferSizeMiB: 1, bufferIntervalSeconds: 60 },
      (o) => objects.push(o),
    );
    buffer.add("first\n", t0);
    buffer.flush();
    buffer.add("second\n", t0);
    buffer.flush();
    // Nothing released: each object keeps its own memory.
    expect(objects.map((o) => o.raw.toString())).toEqual(["first\n", "second\n"]);
    expect(objects[0]!.raw.buffer).not.toBe(objects[1]!.raw.buffer);
    objects[0]!.release!();
    objects[0]!.release!();
    buffer.add("third\n", t0);
    buffer.flush();
    buffer.add("fourth\n", t0);
    buffer.flush();
    // The released memory is reused exactly once (releasing twice must not hand it out twice).
    const reused = objects.slice(2).filter((o) => o.raw.buffer === objects[0]!.raw.buffer);
    expect(reused).toHaveLength(1);
    expect(objects.slice(1).map((o) => o.raw.toString())).toEqual([
      "second\n",
      "third\n",
      "fourth\n",
    ]);
  });

  it("gzips deterministically, with a pinned header", () => {
    const raw = Buffer.from("hello\n".repeat(1000));
    const a = deterministicGzip(raw);
    expect(a.equals(deterministicGzip(raw))).toBe(true);
    // Byte 8 (XFL) is 4 for zlib's fastest levels, 0 for the middle ones.
    expect([...a.subarray(0, 10)]).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4, 3]);
    expect(gunzipSync(a).equals(raw)).toBe(true);
    const six = deterministicGzip(raw, 6);
    expect(six[8]).toBe(0);
    expect(gunzipSync(six).equals(raw)).toBe(true);
  });
});
