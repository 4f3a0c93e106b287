import { createDuckdbDialect } from "@sluice/dialects";
import type { DuckdbTarget, ProjectConfig } from "@sluice/project";
import { describe, expect, it } from "vitest";
import { compileProject } from "../src/index.js";
import { model, project } from "./fixture-project.js";

const lake: DuckdbTarget = { engine: "duckdb", lake: "dev.lake", threads: 2, schema: "main" };
const dbtConfig: Partial<ProjectConfig> = {
  targets: { dev: lake },
  "default-target": "dev",
  dbt: { profile: "shop", profilesFile: "/proj/profiles.yml", packages: [] },
};

/** One model's SQL (or its diagnostics' messages), in a dbt project or a sluice.yml one. */
function render(sql: string, dbt = true): string | string[] {
  const compiled = compileProject(
    project({ models: [model("m.sql", sql)], ...(dbt ? { config: dbtConfig } : {}) }),
    { runId: "r1", dialect: createDuckdbDialect() },
  );
  const node = compiled.nodes.find((n) => n.id === "model.m");
  return (
    node?.sql.trim() ??
    compiled.diagnostics.map((d) => `${d.at?.line}:${d.at?.column} ${d.message}`)
  );
}

/**
 * Expected texts are what Jinja2 3.1 (CPython 3.11) renders for the same template, written by
 * hand: `jinja2.Template(t).render(x=2, cols=['a', 'b'])`.
 */
describe("Jinja2's printing of values (dbt projects)", () => {
  it.each([
    ["{{ true }} {{ false }}", "True False"],
    ["{% set x = 2 %}{{ x == 1 }} {{ x == 2 }} {{ x > 1 }}", "False True True"],
    ["{{ [true] }}", "[True]"],
    ["{{ none }}", "None"],
    ["{{ ['a', 1, none, \"it's\"] }}", `['a', 1, None, "it's"]`],
    ["{{ {'k': false, 'l': [1]} }}", "{'k': False, 'l': [1]}"],
    ["{{ 'x' ~ true ~ none }}", "xTrueNone"],
    ["{{ [true, false, none] | join(',') }}", "True,False,None"],
    ["{{ true | string }}-{{ none | string }}", "True-None"],
    ["{% set r = var('missing', none) %}{{ r is none }}", "True"],
    ["{{ this }} {{ 'x' ~ this }}", `"main"."m" x"main"."m"`],
    ["{{ '{}-{}'.format(true, none) }} {{ ','.join([true, 1]) }}", "True-None True,1"],
  ])("%s", (template, expected) => {
    expect(render(template)).toBe(expected);
  });

  it("an undefined name is still an error at its position", () => {
    expect(render("select\n  {{ nope }}")).toEqual([
      expect.stringMatching(/^2:3 .*nope|^2:\d+ .*undefined/),
    ]);
  });

  it("sluice.yml projects print as before (true, and none is an error)", () => {
    expect(render("{{ true }} {{ 1 == 1 }} {{ 'x' ~ false }}", false)).toBe("true true xfalse");
  });
});

describe("Jinja2's == on lists and dicts (dbt projects)", () => {
  it.each([
    [
      "{% set cols = ['a', 'b'] %}{% if cols == ['a','b'] %}same{% else %}differ{% endif %}",
      "same",
    ],
    ["{% set cols = ['a', 'b'] %}{{ cols != ['a', 'b'] }} {{ cols == ['b', 'a'] }}", "False False"],
    ["{{ {'a': [1, {'b': none}]} == {'a': [1, {'b': none}]} }}", "True"],
    ["{{ {'a': 1} == {'a': 1, 'b': 2} }} {{ {'a': 1} == {'a': '1'} }}", "False False"],
    ["{{ '1' == 1 }} {{ 1 == 1.0 }} {{ true == 1 }} {{ none == none }}", "False True True True"],
    ["{{ ['a'] in [['a'], ['b']] }} {{ ['c'] in [['a']] }} {{ 'a' in 'cat' }}", "True False True"],
    ["{% set m = 'x' %}{{ m ~ '' == 'x' }}", "True"],
  ])("%s", (template, expected) => {
    expect(render(template)).toBe(expected);
  });

  it("a macro's output compares with a string by its text", () => {
    expect(
      render("{% macro k() %}id{% endmacro %}{{ k() == 'id' }} {{ k() in ['id', 'x'] }}"),
    ).toBe("True True");
  });

  it("sluice.yml projects compare as before (by identity)", () => {
    expect(render("{% set c = ['a'] %}{{ c == ['a'] }} {{ c == c }}", false)).toBe("false true");
  });
});
