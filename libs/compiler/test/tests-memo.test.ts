import { describe, expect, it } from "vitest";
import { compileProject } from "../src/index.js";
import type { CompileMemo, CompiledProject } from "../src/index.js";
import type { ColumnProperties, ModelProperties, Project } from "@sluice/project";
import { fakeDialect } from "./fake-dialect.js";
import { model, project, props, rawEvents, testSpec } from "./fixture-project.js";

/**
 * Generic tests in the compile memo (#14): a compile given the previous compile's memo builds
 * again exactly the generic tests of the models whose declaration, node or relationships parent
 * changed, or whose test name is now taken by another test; custom `{% test %}` tests are always
 * built. Every output equals a compile without the memo, byte for byte.
 */
const column = (name: string, tests: ColumnProperties["tests"]): ColumnProperties => ({
  name,
  tests,
  at: { file: "schema.yml", line: tests[0]?.at.line ?? 1, column: 9 },
});

interface Inputs {
  /** Config prefix of model b (e.g. a schema: b's relation moves). */
  b?: string;
  /** accepted_values of a.c. */
  values?: string[];
  /** Properties listed before the others. */
  first?: ModelProperties[];
  macros?: Project["macros"];
  aTests?: string[];
}

function shop(i: Inputs = {}): Project {
  return project({
    sources: [rawEvents()],
    macros: i.macros ?? [],
    models: [
      model("a.sql", "select 1 as c, 2 as b_id from {{ source('raw', 'events') }}"),
      model("b.sql", `${i.b ?? ""} select 2 as id`),
      model("c.sql", "select c from {{ ref('a') }}"),
      model("a_b.sql", "select 3 as id"),
    ],
    modelProperties: [
      ...(i.first ?? []),
      props("a", {
        tests: (i.aTests ?? []).map((name) => testSpec(name, {}, 2)),
        columns: [
          column("c", [
            testSpec("not_null", {}, 5),
            testSpec("accepted_values", { values: i.values ?? ["1"] }, 6),
          ]),
          column("b_id", [testSpec("relationships", { to: "ref('b')", field: "id" }, 8)]),
        ],
      }),
      props("c", { columns: [column("c", [testSpec("unique", {}, 12)])] }),
      props("a_b", { columns: [column("id", [testSpec("not_null", {}, 15)])] }),
    ],
  });
}

const compile = (p: Project, memo?: CompileMemo) =>
  compileProject(p, { runId: "r1", dialect: fakeDialect(), ...(memo ? { memo } : {}) });

/** Compile `after` with the memo of a compile of `before`: the models re-tested, and the output. */
function recompile(before: Inputs, after: Inputs): { tested: string[]; compiled: CompiledProject } {
  const first: CompileMemo = { previous: {}, next: {} };
  compile(shop(before), first);
  // The memo is stored as JSON between runs.
  const memo: CompileMemo = { previous: JSON.parse(JSON.stringify(first.next)), next: {} };
  const compiled = compile(shop(after), memo);
  expect(compiled.diagnostics).toEqual([]);
  expect(JSON.stringify(compiled)).toBe(JSON.stringify(compile(shop(after))));
  return { tested: memo.tested!.sort(), compiled };
}

const testIds = (c: CompiledProject): string[] =>
  c.nodes.filter((n) => n.kind === "test").map((n) => n.id);

describe("generic tests in the compile memo", () => {
  it("a first compile builds every model's tests; with nothing changed none is built", () => {
    const memo: CompileMemo = { previous: {}, next: {} };
    const compiled = compile(shop(), memo);
    expect(memo.tested!.sort()).toEqual(["model.a", "model.a_b", "model.c"]);
    expect(testIds(compiled)).toHaveLength(5);
    expect(recompile({}, {})).toMatchObject({ tested: [] });
  });

  it("a changed declaration rebuilds that model's tests only", () => {
    const r = recompile({}, { values: ["1", "2"] });
    expect(r.tested).toEqual(["model.a"]);
    expect(r.compiled.nodes.find((n) => n.id.startsWith("test.accepted_values"))!.sql).toContain(
      "'2'",
    );
  });

  it("a relationships parent that moved rebuilds the tests that read it", () => {
    const r = recompile({}, { b: "{{ config(schema='other') }}" });
    expect(r.tested).toEqual(["model.a"]);
    const rel = r.compiled.nodes.find((n) => n.id.startsWith("test.relationships"))!;
    expect(rel.sql).toContain("other");
  });

  it("a test name taken by an earlier test is rebuilt with the next free name", () => {
    // a.b_id's not_null is named not_null_a_b_id, as a_b.id's was: a_b's becomes _2.
    const first = [props("a", { columns: [column("b_id", [testSpec("not_null", {}, 1)])] })];
    const r = recompile({}, { first });
    expect(r.tested).toContain("model.a_b");
    expect(testIds(r.compiled)).toContain("test.not_null_a_b_id_2");
  });

  it("custom generic tests are never memoized", () => {
    const macros = [
      {
        path: "macros/positive.sql",
        absPath: "/proj/macros/positive.sql",
        text: "{% test positive(model) %}select * from {{ model }} where c < 0{% endtest %}",
      },
    ];
    const r = recompile({ macros, aTests: ["positive"] }, { macros, aTests: ["positive"] });
    // a is built afresh (not listed: it is never memoized); the others are reused.
    expect(r.tested).toEqual([]);
    expect(testIds(r.compiled)).toContain("test.positive_a");
  });
});
