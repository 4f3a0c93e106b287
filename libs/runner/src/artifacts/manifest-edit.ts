import type { CompiledNode } from "@sluice/compiler";

/**
 * The manifest writer's one-edit path (see `writeManifest`'s `source.edits`): what it needs of
 * the 30,000 nodes at 10,000 models without a map or a string hash per node. A `Map`/`Set`
 * lookup by a node's id or path hashes a string the compile memo just parsed (never hashed
 * before), so a scan keyed by id over every node cost a few percent of a one-model-changed
 * compile; here the previous manifest's entries are matched by position and the edited nodes
 * (a handful) by comparison.
 */

/**
 * `nodes` in the order of the previous manifest's entries (`ids`: its index's, the `nodes`
 * section's then the `sources` section's), or undefined when they are not the same ids in the
 * same order (another selection or graph: the slow path keys every node).
 *
 * @example alignedNodes(["model.a", "source.raw.e"], compiled.nodes) // [a, e] or undefined
 */
export function alignedNodes(
  ids: readonly string[],
  nodes: readonly CompiledNode[],
): CompiledNode[] | undefined {
  if (ids.length !== nodes.length) return undefined;
  const order: CompiledNode[] = [];
  const sources: CompiledNode[] = [];
  for (const n of nodes) (n.kind === "source" ? sources : order).push(n);
  order.push(...sources);
  for (let i = 0; i < order.length; i++) if (order[i]!.id !== ids[i]) return undefined;
  return order;
}

/**
 * Whether an edit of `edited`'s SQL can reach a node of `nodes` (its key is hashed again, see
 * `reusableKeys` in manifest-file.ts): the node is edited, rendered again at run time, from an
 * edited node's file, or reads an edited node.
 */
export function reachedBy(
  nodes: readonly CompiledNode[],
  edited: ReadonlySet<string>,
): (n: CompiledNode) => boolean {
  const isEdited = among(edited);
  const isEditedPath = among(nodes.filter((n) => isEdited(n.id)).map((n) => n.path));
  return (n) =>
    n.renderAtRun === true || isEdited(n.id) || isEditedPath(n.path) || n.dependsOn.some(isEdited);
}

/** The positions in `order` of the nodes {@link reachedBy} `edited`, ascending. */
export function reachedPositions(
  order: readonly CompiledNode[],
  edited: ReadonlySet<string>,
): number[] {
  const reached = reachedBy(order, edited);
  const positions: number[] = [];
  order.forEach((n, i) => {
    if (reached(n)) positions.push(i);
  });
  return positions;
}

/** Membership in `few`: compared one by one while they are few (nothing hashed), else a Set. */
function among(few: Iterable<string>): (value: string) => boolean {
  const list = [...few];
  if (list.length > 8) {
    const set = new Set(list);
    return (value) => set.has(value);
  }
  return (value) => list.includes(value);
}

/**
 * `column` (`count` lines joined by `\n`) with line `i` replaced by `lines.get(i)` for each `i`
 * given: each line is found by `indexOf` from the start, or by `lastIndexOf` from the end when
 * nearer it, none split or joined (a one-model change replaces a line or two of 30,000).
 * `column` must hold `count` lines (see `wholeColumns`); throws when a line is not there.
 *
 * @example replaceLines("a\nb\nc", 3, new Map([[1, "B"]])) // "a\nB\nc"
 */
export function replaceLines(
  column: string,
  count: number,
  lines: ReadonlyMap<number, string>,
): string {
  const at = [...lines.keys()].sort((a, b) => a - b);
  const missing = (i: number) => new Error(`no line ${i} in a column of ${count}`);
  // Each line's [start, end) in `column`: the front half's found going forward, the back
  // half's going backward from the end.
  const spans = new Map<number, [number, number]>();
  let line = 0;
  let start = 0;
  for (const i of at.filter((i) => i < count / 2)) {
    for (; line < i; line++) {
      const newline = column.indexOf("\n", start);
      if (newline < 0) throw missing(i);
      start = newline + 1;
    }
    const end = column.indexOf("\n", start);
    spans.set(i, [start, end < 0 ? column.length : end]);
  }
  line = count - 1;
  let end = column.length;
  for (const i of at.filter((i) => i >= count / 2).reverse()) {
    if (i >= count) throw missing(i);
    for (; line > i; line--) {
      const newline = column.lastIndexOf("\n", end - 1);
      if (newline < 0) throw missing(i);
      end = newline;
    }
    spans.set(i, [column.lastIndexOf("\n", end - 1) + 1, end]);
  }
  let out = "";
  let from = 0;
  for (const i of at) {
    const [lineStart, lineEnd] = spans.get(i)!;
    out += column.slice(from, lineStart) + lines.get(i)!;
    from = lineEnd;
  }
  return out + column.slice(from);
}
