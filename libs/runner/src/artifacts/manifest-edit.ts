import type { CompiledNode } from "@sluice/compiler";

/**
 * The manifest writer's one-edit path (see `writeManifest`'s `source.edits`): what it needs of
 * the 30,000 nodes at 10,000 models without a map or a string hash per node. A `Map`/`Set`
 * lookup by a node's id or path hashes a string the compile memo just parsed (never hashed
 * before), so a scan keyed by id over every node cost a few percent of a one-model-changed
 * compile; here the previous manifest's entries are matched by position and the edited nodes
 * (a handful) by comparison. And the previous sidecar's columns, spliced as bytes (6 MB at
 * 10,000 models, decoded, parsed and serialized again they were ~3% of that compile).
 */

/**
 * `nodes` in the order of the previous manifest's entries (`ids`: its index's, the `nodes`
 * section's then the `sources` section's), or undefined when they are not the same ids in the
 * same order (another selection or graph: the slow path keys every node).
 *
 * @example alignedNodes(["model.a", "source.raw.e"], compiled.nodes) // [a, e] or undefined
 */
export function alignedNodes(
  ids: readonly string[],
  nodes: readonly CompiledNode[],
): CompiledNode[] | undefined {
  if (ids.length !== nodes.length) return undefined;
  const order: CompiledNode[] = [];
  const sources: CompiledNode[] = [];
  for (const n of nodes) (n.kind === "source" ? sources : order).push(n);
  order.push(...sources);
  for (let i = 0; i < order.length; i++) if (order[i]!.id !== ids[i]) return undefined;
  return order;
}

/**
 * Whether an edit of `edited`'s SQL can reach a node (its key is hashed again, see
 * `reusableKeys` in manifest-keys.ts): the node is edited, rendered again at run time, from an
 * edited node's file (`editedPaths`), or reads an edited node.
 */
export function reachedBy(
  edited: Iterable<string>,
  editedPaths: Iterable<string>,
): (n: CompiledNode) => boolean {
  const isEdited = among(edited);
  const isEditedPath = among(editedPaths);
  return (n) => {
    if (n.renderAtRun === true || isEdited(n.id) || isEditedPath(n.path)) return true;
    for (const d of n.dependsOn) if (isEdited(d)) return true;
    return false;
  };
}

/**
 * The positions in `order` (aligned with `ids`, see {@link alignedNodes}) of the nodes
 * {@link reachedBy} `edited`, ascending: the edited nodes found among `ids`, then one pass over
 * the nodes.
 */
export function reachedPositions(
  order: readonly CompiledNode[],
  ids: readonly string[],
  edited: ReadonlySet<string>,
): number[] {
  const isEdited = among(edited);
  const paths: string[] = [];
  ids.forEach((id, i) => {
    if (isEdited(id)) paths.push(order[i]!.path);
  });
  const reached = reachedBy(edited, paths);
  const positions: number[] = [];
  for (let i = 0; i < order.length; i++) if (reached(order[i]!)) positions.push(i);
  return positions;
}

/**
 * Membership in `few`: compared one by one while they are few (no string is hashed: the ids
 * and paths of nodes the compile memo just parsed never were), else a Set.
 */
function among(few: Iterable<string>): (value: string) => boolean {
  const list = [...few];
  if (list.length > 8) {
    const set = new Set(list);
    return (value) => set.has(value);
  }
  return (value) => {
    for (let k = 0; k < list.length; k++) if (list[k] === value) return true;
    return false;
  };
}

/**
 * What {@link lineSpans} searches: a string (positions are characters) or bytes (positions are
 * bytes, an ASCII separator searched for as its bytes: no byte of a multi-byte UTF-8 character
 * is ASCII).
 */
type Searched = Pick<string, "length"> & {
  indexOf(search: string, from: number): number;
  lastIndexOf(search: string, from: number): number;
};

/**
 * Where lines `wanted` of the `count` lines joined by `separator` in `text`'s characters (or
 * bytes) [`from`, `to`) sit, each [start, end): found by `indexOf` from the start, or by
 * `lastIndexOf` from the end when nearer it, none split (a one-model change replaces a line or
 * two of 30,000). The text must hold `count` lines (see `wholeColumns`); throws when a line is
 * not there.
 *
 * @example lineSpans("a\nbc\nd", 3, [1]) // Map { 1 => [2, 4] }
 */
export function lineSpans(
  text: Searched,
  count: number,
  wanted: Iterable<number>,
  separator = "\n",
  from = 0,
  to = text.length,
): Map<number, [number, number]> {
  const width = separator.length;
  const missing = (i: number) => new Error(`no line ${i} in a column of ${count}`);
  const next = (at: number) => {
    const found = text.indexOf(separator, at);
    return found < 0 || found + width > to ? -1 : found;
  };
  // The last separator ending at or before `before`.
  const last = (before: number) => {
    const found = before - width < from ? -1 : text.lastIndexOf(separator, before - width);
    return found < from ? -1 : found;
  };
  const at = [...wanted].sort((a, b) => a - b);
  const spans = new Map<number, [number, number]>();
  let line = 0;
  let start = from;
  for (const i of at.filter((i) => i < count / 2)) {
    for (; line < i; line++) {
      const found = next(start);
      if (found < 0) throw missing(i);
      start = found + width;
    }
    const end = next(start);
    spans.set(i, [start, end < 0 ? to : end]);
  }
  line = count - 1;
  let end = to;
  for (const i of at.filter((i) => i >= count / 2).reverse()) {
    if (i >= count) throw missing(i);
    for (; line > i; line--) {
      const found = last(end);
      if (found < 0) throw missing(i);
      end = found;
    }
    const found = last(end);
    spans.set(i, [found < 0 ? from : found + width, end]);
  }
  return spans;
}

/**
 * `column` (`count` lines joined by `\n`) with line `i` replaced by `lines.get(i)` for each `i`
 * given (see {@link lineSpans}).
 *
 * @example replaceLines("a\nb\nc", 3, new Map([[1, "B"]])) // "a\nB\nc"
 */
export function replaceLines(
  column: string,
  count: number,
  lines: ReadonlyMap<number, string>,
): string {
  const spans = lineSpans(column, count, lines.keys());
  let out = "";
  let from = 0;
  for (const [i, [lineStart, lineEnd]] of [...spans].sort(([a], [b]) => a - b)) {
    out += column.slice(from, lineStart) + lines.get(i)!;
    from = lineEnd;
  }
  return out + column.slice(from);
}

/**
 * A state sidecar's value (`{"adapter":…,"count":…,"columns":["…",…]…}`, see state-sidecar.ts)
 * as its bytes, with where each column's text sits: read for {@link splicedColumns}, without
 * decoding or parsing its megabytes (the ASCII searched for is searched as bytes: no byte of a
 * multi-byte UTF-8 character is ASCII, so it is never found inside one).
 */
export interface ColumnBytes {
  bytes: Buffer;
  /** Where the value starts in `bytes`. */
  valueAt: number;
  count: number;
  /** Each column's text (between its quotes): [start, end) bytes. */
  spans: [number, number][];
  /** The bytes after the columns' closing bracket: the digests, if any, then `}`. */
  rest: number;
}

/**
 * The columns of the sidecar value in `bytes` from `valueAt` (see {@link ColumnBytes}), when it
 * holds 7 columns of `count` rows and its writer said they are plain (see `EncodedColumns`:
 * then no `"` is escaped inside a column, and `","` only separates them); else undefined.
 */
export function columnBytes(
  bytes: Buffer,
  valueAt: number,
  count: number,
): ColumnBytes | undefined {
  // The head is ASCII: its Latin-1 characters are its bytes (a prefix is enough to match it).
  const head = /\{"adapter":"[a-z]*","count":(\d+),"columns":\["/y;
  const m = head.exec(bytes.toString("latin1", valueAt, valueAt + 256));
  if (!m || Number(m[1]) !== count) return undefined;
  const spans: [number, number][] = [];
  let at = valueAt + head.lastIndex;
  for (let k = 0; k < 7; k++) {
    const end = bytes.indexOf(k < 6 ? '","' : '"]', at);
    if (end < 0) return undefined;
    spans.push([at, end]);
    at = end + (k < 6 ? 3 : 2);
  }
  return { bytes, valueAt, count, spans, rest: at };
}

/**
 * The JSON of `columns`' columns (UTF-8, as pieces in order: mostly `columns`' own bytes) with
 * the rows `rows` (their fields, plain: see `EncodedColumns`) in place of those there.
 */
export function splicedColumns(
  columns: ColumnBytes,
  rows: ReadonlyMap<number, readonly string[]>,
): Buffer[] {
  const pieces: Buffer[] = [Buffer.from("[")];
  columns.spans.forEach(([from, to], k) => {
    pieces.push(Buffer.from(k === 0 ? '"' : ',"'));
    const spans = lineSpans(columns.bytes, columns.count, rows.keys(), "\\n", from, to);
    let at = from;
    for (const [i, [lineStart, lineEnd]] of [...spans].sort(([a], [b]) => a - b)) {
      pieces.push(columns.bytes.subarray(at, lineStart), Buffer.from(rows.get(i)![k]!));
      at = lineEnd;
    }
    pieces.push(columns.bytes.subarray(at, to), Buffer.from('"'));
  });
  pieces.push(Buffer.from("]"));
  return pieces;
}

/** Whether `field` is written in JSON as it is (no escape), and holds no newline. */
export const plainField = (field: string): boolean =>
  JSON.stringify(field).length === field.length + 2;
