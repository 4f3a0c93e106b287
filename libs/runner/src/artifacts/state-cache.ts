import { statSync } from "node:fs";
import path from "node:path";
import { checksumParts, PackedById, sharedPackedChecksums } from "@sluice/compiler/run-time";
import type {
  ChecksumPart,
  ChecksumReuse,
  CompiledProject,
  PackedChecksums,
} from "@sluice/compiler";
import type { Project } from "@sluice/project";
import { readKeyed, writeKeyedText } from "./keyed-file.js";
import { rowColumns, StateNodes } from "./state-nodes.js";
import type { NodeColumns } from "./state-nodes.js";
import { compileKeyOf, readStateSidecar, sidecarManifestRows } from "./state-sidecar.js";
import type { NodeRow, SidecarBody, SidecarValue } from "./state-sidecar.js";

/**
 * Caches of what `--state` compares, under this project's `target/`, so that selecting with the
 * same state again costs a small read instead of parsing the state's manifest (100 MB at 10,000
 * models) and hashing every node: `state_manifest.json` (the state manifest's nodes, keyed by its
 * path, size, time and inode) and `state_checksums.json` (this project's checksums, keyed by the
 * partial-parse header of the compile they came from). Each file is a key line, then the value:
 * for state_manifest.json `{"adapter", "count", "columns": [...]}` (the rows as `NodeColumns`:
 * 7 strings to parse, not 30,000 rows of 7), or `{"adapter", "nodes": [NodeRow, ...]}` when a
 * field holds a newline; for state_checksums.json `{"count", "sums"}` (the packed checksums, a
 * line each in the compiled project's node order), or `[[id, packed checksums], ...]`. A cache
 * that cannot be read or written is ignored: the work is done again. state_manifest.json's value
 * holds the state's compile digests too (`digests`, see `StateDigests`) since its format 4;
 * format 3 is not read (its key names the format).
 */
const FORMAT = 4;
/**
 * Of state_checksums.json: 4 keeps the checksums alone, in the compiled project's node order (the
 * compile key fixes it); 3 (ids and checksums as two columns) is not read, but made again.
 */
const CHECKSUMS_FORMAT = 4;
/** Files modified this recently are not trusted to a key (as git treats "racily clean" files). */
const RACY_MS = 2000;

/** The value kept in `file` under `key`; undefined when missing, unreadable or of another key. */
function readUnder(file: string, key: string): unknown {
  const kept = readKeyed(file);
  try {
    return kept?.key === key ? kept.value() : undefined;
  } catch {
    return undefined;
  }
}

/** Keep `value` in `file` under `key`; a read-only project works, only without the cache. */
const keepUnder = (file: string, key: string, value: unknown): void =>
  keepTextUnder(file, key, JSON.stringify(value));

/** {@link keepUnder} of a value given as its JSON text. */
function keepTextUnder(file: string, key: string, json: string): void {
  try {
    writeKeyedText(file, key, json);
  } catch {
    // The work is done again next time.
  }
}

/**
 * The state manifest's nodes as {@link readManifestRows} reads them, from
 * `<cacheDir>/state_manifest.json` when it was made from the same file (path, size, modification
 * time, inode), else read and kept there: from the manifest's sidecar when it describes this
 * very manifest, else by `readManifestRows` (the manifest's state index, or its entries).
 */
export async function cachedManifestNodes(
  manifestFile: string,
  cacheDir: string | undefined,
  readManifestRows: () => Promise<SidecarValue>,
): Promise<{ adapter: string; nodes: StateNodes }> {
  const file = cacheDir && path.join(cacheDir, "state_manifest.json");
  let key: string | undefined;
  try {
    const s = statSync(manifestFile);
    if (Date.now() - s.mtimeMs > RACY_MS)
      key = JSON.stringify([FORMAT, path.resolve(manifestFile), s.size, s.mtimeMs, s.ino]);
  } catch {
    // Missing: readManifestRows says so.
  }
  if (file && key) {
    const cached = readUnder(file, key) as (NodeColumns & SidecarBody) | undefined;
    try {
      if (cached)
        return {
          adapter: cached.adapter,
          nodes: new StateNodes(cached.columns ? cached : cached.nodes, cached.digests),
        };
    } catch {
      // Not what was written: read again.
    }
  }
  // The sidecar's value as it is (columns are kept as they came); one that does not hold
  // whole rows or columns is passed over for the manifest.
  const sidecar = sidecarManifestRows(path.dirname(manifestFile));
  let read: SidecarValue | undefined = sidecar?.value;
  let nodes: StateNodes | undefined;
  try {
    if (read) nodes = new StateNodes("nodes" in read ? read.nodes : read, read.digests);
  } catch {
    read = undefined;
  }
  if (!read || !nodes) {
    read = await readManifestRows();
    nodes = new StateNodes("nodes" in read ? read.nodes : read, read.digests);
  }
  if (file && key) {
    if (sidecar && read === sidecar.value && !("nodes" in read)) {
      // Its columns with the adapter, as this cache keeps them: the text copied, not written
      // again from the parsed value (5 MB at 10,000 models).
      keepTextUnder(file, key, sidecar.text);
    } else {
      const columns = "nodes" in read ? rowColumns(read.nodes) : read;
      const { adapter, digests } = read;
      keepUnder(
        file,
        key,
        columns ? { ...columns, adapter, ...(digests ? { digests } : {}) } : read,
      );
    }
  }
  return { adapter: read.adapter, nodes };
}

/**
 * This project's checksums (see `nodeChecksums`), packed (see `packChecksums`), by node id:
 * from `<targetDir>/state_checksums.json` when they were computed for the same compile
 * (`compileKey`: the partial-parse header, which changes with any project file, flag,
 * environment variable read or sluice build), else from the sidecar of
 * `<targetDir>/manifest.json` when the manifest was written from that compile (compile and build
 * write it), else computed and kept in state_checksums.json. Without a key (an uncached
 * compile) they are computed and not kept. Computed, only `parts` are (the others empty: see
 * `partChecksums`); read, every part may be there. `reuse` gives what computing may take from a
 * state instead of hashing (see `reusedChecksums`), asked for only when computing.
 *
 * @example cachedChecksums(project, compiled, "project/target", ctx.cacheHeader).get("model.funnel")
 */
export function cachedChecksums(
  project: Project,
  compiled: CompiledProject,
  targetDir: string,
  compileKey: string | undefined,
  parts: readonly ChecksumPart[] = checksumParts,
  reuse?: () => ChecksumReuse | undefined,
): ReadonlyMap<string, string> {
  const file = path.join(targetDir, "state_checksums.json");
  // Kept with the parts they hold: those answer a selector of the same parts or fewer.
  const keyOf = (of: readonly ChecksumPart[]) =>
    compileKey &&
    JSON.stringify([CHECKSUMS_FORMAT, compileKey, checksumParts.filter((p) => of.includes(p))]);
  if (compileKey) {
    const kept = readKeyed(file);
    try {
      const [format, compile, held] = JSON.parse(kept?.key ?? "null") as [number, string, unknown];
      if (
        format === CHECKSUMS_FORMAT &&
        compile === compileKey &&
        Array.isArray(held) &&
        parts.every((p) => held.includes(p))
      ) {
        const sums = keptChecksums(kept!.value() as KeptSums | [string, string][], compiled);
        if (sums) return sums;
      }
    } catch {
      // Not what was written: computed again.
    }
  }
  // Kept too when the sidecar answers: the next selection reads 1 string, not 30,000 rows.
  const read = compileKey ? sidecarChecksums(targetDir, compileKey, compiled) : undefined;
  const key = keyOf(read ? checksumParts : parts);
  // Hashed once per process: a manifest written next by the same command reuses them.
  const out = read ?? sharedPackedChecksums(project, compiled, parts, reuse?.());
  if (key) {
    // Computed, they are in node order already: read so, not looked up by id.
    const rows = (out as PackedChecksums).rows;
    const sums =
      rows && rows.ids.length === compiled.nodes.length && rows.ids.every(nodeAt(compiled))
        ? rows.sums
        : compiled.nodes.map((n) => out.get(n.id));
    const inOrder =
      out.size === sums.length && sums.every((v) => v !== undefined && !v.includes("\n"));
    keepUnder(file, key, inOrder ? { count: sums.length, sums: sums.join("\n") } : [...out]);
  }
  return out;
}

/** Whether `id` is the id of `compiled`'s node at `i`. */
const nodeAt =
  (compiled: CompiledProject) =>
  (id: string, i: number): boolean =>
    compiled.nodes[i]?.id === id;

/** state_checksums.json's value: each node's checksums, a line each, in the compile's node order. */
interface KeptSums {
  count: number;
  sums: string;
}

/**
 * Checksums by id from state_checksums.json's value (either form) for `compiled` (the compile its
 * key names); undefined if malformed.
 */
function keptChecksums(
  value: KeptSums | [string, string][],
  compiled: CompiledProject,
): ReadonlyMap<string, string> | undefined {
  if (Array.isArray(value)) return new Map(value);
  const { count, sums } = value;
  if (count !== compiled.nodes.length || typeof sums !== "string") return undefined;
  const lines = count === 0 ? [] : sums.split("\n");
  if (lines.length !== count) return undefined;
  // In node order: a selection reads them by position (see `PackedChecksums`).
  return PackedById.ofNodes(compiled.nodes, lines);
}

/** Checksums by id from a sidecar's columns (ids, then checksums); undefined if malformed. */
function checksumsOf({ count, columns }: NodeColumns): Map<string, string> | undefined {
  const ids = count === 0 ? [] : (columns[0]?.split("\n") ?? []);
  const sums = count === 0 ? [] : (columns[1]?.split("\n") ?? []);
  if (ids.length !== count || sums.length !== count) return undefined;
  const out = new Map<string, string>();
  ids.forEach((id, i) => out.set(id, sums[i]!));
  return out;
}

/**
 * The checksums recorded in `<targetDir>/manifest.state.json` when the manifest was written from
 * the compile `compileKey` names and holds every node of `compiled`; else undefined.
 */
function sidecarChecksums(
  targetDir: string,
  compileKey: string,
  compiled: CompiledProject,
): Map<string, string> | undefined {
  const sidecar = readStateSidecar(targetDir);
  // The key first: a sidecar of another compile is not parsed (5 MB at 10,000 models).
  if (sidecar?.key.compile !== compileKeyOf(compileKey)) return undefined;
  let rows: Map<string, string> | undefined;
  try {
    const value = sidecar.value();
    rows =
      "nodes" in value
        ? new Map(value.nodes.map((r: NodeRow) => [r[0], r[1]]))
        : checksumsOf({ count: value.count, columns: value.columns });
  } catch {
    return undefined;
  }
  return rows && compiled.nodes.every((n) => rows.has(n.id)) ? rows : undefined;
}
