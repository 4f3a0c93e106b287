import path from "node:path";
import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import type { ByNodeId } from "@sluice/runner";
import { headerTie, readHeadedFile, tieFormat, writeHeadedFile } from "./headed-file.js";

/**
 * `target/compile_digests.json`: the compile memo's node digests (see `nodeDigests`) of the
 * compile `partial_parse.json` caches, so that a command reviving that compile has them too, and
 * each node's rootless digest (see the runner's `rootlessDigest`: what a state records, so
 * `--state` selection reuses the checksums of nodes whose rootless digest the state recorded, see
 * `reusedChecksums`, without serializing 30,000 nodes to make them). Written by a compile that
 * made them; read (once, see {@link compileDigestLines}) by a command that needs them: a
 * selection against a state, and the writers of the manifest and the packed shards.
 *
 * The rootless digest is also the node's placeless digest (see the runner's `placelessDigest`),
 * the same for every run id the compile is revived with, unless the line says it has none: a
 * run of this compile keys its manifest entries by them (see `entryKeys`), as `compile` does,
 * without serializing the nodes.
 *
 * Format 4: a header line `[4, "<sha1 of the partial-parse header>"]` (see `headerTie`), then one
 * line per node in the compiled project's order: its digest (base64: no space or newline; empty:
 * none), then, when its rootless digest is another, a space and that; or a space and `!` when the
 * node has no placeless digest (its rootless digest is its digest). Format 3 had no `!`, format 2
 * held the digests alone, format 1 as one JSON string. A file of another header (or format) is
 * not read, but for the rootless digests of the digests it lists (a rootless digest is a function
 * of the node's text, which its digest names): a compile after an edit makes only its edited
 * nodes'.
 */
const FILE = "compile_digests.json";
const FORMAT = 4;

/** The second field of a node that has no placeless digest. */
const NO_PLACELESS = "!";

const headerOf = (cacheHeader: string): string => headerTie(FORMAT, cacheHeader);

/** How many digests a write looks up by scanning the previous lines before it maps them all. */
const SCANS = 8;

/** Each line's digest and its second field (undefined when the line holds one field). */
const fields = (line: string): [string, string | undefined] => {
  const space = line.indexOf(" ");
  return space < 0 ? [line, undefined] : [line.slice(0, space), line.slice(space + 1)];
};

/** Whether the line's second field (after the space at `space`) is {@link NO_PLACELESS}. */
const noPlaceless = (line: string, space: number): boolean =>
  line.length === space + 1 + NO_PLACELESS.length && line.endsWith(NO_PLACELESS);

// lineRootless and linePlaceless read the fields in place (no pair, no slice but the answer):
// the manifest's keys ask for every node's (30,000 at 10,000 models), twice.

/** A line's rootless digest: the digest but when the line names another. */
export const lineRootless = (line: string): string => {
  const space = line.indexOf(" ");
  if (space < 0) return line;
  return noPlaceless(line, space) ? line.slice(0, space) : line.slice(space + 1);
};

/** A line's placeless digest (the rootless one), undefined when it has none (or no digest). */
export const linePlaceless = (line: string): string | undefined => {
  const space = line.indexOf(" ");
  if (space < 0) return line === "" ? undefined : line;
  return space === 0 || noPlaceless(line, space) ? undefined : line.slice(space + 1);
};

/** A line's digest (see {@link fields}). */
export const lineDigest = (line: string): string => {
  const space = line.indexOf(" ");
  return space < 0 ? line : line.slice(0, space);
};

/**
 * Keep `digests` (by node id) for the compile cached under `cacheHeader`, with each node's
 * placeless digest: the previous file's for a digest it lists, else `placelessOf(node, digest)`
 * (undefined: none).
 * `previous`: the file's lines as {@link keptDigestLines} read them for the compile `compiled`
 * was revived from after an edit (its nodes in the same order): a node whose digest is its
 * line's keeps the line as it is (at 30,000 nodes, a map of every line's digest was most of the
 * write). Returns the lines by position (what {@link keptDigestLines} reads back: see
 * {@link lineRootless}, {@link linePlaceless}), or undefined when the file could not be written
 * (a read-only target/: checksums and manifest keys are hashed).
 */
export function writeCompileDigests(
  targetDir: string,
  cacheHeader: string,
  compiled: CompiledProject,
  digests: ReadonlyMap<string, string>,
  placelessOf: (node: CompiledNode, digest: string) => string | undefined,
  previous?: readonly string[],
): string[] | undefined {
  const file = path.join(targetDir, FILE);
  let known: Map<string, string> | undefined;
  // Each digest listed before, with its line's second field (read only for a line not kept).
  const knownSeconds = (): Map<string, string> => {
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
      const [digest, second] = fields(line);
      if (digest !== "") known.set(digest, second ?? digest);
    }
    return known;
  };
  // After an edit, the few lines not kept look their digest up in `previous` by a scan from the
  // end (the last line listing it, as the map keeps); the map of every line is made only when
  // more do (at 30,000 nodes, making it was most of a one-edit write).
  let scans = 0;
  const listed = (digest: string): string | undefined => {
    if (previous === undefined || known !== undefined || scans++ >= SCANS)
      return knownSeconds().get(digest);
    for (let at = previous.length - 1; at >= 0; at--) {
      const line = previous[at]!;
      if (line.startsWith(digest) && (line.length === digest.length || line[digest.length] === " "))
        return fields(line)[1] ?? digest;
    }
    return undefined;
  };
  const lines = compiled.nodes.map((n, at) => {
    const digest = digests.get(n.id) ?? "";
    const was = previous?.[at];
    if (was !== undefined && lineDigest(was) === digest) return was;
    if (digest === "") return "";
    const second = listed(digest) ?? placelessOf(n, digest) ?? NO_PLACELESS;
    return second === digest ? digest : `${digest} ${second}`;
  });
  try {
    writeHeadedFile(file, headerOf(cacheHeader), lines.join("\n"));
    return lines;
  } catch {
    // Only the reuse is lost: checksums are hashed.
    return undefined;
  }
}

/**
 * The lines {@link writeCompileDigests} kept for the compile `ctx` revived (its nodes as revived:
 * `nodes`), by position: those this command wrote, else read (once per command: kept in `ctx`);
 * undefined when there are none of that compile.
 *
 * @example compileDigestLines(ctx, ctx.compiled.nodes)?.map(lineRootless)
 */
export function compileDigestLines(
  ctx: { digestLines?: readonly string[]; cacheHeader?: string; targetDir: string },
  nodes: readonly CompiledNode[],
): readonly string[] | undefined {
  if (ctx.digestLines === undefined && ctx.cacheHeader !== undefined) {
    const lines = keptDigestLines(ctx.targetDir, ctx.cacheHeader, nodes.length);
    if (lines) ctx.digestLines = lines;
  }
  return ctx.digestLines;
}

/**
 * The digests, rootless and placeless digests of `lines` (a compile's, see
 * {@link compileDigestLines}) by node id, of the nodes of `compiled` that are still the objects
 * `asCompiled` (the same compile, as revived) holds at their position: a node replaced since
 * (`--defer`) has none. (A node rendered again at run time keeps them: the writers do not take a
 * compile's digests for it.) The lookup by id is made on the first ask (a one-edit compile asks
 * for a few nodes of 30,000).
 */
export function digestsByNode(
  lines: readonly string[],
  asCompiled: readonly CompiledNode[],
  compiled: CompiledProject,
): { digest: ByNodeId; rootless: ByNodeId; placeless: ByNodeId } {
  let at: Map<string, number> | undefined;
  const position = (id: string): number | undefined => {
    if (at === undefined) {
      const index =
        asCompiled === compiled.nodes ? undefined : new Map(asCompiled.map((n, i) => [n, i]));
      at = new Map();
      compiled.nodes.forEach((n, i) => {
        const p = index ? index.get(n) : i;
        if (p !== undefined) at!.set(n.id, p);
      });
    }
    return at.get(id);
  };
  const of = (read: (line: string) => string | undefined): ByNodeId => ({
    get: (id) => {
      const p = position(id);
      return p === undefined ? undefined : read(lines[p]!);
    },
  });
  return {
    digest: of((line) => lineDigest(line) || undefined),
    rootless: of(lineRootless),
    placeless: of(linePlaceless),
  };
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
