import type { DqRule, DqRuleNode } from "../ast.js";

/** What a rule may read of new data only (structurally the compiler's `NewDataScope`). */
export type RuleNewDataScope =
  | { kind: "rows"; lookup?: { column: string; field: string } }
  | { kind: "keys"; columns: string[] };

const perRow = new Set(["ColumnValues", "ColumnLength", "ColumnDataType", "DataFreshness"]);

/** `= 1.0` or `>= 1.0` on a ratio: every row must pass. */
const everyRow = (rule: DqRule): boolean => {
  const c = rule.condition;
  const [operand] = c?.operands ?? [];
  return (
    c !== undefined &&
    (c.operator === "=" || c.operator === ">=") &&
    operand?.kind === "number" &&
    operand.value === 1
  );
};

/**
 * Whether a rule holds on a table exactly when it holds on its old rows and on its new ones, so
 * that a run may check only what it wrote: a per-row requirement that every row passes
 * (row-level rules without a threshold, IsComplete) reads the new rows; IsUnique and
 * IsPrimaryKey read the rows of the new keys, in the whole table; ReferentialIntegrity that every
 * row must pass (`= 1.0`) reads the new rows, each looked up in the whole reference table (as a
 * `relationships` test does: sound while the reference keeps the keys it had; one column: with
 * its `lookup`, so a run may look in the reference's new partitions first). Undefined for
 * rules whose meaning needs the whole table (RowCount, Completeness > x, thresholds,
 * statistics, CustomSql, other multi-relation rules, composites).
 *
 * @example newDataScope(IsUnique "event_id") // { kind: "keys", columns: ["event_id"] }
 */
export function newDataScope(rule: DqRuleNode): RuleNewDataScope | undefined {
  if (rule.kind !== "rule") return undefined;
  if (rule.type === "IsComplete") return { kind: "rows" };
  if (perRow.has(rule.type) && !rule.threshold) return { kind: "rows" };
  if (rule.type === "ReferentialIntegrity" && everyRow(rule)) return referenceScope(rule);
  if (rule.type === "IsUnique" || rule.type === "IsPrimaryKey") {
    const columns = rule.parameters.map((p) => unquote(p.value.trim()));
    return { kind: "keys", columns };
  }
  return undefined;
}

/** ReferentialIntegrity's rows scope, with the lookup of its key when it is one column. */
function referenceScope(rule: DqRule): RuleNewDataScope {
  const [column, reference] = rule.parameters.map((p) => p.value.trim());
  const field = /^[^.]+\.\{?([^{},]+)\}?$/.exec(reference ?? "")?.[1]?.trim();
  const single = column !== undefined && !column.includes(",") && field !== undefined;
  return single
    ? { kind: "rows", lookup: { column: unquote(column), field: unquote(field) } }
    : { kind: "rows" };
}

const unquote = (name: string): string => name.replace(/^`(.*)`$/, "$1");
