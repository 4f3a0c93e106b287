/** One lexical piece of SQL text, as far as statement checks need it. */
export interface SqlToken {
  kind: "word" | "string" | "quoted" | "comment" | "open" | "close" | "semicolon" | "other";
  text: string;
  /** 0-based offset of the token in the text. */
  offset: number;
}

/** Why a piece of SQL text was refused; `offset` is 0-based in the checked text. */
export interface SqlTextProblem {
  message: string;
  offset: number;
}

const WORD = /[A-Za-z_][A-Za-z0-9_$]*/y;

function closingQuote(sql: string, from: number, quote: string): number {
  let k = from + 1;
  while (k < sql.length) {
    if (sql[k] !== quote) k++;
    else if (sql[k + 1] === quote) k += 2;
    else return k;
  }
  return -1;
}

/**
 * Split SQL into words, '…' strings ('' escapes), "…" and `…` quoted identifiers, comments
 * (-- and /* *\/), parentheses and semicolons. Whitespace is dropped; everything else is
 * "other". An unterminated string, identifier or block comment is a problem, not a token.
 *
 * @example
 * tokenizeSql("a = 'x;y'").map((t) => t.kind); // ["word", "other", "string"]
 */
export function tokenizeSql(sql: string): SqlToken[] | SqlTextProblem {
  const tokens: SqlToken[] = [];
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i] as string;
    const at = i;
    const push = (kind: SqlToken["kind"], end: number) => {
      tokens.push({ kind, text: sql.slice(at, end), offset: at });
      i = end;
    };
    if (/\s/.test(ch)) i++;
    else if (ch === "'" || ch === '"' || ch === "`") {
      const end = closingQuote(sql, i, ch);
      const what = ch === "'" ? "string" : "quoted name";
      if (end === -1) return { message: `unterminated ${what}`, offset: at };
      push(ch === "'" ? "string" : "quoted", end + 1);
    } else if (sql.startsWith("--", i)) {
      const nl = sql.indexOf("\n", i);
      push("comment", nl === -1 ? sql.length : nl);
    } else if (sql.startsWith("/*", i)) {
      const end = sql.indexOf("*/", i + 2);
      if (end === -1) return { message: "unterminated /* comment", offset: at };
      push("comment", end + 2);
    } else if (ch === "(" || ch === ")" || ch === ";") {
      push(ch === "(" ? "open" : ch === ")" ? "close" : "semicolon", i + 1);
    } else {
      WORD.lastIndex = i;
      const word = WORD.exec(sql)?.[0];
      push(word ? "word" : "other", i + (word?.length ?? 1));
    }
  }
  return tokens;
}

/** Whether {@link tokenizeSql} failed. */
export function isSqlTextProblem(x: SqlToken[] | SqlTextProblem): x is SqlTextProblem {
  return !Array.isArray(x);
}
