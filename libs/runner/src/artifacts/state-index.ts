import { closeSync, fstatSync, openSync } from "node:fs";
import { digestOfBytes, readAt } from "./file-chunks.js";
import { utf8Text } from "./utf8-text.js";
import { wholeColumns } from "./state-nodes.js";
import type { EncodedColumns, NodeColumns, StateDigests } from "./state-nodes.js";
import { digestsText } from "./state-sidecar.js";
import type { SidecarBody } from "./state-sidecar.js";

/**
 * The state index inside a manifest.json sluice writes: what `--state` reads of each node (the
 * columns manifest.state.json holds, see state-sidecar.ts), as the last key of the manifest's
 * `selectors` (the last top-level key; dbt's v12 schema lets a selector's value be anything, and
 * sluice defines no selectors). A state whose sidecar was not copied along is then read from
 * the file's tail instead of scanning its 30,000 entries (60 MB at 10,000 models):
 *
 *     ...,"selectors":{"sluice_state_index":{"format":1,"adapter":"duckdb","count":30001,
 *     "columns":[...],"digests":{...},"digest":"<sha256 hex>","at":<byte offset of the value>}}}\n
 *
 * `digests` (optional: the rows' compile digests, see `StateDigests`) was added within format 1: a
 * reader of format 1 skips it. `digest` is the sha256 of the file's bytes before `,"digest"`: every entry, and the index's
 * own columns. A manifest edited after sluice wrote it (an entry, the index, or reformatted)
 * fails the check: `--state` warns and scans the manifest as it scans one dbt wrote.
 */
export const STATE_INDEX_KEY = "sluice_state_index";
const FORMAT = 1;
const KEY_TEXT = `${JSON.stringify(STATE_INDEX_KEY)}:`;
/** The file's end after the digest, as written. */
const TAIL = /,"digest":"([0-9a-f]{64})","at":(\d+)\}\}\}\n$/;
/** The same end in any spacing: an index there, but not as written. */
const LOOSE_TAIL = /"digest"\s*:\s*"[0-9a-f]{64}"\s*,\s*"at"\s*:\s*\d+\s*\}\s*\}\s*\}\s*$/;
/** Bytes of the file's end read to find the digest and offset. */
const TAIL_BYTES = 160;

/** What {@link appendStateIndex} writes to: a file's bytes so far, their length and sha256. */
export interface IndexedOutput {
  push(piece: string): void;
  readonly length: number;
  /** sha256 (hex) of the bytes pushed so far (the output goes on). */
  digestSoFar(): string;
}

/**
 * Push the manifest's `selectors` frame text (`"selectors":{...}`, the file's last top-level
 * key) with the state index of `body` as its last key (`columns`: the body's, see
 * `encodeColumns`). A body whose fields hold a newline (no columns) gets no index: readers
 * scan the manifest.
 */
export function appendStateIndex(
  out: IndexedOutput,
  selectorsText: string,
  body: Pick<SidecarBody, "adapter" | "digests">,
  columns: EncodedColumns | undefined,
): void {
  if (!columns || !selectorsText.endsWith("}")) return out.push(selectorsText);
  const open = selectorsText.slice(0, -1);
  out.push(`${open}${open.endsWith("{") ? "" : ","}${KEY_TEXT}`);
  const at = out.length;
  // JSON.stringify({ format, adapter, count, columns }) without its closing brace.
  out.push(
    `{"format":${FORMAT},"adapter":${JSON.stringify(body.adapter)},"count":${columns.count},"columns":${columns.json}${digestsText(body.digests)}`,
  );
  out.push(`,"digest":"${out.digestSoFar()}","at":${at}}}`);
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
    const at = Number(m[2]);
    if (at < KEY_TEXT.length || at >= end)
      return { problem: changed(file, "points outside the file") };
    if (digestOfBytes(fd, end) !== m[1])
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
      v.format === FORMAT &&
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
  const keyAt = Buffer.from(text).subarray(0, Number(m[2])).toString().length - KEY_TEXT.length;
  const before = text.slice(0, keyAt);
  return `${before.endsWith(",") ? before.slice(0, -1) : before}}}\n`;
}
