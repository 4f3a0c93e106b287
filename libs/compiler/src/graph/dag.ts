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
 * `['a', 'b', 'c']` means a -> b -> c -> a, where `a` depends on `b`. Iterative, so a chain of
 * any length (100,000 models into a cycle) is searched without growing the JS stack.
 *
 * @example findCycles([{ id: "a", dependsOn: ["b"] }, { id: "b", dependsOn: ["a"] }]) // [["a", "b"]]
 */
export function findCycles(nodes: readonly GraphNode[]): string[][] {
  // Slots numbered in id order, so numeric order is id order (roots and edges are visited in it).
  const ids = [...new Set(nodes.map((n) => n.id))].sort();
  const slot = new Map(ids.map((id, i) => [id, i]));
  const raw: (readonly string[])[] = [];
  for (const n of nodes) raw[slot.get(n.id)!] = n.dependsOn; // an id given twice: its last node
  const deps = raw.map((ds) => {
    const known = new Set<number>();
    for (const d of ds) {
      const s = slot.get(d);
      if (s !== undefined) known.add(s);
    }
    return Int32Array.from(known).sort();
  });
  return stronglyConnected(deps)
    .map((component) => shortestCycle(component, deps).map((s) => ids[s]!))
    .sort((a, b) => a[0]!.localeCompare(b[0]!));
}

/**
 * Tarjan's strongly connected components that hold a cycle (several members, or one that reads
 * itself), visiting roots and each node's dependencies in slot order. The recursion of the
 * textbook version is an explicit stack of frames (node, position in its dependencies).
 */
function stronglyConnected(deps: readonly Int32Array[]): number[][] {
  const n = deps.length;
  let counter = 0;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const stack: number[] = [];
  const frames: number[] = [];
  const next: number[] = [];
  const components: number[][] = [];
  const open = (v: number): void => {
    index[v] = low[v] = counter++;
    stack.push(v);
    onStack[v] = 1;
    frames.push(v);
    next.push(0);
  };
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    open(root);
    while (frames.length > 0) {
      const top = frames.length - 1;
      const v = frames[top]!;
      const ws = deps[v]!;
      if (next[top]! < ws.length) {
        const w = ws[next[top]!++]!;
        if (index[w] === -1) open(w);
        else if (onStack[w] === 1) low[v] = Math.min(low[v]!, index[w]!);
        continue;
      }
      frames.pop();
      next.pop();
      // What the recursive call's return did: the caller's low takes the callee's.
      const caller = frames[frames.length - 1];
      if (caller !== undefined) low[caller] = Math.min(low[caller]!, low[v]!);
      if (low[v] !== index[v]) continue;
      const component: number[] = [];
      let w: number;
      do {
        w = stack.pop()!;
        onStack[w] = 0;
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || ws.includes(v)) components.push(component);
    }
  }
  return components;
}

/** The shortest path from a component's smallest slot back to it (BFS over sorted edges). */
function shortestCycle(component: readonly number[], deps: readonly Int32Array[]): number[] {
  const members = new Set(component);
  // Not Math.min(...component): a spread of 100,000 arguments overflows the stack.
  const start = component.reduce((a, b) => Math.min(a, b));
  const previous = new Map<number, number>();
  const queue = [start];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    for (const w of deps[v]!) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[path.length - 1] !== start) path.push(previous.get(path[path.length - 1]!)!);
        return path.reverse();
      }
      if (!previous.has(w)) {
        previous.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start];
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

/**
 * A depth-first walk without recursion (a chain of 100,000 views or ephemerals does not grow the
 * JS stack), in the order of the recursive one: `enter(id)` for each id in order, descending
 * into the ids it returns (if any) before the next one; then `leave(id)` once those are done.
 *
 * @example walkDepthFirst(["a"], (id) => deps.get(id), (id) => postOrder.push(id));
 */
export function walkDepthFirst(
  roots: readonly string[],
  enter: (id: string) => readonly string[] | undefined,
  leave?: (id: string) => void,
): void {
  const frames: { ids: readonly string[]; at: number; owner?: string }[] = [{ ids: roots, at: 0 }];
  while (frames.length > 0) {
    const frame = frames[frames.length - 1]!;
    if (frame.at < frame.ids.length) {
      const id = frame.ids[frame.at++]!;
      const next = enter(id);
      if (next !== undefined) frames.push({ ids: next, at: 0, owner: id });
      continue;
    }
    frames.pop();
    if (frame.owner !== undefined) leave?.(frame.owner);
  }
}
