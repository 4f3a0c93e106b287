import type { DqCondition, DqOperand, DqTag } from "../ast.js";
import { Unsupported, type CompileRuleContext } from "./context.js";

/** A SQL number literal both Trino and DuckDB read as the same double. */
export function numberSql(n: number): string {
  if (!Number.isFinite(n))
    throw new Unsupported(`the condition evaluates to ${n} (division by zero?)`);
  const text = String(n);
  return text.includes("e") ? text.replace("e+", "E").replace("e", "E") : text;
}

/** Evaluate a DQDL number expression (no precedence: the tree already says the order). */
export function evaluateNumber(o: DqOperand): number {
  switch (o.kind) {
    case "number":
      return o.value;
    case "binary": {
      const l = evaluateNumber(o.left);
      const r = evaluateNumber(o.right);
      return o.op === "+" ? l + r : o.op === "-" ? l - r : o.op === "*" ? l * r : l / r;
    }
    case "call":
      throw new Unsupported(
        `dynamic rules (${o.name}(...)) need a metric history, which sluice does not keep`,
      );
    default:
      throw new Unsupported(`a ${o.kind} value where a number was expected`);
  }
}

/** The engine's current UTC time as a TIMESTAMP (or the injected clock). */
export function nowSql(ctx: CompileRuleContext): string {
  if (ctx.now === undefined) return "CAST(current_timestamp AT TIME ZONE 'UTC' AS TIMESTAMP)";
  const d = new Date(ctx.now);
  if (Number.isNaN(d.getTime())) throw new Error(`bug: invalid injected clock ${ctx.now}`);
  return `TIMESTAMP '${d.toISOString().slice(0, 23).replace("T", " ")}'`;
}

const unitName = { days: "day", hours: "hour", minutes: "minute" } as const;

/** A DQDL date operand as a UTC TIMESTAMP expression (now() is truncated to the minute, as in Glue). */
function dateOperandSql(o: DqOperand, ctx: CompileRuleContext, tags: DqTag[]): string {
  if (o.kind === "date") {
    const d = new Date(`${o.value}T00:00:00Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== o.value) {
      throw new Unsupported(`"${o.value}" is not a calendar date`);
    }
    return `TIMESTAMP '${o.value} 00:00:00'`;
  }
  const now = `date_trunc('minute', ${nowSql(ctx)})`;
  if (o.kind === "now")
    return o.offset ? `date_add('${unitName[o.offset.unit]}', ${o.offset.amount}, ${now})` : now;
  if (o.kind === "time") {
    if (tags.some((t) => t.name === "timeZone"))
      throw new Unsupported("times of day with a timeZone tag");
    return `date_add('minute', ${o.minutes}, date_trunc('day', ${nowSql(ctx)}))`;
  }
  throw new Unsupported(`a ${o.kind} value where a date was expected`);
}

function durationHours(o: DqOperand): number {
  if (o.kind !== "duration")
    throw new Unsupported(`a ${o.kind} value where a duration was expected`);
  if (o.unit === "days") return o.amount * 24;
  if (o.unit === "hours") return o.amount;
  return Math.round((o.amount / 60) * 10_000) / 10_000;
}

/** How to turn one operand into SQL for the value being tested. */
export type OperandSql = (o: DqOperand) => string;

export function operandSqlFor(
  kind: DqCondition["kind"],
  ctx: CompileRuleContext,
  tags: DqTag[],
): OperandSql {
  switch (kind) {
    case "number":
      return (o) => numberSql(evaluateNumber(o));
    case "string":
      return (o) => {
        if (o.kind !== "string") throw new Error(`bug: ${o.kind} in a string list`);
        return ctx.dialect.literal(o.value);
      };
    case "date":
      return (o) => dateOperandSql(o, ctx, tags);
    case "duration":
      return (o) => numberSql(durationHours(o));
    case "size":
      throw new Unsupported("size conditions apply to files, not rows");
  }
}

/**
 * The SQL predicate of `x <condition>`, never NULL.
 * `nullPassesNegation`: ColumnValues semantics, where a NULL value passes `!=` and `not in`
 * (unless NULL is in the list); metrics never pass when NULL (empty input).
 */
export function conditionPredicate(
  x: string,
  cond: DqCondition,
  operandSql: OperandSql,
  nullPassesNegation: boolean,
  ignoreCase = false,
): string {
  const { operator: op, operands } = cond;
  const [a, b] = operands;
  switch (op) {
    case ">":
    case ">=":
    case "<":
    case "<=":
      if (!a || a.kind === "null") return "FALSE";
      return `coalesce(${x} ${op} ${operandSql(a)}, FALSE)`;
    case "between":
    case "not between": {
      if (!a || !b || a.kind === "null" || b.kind === "null") return "FALSE";
      const [lo, hi] = [operandSql(a), operandSql(b)];
      const body =
        op === "between" ? `${x} > ${lo} AND ${x} < ${hi}` : `${x} <= ${lo} OR ${x} >= ${hi}`;
      return `coalesce(${body}, FALSE)`;
    }
    case "matches":
    case "not matches": {
      const re = a?.kind === "string" ? a.value : "";
      const like = `regexp_like(${x}, ${operandSql({ kind: "string", value: `^(?:${re})$` })})`;
      return op === "matches" ? `coalesce(${like}, FALSE)` : `(${x} IS NOT NULL AND NOT ${like})`;
    }
    case "=":
    case "in":
    case "!=":
    case "not in": {
      const positive = op === "=" || op === "in";
      const hasNull = operands.some((o) => o.kind === "null");
      const v = ignoreCase ? `lower(${x})` : x;
      const values = operands
        .filter((o) => o.kind !== "null" && o.kind !== "empty" && o.kind !== "whitespaces_only")
        .map((o) => (ignoreCase ? `lower(${operandSql(o)})` : operandSql(o)));
      const parts: string[] = [];
      if (values.length === 1) parts.push(`${v} = ${values[0]}`);
      if (values.length > 1) parts.push(`${v} IN (${values.join(", ")})`);
      if (operands.some((o) => o.kind === "empty")) parts.push(`${x} = ''`);
      if (operands.some((o) => o.kind === "whitespaces_only"))
        parts.push(`(length(trim(${x})) = 0 AND length(${x}) > 0)`);
      const match = parts.length === 0 ? "FALSE" : `coalesce(${parts.join(" OR ")}, FALSE)`;
      if (positive)
        return hasNull ? `(${x} IS NULL OR ${match})` : `(${x} IS NOT NULL AND ${match})`;
      if (hasNull || !nullPassesNegation) return `(${x} IS NOT NULL AND NOT ${match})`;
      return `(${x} IS NULL OR NOT ${match})`;
    }
  }
}
