import path from "node:path";
import type { CompiledNode } from "@sluice/compiler";
import { factRowOf } from "./fact-nodes.js";
import type { FactRow } from "./fact-nodes.js";
import { headerTie, readHeadedFile, writeHeadedFile } from "./headed-file.js";

/**
 * `target/compile_facts.json`: each node's {@link FactRow} of the compile `partial_parse.json`
 * caches, so that `compile` after an edit of model SQL revives the nodes it does not render
 * again as fact nodes (see fact-nodes.ts) instead of parsing 30,000 texts. Written with every
 * write of partial_parse.json (the full path and the fast path of sql-edit-compile.ts).
 *
 * Format 1: a header line `[1, "<sha1 of the partial-parse header>"]` (see `headerTie`), then one
 * line per node in the compiled project's order: its row as JSON (no raw newline). A file of
 * another header (or format) is not read.
 */
const FILE = "compile_facts.json";
const FORMAT = 1;

/**
 * Keep the facts of `nodes` (the compile cached under `cacheHeader`). `kept`: the facts read for
 * the compile `nodes` were revived from after an edit, and the positions whose node has the text
 * it had there (`same`: its memo segment was not rewritten): their lines are taken as they are
 * (a fact node is always of those). Nothing is kept when the file cannot be written (a
 * read-only target/: the next edit parses every node).
 */
export function writeCompileFacts(
  targetDir: string,
  cacheHeader: string,
  nodes: readonly CompiledNode[],
  kept?: { facts: CompileFacts; same: (at: number) => boolean },
): void {
  const lines = kept?.facts.lines;
  // Written as pieces (see writeHeadedFile): at 30,000 nodes, no array of lines nor their 3 MB
  // joined (a cold compile's heap is ~400 MB: what it allocates, it pays for in collections).
  function* body(): Generator<string> {
    for (let at = 0; at < nodes.length; at++) {
      if (at > 0) yield "\n";
      yield lines !== undefined && kept!.same(at)
        ? lines[at]!
        : JSON.stringify(factRowOf(nodes[at]!));
    }
  }
  try {
    writeHeadedFile(path.join(targetDir, FILE), headerTie(FORMAT, cacheHeader), body());
  } catch {
    // Only the shortcut is lost.
  }
}

/** The facts {@link writeCompileFacts} kept: their lines by position, and rows when asked for. */
export interface CompileFacts {
  lines: string[];
  rows(): FactRow[];
}

/**
 * The facts kept for the compile cached under `cacheHeader`, of `count` nodes; undefined when
 * missing, of another compile or another count.
 */
export function readCompileFacts(
  targetDir: string,
  cacheHeader: string,
  count: number,
): CompileFacts | undefined {
  try {
    const kept = readHeadedFile(path.join(targetDir, FILE));
    if (kept?.header !== headerTie(FORMAT, cacheHeader)) return undefined;
    const body = kept.body;
    const lines = count === 0 ? [] : body.split("\n");
    if (lines.length !== count) return undefined;
    let rows: FactRow[] | undefined;
    // One parse of all rows (a parse per line costs more).
    const parse = () => JSON.parse(`[${body.replaceAll("\n", ",")}]`) as FactRow[];
    return { lines, rows: () => (rows ??= count === 0 ? [] : parse()) };
  } catch {
    return undefined;
  }
}
