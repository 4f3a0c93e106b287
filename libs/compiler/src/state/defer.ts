import type { Relation } from "@sluice/dialects";
import type { CompiledNode, CompiledProject, SharedQuery, TestAssertion } from "../types.js";

/** How `--defer` chooses between this target's relation of an unselected node and the state's. */
export interface DeferOptions {
  /**
   * dbt's `--favor-state`: read the state's relation even when this target has one. Without it
   * (dbt's default), an unselected node whose relation exists in this target is read there.
   */
  favorState?: boolean;
  /** Ids (among {@link deferCandidates}) whose relation exists in this target. Default: none. */
  inTarget?: ReadonlySet<string>;
}

/**
 * The unselected models and seeds (not ephemeral) the state has: what `--defer` may read from the
 * state, whether under another relation than this target's or the same one. Pure.
 */
export function stateNodesUnselected(
  compiled: CompiledProject,
  selected: ReadonlySet<string>,
  stateRelations: ReadonlyMap<string, Relation>,
): CompiledNode[] {
  return compiled.nodes.filter(
    (node) =>
      stateRelations.has(node.id) &&
      (node.kind === "model" || node.kind === "seed") &&
      node.materialization !== "ephemeral" &&
      !selected.has(node.id),
  );
}

/**
 * The nodes `--defer` may point at the state's relation: {@link stateNodesUnselected} under
 * another relation than this target's. Which of them exist in this target is the caller's to find
 * out (an engine's `describeRelation`). Pure.
 *
 * @example deferCandidates(compiled, new Set(["model.funnel"]), prodRelations, quote) // [events node, ...]
 */
export function deferCandidates(
  compiled: CompiledProject,
  selected: ReadonlySet<string>,
  stateRelations: ReadonlyMap<string, Relation>,
  quote: (relation: Relation) => string,
): CompiledNode[] {
  return stateNodesUnselected(compiled, selected, stateRelations).filter(
    (node) => quote(node.relation) !== quote(stateRelations.get(node.id)!),
  );
}

/**
 * dbt's `--defer`: the selected nodes read the state's relation (e.g. production's
 * `ecommerce_silver.events`) of every unselected model or seed the state has and this target
 * does not (`options.inTarget`); with `favorState` (dbt's `--favor-state`), of every one the
 * state has, whether this target has it or not.
 * The deferred nodes take the state's relation, and every SQL text of the selected nodes that
 * names the old relation (quoted by `quote`, the dialect's `quoteRelation`) names the state's:
 * statements, a rule's failing-rows query, and the queries tests share (a DQDL ruleset's one
 * pass, generic tests counted in one scan), which would otherwise read this target's relation.
 * Returns the project changed, the ids deferred and `rename`, which names the state's relations
 * in any SQL text (for what is rendered later: a model's warehouse queries and its SQL rendered
 * at run time, see `renameNode`). Pure.
 *
 * @example deferToState(compiled, new Set(["model.funnel"]), prodRelations, dialect.quoteRelation, { inTarget: new Set() })
 */
export function deferToState(
  compiled: CompiledProject,
  selected: ReadonlySet<string>,
  stateRelations: ReadonlyMap<string, Relation>,
  quote: (relation: Relation) => string,
  options: DeferOptions = {},
): { compiled: CompiledProject; deferred: string[]; rename: (sql: string) => string } {
  const chosen = new Set(
    deferCandidates(compiled, selected, stateRelations, quote)
      .filter((n) => options.favorState === true || !options.inTarget?.has(n.id))
      .map((n) => n.id),
  );
  const renames = new Map<string, string>();
  const deferred: string[] = [];
  const nodes = compiled.nodes.map((node): CompiledNode => {
    const to = stateRelations.get(node.id);
    if (!to || !chosen.has(node.id)) return node;
    renames.set(quote(node.relation), quote(to));
    deferred.push(node.id);
    return { ...node, relation: { schema: to.schema, name: to.name } };
  });
  const rename = (sql: string): string => {
    let out = sql;
    for (const [from, to] of renames) out = out.split(from).join(to);
    return out;
  };
  if (renames.size === 0) return { compiled, deferred, rename };
  const renamed = nodes.map((node) => (selected.has(node.id) ? renameNode(node, rename) : node));
  return { compiled: { ...compiled, nodes: renamed }, deferred, rename };
}

/**
 * A node with `rename` applied to every SQL text it holds (statements, incremental SQL, a test's
 * queries): `deferToState`'s `rename` for a node rendered after it (`renderAtRun`).
 */
export function renameNode(node: CompiledNode, rename: (sql: string) => string): CompiledNode {
  return {
    ...node,
    sql: rename(node.sql),
    ...(node.incrementalSql !== undefined ? { incrementalSql: rename(node.incrementalSql) } : {}),
    statements: node.statements.map((s) => ({ ...s, sql: rename(s.sql) })),
    ...(node.incrementalStatements
      ? {
          incrementalStatements: node.incrementalStatements.map((s) => ({
            ...s,
            sql: rename(s.sql),
          })),
        }
      : {}),
    ...(node.assertion ? { assertion: renameAssertion(node.assertion, rename) } : {}),
  };
}

/** A test's assertion with `rename` applied to every query it holds. */
function renameAssertion(assertion: TestAssertion, rename: (sql: string) => string): TestAssertion {
  const shared = (q: SharedQuery): SharedQuery => ({ ...q, sql: rename(q.sql) });
  if (assertion.kind === "failing_rows")
    return assertion.shared ? { ...assertion, shared: shared(assertion.shared) } : assertion;
  if (assertion.kind !== "dq_rule") return assertion;
  const passes = assertion.passes
    ? Object.fromEntries(Object.entries(assertion.passes).map(([k, q]) => [k, shared(q)]))
    : undefined;
  return {
    ...assertion,
    ...(assertion.failingRowsSql !== undefined
      ? { failingRowsSql: rename(assertion.failingRowsSql) }
      : {}),
    ...(passes ? { passes } : {}),
  };
}
