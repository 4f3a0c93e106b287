import type { Relation } from "@sluice/dialects";
import type { DqRule, DqRuleNode } from "../ast.js";
import { Unsupported, type CompileRuleContext, type CompiledRule } from "./context.js";
import { aggregateMetric, rowPredicate, rowRatio, wholeRows } from "./rule-metrics.js";
import { aggregateAssertion, metricPredicate, ruleSql, type RuleSql } from "./assertion.js";
import { rewritePrimary } from "./custom-sql.js";
import { compileMultiRelationRule } from "./multi-relation.js";

/**
 * Compile one rule (or composite) into an assertion query returning one row
 * `{ metric: double, passed: boolean }`, with Glue's semantics (exclusive between, NULL rules
 * per type, threshold on the pass ratio, where on both sides of the ratio, population stddev).
 *
 * @example
 * compileRule(rule, { dialect, relation: { schema: "silver", name: "events" }, resolve: () => undefined });
 * // { sql: 'SELECT CAST(m AS DOUBLE) AS metric, ... FROM (SELECT count(*) AS m FROM "silver"."events") AS dq', rowLevel: false }
 */
export function compileRule(rule: DqRuleNode, ctx: CompileRuleContext): CompiledRule {
  try {
    return rule.kind === "composite"
      ? compileComposite(rule.operator, rule.left, rule.right, ctx)
      : compileSimple(rule, ctx);
  } catch (e) {
    if (e instanceof Unsupported) return { unsupported: e.message };
    throw e;
  }
}

function compileComposite(
  op: "and" | "or",
  left: DqRuleNode,
  right: DqRuleNode,
  ctx: CompileRuleContext,
): CompiledRule {
  const l = compileRule(left, ctx);
  const r = compileRule(right, ctx);
  if ("unsupported" in l) return l;
  if ("unsupported" in r) return r;
  const passed = `(l.passed ${op.toUpperCase()} r.passed)`;
  return {
    sql: `SELECT CASE WHEN ${passed} THEN 1.0 ELSE 0.0 END AS metric, coalesce(${passed}, FALSE) AS passed FROM (${l.sql}) AS l CROSS JOIN (${r.sql}) AS r`,
    rowLevel: false,
  };
}

function param(rule: DqRule, i = 0): string {
  const p = rule.parameters[i];
  if (!p) throw new Error(`bug: ${rule.type} without parameter ${i}`);
  return p.value;
}

/** A row-level rule: the ratio of rows passing `p` among the (filtered) rows. */
function rowLevel(rule: DqRule, s: RuleSql, p: string, emptyPasses: boolean): CompiledRule {
  const inner = `SELECT ${rowRatio(p, emptyPasses, wholeRows)} AS m FROM ${s.table}${s.where}`;
  const failing = `SELECT * FROM ${s.table}${s.where ? `${s.where} AND` : " WHERE"} NOT (${p})`;
  return {
    sql: aggregateAssertion(inner, metricPredicate(rule.threshold, s.ctx)),
    rowLevel: true,
    failingRowsSql: failing,
  };
}

function aggregate(rule: DqRule, s: RuleSql, metric: string): CompiledRule {
  return {
    sql: aggregateAssertion(
      `SELECT ${metric} AS m FROM ${s.table}${s.where}`,
      metricPredicate(rule.condition, s.ctx),
    ),
    rowLevel: false,
  };
}

function whereAnd(s: RuleSql, condition: string): string {
  return s.where ? `${s.where} AND (${condition})` : ` WHERE ${condition}`;
}

function uniquenessInner(s: RuleSql, cols: string[], extra = ""): string {
  const nonNull = cols.map((c) => `${c} IS NOT NULL`).join(" OR ");
  return `SELECT CAST(count_if(cnt = 1) AS DOUBLE) / NULLIF(sum(cnt), 0) AS m${extra} FROM (SELECT count(*) AS cnt FROM ${s.table}${whereAnd(s, nonNull)} GROUP BY ${cols.join(", ")}) AS g`;
}

/**
 * An `IsUnique "c"` / `Uniqueness "c"` rule of one column without `where`, with the failure count
 * of dbt's `unique` test of the same column (its non-NULL values that occur more than once) from
 * the same grouped scan: one row `metric_<index>`, `passed_<index>`, `failures_<index>`, so the
 * rule and the test read the table once. Undefined for any other rule.
 *
 * @example
 * compileUniqueScan(IsUnique "event_id", ctx, 1)?.sql;
 * // 'SELECT CAST(m AS DOUBLE) AS metric_1, ... dup AS failures_1 FROM (SELECT ... count_if(cnt > 1) AS dup FROM (... GROUP BY "event_id") AS g) AS dq'
 */
export function compileUniqueScan(
  rule: DqRuleNode,
  ctx: CompileRuleContext,
  index: number,
): { sql: string; column: string } | undefined {
  if (rule.kind !== "rule" || (rule.type !== "IsUnique" && rule.type !== "Uniqueness")) return;
  if (rule.where || rule.parameters.length !== 1) return undefined;
  const s = ruleSql(rule, ctx);
  const column = s.col(param(rule));
  const inner = uniquenessInner(s, [column], ", count_if(cnt > 1) AS dup");
  const passed = metricPredicate(rule.condition, ctx);
  return {
    sql: `SELECT CAST(m AS DOUBLE) AS metric_${index}, coalesce(${passed}, FALSE) AS passed_${index}, dup AS failures_${index} FROM (${inner}) AS dq`,
    column,
  };
}

/** Rows whose key (among rows matching `keep`) occurs more than once: what breaks uniqueness. */
function duplicateRowsSql(s: RuleSql, cols: string[], keep: string): string {
  const on = cols.map((c, i) => `t.${c} IS NOT DISTINCT FROM d.k${i}`).join(" AND ");
  const keys = cols.map((c, i) => `${c} AS k${i}`).join(", ");
  return (
    `SELECT t.* FROM ${s.table} AS t JOIN (SELECT ${keys} FROM ${s.table}${whereAnd(s, keep)} GROUP BY ${cols.join(", ")} HAVING count(*) > 1) AS d ON ${on}` +
    (s.where ? ` WHERE ${s.where.replace(/^ WHERE /, "")}` : "")
  );
}

function informationSchema(s: RuleSql, relation: Relation): string {
  const d = s.ctx.dialect;
  return `FROM information_schema.columns WHERE table_schema = ${d.literal(relation.schema)} AND table_name = ${d.literal(relation.name)}`;
}

function compileSimple(rule: DqRule, ctx: CompileRuleContext): CompiledRule {
  const s = ruleSql(rule, ctx);
  const d = ctx.dialect;
  const cond = rule.condition;
  const c = () => s.col(param(rule));
  const cols = () => rule.parameters.map((p) => s.col(p.value));
  const row = rowPredicate(rule, s);
  if (row) return rowLevel(rule, s, row.predicate, row.emptyPasses);
  const metric = aggregateMetric(rule, s, wholeRows);
  if (metric !== undefined) {
    const assertion = aggregate(rule, s, metric);
    if (rule.type !== "Completeness" && rule.type !== "IsComplete") return assertion;
    return {
      ...assertion,
      failingRowsSql: `SELECT * FROM ${s.table}${whereAnd(s, `${c()} IS NULL`)}`,
    };
  }
  switch (rule.type) {
    case "ColumnCount":
      return {
        sql: aggregateAssertion(
          `SELECT count(*) AS m ${informationSchema(s, ctx.relation)}`,
          metricPredicate(cond, ctx),
        ),
        rowLevel: false,
      };
    case "ColumnExists":
      return {
        sql: aggregateAssertion(
          `SELECT count(*) AS m ${informationSchema(s, ctx.relation)} AND lower(column_name) = lower(${d.literal(param(rule))})`,
          "m > 0",
        ),
        rowLevel: false,
      };
    case "ColumnNamesMatchPattern": {
      const re = d.literal(`^(?:${param(rule)})$`);
      return {
        sql: aggregateAssertion(
          `SELECT CAST(count_if(regexp_like(column_name, ${re})) AS DOUBLE) / NULLIF(count(*), 0) AS m ${informationSchema(s, ctx.relation)}`,
          "m = 1",
        ),
        rowLevel: false,
      };
    }
    case "Uniqueness":
    case "IsUnique":
      return {
        sql: aggregateAssertion(uniquenessInner(s, cols()), metricPredicate(cond, ctx)),
        rowLevel: false,
        failingRowsSql: duplicateRowsSql(
          s,
          cols(),
          cols()
            .map((x) => `${x} IS NOT NULL`)
            .join(" OR "),
        ),
      };
    case "IsPrimaryKey": {
      const all = cols();
      const complete = all.map((x) => `${x} IS NOT NULL`).join(" AND ");
      const inner = `SELECT CAST(sum(CASE WHEN cnt = 1 AND complete = 1 THEN 1 ELSE 0 END) AS DOUBLE) / NULLIF(sum(cnt), 0) AS m FROM (SELECT count(*) AS cnt, count_if(${complete}) AS complete FROM ${s.table}${s.where} GROUP BY ${all.join(", ")}) AS g`;
      const incomplete = `SELECT * FROM ${s.table}${whereAnd(s, `NOT (${complete})`)}`;
      return {
        sql: aggregateAssertion(inner, "m = 1"),
        rowLevel: false,
        failingRowsSql: `${duplicateRowsSql(s, all, complete)} UNION ALL ${incomplete}`,
      };
    }
    case "UniqueValueRatio": {
      const inner = `SELECT CAST(count_if(cnt = 1) AS DOUBLE) / NULLIF(count(*), 0) AS m FROM (SELECT count(*) AS cnt FROM ${s.table}${whereAnd(s, `${c()} IS NOT NULL`)} GROUP BY ${c()}) AS g`;
      return { sql: aggregateAssertion(inner, metricPredicate(cond, ctx)), rowLevel: false };
    }
    case "Entropy": {
      const p = "(CAST(cnt AS DOUBLE) / tot)";
      const inner = `SELECT -sum(${p} * ln(${p})) AS m FROM (SELECT count(*) AS cnt, sum(count(*)) OVER () AS tot FROM ${s.table}${whereAnd(s, `${c()} IS NOT NULL`)} GROUP BY ${c()}) AS g`;
      return { sql: aggregateAssertion(inner, metricPredicate(cond, ctx)), rowLevel: false };
    }
    case "CustomSql":
      return compileCustomSql(rule, s);
    case "ReferentialIntegrity":
    case "DatasetMatch":
    case "RowCountMatch":
    case "SchemaMatch":
    case "AggregateMatch":
      return compileMultiRelationRule(rule, s, informationSchema);
    case "DetectAnomalies":
      throw new Unsupported(
        "DetectAnomalies needs a metric history and an anomaly model; it has no SQL equivalent",
      );
    case "FileFreshness":
    case "FileMatch":
    case "FileUniqueness":
    case "FileSize":
      throw new Unsupported(
        `${rule.type} checks S3 object metadata, not rows; it has no SQL equivalent`,
      );
    default:
      throw new Unsupported(`rule type ${rule.type} has no SQL compilation`);
  }
}

function compileCustomSql(rule: DqRule, s: RuleSql): CompiledRule {
  const d = s.ctx.dialect;
  const statement = rewritePrimary(
    param(rule).trim().replace(/;\s*$/, ""),
    d.quoteIdentifier("primary"),
  );
  const primary = `WITH ${d.quoteIdentifier("primary")} AS (SELECT * FROM ${s.table}) `;
  if (rule.condition) {
    const inner = `SELECT max(v) AS m, count(*) AS n FROM (${statement}) AS r(v)`;
    const predicate = `n = 1 AND ${metricPredicate(rule.condition, s.ctx)}`;
    return { sql: primary + aggregateAssertion(inner, predicate), rowLevel: false };
  }
  // Row-level form: the statement selects the passing primary rows; compliance = their share.
  const inner = `SELECT CAST((SELECT count(*) FROM (${statement}) AS r) AS DOUBLE) / NULLIF((SELECT count(*) FROM ${d.quoteIdentifier("primary")}), 0) AS m`;
  return {
    sql: primary + aggregateAssertion(inner, metricPredicate(rule.threshold, s.ctx)),
    rowLevel: true,
  };
}
