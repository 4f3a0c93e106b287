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

/** How many digests a write looks up by scanning the previous lines before it maps them all. */
const SCANS = 8;

/** Each line's digest and rootless digest (the digest when the line holds one field). */
const fields = (line: string): [string, string] => {
  const space = line.indexOf(" ");
  return space < 0 ? [line, line] : [line.slice(0, space), line.slice(space + 1)];
};

/** A line's digest (see {@link fields}). */
export const lineDigest = (line: string): string => {
  const space = line.indexOf(" ");
  return space < 0 ? line : line.slice(0, space);
};

/**
 * Keep `digests` (by node id) for the compile cached under `cacheHeader`, with each node's
 * rootless digest: the previous file's for a digest it lists, else `rootlessOf(node, digest)`.
 * `previous`: the file's lines as {@link keptDigestLines} read them for the compile `compiled`
 * was revived from after an edit (its nodes in the same order): a node whose digest is its
 * line's keeps the line as it is (at 30,000 nodes, a map of every line's digest was most of the
 * write). Returns the rootless digests by position (what {@link readRootlessDigests} reads
 * back), or undefined when the file could not be written (a read-only target/: checksums are
 * hashed).
 */
export function writeCompileDigests(
  targetDir: string,
  cacheHeader: string,
  compiled: CompiledProject,
  digests: ReadonlyMap<string, string>,
  rootlessOf: (node: CompiledNode, digest: string) => string,
  previous?: readonly string[],
): string[] | undefined {
  const file = path.join(targetDir, FILE);
  let known: Map<string, string> | undefined;
  // Each digest listed before, with its rootless digest (read only for a line not kept).
  const knownRootless = (): Map<string, string> => {
    if (known !== undefined) return known;
    known = new Map();
    let lines = previous;
    try {
      const kept = lines === undefined ? readHeadedFile(file) : undefined;
      if (kept && tieFormat(kept.header) === FORMAT) lines = kept.body.split("\n");
    } catch {
      // Nothing known: each is made.
    }
    for (const line of lines ?? []) {
      const [digest, rootless] = fields(line);
      if (digest !== "") known.set(digest, rootless);
    }
    return known;
  };
  // After an edit, the few lines not kept look their digest up in `previous` by a scan from the
  // end (the last line listing it, as the map keeps); the map of every line is made only when
  // more do (at 30,000 nodes, making it was most of a one-edit write).
  let scans = 0;
  const listed = (digest: string): string | undefined => {
    if (previous === undefined || known !== undefined || scans++ >= SCANS)
      return knownRootless().get(digest);
    for (let at = previous.length - 1; at >= 0; at--) {
      const line = previous[at]!;
      if (line.startsWith(digest) && (line.length === digest.length || line[digest.length] === " "))
        return fields(line)[1];
    }
    return undefined;
  };
  const rootless: string[] = [];
  const lines = compiled.nodes.map((n, at) => {
    const digest = digests.get(n.id) ?? "";
    const was = previous?.[at];
    if (was !== undefined && lineDigest(was) === digest) {
      rootless.push(fields(was)[1]);
      return was;
    }
    const made = digest === "" ? "" : (listed(digest) ?? rootlessOf(n, digest));
    rootless.push(made);
    return made === digest ? digest : `${digest} ${made}`;
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
  return keptDigestLines(targetDir, cacheHeader, compiled.nodes.length)?.map((l) => fields(l)[1]);
}

/**
 * The file's lines for the compile cached under `cacheHeader`, of `count` nodes (each a digest,
 * see {@link lineDigest}, and maybe a rootless digest); undefined when missing, of another
 * compile or of another count.
 */
export function keptDigestLines(
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
