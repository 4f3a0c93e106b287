import type { PackedChecksums } from "@sluice/compiler";
import type { StateNode } from "./read-state.js";
import { rowNode } from "./state-sidecar.js";
import type { NodeRow } from "./state-sidecar.js";

/**
 * The nodes of a state, kept as the rows its sidecar, cache or manifest gave (see
 * {@link NodeRow}): a {@link StateNode} is built only when one is asked for. Comparing a state
 * reads each node's packed checksums ({@link packedChecksums}) and builds none, which at 10,000
 * models (30,000 nodes) was a third of reading a state.
 *
 * @example new StateNodes(rows).get("model.funnel")?.relation
 */
export class StateNodes implements ReadonlyMap<string, StateNode> {
  private readonly rows = new Map<string, NodeRow>();

  /** Rows by id; of two rows with one id, the last (as a Map of them would keep). */
  constructor(rows: Iterable<NodeRow>) {
    for (const row of rows) this.rows.set(row[0], row);
  }

  get size(): number {
    return this.rows.size;
  }

  get(id: string): StateNode | undefined {
    const row = this.rows.get(id);
    return row && rowNode(row)[1];
  }

  has(id: string): boolean {
    return this.rows.has(id);
  }

  /** Each node's checksums as packed in its row (see `packChecksums`), by id. */
  packedChecksums(): PackedChecksums {
    return { get: (id) => this.rows.get(id)?.[1], has: (id) => this.rows.has(id) };
  }

  /** The rows, in order. */
  rowList(): NodeRow[] {
    return [...this.rows.values()];
  }

  *entries(): MapIterator<[string, StateNode]> {
    for (const row of this.rows.values()) yield rowNode(row);
  }

  keys(): MapIterator<string> {
    return this.rows.keys();
  }

  *values(): MapIterator<StateNode> {
    for (const [, node] of this.entries()) yield node;
  }

  [Symbol.iterator](): MapIterator<[string, StateNode]> {
    return this.entries();
  }

  forEach(
    callback: (value: StateNode, key: string, map: ReadonlyMap<string, StateNode>) => void,
    thisArg?: unknown,
  ): void {
    for (const [id, node] of this.entries()) callback.call(thisArg, node, id, this);
  }
}
