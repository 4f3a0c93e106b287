import type { CompiledNode } from "../types.js";

/**
 * Values of a node's config known without reading its `config` (#14). The CLI revives the
 * nodes of a cached compile from their facts (apps/cli/src/fact-nodes.ts): such a node reads its
 * `config` from the compile memo, whole, on first use. A reader that needs one value of every
 * node's config (the reconciliation looks at every model for `reconcile`) asks here first, so a
 * one-model `build` at 10,000 models does not read all 30,000 nodes.
 */
export interface ConfigFacts {
  /** The node's `config.reconcile` as compiled: an object, or null when it has none. */
  reconcile: object | null;
}

/**
 * The member under which a node answers its {@link ConfigFacts} (undefined: read its config).
 * A symbol: never a member of a compiled node, nor written by `JSON.stringify` or a spread.
 */
export const CONFIG_FACTS: unique symbol = Symbol("sluice.configFacts");

/**
 * The node's `config.reconcile` when it is an object, else null: from its {@link ConfigFacts}
 * when it answers them, else from its config.
 *
 * @example reconcileValue(events) // { staging: "stg_events", rejected: "rejected_events" }
 */
export function reconcileValue(node: CompiledNode): object | null {
  const facts = (node as { [CONFIG_FACTS]?: ConfigFacts })[CONFIG_FACTS];
  if (facts !== undefined) return facts.reconcile;
  const raw = (node.config as Record<string, unknown> | undefined)?.["reconcile"];
  return typeof raw === "object" && raw !== null ? raw : null;
}
