import type { Relation } from "@sluice/dialects";
import type { DqCondition, DqRule } from "../ast.js";
import type { CompileRuleContext } from "./context.js";
import { conditionPredicate, operandSqlFor } from "./predicates.js";

/** SQL helpers bound to one rule's context. */
export interface RuleSql {
  ctx: CompileRuleContext;
  /** The quoted primary relation. */
  table: string;
  col(name: string): string;
  /** ` WHERE (<where>)` or "" */
  where: string;
  rel(relation: Relation): string;
}

export function ruleSql(rule: DqRule, ctx: CompileRuleContext): RuleSql {
  const d = ctx.dialect;
  const col = (name: string) => d.quoteIdentifier(stripBackticks(name.trim()));
  const whereSql = rule.where
    ? ` WHERE (${rule.where.sql.replace(/`([^`]*)`/g, (_, n: string) => d.quoteIdentifier(n))})`
    : "";
  return {
    ctx,
    table: d.quoteRelation(ctx.relation),
    col,
    where: whereSql,
    rel: (r) => d.quoteRelation(r),
  };
}

function stripBackticks(name: string): string {
  return name.length > 1 && name.startsWith("`") && name.endsWith("`") ? name.slice(1, -1) : name;
}

/** `SELECT metric, passed` over an inner query yielding one row with column `m`. */
export function aggregateAssertion(inner: string, predicate: string): string {
  return `SELECT CAST(m AS DOUBLE) AS metric, coalesce(${predicate}, FALSE) AS passed FROM (${inner}) AS dq`;
}

/** The predicate of a number condition on the metric column `m` (NULL metric: fails); no condition: `m = 1`. */
export function metricPredicate(
  cond: DqCondition | undefined,
  ctx: CompileRuleContext,
  m = "m",
): string {
  if (!cond) return `${m} = 1`;
  return conditionPredicate(m, cond, operandSqlFor(cond.kind, ctx, []), false);
}
