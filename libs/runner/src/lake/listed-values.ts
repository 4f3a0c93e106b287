import { bindWindowReads, listedSubqueries, type WindowReads } from "@sluice/compiler/plan";
import type { LakeDialect } from "@sluice/dialects";
import type { QueryResult } from "@sluice/engines";
import type { PublishedVersions } from "../incremental/window-reads.js";

/** More distinct values than this and `sluice_listed((…))` keeps its subquery. */
export const MAX_LISTED_VALUES = 1000;

/**
 * The window reads of a statement with its `sluice_listed((subquery))` calls bound: each subquery
 * runs first (its own window calls bound as the statement's) and its distinct values become a
 * literal list, so the engine prunes the filtered table's files by their statistics instead of
 * reading every partition of its history. The subquery stays (the same rows, read in full) when
 * it fails, returns more than {@link MAX_LISTED_VALUES} values or a type without a literal.
 * `memo` keeps each subquery's list for the node's later statements (probe, then write); `run`
 * keeps them (as soon as asked: one query for nodes asking at once) for the run's later nodes, keyed by the bound subquery and the versions published in
 * this run of the relations it names. A node runs after everything it reads, so what a subquery
 * reads changes later in the run only by a publish of one of those relations (e.g. a node's own
 * table that a later node's subquery reads), which changes the key.
 */
export async function withListedValues(
  sql: string,
  reads: WindowReads,
  dialect: LakeDialect,
  execute: (sql: string) => Promise<QueryResult>,
  memo: Map<string, string | undefined>,
  run?: { values: Map<string, Promise<string | undefined>>; published?: PublishedVersions },
): Promise<WindowReads> {
  const subqueries = listedSubqueries(sql);
  if (subqueries.length === 0) return reads;
  const list = async (bound: string): Promise<string | undefined> => {
    const query = dialect.listedValuesQuery(bound, MAX_LISTED_VALUES + 1);
    const result = await execute(query).catch(() => undefined);
    return result && literalList(result, dialect);
  };
  for (const subquery of subqueries) {
    if (memo.has(subquery)) continue;
    const bound = bindWindowReads(subquery, reads);
    const key = run && runKey(bound, run.published);
    if (key === undefined) {
      memo.set(subquery, await list(bound));
      continue;
    }
    // Kept as it is asked, not when it answers: nodes running side by side (the marts) that list
    // the same values send one query.
    let values = run!.values.get(key);
    if (values === undefined) run!.values.set(key, (values = list(bound)));
    memo.set(subquery, await values);
  }
  return { ...reads, listed: (subquery) => memo.get(subquery) };
}

/** A bound subquery with the versions published in this run of the relations whose names it holds. */
function runKey(bound: string, published: PublishedVersions | undefined): string {
  const versions = [...(published ?? [])]
    .filter(([relation]) => bound.includes(relation))
    .map(([relation, { location }]) => `${relation}=${location}`)
    .sort();
  return [bound, ...versions].join("\0");
}

/** The rows of a `listedValuesQuery` as a literal list (`NULL` for none), or undefined. */
function literalList(result: QueryResult, dialect: LakeDialect): string | undefined {
  if (result.rows.length > MAX_LISTED_VALUES) return undefined;
  const literals: string[] = [];
  for (const row of result.rows) {
    const literal = dialect.listedLiteral(String(row["t"]), String(row["s"]));
    if (literal === undefined) return undefined;
    literals.push(literal);
  }
  // No value: `x in (NULL)` keeps no row in a WHERE filter, as the empty subquery did.
  return literals.length === 0 ? "NULL" : literals.sort().join(", ");
}
