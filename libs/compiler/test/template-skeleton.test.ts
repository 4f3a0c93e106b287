import { describe, expect, it } from "vitest";
import { templateSkeleton } from "../src/compile/template-skeleton.js";

const model = `{{ config(materialized='table', tags=['t']) }}
select o.id, {{ cents('o.amount') }} as amount
from {{ ref('orders') }} o join {{ source('raw', 'events') }} e on e.id = o.id
{% if is_incremental() %} where o.at > (select max(at) from {{ this }}) {% endif %}
`;

describe("templateSkeleton", () => {
  it.each([
    ["a comment appended", `${model}-- edit 1\n`],
    ["a column added", model.replace("select o.id,", "select o.id, o.name,")],
    ["text inside an if branch", model.replace("where o.at >", "where o.at >=")],
    ["text before the first tag", `-- header\n${model}`],
    ["a Jinja comment", `${model}{# note #}\n`],
    ["whitespace control", model.replace("{{ ref('orders') }}", "{{- ref('orders') -}}")],
    ["spacing inside a tag", model.replace("{{ ref('orders') }}", "{{ref( 'orders' )}}")],
  ])("is the same when only literal text changes: %s", (_, edited) => {
    expect(templateSkeleton(model)).toBeDefined();
    expect(templateSkeleton(edited)).toBe(templateSkeleton(model));
  });

  it.each([
    ["a ref added", `${model}union all select * from {{ ref('more') }}\n`],
    ["a ref renamed", model.replace("ref('orders')", "ref('orders_v2')")],
    ["config changed", model.replace("'table'", "'view'")],
    ["config removed", model.replace("{{ config(materialized='table', tags=['t']) }}", "")],
    ["a macro argument", model.replace("cents('o.amount')", "cents('o.total')")],
    ["a var read", `${model}{{ var('x', 1) }}\n`],
    ["an if condition", model.replace("is_incremental()", "not_incremental()")],
    ["a tag moved into a branch", model.replace("{% endif %}", "{{ ref('b') }}{% endif %}")],
    ["a set", `{% set x = ref('a') %}${model}`],
  ])("differs when a tag changes: %s", (_, edited) => {
    expect(templateSkeleton(edited)).not.toBe(templateSkeleton(model));
  });

  it.each([
    ["a block set (captures literal text)", "{% set q %}select 1{% endset %}{{ run(q) }}"],
    ["a call block", "{% call statement('x') %}select 1{% endcall %}"],
    ["a macro", "{% macro m() %}select 1{% endmacro %}{{ m() }}"],
    ["an include", "{% include 'other.sql' %}"],
    ["a filter", "{{ ref('a') | upper }}"],
    ["an unclosed tag", "select {{ ref('a') "],
  ])(
    "is undefined where literal text may reach a tag or the template is not simple: %s",
    (_, text) => {
      expect(templateSkeleton(text)).toBeUndefined();
    },
  );
});
