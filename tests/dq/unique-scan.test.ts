import { DuckDBInstance, type DuckDBConnection } from "@duckdb/node-api";
import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import {
  createAthenaDialect,
  createDuckdbDialect,
  trinoCompatStatements,
  type Dialect,
} from "@sluice/dialects";
import type { Project } from "@sluice/project";
import { dqTestNodes } from "@sluice/runner";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { grammarErrors } from "../support/sql-grammar.js";

/**
 * dbt's `unique` test and DQDL's `IsUnique` of the same column share one grouped scan (runner
 * dq/unique-scan.ts). The shared row must give each what its own query gives: the test's count
 * of duplicated non-NULL keys, the rule's metric and outcome. Values below are counted by hand.
 */
// k: 1 twice, 2 once, 3 three times, NULL twice -> 2 duplicated keys; unique rows 1 of 6 non-NULL.
const fixture = `
CREATE SCHEMA silver;
CREATE TABLE silver.t (k INTEGER, w INTEGER);
INSERT INTO silver.t VALUES (1, 1), (1, 2), (2, 3), (3, 4), (3, 5), (3, 6), (NULL, 7), (NULL, 8);
`;

const node = (over: Partial<CompiledNode>): CompiledNode => ({
  id: "model.t",
  kind: "model",
  name: "t",
  path: "t.sql",
  schema: "silver",
  relation: { schema: "silver", name: "t" },
  materialization: "table",
  partitionedBy: [],
  config: {},
  tags: [],
  columns: [],
  dependsOn: [],
  sql: "select 1",
  statements: [],
  ...over,
});

const plainUnique = (rel: string) =>
  `select "k" as unique_field, count(*) as n_records\nfrom ${rel}\nwhere "k" is not null\ngroup by "k"\nhaving count(*) > 1`;

function setup(rules: string, testSql: string, dialect: Dialect = createDuckdbDialect()) {
  const test = node({
    id: "test.unique_t_k",
    kind: "test",
    name: "unique_t_k",
    materialization: "test",
    attachedTo: "model.t",
    dependsOn: ["model.t"],
    sql: testSql,
    newData: { kind: "keys", columns: ["k"] },
  });
  const compiled: CompiledProject = {
    projectName: "p",
    targetName: "local",
    dialect: dialect.name,
    diagnostics: [],
    nodes: [node({}), test],
  };
  const project = {
    dir: "/p",
    rules: [{ path: "rules/t.dqdl", absPath: "/p/rules/t.dqdl", text: rules, name: "t" }],
  } as unknown as Project;
  const { nodes, diagnostics } = dqTestNodes({ project, compiled, dialect });
  expect(diagnostics).toEqual([]);
  return { test, rules: nodes };
}

describe("unique test + IsUnique: one scan", () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  const row = async (sql: string) =>
    (await connection.runAndReadAll(sql)).getRowObjectsJS()[0] as Record<string, unknown>;

  beforeAll(async () => {
    instance = await DuckDBInstance.create(":memory:");
    connection = await instance.connect();
    for (const s of trinoCompatStatements()) await connection.run(s.sql);
    await connection.run(fixture);
  });
  afterAll(() => {
    connection?.closeSync();
    instance?.closeSync();
  });

  it("one SQL gives the test's failures and the rule's metric, as their own queries do", async () => {
    const ruleset = 'DataSources = { "Primary": "t" }\nRules = [ IsUnique "k", RowCount > 0 ]';
    const { test, rules } = setup(ruleset, plainUnique('"silver"."t"'));
    const rule = rules[0]!;
    expect(test.assertion).toMatchObject({ kind: "failing_rows", shared: { index: 1 } });
    const shared = test.assertion?.kind === "failing_rows" ? test.assertion.shared! : undefined;
    // The rule reads the same SQL on new data; the whole table stays with its ruleset's pass.
    expect(rule.assertion).toMatchObject({ kind: "dq_rule", passes: { newData: shared } });
    expect(rule.assertion?.kind === "dq_rule" && rule.assertion.passes?.all?.sql).not.toBe(
      shared!.sql,
    );
    const both = await row(shared!.sql);
    const own = await row(`select count(*) as failures from (${test.sql}) as t`);
    const ruleOwn = await row(rule.sql);
    expect(Number(own["failures"])).toBe(2);
    expect(Number(both["failures_1"])).toBe(2);
    expect(ruleOwn["metric"]).toBeCloseTo(1 / 6, 12);
    expect(both["metric_1"]).toBe(ruleOwn["metric"]);
    expect([both["passed_1"], ruleOwn["passed"]]).toEqual([false, false]);
  });

  it("a one-rule ruleset shares on the whole table too; a threshold is the rule's own", async () => {
    const { test, rules } = setup(
      'DataSources = { "Primary": "t" }\nRules = [ Uniqueness "k" > 0.1 ]',
      plainUnique('"silver"."t"'),
    );
    const shared = test.assertion?.kind === "failing_rows" ? test.assertion.shared : undefined;
    expect(rules[0]!.assertion).toMatchObject({ passes: { all: shared, newData: shared } });
    const both = await row(shared!.sql);
    expect([Number(both["failures_1"]), both["passed_1"]]).toEqual([2, true]);
  });

  it("is not shared with a test that filters (where), nor for a rule with where", async () => {
    const filtered = setup(
      'DataSources = { "Primary": "t" }\nRules = [ IsUnique "k" ]',
      plainUnique('(select * from "silver"."t" where w > 1) as sluice_where'),
    );
    expect(filtered.test.assertion).toBeUndefined();
    expect(filtered.rules[0]!.assertion).not.toHaveProperty("passes");
    const ruleWhere = setup(
      'DataSources = { "Primary": "t" }\nRules = [ IsUnique "k" where "w > 1" ]',
      plainUnique('"silver"."t"'),
    );
    expect(ruleWhere.test.assertion).toBeUndefined();
  });

  it("on Athena the shared SQL parses as Trino SQL", () => {
    const { test } = setup(
      'DataSources = { "Primary": "t" }\nRules = [ IsUnique "k" ]',
      plainUnique('"silver"."t"'),
      createAthenaDialect(),
    );
    const shared = test.assertion?.kind === "failing_rows" ? test.assertion.shared : undefined;
    expect(shared).toBeDefined();
    expect(grammarErrors({ sql: shared!.sql, grammar: "trino" })).toEqual([]);
  });
});
