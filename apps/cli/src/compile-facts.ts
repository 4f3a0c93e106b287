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
 * Format 1: a header line `[1, "<sha1 of the partial-parse header>"]` (see `headerTie`), then the
 * rows as one JSON array, in the compiled project's order. A file of another header (or format)
 * is not read.
 */
const FILE = "compile_facts.json";
const FORMAT = 1;

/**
 * Keep the facts of `nodes` (the compile cached under `cacheHeader`): a fact node's as it was
 * made, another's from its members. One JSON text of all rows: at 30,000 nodes, a text per row
 * cost twice as much (a cold compile's heap is ~400 MB: what it allocates, it pays for). Nothing
 * is kept when the file cannot be written (a read-only target/: the next edit parses every node).
 */
export function writeCompileFacts(
  targetDir: string,
  cacheHeader: string,
  nodes: readonly CompiledNode[],
): void {
  try {
    const rows = JSON.stringify(nodes.map(factRowOf));
    writeHeadedFile(path.join(targetDir, FILE), headerTie(FORMAT, cacheHeader), rows);
  } catch {
    // Only the shortcut is lost.
  }
}

/**
 * The rows {@link writeCompileFacts} kept for the compile cached under `cacheHeader`, of `count`
 * nodes; undefined when missing, of another compile or another count.
 */
export function readCompileFacts(
  targetDir: string,
  cacheHeader: string,
  count: number,
): FactRow[] | undefined {
  try {
    const kept = readHeadedFile(path.join(targetDir, FILE));
    if (kept?.header !== headerTie(FORMAT, cacheHeader)) return undefined;
    const rows = JSON.parse(kept.body) as unknown;
    return Array.isArray(rows) && rows.length === count ? (rows as FactRow[]) : undefined;
  } catch {
    return undefined;
  }
}
