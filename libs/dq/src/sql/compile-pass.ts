import type { DqCondition, DqRule, DqRuleNode } from "../ast.js";
import { metricPredicate, ruleSql } from "./assertion.js";
import { compileRule } from "./compile-rule.js";
import { Unsupported, type CompileRuleContext } from "./context.js";
import { aggregateMetric, rowPredicate, rowRatio, whereFold, wholeRows } from "./rule-metrics.js";

/**
 * A ruleset pass: one query evaluating several rules of one ruleset on its relation, returning
 * one row with `metric_<i>` (DOUBLE) and `passed_<i>` (BOOLEAN) for the i-th rule (1-based).
 */
export type CompiledPass = { sql: string } | { unsupported: string };

/**
 * Compile rules on one relation into one query, as Glue Data Quality evaluates a ruleset over one
 * frame: the rules a plain aggregate measures (RowCount, Completeness, Mean, ..., and every
 * row-level rule: ColumnValues, ColumnLength, ColumnDataType, DataFreshness) share one scan,
 * each `where` folded into that rule's aggregates; the others (grouping rules such as IsUnique,
 * CustomSql, composites, catalog and multi-relation rules) are each one subquery of the same
 * statement, cross-joined. Every rule's metric and outcome equal {@link compileRule}'s alone.
 * An unsupported rule makes the whole pass `{ unsupported }` (compile those alone).
 *
 * @example
 * compileRulesetPass([RowCount > 0, IsComplete "id"], ctx).sql;
 * // SELECT CAST(m_1 AS DOUBLE) AS metric_1, coalesce(..., FALSE) AS passed_1, ... FROM (SELECT count(*) AS m_1, ... FROM "s"."t") AS dq
 */
export function compileRulesetPass(
  rules: readonly DqRuleNode[],
  ctx: CompileRuleContext,
): CompiledPass {
  const scanned: string[] = [];
  const selected: string[] = [];
  const joined: string[] = [];
  for (const [k, rule] of rules.entries()) {
    const i = k + 1;
    let metric: ReturnType<typeof scanMetric>;
    try {
      metric = rule.kind === "rule" ? scanMetric(rule, ctx) : undefined;
    } catch (e) {
      if (e instanceof Unsupported) return { unsupported: e.message };
      throw e;
    }
    if (metric) {
      scanned.push(`${metric.sql} AS m_${i}`);
      const predicate = metricPredicate(metric.condition, ctx, `m_${i}`);
      selected.push(
        `CAST(m_${i} AS DOUBLE) AS metric_${i}, coalesce(${predicate}, FALSE) AS passed_${i}`,
      );
      continue;
    }
    const alone = compileRule(rule, ctx);
    if ("unsupported" in alone) return alone;
    joined.push(`(${alone.sql}) AS q_${i}`);
    selected.push(`q_${i}.metric AS metric_${i}, q_${i}.passed AS passed_${i}`);
  }
  const from = [
    ...(scanned.length > 0
      ? [`(SELECT ${scanned.join(", ")} FROM ${ctx.dialect.quoteRelation(ctx.relation)}) AS dq`]
      : []),
    ...joined,
  ];
  return { sql: `SELECT ${selected.join(", ")} FROM ${from.join(" CROSS JOIN ")}` };
}

/** The rule's metric as an aggregate over the shared scan, and the condition that checks it. */
function scanMetric(
  rule: DqRule,
  ctx: CompileRuleContext,
): { sql: string; condition: DqCondition | undefined } | undefined {
  const s = ruleSql(rule, ctx);
  const fold = s.where ? whereFold(s.where.replace(/^ WHERE /, "")) : wholeRows;
  const row = rowPredicate(rule, s);
  if (row)
    return { sql: rowRatio(row.predicate, row.emptyPasses, fold), condition: rule.threshold };
  const metric = aggregateMetric(rule, s, fold);
  return metric === undefined ? undefined : { sql: metric, condition: rule.condition };
}
