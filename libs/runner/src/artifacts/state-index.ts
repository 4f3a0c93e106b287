import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync } from "node:fs";
import { digestOfBytes, readAt } from "./file-chunks.js";
import { utf8Text } from "./utf8-text.js";
import { digestsText, wholeColumns } from "./state-nodes.js";
import type { EncodedColumns, NodeColumns, StateDigests } from "./state-nodes.js";
import type { SidecarBody } from "./state-sidecar.js";

/**
 * The state index inside a manifest.json sluice writes: what `--state` reads of each node (the
 * columns manifest.state.json holds, see state-sidecar.ts), as the last key of the manifest's
 * `selectors` (the last top-level key; dbt's v12 schema lets a selector's value be anything, and
 * sluice defines no selectors). A state whose sidecar was not copied along is then read from
 * the file's tail instead of scanning its 30,000 entries (60 MB at 10,000 models):
 *
 *     ...,"selectors":{"sluice_state_index":{"format":2,"adapter":"duckdb","count":30001,
 *     "columns":[...],"digests":{...},"ranges":[<byte lengths>],"digest":"<sha256 hex>",
 *     "at":<byte offset of the value>}}}\n
 *
 * `digests` (optional: the rows' compile digests, see `StateDigests`) was added within format 1: a
 * reader skips it. `digest` covers the file's bytes before `,"ranges"` (every entry, and the
 * index's own columns), cut in `ranges` (lengths, in order): it is the sha256 of one line
 * `<length> <sha256 hex of the range>\n` per range (see {@link rangesDigest}). The writer cuts
 * the file where an edit of one entry leaves the other ranges' bytes as they were (see
 * byte-assembly.ts), so a one-model change hashes a few ranges, not 60 MB. Format 1 (no
 * `ranges`: `digest` the sha256 of the bytes before `,"digest"`) is still read. A manifest edited
 * after sluice wrote it (an entry, the index, or reformatted) fails the check: `--state` warns
 * and scans the manifest as it scans one dbt wrote.
 */
export const STATE_INDEX_KEY = "sluice_state_index";
const FORMAT = 2;
/** The formats read: 1 had no `ranges`. */
const READ_FORMATS: readonly number[] = [1, 2];
const KEY_TEXT = `${JSON.stringify(STATE_INDEX_KEY)}:`;
/** The file's end from the digest's ranges (format 2) or the digest (1), as written. */
const TAIL = /(?:,"ranges":\[([\d,]*)\])?,"digest":"([0-9a-f]{64})","at":(\d+)\}\}\}\n$/;
/** The same end in any spacing: an index there, but not as written. */
const LOOSE_TAIL = /"digest"\s*:\s*"[0-9a-f]{64}"\s*,\s*"at"\s*:\s*\d+\s*\}\s*\}\s*\}\s*$/;
/**
 * Bytes of the file's end read to find the digest, its ranges and the offset: the writer cuts
 * at most ~256 ranges per section (see `entriesPerRange` in manifest-sections.ts), a few KB of lengths.
 */
const TAIL_BYTES = 1 << 16;

/**
 * What {@link appendStateIndex} writes to: a file's bytes so far, their length, and their
 * digest by ranges (see the file comment).
 */
export interface IndexedOutput {
  push(piece: string | Buffer): void;
  readonly length: number;
  /** The bytes pushed so far, cut in ranges: their lengths and {@link rangesDigest}. */
  rangesSoFar(): { lengths: number[]; digest: string };
}

/**
 * The digest of a file's bytes cut in ranges (see the file comment): `ranges` holds each
 * range's length and sha256 (hex), in order.
 *
 * @example rangesDigest([[3, sha256("abc")], [2, sha256("de")]])
 */
export function rangesDigest(ranges: Iterable<readonly [number, string]>): string {
  const h = createHash("sha256");
  for (const [length, digest] of ranges) h.update(`${length} ${digest}\n`);
  return h.digest("hex");
}

/**
 * Push the manifest's `selectors` frame text (`"selectors":{...}`, the file's last top-level
 * key) with the state index of `body` as its last key (`columns`: the body's, see
 * `encodeColumns`); returns the index's digest. A body whose fields hold a newline (no columns)
 * gets no index (undefined returned): readers scan the manifest.
 */
export function appendStateIndex(
  out: IndexedOutput,
  selectorsText: string,
  body: Pick<SidecarBody, "adapter" | "digests">,
  columns: EncodedColumns | undefined,
): string | undefined {
  if (!columns || !selectorsText.endsWith("}")) {
    out.push(selectorsText);
    return undefined;
  }
  const open = selectorsText.slice(0, -1);
  out.push(`${open}${open.endsWith("{") ? "" : ","}${KEY_TEXT}`);
  const at = out.length;
  // JSON.stringify({ format, adapter, count, columns }) without its closing brace.
  out.push(
    `{"format":${FORMAT},"adapter":${JSON.stringify(body.adapter)},"count":${columns.count},"columns":`,
  );
  for (const piece of columns.json) out.push(piece);
  out.push(digestsText(body.digests));
  const { lengths, digest } = out.rangesSoFar();
  out.push(`,"ranges":[${lengths.join(",")}],"digest":"${digest}","at":${at}}}`);
  return digest;
}

/** An index read: its columns, or why the index there cannot be used. */
export type IndexRead =
  { value: { adapter: string; digests?: StateDigests } & NodeColumns } | { problem: string };

/**
 * The state index of `file` (see the file comment): undefined when the file has none (written
 * by dbt or an older sluice; unreadable files are left to the caller's own read), its columns
 * when it checks out, else the problem (the caller warns and scans).
 *
 * @example readStateIndex("prod-artifacts/manifest.json") // { value: { adapter, count, columns } }
 */
export function readStateIndex(file: string): IndexRead | undefined {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    const tailStart = Math.max(0, size - TAIL_BYTES);
    const tail = readAt(fd, tailStart, size - tailStart).toString("latin1");
    const m = TAIL.exec(tail);
    if (!m)
      return LOOSE_TAIL.test(tail)
        ? { problem: changed(file, "is not as sluice wrote it") }
        : undefined;
    const end = tailStart + m.index;
    const at = Number(m[3]);
    if (at < KEY_TEXT.length || at >= end)
      return { problem: changed(file, "points outside the file") };
    if (tailDigest(fd, end, m[1]) !== m[2])
      return { problem: changed(file, "does not match the file") };
    const key = readAt(fd, at - KEY_TEXT.length, KEY_TEXT.length).toString("latin1");
    const text = utf8Text(readAt(fd, at, end - at));
    const value = key === KEY_TEXT ? parsed(`${text}}`) : undefined;
    if (!value) return { problem: changed(file, "does not hold whole columns") };
    const { adapter, count, columns, digests } = value;
    return { value: { adapter, count, columns, ...(digests ? { digests } : {}) } };
  } catch (err) {
    return { problem: changed(file, `cannot be read (${(err as Error).message})`) };
  } finally {
    closeSync(fd);
  }
}

/** The index value of `text`, when of this format with 7 columns of `count` lines each. */
function parsed(
  text: string,
): ({ adapter: string; digests?: StateDigests } & NodeColumns) | undefined {
  try {
    const v = JSON.parse(text) as Partial<
      { format: number; adapter: string; digests: StateDigests } & NodeColumns
    >;
    const ok =
      READ_FORMATS.includes(v.format!) &&
      typeof v.adapter === "string" &&
      Number.isInteger(v.count) &&
      Array.isArray(v.columns) &&
      v.columns.length === 7 &&
      wholeColumns(v as NodeColumns);
    return ok ? (v as { adapter: string; digests?: StateDigests } & NodeColumns) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The digest of the file's first `end` bytes as an index's tail names it: by `ranges` (their
 * lengths, comma-separated, format 2) or whole (format 1, `ranges` undefined); undefined when
 * the ranges do not cover exactly those bytes.
 */
function tailDigest(fd: number, end: number, ranges: string | undefined): string | undefined {
  if (ranges === undefined) return digestOfBytes(fd, end);
  const lengths = ranges === "" ? [] : ranges.split(",").map(Number);
  if (lengths.reduce((a, b) => a + b, 0) !== end) return undefined;
  let from = 0;
  return rangesDigest(
    lengths.map((length) => {
      const digest = digestOfBytes(fd, length, from);
      from += length;
      return [length, digest] as const;
    }),
  );
}

/**
 * The digest a state sidecar names its manifest by (see state-sidecar.ts): that of the
 * manifest's state index when it has one of format 2, computed from the file (see
 * {@link tailDigest}; undefined when its ranges do not cover the file), else the sha256 of the
 * whole file. Undefined when the file cannot be read.
 */
export function manifestDigest(file: string): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, "r");
    const size = fstatSync(fd).size;
    const tailStart = Math.max(0, size - TAIL_BYTES);
    const m = TAIL.exec(readAt(fd, tailStart, size - tailStart).toString("latin1"));
    return m?.[1] === undefined
      ? digestOfBytes(fd, size)
      : tailDigest(fd, tailStart + m.index, m[1]);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

const changed = (file: string, why: string): string =>
  `${file}: its state index (selectors.${STATE_INDEX_KEY}) ${why}: the manifest was changed ` +
  "after sluice wrote it; reading every entry instead (slower). Copy the manifest as sluice " +
  "wrote it (with manifest.state.json beside it) to read it fast";

/**
 * `text` (a manifest sluice wrote) without its state index: the manifest as it was before
 * sluice kept one there, as dbt's tools read it.
 */
export function withoutStateIndex(text: string): string {
  const m = TAIL.exec(text);
  if (!m) return text;
  const keyAt = Buffer.from(text).subarray(0, Number(m[3])).toString().length - KEY_TEXT.length;
  const before = text.slice(0, keyAt);
  return `${before.endsWith(",") ? before.slice(0, -1) : before}}}\n`;
}
