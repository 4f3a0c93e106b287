import { createHash, hash } from "node:crypto";
import {
  closeSync,
  fstatSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import path from "node:path";
import { checksumsKey } from "@sluice/compiler/run-time";
import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import type { Project } from "@sluice/project";
import {
  dbtManifestFrame,
  dbtManifestFrameInputs,
  dbtManifestMetadata,
  dbtNodeEntries,
} from "./dbt-manifest.js";
import { dbtUniqueId } from "./dbt-ids.js";
import type { ArtifactInvocation, ManifestEntry } from "./dbt-manifest.js";
import { manifestStateNode } from "./read-state.js";
import type { ManifestNode, StateNode } from "./read-state.js";
import { readKeyed } from "./keyed-file.js";
import { appendStateIndex, manifestDigest, rangesDigest } from "./state-index.js";
import type { IndexedOutput } from "./state-index.js";
import { readUtf8 } from "./utf8-text.js";
import { rootlessDigest, textDigest } from "./node-digest.js";
import { ChunkWriter } from "./chunk-writer.js";
import { columnRows, encodeColumns, wholeDigests } from "./state-nodes.js";
import type { EncodedColumns, NodeColumns, StateDigests } from "./state-nodes.js";
import {
  alignedNodes,
  columnBytes,
  plainField,
  reachedBy,
  reachedPositions,
  replaceLines,
  splicedColumns,
} from "./manifest-edit.js";
import type { ColumnBytes } from "./manifest-edit.js";
import {
  compileKeyOf,
  nodeRow,
  readableSidecar,
  SIDECAR_FORMAT,
  sidecarRows,
  STATE_SIDECAR,
  writeStateSidecar,
} from "./state-sidecar.js";
import type { NodeRow, SidecarBody, SidecarKey, SidecarValue } from "./state-sidecar.js";

/**
 * `target/manifest.json` written in proportion to what changed. Its text is exactly
 * `JSON.stringify(dbtManifest(...))` plus a newline, with the state index added (see below) (compact, as dbt writes it: indentation would
 * be a third of the file), but each node's entry is built
 * only when what it is built from changed since the previous write: the text of the other
 * entries is copied from the previous file, where `target/.manifest-index.json` says each one
 * sits, with the key of what it was built from. At 10,000 models the manifest is ~100 MB and
 * building it whole took most of a one-model-changed compile.
 *
 * An entry copied keeps its `created_at` (when its node was last built, as in dbt, whose partial
 * parse keeps unchanged nodes' times). The rest of the file but `metadata` (macros, exposures,
 * `parent_map`, `child_map`, ...) is copied the same way while what it is made of (see
 * `dbtManifestFrameInputs`) is the same: at 10,000 models, building and serializing the maps of
 * 30,000 nodes was a tenth of a one-model-changed compile. When no entry and nothing else but
 * the invocation (`generated_at`, `invocation_id`, `created_at`) changed, the file is not
 * written at all.
 *
 * The manifest's last key, `selectors`, ends with the state index (see state-index.ts): the
 * sidecar's columns, for a state read without its sidecar, and the manifest's digest by ranges
 * (see {@link ByteAssembly}): a range copied whole keeps the digest recorded in the index.
 *
 * Beside it goes `manifest.state.json` (see state-sidecar.ts): what `--state` reads of each
 * node, keyed by the manifest's digest, so a state seen for the first time is read without
 * parsing the manifest. Its rows of unchanged entries are copied from the previous sidecar.
 *
 * After an edit of a few models' SQL (see {@link ManifestSource}), the one-edit path touches
 * only what the edit reaches (see manifest-edit.ts): the nodes it reaches are keyed, the entries
 * between the stale ones are copied by position in runs, a range at a time, and the sidecar's
 * columns are spliced as bytes. Its output is byte for byte the path's that keys every node
 * (manifest-edit.test.ts compares them).
 */

const MANIFEST = "manifest.json";
const INDEX = ".manifest-index.json";
/**
 * Format 9: `ranges` recorded (8: `runId`; 7: `compile` and `shared`, which format 6 had not).
 */
const FORMAT = 9;

/** What `target/.manifest-index.json` records of the manifest written last. */
interface ManifestIndex {
  format: number;
  /** The sluice build that wrote it: another build may write other entries for the same node. */
  build: string;
  /** manifest.json's size and modification time as written: an edited file is not reused. */
  size: number;
  mtimeMs: number;
  /** sha256 (hex) of manifest.json's bytes: the key its sidecar was written under. */
  digest: string;
  /** Key of what the manifest's text outside the node entries is made of (`dbtManifestFrameInputs`). */
  frameInputs: string;
  /**
   * The fingerprint of the compiled project the entries were written from (see
   * {@link ManifestSource}), when the writer was given one: a later write of that compile with
   * a few nodes edited takes the other nodes' keys from here (see {@link reusableKeys}).
   */
  compile?: string;
  /** The part of every entry's key shared by all nodes (project, macros: see {@link sharedKey}). */
  shared: string;
  /**
   * The invocation id the rows' compile digests were made rootless with (see `rootlessDigest`):
   * the one-edit path keeps the digests of the nodes the edits leave alone only under the same.
   */
  runId: string;
  /**
   * The top-level keys in the file's order, each with where its text (`"key":value`) sits in
   * manifest.json's bytes (start, length); start -1 for those never copied: `metadata` (the
   * invocation's), `nodes` and `sources` (their entries), and `selectors` (the state index).
   */
  frame: [string, number, number][];
  /** The text of `selectors` as the frame has it (before the state index goes in). */
  selectors: string;
  /**
   * The ranges the state index's digest cut manifest.json in (see ByteAssembly): each one's
   * start, length and sha256 (hex). A later write copying a range's bytes whole keeps its
   * digest (see {@link knownRange}).
   */
  ranges: [number, number, string][];
  /**
   * Whether the sidecar's columns were written plain (see `EncodedColumns`): the one-edit path
   * then splices them as bytes (see `splicedColumns`).
   */
  plainColumns?: boolean;
  /**
   * The entries, in the file's order: each one's node id, the key of its inputs, and where its
   * text sits in manifest.json's bytes (start, length). Parallel arrays, not an object by id: at
   * 30,000 entries, an object's keys cost more to build, write and read than the entries' copies.
   */
  entries: IndexEntries;
}

/** Parallel arrays of {@link ManifestIndex}'s entries. */
interface IndexEntries {
  ids: string[];
  keys: string[];
  starts: number[];
  lengths: number[];
}

/**
 * Which compile the nodes written are: a writer given its fingerprint records it in the index,
 * and one given `edits` takes from the index the keys of the nodes the edits leave alone.
 *
 * @example
 * { fingerprint: `${header}\n${runId}` } // a full compile
 * { fingerprint: `${header}\n${runId}`, edits: { since: `${before}\n${runId}`, nodes } } // fast path
 */
export interface ManifestSource {
  /** Equal fingerprints: equal compiled projects (the partial-parse header and the run id). */
  fingerprint: string;
  /**
   * The compiled project is the one fingerprinted `since` but for the nodes `nodes`, rendered
   * again after an edit of their files' literal SQL (see sql-edit-compile.ts in apps/cli): the
   * same project but those files' texts, same macros, same graph and relations. The caller
   * vouches for it; a wrong claim copies stale entries.
   */
  edits?: { since: string; nodes: ReadonlySet<string> };
}

/**
 * The nodes `source` claims edited since the compile fingerprinted `compile` (what a writer
 * recorded it wrote last); undefined when it claims no edit of that compile.
 */
export function editsSince(
  source: ManifestSource | undefined,
  compile: string | undefined,
): ReadonlySet<string> | undefined {
  const edits = source?.edits;
  return edits !== undefined && edits.since === compile ? edits.nodes : undefined;
}

/** Counts of one {@link writeManifest}: entries built and copied, and whether the file was written. */
export interface ManifestWrite {
  built: number;
  reused: number;
  written: boolean;
}

/**
 * Write `<targetDir>/manifest.json` for `compiled` (see {@link dbtManifest}), reusing the
 * previous file's entries of unchanged nodes (see the file comment). `build` names the running
 * sluice build; `compileKey` (the partial-parse header of `compiled`, when cached) goes into the
 * sidecar, so a later selection in this project reads its own checksums from there.
 * `digests`: the {@link nodeDigest} of some nodes, by node id (the compile memo keeps them):
 * those nodes are not serialized again for their keys. `recordDigests`: the state index and
 * sidecar record each node's digest (`digests`' when given, else the node's own, hashed: each is
 * of the very node whose entry and checksums are written, so a build's, after `--defer` replaced
 * nodes, describes the replaced nodes), made independent of the project's folder and run id (see
 * `rootlessDigest`; `rootless` gives those of nodes of `digests` when known, else they are made
 * here), but a source's or one rendered again at run time (its checksums are not of its
 * written JSON); a selection against this manifest, in this folder or another, reuses the
 * checksums of the nodes it compiles the same (see `reusedChecksums`). `source`: which compile
 * `compiled` is (see {@link ManifestSource}): after an edit of a few models' SQL, the other
 * nodes' keys are not hashed again (at 10,000 models, hashing 30,000 keys was a tenth of a
 * one-model-changed compile), nor is the frame's key.
 */
export function writeManifest(
  targetDir: string,
  project: Project,
  compiled: CompiledProject,
  invocation: ArtifactInvocation,
  build: string,
  compileKey?: string,
  digests?: ReadonlyMap<string, string>,
  recordDigests = false,
  source?: ManifestSource,
  rootless?: ReadonlyMap<string, string>,
): ManifestWrite {
  const file = path.join(targetDir, MANIFEST);
  const indexFile = path.join(targetDir, INDEX);
  const found = readPrevious(file, indexFile, build);
  const recorded = recordDigests ? new Map<string, string>() : undefined;
  const shared = sharedKey(project, compiled);
  const keyOptions = { runId: invocation.invocationId, ...(rootless ? { rootless } : {}) };
  const keyed = (nodes: readonly CompiledNode[], kept?: ReadonlyMap<string, string>) =>
    entryKeys(project, compiled, shared, nodes, digests, recorded, kept, keyOptions);
  // The one-edit path (see manifest-edit.ts): only the nodes the edits reach are keyed, the
  // previous entries matched by position; undefined when the claim or the order does not hold.
  let edit =
    found?.index.runId === invocation.invocationId
      ? editedKeys(found.index, compiled, shared, source, keyed)
      : undefined;
  // Every node keyed (the nodes the edits leave alone, when claimed, by the index's keys).
  const allKeys = () => {
    const at = new Map<string, number>();
    found?.index.entries.ids.forEach((id, i) => at.set(id, i));
    const reused = found && reusableKeys(found.index, at, compiled, shared, source);
    const keys = keyed(compiled.nodes, reused?.keys);
    const staleAgainst = (index: ManifestIndex | undefined) => {
      const stale = new Set<string>();
      for (const n of compiled.nodes) {
        const i = at.get(n.id);
        if (index === undefined || i === undefined || index.entries.keys[i] !== keys.get(n.id))
          stale.add(n.id);
      }
      return stale;
    };
    return { at, keys, staleAgainst, frameInputs: reused?.frameInputs };
  };
  let all = edit ? undefined : allKeys();
  let stale = edit ? edit.stale : all!.staleAgainst(found?.index);
  const frameInputs =
    (edit ? found!.index.frameInputs : all!.frameInputs) ??
    dbtManifestFrameInputs(project, compiled);
  const sidecarKey = (digest: string): SidecarKey => ({
    format: SIDECAR_FORMAT,
    manifest: digest,
    ...(compileKey === undefined ? {} : { compile: compileKeyOf(compileKey) }),
  });
  // metadata.adapter_type, as the reader takes it from the manifest
  const adapter: string = compiled.dialect;
  if (found && stale.size === 0 && found.index.frameInputs === frameInputs) {
    // The sidecar is left as it is when its key already says all (its body is not parsed).
    const key = sidecarKey(found.index.digest);
    if (found.sidecar.key.compile === key.compile)
      return { built: 0, reused: compiled.nodes.length, written: false };
    const body = found.sidecar.body();
    if (body) {
      writeStateSidecar(targetDir, key, body, encodeColumns(body.nodes));
      return { built: 0, reused: compiled.nodes.length, written: false };
    }
  }
  // Entries to copy: the previous file (opened only now: a write that changes nothing never
  // reads it) and sidecar rows. Either unreadable or replaced since: nothing is copied.
  let previous = found && withBytes(found, file);
  // The one-edit path splices the previous sidecar's columns: rows (or columns not whole, or
  // digests of another build) take every node's key.
  const columnsBefore = edit && previous && editableSidecar(found!, recorded !== undefined);
  if (edit && !columnsBefore) {
    edit = undefined;
    all = allKeys();
    stale = all.staleAgainst(found?.index);
  }
  const previousBody = previous && !edit ? found!.sidecar.body() : undefined;
  if (previous && !edit && !previousBody) {
    closeSync(previous.fd);
    previous = undefined;
  }
  if (found && !previous) stale = all!.staleAgainst(undefined);
  // Closed once the new file is written, or on the way out of a failed write.
  const closePrevious = (): void => {
    if (previous) closeSync(previous.fd);
  };
  // Written as it is built (to a temporary file renamed into place once whole): no piece of the
  // file is held once written.
  const tmp = `${file}.${process.pid}.tmp`;
  let frame: ReturnType<typeof frameTexts>;
  let fd: number;
  try {
    frame = frameTexts(project, compiled, invocation, frameInputs, previous);
    fd = openSync(tmp, "w");
  } catch (error) {
    closePrevious();
    throw error;
  }
  const out = new ByteAssembly(fd);
  const knownRange = knownRanges(previous?.index);
  const uid = (n: CompiledNode) => dbtUniqueId(n.id, compiled.projectName);
  const entriesOf: EntryBuilder = (ids) => dbtNodeEntries(project, compiled, invocation, ids);
  const sections = edit
    ? editedSections(
        edit,
        found!.index,
        columnsBefore!,
        out,
        { fd: previous!.fd, knownRange },
        uid,
        recorded,
        entriesOf,
      )
    : allSections(all!, compiled, previous, previousBody, out, uid, recorded, stale, entriesOf);
  const written: [string, number, number][] = [];
  // The rows' columns, made once the last entry is written, for the state index and the sidecar.
  let state: ReturnType<typeof sections.state> | undefined;
  let indexDigest: string | undefined;
  try {
    out.push("{");
    frame.keys.forEach(([key, text], i) => {
      // Each top-level key (with the comma before it) starts a range of the digest (see
      // ByteAssembly): one copied from the previous file keeps its range's digest.
      out.cut();
      if (typeof text !== "string" && i > 0) {
        const [from, length] = text;
        const known = knownRange(from - 1, length + 1);
        if (known) out.copyRange(previous!.fd, from - 1, from + length, known);
        else {
          out.push(",");
          out.copy(previous!.fd, from, from + length);
        }
        written.push([key, out.length - length, length]);
        return;
      }
      if (i > 0) out.push(",");
      // The last key (see dbtManifestFrame): the state index goes in it, after every entry.
      if (key === "selectors" && i === frame.keys.length - 1) {
        written.push([key, -1, 0]);
        state = sections.state(recorded && checksumsKey());
        indexDigest = appendStateIndex(
          out,
          frame.selectors,
          { adapter, ...(state.digests ? { digests: state.digests } : {}) },
          state.columns,
        );
        return;
      }
      if (isSection(key)) {
        written.push([key, -1, 0]);
        out.push(`${JSON.stringify(key)}:`);
        return sections.write(key);
      }
      const start = out.length;
      if (typeof text === "string") out.push(text);
      else out.copy(previous!.fd, text[0], text[0] + text[1]);
      written.push([key, key === "metadata" ? -1 : start, out.length - start]);
    });
    out.push("}\n");
    out.finish();
  } catch (error) {
    closeSync(fd);
    closePrevious();
    rmSync(tmp, { force: true });
    throw error;
  }
  closeSync(fd);
  closePrevious();

  // A manifest without a state index is named by its sha256 (see `manifestDigest`).
  const digest = indexDigest ?? manifestDigest(tmp);
  if (digest === undefined) throw new Error(`${tmp} cannot be read back`);
  rmSync(indexFile, { force: true });
  renameSync(tmp, file);
  state ??= sections.state(recorded && checksumsKey());
  writeStateSidecar(
    targetDir,
    sidecarKey(digest),
    { adapter, nodes: state.rows, ...(state.digests ? { digests: state.digests } : {}) },
    state.columns,
  );
  const stat = statSync(file);
  const index: ManifestIndex = {
    format: FORMAT,
    build,
    size: stat.size,
    mtimeMs: stat.mtimeMs,
    digest,
    frameInputs,
    ...(source === undefined ? {} : { compile: source.fingerprint }),
    shared,
    runId: invocation.invocationId,
    frame: written,
    ranges: out.ranges,
    plainColumns: state.columns?.plain === true,
    selectors: frame.selectors,
    entries: sections.entries,
  };
  writeFileSync(indexFile, JSON.stringify(index));
  return {
    built: sections.built(),
    reused: compiled.nodes.length - sections.built(),
    written: true,
  };
}

/** Each section's entries written, and then the rows' state (see {@link Sections}). */
interface Sections {
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
type EntryBuilder = (ids: ReadonlySet<string>) => Generator<ManifestEntry>;

/**
 * The sections with every node visited (see {@link writeManifest}): stale entries built, the
 * others copied from `previous` (runs of them as one piece), rows taken from `previousBody`.
 */
function allSections(
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
function builtEntry(out: ByteAssembly, fresh: Generator<ManifestEntry>, id: string): StateNode {
  const next = fresh.next();
  if (next.done || next.value.uid !== id) throw new Error(`manifest entry of ${id} missing`);
  out.push(JSON.stringify(next.value.entry));
  return manifestStateNode(next.value.entry as unknown as ManifestNode);
}

/** What the one-edit path keyed: see {@link editedKeys}. */
interface EditedKeys {
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
 * The one-edit path's keys (see {@link writeManifest}'s `source`): when `source` claims an edit
 * of the compile `index` was written from (see {@link claimedEdits}) and the nodes are the
 * index's entries in order, only the nodes the edits reach are keyed (`keyed`); the others keep
 * the index's keys by position. Undefined otherwise.
 */
function editedKeys(
  index: ManifestIndex,
  compiled: CompiledProject,
  shared: string,
  source: ManifestSource | undefined,
  keyed: (nodes: readonly CompiledNode[]) => Map<string, string>,
): EditedKeys | undefined {
  const edited = claimedEdits(index, shared, source);
  const order = edited && alignedNodes(index.entries.ids, compiled.nodes);
  if (!order) return undefined;
  const reached = reachedPositions(order, index.entries.ids, edited!);
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
function editableSidecar(
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
function editedSections(
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

/**
 * Each node's key of what its manifest entry is built from: the node, the relations it reads
 * (its checksums write them as node ids), its file's text (raw code, the macros it calls), the
 * project's macro files, package and folder ({@link sharedKey}), and for a source its
 * declaration. The node goes in by its {@link nodeDigest}, taken from `digests` when given there
 * (see {@link writeManifest}): at 10,000 models, serializing every node for its key was a fifth
 * of the manifest's write. A node rendered again at run time (`renderAtRun`: its text is no
 * longer the memo's) is hashed. `recorded` gets each node's {@link rootlessDigest} (but a
 * source's, or one rendered again at run time). `previous`: keys known unchanged (see {@link reusableKeys}),
 * taken as they are.
 */
function entryKeys(
  project: Project,
  compiled: CompiledProject,
  shared: string,
  nodes: readonly CompiledNode[],
  digests?: ReadonlyMap<string, string>,
  recorded?: Map<string, string>,
  previous?: ReadonlyMap<string, string>,
  { runId, rootless }: { runId: string; rootless?: ReadonlyMap<string, string> } = {
    runId: "",
  },
): Map<string, string> {
  // Each file's text and each relation hashed or written once, not once per node naming it,
  // and only for a node whose key is hashed; files and nodes found by a map only when many
  // are keyed (a one-model edit keys a few of 30,000: see `findBy`).
  const many = nodes.length > 16;
  const text = findBy(
    () => [...project.models, ...project.singularTests, ...project.rules],
    (f) => f.path,
    many,
  );
  const files = new Map<string, string>();
  const fileKey = (file: string): string => {
    let key = files.get(file);
    if (key === undefined) {
      const found = text(file)?.text;
      files.set(file, (key = found === undefined ? "" : hash("sha1", found, "base64")));
    }
    return key;
  };
  const sources = new Map(
    project.sources.map((s) => [
      `source.${s.sourceName}.${s.name}`,
      JSON.stringify([s.external ?? null, s.schema ?? null]),
    ]),
  );
  const byId = findBy(
    () => compiled.nodes,
    (n) => n.id,
    many,
  );
  const relations = new Map<string, string>();
  const relation = (id: string): string => {
    let text = relations.get(id);
    if (text === undefined) {
      const node = byId(id);
      text = (node && (JSON.stringify(node.relation) as string | undefined)) ?? "null";
      relations.set(id, text);
    }
    return text;
  };
  // One line per part: digests and hashes are base64, the rest JSON (no raw newline in either).
  return new Map(
    nodes.map((n) => {
      const kept = previous?.get(n.id);
      if (kept !== undefined && !recorded) return [n.id, kept];
      // Serialized once, for the digest and the rootless digest both (30,000 nodes at 10,000).
      let text: string | undefined;
      const digest =
        (n.renderAtRun ? undefined : digests?.get(n.id)) ?? textDigest((text = JSON.stringify(n)));
      if (recorded && !n.renderAtRun && n.kind !== "source")
        recorded.set(
          n.id,
          (digests?.has(n.id) ? rootless?.get(n.id) : undefined) ??
            rootlessDigest(n, digest, project.dir, runId, text),
        );
      if (kept !== undefined) return [n.id, kept];
      return [
        n.id,
        hash(
          "sha1",
          `${shared}\n${digest}\n${n.dependsOn.map(relation).join(",")}\n${fileKey(n.path)}\n${sources.get(n.id) ?? ""}`,
          "base64",
        ),
      ];
    }),
  );
}

/**
 * Lookup of `items()` by `keyOf`: a Map made on the first lookup when `many`, else a scan per
 * lookup (comparing strings hashes none: for a few lookups among 30,000 items, cheaper than
 * the map).
 */
function findBy<T>(
  items: () => readonly T[],
  keyOf: (item: T) => string,
  many: boolean,
): (key: string) => T | undefined {
  if (!many) return (key) => items().find((item) => keyOf(item) === key);
  let map: Map<string, T> | undefined;
  return (key) => (map ??= new Map(items().map((item) => [keyOf(item), item]))).get(key);
}

/** The part of every entry's key that all nodes share: the project's name, folder and macros. */
function sharedKey(project: Project, compiled: CompiledProject): string {
  return hash(
    "sha1",
    JSON.stringify([
      compiled.projectName,
      project.dir,
      project.macros.map((m) => [m.path, m.package ?? null, m.text]),
    ]),
    "base64",
  );
}

/**
 * What a write of `compiled` can take from the previous manifest's `index` as it is, when
 * `source` says `compiled` is the compile the index was written from with a few nodes edited
 * (see {@link ManifestSource}) and the shared part of the keys is the same: the frame's key
 * (the graph and macros are the same), and the keys of the nodes the edits cannot reach (`at`:
 * each previous entry's position in the index, by node id). A
 * node's key is hashed again when it is edited, reads an edited node's relation, comes from an
 * edited node's file, or is rendered again at run time.
 */
function reusableKeys(
  index: ManifestIndex,
  at: ReadonlyMap<string, number>,
  compiled: CompiledProject,
  shared: string,
  source: ManifestSource | undefined,
): { keys: Map<string, string>; frameInputs: string } | undefined {
  const edited = claimedEdits(index, shared, source);
  if (edited === undefined) return undefined;
  const reached = reachedBy(
    edited,
    compiled.nodes.filter((n) => edited.has(n.id)).map((n) => n.path),
  );
  const keys = new Map<string, string>();
  for (const n of compiled.nodes) {
    const i = at.get(n.id);
    if (i !== undefined && !reached(n)) keys.set(n.id, index.entries.keys[i]!);
  }
  return { keys, frameInputs: index.frameInputs };
}

/**
 * The nodes `source` claims edited since the compile `index` was written from (see
 * {@link ManifestSource}), when that is the index's compile and the keys' shared part is the
 * same; else undefined (nothing is taken from the index's keys).
 */
function claimedEdits(
  index: ManifestIndex,
  shared: string,
  source: ManifestSource | undefined,
): ReadonlySet<string> | undefined {
  return index.shared === shared ? editsSince(source, index.compile) : undefined;
}

/**
 * The previous manifest's index and sidecar (its key read; its body parsed on demand,
 * undefined when it does not parse).
 */
interface Previous {
  index: ManifestIndex;
  sidecar: {
    key: SidecarKey;
    /** Its value parsed, undefined when it does not parse. */
    value(): SidecarValue | undefined;
    /** Its value as rows, undefined when it does not parse or its columns are not whole. */
    body(): SidecarBody | undefined;
    /** The file's bytes, its value from byte `valueAt`. */
    bytes: Buffer;
    valueAt: number;
  };
}

/**
 * The previous manifest's index and sidecar, when written by this build and neither edited
 * since (checked by the manifest's size and time, and the sidecar's key naming its digest).
 * Neither the manifest (tens of MB) nor the sidecar's body (MB) is read or parsed here.
 */
function readPrevious(file: string, indexFile: string, build: string): Previous | undefined {
  try {
    const index = JSON.parse(readUtf8(indexFile)) as ManifestIndex;
    if (index.format !== FORMAT || index.build !== build) return undefined;
    const now = statSync(file);
    if (now.size !== index.size || now.mtimeMs !== index.mtimeMs) return undefined;
    const kept = readKeyed(path.join(path.dirname(file), STATE_SIDECAR));
    const key = kept && (JSON.parse(kept.key) as SidecarKey);
    if (!readableSidecar(key) || key.manifest !== index.digest) return undefined;
    const value = (): SidecarValue | undefined => {
      try {
        return kept!.value() as SidecarValue;
      } catch {
        return undefined;
      }
    };
    const body = (): SidecarBody | undefined => {
      try {
        const parsed = value();
        return parsed && sidecarRows(parsed);
      } catch {
        return undefined;
      }
    };
    return { index, sidecar: { key, value, body, bytes: kept!.bytes, valueAt: kept!.valueAt } };
  } catch {
    return undefined;
  }
}

/**
 * The previous manifest, open for its entries to be copied from it (see ChunkWriter.fileRange):
 * at 10,000 models, its 63 MB read whole into one Buffer were that many fresh pages for each
 * one-model change. The caller closes `fd`.
 */
interface PreviousFile {
  fd: number;
}

/** {@link Previous} with the manifest open, unless the file is no longer the one indexed (by its size). */
function withBytes(found: Previous, file: string): (Previous & PreviousFile) | undefined {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch {
    return undefined;
  }
  if (fstatSync(fd).size !== found.index.size) {
    closeSync(fd);
    return undefined;
  }
  return { ...found, fd };
}

const isSection = (key: string): key is ManifestEntry["section"] =>
  key === "nodes" || key === "sources";

/**
 * The top-level keys in order, each with its text (`"key":value`; a section's is empty, its
 * entries are written apart) as a string or where its text sits in the previous file (start,
 * length), and the `selectors`
 * text the state index goes into. Copied from `previous` when it was made of the same
 * `frameInputs` (but `metadata`: the invocation's); else built.
 */
function frameTexts(
  project: Project,
  compiled: CompiledProject,
  invocation: ArtifactInvocation,
  frameInputs: string,
  previous: { index: ManifestIndex; fd: number } | undefined,
): { keys: [string, string | [number, number]][]; selectors: string } {
  if (previous?.index.frameInputs === frameInputs) {
    const metadata = `"metadata":${JSON.stringify(dbtManifestMetadata(compiled, invocation))}`;
    const keys = previous.index.frame.map(
      ([key, start, length]): [string, string | [number, number]] => [
        key,
        key === "metadata" ? metadata : start < 0 ? "" : [start, length],
      ],
    );
    return { keys, selectors: previous.index.selectors };
  }
  const keys = Object.entries(dbtManifestFrame(project, compiled, invocation))
    .filter(([, value]) => value !== undefined)
    .map(([key, value]): [string, string] => [
      key,
      isSection(key) ? "" : `${JSON.stringify(key)}:${JSON.stringify(value)}`,
    ]);
  const selectors = keys.find(([key]) => key === "selectors")?.[1] ?? "";
  return { keys, selectors };
}

/**
 * A run of the previous manifest's bytes being copied: entries that followed each other there,
 * with the separators between them, copied as one piece.
 */
class CopyRun {
  /** The run's bytes in the previous file: [from, to); none when `from` is undefined. */
  private from: number | undefined;
  private to = 0;
  /** The index position of the run's last entry in the previous file. */
  private last = -1;
  /** Where the run starts in the file being written. */
  private at = 0;
  /** `source`: the previous file, open. */
  constructor(private readonly source: number | undefined) {}

  /**
   * Whether the entry at index position `slot` of the previous file extends the run: it came
   * right after the run's last entry there, in the same section (a run never spans sections).
   * The bytes between the two are then `,"<unique id>":`, exactly the separator this entry gets
   * after the run's last one: no separator is built or compared for it.
   */
  follows(slot: number): boolean {
    return this.from !== undefined && slot === this.last + 1;
  }

  /** Where a byte at `from` of the previous file, inside the run, lands in `out`. */
  offsetOf(from: number): number {
    return this.at + (from - this.from!);
  }

  start(out: ByteAssembly, slot: number, from: number, to: number): void {
    this.from = from;
    this.to = to;
    this.last = slot;
    this.at = out.length;
  }

  extend(slot: number, to: number): void {
    this.last = slot;
    this.to = to;
  }

  flushTo(out: ByteAssembly): void {
    if (this.from === undefined) return;
    out.copy(this.source!, this.from, this.to);
    this.from = undefined;
  }
}

/**
 * A file's bytes written as they come (see ChunkWriter), knowing their length so far (where the
 * next piece starts) and their digest by ranges (see state-index.ts): the bytes are cut in
 * ranges where the writer says ({@link cut}), each hashed on its own, and a range copied whole
 * from the previous file keeps its known sha256 ({@link copyRange}): a one-model change hashes
 * the few ranges it touches, not 60 MB. Copied entries stay bytes: no decoding of the previous
 * file and encoding again.
 */
class ByteAssembly implements IndexedOutput {
  private hasher = createHash("sha256");
  private hashing = true;
  /** Where the current range starts. */
  private from = 0;
  /** The ranges cut so far: start, length, sha256 (hex). */
  readonly ranges: [number, number, string][] = [];
  private readonly out: ChunkWriter;
  constructor(fd: number) {
    this.out = new ChunkWriter(fd, (bytes) => {
      if (this.hashing) this.hasher.update(bytes);
    });
  }
  get length(): number {
    return this.out.length;
  }
  push(piece: string | Buffer): void {
    if (typeof piece === "string") this.out.text(piece);
    else this.out.bytes(piece);
  }
  /** Append bytes [from, to) of the open file `source` (hashed with the current range). */
  copy(source: number, from: number, to: number): void {
    this.out.fileRange(source, from, to);
  }
  /** End the current range (none when empty): the bytes pushed next start another. */
  cut(): void {
    this.out.end();
    const length = this.out.length - this.from;
    if (length === 0) return;
    this.ranges.push([this.from, length, this.hasher.digest("hex")]);
    this.hasher = createHash("sha256");
    this.from = this.out.length;
  }
  /**
   * Append bytes [from, to) of the open file `source` as a range of their own, whose sha256 is
   * `digest` (known from the write that cut it: not hashed again).
   */
  copyRange(source: number, from: number, to: number, digest: string): void {
    this.cut();
    this.hashing = false;
    try {
      this.out.fileRange(source, from, to);
    } finally {
      this.hashing = true;
    }
    this.ranges.push([this.from, to - from, digest]);
    this.from = this.out.length;
  }
  /** The ranges so far (the current one ended): their lengths and digest. */
  rangesSoFar(): { lengths: number[]; digest: string } {
    this.cut();
    return {
      lengths: this.ranges.map(([, length]) => length),
      digest: rangesDigest(this.ranges.map(([, length, digest]) => [length, digest] as const)),
    };
  }
  /** Write what is left. */
  finish(): void {
    this.out.end();
  }
}

/** The sha256 of a previous manifest's range at (start, length), when one was cut there. */
type KnownRange = (start: number, length: number) => string | undefined;

/** {@link KnownRange} of the manifest `index` describes (see ByteAssembly), or of none. */
function knownRanges(index: ManifestIndex | undefined): KnownRange {
  const lookup = new Map<number, [number, string]>(
    index?.ranges.map(([from, size, digest]) => [from, [size, digest]]),
  );
  return (start, length) => {
    const range = lookup.get(start);
    return range?.[0] === length ? range[1] : undefined;
  };
}

/**
 * Entries of a section per range of the digest (see ByteAssembly): a range starts at every
 * this many entries, so at most 256 ranges a section (the state index's tail lists them).
 */
const entriesPerRange = (count: number): number => Math.max(64, Math.ceil(count / 256));
