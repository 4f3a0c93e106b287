import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { checksumParts, nodeChecksums } from "@sluice/compiler";
import type { CompiledProject, NodeChecksums } from "@sluice/compiler";
import type { Project } from "@sluice/project";
import type { StateNode } from "./read-state.js";

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

function readKeyed(file: string, key: string): unknown {
  try {
    const text = readFileSync(file, "utf8");
    const newline = text.indexOf("\n");
    if (text.slice(0, newline) !== key) return undefined;
    return JSON.parse(text.slice(newline + 1));
  } catch {
    return undefined;
  }
}

function writeKeyed(file: string, key: string, value: unknown): void {
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(`${file}.tmp`, `${key}\n${JSON.stringify(value)}`);
    renameSync(`${file}.tmp`, file);
  } catch {
    // A read-only project works, only without the cache.
  }
}

/** One node in a cache line: id, checksums (space-separated, in {@link checksumParts} order), relation, kind, materialization, location. */
type NodeRow = [string, string, string, string, string, string, string];

const packSums = (sums: Partial<NodeChecksums>): string =>
  checksumParts.map((p) => sums[p] ?? "").join(" ");

function unpackSums(packed: string): Partial<NodeChecksums> {
  const values = packed.split(" ");
  const out: Partial<NodeChecksums> = {};
  checksumParts.forEach((p, i) => {
    if (values[i]) out[p] = values[i];
  });
  return out;
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
    const cached = readKeyed(file, key) as { adapter: string; nodes: NodeRow[] } | undefined;
    if (cached)
      return {
        adapter: cached.adapter,
        nodes: new Map(
          cached.nodes.map(([id, sums, schema, name, kind, materialization, location]) => [
            id,
            {
              checksums: unpackSums(sums),
              relation: { schema, name },
              kind,
              ...(materialization ? { materialization } : {}),
              ...(location ? { location } : {}),
            },
          ]),
        ),
      };
  }
  const read = await readManifestNodes();
  if (file && key) {
    const rows = [...read.nodes].map(([id, n]): NodeRow => {
      const { schema, name } = n.relation;
      return [
        id,
        packSums(n.checksums),
        schema,
        name,
        n.kind,
        n.materialization ?? "",
        n.location ?? "",
      ];
    });
    writeKeyed(file, key, { adapter: read.adapter, nodes: rows });
  }
  return read;
}

/**
 * This project's {@link nodeChecksums}, from `<targetDir>/state_checksums.json` when it was
 * computed for the same compile (`compileKey`: the partial-parse header, which changes with any
 * project file, flag, environment variable read or sluice build), else computed and kept there.
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
    const cached = readKeyed(file, key) as [string, string][] | undefined;
    if (cached) return new Map(cached.map(([id, sums]) => [id, unpackSums(sums) as NodeChecksums]));
  }
  const sums = nodeChecksums(project, compiled);
  if (key)
    writeKeyed(
      file,
      key,
      [...sums].map(([id, s]) => [id, packSums(s)]),
    );
  return sums;
}
