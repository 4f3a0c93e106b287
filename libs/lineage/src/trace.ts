import type { ColumnRef, ColumnTransform, LineageGraph } from "./types.js";

/** One step of a traced column: `column` is computed from (upstream) or feeds (downstream) `via`. */
export interface TraceStep {
  /** Distance from the traced column (1 = a direct input or output). */
  depth: number;
  column: ColumnRef;
  /** The column one step closer to the traced one. */
  via: ColumnRef;
  transform: ColumnTransform;
}

const key = (r: ColumnRef) => `${r.node}.${r.column}`;

/**
 * Every column a column is computed from (`upstream`) or that is computed from it
 * (`downstream`), breadth first, each once, with the transform of the step that reached it.
 * Self-contained (no imports): the docs site runs this same code in the browser.
 *
 * @example traceColumn(graph, { node: "model.sales_by_country", column: "revenue" }, "upstream")
 * // [{ depth: 1, column: { node: "model.order_items", column: "unit_price" }, transform: "aggregated", ... }, ...]
 */
export function traceColumn(
  graph: LineageGraph,
  start: ColumnRef,
  direction: "upstream" | "downstream",
): TraceStep[] {
  const edges = new Map<string, { column: ColumnRef; transform: ColumnTransform }[]>();
  for (const node of Object.values(graph.nodes))
    for (const c of node.columns) {
      const to: ColumnRef = { node: node.node, column: c.column };
      for (const from of c.from) {
        const [a, b] = direction === "upstream" ? [to, from] : [from, to];
        const list = edges.get(key(a));
        if (list) list.push({ column: b, transform: c.transform });
        else edges.set(key(a), [{ column: b, transform: c.transform }]);
      }
    }
  const seen = new Set([key(start)]);
  const steps: TraceStep[] = [];
  let frontier = [start];
  for (let depth = 1; frontier.length > 0; depth++) {
    const next: ColumnRef[] = [];
    for (const via of frontier)
      for (const e of edges.get(key(via)) ?? []) {
        if (seen.has(key(e.column))) continue;
        seen.add(key(e.column));
        steps.push({ depth, column: e.column, via, transform: e.transform });
        next.push(e.column);
      }
    frontier = next;
  }
  return steps;
}
