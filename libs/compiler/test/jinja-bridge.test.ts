import { describe, expect, it } from "vitest";
import { bridgeJinja } from "../src/render/jinja-bridge.js";

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
});
