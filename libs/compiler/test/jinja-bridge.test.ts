import { describe, expect, it } from "vitest";
import { bridgeJinja, rewriteJinjaStatements } from "../src/render/jinja-bridge.js";

describe("bridgeJinja", () => {
  it.each([
    ["{{ config(unique_key='id',) }}", "{{ config(unique_key='id' ) }}"],
    ["{{ ref('a',\n) }}", "{{ ref('a' \n) }}"],
    ["{% set xs = [1, 2,] %}{{ f(xs, ) }}", "{% set xs = [1, 2 ] %}{{ f(xs  ) }}"],
    // Outside a tag a trailing comma is SQL, left as it is; inside one it is rewritten.
    ["select f(a, ) {{ g(b,) }}", "select f(a, ) {{ g(b ) }}"],
    ["select f(a, ), {{ ref('m') }}", "select f(a, ), {{ ref('m') }}"],
    ["{{ config(tags=['a']) }}\nselect 1,\n2", "{{ config(tags=['a']) }}\nselect 1,\n2"],
  ])("rewrites trailing commas in tags only: %j", (text, bridged) => {
    expect(bridgeJinja(text)).toBe(bridged);
  });

  it("gives what every statement rewrite applied gives, on texts with and without them", () => {
    // Tags that each rewrite takes, ones that only look like them, and plain text: the search
    // that lets bridgeJinja skip the rewrites must never skip a text one of them changes.
    const pieces = [
      "{% test is_even(model, column_name) %}",
      "{%- test\nt (m) -%}",
      "{% endtest %}",
      "{%-endtest-%}",
      "{% do xs.append(1) %}",
      "{%-\tdo\nf() %}",
      "{% set ns.total = ns.total + 1 %}",
      "{%- set\n ns . x = 1 -%}",
      "{%set ns.x=1%}",
      "{% set x = 1 %}",
      "{% tests %}",
      "{% done %}",
      "{% setting.x = 1 %}",
      "{% macro m() %}{% endmacro %}",
      "{{ ref('m') }}",
      "{{ do_this() }}",
      "select test, do, set ns.x from t",
      "{ % do x %}",
      "\n",
      " ",
    ];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) % pieces.length;
    const texts = pieces.flatMap((a) => pieces.map((b) => a + b));
    for (let i = 0; i < 2000; i++)
      texts.push(Array.from({ length: 6 }, () => pieces[next()]).join(""));
    let rewritten = 0;
    for (const text of texts) {
      const all = rewriteJinjaStatements(text);
      if (all !== text) rewritten++;
      expect(bridgeJinja(text), text).toBe(all);
    }
    // Both kinds are there: texts a rewrite changes, and texts it leaves as they are.
    expect(rewritten).toBeGreaterThan(texts.length / 4);
    expect(rewritten).toBeLessThan(texts.length);
  });
});
