import type { DqConditionKind } from "./ast.js";

/** What a rule type accepts, after Glue's `rules-config.json` (33 types on awslabs/dqdl master). */
export interface DqRuleTypeSpec {
  name: string;
  /** Parameter names in order; with `varArg` the last one repeats (TargetColumn1..n). */
  parameters: readonly string[];
  /** How many of the leading parameters are required (the File* rules take optional paths). */
  minParameters: number;
  varArg?: boolean;
  /** Condition families accepted; `none` means the rule may (or must) have no condition. */
  conditions: readonly (DqConditionKind | "none")[];
  threshold?: boolean;
  where?: boolean;
  analyzerOnly?: boolean;
}

const col = ["TargetColumn"] as const;

function spec(
  name: string,
  parameters: readonly string[],
  conditions: readonly (DqConditionKind | "none")[],
  extra: Partial<DqRuleTypeSpec> = {},
): DqRuleTypeSpec {
  return { name, parameters, minParameters: parameters.length, conditions, ...extra };
}

const numberWithWhere = (name: string, parameters: readonly string[] = col) =>
  spec(name, parameters, ["number"], { where: true });

export const ruleTypes: readonly DqRuleTypeSpec[] = [
  numberWithWhere("RowCount", []),
  spec("ColumnCount", [], ["number"]),
  spec("ColumnExists", col, ["none"]),
  spec("ColumnNamesMatchPattern", ["PatternToMatch"], ["none"]),
  spec("ColumnDataType", col, ["string"], { threshold: true, where: true }),
  numberWithWhere("Completeness"),
  spec("IsComplete", col, ["none"], { where: true }),
  spec("Uniqueness", col, ["number"], { where: true, varArg: true }),
  spec("IsUnique", col, ["none"], { where: true, varArg: true }),
  spec("IsPrimaryKey", col, ["none"], { where: true, varArg: true }),
  numberWithWhere("UniqueValueRatio"),
  numberWithWhere("DistinctValuesCount"),
  numberWithWhere("Entropy"),
  numberWithWhere("Mean"),
  numberWithWhere("Sum"),
  numberWithWhere("StandardDeviation"),
  numberWithWhere("Variance"),
  numberWithWhere("ColumnCorrelation", ["TargetColumn1", "TargetColumn2"]),
  numberWithWhere("ColumnLength"),
  spec("ColumnValues", col, ["string", "number", "date"], { threshold: true, where: true }),
  spec("DataFreshness", col, ["duration"], { where: true }),
  spec("CustomSql", ["CustomSqlStatement"], ["number", "none"], { threshold: true }),
  spec("ReferentialIntegrity", ["PrimaryDatasetColumns", "ReferenceDatasetColumns"], ["number"]),
  spec(
    "DatasetMatch",
    ["ReferenceDatasetAlias", "KeyColumnMappings", "MatchColumnMappings"],
    ["number"],
    {
      minParameters: 2,
    },
  ),
  spec("RowCountMatch", ["ReferenceDatasetAlias"], ["number"]),
  spec("SchemaMatch", ["ReferenceDatasetAlias"], ["number"]),
  spec("AggregateMatch", ["AggregateExpression1", "AggregateExpression2"], ["number"]),
  spec("DetectAnomalies", ["MetricParameter"], ["none"], { varArg: true }),
  spec("AllStatistics", col, ["number"], { analyzerOnly: true }),
  spec("FileFreshness", ["DataPath"], ["date"], { minParameters: 0, threshold: true }),
  spec("FileMatch", ["DataPath", "CompareDataPath"], ["none", "string"], { minParameters: 0 }),
  spec("FileUniqueness", ["DataPath"], ["number"], { minParameters: 0 }),
  spec("FileSize", ["DataPath"], ["size", "number"], { minParameters: 0, threshold: true }),
];

const byName = new Map(ruleTypes.map((t) => [t.name, t]));

/** The rule type spelled exactly so (rule types are case-sensitive). */
export function ruleTypeSpec(name: string): DqRuleTypeSpec | undefined {
  return byName.get(name);
}

/** A rule type spelled with a different case, for a hint. */
export function ruleTypeCaseMatch(name: string): string | undefined {
  const lower = name.toLowerCase();
  return ruleTypes.find((t) => t.name.toLowerCase() === lower)?.name;
}

/** Whether `count` parameters fit the type. */
export function acceptsParameterCount(t: DqRuleTypeSpec, count: number): boolean {
  if (t.varArg) return count >= t.parameters.length;
  return count >= t.minParameters && count <= t.parameters.length;
}

/** Names given to the parameters: varargs become TargetColumn1..n, except a single Uniqueness/IsUnique column. */
export function parameterNames(t: DqRuleTypeSpec, count: number): string[] {
  if (!t.varArg) return t.parameters.slice(0, count);
  const base = t.parameters[t.parameters.length - 1] ?? "Parameter";
  if (count === 1 && (t.name === "Uniqueness" || t.name === "IsUnique")) return [base];
  return Array.from({ length: count }, (_, i) => `${base}${i + 1}`);
}

/** Human text for the accepted parameter counts ("1 parameter", "0 to 2 parameters", "1 or more"). */
export function describeParameterCount(t: DqRuleTypeSpec): string {
  const plural = (n: number) => (n === 1 ? "parameter" : "parameters");
  if (t.varArg) return `${t.parameters.length} or more parameters`;
  if (t.minParameters === t.parameters.length)
    return `${t.parameters.length} ${plural(t.parameters.length)}`;
  return `${t.minParameters} to ${t.parameters.length} parameters`;
}
