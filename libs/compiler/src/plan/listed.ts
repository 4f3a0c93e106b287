import { tokenizeSql, type SqlToken } from "@sluice/dialects";

/**
 * `x in (sluice_listed((<subquery>)))`: an IN filter whose values a run may bind as a literal list
 * before the statement runs, so the engine prunes files by the filtered column's statistics (a
 * lake engine cannot prune a table's files with a subquery's values: it reads every partition).
 * Unbound, the call becomes the subquery itself (`x in (<subquery>)`), the same rows.
 *
 * The call must be the whole content of an IN list, and the subquery standalone (one column; it
 * may use window calls and `sluice_incremental_from()`, bound as the statement's). NULL values are
 * left out of a bound list: in a WHERE filter, `x in (…, NULL)` keeps the same rows.
 *
 * This pattern is only a cheap test before tokenizing: most statements have no call.
 */
const LISTED_OPEN = /\bsluice_listed\(\s*\(/i;

/** One `sluice_listed((…))` call in a statement: where it is and its subquery's text. */
interface ListedCall {
  start: number;
  end: number;
  subquery: string;
}

/**
 * The `sluice_listed((…))` calls of `sql`, in order, found by {@link tokenizeSql} (so a call's
 * name or parentheses inside a string, quoted name or comment are not taken for one); a call
 * whose parentheses do not close, or SQL the tokenizer refuses, gives none.
 */
function findListedCalls(sql: string): ListedCall[] {
  if (!LISTED_OPEN.test(sql)) return [];
  const tokens = tokenizeSql(sql);
  if (!Array.isArray(tokens)) return [];
  const calls: ListedCall[] = [];
  for (let i = 0; i + 2 < tokens.length; i++) {
    const [name, open, inner] = [tokens[i]!, tokens[i + 1]!, tokens[i + 2]!];
    if (name.kind !== "word" || name.text.toLowerCase() !== "sluice_listed") continue;
    if (open.kind !== "open" || inner.kind !== "open") continue;
    const close = closingToken(tokens, i + 2);
    // The call's own closing parenthesis follows the subquery's.
    if (close === undefined || tokens[close + 1]?.kind !== "close") continue;
    calls.push({
      start: name.offset,
      end: tokens[close + 1]!.offset + 1,
      subquery: sql.slice(inner.offset + 1, tokens[close]!.offset).trim(),
    });
    i = close + 1;
  }
  return calls;
}

/** The index of the token closing the parenthesis at `open`; undefined when it never closes. */
function closingToken(tokens: readonly SqlToken[], open: number): number | undefined {
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    if (tokens[i]!.kind === "open") depth++;
    else if (tokens[i]!.kind === "close" && --depth === 0) return i;
  }
  return undefined;
}

/** The subqueries of the `sluice_listed((…))` calls of `sql`, in order. */
export function listedSubqueries(sql: string): string[] {
  return findListedCalls(sql).map((c) => c.subquery);
}

/**
 * Replace each `sluice_listed((<subquery>))` with what `listed` gives for its subquery text (a
 * literal list, `DATE '2026-11-27', DATE '2026-11-26'`), or with the subquery itself.
 *
 * @example bindListed("where d in (sluice_listed((select d from t)))")
 * // "where d in (select d from t)"
 */
export function bindListed(sql: string, listed?: (subquery: string) => string | undefined): string {
  const calls = findListedCalls(sql);
  if (calls.length === 0) return sql;
  let out = "";
  let at = 0;
  for (const call of calls) {
    out += sql.slice(at, call.start) + (listed?.(call.subquery) ?? call.subquery);
    at = call.end;
  }
  return out + sql.slice(at);
}
