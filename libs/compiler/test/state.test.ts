import { describe, expect, it } from "vitest";
import {
  compileProject,
  deferCandidates,
  deferToState,
  nodeChecksums,
  packChecksums,
  planClone,
  selectNodes,
  stableJson,
} from "../src/index.js";
import type { CompiledNode, SelectionState } from "../src/index.js";
import { fakeDialect } from "./fake-dialect.js";
import { model } from "./fixture-project.js";
import { stateProject } from "./state-project.js";

// raw.events → stg → daily → report; macros/cents.sql defines cents(), called by daily.
const files = (daily: string, macro?: string) => stateProject(daily, macro);
const compile = (p: ReturnType<typeof files>) => {
  const c = compileProject(p, { runId: "r1", dialect: fakeDialect() });
  expect(c.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return c;
};
const DAILY = "select {{ cents('1') }} as c, line from {{ ref('stg') }}";

/** Select `selector` in `now`, compared with the project `before` as the state. */
function select(before: ReturnType<typeof files>, now: ReturnType<typeof files>, selector: string) {
  const old = compile(before);
  const current = compile(now);
  const packed = (sums: ReturnType<typeof nodeChecksums>) =>
    new Map([...sums].map(([id, s]) => [id, packChecksums(s)]));
  const state: SelectionState = {
    previous: packed(nodeChecksums(before, old)),
    current: packed(nodeChecksums(now, current)),
  };
  const r = selectNodes(current, { select: [selector], state });
  return r.ids.filter((id) => id.startsWith("model."));
}

describe("state:modified compares rendered SQL, config and macros", () => {
  it("matching nothing warns with no did-you-mean from node names", () => {
    const p = files(DAILY);
    p.models.push(model("models/modifies.sql", "select 1 as x"));
    const c = compile(p);
    const sums = new Map([...nodeChecksums(p, c)].map(([id, s]) => [id, packChecksums(s)]));
    const r = selectNodes(c, {
      select: ["state:modified+"],
      state: { previous: sums, current: sums },
    });
    expect(r.ids).toEqual([]);
    expect(r.diagnostics.map((d) => [d.code, d.message, d.hint])).toEqual([
      ["SELECTOR_NO_MATCH", "nothing to do: --select state:modified+ matched no node", undefined],
    ]);
  });

  it("an unchanged project: nothing modified, everything unmodified", () => {
    expect(select(files(DAILY), files(DAILY), "state:modified")).toEqual([]);
    expect(select(files(DAILY), files(DAILY), "state:unmodified")).toHaveLength(3);
  });

  it("a changed SQL: the model, and with + its children", () => {
    const edited = DAILY.replace("as c", "as cents");
    expect(select(files(DAILY), files(edited), "state:modified")).toEqual(["model.daily"]);
    expect(select(files(DAILY), files(edited), "state:modified+")).toEqual([
      "model.daily",
      "model.report",
    ]);
  });

  it("a macro rendering differently marks its caller; a comment in it only .macros", () => {
    const other = "{% macro cents(x) %}{{ x }} * 1000{% endmacro %}";
    expect(select(files(DAILY), files(DAILY, other), "state:modified")).toEqual(["model.daily"]);
    const comment = "{% macro cents(x) %}{# why #}{{ x }} * 100{% endmacro %}";
    expect(select(files(DAILY), files(DAILY, comment), "state:modified")).toEqual([]);
    expect(select(files(DAILY), files(DAILY, comment), "state:modified.macros")).toEqual([
      "model.daily",
    ]);
  });

  it("whitespace and a template comment change nothing; a config change is .configs", () => {
    const spaced = `{# a note #}\n${DAILY.replace(" as c,", "\n    as c,\n")}`;
    expect(select(files(DAILY), files(spaced), "state:modified")).toEqual([]);
    const table = `{{ config(materialized='table') }}${DAILY}`;
    expect(select(files(DAILY), files(table), "state:modified.configs")).toEqual(["model.daily"]);
    expect(select(files(DAILY), files(table), "state:modified.body")).toEqual([]);
  });

  it("state: without a state is an error naming --state", () => {
    const r = selectNodes(compile(files(DAILY)), { select: ["state:modified"] });
    expect(r.diagnostics.map((d) => d.message).join()).toMatch(/no --state was given/);
    expect(r.diagnostics.map((d) => d.severity)).toEqual(["error"]);
  });
});

describe("deferToState", () => {
  it("points unselected parents at the state's relation, in the selected nodes' SQL", () => {
    const c = compile(files(DAILY));
    const quote = fakeDialect().quoteRelation;
    const daily = c.nodes.find((n) => n.id === "model.daily")!;
    const prod = new Map([["model.daily", { schema: "prod_main", name: "daily" }]]);
    const { compiled, deferred, rename } = deferToState(c, new Set(["model.report"]), prod, quote);
    expect(deferred).toEqual(["model.daily"]);
    // What renders later (a warehouse query, a node rendered at run time) is renamed the same way.
    expect(rename(`select 1 from ${quote(daily.relation)}`)).toBe(
      `select 1 from ${quote({ schema: "prod_main", name: "daily" })}`,
    );
    const report = compiled.nodes.find((n) => n.id === "model.report")!;
    expect(report.sql).toContain(quote({ schema: "prod_main", name: "daily" }));
    expect(report.sql).not.toContain(quote(daily.relation));
    expect(report.statements.every((s) => !s.sql.includes(quote(daily.relation)))).toBe(true);
    // A selected node is built, not deferred.
    expect(deferToState(c, new Set(["model.daily"]), prod, quote).deferred).toEqual([]);
  });

  it("as dbt: a node this target has is read here, unless favorState", () => {
    const c = compile(files(DAILY));
    const quote = fakeDialect().quoteRelation;
    const prod = new Map([
      ["model.daily", { schema: "prod_main", name: "daily" }],
      ["model.stg", { schema: "prod_main", name: "stg" }],
    ]);
    const selected = new Set(["model.report"]);
    expect(deferCandidates(c, selected, prod, quote).map((n) => n.id)).toEqual([
      "model.stg",
      "model.daily",
    ]);
    const inTarget = new Set(["model.daily"]);
    const here = deferToState(c, selected, prod, quote, { inTarget });
    expect(here.deferred).toEqual(["model.stg"]);
    const report = here.compiled.nodes.find((n) => n.id === "model.report")!;
    expect(report.sql).not.toContain(quote({ schema: "prod_main", name: "daily" }));
    const favored = deferToState(c, selected, prod, quote, { inTarget, favorState: true });
    expect(favored.deferred).toEqual(["model.stg", "model.daily"]);
  });

  it("renames the queries tests share: a ruleset's passes and a generic tests' scan", () => {
    const c = compile(files(DAILY));
    const quote = fakeDialect().quoteRelation;
    const daily = c.nodes.find((n) => n.id === "model.daily")!;
    const old = quote(daily.relation);
    const scan = { index: 1, sql: `select count(*) as failures_1 from ${old}` };
    const test = (id: string, assertion: CompiledNode["assertion"]): CompiledNode => ({
      ...daily,
      id,
      kind: "test",
      dependsOn: ["model.daily"],
      sql: `select * from ${old}`,
      statements: [],
      assertion,
    });
    const rule = test("test.dq_rule", {
      kind: "dq_rule",
      ruleType: "IsComplete",
      ruleText: 'IsComplete "c"',
      ruleName: "c",
      failingRowsSql: `select * from ${old} where c is null`,
      passes: { all: scan, newData: { index: 2, sql: `select 2 from ${old}` } },
    });
    const generic = test("test.not_null", { kind: "failing_rows", shared: scan });
    const prod = new Map([["model.daily", { schema: "prod_main", name: "daily" }]]);
    const selected = new Set([rule.id, generic.id]);
    const project = { ...c, nodes: [...c.nodes, rule, generic] };
    const { compiled } = deferToState(project, selected, prod, quote);
    const texts = compiled.nodes
      .filter((n) => selected.has(n.id))
      .flatMap((n) => [n.sql, JSON.stringify(n.assertion)]);
    expect(texts.filter((t) => t.includes(old))).toEqual([]);
    const renamedRule = compiled.nodes.find((n) => n.id === rule.id)!.assertion!;
    expect(renamedRule.kind === "dq_rule" && renamedRule.passes?.newData?.sql).toBe(
      `select 2 from ${quote({ schema: "prod_main", name: "daily" })}`,
    );
  });
});

describe("planClone", () => {
  const dialect = fakeDialect();
  const c = compile(files(DAILY));
  const daily = c.nodes.find((n) => n.id === "model.daily")!;
  const prod = { schema: "prod_main", name: "daily" };
  const kinds = (plan: ReturnType<typeof planClone>) =>
    plan.action === "create" ? plan.statements.map((s) => s.kind) : plan.reason;

  it("a missing relation becomes a view of the state's; an existing table is dropped first with --full-refresh", () => {
    const plan = planClone(daily, prod, { exists: false }, false, dialect);
    expect(kinds(plan)).toEqual(["create_schema", "create_view"]);
    expect(plan.action === "create" && plan.statements.at(-1)!.sql).toContain(
      `select * from ${dialect.quoteRelation(prod)}`,
    );
    const table = { exists: true, kind: "table" as const };
    expect(kinds(planClone(daily, prod, table, true, dialect))).toEqual([
      "create_schema",
      "drop_table",
      "create_view",
    ]);
  });

  it("skips, saying why: exists, not in the state, the state's own relation, a test", () => {
    expect(kinds(planClone(daily, prod, { exists: true, kind: "view" }, false, dialect))).toMatch(
      /exists \(--full-refresh replaces it\)/,
    );
    expect(kinds(planClone(daily, undefined, { exists: false }, false, dialect))).toBe(
      "not in the state's manifest",
    );
    expect(kinds(planClone(daily, daily.relation, { exists: false }, false, dialect))).toMatch(
      /this target's own/,
    );
    const test = c.nodes.find((n) => n.kind === "test") ?? { ...daily, kind: "test" as const };
    expect(kinds(planClone(test, prod, { exists: false }, false, dialect))).toMatch(/no relation/);
  });
});

describe("stableJson", () => {
  // What it was before it was written without copying: digests in existing states stay equal.
  const reference = (value: unknown): string =>
    JSON.stringify(value, (_k, v: unknown) =>
      v && typeof v === "object" && !Array.isArray(v)
        ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
        : v,
    );

  it("gives JSON.stringify's text of the value with sorted keys, byte for byte", () => {
    const values: unknown[] = [
      { b: 1, a: [true, null, undefined, () => 1], c: { z: '\u2028"', y: undefined } },
      { "10": 1, "9": 2, b: 3, "-1": 4, "01": 5, "4294967295": 6, "4294967294": 7 },
      { d: new Date(Date.UTC(2026, 0, 2)), n: [NaN, -0, 1e21, 1.5, Infinity], s: "é" },
      { nested: [{ y: 1, x: [{ b: null, a: {} }] }], empty: [], o: Object.create(null) },
      { toJSON: () => ({ b: 2, a: 1 }) },
      ["x", { b: 1, a: 2 }],
      "text",
      42,
      null,
      { materialized: "table", tags: ["b", "a"], meta: { owner: "x" }, partition_by: null },
    ];
    for (const v of values) expect(stableJson(v)).toBe(reference(v));
  });
});
