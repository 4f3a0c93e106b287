import type { DqAnalyzer, DqLabel, DqParameter, DqPosition, DqRule } from "./ast.js";
import {
  acceptsParameterCount,
  describeParameterCount,
  parameterNames,
  ruleTypeCaseMatch,
  ruleTypeSpec,
  ruleTypes,
  type DqRuleTypeSpec,
} from "./catalogue.js";
import { checkEmbeddedSql } from "./embedded-sql-checks.js";
import { didYouMean } from "@sluice/project/suggest";

type Report = (message: string, at: DqPosition, hint?: string) => void;
type RawParameter = { value: string; variable?: string; at: DqPosition };

/** Look up the type and name the parameters; reports and returns undefined when they do not fit. */
function resolveType(
  type: string,
  at: DqPosition,
  raw: RawParameter[],
  report: Report,
  connectorAnd: boolean,
): { spec: DqRuleTypeSpec; parameters: DqParameter[] } | undefined {
  const spec = ruleTypeSpec(type);
  if (!spec) {
    const other = ruleTypeCaseMatch(type);
    report(
      `unknown rule type '${type}'`,
      at,
      other
        ? `rule types are case-sensitive: did you mean '${other}'?`
        : didYouMean(
            type,
            ruleTypes.map((t) => t.name),
          ),
    );
    return undefined;
  }
  if (!acceptsParameterCount(spec, raw.length)) {
    const hint = connectorAnd
      ? "'and' between parameters is a connector word: wrap each rule of a composite rule in parentheses"
      : undefined;
    report(`${type} takes ${describeParameterCount(spec)}, found ${raw.length}`, at, hint);
    return undefined;
  }
  const names = parameterNames(spec, raw.length);
  const parameters = raw.map((p, i) => ({ name: names[i] ?? `Parameter${i + 1}`, ...p }));
  return { spec, parameters };
}

/** The semantic checks Glue's parser listener makes on one rule. */
export function checkRule(
  rule: DqRule,
  raw: RawParameter[],
  connectorAnd: boolean,
  conditionAt: DqPosition,
  report: Report,
): void {
  const resolved = resolveType(rule.type, rule.at, raw, report, connectorAnd);
  if (!resolved) return;
  const { spec, parameters } = resolved;
  rule.parameters = parameters;
  if (spec.analyzerOnly) report(`${rule.type} is only allowed in Analyzers`, rule.at);
  const { condition } = rule;
  if (!condition && !spec.conditions.includes("none")) {
    report(`${rule.type} needs a condition (such as > 0.9)`, conditionAt);
  } else if (condition && spec.conditions.length === 1 && spec.conditions[0] === "none") {
    report(`${rule.type} takes no condition (it returns a boolean)`, condition.at);
  } else if (condition && !spec.conditions.includes(condition.kind)) {
    const accepted = spec.conditions.filter((k) => k !== "none").join(" or ");
    report(
      `${rule.type} takes a ${accepted} condition, found a ${condition.kind} condition`,
      condition.at,
    );
  }
  if (rule.threshold && !spec.threshold) {
    report(`threshold condition not supported for rule type ${rule.type}`, rule.threshold.at);
  }
  if (rule.where && !spec.where)
    report(`${rule.type} does not support a where clause`, rule.where.at);
  checkEmbeddedSql(rule, report);
}

export function checkAnalyzer(analyzer: DqAnalyzer, raw: RawParameter[], report: Report): void {
  const resolved = resolveType(analyzer.type, analyzer.at, raw, report, false);
  if (!resolved) return;
  analyzer.parameters = resolved.parameters;
  const { conditions } = resolved.spec;
  if (conditions.length === 1 && conditions[0] === "none") {
    report(`${analyzer.type} returns a boolean and cannot be an analyzer`, analyzer.at);
  }
}

/** Glue's label limits: non-empty list, unique keys, non-empty key ≤ 128 chars and value ≤ 256. */
export function checkLabels(
  labels: DqLabel[],
  allowEmpty: boolean,
  at: DqPosition,
  report: Report,
): void {
  if (labels.length === 0 && !allowEmpty) report("a labels list must not be empty", at);
  if (labels.length > 10) report(`${labels.length} labels; the limit is 10`, at);
  const seen = new Set<string>();
  for (const l of labels) {
    if (seen.has(l.key)) report(`duplicate label key "${l.key}"`, l.at);
    seen.add(l.key);
    if (l.key === "" || l.value === "") report("label keys and values must not be empty", l.at);
    if (l.key.length > 128) report("a label key is longer than 128 characters", l.at);
    if (l.value.length > 256) report("a label value is longer than 256 characters", l.at);
  }
}
