import { sameDigest } from "./node-checksums.js";
import type { ChecksumPart, NodeChecksums } from "./node-checksums.js";

/**
 * What the state selectors compare with: a previous run's artifacts (`--state DIR`), read by
 * the runner's artifact reader, and this project's checksums. Plain data.
 */
export interface SelectionState {
  /** The state manifest's nodes, by sluice node id (`model.funnel`), with their checksums. */
  previous: ReadonlyMap<string, Partial<NodeChecksums>>;
  /** This project's checksums, by node id (see `nodeChecksums`). */
  current: ReadonlyMap<string, NodeChecksums>;
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
 * Whether a node differs from the state in the given parts. A node the state does not have is
 * new, and new counts as modified (as in dbt).
 */
export function isModified(
  state: SelectionState,
  id: string,
  parts: readonly ChecksumPart[],
): boolean {
  const before = state.previous.get(id);
  const now = state.current.get(id);
  if (!before) return true;
  if (!now) return false;
  return parts.some((p) => !sameDigest(before[p], now[p]));
}
