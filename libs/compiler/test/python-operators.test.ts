import { createDuckdbDialect } from "@sluice/dialects";
import { describe, expect, it } from "vitest";
import { compileProject } from "../src/index.js";
import { pythonFormat, pythonMod } from "../src/render/python-operators.js";
import { model, project } from "./fixture-project.js";

/** Expected values are what CPython 3.11 prints for the same expressions. */
describe("Python's % and tuples, as Jinja2 has them", () => {
  it.each([
    ["%s-%d", ["a", 7.9], "a-7"],
    ["%.2f", 3.14159, "3.14"],
    ["%05.1f%%", 3.14159, "003.1%"],
    ["%-5s|", "ab", "ab   |"],
    ["%+d", 5, "+5"],
    ["%x %X %#o", [255, 255, 8], "ff FF 0o10"],
    ["%(a)s/%(b)03d", { a: "x", b: 7 }, "x/007"],
    ["%e", 12345.678, "1.234568e+04"],
    ["%g %g %g", [0.0001, 1234567, 2.5], "0.0001 1.23457e+06 2.5"],
    ["%r %r %s %s", ["it's", "a", null, true], `"it's" 'a' None True`],
    ["%5.2s|", "abcdef", "   ab|"],
    ["%d%%", -3, "-3%"],
  ])("'%s' with %j", (format, values, expected) => {
    expect(pythonFormat(format, values)).toBe(expected);
  });

  it.each([
    ["%s %s", ["a"], /not enough arguments for format string/],
    ["%d", "x", /%d format: a number is required, not 'x'/],
    ["%s", ["a", "b"], /not all arguments converted during string formatting/],
    ["%q", 1, /unsupported format character 'q'/],
    ["100%", [], /incomplete format '%'/],
    ["%(a)s", ["x"], /format requires a mapping/],
  ])("'%s' with %j is an error", (format, values, message) => {
    expect(() => pythonFormat(format, values)).toThrow(message);
  });

  it("numbers: the modulo takes the divisor's sign", () => {
    expect([pythonMod(-7, 3), pythonMod(7, -3), pythonMod(7.5, 2), pythonMod(6, 3)]).toEqual([
      2, -2, 1.5, 0,
    ]);
    expect(() => pythonMod([1], 2)).toThrow(/unsupported operand types for %/);
  });

  const compileOne = (sql: string) => {
    const compiled = compileProject(project({ models: [model("m.sql", sql)] }), {
      runId: "r1",
      dialect: createDuckdbDialect(),
    });
    return {
      sql: compiled.nodes.find((n) => n.id === "model.m")?.sql,
      diagnostics: compiled.diagnostics.map(
        (d) => `${d.at?.file}:${d.at?.line}:${d.at?.column} ${d.message}`,
      ),
    };
  };

  it("in templates: formatting, tuples in `in` and loops, modulo of loop.index", () => {
    const { sql, diagnostics } = compileOne(
      "{% set name = 'orders' %}{% set n = 3 %}" +
        "select '{{ '%s_%02d' % (name, n) }}' a, {{ '%.2f' % 2.5 }} b, " +
        "{{ 'x' in ('a', 'x') }} c, {{ 'b' in ('a', 'x') }} d" +
        "{% for t in ('p', 'q', 'r') %}, {{ loop.index % 2 }} {{ t }}{% endfor %}",
    );
    expect(diagnostics).toEqual([]);
    expect(sql).toBe("select 'orders_03' a, 2.50 b, true c, false d, 1 p, 0 q, 1 r");
  });

  it("a format that cannot work is an error at its line and column, never NaN", () => {
    const { sql, diagnostics } = compileOne("select 1 as a,\n  {{ '%d rows' % 'many' }} as b");
    expect(sql).toBeUndefined();
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatch(/^m\.sql:2:6 %d format: a number is required, not 'many'/);
  });
});

describe("Jinja2's semantics where nunjucks differed silently", () => {
  const render = (sql: string) => {
    const compiled = compileProject(project({ models: [model("m.sql", sql)] }), {
      runId: "r1",
      dialect: createDuckdbDialect(),
    });
    return compiled.nodes.find((n) => n.id === "model.m")?.sql ?? compiled.diagnostics;
  };

  it("empty lists, dicts and strings are false in if, inline if, not, and, or", () => {
    expect(
      render(
        "{% set e = [] %}{% set d = {} %}{% set full = ['x'] %}select " +
          "{% if e %}1{% else %}0{% endif %} a, {{ 1 if d else 0 }} b, {{ 1 if not e else 0 }} c, " +
          "'{{ (e or full) | join(',') }}' d, {{ (full and e) | length }} e, {{ 1 if full else 0 }} f",
      ),
    ).toBe("select 0 a, 0 b, 1 c, 'x' d, 0 e, 1 f");
  });

  it("list + list concatenates, '-' * 3 repeats; numbers still add", () => {
    expect(
      render("select '{{ (['a'] + ['b', 'c']) | join('|') }}' a, '{{ '-' * 3 }}' b, {{ 1 + 2 }} c"),
    ).toBe("select 'a|b|c' a, '---' b, 3 c");
  });

  it("selectattr/rejectattr with a test and its argument; the format filter", () => {
    expect(
      render(
        "{% set ns = [{'t': 'model', 'n': 'a'}, {'t': 'seed', 'n': 'b'}, {'t': 'model', 'n': 'c'}] %}" +
          "select '{{ ns | selectattr('t', 'equalto', 'model') | map(attribute='n') | join(',') }}' m, " +
          "'{{ ns | rejectattr('t', 'equalto', 'model') | map(attribute='n') | join(',') }}' s, " +
          "'{{ '%s=%03d' | format('k', 7) }}' f",
      ),
    ).toBe("select 'a,c' m, 'b' s, 'k=007' f");
  });
});
