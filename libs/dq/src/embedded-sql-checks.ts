import { checkSelectStatement, checkSqlExpression, type SqlTextProblem } from "@sluice/dialects";
import type { DqPosition, DqRule } from "./ast.js";

type Report = (message: string, at: DqPosition, hint?: string) => void;

/** The position of `offset` inside a quoted DQDL string that starts at `quoteAt`. */
function positionInString(quoteAt: DqPosition, text: string, offset: number): DqPosition {
  const before = text.slice(0, offset);
  const lastNewline = before.lastIndexOf("\n");
  const line = quoteAt.line + (before.match(/\n/g)?.length ?? 0);
  const column = lastNewline === -1 ? quoteAt.column + 1 + offset : offset - lastNewline;
  return { line, column, offset: quoteAt.offset + 1 + offset };
}

function reportProblem(
  problem: SqlTextProblem,
  text: string,
  at: DqPosition,
  hint: string,
  report: Report,
): void {
  report(problem.message, positionInString(at, text, problem.offset), hint);
}

/**
 * The SQL a rule carries is pasted into a wrapper query, so it must not be able to leave it:
 * a `where` clause is exactly one boolean expression and a CustomSql statement exactly one
 * SELECT (see checkSqlExpression / checkSelectStatement). Problems are reported at the
 * offending character.
 */
export function checkEmbeddedSql(rule: DqRule, report: Report): void {
  if (rule.where) {
    const problem = checkSqlExpression(rule.where.sql);
    const hint = "a where clause is one boolean expression, e.g. where \"status = 'paid'\"";
    if (problem) reportProblem(problem, rule.where.sql, rule.where.at, hint, report);
  }
  const statement = rule.type === "CustomSql" ? rule.parameters[0] : undefined;
  if (statement) {
    const problem = checkSelectStatement(statement.value);
    const hint = 'CustomSql runs one SELECT, e.g. CustomSql "select count(*) from primary" > 0';
    // A statement from a $variable is reported where the rule names it.
    if (problem && statement.variable) report(problem.message, statement.at, hint);
    else if (problem) reportProblem(problem, statement.value, statement.at, hint, report);
  }
}
