import path from "node:path";
import type {
  CompiledNode,
  CompiledProject,
  CompileMemo,
  GraphOrder,
  ModelMemo,
} from "@sluice/compiler";
import type { ParsedProperties, PropertiesMemo } from "@sluice/project";
import { buildId } from "./compile-cache.js";
import { notePlace } from "./memo-refs.js";
import { lazyNode, nodeCut, splitText } from "./lazy-node.js";
import type { NodeCut } from "./lazy-node.js";
import { nodeText } from "./node-texts.js";
import {
  jsonCodec,
  readSegmentRecord,
  readSegmentStore,
  replaceSegmentRecords,
  writeSegmentStore,
} from "./segment-store.js";
import type { RecordCodec, SegmentStore } from "./segment-store.js";

/**
 * `target/compile_memo.json` and `target/compile_memo/`: what a load and compile can reuse from
 * the previous one, kept between commands: parsed properties YAML by file content
 * (`PropertiesMemo` in @sluice/project) and the per-model compile memo (`CompileMemo` in
 * @sluice/compiler), so a compile after an edit parses that file and renders only the models the
 * edit reaches. Unlike `partial_parse.json` it is checked by content, not by file times: it is
 * used whenever it was written by this sluice build for this project folder.
 *
 * The records are kept in a segment store (see segment-store.ts): `compile_memo.json` is its
 * index, and a compile rewrites only the segments holding an entry that changed (at 10,000
 * models, one edited model rewrites ~200 KB instead of the whole 50 MB memo). A model's record
 * keeps each of its nodes (its render's, its generic tests') as a text of its own on its line
 * (see {@link modelCodec}): a node read keeps the text it was read from (lazy-node.ts), so the
 * writers after the compile (this memo, node digests, `partial_parse.json`) copy an unchanged
 * node's text instead of serializing the node again.
 *
 * The graphs' orders (`GraphOrder` in @sluice/compiler) are the group `orders`.
 *
 * Format 7: a node's `sql` and `statements` (the run its cut names) are kept after the segment's
 * lines, as the body of a split field (see segment-store.ts), so that a compile reads the runs
 * of the few nodes it writes again, not ~2/3 of the memo's bytes; format 6: each node whole on
 * its line. Format 6: a record's head holds each node's cut where format 5 held 0 (see
 * lazy-node.ts);
 * format 5: with the group `orders` (format 4: without; format 3: one JSON object a segment). A
 * memo of another format has another header: it is not read, and the next write replaces it
 * whole.
 */
const MEMO_FILE = "compile_memo.json";

/** The compile memo's index file in `targetDir` (its segments are in `compile_memo/`). */
export const memoFile = (targetDir: string): string => path.join(targetDir, MEMO_FILE);
export const MEMO_FORMAT = 7;

/** Both memos of one load and compile, and the store they were read from. */
export interface LoadMemo {
  properties: PropertiesMemo;
  models: CompileMemo;
  /** The store read (undefined: none, or not usable); {@link writeLoadMemo} writes over it. */
  store?: SegmentStore;
}

const header = (dir: string): string =>
  JSON.stringify({ format: MEMO_FORMAT, build: buildId(), dir });

/** Memos holding the previous compile's entries (none when missing, stale or unreadable). */
export function readLoadMemo(targetDir: string, dir: string): LoadMemo {
  const store = readSegmentStore(memoFile(targetDir), header(dir), modelCodec);
  const properties = (store?.groups["properties"] ?? {}) as Record<string, ParsedProperties>;
  const models = (store?.groups["models"] ?? {}) as Record<string, ModelMemo>;
  const orders = (store?.groups["orders"] ?? {}) as Record<string, GraphOrder>;
  return {
    properties: { previous: properties, next: {} },
    models: { previous: models, next: {}, previousOrders: orders },
    ...(store ? { store } : {}),
  };
}

/**
 * One model's entry of the compile memo (by node id, e.g. `model.m_9999`), read from its segment
 * alone, when the memo was written by this build for this project folder; its nodes are read
 * lazily, as {@link readLoadMemo}'s. What a compile that re-renders a few edited models checks
 * them against (their refs, config, materialization) without reading the whole memo (#14).
 */
export const memoModel = (targetDir: string, dir: string, id: string): ModelMemo | undefined =>
  readSegmentRecord(memoFile(targetDir), header(dir), "models", id, modelCodec) as
    ModelMemo | undefined;

/**
 * Write some models' entries (by node id) over the memo's (#14's fast path after an edit of
 * model SQL literals), rewriting only their segments, the other records there copied as read
 * (see `replaceSegmentRecords`): the files {@link writeLoadMemo} writes for a compile that changed
 * only these entries. Fill their digests first (see {@link nodeDigests}). Returns each rewritten
 * segment's old and new name (`partial_parse.json` names nodes by segment, see memo-refs.ts), or
 * undefined when the memo (of this build and project folder) does not hold each of them.
 */
export const replaceMemoModels = (
  targetDir: string,
  dir: string,
  entries: Readonly<Record<string, ModelMemo>>,
): Map<string, string> | undefined =>
  replaceSegmentRecords(memoFile(targetDir), header(dir), "models", entries, modelCodec);

/**
 * Each memoized node's digest by node id: models' nodes and their generic tests. A node rendered
 * or built afresh by this compile is hashed now with `digestOf` (the runner's `textDigest` of
 * its {@link nodeText}, what the manifest keys nodes by); a reused one keeps the digest saved
 * with it, so an unchanged node is never serialized to tell it is. Call after the compile and before {@link writeLoadMemo},
 * which saves the new digests.
 */
export function nodeDigests(
  memo: LoadMemo,
  compiled: CompiledProject,
  digestOf: (node: CompiledNode) => string,
): Map<string, string> {
  // A memo node the compiled project no longer holds as it is (replaced by an edited copy after
  // the compile, e.g. with --store-failures) is not what the digest would describe.
  const held = new Set<CompiledNode>(compiled.nodes);
  const digests = new Map<string, string>();
  for (const entry of Object.values(memo.models.next)) {
    const { output, tests } = entry;
    if (output) {
      const digest = (output.digest ??= digestOf(output.node));
      if (held.has(output.node)) digests.set(output.node.id, digest);
    }
    if (tests) {
      const saved = (tests.digests ??= tests.nodes.map(digestOf));
      tests.nodes.forEach((node, i) => held.has(node) && digests.set(node.id, saved[i]!));
    }
  }
  return digests;
}

/** Save the memos a load and compile filled: the segments holding a changed entry. */
export function writeLoadMemo(targetDir: string, dir: string, memo: LoadMemo): void {
  try {
    writeSegmentStore(
      memoFile(targetDir),
      header(dir),
      {
        properties: memo.properties.next,
        models: memo.models.next,
        orders: memo.models.nextOrders ?? {},
      },
      memo.store,
      (group, next, previous) =>
        group === "models"
          ? sameModelMemo(next as ModelMemo, previous as ModelMemo)
          : group === "orders"
            ? (next as GraphOrder).key === (previous as GraphOrder).key
            : next === previous,
      modelCodec,
    );
  } catch {
    // A read-only project still works, only without the memo.
  }
}

/**
 * Whether a model's entry is the one read: the compile memo reuses a model by carrying the
 * previous entry's parts over as they are (the same objects), and recomputes only its key and
 * the values of its reads (compared by value).
 */
function sameModelMemo(next: ModelMemo, previous: ModelMemo): boolean {
  return (
    next.inputs === previous.inputs &&
    next.config === previous.config &&
    next.refs === previous.refs &&
    next.sources === previous.sources &&
    next.output === previous.output &&
    next.tests === previous.tests &&
    sameStrings(next.reads, previous.reads)
  );
}

function sameStrings(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  const other = Object.keys(b);
  return keys.length === other.length && keys.every((k, i) => other[i] === k && a[k] === b[k]);
}

/**
 * A model's record on its segment line: the record without its nodes (each node's place holds
 * its {@link NodeCut}), then the render's node, then each generic test's node, each its own JSON text
 * ({@link nodeText}: the text read, for a node read and reused). Other groups: one JSON text.
 * Each node's place on its line is noted (see memo-refs.ts): `partial_parse.json` names it there.
 */
export const modelCodec: RecordCodec = {
  encode(group, record) {
    if (group !== "models") return jsonCodec.encode(group, record);
    const memo = record as ModelMemo;
    const { output, tests } = memo;
    const nodes = [...(output ? [output.node] : []), ...(tests?.nodes ?? [])];
    const texts = nodes.map(nodeText);
    const cuts = nodes.map((node, i) => nodeCut(node, texts[i]!));
    const head = {
      ...memo,
      ...(output ? { output: { ...output, node: cuts[0] } } : {}),
      ...(tests ? { tests: { ...tests, nodes: cuts.slice(output ? 1 : 0) } } : {}),
    };
    return [JSON.stringify(head), ...texts.map((text, i) => splitText(text, cuts[i]!))];
  },
  decode(group, fields, bodies, segment, line) {
    if (group !== "models") return jsonCodec.decode(group, fields, bodies, segment, line);
    const memo = JSON.parse(fields[0]!) as ModelMemo;
    let next = 1;
    // In the head, each node's place holds its cut (see lazy-node.ts); the run of its `sql` and
    // `statements` is its field's body, read when first needed.
    const node = (cut: unknown): CompiledNode => {
      const body = bodies[next];
      // Fields on the line: group, key, the head, then the nodes (see `located`).
      const place = { segment, line, field: next + 2 };
      const text = fields[next++];
      if (text === undefined) throw new Error("compile memo: a node is missing from its record");
      return lazyNode<CompiledNode>(text, cut as NodeCut, body, place);
    };
    if (memo.output) memo.output.node = node(memo.output.node);
    if (memo.tests) memo.tests.nodes = memo.tests.nodes.map(node);
    if (next !== fields.length)
      throw new Error("compile memo: a record has more nodes than it says");
    return memo;
  },
  located(group, record, segment, line) {
    if (group !== "models") return;
    const { output, tests } = record as ModelMemo;
    // Fields on the line: group, key, the head, then the nodes in the order encode writes them.
    let field = 3;
    if (output) notePlace(output.node, segment, line, field++);
    tests?.nodes.forEach((node) => notePlace(node, segment, line, field++));
  },
};
