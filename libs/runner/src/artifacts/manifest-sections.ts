// The `nodes` and `sources` sections of manifest.json with every node visited: stale entries
// built, the others copied from the previous file (the one-edit path: manifest-edit-sections.ts).
import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import { CopyRun } from "./byte-assembly.js";
import type { ByteAssembly } from "./byte-assembly.js";
import type { ManifestEntry } from "./dbt-manifest.js";
import type { IndexEntries, ManifestIndex } from "./manifest-index.js";
import { manifestStateNode } from "./read-state.js";
import type { ManifestNode, StateNode } from "./read-state.js";
import { encodeColumns } from "./state-nodes.js";
import type { EncodedColumns, StateDigests } from "./state-nodes.js";
import { nodeRow } from "./state-sidecar.js";
import type { NodeRow, SidecarBody } from "./state-sidecar.js";

/** Each section's entries written, and then the rows' state (see {@link Sections}). */
export interface Sections {
  /** Write the entries of `name` (`{...}`) to the output. */
  write(name: ManifestEntry["section"]): void;
  /**
   * The rows of the entries written (`rows`: read only when `columns` is undefined, a field
   * holding a newline), their columns, and their compile digests under `key` when recorded.
   */
  state(key: string | undefined): {
    rows: NodeRow[];
    columns: EncodedColumns | undefined;
    digests?: StateDigests;
  };
  /** The index's entries, once both sections are written. */
  entries: IndexEntries;
  built(): number;
}

/** Builds a section's stale entries, in the section's order. */
export type EntryBuilder = (ids: ReadonlySet<string>) => Generator<ManifestEntry>;

/**
 * The sections with every node visited (see {@link writeManifest}): stale entries built, the
 * others copied from `previous` (runs of them as one piece), rows taken from `previousBody`.
 */
export function allSections(
  all: { at: ReadonlyMap<string, number>; keys: ReadonlyMap<string, string> },
  compiled: CompiledProject,
  previous: { index: ManifestIndex; fd: number } | undefined,
  previousBody: SidecarBody | undefined,
  out: ByteAssembly,
  uid: (n: CompiledNode) => string,
  recorded: ReadonlyMap<string, string> | undefined,
  stale: ReadonlySet<string>,
  buildEntries: EntryBuilder,
): Sections {
  const { at, keys } = all;
  // The previous sidecar's rows are in its manifest's entry order: a row is found by the entry's
  // position (a map by id only for a sidecar that is not in that order).
  const previousRows = previousBody?.nodes;
  let rowsById: Map<string, NodeRow> | undefined;
  const previousRow = (slot: number, id: string): NodeRow => {
    const row = previousRows![slot];
    if (row?.[0] === id) return row;
    rowsById ??= new Map(previousRows!.map((r) => [r[0], r]));
    return rowsById.get(id)!;
  };
  const rows: NodeRow[] = [];
  // Each row's compile digest, when the nodes are as compiled (see `StateDigests`).
  const rowDigests: string[] | undefined = recorded && [];
  const entries: IndexEntries = { ids: [], keys: [], starts: [], lengths: [] };
  const entry = (id: string, key: string, start: number, length: number): void => {
    entries.ids.push(id);
    entries.keys.push(key);
    entries.starts.push(start);
    entries.lengths.push(length);
  };
  let built = 0;
  const write = (name: ManifestEntry["section"]) => {
    const nodes = compiled.nodes.filter((n) => (n.kind === "source") === (name === "sources"));
    if (nodes.length === 0) return out.push("{}");
    // Stale entries are built in the section's order and written as they come: no entry's
    // object or text outlives its turn (at 10,000 models, all of them held was the peak memory).
    const fresh = buildEntries(new Set(nodes.filter((n) => stale.has(n.id)).map((n) => n.id)));
    // Copied entries that followed each other in the previous file, with the same separator
    // between them, are copied as one run of bytes: at 10,000 models, one piece per entry and
    // separator was 60,000 pieces to assemble for a one-model change.
    const copies = new CopyRun(previous?.fd);
    const perRange = entriesPerRange(nodes.length);
    out.push("{");
    nodes.forEach((n, i) => {
      if (i % perRange === 0) {
        copies.flushTo(out);
        out.cut();
      }
      const key = keys.get(n.id)!;
      rowDigests?.push(recorded!.get(n.id) ?? "");
      if (!stale.has(n.id)) {
        const was = at.get(n.id)!;
        rows.push(previousRow(was, n.id));
        const from = previous!.index.entries.starts[was]!;
        const length = previous!.index.entries.lengths[was]!;
        if (copies.follows(was)) {
          entry(n.id, key, copies.offsetOf(from), length);
          copies.extend(was, from + length);
          return;
        }
        copies.flushTo(out);
        out.push(`${i === 0 ? "" : ","}${JSON.stringify(uid(n))}:`);
        entry(n.id, key, out.length, length);
        copies.start(out, was, from, from + length);
        return;
      }
      copies.flushTo(out);
      const id = uid(n);
      out.push(`${i === 0 ? "" : ","}${JSON.stringify(id)}:`);
      const start = out.length;
      rows.push(nodeRow(n.id, builtEntry(out, fresh, id)));
      built += 1;
      entry(n.id, key, start, out.length - start);
    });
    copies.flushTo(out);
    out.cut();
    out.push("}");
  };
  return {
    write,
    state: (key) => ({
      rows,
      columns: encodeColumns(rows),
      ...(rowDigests && key !== undefined
        ? { digests: { key, column: rowDigests.join("\n") } }
        : {}),
    }),
    entries,
    built: () => built,
  };
}

/**
 * Push the next entry of `fresh` (which must be `id`'s) to `out`, encoded at once into the
 * writer's buffer (a MB of entries joined and flattened before encoding was a copy of the whole
 * manifest in the old generation); returns what `--state` reads of it.
 */
export function builtEntry(
  out: ByteAssembly,
  fresh: Generator<ManifestEntry>,
  id: string,
): StateNode {
  const next = fresh.next();
  if (next.done || next.value.uid !== id) throw new Error(`manifest entry of ${id} missing`);
  out.push(JSON.stringify(next.value.entry));
  return manifestStateNode(next.value.entry as unknown as ManifestNode);
}

/**
 * Entries of a section per range of the digest (see ByteAssembly): a range starts at every
 * this many entries, so at most 256 ranges a section (the state index's tail lists them).
 */
export const entriesPerRange = (count: number): number => Math.max(64, Math.ceil(count / 256));
