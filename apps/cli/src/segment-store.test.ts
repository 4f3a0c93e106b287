import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { liveSegmentFiles as live, ORPHAN_GRACE_MS, removeOrphans } from "./segment-orphans.js";
import {
  BUCKETS,
  bucketOf,
  jsonCodec,
  readBody,
  readSegmentLines,
  readSegmentStore,
  replaceSegmentRecords,
  writeSegmentStore,
} from "./segment-store.js";
import type { BodyPlace, Groups, RecordCodec } from "./segment-store.js";

describe("segment store", () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));
  const store = (): { file: string; segments: string } => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "sluice-segments-"));
    dirs.push(dir);
    return { file: path.join(dir, "memo.json"), segments: path.join(dir, "memo") };
  };
  const HEADER = '{"format":1}';
  const identity = (_group: string, a: unknown, b: unknown): boolean => a === b;
  /** 1,000 records in two groups, with the key of each record in its value. */
  const records = (): Groups => ({
    models: Object.fromEntries(
      Array.from({ length: 1000 }, (_, i) => [`model.m_${i}`, { id: i, text: `select ${i}` }]),
    ),
    properties: { "models/a.yml": { tests: ["unique"] } },
  });
  const files = (dir: string): Map<string, number> =>
    new Map(live(dir).map((f) => [f, statSync(path.join(dir, f)).mtimeMs]));

  it("reads back what was written, in every group", () => {
    const { file } = store();
    const written = records();
    expect(writeSegmentStore(file, HEADER, written, undefined, identity)).toBeGreaterThan(200);
    const read = readSegmentStore(file, HEADER);
    expect(read?.groups).toEqual(written);
    // Another header (another build, another project folder): nothing is reused.
    expect(readSegmentStore(file, '{"format":2}')).toBeUndefined();
  });

  it("rewrites only the segment of a changed, added or removed record, and the index", () => {
    const { file, segments } = store();
    writeSegmentStore(file, HEADER, records(), undefined, identity);
    const first = files(segments);
    const read = readSegmentStore(file, HEADER)!;
    // The same objects: nothing is written, not even the index.
    const indexTime = statSync(file).mtimeMs;
    expect(writeSegmentStore(file, HEADER, read.groups, read, identity)).toBe(0);
    expect(statSync(file).mtimeMs).toBe(indexTime);

    const next: Groups = { models: { ...read.groups["models"] }, properties: {} };
    next["models"]!["model.m_7"] = { id: 7, text: "select 7 -- edited" };
    delete next["models"]!["model.m_8"];
    next["models"]!["model.added"] = { id: -1 };
    const touched = new Set(
      ["model.m_7", "model.m_8", "model.added", "models/a.yml"].map(bucketOf),
    );
    expect(writeSegmentStore(file, HEADER, next, read, identity)).toBe(touched.size);
    const second = files(segments);
    const renamed = [...first.keys()].filter((f) => !second.has(f));
    expect(new Set(renamed.map((f) => Number(f.slice(0, 3))))).toEqual(touched);
    // Every other segment is the very file written first.
    for (const [f, time] of second) if (first.has(f)) expect(time).toBe(first.get(f));
    // A group left with no record reads as absent.
    expect(readSegmentStore(file, HEADER)?.groups).toEqual({ models: next["models"] });
  });

  it("names a segment by its content: the same records give the same files in any order", () => {
    const a = store();
    const b = store();
    const written = records();
    writeSegmentStore(a.file, HEADER, written, undefined, identity);
    const reversed: Groups = {
      properties: written["properties"]!,
      models: Object.fromEntries(Object.entries(written["models"]!).reverse()),
    };
    writeSegmentStore(b.file, HEADER, reversed, undefined, identity);
    expect(readdirSync(b.segments).sort()).toEqual(readdirSync(a.segments).sort());
    expect(readFileSync(b.file, "utf8")).toBe(readFileSync(a.file, "utf8"));
    expect(readdirSync(a.segments).length).toBeLessThanOrEqual(BUCKETS);
  });

  it("is not used when a segment it names is missing or torn, and a write removes orphans in time", () => {
    const { file, segments } = store();
    writeSegmentStore(file, HEADER, records(), undefined, identity);
    const [first, second] = live(segments).sort();
    rmSync(path.join(segments, first!));
    expect(readSegmentStore(file, HEADER)).toBeUndefined();
    writeSegmentStore(file, HEADER, records(), undefined, identity);
    const text = readFileSync(path.join(segments, second!), "utf8");
    writeFileSync(path.join(segments, second!), text.slice(0, text.length >> 1));
    expect(readSegmentStore(file, HEADER)).toBeUndefined();
    // What a process killed between writing a segment and the index leaves behind.
    writeFileSync(path.join(segments, "007.0000000000000000.json"), "{}");
    // A pid above Linux's pid_max (no such process), and a live one's (another command's write
    // in progress, which must still be there to be renamed).
    const dead = "007.0000000000000000.json.99999999.tmp";
    const inProgress = `008.0000000000000000.json.${process.ppid}.tmp`;
    writeFileSync(path.join(segments, dead), "{");
    writeFileSync(path.join(segments, inProgress), "{");
    writeSegmentStore(file, HEADER, records(), undefined, identity);
    expect(readSegmentStore(file, HEADER)?.groups).toEqual(records());
    const index = JSON.parse(readFileSync(file, "utf8").split("\n")[1]!) as Record<string, string>;
    const named = Object.values(index).sort();
    // The killed write's temporary file goes at once, a live one's stays; an unnamed segment goes
    // once the grace is over.
    expect(existsSync(path.join(segments, dead))).toBe(false);
    expect(existsSync(path.join(segments, inProgress))).toBe(true);
    rmSync(path.join(segments, inProgress));
    expect(live(segments).sort()).toEqual(named);
    expect(readdirSync(segments)).toContain("007.0000000000000000.json");
    removeOrphans(segments, named, Date.now() + ORPHAN_GRACE_MS - 60_000);
    expect(readdirSync(segments)).toContain("007.0000000000000000.json");
    removeOrphans(segments, named, Date.now() + ORPHAN_GRACE_MS);
    expect(readdirSync(segments).sort()).toEqual(named);
  });

  it("tells where each record's line is, read back from its segment until a write replaces it", () => {
    const { file } = store();
    const places = new Map<unknown, [string, number]>();
    const codec: RecordCodec = {
      encode: jsonCodec.encode,
      decode: (group, fields, bodies, segment, line) => {
        const record = jsonCodec.decode(group, fields, bodies, segment, line);
        places.set(record, [segment, line]);
        return record;
      },
      located: (_group, record, segment, line) => places.set(record, [segment, line]),
    };
    const written = records();
    writeSegmentStore(file, HEADER, written, undefined, identity, codec);
    const lineOf = (record: unknown): string[] | undefined => {
      const [segment, line] = places.get(record)!;
      return readSegmentLines(file, segment)?.[line];
    };
    const m5 = written["models"]!["model.m_5"];
    expect(lineOf(m5)).toEqual(["models", '"model.m_5"', JSON.stringify(m5)]);
    // Read back: the same places.
    places.clear();
    const read = readSegmentStore(file, HEADER, codec)!;
    const m5read = read.groups["models"]!["model.m_5"];
    expect(lineOf(m5read)).toEqual(["models", '"model.m_5"', JSON.stringify(m5)]);
    const [segment] = places.get(m5read)!;
    // m_5's record changed: its segment is replaced. Its old place still reads (another command
    // that read the old index reads it as it goes), until the grace is over.
    const next = records();
    next["models"]!["model.m_5"] = { id: 5, text: "select 'five'" };
    writeSegmentStore(file, HEADER, next, read, identity, codec);
    expect(readSegmentLines(file, segment)?.length).toBeGreaterThan(0);
    const kept = Object.values(readSegmentStore(file, HEADER, codec)!.segments);
    removeOrphans(path.join(path.dirname(file), "memo"), kept, Date.now() + ORPHAN_GRACE_MS);
    expect(readSegmentLines(file, segment)).toBeUndefined();
    expect(lineOf(next["models"]!["model.m_5"])?.[2]).toBe(
      JSON.stringify(next["models"]!["model.m_5"]),
    );
  });

  it.runIf(existsSync("/proc/self/fd"))(
    "keeps a descriptor open only on segments with bodies to read later",
    () => {
      const { file } = store();
      const openFds = () => readdirSync("/proc/self/fd").length;
      writeSegmentStore(file, HEADER, records(), undefined, identity);
      const before = openFds();
      expect(readSegmentStore(file, HEADER)).toBeDefined();
      expect(openFds()).toBe(before);
    },
  );

  it("keeps split fields' bodies after the lines, read when asked for, whole in a line read", () => {
    const { file, segments } = store();
    // A record's `text` goes apart: its field is the record's JSON with an empty text at `at`.
    const split: RecordCodec = {
      encode: (_group, record) => {
        const { id, text } = record as { id: number; text: string };
        const head = JSON.stringify({ id, text: "" });
        const at = head.length - 2;
        return [{ head, at, body: JSON.stringify(text).slice(1, -1) }];
      },
      decode: (_group, fields, bodies) => ({ head: fields[0], body: bodies[0] }),
    };
    const written = { models: records()["models"]! };
    written.models["model.m_7"] = { id: 7, text: "sélect\t7 ✓" };
    writeSegmentStore(file, HEADER, written, undefined, identity, split);
    const read = readSegmentStore(file, HEADER, split)!;
    const m7 = read.groups["models"]!["model.m_7"] as { head: string; body: BodyPlace };
    expect(m7.head).toBe('{"id":7,"text":""}');
    expect(readBody(m7.body)).toBe(JSON.stringify("sélect\t7 ✓").slice(1, -1));
    const [segment] = Object.values(read.segments).filter((n) =>
      n.startsWith(`${String(bucketOf("model.m_7")).padStart(3, "0")}.`),
    );
    const line = readSegmentLines(file, segment!)!.find((l) => l[1] === '"model.m_7"');
    expect(line).toEqual(["models", '"model.m_7"', JSON.stringify({ id: 7, text: "sélect\t7 ✓" })]);
    // A body whose segment this process never listed, and which is gone: a clear error.
    const gone = { ...m7.body, file: path.join(segments, "missing.json") };
    expect(() => readBody(gone)).toThrow(/changed while this command was using it/);
    // A segment whose bodies were cut short is not used.
    const bytes = readFileSync(path.join(segments, segment!));
    writeFileSync(path.join(segments, segment!), bytes.subarray(0, bytes.length - 1));
    expect(readSegmentStore(file, HEADER, split)).toBeUndefined();
    expect(readSegmentLines(file, segment!)).toBeUndefined();
  });
  it("replaces records in place: the same files as a whole write, and the segments renamed", () => {
    const split: RecordCodec = {
      encode: (_group, record) => {
        const { id, text } = record as { id: number; text: string };
        const head = JSON.stringify({ id, text: "" });
        return [{ head, at: head.length - 2, body: JSON.stringify(text).slice(1, -1) }, "x"];
      },
      decode: (_group, fields, bodies) => ({ head: fields[0], body: bodies[0] }),
    };
    const written = { models: records()["models"]!, archive: { "model.m_7": { id: 0, text: "" } } };
    written.models["model.m_7"] = { id: 7, text: "sélect\t7 ✓" };
    const edited = {
      "model.m_7": { id: 7, text: "sélect 7 -- edited ✓" },
      "model.m_500": { id: 500, text: "select 500 -- edited" },
    };
    const after: Groups = { ...written, models: { ...written["models"], ...edited } };
    const whole = store();
    writeSegmentStore(whole.file, HEADER, after, undefined, identity, split);
    const fast = store();
    writeSegmentStore(fast.file, HEADER, written, undefined, identity, split);
    const before = files(fast.segments);
    const placed: string[] = [];
    const located = {
      ...split,
      located: (_g: string, r: unknown, s: string, l: number) =>
        placed.push(`${(r as { id: number }).id}@${s}:${l}`),
    };
    const renamed = replaceSegmentRecords(fast.file, HEADER, "models", edited, located)!;
    const bytes = (dir: string) =>
      new Map(live(dir).map((f) => [f, readFileSync(path.join(dir, f), "latin1")]));
    expect(bytes(fast.segments)).toEqual(bytes(whole.segments));
    expect(readFileSync(fast.file, "latin1")).toBe(readFileSync(whole.file, "latin1"));
    // Only the two buckets were rewritten; each old name maps to its new one, lines in place.
    expect([...renamed.keys()].sort()).toEqual(
      [...before.keys()].filter((f) => !live(fast.segments).includes(f)).sort(),
    );
    expect(renamed.size).toBe(new Set(Object.keys(edited).map(bucketOf)).size);
    for (const p of placed) {
      const [, segment, line] = /@(.+):(\d+)$/.exec(p)!;
      expect([...renamed.values()]).toContain(segment);
      expect(readSegmentLines(fast.file, segment!)![Number(line)]![1]).toBe(
        JSON.stringify(p.startsWith("7@") ? "model.m_7" : "model.m_500"),
      );
    }
    expect(placed).toHaveLength(2);
    // A key the store does not hold, or another header: nothing replaced.
    expect(
      replaceSegmentRecords(
        fast.file,
        HEADER,
        "models",
        { "model.new": { id: 1, text: "" } },
        split,
      ),
    ).toBeUndefined();
    expect(
      replaceSegmentRecords(fast.file, '{"format":2}', "models", edited, split),
    ).toBeUndefined();
    expect(bytes(fast.segments)).toEqual(bytes(whole.segments));
  });
});
