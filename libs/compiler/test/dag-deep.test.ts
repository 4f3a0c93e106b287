import { describe, expect, it } from "vitest";
import { seededRandom } from "./seeded-random.js";
import { findCycles, reachable, topologicalOrder, type GraphNode } from "../src/graph/dag.js";
import { selectNodes } from "../src/index.js";
import { inputSources } from "../src/plan/inputs.js";
import { ephemeralCtes } from "../src/compile/render-node-sql.js";
import type { CompiledNode, CompiledProject } from "../src/index.js";

/**
 * The DAG code on graphs deeper than the JS stack (#14): a 100,000-model chain, acyclic or ending
 * in a cycle. A recursive search throws RangeError there instead of reporting the cycle.
 */

const N = 100_000;
const id = (i: number) => `model.c_${String(i).padStart(6, "0")}`;

/**
 * c_0 -> c_1 -> ... -> c_{n-1}: each model reads the next one, so a search that starts at the
 * smallest id and follows dependencies goes n deep.
 */
function chain(n: number): { id: string; dependsOn: string[] }[] {
  return Array.from({ length: n }, (_, i) => ({
    id: id(i),
    dependsOn: i < n - 1 ? [id(i + 1)] : [],
  }));
}

/**
 * The recursive Tarjan search findCycles used before it became iterative, kept as the reference
 * for the order of the components it finds: each cycle as the BFS path from its smallest id.
 */
function referenceCycles(nodes: readonly GraphNode[]): string[][] {
  const deps = new Map(nodes.map((n) => [n.id, [...new Set(n.dependsOn)].sort()]));
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of deps.get(v) ?? []) {
      if (!deps.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (deps.get(v) ?? []).includes(v)) components.push(component);
    }
  };
  for (const v of [...deps.keys()].sort()) if (!index.has(v)) visit(v);
  return components
    .map((component) => {
      const members = new Set(component);
      const start = [...members].sort()[0]!;
      const previous = new Map<string, string>();
      const queue = [start];
      while (queue.length > 0) {
        const v = queue.shift()!;
        for (const w of deps.get(v) ?? []) {
          if (!members.has(w)) continue;
          if (w === start) {
            const path = [v];
            while (path[0] !== start) path.unshift(previous.get(path[0]!)!);
            return path;
          }
          if (!previous.has(w)) {
            previous.set(w, v);
            queue.push(w);
          }
        }
      }
      return [start];
    })
    .sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/** n nodes with up to 3 random dependencies each (any node, so cycles and self-loops occur). */
function randomGraph(n: number, seed: number): GraphNode[] {
  const rnd = seededRandom(seed);
  const name = (i: number) => `m_${String.fromCharCode(97 + (i % 26))}${i}`;
  return Array.from({ length: n }, (_, i) => ({
    id: name(i),
    dependsOn: Array.from({ length: Math.floor(rnd() * 4) }, () =>
      rnd() < 0.05 ? "source.unknown" : name(Math.floor(rnd() * n)),
    ),
  }));
}

describe("cycle search on deep graphs", () => {
  it("finds the cycle at the end of a 100,000-model chain", () => {
    // The last model reads the third from last: a 3-cycle the whole chain leads into.
    const nodes = chain(N);
    nodes[N - 1] = { id: id(N - 1), dependsOn: [id(N - 3)] };
    const cycle = [id(N - 3), id(N - 2), id(N - 1)];
    expect(findCycles(nodes)).toEqual([cycle]);
    expect(findCycles([...nodes].reverse())).toEqual([cycle]);
  });

  it("reports a 100,000-model cycle as one path from its smallest id", () => {
    const nodes = chain(N);
    nodes[N - 1] = { id: id(N - 1), dependsOn: [id(0)] };
    expect(findCycles(nodes)).toEqual([nodes.map((n) => n.id)]);
  });

  it("finds no cycle in a 100,000-model chain, and orders it", () => {
    const nodes = chain(N);
    expect(findCycles(nodes)).toEqual([]);
    expect(topologicalOrder(nodes)).toEqual(nodes.map((n) => n.id).reverse());
  });

  it("reports the same cycles as the recursive search on 2,000 small random graphs", () => {
    let withCycles = 0;
    for (let seed = 1; seed <= 2000; seed++) {
      const nodes = randomGraph(1 + (seed % 12), seed);
      const expected = referenceCycles(nodes);
      if (expected.length > 0) withCycles++;
      expect(findCycles(nodes), `seed ${seed}`).toEqual(expected);
    }
    expect(withCycles).toBeGreaterThan(500);
  });
});

describe("graph selection on a 100,000-model chain", () => {
  // In dependency order, as a compile lists them: c_{N-1} first.
  const nodes: CompiledNode[] = chain(N)
    .reverse()
    .map((n) => ({
      ...n,
      kind: "model",
      name: n.id.slice(6),
      path: `models/${n.id.slice(6)}.sql`,
      schema: "s",
      relation: { schema: "s", name: n.id.slice(6) },
      materialization: "view",
      partitionedBy: [],
      config: {},
      tags: [],
      columns: [],
      sql: "",
      statements: [],
    }));
  const project: CompiledProject = {
    projectName: "deep",
    targetName: "local",
    dialect: "duckdb",
    nodes,
    diagnostics: [],
  };
  const select = (expr: string) => {
    const r = selectNodes(project, { select: [expr] });
    expect(r.diagnostics).toEqual([]);
    return r.ids;
  };
  // ids(a, b): c_a down to c_b, the order the project lists them in.
  const ids = (from: number, to: number) =>
    Array.from({ length: from - to + 1 }, (_, k) => id(from - k));
  const mid = N / 2;
  const m = id(mid).slice(6);

  it("@m selects the whole chain: every descendant, then every ancestor of those", () => {
    expect(select(`@${m}`)).toEqual(ids(N - 1, 0));
  });

  it("reachable (m+, n+m) walks the chain level by level, to a depth or to its end", () => {
    const children = new Map(chain(N).map((n) => [n.dependsOn[0] ?? "", [n.id]]));
    const parents = new Map(chain(N).map((n) => [n.id, n.dependsOn]));
    expect([...reachable([id(mid)], children)]).toEqual(ids(mid - 1, 0));
    expect([...reachable([id(mid)], parents, 3)]).toEqual(ids(mid + 3, mid + 1).reverse());
  });
});

describe("walks through a 100,000-model chain of views or ephemerals", () => {
  const models = (materialization: CompiledNode["materialization"]): CompiledNode[] =>
    chain(N).map((n, i) => ({
      id: n.id,
      dependsOn: n.dependsOn,
      kind: "model",
      name: `c${i}`,
      path: `models/c${i}.sql`,
      schema: "s",
      relation: { schema: "s", name: `c${i}` },
      materialization: i === N - 1 ? "table" : materialization,
      partitionedBy: [],
      config: {},
      tags: [],
      columns: [],
      sql: `select ${i}`,
      statements: [],
    }));

  it("inputSources finds the table under 99,999 views, views in the order they are read", () => {
    const nodes = models("view");
    const all = inputSources({ ...nodes[0]!, id: "model.top", dependsOn: [id(0)] }, nodes);
    expect(all.tables).toEqual([{ schema: "s", name: `c${N - 1}` }]);
    expect(all.opaque).toEqual([]);
    expect(all.views).toHaveLength(N - 1);
    expect(all.views.slice(0, 2)).toEqual(["select 0", "select 1"]);
  });

  it("ephemeralCtes lists 99,999 ephemerals, dependencies first", () => {
    const nodes = models("ephemeral");
    const built = {
      byId: new Map(nodes.map((n) => [n.id, n])),
      ephemeralSql: new Map(nodes.map((n) => [n.id, n.sql])),
    };
    const ctes = ephemeralCtes([id(0)], built);
    expect(ctes).toHaveLength(N - 1);
    expect(ctes[0]).toEqual({ name: `c${N - 2}`, sql: `select ${N - 2}` });
    expect(ctes.at(-1)).toEqual({ name: "c0", sql: "select 0" });
  });
});
