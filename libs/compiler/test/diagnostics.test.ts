import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "@sluice/project";
import { compileProject } from "../src/index.js";
import { fakeDialect } from "./fake-dialect.js";
import { folders, model, project, rawEvents } from "./fixture-project.js";
import { markSource } from "./mark-source.js";

const compile = (p: ReturnType<typeof project>, vars?: Record<string, unknown>) =>
  compileProject(p, { runId: "r1", dialect: fakeDialect(), ...(vars ? { vars } : {}) });

/** A model whose fixture text carries a ⟨here⟩ marker; returns the model and the marked spot. */
function marked(path: string, text: string) {
  const m = markSource(path, text);
  return { file: model(path, m.text), at: m.at };
}

describe("compile diagnostics", () => {
  it("UNKNOWN_REF points at the ref call and suggests the closest names", () => {
    const bad = marked("marts/orders.sql", "select *\nfrom {{ ⟨here⟩ref('stg_evnts') }}");
    const out = compile(
      project({ models: [model("staging/stg_events.sql", "select 1 as x"), bad.file] }),
    );
    expect(out.diagnostics).toEqual([
      expect.objectContaining({
        code: "UNKNOWN_REF",
        severity: "error",
        at: bad.at,
        hint: "did you mean 'stg_events'?",
      }),
    ]);
    expect(formatDiagnostic(out.diagnostics[0]!)).toBe(
      "marts/orders.sql:2:9: error UNKNOWN_REF: ref('stg_evnts'): no model or seed named 'stg_evnts'\n  hint: did you mean 'stg_events'?",
    );
    expect(out.nodes.map((n) => n.id)).toEqual(["model.stg_events"]);
  });

  it("UNKNOWN_SOURCE points at the source call", () => {
    const bad = marked("stg.sql", "select line from {{ ⟨here⟩source('raw', 'event') }}");
    const out = compile(project({ models: [bad.file], sources: [rawEvents()] }));
    expect(out.diagnostics).toEqual([
      expect.objectContaining({
        code: "UNKNOWN_SOURCE",
        at: bad.at,
        hint: "did you mean 'raw.events'?",
      }),
    ]);
  });

  it("UNKNOWN_VAR without default, at the var call; defaults and --vars work", () => {
    const bad = marked(
      "a.sql",
      "select {{ var('x', 1) }} as x,\n  {{ ⟨here⟩var('missing') }} as y",
    );
    const out = compile(project({ models: [bad.file] }));
    expect(out.diagnostics.map((d) => [d.code, d.at])).toEqual([["UNKNOWN_VAR", bad.at]]);
    const ok = compile(project({ models: [bad.file], config: { vars: { x: 5, missing: 7 } } }), {
      x: 9,
    });
    expect(ok.diagnostics).toEqual([]);
    expect(ok.nodes[0]!.sql).toBe("select 9 as x,\n  7 as y");
  });

  it("UNKNOWN_ENV_VAR without default; env comes from options only", () => {
    const bad = marked(
      "a.sql",
      "select '{{ env_var('HOME_X', 'd') }}' as h, '{{ ⟨here⟩env_var('NOPE') }}' as n",
    );
    const out = compileProject(project({ models: [bad.file] }), {
      runId: "r",
      dialect: fakeDialect(),
      env: {},
    });
    expect(out.diagnostics.map((d) => [d.code, d.at])).toEqual([["UNKNOWN_ENV_VAR", bad.at]]);
    const ok = compileProject(project({ models: [bad.file] }), {
      runId: "r",
      dialect: fakeDialect(),
      env: { NOPE: "yes" },
    });
    expect(ok.nodes[0]!.sql).toBe("select 'd' as h, 'yes' as n");
  });

  it("TEMPLATE_SYNTAX maps nunjucks parse errors to file:line:column", () => {
    const bad = marked("a.sql", "select 1\nwhere {{ x ⟨here⟩}}");
    // nunjucks reports the token it choked on.
    const out = compile(project({ models: [model("a.sql", "select 1\nwhere {{ x ( }}")] }));
    expect(out.diagnostics).toEqual([
      expect.objectContaining({
        code: "TEMPLATE_SYNTAX",
        at: { ...bad.at, column: bad.at.column + 2 },
        message: "unexpected token: }}",
      }),
    ]);
  });

  it("TEMPLATE_SYNTAX for errors while rendering (undefined value, undefined function)", () => {
    const undef = marked("u.sql", "select 1\n\n   x ⟨here⟩{{ bar }}");
    const call = marked("c.sql", "select 1\n  {{ ⟨here⟩nope() }}");
    const out = compile(project({ models: [undef.file, call.file] }));
    expect(out.diagnostics.map((d) => [d.code, d.at, d.message])).toEqual([
      ["TEMPLATE_SYNTAX", call.at, "'nope' is not a macro or function"],
      ["TEMPLATE_SYNTAX", undef.at, "{{ bar }} is undefined"],
    ]);
    // A near name is offered (sluice's own globals here: var, ref, source...).
    const typo = compile(
      project({ models: [model("t.sql", "select {{ vars('x') }}, {{ refs }} x")] }),
    );
    expect(typo.diagnostics.map((d) => [d.message, d.hint])).toEqual([
      ["'vars' is not a macro or function", "did you mean 'var'?"],
    ]);
    const near = compile(project({ models: [model("n.sql", "select {{ refs }} x")] }));
    expect(near.diagnostics.map((d) => [d.message, d.hint])).toEqual([
      ["{{ refs }} is undefined", "did you mean 'ref'?"],
    ]);
  });

  it("an unclosed {% if %}, {% for %} or {# is reported at its opening tag; unknown names get 'did you mean'", () => {
    const ifs = marked(
      "i.sql",
      "select 1\n{% if true %}{% endif %}\n  ⟨here⟩{% if true %}\nwhere 1 = 1\n",
    );
    const loop = marked("f.sql", "select 1\n{% set x = 1 %}⟨here⟩{%- for c in [1] %}\n, {{ c }}\n");
    const note = marked("n.sql", "select 1\n{# ok #}\n⟨here⟩{# never closed\n");
    const filter = marked("u.sql", "select {{ 'a' ⟨here⟩| uper }} as x\n");
    const macro = marked("m.sql", "select {{ ⟨here⟩json_txt('a') }} as x\n");
    const out = compile(
      project({
        models: [ifs.file, loop.file, note.file, filter.file, macro.file],
        macros: [
          {
            path: "macros/json.sql",
            absPath: "/p/macros/json.sql",
            text: "{% macro json_text(k) %}{{ k }}{% endmacro %}",
          },
        ],
      }),
    );
    const byFile = [...out.diagnostics].sort((x, y) => x.at!.file.localeCompare(y.at!.file));
    expect(byFile.map((d) => [d.at, d.message, d.hint])).toEqual([
      [
        loop.at,
        "{% for %} is never closed: expected {% endfor %}",
        "add {% endfor %} after the block",
      ],
      [ifs.at, "{% if %} is never closed: expected {% endif %}", "add {% endif %} after the block"],
      [macro.at, "'json_txt' is not a macro or function", "did you mean 'json_text'?"],
      [note.at, "{# is never closed: expected #}", "close the comment with #}"],
      [filter.at, "unknown filter 'uper'", "did you mean 'upper'?"],
    ]);
  });

  it("CYCLE prints the cycle at the first model's ref", () => {
    const a = marked("a.sql", "select * from {{ ⟨here⟩ref('b') }}");
    const out = compile(
      project({
        models: [
          a.file,
          model("b.sql", "select * from {{ ref('c') }}"),
          model("c.sql", "select * from {{ ref('a') }}"),
          model("d.sql", "select 1 as one"),
        ],
      }),
    );
    expect(out.diagnostics).toEqual([
      expect.objectContaining({
        code: "CYCLE",
        message: "models depend on each other in a cycle: a -> b -> c -> a",
        at: a.at,
      }),
    ]);
    expect(out.nodes.map((n) => n.id)).toEqual(["model.d"]);
  });

  it("DUPLICATE_MODEL names both paths", () => {
    const out = compile(
      project({ models: [model("staging/x.sql", "select 1"), model("marts/x.sql", "select 2")] }),
    );
    expect(out.diagnostics).toEqual([
      expect.objectContaining({
        code: "DUPLICATE_MODEL",
        message: "model 'x' is defined 2 times: marts/x.sql, staging/x.sql",
        at: { file: "staging/x.sql", line: 1, column: 1 },
      }),
    ]);
  });

  it("CONFIG_VALUE_INVALID at the config() call, with allowed values", () => {
    const bad = marked("a.sql", "-- header\n  {{ ⟨here⟩config(materialized='tabel') }}\nselect 1");
    const out = compile(project({ models: [bad.file] }));
    expect(out.diagnostics).toEqual([
      expect.objectContaining({
        code: "CONFIG_VALUE_INVALID",
        at: bad.at,
        message: `config 'materialized' has an invalid value "tabel" (set in config() in a.sql)`,
        hint: "'materialized' must be one of view, table, incremental, ephemeral, snapshot",
      }),
    ]);
    expect(out.nodes).toEqual([]);
  });

  it("CONFIG_VALUE_UNDEFINED: a name nothing defines (quotes forgotten) is an error, not the default", () => {
    const bad = marked("a.sql", "{{ ⟨here⟩config(materialized=table, tags=['t']) }}\nselect 1");
    const out = compile(project({ models: [bad.file] }));
    expect(out.diagnostics).toEqual([
      expect.objectContaining({
        code: "CONFIG_VALUE_UNDEFINED",
        severity: "error",
        at: bad.at,
        message: `config 'materialized' is set to an undefined value (in config() in a.sql): its expression names nothing defined`,
        hint: "quote a string (materialized='...'), or remove the key to keep its default",
      }),
    ]);
    expect(out.nodes).toEqual([]);
  });

  it("ref() and source() of an undefined name (quotes forgotten): said so at the call", () => {
    const bad = marked("b.sql", "select * from {{ ⟨here⟩ref(a) }}");
    const out = compile(project({ models: [model("a.sql", "select 1"), bad.file] }));
    expect(out.diagnostics).toEqual([
      expect.objectContaining({
        code: "UNKNOWN_REF",
        at: bad.at,
        message: "ref() is given an undefined name: its argument names nothing defined",
        hint: "quote the name: ref('<model>')",
      }),
    ]);
    const src = marked("c.sql", "select * from {{ ⟨here⟩source(raw, 'events') }}");
    expect(compile(project({ models: [src.file] })).diagnostics).toEqual([
      expect.objectContaining({ code: "UNKNOWN_SOURCE", at: src.at }),
    ]);
  });

  it("CONFIG_VALUE_INVALID from properties YAML points at the YAML node", () => {
    const out = compile(
      project({
        models: [model("a.sql", "select 1")],
        modelProperties: [
          {
            name: "a",
            config: { enabled: "yes" as unknown as boolean },
            columns: [],
            tests: [],
            at: { file: "props.yml", line: 7, column: 5 },
          },
        ],
      }),
    );
    expect(out.diagnostics.map((d) => [d.code, d.at, d.hint])).toEqual([
      [
        "CONFIG_VALUE_INVALID",
        { file: "props.yml", line: 7, column: 5 },
        "'enabled' must be true or false",
      ],
    ]);
  });

  it("one bad model does not hide the others, and skips only its dependents", () => {
    const out = compile(
      project({
        models: [
          model("a.sql", "select {{ ref('nope') }}"),
          model("b.sql", "select * from {{ ref('a') }}"),
          model("c.sql", "select {{ var('zz') }}"),
          model("d.sql", "select 1 as ok"),
          model("e.sql", "select * from {{ ref('d') }}"),
        ],
        config: { models: folders() },
      }),
    );
    expect(out.diagnostics.map((d) => `${d.code} ${d.at?.file}`)).toEqual([
      "UNKNOWN_VAR c.sql",
      "UNKNOWN_REF a.sql",
    ]);
    expect(out.nodes.map((n) => n.id)).toEqual(["model.d", "model.e"]);
  });

  it("UNKNOWN_TARGET with the closest target", () => {
    const out = compileProject(project(), {
      targetName: "prd",
      runId: "r",
      dialect: fakeDialect(),
    });
    expect(out.diagnostics).toEqual([
      expect.objectContaining({ code: "UNKNOWN_TARGET", hint: "did you mean 'prod'?" }),
    ]);
  });

  it("ref to a disabled model is an UNKNOWN_REF saying so", () => {
    const bad = marked("b.sql", "select * from {{ ⟨here⟩ref('a') }}");
    const out = compile(
      project({ models: [model("a.sql", "{{ config(enabled=false) }} select 1"), bad.file] }),
    );
    expect(out.diagnostics).toEqual([
      expect.objectContaining({
        code: "UNKNOWN_REF",
        at: bad.at,
        message: "ref('a'): model 'a' is disabled",
      }),
    ]);
    expect(out.nodes).toEqual([]);
  });
});
