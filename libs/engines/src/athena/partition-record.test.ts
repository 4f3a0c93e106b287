import { describe, expect, it } from "vitest";
import type { Table } from "@aws-sdk/client-glue";
import {
  encodePartitions,
  PARTITIONS_PARAMETER,
  RECORD_LIMIT,
  RECORD_OVERFLOW,
  recordedEntries,
  recordedPartitions,
} from "./partition-record.js";

const table = (value: string | undefined, keys = ["event_date"]): Table => ({
  Name: "events",
  PartitionKeys: keys.map((Name) => ({ Name, Type: "string" })),
  Parameters: value === undefined ? {} : { [PARTITIONS_PARAMETER]: value },
});

describe("the partition record on a table entry", () => {
  it("runs of one generation are stored once; every location comes back as written", () => {
    const partitions = [
      { values: ["2026-11-29"], location: "s3://lake/silver/events/r2/event_date=2026-11-29" },
      { values: ["2026-11-27"], location: "s3://lake/silver/events/r1/event_date=2026-11-27/" },
      { values: ["2026-11-28"], location: "s3://lake/silver/events/r1/event_date=2026-11-28/" },
    ];
    const value = encodePartitions(["event_date"], partitions);
    expect(JSON.parse(value)).toEqual({
      v: 1,
      g: ["s3://lake/silver/events/r1/", "s3://lake/silver/events/r2/"],
      p: ["2026-11-27", "2026-11-28", "2026-11-29"],
      r: [0, 2, 1, 1],
    });
    expect([...recordedPartitions(table(value))!]).toEqual([
      ['["2026-11-27"]', "s3://lake/silver/events/r1/event_date=2026-11-27/"],
      ['["2026-11-28"]', "s3://lake/silver/events/r1/event_date=2026-11-28/"],
      ['["2026-11-29"]', "s3://lake/silver/events/r2/event_date=2026-11-29/"],
    ]);
  });

  it("Hive-escaped values and locations outside the k=v layout round-trip", () => {
    const partitions = [
      { values: ["a/b", "x:1"], location: "s3://lake/t/r1/k=a%2Fb/h=x%3A1/" },
      { values: ["c", "2"], location: "s3://elsewhere/by-hand/" },
    ];
    const value = encodePartitions(["k", "h"], partitions);
    const back = recordedPartitions(table(value, ["k", "h"]))!;
    expect(back.get('["a/b","x:1"]')).toBe("s3://lake/t/r1/k=a%2Fb/h=x%3A1/");
    expect(back.get('["c","2"]')).toBe("s3://elsewhere/by-hand/");
  });

  it("no usable record: absent, overflow, unreadable, or other partition keys", () => {
    const value = encodePartitions(
      ["event_date"],
      [{ values: ["d"], location: "s3://l/t/r/event_date=d/" }],
    );
    expect(recordedPartitions(table(undefined))).toBeUndefined();
    expect(recordedPartitions(table(RECORD_OVERFLOW))).toBeUndefined();
    expect(recordedPartitions(table("{not json"))).toBeUndefined();
    expect(recordedPartitions(table(value, ["a", "b"]))).toBeUndefined();
    expect(recordedPartitions(table(value))?.size).toBe(1);
  });

  it("over the limit the value is 'overflow' (Glue takes at most 512,000 bytes)", () => {
    const many = Array.from({ length: 5_000 }, (_, i) => ({
      values: [`v${i}`],
      location: `s3://lake/t/run${i}/event_date=v${i}/`,
    }));
    expect(encodePartitions(["event_date"], many)).toBe(RECORD_OVERFLOW);
    const fits = many.slice(0, 100);
    expect(Buffer.byteLength(encodePartitions(["event_date"], fits))).toBeLessThan(RECORD_LIMIT);
  });

  it("file names are kept (one prefix per generation) when they fit, and left out when they do not", () => {
    const withFiles = (n: number, files: number) =>
      Array.from({ length: n }, (_, i) => ({
        values: [`d${i}`],
        location: `s3://lake/t/r1/event_date=d${i}/`,
        files: Array.from({ length: files }, (_, f) => `20261127_abcdef_query-id-long_${f}`),
      }));
    const small = encodePartitions(["event_date"], withFiles(3, 2));
    expect(JSON.parse(small).q).toEqual(["20261127_abcdef_query-id-long_"]);
    expect(recordedEntries(table(small))?.get('["d1"]')?.files).toEqual([
      "20261127_abcdef_query-id-long_0",
      "20261127_abcdef_query-id-long_1",
    ]);
    // Too many files to record: the locations still are (their data is then deleted by listing).
    const big = encodePartitions(["event_date"], withFiles(2_000, 40));
    expect(big).not.toBe(RECORD_OVERFLOW);
    expect(JSON.parse(big).f).toBeUndefined();
    expect(recordedEntries(table(big))?.get('["d1"]')).toEqual({
      values: ["d1"],
      location: "s3://lake/t/r1/event_date=d1/",
    });
  });
});
