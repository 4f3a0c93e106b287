import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import { createDuckdbDialect, trinoCompatStatements, type Relation } from "@sluice/dialects";
import { compileRule, compileRulesetPass, parseDqdl, type CompileRuleContext } from "@sluice/dq";
import { afterAll, beforeAll, describe, expect, test } from "vitest";

// Five rows with NULLs and boundary values; metrics below are computed by hand.
const fixture = `
CREATE SCHEMA s;
CREATE TABLE s.t (id INTEGER, cat VARCHAR, qty INTEGER, price DOUBLE, ts TIMESTAMP, name VARCHAR);
INSERT INTO s.t VALUES
  (1, 'a', 0, 10.0, TIMESTAMP '2024-06-01 11:00:00', 'alpha'),
  (2, 'a', NULL, 20.0, TIMESTAMP '2024-06-01 10:00:00', 'be'),
  (3, 'b', 20, NULL, TIMESTAMP '2024-05-31 06:00:00', ''),
  (4, NULL, NULL, 30.0, NULL, '  '),
  (5, 'c', 40, 40.0, TIMESTAMP '2024-06-01 09:00:00', NULL);
CREATE TABLE s.ref (code VARCHAR, n INTEGER);
INSERT INTO s.ref VALUES ('a', 0), ('b', 20);
CREATE TABLE s.empty (id INTEGER);
`;

const relations: Record<string, Relation> = {
  ref: { schema: "s", name: "ref" },
  empty: { schema: "s", name: "empty" },
};

let connection: DuckDBConnection;
const ctx: CompileRuleContext = {
  dialect: createDuckdbDialect(),
  relation: { schema: "s", name: "t" },
  resolve: (name) => relations[name],
  now: "2024-06-01T12:00:00Z",
};

beforeAll(async () => {
  const instance = await DuckDBInstance.create(":memory:");
  connection = await instance.connect();
  for (const s of trinoCompatStatements()) await connection.run(s.sql);
  await connection.run(fixture);
});

afterAll(() => connection?.closeSync());

async function evaluate(
  ruleText: string,
  context = ctx,
): Promise<{ metric: number | null; passed: boolean }> {
  const { ruleset, diagnostics } = parseDqdl(`Rules = [ ${ruleText} ]`, "t.dqdl");
  expect(diagnostics).toEqual([]);
  const compiled = compileRule(ruleset!.rules[0]!, context);
  if ("unsupported" in compiled) throw new Error(compiled.unsupported);
  const reader = await connection.runAndReadAll(compiled.sql);
  const rows = reader.getRowObjectsJS() as { metric: number | null; passed: boolean }[];
  expect(rows).toHaveLength(1);
  return rows[0]!;
}

// [rule, metric, passed]
const cases: [string, number | null, boolean][] = [
  ["RowCount > 4", 5, true],
  ['RowCount = 5 where "qty IS NOT NULL"', 3, false],
  ['Completeness "qty" > 0.5', 0.6, true],
  ['Completeness "qty" > 0 where "id > 100"', null, false],
  ['IsComplete "id"', 1, true],
  ['IsComplete "cat"', 0.8, false],
  ['Uniqueness "cat" = 0.5', 0.5, true],
  ['IsUnique "id"', 1, true],
  ['IsUnique "cat"', 0.5, false],
  ['IsUnique "qty"', 1, true],
  ['IsPrimaryKey "id"', 1, true],
  ['IsPrimaryKey "qty"', 0.6, false],
  ['IsPrimaryKey "id" "cat"', 0.8, false],
  ['UniqueValueRatio "cat" > 0.6', 2 / 3, true],
  ['DistinctValuesCount "cat" = 4', 4, true],
  ['Entropy "cat" between 1.03 and 1.04', -(0.5 * Math.log(0.5) + 0.5 * Math.log(0.25)), true],
  ['Mean "qty" = 20', 20, true],
  ['Sum "qty" = 60', 60, true],
  ['StandardDeviation "qty" between 16.32 and 16.34', Math.sqrt(800 / 3), true],
  ['Variance "qty" > 266', 800 / 3, true],
  ['ColumnCorrelation "qty" "price" > 0.99', 1, true],
  ['ColumnLength "name" > 1', 0.6, false],
  ['ColumnLength "name" < 6', 1, true],
  ['ColumnValues "cat" in ["a", "b"]', 0.6, false],
  ['ColumnValues "cat" in ["a", "b"] with threshold > 0.5', 0.6, true],
  ['ColumnValues "cat" in ["a", "b", NULL]', 0.8, false],
  ['ColumnValues "cat" != "a"', 0.6, false],
  ['ColumnValues "cat" not in ["a", NULL]', 0.4, false],
  ['ColumnValues "cat" = NULL', 0.2, false],
  ['ColumnValues "cat" != NULL with threshold >= 0.8', 0.8, true],
  ['ColumnValues "qty" between 0 and 40', 0.2, false],
  ['ColumnValues "qty" not between 0 and 40', 0.4, false],
  ['ColumnValues "qty" >= 0 with threshold between 0.59 and 0.61', 0.6, true],
  ['ColumnValues "name" = EMPTY', 0.2, false],
  ['ColumnValues "name" = WHITESPACES_ONLY', 0.2, false],
  ['ColumnValues "name" matches "[a-z]+"', 0.4, false],
  ['ColumnValues "name" not matches "[a-z]+"', 0.4, false],
  ['ColumnValues "ts" > (now() - 1 days)', 0.6, false],
  ['ColumnValues "ts" <= "2024-06-01"', 0.2, false],
  ['ColumnValues "price" <= 20 where "id < 4"', 2 / 3, false],
  ['ColumnValues "cat" in ["A", "B", "C"] with ignoreCase = "true"', 0.8, false],
  ['DataFreshness "ts" <= 24 hours', 0.6, false],
  ['DataFreshness "ts" < 4 hours where "id <> 3 AND ts IS NOT NULL"', 1, true],
  ['ColumnDataType "id" = "INTEGER"', 1, true],
  ['ColumnDataType "cat" = "Integer" with threshold < 0.1', 0, true],
  ['CustomSql "select count(*) from primary where qty > 0" between 1 and 3', 2, true],
  ['CustomSql "SELECT * FROM primary WHERE qty IS NOT NULL" with threshold > 0.5', 0.6, true],
  ['ColumnExists "price"', 1, true],
  ['ColumnExists "nope"', 0, false],
  ["ColumnCount = 6", 6, true],
  ['ColumnNamesMatchPattern "[a-z]+"', 1, true],
  ['ReferentialIntegrity "cat" "ref.{code}" = 0.6', 0.6, true],
  ['RowCountMatch "ref" = 2.5', 2.5, true],
  ['AggregateMatch "sum(qty)" "sum(ref.n)" = 3', 3, true],
  ['SchemaMatch "ref" = 0', 0, true],
  ['DatasetMatch "ref" "cat->code" "qty->n" = 0.4', 0.4, true],
  ['(RowCount > 0) and (IsComplete "cat")', 0, false],
  ['(RowCount > 0) or (IsComplete "cat")', 1, true],
  ['(IsComplete "cat") or (RowCount > 10) and (RowCount > 0)', 0, false],
  ["RowCount > 10 + 2 * 3", 5, false],
];

describe("DQDL rules evaluated on DuckDB", () => {
  test.each(cases)("%s", async (rule, metric, passed) => {
    const row = await evaluate(rule);
    if (metric === null) expect(row.metric).toBeNull();
    else expect(row.metric).toBeCloseTo(metric, 6);
    expect(row.passed).toBe(passed);
  });

  test("one pass over the ruleset gives every rule the metric and outcome it has alone", async () => {
    const text = `Rules = [ ${cases.map(([rule]) => rule).join(",\n")} ]`;
    const { ruleset, diagnostics } = parseDqdl(text, "t.dqdl");
    expect(diagnostics).toEqual([]);
    const pass = compileRulesetPass(ruleset!.rules, ctx);
    if ("unsupported" in pass) throw new Error(pass.unsupported);
    const reader = await connection.runAndReadAll(pass.sql);
    const [row] = reader.getRowObjectsJS() as Record<string, number | boolean | null>[];
    const together = cases.map((_, k) => [row![`metric_${k + 1}`], row![`passed_${k + 1}`]]);
    const oneAtATime = [];
    for (const [rule] of cases) {
      const r = await evaluate(rule);
      oneAtATime.push([r.metric, r.passed]);
    }
    expect(together).toEqual(oneAtATime);
    // The hand-computed outcomes hold in the pass too (failing rules included).
    expect(together.map(([, passed]) => passed)).toEqual(cases.map(([, , passed]) => passed));
    // One scan reads the relation for the aggregate and row-level rules (37 of the 60); each of
    // the others (grouping, CustomSql, catalog, multi-relation, composite) is one subquery.
    const reads = (sql: string) => sql.split('"s"."t"').length - 1;
    const joined = ruleset!.rules.filter((_, k) => new RegExp(`AS q_${k + 1}\\b`).test(pass.sql));
    expect([cases.length, joined.length]).toEqual([60, 23]);
    const alone = joined
      .map((r) => compileRule(r, ctx))
      .map((c) => ("sql" in c ? reads(c.sql) : 0));
    expect(reads(pass.sql)).toBe(1 + alone.reduce((a, b) => a + b, 0));
  });

  test("a pass on an empty relation: the same NULL metrics and empty-input outcomes", async () => {
    const rules = ['DataFreshness "id" <= 1 hours', 'Completeness "id" >= 0', "RowCount = 0"];
    const { ruleset } = parseDqdl(`Rules = [ ${rules.join(", ")} ]`, "t.dqdl");
    const pass = compileRulesetPass(ruleset!.rules, { ...ctx, relation: relations.empty! });
    if ("unsupported" in pass) throw new Error(pass.unsupported);
    const reader = await connection.runAndReadAll(pass.sql);
    expect(reader.getRowObjectsJS()).toEqual([
      {
        metric_1: 1,
        passed_1: true,
        metric_2: null,
        passed_2: false,
        metric_3: 0,
        passed_3: true,
      },
    ]);
  });

  test("empty relation: row-level DataFreshness passes, Completeness fails", async () => {
    const empty = { ...ctx, relation: relations.empty! };
    expect(await evaluate('DataFreshness "id" <= 1 hours', empty)).toEqual({
      metric: 1,
      passed: true,
    });
    expect(await evaluate('Completeness "id" >= 0', empty)).toEqual({
      metric: null,
      passed: false,
    });
  });

  test("failing rows of a row-level rule", async () => {
    const { ruleset } = parseDqdl('Rules = [ ColumnValues "cat" in ["a", "b"] ]', "t.dqdl");
    const compiled = compileRule(ruleset!.rules[0]!, ctx);
    if ("unsupported" in compiled || !compiled.failingRowsSql)
      throw new Error("expected failing rows SQL");
    const reader = await connection.runAndReadAll(`${compiled.failingRowsSql} ORDER BY id`);
    expect(reader.getRowObjectsJS().map((r) => r.id)).toEqual([4, 5]);
  });

  test.each([
    ['IsComplete "cat"', [4]],
    ['Completeness "qty" > 0.5 where "id > 2"', [4]],
    ['IsUnique "cat"', [1, 2]],
    ['Uniqueness "cat" > 0.9 where "id <> 1"', []],
    ['IsPrimaryKey "cat"', [1, 2, 4]],
    ['IsPrimaryKey "cat" "qty"', [2, 4]],
  ] as const)("failing rows of %s (for --store-failures)", async (rule, ids) => {
    const { ruleset } = parseDqdl(`Rules = [ ${rule} ]`, "t.dqdl");
    const compiled = compileRule(ruleset!.rules[0]!, ctx);
    if ("unsupported" in compiled || !compiled.failingRowsSql)
      throw new Error("expected failing rows SQL");
    const reader = await connection.runAndReadAll(
      `SELECT * FROM (${compiled.failingRowsSql}) AS f ORDER BY id`,
    );
    expect(reader.getRowObjectsJS().map((r) => r.id)).toEqual(ids);
  });
});
