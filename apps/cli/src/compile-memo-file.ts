import path from "node:path";
import type { CompiledNode, CompileMemo, ModelMemo } from "@sluice/compiler";
import type { ParsedProperties, PropertiesMemo } from "@sluice/project";
import { buildId } from "./compile-cache.js";
import { readSegmentStore, writeSegmentStore } from "./segment-store.js";
import type { SegmentStore } from "./segment-store.js";

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
 * models, one edited model rewrites ~200 KB instead of the whole 50 MB memo).
 */
const MEMO_FILE = "compile_memo.json";
const FORMAT = 3;

/** Both memos of one load and compile, and the store they were read from. */
export interface LoadMemo {
  properties: PropertiesMemo;
  models: CompileMemo;
  /** The store read (undefined: none, or not usable); {@link writeLoadMemo} writes over it. */
  store?: SegmentStore;
}

const header = (dir: string): string => JSON.stringify({ format: FORMAT, build: buildId(), dir });

/** Memos holding the previous compile's entries (none when missing, stale or unreadable). */
export function readLoadMemo(targetDir: string, dir: string): LoadMemo {
  const store = readSegmentStore(path.join(targetDir, MEMO_FILE), header(dir));
  const properties = (store?.groups["properties"] ?? {}) as Record<string, ParsedProperties>;
  const models = (store?.groups["models"] ?? {}) as Record<string, ModelMemo>;
  return {
    properties: { previous: properties, next: {} },
    models: { previous: models, next: {} },
    ...(store ? { store } : {}),
  };
}

/**
 * Each memoized node's digest by node id: models' nodes and their generic tests. A node rendered
 * or built afresh by this compile is hashed now with `digestOf` (the runner's `nodeDigest`, what
 * the manifest keys nodes by); a reused one keeps the digest saved with it, so an unchanged node
 * is never serialized to tell it is. Call after the compile and before {@link writeLoadMemo},
 * which saves the new digests.
 */
export function nodeDigests(
  memo: LoadMemo,
  digestOf: (node: CompiledNode) => string,
): Map<string, string> {
  const digests = new Map<string, string>();
  for (const entry of Object.values(memo.models.next)) {
    const { output, tests } = entry;
    if (output) digests.set(output.node.id, (output.digest ??= digestOf(output.node)));
    if (tests) {
      const saved = (tests.digests ??= tests.nodes.map(digestOf));
      tests.nodes.forEach((node, i) => digests.set(node.id, saved[i]!));
    }
  }
  return digests;
}

/** Save the memos a load and compile filled: the segments holding a changed entry. */
export function writeLoadMemo(targetDir: string, dir: string, memo: LoadMemo): void {
  try {
    writeSegmentStore(
      path.join(targetDir, MEMO_FILE),
      header(dir),
      { properties: memo.properties.next, models: memo.models.next },
      memo.store,
      (group, next, previous) =>
        group === "models"
          ? sameModelMemo(next as ModelMemo, previous as ModelMemo)
          : next === previous,
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
