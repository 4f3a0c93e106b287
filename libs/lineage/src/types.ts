/**
 * How an output column is computed from its upstream columns, from the least to the most change:
 * `passthrough` (same name, same value), `renamed`, `transformed` (an expression, a window
 * function, a cast), `aggregated` (an aggregate over a GROUP BY), `constant` (a literal, no
 * upstream column). `unknown`: the parser could not tell; its `from` lists what it did see, as
 * candidates, never as fact.
 */
export type ColumnTransform =
  "passthrough" | "renamed" | "transformed" | "aggregated" | "constant" | "unknown";

/** A column of a node: `{ node: "model.order_items", column: "unit_price" }`. */
export interface ColumnRef {
  node: string;
  column: string;
}

/** One output column of a node and the columns of its upstream nodes it is computed from. */
export interface ColumnLineage {
  column: string;
  transform: ColumnTransform;
  /** Columns of the node's direct upstream nodes (sorted, distinct). */
  from: ColumnRef[];
  /** Why it is unknown (unknown columns only). */
  reason?: string;
}

/** The lineage of one node's columns, in output order. */
export interface NodeLineage {
  node: string;
  columns: ColumnLineage[];
  /** The SQL did not parse (every column unknown, or none known). */
  error?: string;
}

/** `target/lineage.json`: every model's column lineage, and the counts behind the budget. */
export interface LineageGraph {
  nodes: Record<string, NodeLineage>;
  stats: { columns: number; resolved: number; unknown: number };
}
