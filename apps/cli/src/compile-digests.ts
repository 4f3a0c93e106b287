import path from "node:path";
import type { CompiledProject } from "@sluice/compiler";
import { headerTie, readHeadedFile, writeHeadedFile } from "./headed-file.js";

/**
 * `target/compile_digests.json`: the compile memo's node digests (see `nodeDigests`) of the
 * compile `partial_parse.json` caches, so that a command reviving that compile has them too
 * (`--state` selection reuses the checksums of nodes whose digest the state recorded: see
 * `reusedChecksums`). Written by a compile that made them; read only when a selection needs
 * them, never by a command that does not.
 *
 * Format 2: a header line `[2, "<sha1 of the partial-parse header>"]` (see `headerTie`), then
 * the digests (base64: no newline), one line per node in the compiled project's order (empty:
 * none); format 1 held the lines as one JSON string. A file of another header (or format) is
 * not read.
 */
const FILE = "compile_digests.json";
const FORMAT = 2;

const headerOf = (cacheHeader: string): string => headerTie(FORMAT, cacheHeader);

/** Keep `digests` for the compile cached under `cacheHeader`; a read-only target/ is skipped. */
export function writeCompileDigests(
  targetDir: string,
  cacheHeader: string,
  compiled: CompiledProject,
  digests: ReadonlyMap<string, string>,
): void {
  const lines = compiled.nodes.map((n) => digests.get(n.id) ?? "");
  try {
    writeHeadedFile(path.join(targetDir, FILE), headerOf(cacheHeader), lines.join("\n"));
  } catch {
    // Only the reuse is lost: checksums are hashed.
  }
}

/**
 * The digests {@link writeCompileDigests} kept for the compile cached under `cacheHeader`, by
 * position in `compiled.nodes` (empty: none); undefined when missing, of another compile or not
 * of `compiled`'s nodes.
 *
 * @example readCompileDigests(ctx.targetDir, ctx.cacheHeader, ctx.compiled)?.[0]
 */
export function readCompileDigests(
  targetDir: string,
  cacheHeader: string,
  compiled: CompiledProject,
): string[] | undefined {
  return compileDigestLines(targetDir, cacheHeader, compiled.nodes.length);
}

/**
 * The lines {@link writeCompileDigests} kept for the compile cached under `cacheHeader`: the
 * digest of its i-th node (empty: none), for a compile of `count` nodes; undefined when missing,
 * of another compile or of another count.
 */
export function compileDigestLines(
  targetDir: string,
  cacheHeader: string,
  count: number,
): string[] | undefined {
  try {
    const kept = readHeadedFile(path.join(targetDir, FILE));
    if (kept?.header !== headerOf(cacheHeader)) return undefined;
    const lines = count === 0 ? [] : kept.body.split("\n");
    return lines.length === count ? lines : undefined;
  } catch {
    return undefined;
  }
}
