import { describe, expect, it } from "vitest";
import { inlineCtes } from "../src/graph/ephemeral.js";
import { findCycles, topologicalOrder } from "../src/graph/dag.js";
import { inferColumnType } from "../src/seeds/seed-sql.js";
import { parseSelectorItem } from "../src/graph/selector.js";

describe("inlineCtes", () => {
  const ctes = [{ name: "a", sql: "select 1 as x" }];
  it("prepends a WITH, or merges into a leading WITH (also RECURSIVE, after comments)", () => {
    expect(inlineCtes("select * from __sluice_cte__a", ctes)).toBe(
      "with __sluice_cte__a as (\nselect 1 as x\n)\nselect * from __sluice_cte__a",
    );
    expect(inlineCtes("/* c */ With b as (select 2) select 1", ctes)).toBe(
      "/* c */ with __sluice_cte__a as (\nselect 1 as x\n),\nb as (select 2) select 1",
    );
    expect(inlineCtes("with recursive r as (select 1) select 1", ctes)).toBe(
      "with recursive __sluice_cte__a as (\nselect 1 as x\n),\nr as (select 1) select 1",
    );
    expect(inlineCtes("select 1", [])).toBe("select 1");
  });
});

describe("graph helpers", () => {
  it("finds each cycle once, from its smallest id", () => {
    const nodes = [
      { id: "c", dependsOn: ["a"] },
      { id: "a", dependsOn: ["b"] },
      { id: "b", dependsOn: ["c"] },
      { id: "s", dependsOn: ["s"] },
      { id: "ok", dependsOn: ["a"] },
    ];
    expect(findCycles(nodes)).toEqual([["a", "b", "c"], ["s"]]);
    expect(
      topologicalOrder([
        { id: "b", dependsOn: [] },
        { id: "a", dependsOn: ["c"] },
        { id: "c", dependsOn: [] },
      ]),
    ).toEqual(["b", "c", "a"]);
  });

  it("parses selector items", () => {
    expect(parseSelectorItem("2+tag:x+")).toEqual({
      text: "2+tag:x+",
      method: "tag",
      value: "x",
      parents: 2,
      children: Infinity,
    });
    expect(parseSelectorItem("m+1")).toEqual({
      text: "m+1",
      method: "default",
      value: "m",
      children: 1,
    });
    expect(parseSelectorItem("@config.materialized:table")).toEqual({
      text: "@config.materialized:table",
      method: "config",
      configKey: "materialized",
      value: "table",
      childrensParents: true,
    });
    expect(parseSelectorItem("+")).toHaveProperty("message", "'+' is not a selector");
  });

  it("infers seed column types", () => {
    expect(["1", "-2", ""].map((v) => inferColumnType([v]))).toEqual([
      "bigint",
      "bigint",
      "varchar",
    ]);
    expect(inferColumnType(["1", "2.5"])).toBe("double");
    expect(inferColumnType(["TRUE", "false"])).toBe("boolean");
    expect(inferColumnType(["2024-01-01", ""])).toBe("date");
    expect(inferColumnType(["2024-01-01", "x"])).toBe("varchar");
  });
});
