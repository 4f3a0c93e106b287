import path from "node:path";
import type { CompiledNode } from "@sluice/compiler";
import { decodeFacts, encodeFacts } from "./fact-encoding.js";
import { factColumnsOf, factRowAt, factRowOf, factsAreAt } from "./fact-nodes.js";
import type { FactColumns } from "./fact-nodes.js";
import { headerTie, readHeadedFile, writeHeadedFile } from "./headed-file.js";

/**
 * `target/compile_facts.json`: each node's {@link FactRow} of the compile `partial_parse.json`
 * caches, so that `compile` after an edit of model SQL revives the nodes it does not render
 * again as fact nodes (see fact-nodes.ts) instead of parsing 30,000 texts. Written with every
 * write of partial_parse.json (the full path and the fast path of sql-edit-compile.ts).
 *
 * Format 5: a header line `[5, "<sha1 of the partial-parse header>"]` (see `headerTie`), then the
 * rows as one JSON object of {@link FactColumns} (one array per member, each of one entry per
 * node, in the compiled project's order; what repeats written once, see fact-encoding.ts):
 * parsed, 30,000 rows are 15 arrays, not 30,000. A file of another header or format (format 1
 * held an array of row arrays, format 2 no facts for selectors and `ls`, format 3 no `reconcile`
 * for the run commands, format 4 each id and path written out) is not read: the compile it goes
 * with is done in full, and writes it again.
 */
const FILE = "compile_facts.json";
const FORMAT = 5;

/** The facts {@link readCompileFacts} read, with the text they were parsed from. */
export interface KeptFacts {
  facts: FactColumns;
  body: string;
}

/**
 * Keep the facts of `nodes` (the compile cached under `cacheHeader`): a fact node's as it was
 * made, another's from its members. One JSON text of all rows: at 30,000 nodes, a text per row
 * cost twice as much (a cold compile's heap is ~400 MB: what it allocates, it pays for). Nothing
 * is kept when the file cannot be written (a read-only target/: the next edit parses every node).
 *
 * `previous`: the rows of the compile `nodes` were revived from (after an edit of model SQL, see
 * sql-edit-compile.ts). When every row is equal to the one at its place there, the rows' text is
 * the text they were read from (this function wrote it, as `JSON.stringify` of equal rows), and
 * it is written again as it was instead of serializing 30,000 rows.
 */
export function writeCompileFacts(
  targetDir: string,
  cacheHeader: string,
  nodes: readonly CompiledNode[],
  previous?: KeptFacts,
): void {
  try {
    const rows =
      previous !== undefined && sameFacts(nodes, previous.facts)
        ? previous.body
        : JSON.stringify(encodeFacts(factColumnsOf(nodes)));
    writeHeadedFile(path.join(targetDir, FILE), headerTie(FORMAT, cacheHeader), rows);
  } catch {
    // Only the shortcut is lost.
  }
}

/** Whether `nodes`' rows are `facts`' rows, place by place, member by member. */
function sameFacts(nodes: readonly CompiledNode[], facts: FactColumns): boolean {
  if (nodes.length !== facts.id.length) return false;
  // Plain loops: destructuring and closures made this several times slower at 30,000 rows.
  for (let at = 0; at < nodes.length; at++) {
    // Most nodes are fact nodes made from these facts: told by identity, nothing made (run once,
    // on 30,000 nodes, this loop runs mostly unoptimized: each allocation shows).
    if (factsAreAt(nodes[at]!, facts, at)) continue;
    const was = factRowAt(facts, at);
    const now = factRowOf(nodes[at]!);
    if (now.length !== was.length) return false;
    for (let i = 0; i < now.length; i++) {
      const a = now[i];
      const b = was[i];
      if (a === b) continue;
      if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
      for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
    }
  }
  return true;
}

/**
 * The rows {@link writeCompileFacts} kept for the compile cached under `cacheHeader`, of `count`
 * nodes, and their text; undefined when missing, of another compile or another count.
 */
export function readCompileFacts(
  targetDir: string,
  cacheHeader: string,
  count: number,
): KeptFacts | undefined {
  try {
    const kept = readHeadedFile(path.join(targetDir, FILE));
    if (kept?.header !== headerTie(FORMAT, cacheHeader)) return undefined;
    const facts = decodeFacts(JSON.parse(kept.body), count);
    if (facts === undefined) return undefined;
    // A fact node's dependsOn is its facts': changed in place, it would change the facts
    // writeCompileFacts compares with, and the text written again would be stale. It throws.
    // The same for its tags.
    for (const dependsOn of facts.dependsOn) Object.freeze(dependsOn);
    for (const tags of facts.tags) Object.freeze(tags);
    return { facts, body: kept.body };
  } catch {
    return undefined;
  }
}
