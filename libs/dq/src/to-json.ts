import type {
  DqCondition,
  DqLabel,
  DqOperand,
  DqParameter,
  DqRuleNode,
  DqRuleset,
  DqTag,
} from "./ast.js";

/** JSON value (what `sluice dq parse --format json` prints). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/**
 * The ruleset as plain JSON (keys in snake_case, as all of sluice's JSON), without source
 * positions: rule type, named parameters,
 * condition (operator + operands), threshold, where, labels and tags; composite chains of the
 * same operator are flattened (`A and B and C` → one `and` with three rules).
 *
 * @example
 * rulesetToJson(parseDqdl('Rules = [ RowCount > 0 ]', "f").ruleset!)
 * // { rules: [{ type: "RowCount", parameters: {}, condition: { kind: "number", operator: ">", operands: [0] }, text: "RowCount > 0" }] }
 */
export function rulesetToJson(ruleset: DqRuleset): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  if (ruleset.metadata)
    out.metadata =
      ruleset.metadata.version === undefined ? {} : { version: ruleset.metadata.version };
  if (ruleset.dataSources) {
    out.data_sources = {
      ...(ruleset.dataSources.primary === undefined
        ? {}
        : { primary: ruleset.dataSources.primary }),
      additional: ruleset.dataSources.additional,
    };
  }
  if (ruleset.variables.length > 0) {
    out.variables = Object.fromEntries(
      ruleset.variables.map((v) => [
        v.name,
        typeof v.value === "string" ? v.value : v.value.map(operandToJson),
      ]),
    );
  }
  if (ruleset.defaultLabels.length > 0) out.default_labels = labelsToJson(ruleset.defaultLabels);
  out.rules = ruleset.rules.map(ruleToJson);
  if (ruleset.analyzers.length > 0) {
    out.analyzers = ruleset.analyzers.map((a) => ({
      type: a.type,
      parameters: parametersToJson(a.parameters),
      text: a.text,
    }));
  }
  return out;
}

/** One rule or composite as JSON (see {@link rulesetToJson}). */
export function ruleToJson(rule: DqRuleNode): { [key: string]: Json } {
  if (rule.kind === "composite") {
    const flat = (n: DqRuleNode): DqRuleNode[] =>
      n.kind === "composite" && n.operator === rule.operator && n.labels.length === 0
        ? [...flat(n.left), ...flat(n.right)]
        : [n];
    const out: { [key: string]: Json } = {
      operator: rule.operator,
      rules: [...flat(rule.left), ...flat(rule.right)].map(ruleToJson),
      text: rule.text,
    };
    if (rule.labels.length > 0) out.labels = labelsToJson(rule.labels);
    return out;
  }
  const out: { [key: string]: Json } = {
    type: rule.type,
    parameters: parametersToJson(rule.parameters),
  };
  if (rule.condition) out.condition = conditionToJson(rule.condition);
  if (rule.threshold) out.threshold = conditionToJson(rule.threshold);
  if (rule.where) out.where = rule.where.sql;
  if (rule.labels.length > 0) out.labels = labelsToJson(rule.labels);
  if (rule.tags.length > 0) out.tags = tagsToJson(rule.tags);
  out.text = rule.text;
  return out;
}

function parametersToJson(parameters: DqParameter[]): { [key: string]: Json } {
  return Object.fromEntries(parameters.map((p) => [p.name, p.value]));
}

function labelsToJson(labels: DqLabel[]): { [key: string]: Json } {
  return Object.fromEntries(labels.map((l) => [l.key, l.value]));
}

function tagsToJson(tags: DqTag[]): { [key: string]: Json } {
  return Object.fromEntries(tags.map((t) => [t.name, t.value]));
}

function conditionToJson(c: DqCondition): { [key: string]: Json } {
  const out: { [key: string]: Json } = {
    kind: c.kind,
    operator: c.operator,
    operands: c.operands.map(operandToJson),
  };
  if (c.variable !== undefined) out.variable = c.variable;
  return out;
}

/** Numbers and strings stay plain; everything else is a small tagged object. */
export function operandToJson(o: DqOperand): Json {
  switch (o.kind) {
    case "number":
      return o.value;
    case "string":
      return o.value;
    case "binary":
      return { op: o.op, left: operandToJson(o.left), right: operandToJson(o.right) };
    case "call":
      return { function: o.name, args: o.args.map(operandToJson) };
    case "null":
      return { keyword: "NULL" };
    case "empty":
      return { keyword: "EMPTY" };
    case "whitespaces_only":
      return { keyword: "WHITESPACES_ONLY" };
    case "date":
      return { date: o.value };
    case "time":
      return { time: o.text };
    case "now":
      return o.offset ? { now: { [o.offset.unit]: o.offset.amount } } : { now: {} };
    case "duration":
      return { duration: { [o.unit]: o.amount } };
    case "size":
      return { size: { [o.unit]: o.amount } };
  }
}
