import { error, positionAt, type Diagnostic } from "@sluice/project/diagnostics";
import type {
  DqAnalyzer,
  DqCondition,
  DqConditionKind,
  DqLabel,
  DqOperand,
  DqOperator,
  DqPosition,
  DqRule,
  DqRuleNode,
  DqRuleset,
  DqTag,
  DqTimeUnit,
  DqSizeUnit,
  DqVariable,
} from "./ast.js";
import { DqSyntaxError, tokenize, type Token } from "./lexer.js";
import { ruleTypes } from "./catalogue.js";
import { checkAnalyzer, checkLabels, checkRule } from "./rule-checks.js";

/** What {@link parseDqdl} returns: a ruleset only when there is no error. */
export interface ParseDqdlResult {
  ruleset?: DqRuleset;
  diagnostics: Diagnostic[];
}

/**
 * Parse a DQDL ruleset (AWS Glue Data Quality Definition Language). Syntax and semantic
 * errors come back as DQDL_SYNTAX diagnostics at `file:line:column`; nothing is thrown.
 *
 * @example
 * const { ruleset, diagnostics } = parseDqdl('Rules = [ IsComplete "event_id" ]', "rules/stg_events.dqdl");
 * ruleset?.rules[0]; // { kind: "rule", type: "IsComplete", parameters: [{ name: "TargetColumn", value: "event_id", ... }], ... }
 */
export function parseDqdl(text: string, file: string): ParseDqdlResult {
  const diagnostics: Diagnostic[] = [];
  const report = (message: string, at: DqPosition, hint?: string) =>
    diagnostics.push(
      error("DQDL_SYNTAX", message, { file, line: at.line, column: at.column }, hint),
    );
  try {
    const ruleset = new Parser(tokenize(text), text, file, report).document();
    return diagnostics.length > 0 ? { diagnostics } : { ruleset, diagnostics };
  } catch (e) {
    if (!(e instanceof DqSyntaxError)) throw e;
    report(e.message, e.at, e.hint);
    return { diagnostics };
  }
}

type Report = (message: string, at: DqPosition, hint?: string) => void;

const operatorStarts = new Set(["=", "!", ">", ">=", "<", "<=", "between", "not", "in", "matches"]);
const timeUnits = new Set<string>(["days", "hours", "minutes"]);
const sizeUnits = new Set<string>(["B", "KB", "MB", "GB", "TB"]);
const clauseOrder = "the order is: parameters, condition, where, labels, with";

class Parser {
  private i = 0;
  private lastEnd = 0;
  private readonly variables = new Map<string, DqVariable>();
  /** Semantic errors of the rule being parsed: dropped if a syntax error ends the rule. */
  private buffered: Parameters<Report>[] | undefined;
  private readonly report: Report = (...args) =>
    this.buffered ? this.buffered.push(args) : this.reportNow(...args);

  constructor(
    private readonly tokens: Token[],
    private readonly text: string,
    private readonly file: string,
    private readonly reportNow: Report,
  ) {}

  /** Parse one top-level rule, reporting its semantic errors only if it ends where a rule may end. */
  private bufferedRule(parse: () => DqRuleNode): DqRuleNode {
    this.buffered = [];
    const rule = parse();
    const errors = this.buffered;
    this.buffered = undefined;
    if (this.is(",") || this.is("]")) for (const e of errors) this.reportNow(...e);
    return rule;
  }

  // ---- token helpers

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.i + ahead, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const t = this.peek();
    if (t.kind !== "eof") this.i++;
    this.lastEnd = t.end;
    return t;
  }

  private is(text: string, ahead = 0): boolean {
    const t = this.peek(ahead);
    return (t.kind === "punct" || t.kind === "keyword") && t.text === text;
  }

  private accept(text: string): boolean {
    if (!this.is(text)) return false;
    this.next();
    return true;
  }

  private fail(expected: string, hint?: string, at: Token = this.peek()): never {
    throw new DqSyntaxError(`expected ${expected}, found ${describe(at)}`, at.start, hint);
  }

  private expect(text: string, context = ""): Token {
    if (!this.is(text)) this.fail(`'${text}'${context}`);
    return this.next();
  }

  private expectKind(kind: Token["kind"], expected: string, hint?: string): Token {
    if (this.peek().kind !== kind) this.fail(expected, hint);
    return this.next();
  }

  // ---- document

  document(): DqRuleset {
    const ruleset: DqRuleset = {
      file: this.file,
      variables: [],
      defaultLabels: [],
      rules: [],
      analyzers: [],
    };
    const stages = [
      "'Metadata'",
      "'DataSources'",
      "a variable",
      "'DefaultLabels'",
      "'Rules'",
      "'Analyzers'",
    ];
    let stage = 0;
    let last = "";
    if (this.is("Metadata")) {
      ruleset.metadata = this.metadata();
      stage = 1;
      last = "Metadata";
    }
    if (this.is("DataSources")) {
      ruleset.dataSources = this.dataSources();
      stage = 2;
      last = "DataSources";
    }
    while (this.peek().kind === "ident" && this.is("=", 1)) {
      ruleset.variables.push(this.variable());
      stage = 2;
      last = "variables";
    }
    if (this.is("DefaultLabels")) {
      ruleset.defaultLabels = this.defaultLabels();
      stage = 4;
      last = "DefaultLabels";
    }
    const startOfRules = this.peek();
    if (this.is("Rules")) {
      ruleset.rules = this.rules(ruleset.defaultLabels);
      last = "Rules";
      if (this.is("Analyzers")) {
        ruleset.analyzers = this.analyzers();
        last = "Analyzers";
      }
    } else if (this.is("Analyzers")) {
      ruleset.analyzers = this.analyzers();
      last = "Analyzers";
    } else {
      const options = stages.slice(stage);
      const hint = ["Metadata", "DataSources", "DefaultLabels"].includes(this.peek().text)
        ? "sections come in this order: Metadata, DataSources, variables, DefaultLabels, Rules, Analyzers"
        : undefined;
      this.fail(`${options.slice(0, -1).join(", ")} or ${options[options.length - 1]}`, hint);
    }
    if (this.peek().kind !== "eof") {
      this.fail(
        `end of input after the ${last} section`,
        "sections come in this order: Metadata, DataSources, variables, DefaultLabels, Rules, Analyzers; sluice rejects trailing input (Glue ignores it)",
      );
    }
    if (ruleset.rules.length === 0 && ruleset.analyzers.length === 0) {
      this.report("no rules or analyzers provided", startOfRules.start);
    }
    return ruleset;
  }

  private dictionary(section: string): {
    pairs: Map<string, { value: string | string[]; at: DqPosition }>;
  } {
    this.expect("=", ` after '${section}'`);
    this.expect("{", ` to open the ${section} dictionary`);
    const pairs = new Map<string, { value: string | string[]; at: DqPosition }>();
    do {
      const key = this.expectKind("string", `a quoted key in ${section}`);
      this.expect(":", " after the key");
      let value: string | string[];
      if (this.accept("[")) {
        value = [];
        do value.push(unquote(this.expectKind("string", "a quoted string").text));
        while (this.accept(","));
        this.expect("]", " to close the list");
      } else {
        value = unquote(this.expectKind("string", "a quoted string or a list").text);
      }
      const name = unquote(key.text);
      if (pairs.has(name)) this.report(`duplicate key "${name}" in ${section}`, key.start);
      pairs.set(name, { value, at: key.start });
    } while (this.accept(","));
    this.expect("}", ` or ',' in the ${section} dictionary`);
    return { pairs };
  }

  private metadata(): NonNullable<DqRuleset["metadata"]> {
    const at = this.next().start;
    const { pairs } = this.dictionary("Metadata");
    const out: NonNullable<DqRuleset["metadata"]> = { at };
    for (const [key, { value, at: keyAt }] of pairs) {
      if (key !== "Version")
        this.report(`unsupported key "${key}" in Metadata: expected "Version"`, keyAt);
      else if (typeof value !== "string") this.report(`"Version" must be a string`, keyAt);
      else out.version = value;
    }
    return out;
  }

  private dataSources(): NonNullable<DqRuleset["dataSources"]> {
    const at = this.next().start;
    const { pairs } = this.dictionary("DataSources");
    const out: NonNullable<DqRuleset["dataSources"]> = { at, additional: [] };
    for (const [key, { value, at: keyAt }] of pairs) {
      if (key === "Primary") {
        if (typeof value === "string") out.primary = value;
        else this.report(`"Primary" must be a string`, keyAt);
      } else if (key === "AdditionalDataSources") {
        if (Array.isArray(value)) out.additional = value;
        else this.report(`"AdditionalDataSources" must be a list`, keyAt);
      } else {
        this.report(
          `unsupported key "${key}" in DataSources: expected "Primary" or "AdditionalDataSources"`,
          keyAt,
        );
      }
    }
    return out;
  }

  private variable(): DqVariable {
    const nameTok = this.next();
    const name = nameTok.text;
    const section = ["Metadata", "DataSources", "DefaultLabels", "Rules", "Analyzers"].find(
      (n) => n.toLowerCase() === name.toLowerCase(),
    );
    if (section)
      throw new DqSyntaxError(
        `expected '${section}' (section names are case-sensitive), found '${name}'`,
        nameTok.start,
      );
    this.next(); // '='
    let value: DqVariable["value"];
    if (this.accept("[")) {
      value = [];
      do value.push(this.stringListItem());
      while (this.accept(","));
      this.expect("]", " or ',' in the variable's list");
    } else {
      value = unquote(
        this.expectKind(
          "string",
          "a quoted string or a list of strings",
          "DQDL has no numeric variables",
        ).text,
      );
    }
    if (name.startsWith("_") || name.startsWith(".")) {
      this.report(`variable name '${name}' must not start with '_' or '.'`, nameTok.start);
    }
    if (this.variables.has(name))
      this.report(`variable '${name}' is already defined`, nameTok.start);
    const variable = { name, value, at: nameTok.start };
    this.variables.set(name, variable);
    return variable;
  }

  private stringListItem(): DqOperand {
    const t = this.peek();
    if (t.kind === "string")
      return { kind: "string", value: removeEscapes(unquote(this.next().text)) };
    if (t.kind === "keyword" && t.text === "null") return this.next() && { kind: "null" };
    if (t.kind === "keyword" && t.text === "empty") return this.next() && { kind: "empty" };
    if (t.kind === "keyword" && t.text === "whitespaces_only")
      return this.next() && { kind: "whitespaces_only" };
    return this.fail("a quoted string, NULL, EMPTY or WHITESPACES_ONLY");
  }

  private defaultLabels(): DqLabel[] {
    this.next();
    this.expect("=", " after 'DefaultLabels'");
    return this.labelList(true);
  }

  private labelList(allowEmpty: boolean): DqLabel[] {
    const open = this.expect("[", " to open the labels");
    const labels: DqLabel[] = [];
    if (!this.is("]")) {
      do {
        const key = this.expectKind("string", 'a label "key"="value"');
        this.expect("=", " between the label key and value");
        const value = this.expectKind("string", "a quoted label value");
        labels.push({ key: unquote(key.text), value: unquote(value.text), at: key.start });
      } while (this.accept(","));
    }
    this.expect("]", " or ',' in the labels");
    checkLabels(labels, allowEmpty, open.start, this.report);
    return labels;
  }

  // ---- rules

  private rules(defaults: DqLabel[]): DqRuleNode[] {
    this.next();
    this.expect("=", " after 'Rules'");
    this.expect("[", " to open the rules");
    const rules: DqRuleNode[] = [];
    if (!this.is("]")) {
      do {
        if (this.is("]")) this.fail("a rule", "a trailing ',' is not allowed");
        const rule = this.bufferedRule(() => this.orRule());
        rules.push(rule);
        checkDefaultLabelCount(rule, defaults, this.report);
      } while (this.accept(","));
    }
    // Another rule right after one: the comma between them is missing (said where it goes).
    const after = this.peek();
    const ruleName = after.kind === "ident" && ruleTypes.some((t) => t.name === after.text);
    if (rules.length > 0 && (ruleName || this.is("(")))
      throw new DqSyntaxError(
        `missing ',' between rules (found ${describe(this.peek())} after a complete rule)`,
        { ...positionAt(this.text, this.lastEnd), offset: this.lastEnd },
        "add ',' after the previous rule",
      );
    this.expect("]", " or ',' after a rule");
    return rules;
  }

  private orRule(): DqRuleNode {
    let left = this.andRule();
    while (this.is("or")) {
      this.next();
      const right = this.andRule();
      left = this.composite("or", left, right);
    }
    return left;
  }

  private andRule(): DqRuleNode {
    let left = this.primaryRule();
    while (this.is("and")) {
      this.next();
      const right = this.primaryRule();
      left = this.composite("and", left, right);
    }
    return left;
  }

  private composite(operator: "and" | "or", left: DqRuleNode, right: DqRuleNode): DqRuleNode {
    return {
      kind: "composite",
      operator,
      left,
      right,
      labels: [],
      text: this.text.slice(left.at.offset, this.lastEnd),
      at: left.at,
    };
  }

  private primaryRule(): DqRuleNode {
    if (this.is("(")) {
      this.next();
      const inner = this.orRule();
      this.expect(
        ")",
        inner.kind === "composite" ? " to close the composite rule" : " or 'and'/'or' after a rule",
      );
      if (this.is("labels")) {
        const labelsTok = this.next();
        this.expect("=", " after 'labels'");
        const labels = this.labelList(false);
        if (inner.labels.length > 0)
          this.report("a rule cannot have two label lists", labelsTok.start);
        inner.labels = labels;
      }
      return inner;
    }
    if (this.peek().kind !== "ident") this.fail("a rule (a rule type such as IsComplete, or '(')");
    return this.rule();
  }

  private rule(): DqRule {
    const typeTok = this.next();
    const parameters: { value: string; variable?: string; at: DqPosition }[] = [];
    let connectorAnd = false;
    for (;;) {
      const connector = this.is("of") || this.is("and");
      const t = this.peek(connector ? 1 : 0);
      const isParam =
        t.kind === "string" || t.kind === "ident" || (t.kind === "punct" && t.text === "$");
      if (!isParam) break;
      if (connector) connectorAnd ||= this.next().text === "and";
      parameters.push(this.parameter());
    }
    const rule: DqRule = {
      kind: "rule",
      type: typeTok.text,
      parameters: [],
      labels: [],
      tags: [],
      text: "",
      at: typeTok.start,
    };
    const afterParams = this.peek();
    if (
      operatorStarts.has(afterParams.text) &&
      (afterParams.kind === "punct" || afterParams.kind === "keyword")
    ) {
      rule.condition = this.condition();
    } else if (
      ["date", "time", "miltime", "int", "decimal", "now"].includes(afterParams.kind) ||
      (afterParams.kind === "keyword" &&
        !["where", "labels", "with", "and", "or"].includes(afterParams.text))
    ) {
      const hint =
        afterParams.kind === "keyword"
          ? `'${afterParams.text}' is a keyword: quote column names ("${afterParams.text}")`
          : afterParams.kind === "date" ||
              afterParams.kind === "time" ||
              afterParams.kind === "miltime"
            ? "a quoted date or time is a date token, not a string parameter"
            : undefined;
      this.fail("a parameter or a condition", hint);
    }
    if (this.is("where")) {
      this.next();
      const sql = this.expectKind("string", "a quoted SQL expression after 'where'");
      if (sql.text === '""') this.report("the where clause is empty", sql.start);
      rule.where = { sql: unquote(sql.text), at: sql.start };
    }
    if (this.is("labels")) {
      this.next();
      this.expect("=", " after 'labels'");
      rule.labels = this.labelList(false);
    }
    while (this.is("with")) this.tag(rule);
    if (this.is("where") || this.is("labels")) this.fail("',' or the end of the rule", clauseOrder);
    if ((this.is("-") || this.is("+")) && rule.condition?.operands.some((o) => o.kind === "now")) {
      this.fail("the end of the rule", "write date arithmetic in parentheses: (now() - 3 days)");
    }
    rule.text = this.text.slice(typeTok.start.offset, this.lastEnd);
    checkRule(rule, parameters, connectorAnd, afterParams.start, this.report);
    return rule;
  }

  private parameter(): { value: string; variable?: string; at: DqPosition } {
    const t = this.next();
    if (t.kind === "string") return { value: unquote(t.text), at: t.start };
    if (t.kind === "ident") return { value: t.text, at: t.start };
    const name = this.expectKind("ident", "a variable name after '$'");
    const variable = this.variables.get(name.text);
    if (!variable) this.report(`unknown variable '$${name.text}'`, t.start);
    else if (typeof variable.value !== "string") {
      this.report(
        `variable '$${name.text}' is a list; a parameter needs a string variable`,
        t.start,
      );
    }
    const value = typeof variable?.value === "string" ? variable.value : "";
    return { value, variable: name.text, at: t.start };
  }

  private tag(rule: DqRule): void {
    const withTok = this.next();
    const name = this.expectKind("ident", "a tag name after 'with' (such as threshold)");
    const condition = this.condition();
    if (name.text === "threshold" && condition.kind === "number") {
      if (rule.threshold) this.report("a rule has at most one threshold", withTok.start);
      rule.threshold = condition;
      return;
    }
    const operand = condition.operands[0];
    const value =
      operand?.kind === "string"
        ? operand.value
        : operand?.kind === "number"
          ? operand.value
          : undefined;
    if (condition.operator !== "=" || condition.operands.length !== 1 || value === undefined) {
      this.report(`tag '${name.text}' takes '= "value"' or '= number'`, condition.at);
      return;
    }
    if (name.text === "timeZone" && typeof value === "string" && !isTimeZone(value)) {
      this.report(`unknown time zone "${value}"`, condition.at);
    }
    const tag: DqTag = { name: name.text, value, at: name.start };
    rule.tags.push(tag);
  }

  // ---- conditions

  private condition(): DqCondition {
    const at = this.peek().start;
    const op = this.operator();
    let operands: DqOperand[];
    let variable: string | undefined;
    if (op === "between" || op === "not between") {
      const low = this.operand();
      this.expect("and", " between the bounds of 'between'");
      operands = [low, this.operand()];
    } else if (op === "in" || op === "not in") {
      if (this.is("$")) {
        const dollar = this.next();
        const name = this.expectKind("ident", "a variable name after '$'");
        variable = name.text;
        const found = this.variables.get(name.text);
        if (!found) this.report(`unknown variable '$${name.text}'`, dollar.start);
        operands =
          found === undefined
            ? []
            : typeof found.value === "string"
              ? [{ kind: "string", value: found.value }]
              : found.value;
      } else {
        this.expect("[", ` or '$variable' after '${op}'`);
        if (this.is("]")) this.fail("a value", "an in list must not be empty");
        operands = [];
        do operands.push(this.operand(true));
        while (this.accept(","));
        this.expect("]", " or ',' in the list");
      }
    } else if (op === "matches" || op === "not matches") {
      const re = this.expectKind("string", "a quoted regular expression");
      operands = [{ kind: "string", value: unquote(re.text) }];
    } else {
      if (this.is("$")) this.fail("a value", "a $variable is only allowed after 'in' or 'not in'");
      operands = [this.operand()];
    }
    const kind = this.conditionKind(op, operands, at);
    return variable === undefined
      ? { kind, operator: op, operands, at }
      : { kind, operator: op, operands, variable, at };
  }

  private operator(): DqOperator {
    const t = this.next();
    switch (t.text) {
      case "=":
      case ">":
      case ">=":
      case "<":
      case "<=":
      case "between":
      case "in":
      case "matches":
        return t.text;
      case "!":
        this.expect("=", " after '!' (the operator is '!=')");
        return "!=";
      case "not": {
        const n = this.peek();
        if (n.text === "between" || n.text === "in" || n.text === "matches") {
          this.next();
          return `not ${n.text}`;
        }
        return this.fail("'between', 'in' or 'matches' after 'not'");
      }
      default:
        return this.fail("a condition (=, !=, >, >=, <, <=, between, in, matches)", undefined, t);
    }
  }

  private conditionKind(op: DqOperator, operands: DqOperand[], at: DqPosition): DqConditionKind {
    const kinds = new Set<DqConditionKind>();
    for (const o of operands) {
      const k = operandKind(o);
      if (k) kinds.add(k);
    }
    if (kinds.size > 1)
      this.report(`a condition cannot mix ${[...kinds].join(" and ")} values`, at);
    const kind = kinds.values().next().value ?? "number";
    if (kind === "string" && [">", ">=", "<", "<=", "between", "not between"].includes(op)) {
      this.report(
        `'${op}' does not compare strings: use =, !=, in, not in, matches or not matches`,
        at,
      );
    }
    if (kind !== "string" && (op === "matches" || op === "not matches")) {
      this.report(`'${op}' needs a quoted regular expression`, at);
    }
    return kind;
  }

  private operand(inList = false): DqOperand {
    const t = this.peek();
    switch (t.kind) {
      case "string": {
        const raw = unquote(this.next().text);
        return { kind: "string", value: inList ? removeEscapes(raw) : raw };
      }
      case "date":
        return { kind: "date", value: unquote(this.next().text) };
      case "time":
      case "miltime":
        return this.time(this.next());
      case "now":
        this.next();
        return { kind: "now" };
      case "keyword":
        if (t.text === "null" || t.text === "empty" || t.text === "whitespaces_only") {
          this.next();
          return { kind: t.text };
        }
        break;
      case "int":
      case "decimal": {
        const unit = this.peek(1);
        if (unit.kind === "keyword" && (timeUnits.has(unit.text) || sizeUnits.has(unit.text))) {
          if (t.kind === "decimal")
            this.fail("a whole number before a unit", "durations and sizes take whole numbers");
          this.next();
          this.next();
          return timeUnits.has(unit.text)
            ? { kind: "duration", amount: Number(t.text), unit: unit.text as DqTimeUnit }
            : { kind: "size", amount: Number(t.text), unit: unit.text as DqSizeUnit };
        }
        break;
      }
      case "punct":
        if (t.text === "(" && this.peek(1).kind === "now") return this.nowArithmetic();
        break;
      default:
        break;
    }
    if (t.kind === "ident" && t.text.toLowerCase() === "null") {
      this.fail("a value", "keywords are spelled all lower-case or all upper-case: null or NULL");
    }
    if (t.kind === "ident" && /^(now|NOW|Now)$/.test(t.text))
      this.fail("a value", "write now() with no space, in lower case");
    return this.numberExpression();
  }

  private time(t: Token): DqOperand {
    const m = /^"(\d{1,2}):(\d{2})(?: (AM|PM))?"$/.exec(t.text);
    const hour = Number(m?.[1]);
    const minute = Number(m?.[2]);
    const half = m?.[3];
    const valid = minute < 60 && (half ? hour >= 1 && hour <= 12 : hour < 24);
    if (!valid) this.report(`invalid time ${t.text}`, t.start);
    const h24 = half ? (hour % 12) + (half === "PM" ? 12 : 0) : hour;
    return { kind: "time", text: unquote(t.text), minutes: h24 * 60 + minute };
  }

  private nowArithmetic(): DqOperand {
    this.next(); // (
    this.next(); // now()
    if (this.accept(")")) return { kind: "now" };
    const sign = this.peek();
    if (!this.is("+") && !this.is("-")) this.fail("'+', '-' or ')' after now()");
    this.next();
    const amount = this.expectKind("int", "a whole number of days, hours or minutes");
    const unit = this.peek();
    if (unit.kind !== "keyword" || !timeUnits.has(unit.text))
      this.fail("'days', 'hours' or 'minutes'");
    this.next();
    this.expect(")", " to close the date expression");
    const n = Number(amount.text);
    return {
      kind: "now",
      offset: { amount: sign.text === "-" ? -n : n, unit: unit.text as DqTimeUnit },
    };
  }

  private numberExpression(): DqOperand {
    let left = this.numberAtom();
    while (this.is("+") || this.is("-") || this.is("*") || this.is("/")) {
      const op = this.next().text as "+" | "-" | "*" | "/";
      left = { kind: "binary", op, left, right: this.numberAtom() };
    }
    return left;
  }

  private numberAtom(): DqOperand {
    const t = this.peek();
    if (t.kind === "int" || t.kind === "decimal") {
      this.next();
      return { kind: "number", value: Number(t.text), text: t.text };
    }
    if (this.is("-")) {
      this.next();
      const n = this.peek();
      if (n.kind !== "int" && n.kind !== "decimal") this.fail("a number after '-'");
      this.next();
      return { kind: "number", value: -Number(n.text), text: `-${n.text}` };
    }
    if (this.is("null")) {
      this.next();
      return { kind: "null" };
    }
    if (this.is("(")) {
      this.next();
      const inner = this.numberExpression();
      this.expect(")", " to close the parenthesis");
      return inner;
    }
    if (t.kind === "ident" && this.is("(", 1)) {
      this.next();
      this.next();
      const args: DqOperand[] = [];
      if (!this.is(")")) {
        do args.push(this.numberExpression());
        while (this.accept(","));
      }
      this.expect(")", ` or ',' in the arguments of ${t.text}()`);
      return { kind: "call", name: t.text, args };
    }
    const hint =
      t.kind === "ident" && /^\d/.test(t.text)
        ? "numbers are digits with an optional '.digits' part (no exponent, no unit glued on)"
        : t.kind === "punct" && t.text === "+"
          ? "there is no unary '+'"
          : undefined;
    return this.fail(
      "a number, a quoted string, a date, now(), a duration, NULL, EMPTY or WHITESPACES_ONLY",
      hint,
    );
  }

  // ---- analyzers

  private analyzers(): DqAnalyzer[] {
    this.next();
    this.expect("=", " after 'Analyzers'");
    this.expect("[", " to open the analyzers");
    const analyzers: DqAnalyzer[] = [];
    if (!this.is("]")) {
      do {
        const typeTok = this.expectKind("ident", "an analyzer (a rule type such as Completeness)");
        const parameters: { value: string; variable?: string; at: DqPosition }[] = [];
        for (;;) {
          const connector = this.is("of") || this.is("and");
          const t = this.peek(connector ? 1 : 0);
          if (!(
            t.kind === "string" ||
            t.kind === "ident" ||
            (t.kind === "punct" && t.text === "$")
          ))
            break;
          if (connector) this.next();
          parameters.push(this.parameter());
        }
        if (!this.is(",") && !this.is("]")) {
          this.fail(
            "',' or ']' after an analyzer",
            "analyzers take no condition, where, labels or tags",
          );
        }
        const analyzer: DqAnalyzer = {
          type: typeTok.text,
          parameters: [],
          text: this.text.slice(typeTok.start.offset, this.lastEnd),
          at: typeTok.start,
        };
        checkAnalyzer(analyzer, parameters, this.report);
        analyzers.push(analyzer);
      } while (this.accept(","));
    }
    this.expect("]", " or ',' after an analyzer");
    return analyzers;
  }
}

function operandKind(o: DqOperand): DqConditionKind | undefined {
  switch (o.kind) {
    case "number":
    case "binary":
    case "call":
      return "number";
    case "string":
    case "empty":
    case "whitespaces_only":
      return "string";
    case "date":
    case "time":
    case "now":
      return "date";
    case "duration":
      return "duration";
    case "size":
      return "size";
    case "null":
      return undefined;
  }
}

function checkDefaultLabelCount(rule: DqRuleNode, defaults: DqLabel[], report: Report): void {
  if (defaults.length === 0 || rule.labels.length === 0) return;
  const keys = new Set([...defaults.map((l) => l.key), ...rule.labels.map((l) => l.key)]);
  if (keys.size > 10)
    report(`a rule has ${keys.size} labels with the default labels; the limit is 10`, rule.at);
}

function describe(t: Token): string {
  if (t.kind === "eof") return "end of input";
  if (t.kind === "string" || t.kind === "date" || t.kind === "time" || t.kind === "miltime")
    return t.text;
  return `'${t.text}'`;
}

/** Strip the surrounding double quotes; escapes stay as written (Glue's removeQuotes). */
export function unquote(text: string): string {
  return text.slice(1, -1);
}

/** `\x` becomes `x` (Glue applies this to `in [...]` items only). */
function removeEscapes(text: string): string {
  return text.replace(/\\(.)/gs, "$1");
}

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
