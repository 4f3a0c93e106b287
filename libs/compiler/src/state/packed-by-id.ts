import type { CompiledNode } from "../types.js";
import type { PackedRows } from "./selection-state.js";

/**
 * Every node's packed checksums (see `packChecksums`) by id, as a read-only Map: the strings
 * kept in an array by node position and found through an id → position map the caller made
 * anyway (`relationKeys`' `byId`), not inserted into a Map of their own (30,000 ids at 10,000
 * models, a Map.set each). Iterates in node order, as a Map filled in that order would.
 *
 * @example new PackedById(compiled.nodes, byId, packed).get("model.funnel") // "3f1c… a0…  …"
 */
export class PackedById implements ReadonlyMap<string, string> {
  /**
   * @param nodes the compiled project's nodes
   * @param byId each node's position in `nodes`, by id
   * @param packed each node's packed checksums, by position
   */
  constructor(
    private readonly nodes: readonly CompiledNode[],
    private readonly byId: ReadonlyMap<string, number>,
    private readonly packed: readonly string[],
  ) {}

  private made: PackedRows | undefined;

  /** The checksums as rows in node order (see `PackedChecksums`); none when an id is there twice. */
  get rows(): PackedRows | undefined {
    if (this.byId.size !== this.nodes.length) return undefined;
    return (this.made ??= {
      ids: this.nodes.map((n) => n.id),
      sums: this.packed,
      rowOf: (id) => this.byId.get(id),
    });
  }

  get size(): number {
    return this.nodes.length;
  }

  get(id: string): string | undefined {
    const at = this.byId.get(id);
    return at === undefined ? undefined : this.packed[at];
  }

  has(id: string): boolean {
    return this.byId.has(id);
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
