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

function closingQuote(sql: string, from: number, quote: string): number {
  let k = from + 1;
  while (k < sql.length) {
    if (sql[k] !== quote) k++;
    else if (sql[k + 1] === quote) k += 2;
    else return k;
  }
  return -1;
}

/** The kinds of {@link SqlToken}, numbered as {@link SqlTokenSpans.kinds} holds them. */
export const sqlTokenKinds = [
  "word",
  "string",
  "quoted",
  "comment",
  "open",
  "close",
  "semicolon",
  "other",
] as const satisfies readonly SqlToken["kind"][];

/**
 * The tokens of {@link tokenizeSql} as parallel arrays: token `k` is `sqlTokenKinds[kinds[k]]`,
 * `sql.slice(starts[k], ends[k])`. No object or string per token, for callers that scan every
 * model's SQL of a compile and look at few tokens' text.
 */
export interface SqlTokenSpans {
  count: number;
  kinds: number[];
  starts: number[];
  ends: number[];
}

/** Indexes into {@link sqlTokenKinds} of the kinds callers look for. */
export const WORD = 0;
export const COMMENT = 3;
export const OPEN = 4;
export const CLOSE = 5;
const [STRING, QUOTED, SEMICOLON, OTHER] = [1, 2, 6, 7];

/**
 * {@link tokenizeSql}'s tokens as {@link SqlTokenSpans}, or its problem.
 *
 * `into`, when given, is filled and returned instead of new arrays: a caller that scans text
 * after text and reads each scan before the next reuses one set (entries from `count` on are
 * left from earlier scans; on a problem, `into` holds a partial scan).
 *
 * @example
 * const spans = scanSqlTokens("f(x)") as SqlTokenSpans; // spans.count === 4, spans.kinds[1] === 4
 */
export function scanSqlTokens(sql: string, into?: SqlTokenSpans): SqlTokenSpans | SqlTextProblem {
  const spans = into ?? { count: 0, kinds: [], starts: [], ends: [] };
  const { kinds, starts, ends } = spans;
  let count = 0;
  // One loop without a closure per character: this runs over every model's SQL of a compile.
  let i = 0;
  while (i < sql.length) {
    const code = sql.charCodeAt(i);
    const at = i;
    let kind: number;
    let end: number;
    if (isBlank(code, sql, i)) {
      i++;
      continue;
    } else if (code === 0x27 || code === 0x22 || code === 0x60) {
      const close = closingQuote(sql, i, sql[i]!);
      const what = code === 0x27 ? "string" : "quoted name";
      if (close === -1) return { message: `unterminated ${what}`, offset: at };
      kind = code === 0x27 ? STRING : QUOTED;
      end = close + 1;
    } else if (code === 0x2d && sql.charCodeAt(i + 1) === 0x2d) {
      const nl = sql.indexOf("\n", i);
      kind = COMMENT;
      end = nl === -1 ? sql.length : nl;
    } else if (code === 0x2f && sql.charCodeAt(i + 1) === 0x2a) {
      const close = sql.indexOf("*/", i + 2);
      if (close === -1) return { message: "unterminated /* comment", offset: at };
      kind = COMMENT;
      end = close + 2;
    } else if (code === 0x28 || code === 0x29 || code === 0x3b) {
      kind = code === 0x28 ? OPEN : code === 0x29 ? CLOSE : SEMICOLON;
      end = i + 1;
    } else {
      end = wordEnd(sql, i);
      kind = end > i ? WORD : OTHER;
      if (end === i) end = i + 1;
    }
    kinds[count] = kind;
    starts[count] = at;
    ends[count++] = end;
    i = end;
  }
  spans.count = count;
  return spans;
}

/** The end of the word (`[A-Za-z_][A-Za-z0-9_$]*`) at `i`, or `i` when none starts there. */
function wordEnd(sql: string, i: number): number {
  const first = sql.charCodeAt(i);
  if (!(isLetter(first) || first === 0x5f)) return i;
  let k = i + 1;
  for (; k < sql.length; k++) {
    const c = sql.charCodeAt(k);
    if (!(isLetter(c) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x24)) break;
  }
  return k;
}

const isLetter = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/**
 * Split SQL into words, '…' strings ('' escapes), "…" and `…` quoted identifiers, comments
 * (-- and /* *\/), parentheses and semicolons. Whitespace is dropped; everything else is
 * "other". An unterminated string, identifier or block comment is a problem, not a token.
 *
 * @example
 * tokenizeSql("a = 'x;y'").map((t) => t.kind); // ["word", "other", "string"]
 */
export function tokenizeSql(sql: string): SqlToken[] | SqlTextProblem {
  const spans = scanSqlTokens(sql);
  if (isSqlTextProblem(spans)) return spans;
  const tokens: SqlToken[] = [];
  for (let k = 0; k < spans.count; k++) {
    const offset = spans.starts[k]!;
    tokens.push({
      kind: sqlTokenKinds[spans.kinds[k]!]!,
      text: sql.slice(offset, spans.ends[k]),
      offset,
    });
  }
  return tokens;
}

/** `/\s/` of the character at `i`, without a regex for ASCII. */
function isBlank(code: number, sql: string, i: number): boolean {
  if (code < 0x80) return code === 0x20 || (code >= 0x09 && code <= 0x0d);
  return /\s/.test(sql[i]!);
}

/** Whether {@link tokenizeSql} or {@link scanSqlTokens} failed. */
export function isSqlTextProblem<T>(x: T | SqlTextProblem): x is SqlTextProblem {
  return typeof (x as Partial<SqlTextProblem>).message === "string";
}
