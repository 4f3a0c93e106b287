// Each manifest entry's key of what it is built from, and which keys a write after an edit of a
// few models' SQL (ManifestSource.edits) takes from the index unchanged.
import { hash } from "node:crypto";
import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import type { Project } from "@sluice/project";
import { reachedBy } from "./manifest-edit.js";
import type { ManifestIndex } from "./manifest-index.js";
import { NodeText } from "./node-digest.js";

/** Digests by node id: a Map, or any lookup made as asked. */
export type ByNodeId = Pick<ReadonlyMap<string, string>, "get">;

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

/**
 * Each node's key of what its manifest entry is built from: the node, the relations it reads
 * (its checksums write them as node ids), its file's text (raw code, the macros it calls), the
 * project's macro files, package and folder ({@link sharedKey}), and for a source its
 * declaration. The node goes in by its `NodeText.entryDigest`, one for every run of the same
 * compile (so `compile` and a build of the same project key entries alike), taken from
 * `placeless` when given there (what the compile recorded, see `placelessDigest`): at 10,000
 * models, serializing every node for its key was a fifth of the manifest's write. A node
 * rendered again at run time (`renderAtRun`: its text is no longer the compile's) is hashed.
 * `digests` (by node id, of the nodes as given) spare a node serialized here its hash.
 * `recorded` gets each node's {@link rootlessDigest} (but a source's, or one rendered again at
 * run time). `previous`: keys known unchanged (see {@link reusableKeys}), taken as they are.
 */
export function entryKeys(
  project: Project,
  compiled: CompiledProject,
  shared: string,
  nodes: readonly CompiledNode[],
  digests?: ByNodeId,
  recorded?: Map<string, string>,
  previous?: ReadonlyMap<string, string>,
  {
    runId,
    rootless,
    placeless,
  }: {
    runId: string;
    rootless?: ByNodeId;
    placeless?: ByNodeId;
  } = {
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
      const given = n.renderAtRun ? undefined : digests?.get(n.id);
      // As the compile recorded it: the same for this run's node (see NodeText.placeless).
      const known = n.renderAtRun ? undefined : placeless?.get(n.id);
      // Serialized once, for every digest of it (30,000 nodes at 10,000), and only when needed.
      let text: NodeText | undefined;
      const node = (): NodeText => (text ??= new NodeText(n, given));
      if (recorded && !n.renderAtRun && n.kind !== "source")
        recorded.set(
          n.id,
          known ??
            (given === undefined ? undefined : rootless?.get(n.id)) ??
            node().rootless(project.dir, runId),
        );
      if (kept !== undefined) return [n.id, kept];
      // The node as every run of its compile has it (see NodeText.entryDigest).
      const key = known ?? node().entryDigest(project.dir, runId);
      // A source's file (YAML) is never a model's, singular test's or rule's: its key (made on
      // every run, a source has no compile digest) names none, without looking (the lookup read
      // every model file's text: at 10,000 models ~85 ms of a one-model build).
      const file = n.kind === "source" ? "" : fileKey(n.path);
      return [
        n.id,
        hash(
          "sha1",
          `${shared}\n${key}\n${n.dependsOn.map(relation).join(",")}\n${file}\n${sources.get(n.id) ?? ""}`,
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
export function sharedKey(project: Project, compiled: CompiledProject): string {
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
export function reusableKeys(
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
 * What a write of `compiled` can take from the previous manifest's `index` as it is, when both
 * are of the compile `compileKey` (the partial-parse header) as it made them (the index records
 * it as `keysCompile` only then: no node replaced, e.g. by `--defer`) and the shared part of the
 * keys is the same: the frame's key, and the key of each node with a placeless digest (not one
 * rendered again at run time). Such a node's key is made of that digest (the same in every run of
 * the compile), its dependencies' relations, its file and its source declaration: all the
 * compile's. Undefined when the index is of another compile.
 */
export function sameCompileKeys(
  index: ManifestIndex,
  at: ReadonlyMap<string, number>,
  compiled: CompiledProject,
  shared: string,
  compileKey: string | undefined,
  placeless: ByNodeId | undefined,
): { keys: Map<string, string>; frameInputs: string } | undefined {
  if (compileKey === undefined || placeless === undefined) return undefined;
  if (index.keysCompile !== compileKey || index.shared !== shared) return undefined;
  const keys = new Map<string, string>();
  for (const n of compiled.nodes) {
    const i = at.get(n.id);
    if (i !== undefined && !n.renderAtRun && placeless.get(n.id) !== undefined)
      keys.set(n.id, index.entries.keys[i]!);
  }
  return { keys, frameInputs: index.frameInputs };
}

/**
 * The nodes `source` claims edited since the compile `index` was written from (see
 * {@link ManifestSource}), when that is the index's compile and the keys' shared part is the
 * same; else undefined (nothing is taken from the index's keys).
 */
export function claimedEdits(
  index: ManifestIndex,
  shared: string,
  source: ManifestSource | undefined,
): ReadonlySet<string> | undefined {
  return index.shared === shared ? editsSince(source, index.compile) : undefined;
}
