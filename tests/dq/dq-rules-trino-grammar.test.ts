import { createDuckdbDialect, type Relation } from "@sluice/dialects";
import { compileRule, compileRulesetPass, parseDqdl, type CompileRuleContext } from "@sluice/dq";
import { expect, test } from "vitest";
import { TrinoSQL } from "../support/sql-grammar.js";

// Athena runs assertions as Trino SQL; quoting is the same `"` style as DuckDB's.
const ctx: CompileRuleContext = {
  dialect: createDuckdbDialect(),
  relation: { schema: "silver", name: "events" },
  resolve: (name): Relation | undefined =>
    name === "ref" ? { schema: "silver", name: "products" } : undefined,
};

const rules = [
  'RowCount > 0 where "x > 1"',
  "ColumnCount = 3",
  'ColumnExists "a"',
  'ColumnNamesMatchPattern "[a-z_]+"',
  'ColumnDataType "a" = "Integer" with threshold > 0.9',
  'Completeness "a" > 0.9',
  'IsUnique "a" "b"',
  'IsPrimaryKey "a"',
  'UniqueValueRatio "a" > 0.1',
  'DistinctValuesCount "a" > 1',
  'Entropy "a" > 1',
  'StandardDeviation "a" < 3',
  'ColumnCorrelation "a" "b" > 0.5',
  'ColumnLength "a" between 1 and 5',
  'ColumnValues "a" in ["x", NULL, EMPTY, WHITESPACES_ONLY]',
  'ColumnValues "a" not matches "[0-9]+"',
  'ColumnValues "ts" > (now() - 3 days)',
  'DataFreshness "ts" <= 24 hours',
  'CustomSql "select count(*) from primary" > 0',
  'CustomSql "select * from primary where a > 0" with threshold > 0.5',
  'ReferentialIntegrity "a" "ref.{id}" = 1.0',
  'DatasetMatch "ref" "a->id" "b->c" > 0.9',
  'RowCountMatch "ref" > 0.9',
  'SchemaMatch "ref" = 1.0',
  'AggregateMatch "sum(a)" "sum(ref.b)" > 0.9',
  '(RowCount > 0) and (IsComplete "a")',
];

test.each(rules)("Trino grammar accepts the assertion of %s", (rule) => {
  const { ruleset } = parseDqdl(`Rules = [ ${rule} ]`, "r.dqdl");
  const compiled = compileRule(ruleset!.rules[0]!, ctx);
  if ("unsupported" in compiled) throw new Error(compiled.unsupported);
  const parser = new TrinoSQL();
  expect(parser.validate(compiled.sql)).toEqual([]);
  if (compiled.failingRowsSql) expect(parser.validate(compiled.failingRowsSql)).toEqual([]);
});

test("Trino grammar accepts one pass over every rule above", () => {
  const { ruleset } = parseDqdl(`Rules = [ ${rules.join(",\n")} ]`, "r.dqdl");
  const pass = compileRulesetPass(ruleset!.rules, ctx);
  if ("unsupported" in pass) throw new Error(pass.unsupported);
  expect(new TrinoSQL().validate(pass.sql)).toEqual([]);
});

test("the Trino grammar check rejects broken SQL", () => {
  expect(new TrinoSQL().validate("SELECT count( FROM x").length).toBeGreaterThan(0);
});
