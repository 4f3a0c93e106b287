import { checksumsKey } from "@sluice/compiler/run-time";
import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import type { ByteAssembly, KnownRange } from "./byte-assembly.js";
import {
  alignedNodes,
  columnBytes,
  plainField,
  reachedPositions,
  replaceLines,
  splicedColumns,
} from "./manifest-edit.js";
import type { ColumnBytes } from "./manifest-edit.js";
import type { ManifestEntry } from "./dbt-manifest.js";
import type { IndexEntries, ManifestIndex, Previous } from "./manifest-index.js";
import { builtEntry, entriesPerRange } from "./manifest-sections.js";
import type { EntryBuilder, Sections } from "./manifest-sections.js";
import { columnRows, encodeColumns, wholeDigests } from "./state-nodes.js";
import type { NodeColumns, StateDigests } from "./state-nodes.js";
import { nodeRow } from "./state-sidecar.js";
import type { NodeRow, SidecarValue } from "./state-sidecar.js";

/**
 * The manifest writer's one-edit path (see `writeManifest`'s `source.edits`): the nodes the
 * edits reach keyed again, the previous file's entries matched to the nodes by position, runs
 * of them copied as bytes, the sidecar's columns spliced (the helpers are in manifest-edit.ts).
 */

/** What the one-edit path keyed: see {@link editedKeys}. */
export interface EditedKeys {
  /** The nodes in the previous entries' order (see `alignedNodes`). */
  order: CompiledNode[];
  /** Positions in `order` of the nodes keyed again (see `reachedPositions`), ascending. */
  reached: number[];
  /** Their keys, by node id. */
  keys: Map<string, string>;
  /** Ids of those whose key changed: their entries are built. */
  stale: Set<string>;
}

/**
 * The one-edit path's keys (see `writeManifest`'s `source`): when the nodes are the entries of
 * `index` in order, only the nodes `edited` (the edits `source` claims of the compile `index` was
 * written from: see `claimedEdits`) reach are keyed (`keyed`); the others keep the index's keys
 * by position. Undefined otherwise.
 */
export function editedKeys(
  index: ManifestIndex,
  compiled: CompiledProject,
  edited: ReadonlySet<string>,
  keyed: (nodes: readonly CompiledNode[]) => Map<string, string>,
): EditedKeys | undefined {
  const order = alignedNodes(index.entries.ids, compiled.nodes);
  if (!order) return undefined;
  const reached = reachedPositions(order, index.entries.ids, edited);
  const keys = keyed(reached.map((i) => order[i]!));
  const stale = new Set<string>();
  for (const i of reached)
    if (keys.get(order[i]!.id) !== index.entries.keys[i]) stale.add(order[i]!.id);
  return { order, reached, keys, stale };
}

/**
 * The previous sidecar when the one-edit path can splice it (see {@link ColumnBytes}): columns
 * written plain (its index says so) of as many rows as entries, and when `withDigests`, compile
 * digests of this build's key (see `StateDigests`).
 */
export function editableSidecar(
  found: Previous,
  withDigests: boolean,
): { columns: ColumnBytes; digests?: StateDigests } | undefined {
  if (found.index.plainColumns !== true) return undefined;
  const count = found.index.entries.ids.length;
  const columns = columnBytes(found.sidecar.bytes, found.sidecar.valueAt, count);
  if (!columns) return undefined;
  // `}`, or the digests and `}`.
  const rest = found.sidecar.bytes.toString("utf8", columns.rest);
  let digests: StateDigests | undefined;
  try {
    digests = rest === "}" ? undefined : (JSON.parse(`{${rest.slice(1)}`) as SidecarValue).digests;
  } catch {
    return undefined;
  }
  if (!withDigests) return { columns };
  return digests && digests.key === checksumsKey() && wholeDigests(digests, count)
    ? { columns, digests }
    : undefined;
}

/**
 * The sections of the one-edit path (see {@link editedKeys}): the stale entries built, and the
 * runs of entries between them copied from the previous file (`source`) as one piece each, by
 * position; rows and compile digests are the previous sidecar's (`before`) with those of the
 * stale entries (rows) and of the reached nodes (digests) replaced.
 */
export function editedSections(
  edit: EditedKeys,
  index: ManifestIndex,
  before: { columns: ColumnBytes; digests?: StateDigests },
  out: ByteAssembly,
  previous: { fd: number; knownRange: KnownRange },
  uid: (n: CompiledNode) => string,
  recorded: ReadonlyMap<string, string> | undefined,
  buildEntries: EntryBuilder,
): Sections {
  const { order, reached, keys, stale } = edit;
  const was = index.entries;
  const entries: IndexEntries = {
    ids: was.ids,
    keys: was.keys.slice(),
    starts: was.starts.slice(),
    lengths: was.lengths.slice(),
  };
  for (const i of reached) entries.keys[i] = keys.get(order[i]!.id)!;
  const rows = new Map<number, NodeRow>();
  const sourcesFrom = order.findIndex((n) => n.kind === "source");
  const split = sourcesFrom < 0 ? order.length : sourcesFrom;
  const bounds = { nodes: [0, split], sources: [split, order.length] } as const;
  const write = (name: ManifestEntry["section"]) => {
    const [first, end] = bounds[name];
    if (first === end) return out.push("{}");
    const perRange = entriesPerRange(end - first);
    // Where each range of the digest starts and ends (see allSections: the same cuts).
    const rangeStarts = (i: number) => (i - first) % perRange === 0;
    const rangeEnd = (i: number) => Math.min(end, i + perRange - ((i - first) % perRange));
    const built: number[] = [];
    for (const i of reached) if (i >= first && i < end && stale.has(order[i]!.id)) built.push(i);
    const fresh = buildEntries(new Set(built.map((i) => order[i]!.id)));
    out.push("{");
    const separator = (i: number) => `${i === first ? "" : ","}${JSON.stringify(uid(order[i]!))}:`;
    let from = first;
    // Entries [from, to) copied, a piece per range: a whole range as its bytes and known digest
    // (see ByteAssembly.copyRange), else with its separator hashed; each entry moves by as much
    // as its piece.
    const copyTo = (to: number) => {
      while (from < to) {
        if (rangeStarts(from)) out.cut();
        const stop = Math.min(to, rangeEnd(from));
        const head = separator(from);
        const bytesFrom = was.starts[from]! - Buffer.byteLength(head);
        const bytesTo = was.starts[stop - 1]! + was.lengths[stop - 1]!;
        const lands = out.length;
        const known =
          rangeStarts(from) && stop === rangeEnd(from)
            ? previous.knownRange(bytesFrom, bytesTo - bytesFrom)
            : undefined;
        if (known) out.copyRange(previous.fd, bytesFrom, bytesTo, known);
        else {
          out.push(head);
          out.copy(previous.fd, was.starts[from]!, bytesTo);
        }
        for (let i = from; i < stop; i++) entries.starts[i] = was.starts[i]! + lands - bytesFrom;
        from = stop;
      }
    };
    for (const i of built) {
      copyTo(i);
      if (rangeStarts(i)) out.cut();
      out.push(separator(i));
      const start = out.length;
      rows.set(i, nodeRow(order[i]!.id, builtEntry(out, fresh, uid(order[i]!))));
      entries.starts[i] = start;
      entries.lengths[i] = out.length - start;
      from = i + 1;
    }
    copyTo(end);
    out.cut();
    out.push("}");
  };
  const state = (key: string | undefined) => {
    const digests =
      recorded && key !== undefined && before.digests
        ? {
            key,
            column: replaceLines(
              before.digests.column,
              before.columns.count,
              new Map(reached.map((i) => [i, recorded.get(order[i]!.id) ?? ""])),
            ),
          }
        : undefined;
    const withDigests = digests ? { digests } : {};
    const { count } = before.columns;
    if ([...rows.values()].every((row) => row.every(plainField))) {
      const json = splicedColumns(before.columns, rows);
      return { rows: [], columns: { count, json, plain: true }, ...withDigests };
    }
    // A field to escape (or holding a newline): the rows parsed, and encoded as the full path
    // encodes them.
    const { bytes, valueAt } = before.columns;
    const all = columnRows(JSON.parse(bytes.toString("utf8", valueAt)) as NodeColumns);
    for (const [i, row] of rows) all[i] = row;
    return { rows: all, columns: encodeColumns(all), ...withDigests };
  };
  return { write, state, entries, built: () => rows.size };
}
