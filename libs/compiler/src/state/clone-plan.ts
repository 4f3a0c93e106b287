import type { Dialect, Relation, Statement } from "@sluice/dialects";
import type { CompiledNode } from "../types.js";

/** What the catalog says of this target's relation before a clone (an engine's `describeRelation`). */
export interface ExistingRelation {
  exists: boolean;
  kind?: "table" | "view";
}

/**
 * What `sluice clone` does for one node: `create` (the statements), or `skip` with the reason.
 */
export type ClonePlan =
  | { action: "create"; from: Relation; statements: Statement[] }
  | { action: "skip"; reason: string };

/** Kinds a clone points at the state's relation: what a build publishes (not tests, not sources). */
const CLONED_KINDS: ReadonlySet<string> = new Set(["model", "seed", "snapshot"]);

/**
 * dbt 1.6+'s `clone` where the warehouse has no zero-copy table clone (dbt's
 * `can_clone_table()` is false for Athena and DuckDB, so dbt creates a view): this target's
 * relation becomes a view `select * from <the state's relation>`, reading the state's data in
 * place (on the lake the state's Parquet, on Athena the state's S3 objects through its Glue
 * table). The view owns no data, so a later build or cleanup of this target never touches the
 * state's files. A relation that exists is kept unless `fullRefresh` (then a table is dropped
 * first: Athena's CREATE OR REPLACE VIEW refuses to replace a table). Pure.
 *
 * @example planClone(funnel, { schema: "marts", name: "funnel" }, { exists: false }, false, dialect)
 * // { action: "create", statements: [create schema ci_marts, create or replace view ci_marts.funnel as select * from marts.funnel] }
 */
export function planClone(
  node: CompiledNode,
  from: Relation | undefined,
  existing: ExistingRelation,
  fullRefresh: boolean,
  dialect: Dialect,
): ClonePlan {
  if (!CLONED_KINDS.has(node.kind) || node.materialization === "ephemeral")
    return { action: "skip", reason: `a ${node.materialization} ${node.kind} has no relation` };
  if (!from) return { action: "skip", reason: "not in the state's manifest" };
  const name = dialect.quoteRelation(node.relation);
  if (dialect.quoteRelation(from) === name)
    return { action: "skip", reason: "the state's relation is this target's own" };
  if (existing.exists && !fullRefresh)
    return { action: "skip", reason: `${name} exists (--full-refresh replaces it)` };
  return {
    action: "create",
    from,
    statements: [
      ...dialect.createSchema(node.relation.schema),
      ...(existing.exists && existing.kind === "table" ? dialect.dropTable(node.relation) : []),
      ...dialect.createView(node.relation, `select * from ${dialect.quoteRelation(from)}`),
    ],
  };
}
