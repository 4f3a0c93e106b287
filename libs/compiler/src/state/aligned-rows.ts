/**
 * Rows kept by id in an order of their own (a state's manifest rows, this project's checksums),
 * read by position: no id twice, and `rowOf` is the row of an id.
 */
export interface IdRows {
  readonly ids: readonly string[];
  rowOf(id: string): number | undefined;
}

/**
 * The row of each of `ids` in `rows` (-1: none), found by walking both in step and looking an
 * id up only where the orders part: a state and this compile list their nodes in the same order
 * but for a few (sources first here, last in a manifest), so 30,000 nodes cost about as many
 * string comparisons instead of as many map lookups. Each guess is checked (`rows.ids[j] ===
 * id`, and an id is in `rows` once): the result is what `rowOf` gives for every id.
 *
 * @example alignedRows(["source.s", "model.a"], { ids: ["model.a", "source.s"], rowOf }) // [1, 0]
 */
export function alignedRows(ids: readonly string[], rows: IdRows): Int32Array {
  const out = new Int32Array(ids.length);
  const their = rows.ids;
  let next = 0;
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i]!;
    const row = their[next] === id ? next : (rows.rowOf(id) ?? -1);
    out[i] = row;
    if (row >= 0) next = row + 1;
  }
  return out;
}
