import path from "node:path";
import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import { headerTie, readHeadedFile, tieFormat, writeHeadedFile } from "./headed-file.js";

/**
 * `target/compile_digests.json`: the compile memo's node digests (see `nodeDigests`) of the
 * compile `partial_parse.json` caches, so that a command reviving that compile has them too, and
 * each node's rootless digest (see the runner's `rootlessDigest`: what a state records, so
 * `--state` selection reuses the checksums of nodes whose rootless digest the state recorded, see
 * `reusedChecksums`, without serializing 30,000 nodes to make them). Written by a compile that
 * made them; read only when a selection needs them, never by a command that does not.
 *
 * Format 3: a header line `[3, "<sha1 of the partial-parse header>"]` (see `headerTie`), then one
 * line per node in the compiled project's order: its digest (base64: no space or newline; empty:
 * none), then, when its rootless digest is another, a space and that. Format 2 held the digests
 * alone, format 1 as one JSON string. A file of another header (or format) is not read, but for
 * the rootless digests of the digests it lists (a rootless digest is a function of the node's
 * text, which its digest names): a compile after an edit makes only its edited nodes'.
 */
const FILE = "compile_digests.json";
const FORMAT = 3;

const headerOf = (cacheHeader: string): string => headerTie(FORMAT, cacheHeader);

/** Each line's digest and rootless digest (the digest when the line holds one field). */
const fields = (line: string): [string, string] => {
  const space = line.indexOf(" ");
  return space < 0 ? [line, line] : [line.slice(0, space), line.slice(space + 1)];
};

/**
 * Keep `digests` (by node id) for the compile cached under `cacheHeader`, with each node's
 * rootless digest: the previous file's for a digest it lists, else `rootlessOf(node, digest)`.
 * Returns the rootless digests by position (what {@link readRootlessDigests} reads back), or
 * undefined when the file could not be written (a read-only target/: checksums are hashed).
 */
export function writeCompileDigests(
  targetDir: string,
  cacheHeader: string,
  compiled: CompiledProject,
  digests: ReadonlyMap<string, string>,
  rootlessOf: (node: CompiledNode, digest: string) => string,
): string[] | undefined {
  const file = path.join(targetDir, FILE);
  const known = new Map<string, string>();
  try {
    const kept = readHeadedFile(file);
    if (kept && tieFormat(kept.header) === FORMAT)
      for (const line of kept.body.split("\n")) {
        const [digest, rootless] = fields(line);
        if (digest !== "") known.set(digest, rootless);
      }
  } catch {
    // Nothing known: each is made.
  }
  const rootless = compiled.nodes.map((n) => {
    const digest = digests.get(n.id) ?? "";
    return digest === "" ? "" : (known.get(digest) ?? rootlessOf(n, digest));
  });
  const lines = compiled.nodes.map((n, at) => {
    const digest = digests.get(n.id) ?? "";
    return rootless[at] === digest ? digest : `${digest} ${rootless[at]}`;
  });
  try {
    writeHeadedFile(file, headerOf(cacheHeader), lines.join("\n"));
    return rootless;
  } catch {
    // Only the reuse is lost: checksums are hashed.
    return undefined;
  }
}

/**
 * The rootless digests {@link writeCompileDigests} kept for the compile cached under
 * `cacheHeader`, by position in `compiled.nodes` (empty: none); undefined when missing, of
 * another compile or not of `compiled`'s nodes.
 *
 * @example readRootlessDigests(ctx.targetDir, ctx.cacheHeader, ctx.compiled)?.[0]
 */
export function readRootlessDigests(
  targetDir: string,
  cacheHeader: string,
  compiled: CompiledProject,
): string[] | undefined {
  return keptLines(targetDir, cacheHeader, compiled.nodes.length)?.map((l) => fields(l)[1]);
}

/**
 * The digests {@link writeCompileDigests} kept for the compile cached under `cacheHeader`: the
 * digest of its i-th node (empty: none), for a compile of `count` nodes; undefined when missing,
 * of another compile or of another count.
 */
export function compileDigestLines(
  targetDir: string,
  cacheHeader: string,
  count: number,
): string[] | undefined {
  return keptLines(targetDir, cacheHeader, count)?.map((l) => fields(l)[0]);
}

/** The file's lines for the compile cached under `cacheHeader`, of `count` nodes. */
function keptLines(targetDir: string, cacheHeader: string, count: number): string[] | undefined {
  try {
    const kept = readHeadedFile(path.join(targetDir, FILE));
    if (kept?.header !== headerOf(cacheHeader)) return undefined;
    const lines = count === 0 ? [] : kept.body.split("\n");
    return lines.length === count ? lines : undefined;
  } catch {
    return undefined;
  }
}
