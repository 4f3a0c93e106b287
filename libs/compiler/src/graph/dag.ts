import { createHash } from "node:crypto";

/** A node of a dependency graph: its id and the ids it reads. */
export interface GraphNode {
  id: string;
  dependsOn: readonly string[];
}

/**
 * sha1 (base64) of a graph as {@link topologicalOrder} reads it: each node's id and dependencies,
 * in the order given. Equal keys, equal orders.
 */
export function graphKey(nodes: readonly GraphNode[]): string {
  const digest = createHash("sha1");
  // ~64 KB of text at a time: 30,000 nodes' edges are not held as one string.
  let text = "";
  for (const n of nodes) {
    text += `${JSON.stringify(n.id)}${JSON.stringify(n.dependsOn)}`;
    if (text.length > 65_536) {
      digest.update(text);
      text = "";
    }
  }
  return digest.update(text).digest("base64");
}

/**
 * Kahn's algorithm: every node after its dependencies; ties are broken by id (smallest first,
 * by UTF-16 code units) so the order is stable. Dependencies on ids outside `nodes` are ignored.
 * Nodes on a cycle are left out. O((nodes + edges) log nodes): the ready ids wait in a binary heap.
 */
export function topologicalOrder(nodes: readonly GraphNode[]): string[] {
  // Slots instead of ids in the inner loops: at 30,000 nodes, maps keyed by id strings and a set
  // per node to drop repeated dependencies cost more than the sort itself. An id given twice has
  // one slot: its last node's dependencies count, every node's edges are followed.
  const slot = new Map<string, number>();
  const ids: string[] = [];
  for (const n of nodes) {
    if (slot.has(n.id)) continue;
    slot.set(n.id, ids.length);
    ids.push(n.id);
  }
  const pending = new Int32Array(ids.length);
  const children: number[][] = Array.from({ length: ids.length }, () => []);
  // seen[d] === k + 1: dependency slot d already counted for node k.
  const seen = new Int32Array(ids.length);
  nodes.forEach((n, k) => {
    const child = slot.get(n.id)!;
    let count = 0;
    for (const d of n.dependsOn) {
      const parent = slot.get(d);
      if (parent === undefined || seen[parent] === k + 1) continue;
      seen[parent] = k + 1;
      count++;
      children[parent]!.push(child);
    }
    pending[child] = count;
  });
  const ready = new MinHeap(ids);
  for (let i = 0; i < ids.length; i++) if (pending[i] === 0) ready.push(i);
  const order: string[] = [];
  for (let i = ready.pop(); i !== undefined; i = ready.pop()) {
    order.push(ids[i]!);
    for (const child of children[i]!) {
      const left = pending[child]! - 1;
      pending[child] = left;
      if (left === 0) ready.push(child);
    }
  }
  return order;
}

/** A binary min-heap of slots, ordered by their ids (UTF-16 code unit order, as `<` compares). */
class MinHeap {
  private readonly items: number[] = [];

  constructor(private readonly ids: readonly string[]) {}

  push(value: number): void {
    const a = this.items;
    const id = this.ids[value]!;
    let i = a.push(value) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.ids[a[parent]!]! <= id) break;
      a[i] = a[parent]!;
      i = parent;
    }
    a[i] = value;
  }

  pop(): number | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length === 0 || last === undefined) return top;
    const ids = this.ids;
    const lastId = ids[last]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= a.length) break;
      const r = l + 1;
      const c = r < a.length && ids[a[r]!]! < ids[a[l]!]! ? r : l;
      if (ids[a[c]!]! >= lastId) break;
      a[i] = a[c]!;
      i = c;
    }
    a[i] = last;
    return top;
  }
}

/**
 * Every cycle, once each, as the path from its smallest id back to it (exclusive):
 * `['a', 'b', 'c']` means a -> b -> c -> a, where `a` depends on `b`.
 */
export function findCycles(nodes: readonly GraphNode[]): string[][] {
  const deps = new Map(nodes.map((n) => [n.id, [...new Set(n.dependsOn)].sort()]));
  // Tarjan's strongly connected components.
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
  for (const id of [...deps.keys()].sort()) if (!index.has(id)) visit(id);

  return components
    .map((component) => {
      const members = new Set(component);
      const start = [...members].sort()[0]!;
      // Shortest path back to start inside the component (BFS over sorted edges).
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

/** Ids reachable from `roots` through `edges` (roots excluded unless reached again). */
export function reachable(
  roots: Iterable<string>,
  edges: ReadonlyMap<string, readonly string[]>,
  maxDepth = Infinity,
): Set<string> {
  const seen = new Set<string>();
  let frontier = [...roots];
  for (let depth = 0; depth < maxDepth && frontier.length > 0; depth++) {
    const next: string[] = [];
    for (const v of frontier) {
      for (const w of edges.get(v) ?? []) {
        if (!seen.has(w)) {
          seen.add(w);
          next.push(w);
        }
      }
    }
    frontier = next;
  }
  return seen;
}
