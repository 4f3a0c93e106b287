import { isSqlTextProblem, tokenizeSql, type SqlTextProblem, type SqlToken } from "./sql-tokens.js";

/**
 * Words that begin a statement which writes, reaches outside the query or changes the session.
 * Refused as bare words anywhere in checked text (quoted, they are plain names).
 */
export const WRITING_KEYWORDS: ReadonlySet<string> = new Set(
  ("DROP CREATE ALTER INSERT UPDATE DELETE MERGE UPSERT TRUNCATE COPY ATTACH DETACH INSTALL LOAD " +
    "PRAGMA SET RESET CALL EXPORT IMPORT VACUUM CHECKPOINT GRANT REVOKE BEGIN COMMIT ROLLBACK " +
    "ABORT PREPARE EXECUTE DEALLOCATE USE UNLOAD MSCK REFRESH").split(" "),
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
  const commentProblem = comment && shape.comments === "refuse"
    ? { message: `a comment in a ${shape.what} could hide the SQL after it`, offset: comment.offset }
    : undefined;
  const tokens = lexed.filter((t) => t.kind !== "comment");
  while (shape.unit === "statement" && tokens.at(-1)?.kind === "semicolon") tokens.pop();
  const first = tokens.find((t) => t.kind !== "open");
  if (!first) return { message: `the ${shape.what} is empty`, offset: 0 };
  // The first problem in the text, so the position points at where it goes wrong.
  const problem = [commentProblem, structureProblem(tokens, shape), keywordProblem(tokens, shape.what)]
    .filter((p) => p !== undefined)
    .sort((a, b) => a.offset - b.offset)[0];
  if (problem || !shape.starts) return problem;
  if (first.kind !== "word" || !shape.starts.includes(first.text.toUpperCase())) {
    const allowed = shape.starts.join(", ");
    return { message: `a ${shape.what} must start with ${allowed}; found '${first.text}'`, offset: first.offset };
  }
  return undefined;
}

/** Statement separators and parentheses that close more than they open (or never close). */
function structureProblem(tokens: SqlToken[], shape: Shape): SqlTextProblem | undefined {
  const opened: SqlToken[] = [];
  for (const t of tokens) {
    if (t.kind === "semicolon") {
      return { message: `';' would end the ${shape.what}: only one ${shape.unit} is allowed`, offset: t.offset };
    }
    if (t.kind === "open") opened.push(t);
    if (t.kind === "close" && !opened.pop()) {
      return { message: `')' closes a parenthesis the ${shape.what} did not open`, offset: t.offset };
    }
  }
  const unclosed = opened.at(-1);
  return unclosed && { message: `'(' is never closed in the ${shape.what}`, offset: unclosed.offset };
}

function keywordProblem(tokens: SqlToken[], what: string): SqlTextProblem | undefined {
  for (const [i, t] of tokens.entries()) {
    // `t.update` is a column, not a statement.
    if (t.kind !== "word" || tokens[i - 1]?.text === ".") continue;
    const upper = t.text.toUpperCase();
    if (WRITING_KEYWORDS.has(upper)) {
      const message = `${upper} is not allowed in a ${what} (write "${t.text}" if it is a column name)`;
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
export function checkSelectStatement(sql: string, what = "CustomSql statement"): SqlTextProblem | undefined {
  return check(sql, { what, comments: "refuse", unit: "statement", starts: ["SELECT", "WITH"] });
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
  return check(sql, { what: "query", comments: "skip", unit: "statement", starts: READING_STATEMENT_STARTS });
}
