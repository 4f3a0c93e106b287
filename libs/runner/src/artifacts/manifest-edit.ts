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
 * Whether an edit of `edited`'s SQL can reach a node (its key is hashed again, see
 * `reusableKeys` in manifest-file.ts): the node is edited, rendered again at run time, from an
 * edited node's file (`editedPaths`), or reads an edited node.
 */
export function reachedBy(
  edited: Iterable<string>,
  editedPaths: Iterable<string>,
): (n: CompiledNode) => boolean {
  const isEdited = among(edited);
  const isEditedPath = among(editedPaths);
  return (n) => {
    if (n.renderAtRun === true || isEdited(n.id) || isEditedPath(n.path)) return true;
    for (const d of n.dependsOn) if (isEdited(d)) return true;
    return false;
  };
}

/**
 * The positions in `order` (aligned with `ids`, see {@link alignedNodes}) of the nodes
 * {@link reachedBy} `edited`, ascending: the edited nodes found among `ids`, then one pass over
 * the nodes.
 */
export function reachedPositions(
  order: readonly CompiledNode[],
  ids: readonly string[],
  edited: ReadonlySet<string>,
): number[] {
  const isEdited = among(edited);
  const paths: string[] = [];
  ids.forEach((id, i) => {
    if (isEdited(id)) paths.push(order[i]!.path);
  });
  const reached = reachedBy(edited, paths);
  const positions: number[] = [];
  for (let i = 0; i < order.length; i++) if (reached(order[i]!)) positions.push(i);
  return positions;
}

/**
 * Membership in `few`: compared one by one while they are few (no string is hashed: the ids
 * and paths of nodes the compile memo just parsed never were), else a Set.
 */
function among(few: Iterable<string>): (value: string) => boolean {
  const list = [...few];
  if (list.length > 8) {
    const set = new Set(list);
    return (value) => set.has(value);
  }
  return (value) => {
    for (let k = 0; k < list.length; k++) if (list[k] === value) return true;
    return false;
  };
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
