import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { objectText, readTree } from "../test/lake.js";
import { eventTypeOf } from "./event-type-partitions.js";
import { startFirehoseLocal } from "./firehose-local.js";
import { generate } from "./generate.js";
import { firehoseObjectKeyPattern } from "./object-key.js";

const root = mkdtempSync(join(tmpdir(), "sluice-partitions-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Every line of the objects under `dir` whose key starts with `prefix`, from the bytes on disk. */
const linesUnder = (dir: string, prefix: string) =>
  [...readTree(dir)]
    .filter(([k]) => k.startsWith(prefix))
    .flatMap(([k, b]) => objectText(k, b).slice(0, -1).split("\n"));

describe("the local Firehose's dynamic partitioning by event_type", () => {
  it("takes jq's .event_type of a JSON line, and nothing it could not use as a folder", () => {
    const key = (s: string) => eventTypeOf(Buffer.from(s));
    expect(key('{"event_type":"page_view","x":1}\n')).toBe("page_view");
    expect(key('{"event_type":7}')).toBe("7");
    expect(key("{not json")).toBeUndefined();
    expect(key('{"x":1}')).toBeUndefined();
    expect(key('{"event_type":null}')).toBeUndefined();
    expect(key('{"event_type":""}')).toBeUndefined();
    expect(key('{"event_type":"../../etc"}')).toBeUndefined();
    expect(key('{"event_type":{"a":1}}')).toBeUndefined();
    expect(key('["event_type"]')).toBeUndefined();
  });

  it("writes the lines of the unpartitioned layout under event_type=<t>/, failures to raw-errors/", async () => {
    const opts = {
      events: 3000,
      start: "2026-11-27T10:00:00Z",
      hours: 2,
      seed: 5,
      malformedRate: 0.01,
      stream: "sluice-events",
    } as const;
    const plain = join(root, "plain");
    const parted = join(root, "parted");
    const endpoints = [
      await startFirehoseLocal({ lakeDir: plain }),
      await startFirehoseLocal({ lakeDir: parted, partitionByEventType: true }),
    ];
    let summary;
    try {
      for (const e of endpoints)
        summary = await generate({
          ...opts,
          sink: "kinesis",
          endpointUrl: e.url,
          lakeDir: join(root, "unused"),
        });
    } finally {
      for (const e of endpoints) await e.close();
    }
    const all = linesUnder(plain, "raw/events/");
    expect(all).toHaveLength(summary!.output.kinesis!.sent);
    // Every line that has an event type is in its partition, and only there.
    const partitioned = linesUnder(parted, "raw/events/");
    const typed = all.filter((l) => eventTypeOf(Buffer.from(l)) !== undefined);
    expect(partitioned.sort()).toEqual([...typed].sort());
    const types = new Set<string>();
    for (const key of readTree(parted).keys()) {
      const m = /^raw\/events\/event_type=([\w-]+)\/(.*)$/.exec(key);
      if (!m) continue;
      types.add(m[1]!);
      expect(m[2]).toMatch(firehoseObjectKeyPattern);
      for (const line of linesUnder(parted, `raw/events/event_type=${m[1]}/`))
        expect(JSON.parse(line)).toMatchObject({ event_type: m[1] });
    }
    expect(types.size).toBeGreaterThan(3);
    // The malformed lines went to the error prefix as Firehose's error documents, nothing lost.
    const errors = linesUnder(parted, "raw-errors/partitioning-failed/").map(
      (l) => JSON.parse(l) as { errorCode: string; rawData: string },
    );
    expect(errors.length).toBe(all.length - typed.length);
    expect(errors.length).toBe(endpoints[1]!.stats.partitioningFailed);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]!.errorCode).toBe("DynamicPartitioning.MetadataExtractionFailed");
    const failedLines = errors.map((e) => Buffer.from(e.rawData, "base64").toString().slice(0, -1));
    expect([...partitioned, ...failedLines].sort()).toEqual([...all].sort());
  });
});
