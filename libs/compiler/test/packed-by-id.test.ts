import { describe, expect, it } from "vitest";
import type { CompiledNode } from "../src/index.js";
import { PackedById } from "../src/state/packed-by-id.js";

const nodes = ["model.a", "source.s", "test.t"].map((id) => ({ id }) as CompiledNode);
const packed = ["a1 a2 a3 a4 a5", "s1    ", "t1 t2 t3 t4 t5"];

describe("PackedById: checksums by position, and by id", () => {
  it("gives the same checksums as rows and by id", () => {
    for (const sums of [
      PackedById.ofNodes(nodes, packed),
      new PackedById(nodes, new Map(nodes.map((n, i) => [n.id, i])), packed),
    ]) {
      const { ids, sums: byRow, rowOf } = sums.rows;
      expect(ids).toEqual(["model.a", "source.s", "test.t"]);
      expect(ids.map((id) => sums.get(id))).toEqual(byRow);
      expect(ids.map((id) => rowOf(id))).toEqual([0, 1, 2]);
      expect(new Map(sums)).toEqual(new Map(nodes.map((n, i) => [n.id, packed[i]])));
      expect(sums.get("model.x")).toBe(undefined);
    }
  });

  it("makes its id map only when an id is first looked up", () => {
    let made = 0;
    const sums = new PackedById(
      nodes,
      () => (made++, new Map(nodes.map((n, i) => [n.id, i]))),
      packed,
    );
    expect(sums.rows.sums[2]).toBe("t1 t2 t3 t4 t5");
    expect(made).toBe(0);
    expect(sums.get("test.t")).toBe("t1 t2 t3 t4 t5");
    expect(sums.has("source.s")).toBe(true);
    expect(made).toBe(1);
  });
});
