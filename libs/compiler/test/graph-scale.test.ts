import { describe, expect, it } from "vitest";
import { seededRandom } from "./seeded-random.js";
import { selectNodes } from "../src/index.js";
import type { CompiledNode, CompiledProject } from "../src/index.js";
import { findCycles, topologicalOrder } from "../src/graph/dag.js";

/**
 * DAG order and graph selection on large generated graphs (#14), checked against reference
 * implementations written here the slow, obvious way: the order by scanning for the smallest
 * ready id, ancestors and descendants as closures over that order.
 */

const random = seededRandom;

const stub = (id: string, kind: CompiledNode["kind"], dependsOn: string[]): CompiledNode => {
  const name = id.slice(id.indexOf(".") + 1);
  return {
    id,
    kind,
    name,
    path: kind === "test" ? "models/schema.yml" : `models/f${name.length % 3}/${name}.sql`,
    schema: "marts",
    relation: { schema: "marts", name },
    materialization: kind === "test" ? "test" : "table",
    partitionedBy: [],
    config: {},
    tags: [`t${name.length % 4}`],
    columns: [],
    dependsOn,
    sql: "",
    statements: [],
  };
};

/**
 * `n` models in shuffled order, each reading up to 4 random earlier ones (in creation order,
 * so it is acyclic), and a test on every third model.
 */
function generated(n: number, seed: number): CompiledNode[] {
  const rnd = random(seed);
  const ids = Array.from({ length: n }, (_, i) => `model.m_${i}`);
  const nodes: CompiledNode[] = [];
  for (let i = 0; i < n; i++) {
    const deps =
      i === 0
        ? []
        : Array.from({ length: Math.floor(rnd() * 5) }, () => ids[Math.floor(rnd() * i)]!);
    nodes.push(stub(ids[i]!, "model", deps));
    if (i % 3 === 0) nodes.push(stub(`test.t_${i}`, "test", [ids[i]!]));
  }
  for (let i = nodes.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [nodes[i], nodes[j]] = [nodes[j]!, nodes[i]!];
  }
  return nodes;
}

/** Kahn's algorithm, picking the smallest ready id by a full scan each step. */
function referenceOrder(nodes: readonly CompiledNode[]): string[] {
  const done = new Set<string>();
  const ids = new Set(nodes.map((n) => n.id));
  let left = [...nodes];
  const order: string[] = [];
  while (left.length > 0) {
    let best: CompiledNode | undefined;
    for (const n of left)
      if (n.dependsOn.every((d) => done.has(d) || !ids.has(d)) && (!best || n.id < best.id))
        best = n;
    if (!best) break;
    order.push(best.id);
    done.add(best.id);
    left = left.filter((n) => n !== best);
  }
  return order;
}

/** Every node's ancestors (tests excluded from children), as closures in dependency order. */
function closures(nodes: readonly CompiledNode[], order: readonly string[]) {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const up = new Map<string, Set<string>>();
  for (const id of order) {
    const set = new Set<string>();
    for (const d of byId.get(id)!.dependsOn) {
      set.add(d);
      up.get(d)!.forEach((a) => set.add(a));
    }
    up.set(id, set);
  }
  const down = new Map<string, Set<string>>(order.map((id) => [id, new Set()]));
  for (const id of order) {
    if (byId.get(id)!.kind === "test") continue;
    for (const a of up.get(id)!) down.get(a)!.add(id);
  }
  return { up, down, byId };
}

describe("DAG and selection on generated graphs", () => {
  const nodes = generated(3000, 14);
  const order = referenceOrder(nodes);
  const project: CompiledProject = {
    projectName: "gen",
    targetName: "local",
    dialect: "duckdb",
    nodes: order.map((id) => nodes.find((n) => n.id === id)!),
    diagnostics: [],
  };
  const { up, down, byId } = closures(nodes, order);
  /** The reference selection: the picked nodes plus tests whose every parent is picked. */
  const expected = (picked: Set<string>): string[] => {
    for (const id of order) {
      const n = byId.get(id)!;
      if (n.kind === "test" && n.dependsOn.every((d) => picked.has(d))) picked.add(id);
    }
    return order.filter((id) => picked.has(id));
  };
  const select = (...select: string[]) => {
    const r = selectNodes(project, { select });
    // An empty intersection warns SELECTOR_NO_MATCH; nothing else may be reported.
    expect(r.diagnostics.filter((d) => d.code !== "SELECTOR_NO_MATCH")).toEqual([]);
    expect(r.diagnostics.length > 0).toBe(r.ids.length === 0);
    return r.ids;
  };

  it("topologicalOrder equals the reference order, every node after its dependencies", () => {
    expect(order).toHaveLength(nodes.length);
    expect(topologicalOrder(nodes)).toEqual(order);
    expect(findCycles(nodes)).toEqual([]);
  });

  it("+model, model+, n+model, @model and intersections equal the reference closures", () => {
    for (const i of [0, 1, 1500, 2998, 2999]) {
      const id = `model.m_${i}`;
      expect(select(`+m_${i}`)).toEqual(expected(new Set([id, ...up.get(id)!])));
      expect(select(`m_${i}+`)).toEqual(expected(new Set([id, ...down.get(id)!])));
      const parents = byId.get(id)!.dependsOn;
      const two = new Set([id, ...parents, ...parents.flatMap((p) => byId.get(p)!.dependsOn)]);
      expect(select(`2+m_${i}`)).toEqual(expected(two));
      const at = new Set([id, ...down.get(id)!]);
      for (const d of [...at]) up.get(d)!.forEach((a) => at.add(a));
      expect(select(`@m_${i}`)).toEqual(expected(at));
      const tagged = [...up.get(id)!].filter((a) => byId.get(a)!.tags.includes("t1"));
      expect(select(`+m_${i},tag:t1`)).toEqual(
        expected(new Set(byId.get(id)!.tags.includes("t1") ? [id, ...tagged] : tagged)),
      );
    }
  });
});
