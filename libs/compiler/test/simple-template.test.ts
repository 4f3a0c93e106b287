import nunjucks from "nunjucks";
import { describe, expect, it } from "vitest";
import { parseSimpleTemplate, renderSimpleTemplate } from "../src/render/simple-template.js";

/**
 * The simple template path (#14) gives nunjucks' output and makes nunjucks' calls: each template
 * is rendered by both, with globals that record every call, in nunjucks' configuration (no
 * autoescape, throwOnUndefined, Jinja compat).
 */
nunjucks.installJinjaCompat();

function globals(calls: unknown[]): Record<string, unknown> {
  const record =
    (name: string, result: (...a: unknown[]) => unknown) =>
    (...args: unknown[]) => {
      calls.push([name, JSON.parse(JSON.stringify(args))]);
      return result(...args);
    };
  const safe = (text: string): unknown => new nunjucks.runtime.SafeString(text);
  return {
    ref: record("ref", (n) => `"main"."${String(n)}"`),
    source: record("source", (s, t) => `${String(s)}.${String(t)}`),
    config: record("config", () => ""),
    var: record("var", (n) => (n === "scale" ? 100 : n === "list" ? [1, 2] : "x")),
    cents: record("cents", (c) => safe(`cast(${String(c)} * 100 as bigint)`)),
    is_incremental: record("is_incremental", () => true),
    is_full: record("is_full", () => false),
    this: { toString: () => '"marts"."m"' },
  };
}

function viaNunjucks(text: string): { out: string; calls: unknown[] } {
  const calls: unknown[] = [];
  const env = new nunjucks.Environment(null, { autoescape: false, throwOnUndefined: true });
  for (const [name, value] of Object.entries(globals(calls))) env.addGlobal(name, value);
  return { out: new nunjucks.Template(text, env, "t.sql", true).render({}), calls };
}

function viaSimple(text: string): { out: string; calls: unknown[] } | undefined {
  const parts = parseSimpleTemplate(text);
  if (!parts) return undefined;
  const calls: unknown[] = [];
  return { out: renderSimpleTemplate(parts, globals(calls)), calls };
}

const simple = [
  "select 1",
  "",
  "select * from {{ ref('orders') }}",
  '{{ config(materialized="table", tags=["a", \'b\']) }}\nselect 1',
  "{{ config(tags=['t1']) }}\n{%- set scale = var('scale') %}\nselect {{ scale }} as s\n",
  "{{- ref('a') -}}\n\n  x  \n{{- ref('b') }}  \n{%- set y = var('z') -%}  \n  tail",
  "a {{ cents('a.amount + b.amount') }} b",
  "{{ source('raw', 'events') }} {{ this }} {{ var('list') }} {{ 1 }} {{ 2.50 }}",
  "{{ ref(\"it's\") }} {{ ref('a\\nb\\tc\\\\d\\'e') }}",
  "{{ config(tags=[], materialized='view') }}{{ config() }}",
  "select '{' as a, '}}' as b, '{ %' as c, x{y from t",
  "{{ config(1, k=2, 3) }}",
  "{%set a=ref('m')%}{{a}}{{ a }}",
  "x {{-\n  ref('m')\n-}}\n y",
  "{# comment #} x",
  "a  {#- trims both sides -#}  b {#c#} {#-#} d",
  "{{ config(tags=['a']) }}\n{#- a doc comment\n  over lines, with {{ ref('x') }} in it -#}\nselect 1",
  "select 1\n{% if is_incremental() %}\nwhere d > 1\n{% endif %}\n",
  "a {%- if is_full() -%} full {%- else -%} incr {{ ref('m') }} {%- endif -%} b",
  "{% if is_incremental() %}{% if is_full() %}x{% else %}y{% endif %}{% else %}z{% endif %}",
  "{% if is_incremental() %}{% set w = var('scale') %}{% endif %}{{ w }}",
  "{% if is_full() %}{{ nope() }}{% endif %}ok",
  "{{ config(reconcile={'key': 'id', 'share': {'a': 'b', \"c\": [1, 'd']} }, k={}) }}x",
  "{{ config(k={'a': 1}) }}",
];

const notSimple = [
  "{% if is_incremental() %}x{% elif is_full() %}y{% endif %}",
  "{% if is_incremental() %}x",
  "{% endif %}",
  "{% if is_incremental() %}a{% else %}b{% else %}c{% endif %}",
  "{% if var('scale') %}x{% endif %}",
  "{% if is_incremental %}x{% endif %}",
  "{{ config(k={'a': {'b': 1}}) }}",
  "{{ config(k={a: 1}) }}",
  "{{ config(k={'__proto__': 1}) }}",
  "{# unclosed comment",
  "{{ ref('a') | upper }}",
  "{{ this.schema }}",
  "x #} y",
  "{{ a + b }}",
  "{{ ref('a') == 'b' }}",
  "{{ True }}",
  "{% set a, b = 1, 2 %}",
  "{% set a %}x{% endset %}",
  "{{ ref('a',) }}",
  "{{ ref('a' }}",
  "{{ 'unclosed }}",
  "{{ 1. }}",
  "{{ f(x) }}",
  "{% for x in [1] %}{{ x }}{% endfor %}",
];

describe("simple templates render as nunjucks renders them", () => {
  it.each(simple)("%j", (text) => {
    const fast = viaSimple(text);
    expect(fast, "read by the simple path").toBeDefined();
    expect(fast).toEqual(viaNunjucks(text));
  });

  it.each(notSimple)("%j is left to nunjucks", (text) => {
    const parts = parseSimpleTemplate(text);
    if (parts === undefined) return;
    // Parsed (e.g. an unknown name): rendering must then give up rather than guess.
    expect(() => renderSimpleTemplate(parts, globals([]))).toThrow();
  });

  it("gives up on an unknown name or a null output, where nunjucks throws", () => {
    expect(() => viaNunjucks("{{ nope('a') }}")).toThrow(/Unable to call `nope`/);
    expect(() => viaSimple("{{ nope('a') }}")).toThrow();
    expect(() => viaSimple("{{ missing }}")).toThrow();
    expect(() =>
      renderSimpleTemplate(parseSimpleTemplate("{{ f() }}")!, { f: () => null }),
    ).toThrow();
  });
});
