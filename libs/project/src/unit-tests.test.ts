import { describe, expect, it } from "vitest";
import { parseProperties } from "./properties.js";
import { parseUnitTestInput } from "./unit-tests.js";

const parse = (yaml: string) => parseProperties(yaml, "m/u.yml");

describe("unit_tests:", () => {
  it("reads inputs, dict and csv rows, overrides and config", () => {
    const r = parse(`version: 2
unit_tests:
  - name: t
    model: m
    description: d
    given:
      - input: ref('a')
        rows: [{x: 1, y: b}, {x: 2}]
      - input: source("raw", "events")
        format: csv
        rows: |
          line,dt
          hello,2026/01/01/00
          ,2026/01/01/01
      - input: this
        format: sql
        rows: select 1 as x
    expect: {rows: [{x: 1}]}
    overrides: {macros: {is_incremental: true}, vars: {v: 3}, env_vars: {E: 1}}
    config: {tags: unit, enabled: false}
`);
    expect(r.diagnostics).toEqual([]);
    const [t] = r.unitTests;
    expect(t).toMatchObject({
      name: "t",
      model: "m",
      description: "d",
      tags: ["unit"],
      enabled: false,
      overrides: { macros: { is_incremental: true }, vars: { v: 3 }, env_vars: { E: "1" } },
      expect: { format: "dict", columns: ["x"], rows: [[1]] },
    });
    expect(t!.given.map((g) => [g.input, g.rows])).toMatchObject([
      [
        { kind: "ref", name: "a" },
        {
          columns: ["x", "y"],
          rows: [
            [1, "b"],
            [2, null],
          ],
        },
      ],
      [
        { kind: "source", source: "raw", table: "events" },
        {
          columns: ["line", "dt"],
          rows: [
            ["hello", "2026/01/01/00"],
            [null, "2026/01/01/01"],
          ],
        },
      ],
      [{ kind: "this" }, { format: "sql", sql: "select 1 as x" }],
    ]);
    expect(t!.given[0]!.at).toEqual({ file: "m/u.yml", line: 7, column: 9 });
  });

  it("places mistakes at the key or value, with the fix", () => {
    const yaml = (expect: string) => `unit_tests:
  - name: t
    model: m
    given:
      - input: refs('a')
      - input: ref('b')
        rows: "a,b"
    expect: ${expect}
`;
    // A shape error of the test (zod) is reported alone; the inputs are checked once it parses.
    const r = parse(yaml("{rows: [], colour: red}"));
    expect(r.unitTests).toEqual([]);
    expect(r.diagnostics.map((d) => [d.at?.line, d.at?.column, d.message, d.hint])).toEqual([
      [
        8,
        24,
        "unit_tests[0].expect.colour: unknown key 'colour'",
        "valid keys: rows, format, fixture",
      ],
    ]);
    const s = parse(yaml("{rows: []}"));
    expect(s.diagnostics.map((d) => [d.at?.line, d.at?.column, d.message])).toEqual([
      [5, 16, "unit_tests[0].given[0].input: 'refs('a')' is not an input"],
      [7, 15, "unit_tests[0].given[1].rows: format dict takes a list of mappings, got text"],
    ]);
  });

  it("parseUnitTestInput", () => {
    expect(parseUnitTestInput(" ref( 'a' ) ")).toEqual({ kind: "ref", name: "a" });
    expect(parseUnitTestInput("source('s','t')")).toEqual({
      kind: "source",
      source: "s",
      table: "t",
    });
    expect(parseUnitTestInput("this")).toEqual({ kind: "this" });
    expect(parseUnitTestInput("ref(a)")).toBeUndefined();
  });
});
