import { describe, expect, it } from "vitest";
import { topologicalOrder, type GraphNode } from "../src/graph/dag.js";

/** The textbook version, kept as the reference: a sorted ready list, smallest id first. */
function referenceOrder(nodes: readonly GraphNode[]): string[] {
  const ids = new Set(nodes.map((n) => n.id));
  const deps = new Map(nodes.map((n) => [n.id, new Set(n.dependsOn.filter((d) => ids.has(d)))]));
  const done = new Set<string>();
  const order: string[] = [];
  for (;;) {
    const ready = [...deps]
      .filter(([id, ds]) => !done.has(id) && [...ds].every((d) => done.has(d)))
      .map(([id]) => id)
      .sort();
    if (ready.length === 0) return order;
    done.add(ready[0]!);
    order.push(ready[0]!);
  }
}

/** A seeded graph: node i depends on up to 3 earlier nodes, some unknown ids, some duplicates. */
function randomGraph(n: number, seed: number, withCycle = false): GraphNode[] {
  let state = seed >>> 0;
  const next = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const name = (i: number) => `model.m_${i}`;
  const nodes = Array.from({ length: n }, (_, i) => {
    const dependsOn: string[] = [];
    for (let k = 0; k < 3 && i > 0; k++) dependsOn.push(name(Math.floor(next() * i)));
    if (next() < 0.05) dependsOn.push("source.raw.unknown");
    if (dependsOn.length > 0 && next() < 0.05) dependsOn.push(dependsOn[0]!);
    return { id: name(i), dependsOn };
  });
  if (withCycle) nodes[1] = { id: name(1), dependsOn: [name(n - 1)] };
  // Input order must not matter.
  return nodes.sort(() => next() - 0.5);
}

describe("topologicalOrder", () => {
  it.each([1, 2, 3, 4, 5])("equals the reference order on a 400-node graph (seed %i)", (seed) => {
    const graph = randomGraph(400, seed);
    expect(topologicalOrder(graph)).toEqual(referenceOrder(graph));
  });

  it("leaves out the nodes on a cycle and what depends on them, as the reference does", () => {
    const graph = randomGraph(300, 9, true);
    const order = topologicalOrder(graph);
    expect(order).toEqual(referenceOrder(graph));
    expect(order).not.toContain("model.m_1");
  });

  it("orders 50,000 nodes and 150,000 edges, each after its dependencies", () => {
    const graph = randomGraph(50_000, 7);
    const order = topologicalOrder(graph);
    expect(order).toHaveLength(50_000);
    const at = new Map(order.map((id, i) => [id, i]));
    const late = graph.flatMap((n) =>
      n.dependsOn
        .filter((d) => at.has(d) && at.get(d)! > at.get(n.id)!)
        .map((d) => `${d} -> ${n.id}`),
    );
    expect(late).toEqual([]);
  });
});
