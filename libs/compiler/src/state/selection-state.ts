import { checksumParts, samePackedDigest } from "./node-checksums.js";
import type { ChecksumPart } from "./node-checksums.js";

/** Checksums by node id, each packed as {@link packChecksums} writes them. */
export type PackedChecksums = Pick<ReadonlyMap<string, string>, "get" | "has">;

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
  const before = previous.get(id);
  const now = current.get(id);
  if (before === undefined) return true;
  if (now === undefined) return false;
  // Compared in place: no split of either string (30,000 nodes at 10,000 models).
  for (const p of parts) if (!samePackedDigest(before, now, checksumParts.indexOf(p))) return true;
  return false;
}
