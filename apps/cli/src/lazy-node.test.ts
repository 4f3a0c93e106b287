import { describe, expect, it } from "vitest";
import { lazyNode, nodeCut, statementCount } from "./lazy-node.js";
import { knownText } from "./node-texts.js";

describe("lazy nodes", () => {
  // Hostile SQL: the members' own separators, quotes, tabs, newlines and non-ASCII inside.
  const sql = `select ',"statements":[{"sql":"x"}]', '\t"é\n' as "}"`;
  const model = {
    id: "model.m",
    kind: "model",
    config: { sql: "a config member named sql", tags: ['"sql":'] },
    dependsOn: ["model.a"],
    sql,
    statements: [
      { kind: "create_view", sql: `create view v as ${sql}`, grammar: "duckdb" },
      { kind: "select", sql: "select 1", grammar: "duckdb" },
    ],
  };
  const test = { ...model, id: "test.t", attachedTo: "model.m", newData: { kind: "rows" } };
  const apart = { id: "model.x", sql, dependsOn: [], statements: [] };

  it("reads a node as JSON.parse would: same members, order, text; SQL parsed when first read", () => {
    for (const node of [model, test]) {
      const text = JSON.stringify(node);
      const cut = nodeCut(node, text);
      expect(cut).not.toBe(0);
      const lazy = lazyNode<typeof node>(text, cut);
      expect(Object.getOwnPropertyDescriptor(lazy, "sql")?.get).toBeTypeOf("function");
      expect(statementCount(lazy)).toBe(2);
      expect(Object.keys(lazy)).toEqual(Object.keys(node));
      expect(knownText(lazy)).toBe(text);
      // A lazily read node keeps its cut: written again, it is not serialized to find it.
      expect(nodeCut(lazy, text)).toBe(cut);
      expect(JSON.stringify(lazy)).toBe(text);
      expect(Object.getOwnPropertyDescriptor(lazy, "sql")).toMatchObject({ value: sql });
      expect({ ...lazy }).toEqual(node);
      expect(lazy).toEqual(node);
    }
  });

  it("reads the members through an object that has the node as its prototype", () => {
    const text = JSON.stringify(model);
    const lazy = lazyNode<typeof model>(text, nodeCut(model, text));
    const child = Object.create(lazy) as typeof model;
    expect(child.statements).toEqual(model.statements);
    expect(Object.getOwnPropertyDescriptor(lazy, "statements")).toMatchObject({ writable: true });
    child.sql = "select 3";
    expect([child.sql, lazy.sql]).toEqual(["select 3", sql]);
  });

  it("replaces a member written before it was read", () => {
    const text = JSON.stringify(test);
    const lazy = lazyNode<typeof test>(text, nodeCut(test, text));
    lazy.statements = [];
    lazy.sql = "select 2";
    expect(statementCount(lazy)).toBe(0);
    expect(JSON.parse(JSON.stringify(lazy))).toEqual({ ...test, sql: "select 2", statements: [] });
  });

  it("keeps whole a node whose sql and statements are not in a row, or that lacks them", () => {
    for (const node of [apart, { id: "source.s", kind: "source" }]) {
      const text = JSON.stringify(node);
      expect(nodeCut(node, text)).toBe(0);
      const read = lazyNode<object>(text, 0);
      expect(read).toEqual(node);
      expect(Object.getOwnPropertyDescriptor(read, "id")).toMatchObject({ value: node.id });
    }
  });

  it("finds no cut in a text that is not the node's, and refuses a cut that does not fit", () => {
    expect(nodeCut(model, JSON.stringify({ ...model, sql: "other" }))).toBe(0);
    expect(nodeCut(model, JSON.stringify(model, null, 1))).toBe(0);
    // The same run of text in a member before them: not told apart, kept whole.
    const twice = { id: "model.t", config: { x: 1, sql, statements: [] }, sql, statements: [] };
    expect(nodeCut(twice, JSON.stringify(twice))).toBe(0);
    const once = { ...twice, config: { x: 1, sql } };
    expect(nodeCut(once, JSON.stringify(once))).not.toBe(0);
    const text = JSON.stringify(model);
    expect(() => lazyNode(text, [1, 2, 3, 1])).toThrow(/does not fit/);
  });
});
