import { describe, expect, it } from "vitest";
import { rowObject, uniqueColumns } from "./result-columns.js";

const col = (name: string) => ({ name, type: "integer" });

describe("uniqueColumns", () => {
  it("leaves distinct names alone", () => {
    expect(uniqueColumns([col("a"), col("b")])).toEqual([col("a"), col("b")]);
  });

  it("names repeats a:1, a:2 and keeps the query's name", () => {
    expect(uniqueColumns([col("a"), col("a"), col("b"), col("a")])).toEqual([
      col("a"),
      { ...col("a:1"), sourceName: "a" },
      col("b"),
      { ...col("a:2"), sourceName: "a" },
    ]);
  });

  it("never takes a name the result already has", () => {
    const names = uniqueColumns([col("a"), col("a"), col("a:1")]).map((c) => c.name);
    expect(names).toEqual(["a", "a:2", "a:1"]);
    expect(new Set(names).size).toBe(3);
  });

  it("keys every value of a row", () => {
    const columns = uniqueColumns([col("a"), col("a")]);
    expect(rowObject(columns, [1, 2])).toEqual({ a: 1, "a:1": 2 });
  });
});
