import { isSqlTextProblem, tokenizeSql, type SqlTextProblem, type SqlToken } from "./sql-tokens.js";

/**
 * Words that begin a statement which writes, reaches outside the query or changes the session.
 * Refused as bare words anywhere in checked text (quoted, they are plain names).
 */
export const WRITING_KEYWORDS: ReadonlySet<string> = new Set(
  (
    "DROP CREATE ALTER INSERT UPDATE DELETE MERGE UPSERT TRUNCATE COPY ATTACH DETACH INSTALL LOAD " +
    "PRAGMA SET RESET CALL EXPORT IMPORT VACUUM CHECKPOINT GRANT REVOKE BEGIN COMMIT ROLLBACK " +
    "ABORT PREPARE EXECUTE DEALLOCATE USE UNLOAD MSCK REFRESH"
  ).split(" "),
);

interface Shape {
  /** What the text is, for messages: "where clause", "CustomSql statement", "query". */
  what: string;
  /** Comments are refused (they could hide the rest of a wrapped text) or skipped. */
  comments: "refuse" | "skip";
  /** One expression (no `;` at all) or one statement (a single trailing `;` is allowed). */
  unit: "expression" | "statement";
  /** Allowed first words (after opening parentheses); none: any. */
  starts?: readonly string[];
}

function check(sql: string, shape: Shape): SqlTextProblem | undefined {
  const lexed = tokenizeSql(sql);
  if (isSqlTextProblem(lexed)) return lexed;
  const comment = lexed.find((t) => t.kind === "comment");
  const hides = `a comment in a ${shape.what} could hide the SQL after it`;
  const commentProblem =
    comment && shape.comments === "refuse" ? { message: hides, offset: comment.offset } : undefined;
  const tokens = lexed.filter((t) => t.kind !== "comment");
  while (shape.unit === "statement" && tokens.at(-1)?.kind === "semicolon") tokens.pop();
  const first = tokens.find((t) => t.kind !== "open");
  if (!first) return { message: `the ${shape.what} is empty`, offset: 0 };
  // The first problem in the text, so the position points at where it goes wrong; at the same
  // place, a wrong first word says most.
  const startProblem = shape.starts && wrongStart(first, shape.starts, shape.what);
  const problems = [startProblem, commentProblem, structureProblem(tokens, shape)];
  return [...problems, keywordProblem(tokens, shape.what)]
    .filter((p) => p !== undefined)
    .sort((a, b) => a.offset - b.offset)[0];
}

function wrongStart(first: SqlToken, starts: readonly string[], what: string) {
  if (first.kind === "word" && starts.includes(first.text.toUpperCase())) return undefined;
  const message = `a ${what} must start with ${starts.join(", ")}; found '${first.text}'`;
  return { message, offset: first.offset };
}

/** Statement separators and parentheses that close more than they open (or never close). */
function structureProblem(tokens: SqlToken[], shape: Shape): SqlTextProblem | undefined {
  const opened: SqlToken[] = [];
  for (const t of tokens) {
    if (t.kind === "semicolon") {
      const message = `';' would end the ${shape.what}: only one ${shape.unit} is allowed`;
      return { message, offset: t.offset };
    }
    if (t.kind === "open") opened.push(t);
    if (t.kind === "close" && !opened.pop()) {
      const message = `')' closes a parenthesis the ${shape.what} did not open`;
      return { message, offset: t.offset };
    }
  }
  const unclosed = opened.at(-1);
  const message = `'(' is never closed in the ${shape.what}`;
  return unclosed && { message, offset: unclosed.offset };
}

function keywordProblem(tokens: SqlToken[], what: string): SqlTextProblem | undefined {
  for (const [i, t] of tokens.entries()) {
    // `t.update` is a column, not a statement.
    if (t.kind !== "word" || tokens[i - 1]?.text === ".") continue;
    const upper = t.text.toUpperCase();
    if (WRITING_KEYWORDS.has(upper)) {
      const hint = `write "${t.text}" if it is a column name`;
      const message = `${upper} is not allowed in a ${what} (${hint})`;
      return { message, offset: t.offset };
    }
  }
  return undefined;
}

/**
 * Check that text is exactly one SQL boolean expression that cannot escape the parentheses it
 * is wrapped in: no `;`, no comments, balanced parentheses, no statement keywords.
 *
 * @example
 * checkSqlExpression("x) OR (1=1"); // { message: "')' closes a parenthesis ...", offset: 1 }
 * checkSqlExpression("name = 'a'';drop'"); // undefined
 */
export function checkSqlExpression(sql: string, what = "where clause"): SqlTextProblem | undefined {
  return check(sql, { what, comments: "refuse", unit: "expression" });
}

/**
 * Check that text is exactly one SELECT (or WITH … SELECT) that can be wrapped as a subquery:
 * no comments, at most a trailing `;`, balanced parentheses, no statement keywords.
 *
 * @example
 * checkSelectStatement("select count(*) from primary"); // undefined
 */
export function checkSelectStatement(
  sql: string,
  what = "CustomSql statement",
): SqlTextProblem | undefined {
  const starts = ["SELECT", "WITH"];
  return check(sql, { what, comments: "refuse", unit: "statement", starts });
}

/** First words of a statement that only reads. */
export const READING_STATEMENT_STARTS = [
  "SELECT",
  "WITH",
  "VALUES",
  "FROM",
  "DESCRIBE",
  "SHOW",
  "EXPLAIN",
  "SUMMARIZE",
] as const;

/**
 * Check that an ad-hoc query only reads: one statement (comments allowed) starting with a
 * reading word, without any statement keyword that writes or reaches outside.
 *
 * @example
 * checkReadOnlyQuery("copy (select 1) to 'x.parquet'")?.message; // "a query must start with ..."
 */
export function checkReadOnlyQuery(sql: string): SqlTextProblem | undefined {
  const starts = READING_STATEMENT_STARTS;
  return check(sql, { what: "query", comments: "skip", unit: "statement", starts });
}
