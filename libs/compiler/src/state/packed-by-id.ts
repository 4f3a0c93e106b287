import type { CompiledNode } from "../types.js";
import type { PackedRows, TakenRows } from "./selection-state.js";

/**
 * Every node's packed checksums (see `packChecksums`) by id, as a read-only Map: the strings
 * kept in an array by node position and found through an id → position map the caller made
 * anyway (`relationKeys`' `byId`), not inserted into a Map of their own (30,000 ids at 10,000
 * models, a Map.set each). Iterates in node order, as a Map filled in that order would.
 *
 * @example new PackedById(compiled.nodes, byId, packed).get("model.funnel") // "3f1c… a0…  …"
 */
export class PackedById implements ReadonlyMap<string, string> {
  private made: PackedRows | undefined;
  private positions: ReadonlyMap<string, number> | undefined;

  /**
   * @param nodes the compiled project's nodes
   * @param byId each node's position in `nodes`, by id, or what makes it when an id is first
   *   looked up (a selection reading the checksums by position, see {@link rows}, looks none up)
   * @param packed each node's packed checksums, by position
   * @param taken which of them were taken from a state's rows (see `TakenRows`)
   */
  constructor(
    private readonly nodes: readonly CompiledNode[],
    private readonly byId: ReadonlyMap<string, number> | (() => ReadonlyMap<string, number>),
    private readonly packed: readonly string[],
    private readonly taken?: TakenRows,
  ) {}

  /**
   * The checksums `packed` (by position in `nodes`), their id → position map made only when an
   * id is first looked up.
   *
   * @example PackedById.ofNodes(compiled.nodes, lines).rows.sums[0] === lines[0] // true
   */
  static ofNodes(
    nodes: readonly CompiledNode[],
    packed: readonly string[],
    taken?: TakenRows,
  ): PackedById {
    const byId = () => new Map(nodes.map((n, i) => [n.id, i] as const));
    return new PackedById(nodes, byId, packed, taken);
  }

  /** The id → position map, made on first use when given as a function. */
  private get index(): ReadonlyMap<string, number> {
    return (this.positions ??= typeof this.byId === "function" ? this.byId() : this.byId);
  }

  /**
   * The checksums as rows in node order (see `PackedChecksums`): a compiled project's ids are
   * unique (a second model of one name is a diagnostic, not a node).
   */
  get rows(): PackedRows {
    return (this.made ??= {
      ids: this.nodes.map((n) => n.id),
      sums: this.packed,
      rowOf: (id) => this.index.get(id),
      ...(this.taken ? { taken: this.taken } : {}),
    });
  }

  get size(): number {
    return this.nodes.length;
  }

  get(id: string): string | undefined {
    const at = this.index.get(id);
    return at === undefined ? undefined : this.packed[at];
  }

  has(id: string): boolean {
    return this.index.has(id);
  }

  forEach(each: (value: string, key: string, map: ReadonlyMap<string, string>) => void): void {
    this.nodes.forEach((n, i) => each(this.packed[i]!, n.id, this));
  }

  entries(): MapIterator<[string, string]> {
    return this.nodes.map((n, i): [string, string] => [n.id, this.packed[i]!]).values();
  }

  keys(): MapIterator<string> {
    return this.nodes.map((n) => n.id).values();
  }

  values(): MapIterator<string> {
    return this.packed.values();
  }

  [Symbol.iterator](): MapIterator<[string, string]> {
    return this.entries();
  }
}
