import path from "node:path";
import type { CompiledNode } from "@sluice/compiler";
import { factRowOf, isFactNode } from "./fact-nodes.js";
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
 * Keep the facts of `nodes` (the compile cached under `cacheHeader`). `kept`: the lines of the
 * facts read for the compile they were revived from, by position: a fact node's line is taken
 * as it is (fact nodes are made from the line at their position). Nothing is kept when the file
 * cannot be written (a read-only target/: the next edit parses every node).
 */
export function writeCompileFacts(
  targetDir: string,
  cacheHeader: string,
  nodes: readonly CompiledNode[],
  kept?: CompileFacts,
): void {
  const lines = kept?.lines();
  const body = nodes
    .map((n, at) =>
      lines !== undefined && isFactNode(n) ? lines[at]! : JSON.stringify(factRowOf(n)),
    )
    .join("\n");
  try {
    writeHeadedFile(path.join(targetDir, FILE), headerTie(FORMAT, cacheHeader), body);
  } catch {
    // Only the shortcut is lost.
  }
}

/** The facts {@link writeCompileFacts} kept: rows by position, and their lines when asked for. */
export interface CompileFacts {
  rows: FactRow[];
  lines(): string[];
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
    // One parse of all rows (a parse per line costs more).
    const rows = count === 0 ? [] : (JSON.parse(`[${body.replaceAll("\n", ",")}]`) as FactRow[]);
    if (rows.length !== count) return undefined;
    let lines: string[] | undefined;
    return { rows, lines: () => (lines ??= count === 0 ? [] : body.split("\n")) };
  } catch {
    return undefined;
  }
}
