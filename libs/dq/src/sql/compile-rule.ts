import type { Relation } from "@sluice/dialects";
import type { DqRule, DqRuleNode } from "../ast.js";
import { Unsupported, type CompileRuleContext, type CompiledRule } from "./context.js";
import { conditionPredicate, nowSql, operandSqlFor } from "./predicates.js";
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
  const ratio = `CAST(count_if(${p}) AS DOUBLE) / NULLIF(count(*), 0)`;
  const metric = emptyPasses ? `coalesce(${ratio}, 1.0)` : ratio;
  const inner = `SELECT ${metric} AS m FROM ${s.table}${s.where}`;
  const failing = `SELECT * FROM ${s.table}${s.where ? `${s.where} AND` : " WHERE"} NOT (${p})`;
  return {
    sql: aggregateAssertion(inner, metricPredicate(rule.threshold, s.ctx)),
    rowLevel: true,
    failingRowsSql: failing,
  };
}

function aggregate(rule: DqRule, s: RuleSql, metric: string, fallback?: string): CompiledRule {
  return {
    sql: aggregateAssertion(
      `SELECT ${metric} AS m FROM ${s.table}${s.where}`,
      metricPredicate(rule.condition, s.ctx, fallback),
    ),
    rowLevel: false,
  };
}

function whereAnd(s: RuleSql, condition: string): string {
  return s.where ? `${s.where} AND (${condition})` : ` WHERE ${condition}`;
}

function uniquenessInner(s: RuleSql, cols: string[]): string {
  const nonNull = cols.map((c) => `${c} IS NOT NULL`).join(" OR ");
  return `SELECT CAST(count_if(cnt = 1) AS DOUBLE) / NULLIF(sum(cnt), 0) AS m FROM (SELECT count(*) AS cnt FROM ${s.table}${whereAnd(s, nonNull)} GROUP BY ${cols.join(", ")}) AS g`;
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

const dataTypes: Record<string, string> = {
  boolean: "BOOLEAN",
  date: "DATE",
  timestamp: "TIMESTAMP",
  integer: "INTEGER",
  double: "DOUBLE",
  float: "REAL",
  long: "BIGINT",
};

function castType(name: string): string {
  const t = dataTypes[name.toLowerCase()];
  if (t) return t;
  const dec = /^decimal\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)$/i.exec(name);
  if (dec) return `DECIMAL(${dec[1]}, ${dec[2]})`;
  throw new Unsupported(
    `unknown data type "${name}" (Boolean, Date, Timestamp, Integer, Double, Float, Long or DECIMAL(p,s))`,
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
  switch (rule.type) {
    case "RowCount":
      return aggregate(rule, s, "count(*)");
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
    case "Completeness":
    case "IsComplete":
      return {
        ...aggregate(rule, s, `CAST(count(${c()}) AS DOUBLE) / NULLIF(count(*), 0)`),
        failingRowsSql: `SELECT * FROM ${s.table}${whereAnd(s, `${c()} IS NULL`)}`,
      };
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
    case "DistinctValuesCount":
      // Deequ's histogram counts NULL as one more value.
      return aggregate(
        rule,
        s,
        `count(DISTINCT ${c()}) + CASE WHEN count_if(${c()} IS NULL) > 0 THEN 1 ELSE 0 END`,
      );
    case "Entropy": {
      const p = "(CAST(cnt AS DOUBLE) / tot)";
      const inner = `SELECT -sum(${p} * ln(${p})) AS m FROM (SELECT count(*) AS cnt, sum(count(*)) OVER () AS tot FROM ${s.table}${whereAnd(s, `${c()} IS NOT NULL`)} GROUP BY ${c()}) AS g`;
      return { sql: aggregateAssertion(inner, metricPredicate(cond, ctx)), rowLevel: false };
    }
    case "Mean":
      return aggregate(rule, s, `avg(${c()})`);
    case "Sum":
      return aggregate(rule, s, `sum(${c()})`);
    case "StandardDeviation":
      return aggregate(rule, s, `stddev_pop(${c()})`);
    case "Variance":
      return aggregate(rule, s, `var_pop(${c()})`);
    case "ColumnCorrelation":
      return aggregate(rule, s, `corr(${s.col(param(rule, 0))}, ${s.col(param(rule, 1))})`);
    case "ColumnLength": {
      if (!cond) throw new Error("bug: ColumnLength without condition");
      const len = `length(coalesce(CAST(${c()} AS VARCHAR), ''))`;
      return rowLevel(
        rule,
        s,
        conditionPredicate(len, cond, operandSqlFor(cond.kind, ctx, rule.tags), false),
        false,
      );
    }
    case "ColumnValues": {
      if (!cond) throw new Error("bug: ColumnValues without condition");
      const x = cond.kind === "date" ? `CAST(${c()} AS TIMESTAMP)` : c();
      const ignoreCase = rule.tags.some(
        (t) => t.name === "ignoreCase" && String(t.value).toLowerCase() === "true",
      );
      const p = conditionPredicate(
        x,
        cond,
        operandSqlFor(cond.kind, ctx, rule.tags),
        true,
        ignoreCase && cond.kind === "string",
      );
      return rowLevel(rule, s, p, false);
    }
    case "ColumnDataType": {
      if (!cond) throw new Error("bug: ColumnDataType without condition");
      if (
        cond.operator !== "=" &&
        cond.operator !== "!=" &&
        cond.operator !== "in" &&
        cond.operator !== "not in"
      ) {
        throw new Unsupported(`ColumnDataType with '${cond.operator}'`);
      }
      const types = cond.operands.map((o) => {
        if (o.kind !== "string")
          throw new Unsupported(`ColumnDataType against ${o.kind.toUpperCase()}`);
        return castType(o.value);
      });
      const castable = types
        .map((t) => `TRY_CAST(CAST(${c()} AS VARCHAR) AS ${t}) IS NOT NULL`)
        .join(" OR ");
      const positive = `coalesce(${castable}, FALSE)`;
      const p = cond.operator === "=" || cond.operator === "in" ? positive : `NOT ${positive}`;
      return rowLevel(rule, s, p, true);
    }
    case "DataFreshness": {
      if (!cond) throw new Error("bug: DataFreshness without condition");
      const age = `round(CAST(date_diff('second', CAST(${c()} AS TIMESTAMP), ${nowSql(ctx)}) AS DOUBLE) / 3600.0, 2)`;
      return rowLevel(
        rule,
        s,
        conditionPredicate(age, cond, operandSqlFor("duration", ctx, rule.tags), false),
        true,
      );
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
