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
  // One loop without a closure per character: this runs over every model's SQL of a compile.
  let i = 0;
  while (i < sql.length) {
    const code = sql.charCodeAt(i);
    const at = i;
    let kind: SqlToken["kind"];
    let end: number;
    if (isBlank(code, sql, i)) {
      i++;
      continue;
    } else if (code === 0x27 || code === 0x22 || code === 0x60) {
      const ch = sql[i]!;
      const close = closingQuote(sql, i, ch);
      const what = code === 0x27 ? "string" : "quoted name";
      if (close === -1) return { message: `unterminated ${what}`, offset: at };
      kind = code === 0x27 ? "string" : "quoted";
      end = close + 1;
    } else if (code === 0x2d && sql.charCodeAt(i + 1) === 0x2d) {
      const nl = sql.indexOf("\n", i);
      kind = "comment";
      end = nl === -1 ? sql.length : nl;
    } else if (code === 0x2f && sql.charCodeAt(i + 1) === 0x2a) {
      const close = sql.indexOf("*/", i + 2);
      if (close === -1) return { message: "unterminated /* comment", offset: at };
      kind = "comment";
      end = close + 2;
    } else if (code === 0x28 || code === 0x29 || code === 0x3b) {
      kind = code === 0x28 ? "open" : code === 0x29 ? "close" : "semicolon";
      end = i + 1;
    } else {
      WORD.lastIndex = i;
      const word = WORD.exec(sql)?.[0];
      kind = word ? "word" : "other";
      end = i + (word?.length ?? 1);
    }
    tokens.push({ kind, text: sql.slice(at, end), offset: at });
    i = end;
  }
  return tokens;
}

/** `/\s/` of the character at `i`, without a regex for ASCII. */
function isBlank(code: number, sql: string, i: number): boolean {
  if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return /\s/.test(sql[i]!);
}

/** Whether {@link tokenizeSql} failed. */
export function isSqlTextProblem(x: SqlToken[] | SqlTextProblem): x is SqlTextProblem {
  return !Array.isArray(x);
}
