import type { DqRule } from "../ast.js";
import type { RuleSql } from "./assertion.js";
import { Unsupported } from "./context.js";
import { conditionPredicate, nowSql, operandSqlFor } from "./predicates.js";

/**
 * Which rows a metric reads. Alone, a rule reads its relation with its `where` in the FROM
 * (`wholeRows`); in a ruleset pass, every rule reads one shared scan and its `where` is folded
 * into its aggregates ({@link whereFold}), so the two give the same metric.
 */
export interface RowFold {
  /** The number of the rule's rows. */
  rows: string;
  /** `expr` on the rule's rows, NULL on the others (aggregates skip NULLs). */
  value(expr: string): string;
  /** A row predicate true only on the rule's rows. */
  and(predicate: string): string;
}

/** The rule's rows are every row of what it reads (its `where`, if any, is in the FROM). */
export const wholeRows: RowFold = { rows: "count(*)", value: (x) => x, and: (p) => p };

/** The rule's rows are the rows of a shared scan where `where` holds (NULL: not the rule's). */
export function whereFold(where: string): RowFold {
  return {
    rows: `count_if(${where})`,
    value: (x) => `CASE WHEN ${where} THEN ${x} END`,
    and: (p) => `(${where}) AND (${p})`,
  };
}

/** The share of the rule's rows passing `p`; `emptyPasses`: 1.0 when it has no row. */
export function rowRatio(p: string, emptyPasses: boolean, fold: RowFold): string {
  const ratio = `CAST(count_if(${fold.and(p)}) AS DOUBLE) / NULLIF(${fold.rows}, 0)`;
  return emptyPasses ? `coalesce(${ratio}, 1.0)` : ratio;
}

function param(rule: DqRule, i = 0): string {
  const p = rule.parameters[i];
  if (!p) throw new Error(`bug: ${rule.type} without parameter ${i}`);
  return p.value;
}

/**
 * The metric of a rule computed by plain aggregates over its rows (one scan can compute many:
 * Deequ's scan-shareable analyzers), or undefined for rules that need their own query (grouping,
 * other relations, the catalog).
 *
 * @example aggregateMetric(Mean "qty", s, wholeRows) // 'avg("qty")'
 */
export function aggregateMetric(rule: DqRule, s: RuleSql, fold: RowFold): string | undefined {
  const c = () => fold.value(s.col(param(rule)));
  switch (rule.type) {
    case "RowCount":
      return fold.rows;
    case "Completeness":
    case "IsComplete":
      return `CAST(count(${c()}) AS DOUBLE) / NULLIF(${fold.rows}, 0)`;
    case "DistinctValuesCount":
      // Deequ's histogram counts NULL as one more value.
      return `count(DISTINCT ${c()}) + CASE WHEN count_if(${fold.and(`${s.col(param(rule))} IS NULL`)}) > 0 THEN 1 ELSE 0 END`;
    case "Mean":
      return `avg(${c()})`;
    case "Sum":
      return `sum(${c()})`;
    case "StandardDeviation":
      return `stddev_pop(${c()})`;
    case "Variance":
      return `var_pop(${c()})`;
    case "ColumnCorrelation":
      return `corr(${fold.value(s.col(param(rule, 0)))}, ${fold.value(s.col(param(rule, 1)))})`;
    default:
      return undefined;
  }
}

/**
 * The row predicate of a row-level rule (never NULL) and whether an empty input passes, or
 * undefined for other rules. Its metric is {@link rowRatio}, checked against the threshold.
 */
export function rowPredicate(
  rule: DqRule,
  s: RuleSql,
): { predicate: string; emptyPasses: boolean } | undefined {
  const cond = rule.condition;
  const ctx = s.ctx;
  const c = () => s.col(param(rule));
  switch (rule.type) {
    case "ColumnLength": {
      if (!cond) throw new Error("bug: ColumnLength without condition");
      const len = `length(coalesce(CAST(${c()} AS VARCHAR), ''))`;
      const operand = operandSqlFor(cond.kind, ctx, rule.tags);
      return { predicate: conditionPredicate(len, cond, operand, false), emptyPasses: false };
    }
    case "ColumnValues": {
      if (!cond) throw new Error("bug: ColumnValues without condition");
      const x = cond.kind === "date" ? `CAST(${c()} AS TIMESTAMP)` : c();
      const ignoreCase = rule.tags.some(
        (t) => t.name === "ignoreCase" && String(t.value).toLowerCase() === "true",
      );
      const predicate = conditionPredicate(
        x,
        cond,
        operandSqlFor(cond.kind, ctx, rule.tags),
        true,
        ignoreCase && cond.kind === "string",
      );
      return { predicate, emptyPasses: false };
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
      const predicate =
        cond.operator === "=" || cond.operator === "in" ? positive : `NOT ${positive}`;
      return { predicate, emptyPasses: true };
    }
    case "DataFreshness": {
      if (!cond) throw new Error("bug: DataFreshness without condition");
      const age = `round(CAST(date_diff('second', CAST(${c()} AS TIMESTAMP), ${nowSql(ctx)}) AS DOUBLE) / 3600.0, 2)`;
      const operand = operandSqlFor("duration", ctx, rule.tags);
      return { predicate: conditionPredicate(age, cond, operand, false), emptyPasses: true };
    }
    default:
      return undefined;
  }
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
