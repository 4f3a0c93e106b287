/** A place in a DQDL file: 1-based line and column, 0-based character offset. */
export interface DqPosition {
  line: number;
  column: number;
  offset: number;
}

/** Comparison operators of DQDL conditions, spelled as in DQDL (lower-case keywords). */
export type DqOperator =
  | "="
  | "!="
  | ">"
  | ">="
  | "<"
  | "<="
  | "between"
  | "not between"
  | "in"
  | "not in"
  | "matches"
  | "not matches";

export type DqTimeUnit = "days" | "hours" | "minutes";
export type DqSizeUnit = "B" | "KB" | "MB" | "GB" | "TB";

/**
 * One operand of a condition. Number expressions keep their tree (DQDL arithmetic has no
 * precedence: `10 + 2 * 3` is `(10 + 2) * 3`).
 */
export type DqOperand =
  | { kind: "number"; value: number; text: string }
  | { kind: "binary"; op: "+" | "-" | "*" | "/"; left: DqOperand; right: DqOperand }
  | { kind: "call"; name: string; args: DqOperand[] }
  | { kind: "null" }
  | { kind: "empty" }
  | { kind: "whitespaces_only" }
  | { kind: "string"; value: string }
  /** `"YYYY-MM-DD"`: midnight of that day (not calendar-checked by the parser, as in Glue). */
  | { kind: "date"; value: string }
  /** `"HH:mm"` or `"h:mm AM"`: today at that time; `minutes` is minutes after midnight. */
  | { kind: "time"; text: string; minutes: number }
  /** `now()` or `(now() ± N unit)`. */
  | { kind: "now"; offset?: { amount: number; unit: DqTimeUnit } }
  | { kind: "duration"; amount: number; unit: DqTimeUnit }
  | { kind: "size"; amount: number; unit: DqSizeUnit };

/** Which family of operands a condition compares with. */
export type DqConditionKind = "number" | "string" | "date" | "duration" | "size";

export interface DqCondition {
  kind: DqConditionKind;
  operator: DqOperator;
  /** One operand for comparisons, two for (not) between, the list items for (not) in. */
  operands: DqOperand[];
  /** Set when the list came from a `$variable` (`in $allowed`). */
  variable?: string;
  at: DqPosition;
}

export interface DqParameter {
  /** The catalogue's name: TargetColumn, TargetColumn1, CustomSqlStatement, ... */
  name: string;
  /** The value without its quotes; escapes are kept verbatim, as in Glue. */
  value: string;
  /** Set when the value came from `$variable`. */
  variable?: string;
  at: DqPosition;
}

export interface DqLabel {
  key: string;
  value: string;
  at: DqPosition;
}

/** `with name = value` (other than a threshold). */
export interface DqTag {
  name: string;
  value: string | number;
  at: DqPosition;
}

export interface DqRule {
  kind: "rule";
  type: string;
  parameters: DqParameter[];
  condition?: DqCondition;
  /** The opaque (Spark SQL) text of `where "..."`. */
  where?: { sql: string; at: DqPosition };
  labels: DqLabel[];
  /** `with threshold <number condition>` on the pass ratio. */
  threshold?: DqCondition;
  tags: DqTag[];
  /** The rule's source text, as written. */
  text: string;
  at: DqPosition;
}

export interface DqComposite {
  kind: "composite";
  operator: "and" | "or";
  left: DqRuleNode;
  right: DqRuleNode;
  labels: DqLabel[];
  text: string;
  at: DqPosition;
}

export type DqRuleNode = DqRule | DqComposite;

/** An entry of `Analyzers = [...]`: a metric without a condition. */
export interface DqAnalyzer {
  type: string;
  parameters: DqParameter[];
  text: string;
  at: DqPosition;
}

export interface DqVariable {
  name: string;
  /** A string, or a list of string operands (strings, NULL, EMPTY, WHITESPACES_ONLY). */
  value: string | DqOperand[];
  at: DqPosition;
}

/** A parsed DQDL document. */
export interface DqRuleset {
  file: string;
  metadata?: { version?: string; at: DqPosition };
  dataSources?: { primary?: string; additional: string[]; at: DqPosition };
  variables: DqVariable[];
  defaultLabels: DqLabel[];
  rules: DqRuleNode[];
  analyzers: DqAnalyzer[];
}
