/**
 * `x in (sluice_listed((<subquery>)))`: an IN filter whose values a run may bind as a literal list
 * before the statement runs, so the engine prunes files by the filtered column's statistics (a
 * lake engine cannot prune a table's files with a subquery's values: it reads every partition).
 * Unbound, the call becomes the subquery itself (`x in (<subquery>)`), the same rows.
 *
 * The call must be the whole content of an IN list, and the subquery standalone (one column; it
 * may use window calls and `sluice_incremental_from()`, bound as the statement's). NULL values are
 * left out of a bound list: in a WHERE filter, `x in (…, NULL)` keeps the same rows.
 */
const LISTED_OPEN = /\bsluice_listed\(\s*\(/gi;

/** One `sluice_listed((…))` call in a statement: where it is and its subquery's text. */
interface ListedCall {
  start: number;
  end: number;
  subquery: string;
}

/** The `sluice_listed((…))` calls of `sql`, in order; a call whose parentheses do not close is left out. */
function findListedCalls(sql: string): ListedCall[] {
  const calls: ListedCall[] = [];
  for (const m of sql.matchAll(LISTED_OPEN)) {
    const inner = m.index + m[0].length;
    if (calls.length > 0 && m.index < calls.at(-1)!.end) continue;
    const close = closingParen(sql, inner);
    if (close === undefined) continue;
    // The call's own closing parenthesis follows the subquery's.
    const after = /^\s*\)/.exec(sql.slice(close + 1));
    if (!after) continue;
    calls.push({
      start: m.index,
      end: close + 1 + after[0].length,
      subquery: sql.slice(inner, close).trim(),
    });
  }
  return calls;
}

/**
 * The index of the `)` closing a parenthesis opened just before `from`, skipping string literals
 * and quoted identifiers; undefined when it never closes.
 */
function closingParen(sql: string, from: number): number | undefined {
  let depth = 1;
  for (let i = from; i < sql.length; i++) {
    const c = sql[i];
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      if (end < 0) return undefined;
      i = end;
    } else if (c === "(") depth++;
    else if (c === ")" && --depth === 0) return i;
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
