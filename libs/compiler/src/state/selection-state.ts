import { alignedRows } from "./aligned-rows.js";
import type { IdRows } from "./aligned-rows.js";
import { checksumParts, samePackedDigests } from "./node-checksums.js";
import type { ChecksumPart } from "./node-checksums.js";

/**
 * Checksums by node id, each packed as {@link packChecksums} writes them; with `rows` when they
 * are kept in an order of their own (row `i`'s checksums `sums[i]`, the same as `get(ids[i])`),
 * so that comparing every node reads them by position (see {@link modifiedIds}).
 */
export type PackedChecksums = Pick<ReadonlyMap<string, string>, "get" | "has"> & {
  readonly rows?: PackedRows;
};

/** Checksums as rows (see {@link PackedChecksums}). */
export interface PackedRows extends IdRows {
  readonly sums: readonly (string | undefined)[];
}

/**
 * What the state selectors compare with: a previous run's artifacts (`--state DIR`), read by
 * the runner's artifact reader, and this project's checksums. Plain data.
 */
export interface SelectionState {
  /** The state manifest's nodes, by sluice node id (`model.funnel`), with their checksums. */
  previous: PackedChecksums;
  /**
   * This project's checksums, by node id (see `nodeChecksums`, `packChecksums`); or what gives
   * them, at least of the parts asked for (the others may be empty), when a selector first
   * compares them: `state:new` and `result:` hash nothing, `state:modified` no `macros`.
   */
  current: PackedChecksums | ((parts: readonly ChecksumPart[]) => PackedChecksums);
  /** Each node's status in the state's run_results.json, when there is one. */
  results?: ReadonlyMap<string, string>;
}

/** `state:` values: `modified`, `modified.<part>`, `new`, `unmodified`. */
export const stateValues = [
  "modified",
  "modified.body",
  "modified.configs",
  "modified.relation",
  "modified.macros",
  "modified.contract",
  "new",
  "unmodified",
] as const;

/** `result:` values: the statuses a node can have in run_results.json. */
export const resultValues = ["error", "fail", "warn", "skipped", "success", "pass"] as const;

/**
 * Whether a node differs from the state in the given parts (see `sameDigest`; a part absent on
 * either side differs). A node the state does not have is new, and new counts as modified (as
 * in dbt).
 */
export function isModified(
  state: SelectionState,
  id: string,
  parts: readonly ChecksumPart[],
): boolean {
  return modifiedIn(state.previous, currentChecksums(state, parts), id, parts);
}

/** The state's `current` checksums, with at least `parts` (see {@link SelectionState}). */
export const currentChecksums = (
  state: SelectionState,
  parts: readonly ChecksumPart[],
): PackedChecksums => (typeof state.current === "function" ? state.current(parts) : state.current);

/** {@link isModified}, this project's checksums given (see {@link currentChecksums}). */
export function modifiedIn(
  previous: PackedChecksums,
  current: PackedChecksums,
  id: string,
  parts: readonly ChecksumPart[],
): boolean {
  return modifiedPacked(previous.get(id), current.get(id), fieldsOf(parts));
}

/**
 * The `ids` {@link modifiedIn} says are modified, in their order: each side's checksums read by
 * position when it has rows (see {@link alignedRows}), by id otherwise.
 *
 * @example modifiedIds(["model.a", "model.b"], state.previous, current, ["body"]) // ["model.b"]
 */
export function modifiedIds(
  ids: readonly string[],
  previous: PackedChecksums,
  current: PackedChecksums,
  parts: readonly ChecksumPart[],
): string[] {
  const fields = fieldsOf(parts);
  const byRow = (side: PackedChecksums): ((id: string, i: number) => string | undefined) => {
    const rows = side.rows;
    if (!rows) return (id) => side.get(id);
    const at = alignedRows(ids, rows);
    return (_, i) => (at[i]! < 0 ? undefined : rows.sums[at[i]!]);
  };
  const before = byRow(previous);
  const now = byRow(current);
  return ids.filter((id, i) => modifiedPacked(before(id, i), now(id, i), fields));
}

/** The field numbers of `parts` in a packed string, ascending. */
const fieldsOf = (parts: readonly ChecksumPart[]): number[] =>
  [...new Set(parts.map((p) => checksumParts.indexOf(p)))].sort((a, b) => a - b);

/** Whether a node is modified: new (no `before`), or a field differs (a node with no `now`: not). */
function modifiedPacked(
  before: string | undefined,
  now: string | undefined,
  fields: readonly number[],
): boolean {
  if (before === undefined) return true;
  if (now === undefined) return false;
  // Compared in place: no split of either string (30,000 nodes at 10,000 models).
  return !samePackedDigests(before, now, fields);
}
