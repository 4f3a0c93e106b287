import { describe, expect, it } from "vitest";
import { compileProject } from "../src/index.js";
import type { CompileMemo, CompiledProject } from "../src/index.js";
import type { Project } from "@sluice/project";
import { fakeDialect } from "./fake-dialect.js";
import { model, project, rawEvents } from "./fixture-project.js";

/**
 * The compile memo (#14): a compile given the previous compile's memo parses and renders again
 * exactly the models whose inputs changed (their file, a macro file they call, a var or env var
 * they read) or whose dependencies now look different, and its output equals a compile without
 * the memo, byte for byte.
 */
const macro = (path: string, text: string) => ({ path, absPath: `/proj/${path}`, text });

interface Inputs {
  cents?: string;
  vars?: Record<string, unknown>;
  env?: Record<string, string>;
  a?: string;
  eph?: string;
}

function shop(i: Inputs = {}): Project {
  return project({
    sources: [rawEvents()],
    macros: [
      macro(
        "macros/cents.sql",
        i.cents ??
          "{% macro cents(c) %}cast({{ c }} * {{ var('scale') }} as bigint){% endmacro %}\n",
      ),
      macro("macros/shout.sql", "{% macro shout(c) %}upper({{ c }}){% endmacro %}\n"),
    ],
    models: [
      model("a.sql", i.a ?? "select {{ cents('x') }} as c from {{ source('raw', 'events') }}"),
      model("b.sql", "select {{ shout('c') }} as s from {{ ref('a') }}"),
      model("c.sql", "select '{{ var('region') }}' as r, s from {{ ref('b') }}"),
      model("d.sql", i.eph ?? "{{ config(materialized='ephemeral') }} select 1 as one"),
      model("e.sql", "select one from {{ ref('d') }}"),
      model("f.sql", "select '{{ env_var('SHOP_ENV', 'dev') }}' as env"),
      model("g.sql", "select 1 as plain"),
    ],
    config: { vars: { scale: 100, region: "eu", ...i.vars } },
  });
}

const compile = (p: Project, env: Record<string, string> = {}, memo?: CompileMemo) =>
  compileProject(p, { runId: "r1", dialect: fakeDialect(), env, ...(memo ? { memo } : {}) });

/** Compile `after` with the memo of a compile of `before`; what was redone, and the output. */
function recompile(
  before: Inputs,
  after: Inputs,
): {
  parsed: string[];
  rendered: string[];
  ordered: string[];
  compiled: CompiledProject;
  memo: CompileMemo;
} {
  const first: CompileMemo = { previous: {}, next: {} };
  compile(shop(before), before.env, first);
  // The memo is stored as JSON between runs.
  const memo: CompileMemo = JSON.parse(
    JSON.stringify({ previous: first.next, next: {}, previousOrders: first.nextOrders }),
  ) as CompileMemo;
  const compiled = compile(shop(after), after.env, memo);
  expect(JSON.stringify(compiled)).toBe(JSON.stringify(compile(shop(after), after.env)));
  return {
    parsed: memo.parsed!.sort(),
    rendered: memo.rendered!.sort(),
    ordered: memo.ordered!,
    compiled,
    memo,
  };
}

describe("compile memo", () => {
  it("a first compile parses and renders every model", () => {
    const memo: CompileMemo = { previous: {}, next: {} };
    const compiled = compile(shop(), {}, memo);
    expect(compiled.diagnostics).toEqual([]);
    const models = ["a", "b", "c", "d", "e", "f", "g"].map((m) => `model.${m}`);
    expect(memo.parsed!.sort()).toEqual(models);
    expect(memo.rendered!.sort()).toEqual(models);
    expect(Object.keys(memo.next).sort()).toEqual(models);
  });

  it("nothing changed: nothing is parsed or rendered, and neither graph is ordered again", () => {
    expect(recompile({}, {})).toMatchObject({ parsed: [], rendered: [], ordered: [] });
  });

  it("orders a graph again only when its edges changed; a graph with a cycle is not kept", () => {
    // A model's SQL changed, not its refs: both orders are the previous compile's.
    expect(
      recompile({}, { a: "select 2 as c from {{ source('raw', 'events') }}" }).ordered,
    ).toEqual([]);
    // A ref added: both graphs are ordered again (the output is checked in recompile).
    const edge = recompile({}, { a: "select 1 as c from {{ ref('g') }}" });
    expect(edge.ordered).toEqual(["models", "nodes"]);
    expect(edge.compiled.nodes.map((n) => n.id).indexOf("model.g")).toBeLessThan(
      edge.compiled.nodes.map((n) => n.id).indexOf("model.a"),
    );
    // A cycle (a reads c, which reads a through b): reported as without the memo, not kept.
    const cycle = recompile({}, { a: "select 1 as c from {{ ref('c') }}" });
    expect(cycle.compiled.diagnostics.map((d) => d.code)).toContain("CYCLE");
    expect(cycle.memo.nextOrders!["models"]).toBeUndefined();
    expect(cycle.memo.nextOrders!["nodes"]).toBeDefined();
  });

  it("a changed macro file re-renders exactly the models calling its macros", () => {
    const cents = "{% macro cents(c) %}cast({{ c }} * {{ var('scale') }} as integer){% endmacro %}";
    const r = recompile({}, { cents });
    expect(r).toMatchObject({ parsed: ["model.a"], rendered: ["model.a"] });
    expect(r.compiled.nodes.find((n) => n.id === "model.a")!.sql).toContain("as integer");
  });

  it("a changed var re-renders the models reading it, also through a macro", () => {
    expect(recompile({}, { vars: { region: "us" } })).toMatchObject({
      parsed: ["model.c"],
      rendered: ["model.c"],
    });
    expect(recompile({}, { vars: { scale: 1000 } })).toMatchObject({
      parsed: ["model.a"],
      rendered: ["model.a"],
    });
    expect(recompile({}, { vars: { unread: 1 } })).toMatchObject({ parsed: [], rendered: [] });
  });

  it("a changed env var re-renders the models reading it", () => {
    expect(recompile({}, { env: { SHOP_ENV: "prod" } })).toMatchObject({
      parsed: ["model.f"],
      rendered: ["model.f"],
    });
  });

  it("a model's new SQL re-renders it; a new relation also re-renders its dependents", () => {
    const sql = "select {{ cents('x') }} as c, 2 as two from {{ source('raw', 'events') }}";
    expect(recompile({}, { a: sql })).toMatchObject({ parsed: ["model.a"], rendered: ["model.a"] });
    const moved = `{{ config(schema='other') }} ${sql}`;
    expect(recompile({}, { a: moved })).toMatchObject({
      parsed: ["model.a"],
      rendered: ["model.a", "model.b"],
    });
  });

  it("an ephemeral's new SQL re-renders the models that inline it", () => {
    const eph = "{{ config(materialized='ephemeral') }} select 2 as one";
    const r = recompile({}, { eph });
    expect(r).toMatchObject({ parsed: ["model.d"], rendered: ["model.d", "model.e"] });
    expect(r.compiled.nodes.find((n) => n.id === "model.e")!.sql).toContain("select 2 as one");
  });

  it("the memo a warm compile leaves serves the next compile as a cold one's does", () => {
    const sql = "select {{ cents('x') }} as c, 2 as two from {{ source('raw', 'events') }}";
    const cold: CompileMemo = { previous: {}, next: {} };
    compile(shop(), {}, cold);
    const warm: CompileMemo = { previous: JSON.parse(JSON.stringify(cold.next)), next: {} };
    compile(shop({ a: sql }), {}, warm);
    expect(warm.rendered).toEqual(["model.a"]);
    // Reused nodes stay in the memo: the compile after the edit renders nothing.
    const again: CompileMemo = { previous: JSON.parse(JSON.stringify(warm.next)), next: {} };
    compile(shop({ a: sql }), {}, again);
    expect(again).toMatchObject({ parsed: [], rendered: [], tested: [] });
    const fresh: CompileMemo = { previous: {}, next: {} };
    compile(shop({ a: sql }), {}, fresh);
    expect(JSON.stringify(warm.next)).toBe(JSON.stringify(fresh.next));
  });

  it("a model with a diagnostic is not memoized", () => {
    const a = "{{ config(materialised='table') }} select 1 as c";
    const r = recompile({ a }, { a });
    expect(r.compiled.diagnostics.map((d) => d.code)).toContain("CONFIG_KEY_UNKNOWN");
    expect(r.parsed).toEqual(["model.a"]);
  });
});
