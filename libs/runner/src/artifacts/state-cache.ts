import { statSync } from "node:fs";
import path from "node:path";
import { nodeChecksums } from "@sluice/compiler";
import type { CompiledProject, NodeChecksums } from "@sluice/compiler";
import type { Project } from "@sluice/project";
import { readKeyed, writeKeyed } from "./keyed-file.js";
import type { StateNode } from "./read-state.js";
import {
  compileKeyOf,
  nodeRow,
  packSums,
  readStateSidecar,
  rowNode,
  sidecarManifestNodes,
  unpackSums,
} from "./state-sidecar.js";
import type { NodeRow } from "./state-sidecar.js";

/**
 * Caches of what `--state` compares, under this project's `target/`, so that selecting with the
 * same state again costs a small read instead of parsing the state's manifest (100 MB at 10,000
 * models) and hashing every node: `state_manifest.json` (the state manifest's nodes, keyed by its
 * path, size, time and inode) and `state_checksums.json` (this project's checksums, keyed by the
 * partial-parse header of the compile they came from). Each file is a key line, then the value.
 * A cache that cannot be read or written is ignored: the work is done again.
 */
const FORMAT = 1;
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
function keepUnder(file: string, key: string, value: unknown): void {
  try {
    writeKeyed(file, key, value);
  } catch {
    // The work is done again next time.
  }
}

/**
 * The state manifest's nodes as {@link readManifestNodes} reads them, from
 * `<cacheDir>/state_manifest.json` when it was made from the same file (path, size, modification
 * time, inode), else read and kept there.
 */
export async function cachedManifestNodes(
  manifestFile: string,
  cacheDir: string | undefined,
  readManifestNodes: () => Promise<{ adapter: string; nodes: Map<string, StateNode> }>,
): Promise<{ adapter: string; nodes: Map<string, StateNode> }> {
  const file = cacheDir && path.join(cacheDir, "state_manifest.json");
  let key: string | undefined;
  try {
    const s = statSync(manifestFile);
    if (Date.now() - s.mtimeMs > RACY_MS)
      key = JSON.stringify([FORMAT, path.resolve(manifestFile), s.size, s.mtimeMs, s.ino]);
  } catch {
    // Missing: readManifestNodes says so.
  }
  if (file && key) {
    const cached = readUnder(file, key) as { adapter: string; nodes: NodeRow[] } | undefined;
    if (cached) return { adapter: cached.adapter, nodes: new Map(cached.nodes.map(rowNode)) };
  }
  // A state seen for the first time: its sidecar when it describes this very manifest, else the
  // manifest itself (dbt's, or one whose sidecar was not copied along).
  const read = sidecarManifestNodes(path.dirname(manifestFile)) ?? (await readManifestNodes());
  if (file && key) {
    const rows = [...read.nodes].map(([id, n]) => nodeRow(id, n));
    keepUnder(file, key, { adapter: read.adapter, nodes: rows });
  }
  return read;
}

/**
 * This project's {@link nodeChecksums}, from `<targetDir>/state_checksums.json` when it was
 * computed for the same compile (`compileKey`: the partial-parse header, which changes with any
 * project file, flag, environment variable read or sluice build), else from the sidecar of
 * `<targetDir>/manifest.json` when the manifest was written from that compile (compile and build
 * write it), else computed; kept in state_checksums.json either way.
 * Without a key (an uncached compile) they are computed and not kept.
 *
 * @example cachedChecksums(project, compiled, "project/target", ctx.cacheHeader).get("model.funnel")
 */
export function cachedChecksums(
  project: Project,
  compiled: CompiledProject,
  targetDir: string,
  compileKey: string | undefined,
): ReadonlyMap<string, NodeChecksums> {
  const file = path.join(targetDir, "state_checksums.json");
  const key = compileKey && JSON.stringify([FORMAT, compileKey]);
  if (key) {
    const cached = readUnder(file, key) as [string, string][] | undefined;
    if (cached) return new Map(cached.map(([id, sums]) => [id, unpackSums(sums) as NodeChecksums]));
  }
  const sums = (compileKey && sidecarChecksums(targetDir, compileKey, compiled)) || undefined;
  const out = sums ?? nodeChecksums(project, compiled);
  if (key)
    keepUnder(
      file,
      key,
      [...out].map(([id, s]) => [id, packSums(s)]),
    );
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
): Map<string, NodeChecksums> | undefined {
  const sidecar = readStateSidecar(targetDir);
  if (sidecar?.key.compile !== compileKeyOf(compileKey)) return undefined;
  const rows = new Map(sidecar.body.nodes.map((r: NodeRow) => [r[0], r[1]]));
  const out = new Map<string, NodeChecksums>();
  for (const n of compiled.nodes) {
    const packed = rows.get(n.id);
    if (packed === undefined) return undefined;
    out.set(n.id, unpackSums(packed) as NodeChecksums);
  }
  return out;
}
