import { isAscii } from "node:buffer";
import { createHash } from "node:crypto";
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync } from "node:fs";
import path from "node:path";
import { utf8Bytes } from "@sluice/runner/reused-bytes";
import { utf8Text } from "@sluice/runner/utf8-text";
import { readHeadedFile, writeHeadedFile } from "./headed-file.js";
import { removeOrphans, SegmentGoneError } from "./segment-orphans.js";

/**
 * Records by key (a model's id, a YAML file's content key), kept in {@link BUCKETS} segment files
 * that are named by their content, so that a change rewrites only the segments holding what
 * changed, plus a small index naming the current segment of each bucket.
 *
 * Layout: `<file>` is the index, `<header>\n<JSON: bucket → segment name>`; the segments are
 * `<file without .json>/<bucket>.<sha1 of the text>.<bytes of the lines>.json`: one record a
 * line, `<group>\t<JSON of the key>\t<field>\t<field>...`, then a line
 * `.\t<number of records>`, then the bodies of the records' split fields (see
 * {@link SplitField}), one after the other, in the order of the lines. A line with split fields
 * ends with the field `~<JSON of [field, at, bytes] per split field>`. The lines are read whole
 * (their length in bytes is in the segment's name); a body only when it is asked for (see
 * {@link BodyPlace}). A segment whose size is not its lines' plus its bodies' is not used. A record's fields are the texts its {@link RecordCodec}
 * encodes it to (by default its JSON): JSON text holds no raw tab or newline. Lines are sorted by
 * group, then key (the same records give the same bytes, whichever compile wrote them). A
 * segment is written (through a temporary file) before the index that names it, and segments no
 * index names are removed after the index is written: a process killed at any point leaves an
 * index naming complete segments, or orphans the next write removes.
 *
 * @example
 * const store = readSegmentStore(file, header);          // undefined: no store, or another header
 * const next = { models: { "model.a": { ... } } };
 * writeSegmentStore(file, header, next, store, (group, a, b) => a === b);
 */

/** Segment files per store: a 10,000-model compile memo is ~200 KB a segment. */
export const BUCKETS = 256;

/** The records of a store, by group, then by key (a group with no record reads as absent). */
export type Groups = Record<string, Record<string, unknown>>;

/** A store as read: its records and the segment each bucket is held in. */
export interface SegmentStore {
  groups: Groups;
  segments: Record<string, string>;
}

/**
 * A field kept in two parts: `head` on the record's line, `body` after the segment's lines (read
 * only when asked for). The field's text is `head.slice(0, at) + body + head.slice(at)`.
 */
export interface SplitField {
  head: string;
  at: number;
  body: string;
}

/**
 * Where a split field's body is: its segment file and bytes there. Read with {@link readBody}
 * (while that segment exists: a write that replaces it removes the file).
 */
export interface BodyPlace {
  file: string;
  offset: number;
  bytes: number;
  /** Where the body goes in the field's head (see {@link SplitField}). */
  at: number;
}

/**
 * How a record is kept on its line: as one or more texts, none holding a raw tab or newline
 * (JSON texts do not). A codec lets a caller keep parts of a record as texts of their own, e.g.
 * to reuse the very text read for a part that did not change. `decode(group, encode(group, r))`
 * must equal `r`.
 */
export interface RecordCodec {
  encode(group: string, record: unknown): (string | SplitField)[];
  /**
   * `bodies[i]`: where the body of field `i` is, when it was split (`fields[i]` is its head).
   * `segment` and `line`: where the record's line is (as {@link located} tells a written one).
   */
  decode(
    group: string,
    fields: string[],
    bodies: readonly (BodyPlace | undefined)[],
    segment: string,
    line: number,
  ): unknown;
  /**
   * Told where a record's line is: `segment` (its file name) and `line` (0-based), for each
   * record written, once the index naming its segment is written (a record read is told in
   * {@link decode}). A
   * segment's name is its content's hash, so a place stays the same text for as long as the
   * file exists (see {@link readSegmentLines}).
   */
  located?(group: string, record: unknown, segment: string, line: number): void;
}

/** Each record as one JSON text. */
export const jsonCodec: RecordCodec = {
  encode: (_group, record) => [JSON.stringify(record)],
  decode: (_group, fields) => JSON.parse(fields[0]!) as unknown,
};

/** Which of {@link BUCKETS} holds `key` (FNV-1a of its UTF-16 code units). */
export function bucketOf(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % BUCKETS;
}

const segmentDir = (file: string): string => file.replace(/\.json$/, "");

/**
 * The store whose index is `file`, when its first line is `header` and every segment it names
 * reads and decodes in full (split fields' bodies left where they are: see {@link BodyPlace});
 * else undefined (the caller starts from nothing).
 */
export function readSegmentStore(
  file: string,
  header: string,
  codec: RecordCodec = jsonCodec,
): SegmentStore | undefined {
  try {
    const segments = readIndex(file, header);
    if (segments === undefined) return undefined;
    const groups: Groups = {};
    const dir = segmentDir(file);
    for (const name of Object.values(segments)) {
      const segment = readSegment(path.join(dir, name), name, false);
      if (segment === undefined) return undefined;
      segment.lines.forEach(({ fields, bodies }, i) => {
        const group = fields[0]!;
        const key = JSON.parse(fields[1]!) as string;
        (groups[group] ??= {})[key] = codec.decode(group, fields.slice(2), bodies, name, i);
      });
    }
    return { groups, segments };
  } catch {
    // Missing, torn or from another layout: nothing is reused.
    return undefined;
  }
}

/** The index `file`'s segment names by bucket, when its first line is `header`; throws if torn. */
function readIndex(file: string, header: string): Record<string, string> | undefined {
  const read = readHeadedFile(file);
  if (read === undefined || read.header !== header) return undefined;
  return JSON.parse(read.body) as Record<string, string>;
}

/**
 * One record of the store whose index is `file` (when its first line is `header`), read from
 * its bucket's segment alone (the lines; split fields' bodies left where they are, as
 * {@link readSegmentStore} leaves them): what a caller that needs a few records of a 10,000-model
 * memo reads instead of 256 segments. Undefined when the store, the segment or the record is not
 * there (or cannot be read).
 *
 * @example readSegmentRecord(memo, header, "models", "model.m_9999", modelCodec)
 */
export function readSegmentRecord(
  file: string,
  header: string,
  group: string,
  key: string,
  codec: RecordCodec = jsonCodec,
): unknown {
  try {
    const name = readIndex(file, header)?.[bucketOf(key)];
    if (name === undefined) return undefined;
    const segment = readSegment(path.join(segmentDir(file), name), name, false);
    const keyText = JSON.stringify(key);
    const i = segment?.lines.findIndex(
      ({ fields }) => fields[0] === group && fields[1] === keyText,
    );
    if (segment === undefined || i === undefined || i < 0) return undefined;
    const { fields, bodies } = segment.lines[i]!;
    return codec.decode(group, fields.slice(2), bodies, name, i);
  } catch {
    return undefined;
  }
}

/**
 * Segment files this process listed a body of, by path, each kept open for the process's life:
 * a body read later is read through the descriptor, so it is the segment's as listed even when
 * another command has since replaced the store and removed that file (a removed file's bytes
 * stay readable through a descriptor open on it). A segment's name holds its content hash: one
 * path, one content. At most a store's buckets (see {@link BUCKETS}) per store read.
 */
const openSegments = new Map<string, number>();

/**
 * The text of a split field's body (see {@link BodyPlace}), read through the descriptor kept
 * open on its segment; throws when it cannot be read (no descriptor kept, and the file is gone
 * or shorter than listed).
 */
export function readBody(place: BodyPlace): string {
  const bytes = Buffer.allocUnsafe(place.bytes);
  const kept = openSegments.get(place.file);
  try {
    const fd = kept ?? openSync(place.file, "r");
    try {
      if (readSync(fd, bytes, 0, place.bytes, place.offset) !== place.bytes)
        throw new Error("it is shorter than when it was read");
    } finally {
      if (kept === undefined) closeSync(fd);
    }
  } catch (cause) {
    throw new SegmentGoneError(
      `${place.file} changed while this command was using it (another sluice command writing ` +
        "the same target/ at the same time?): run the command again",
      { cause },
    );
  }
  return utf8Text(bytes);
}

/** A record's line as read: its fields (a split field's head) and where their bodies are. */
interface SegmentLine {
  fields: string[];
  bodies: (BodyPlace | undefined)[];
}

/** Bytes of a segment's lines, from its name (`<bucket>.<hash>.<bytes>.json`). */
const SEGMENT_NAME = /^\d+\.[0-9a-f]+\.(\d+)\.json$/;

/**
 * The lines of segment `name` at `file`, when whole (its size is its lines' and its bodies');
 * undefined when not; with the text of a body of theirs. `withBodies`: the whole file is read
 * (its bodies' texts sliced from it), else only its lines (a body is read when asked for).
 */
function readSegment(
  file: string,
  name: string,
  withBodies: boolean,
): { lines: SegmentLine[]; body: (place: BodyPlace) => string } | undefined {
  const match = SEGMENT_NAME.exec(name);
  if (match === null) return undefined;
  const headBytes = Number(match[1]);
  const read = withBodies ? wholeFile(file) : fileHead(file, headBytes);
  if (read === undefined) return undefined;
  const texts = wholeLines(read.head(headBytes));
  if (texts === undefined) return undefined;
  let offset = headBytes;
  const lines = texts.map((line): SegmentLine => {
    const fields = line.split("\t");
    const bodies: (BodyPlace | undefined)[] = [];
    if (fields[fields.length - 1]!.startsWith(SPLITS)) {
      const splits = JSON.parse(fields.pop()!.slice(SPLITS.length)) as [number, number, number][];
      for (const [field, at, bytes] of splits) {
        bodies[field] = { file, offset, bytes, at };
        offset += bytes;
      }
    }
    return { fields, bodies };
  });
  // A segment with no bodies is never read again: its descriptor is not kept.
  if (!withBodies && offset === headBytes) closeSegment(file);
  return offset === read.size ? { lines, body: read.body } : undefined;
}

/** A segment file read: its size, the text of its first bytes, and of a body. */
interface SegmentRead {
  size: number;
  head(bytes: number): string;
  body(place: BodyPlace): string;
}

/**
 * The first `headBytes` of `file` (bodies read when asked for, through a descriptor kept open:
 * see {@link openSegments}); undefined when shorter.
 */
function fileHead(file: string, headBytes: number): SegmentRead | undefined {
  const fd = openSegments.get(file) ?? openSync(file, "r");
  let read: SegmentRead | undefined;
  try {
    const size = fstatSync(fd).size;
    const bytes = Buffer.allocUnsafe(headBytes);
    if (headBytes <= size && readSync(fd, bytes, 0, headBytes, 0) === headBytes)
      read = { size, head: () => utf8Text(bytes), body: readBody };
  } finally {
    openSegments.set(file, fd);
    if (read === undefined) closeSegment(file);
  }
  return read;
}

/** Close the descriptor kept on segment `file` (see {@link openSegments}), if any. */
function closeSegment(file: string): void {
  const fd = openSegments.get(file);
  if (fd === undefined) return;
  openSegments.delete(file);
  closeSync(fd);
}

/**
 * `file` read whole. Its text, when ASCII (byte offsets are string offsets), else its bytes:
 * bodies are slices of the one text, not a string each decoded apart (the first command after a
 * compile reads every node's text this way). ASCII is decoded as Latin-1 (see utf8Text).
 */
function wholeFile(file: string): SegmentRead {
  const bytes = readFileSync(file);
  return isAscii(bytes) ? asciiRead(bytes.toString("latin1")) : bytesRead(bytes);
}

// Two functions, so that an ASCII file's closures hold its text only, not its bytes too.
const asciiRead = (text: string): SegmentRead => ({
  size: text.length,
  head: (headBytes) => text.slice(0, headBytes),
  body: (place) => text.slice(place.offset, place.offset + place.bytes),
});

const bytesRead = (bytes: Buffer): SegmentRead => ({
  size: bytes.length,
  head: (headBytes) => bytes.toString("utf8", 0, headBytes),
  body: (place) => bytes.toString("utf8", place.offset, place.offset + place.bytes),
});

/** What starts the last field of a line with split fields (no JSON text starts with it). */
const SPLITS = "~";

/**
 * Save `next` over `previous` (as {@link readSegmentStore} returned it): only the buckets where a
 * key was added or removed, or where `same(group, next, previous)` is false for a record, are
 * written again. Returns the number of segments written (0: the files were left as they were).
 */
export function writeSegmentStore(
  file: string,
  header: string,
  next: Groups,
  previous: SegmentStore | undefined,
  same: (group: string, next: unknown, previous: unknown) => boolean,
  codec: RecordCodec = jsonCodec,
): number {
  const before = previous?.groups ?? {};
  const dirty = new Set<number>();
  for (const group of new Set([...Object.keys(next), ...Object.keys(before)])) {
    const now = next[group] ?? {};
    const was = before[group] ?? {};
    for (const key of Object.keys(now))
      if (!Object.hasOwn(was, key) || !same(group, now[key], was[key])) dirty.add(bucketOf(key));
    for (const key of Object.keys(was)) if (!Object.hasOwn(now, key)) dirty.add(bucketOf(key));
  }
  const dir = segmentDir(file);
  if (previous !== undefined && dirty.size === 0) {
    // What a write killed after its index left behind goes now, or never (nothing to write).
    removeOrphans(dir, Object.values(previous.segments));
    return 0;
  }
  // Without a previous store every bucket is written (and what another layout left is removed).
  const buckets = previous === undefined ? allBuckets() : [...dirty];
  const byBucket = new Map<number, Groups>();
  for (const [group, records] of Object.entries(next))
    for (const key of Object.keys(records)) {
      const bucket = bucketOf(key);
      if (previous !== undefined && !dirty.has(bucket)) continue;
      const groups = byBucket.get(bucket) ?? byBucket.set(bucket, {}).get(bucket)!;
      (groups[group] ??= {})[key] = records[key];
    }
  mkdirSync(dir, { recursive: true });
  const segments = { ...previous?.segments };
  // Where each record written lands, told to the codec once the index names its segment.
  const placed: [string, unknown, string, number][] = [];
  for (const bucket of buckets) {
    delete segments[bucket];
    const groups = byBucket.get(bucket);
    if (groups === undefined) continue;
    const lines: [string, unknown][] = [];
    const name = writeSegment(dir, bucket, segmentText(groups, codec, lines));
    if (codec.located) lines.forEach(([group, record], i) => placed.push([group, record, name, i]));
    segments[bucket] = name;
  }
  writeIndex(file, header, segments, codec, placed);
  return buckets.filter((b) => segments[b] !== undefined).length;
}

/**
 * Write segment `bucket` of `dir`: its lines (the count line last) joined by newlines, then the
 * bodies; returns its (content) name. Never joined: each is up to a MB per segment, and a
 * joined string is that much fresh memory, dropped once written (the pieces are encoded into
 * one reused buffer to hash them, then written through the writer's).
 */
function writeSegment(
  dir: string,
  bucket: number,
  text: { lines: readonly string[]; bodies: readonly string[] },
): string {
  const head: string[] = [];
  for (const line of text.lines) head.push(line, "\n");
  head.pop();
  const hasher = createHash("sha1");
  const headBytes = utf8Bytes(head);
  const headLength = headBytes.length;
  hasher.update(headBytes);
  const hash = hasher.update(utf8Bytes(text.bodies)).digest("hex").slice(0, 16);
  const name = `${String(bucket).padStart(3, "0")}.${hash}.${headLength + 1}.json`;
  // Written even when a file of that name exists: it may be what a damaged disk left.
  writeHeadedFile(path.join(dir, name), head, text.bodies);
  return name;
}

/**
 * Write the index naming `segments`, tell the codec where each record of `placed` (group,
 * record, segment, line) landed, and remove the segments the index no longer names.
 */
function writeIndex(
  file: string,
  header: string,
  segments: Record<string, string>,
  codec: RecordCodec,
  placed: readonly [string, unknown, string, number][],
): void {
  const ordered = Object.fromEntries(
    Object.entries(segments).sort(([a], [b]) => Number(a) - Number(b)),
  );
  writeHeadedFile(file, header, JSON.stringify(ordered));
  for (const [group, record, name, line] of placed) codec.located?.(group, record, name, line);
  removeOrphans(segmentDir(file), Object.values(ordered));
}

/**
 * Replace records of `group` that the store whose index is `file` (first line `header`) holds,
 * by key, rewriting only their buckets' segments: the other lines of those segments are copied
 * as they were read (heads and bodies), not decoded. The result is the store
 * {@link writeSegmentStore} writes for the same records (the same files, byte for byte). Returns
 * each rewritten segment's old name and new one (the lines keep their numbers: a place in a
 * renamed segment is the same line and field of the new name), or undefined when the store,
 * a segment or a key is not there (nothing written then but whole segments no index names).
 */
export function replaceSegmentRecords(
  file: string,
  header: string,
  group: string,
  records: Readonly<Record<string, unknown>>,
  codec: RecordCodec = jsonCodec,
): Map<string, string> | undefined {
  let segments: Record<string, string> | undefined;
  try {
    segments = readIndex(file, header);
  } catch {
    return undefined;
  }
  if (segments === undefined) return undefined;
  const dir = segmentDir(file);
  const byBucket = new Map<number, Map<string, string>>();
  for (const key of Object.keys(records)) {
    const bucket = bucketOf(key);
    const keys = byBucket.get(bucket) ?? byBucket.set(bucket, new Map()).get(bucket)!;
    keys.set(JSON.stringify(key), key);
  }
  const renamed = new Map<string, string>();
  const next = { ...segments };
  const placed: [string, unknown, string, number][] = [];
  for (const [bucket, keys] of byBucket) {
    const name = segments[bucket];
    let read: ReturnType<typeof readSegment>;
    try {
      read = name === undefined ? undefined : readSegment(path.join(dir, name), name, true);
    } catch {
      return undefined;
    }
    if (read === undefined) return undefined;
    const lines: string[] = [];
    const bodies: string[] = [];
    const mine: [unknown, number][] = [];
    read.lines.forEach(({ fields, bodies: places }, i) => {
      const key = fields[0] === group ? keys.get(fields[1]!) : undefined;
      let out: (string | SplitField)[];
      if (key === undefined)
        out = fields.slice(2).map((head, j) => {
          const place = places[j];
          return place === undefined ? head : { head, at: place.at, body: read.body(place) };
        });
      else {
        out = codec.encode(group, records[key]);
        mine.push([records[key], i]);
        keys.delete(fields[1]!);
      }
      lines.push(recordLine(fields[0]!, fields[1]!, out, bodies));
    });
    if (keys.size > 0) return undefined;
    lines.push(`.\t${lines.length}`);
    const written = writeSegment(dir, bucket, { lines, bodies });
    mine.forEach(([record, line]) => placed.push([group, record, written, line]));
    next[bucket] = written;
    renamed.set(name!, written);
  }
  writeIndex(file, header, next, codec, placed);
  return renamed;
}

/**
 * The record lines of a segment's text, when whole: `<records>\n.\t<count>\n` (a segment cut
 * short or damaged is not used).
 */
function wholeLines(text: string): string[] | undefined {
  const lines = text.split("\n");
  // The last piece is empty, the one before it the count.
  const count = lines.length - 2;
  if (count < 0 || lines[count] !== `.\t${count}` || lines[count + 1] !== "") return undefined;
  lines.length = count;
  return lines;
}

/**
 * The fields of the segment `name` of the store whose index is `file`, by line and field (group,
 * key, the codec's texts; a split field whole), as {@link RecordCodec.decode} and
 * {@link RecordCodec.located} place them; undefined when the segment is gone (replaced by a
 * later write) or not whole. A split field's text is put together when asked for (the segment's
 * bytes are kept, not every field's whole text).
 */
export function readSegmentFields(
  file: string,
  name: string,
): ((line: number, field: number) => string | undefined) | undefined {
  return wholeSegment(file, name)?.fieldOf;
}

/** Every line of {@link readSegmentFields}, each as its fields. */
export function readSegmentLines(file: string, name: string): string[][] | undefined {
  const read = wholeSegment(file, name);
  return read?.lines.map(({ fields }, line) => fields.map((_, i) => read.fieldOf(line, i)!));
}

function wholeSegment(
  file: string,
  name: string,
):
  | { lines: SegmentLine[]; fieldOf: (line: number, field: number) => string | undefined }
  | undefined {
  let read: ReturnType<typeof readSegment>;
  try {
    read = readSegment(path.join(segmentDir(file), name), name, true);
  } catch {
    return undefined;
  }
  if (read === undefined) return undefined;
  const { lines, body } = read;
  const fieldOf = (line: number, field: number): string | undefined => {
    const { fields, bodies } = lines[line] ?? { fields: [], bodies: [] };
    const text = fields[field];
    const place = field < 2 ? undefined : bodies[field - 2];
    if (text === undefined || place === undefined) return text;
    return text.slice(0, place.at) + body(place) + text.slice(place.at);
  };
  return { lines, fieldOf };
}

const allBuckets = (): number[] => Array.from({ length: BUCKETS }, (_, i) => i);

/**
 * A segment's lines (each without its newline): one line per record, sorted, then the count;
 * and the bodies of their split fields, in the lines' order. `order` gets each record (with its
 * group) in its line's order.
 */
function segmentText(
  groups: Groups,
  codec: RecordCodec,
  order: [string, unknown][],
): { lines: string[]; bodies: string[] } {
  const lines: string[] = [];
  const bodies: string[] = [];
  for (const group of Object.keys(groups).sort()) {
    const records = groups[group]!;
    for (const key of Object.keys(records).sort()) {
      const fields = codec.encode(group, records[key]);
      lines.push(recordLine(group, JSON.stringify(key), fields, bodies));
      order.push([group, records[key]]);
    }
  }
  lines.push(`.\t${lines.length}`);
  return { lines, bodies };
}

/** A record's line (without its newline); its split fields' bodies are added to `bodies`. */
function recordLine(
  group: string,
  keyText: string,
  fields: readonly (string | SplitField)[],
  bodies: string[],
): string {
  const splits: [number, number, number][] = [];
  const texts = fields.map((field, i) => {
    if (typeof field === "string") return field;
    splits.push([i, field.at, Buffer.byteLength(field.body)]);
    bodies.push(field.body);
    return field.head;
  });
  if (splits.length > 0) texts.push(`${SPLITS}${JSON.stringify(splits)}`);
  return [group, keyText, ...texts].join("\t");
}
