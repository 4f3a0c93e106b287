import type { NodeFacts } from "../graph/select-methods.js";
import type { SelectorItem } from "../graph/selector.js";
import { checksumParts, modifiedParts } from "./node-checksums.js";
import type { ChecksumPart } from "./node-checksums.js";
import { currentChecksums, modifiedIds } from "./selection-state.js";
import type { SelectionState } from "./selection-state.js";

/**
 * The nodes a `state:` or `result:` item picks (before graph operators), compared with the
 * state: `state:modified` (SQL, config, relation or columns differ, or new), `state:modified.<part>`,
 * `state:new`, `state:unmodified`; `result:<status>` (the node's status in the state's
 * run_results.json).
 *
 * @example stateIds(facts, parseSelectorItem("state:modified.body"), state) // ["model.funnel"]
 */
export function stateIds(
  facts: readonly NodeFacts[],
  item: SelectorItem,
  state: SelectionState,
): string[] {
  const ids = facts.map((f) => f.node.id);
  if (item.method === "result") return ids.filter((id) => state.results?.get(id) === item.value);
  const [what, part] = item.value.split(".");
  if (what === "new") return ids.filter((id) => !state.previous.has(id));
  const parts: readonly ChecksumPart[] = part
    ? checksumParts.filter((p) => p === part)
    : modifiedParts;
  const modified = modifiedIds(ids, state.previous, currentChecksums(state, parts), parts);
  if (what === "modified") return modified;
  const set = new Set(modified);
  return ids.filter((id) => !set.has(id));
}
