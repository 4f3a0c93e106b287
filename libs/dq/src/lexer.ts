import type { DqPosition } from "./ast.js";

export type TokenKind =
  | "ident"
  | "int"
  | "decimal"
  | "string"
  | "date"
  | "time"
  | "miltime"
  | "now"
  | "keyword"
  | "punct"
  | "eof";

export interface Token {
  kind: TokenKind;
  /** The source text (for strings: with quotes). Keywords accepted in both cases are lower-cased here. */
  text: string;
  start: DqPosition;
  end: number;
}

/** A lexing or parsing error; internal to the parser, which turns it into a Diagnostic. */
export class DqSyntaxError extends Error {
  constructor(
    message: string,
    readonly at: DqPosition,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** Keywords spelled all-lower or all-upper; both spellings are one token. */
const eitherCase = new Set(["and", "or", "of", "null", "empty", "whitespaces_only"]);
/** Keywords with exactly one spelling. */
const exactKeywords = new Set([
  "between",
  "in",
  "not",
  "matches",
  "with",
  "where",
  "labels",
  "days",
  "hours",
  "minutes",
  "Rules",
  "Analyzers",
  "Metadata",
  "DataSources",
  "DefaultLabels",
  "B",
  "KB",
  "MB",
  "GB",
  "TB",
]);

const punctuation = new Set([
  "=",
  "!",
  ">",
  "<",
  "[",
  "]",
  "(",
  ")",
  "{",
  "}",
  ",",
  ":",
  "$",
  "+",
  "-",
  "*",
  "/",
]);

const isWordChar = (c: string): boolean => {
  const k = c.charCodeAt(0);
  return (
    (k >= 48 && k <= 57) || (k >= 65 && k <= 90) || (k >= 97 && k <= 122) || k === 95 || k === 46
  );
};
const digitsOnly = /^\d+$/;
const decimal = /^\d+\.\d+$/;

const datePattern = /^"\d{4}-\d{2}-\d{2}"/;
const timePattern = /^"\d{1,2}:\d{2} (AM|PM)"/;
const milTimePattern = /^"\d{2}:\d{2}"/;

/**
 * Split DQDL text into tokens, following the ANTLR lexer of awslabs/dqdl (longest match,
 * keywords win ties). Deviations: `\r` is whitespace (CRLF files) and a final `#` comment
 * may end at end of input.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const pos = (offset: number): DqPosition => ({ line, column: offset - lineStart + 1, offset });
  const advanceLines = (from: number, to: number) => {
    for (let k = from; k < to; k++) {
      if (text.charCodeAt(k) === 10) {
        line++;
        lineStart = k + 1;
      }
    }
  };
  const push = (
    kind: TokenKind,
    start: number,
    end: number,
    tokenText = text.slice(start, end),
  ) => {
    tokens.push({ kind, text: tokenText, start: pos(start), end });
    advanceLines(start, end);
    i = end;
  };

  while (i < text.length) {
    const c = text[i] as string;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      advanceLines(i, i + 1);
      i++;
      continue;
    }
    if (c === "#") {
      const nl = text.indexOf("\n", i);
      const end = nl === -1 ? text.length : nl + 1;
      advanceLines(i, end);
      i = end;
      continue;
    }
    if (c === '"') {
      const rest = text.slice(i, i + 12);
      const special: [TokenKind, RegExpExecArray | null][] = [
        ["date", datePattern.exec(rest)],
        ["time", timePattern.exec(rest)],
        ["miltime", milTimePattern.exec(rest)],
      ];
      const hit = special.find(([, m]) => m !== null);
      if (hit?.[1]) {
        push(hit[0], i, i + hit[1][0].length);
        continue;
      }
      let k = i + 1;
      while (k < text.length && text[k] !== '"') {
        k += text[k] === "\\" && (text[k + 1] === '"' || text[k + 1] === "\\") ? 2 : 1;
      }
      if (k >= text.length)
        throw new DqSyntaxError("unterminated string: expected a closing '\"'", pos(i));
      push("string", i, k + 1);
      continue;
    }
    if (text.startsWith("now()", i)) {
      push("now", i, i + 5);
      continue;
    }
    if (isWordChar(c)) {
      let k = i;
      while (k < text.length && isWordChar(text[k] as string)) k++;
      const word = text.slice(i, k);
      if (digitsOnly.test(word)) push("int", i, k);
      else if (decimal.test(word)) push("decimal", i, k);
      else if (exactKeywords.has(word)) push("keyword", i, k);
      else if (
        eitherCase.has(word.toLowerCase()) &&
        (word === word.toLowerCase() || word === word.toUpperCase())
      )
        push("keyword", i, k, word.toLowerCase());
      else push("ident", i, k);
      continue;
    }
    if (c === ">" || c === "<") {
      push("punct", i, text[i + 1] === "=" ? i + 2 : i + 1);
      continue;
    }
    if (punctuation.has(c)) {
      push("punct", i, i + 1);
      continue;
    }
    const hint = c === "'" ? "DQDL strings use double quotes" : undefined;
    throw new DqSyntaxError(`unexpected character ${shownCharacter(c)}`, pos(i), hint);
  }
  tokens.push({ kind: "eof", text: "", start: pos(text.length), end: text.length });
  return tokens;
}

/**
 * A character as an error shows it: quoted when it prints, its code point when it does not (a
 * NUL or another control character of a binary file shows as nothing between quotes).
 */
function shownCharacter(c: string): string {
  const code = c.codePointAt(0) ?? 0;
  return /[\p{Cc}\p{Cf}\p{Z}]/u.test(c) && c !== " "
    ? `U+${code.toString(16).toUpperCase().padStart(4, "0")}`
    : `'${c}'`;
}
