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

const known = new WeakMap<object, ConfigFacts>();

/** Record `facts` of `node`: they must be its config's, and stay so until forgotten. */
export function knowConfigFacts(node: object, facts: ConfigFacts): void {
  known.set(node, facts);
}

/** Stop answering from recorded facts of `node` (its config was read whole, and may change). */
export function forgetConfigFacts(node: object): void {
  known.delete(node);
}

/**
 * The node's `config.reconcile` when it is an object, else null: from its {@link ConfigFacts}
 * when recorded, else from its config.
 *
 * @example reconcileValue(events) // { staging: "stg_events", rejected: "rejected_events" }
 */
export function reconcileValue(node: CompiledNode): object | null {
  const facts = known.get(node);
  if (facts !== undefined) return facts.reconcile;
  const raw = (node.config as Record<string, unknown> | undefined)?.["reconcile"];
  return typeof raw === "object" && raw !== null ? raw : null;
}
