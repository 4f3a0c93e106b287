import type { CompiledNode } from "@sluice/compiler";
import type { PlanStep } from "@sluice/compiler/plan";
import { QueryError, type Engine, type QueryResult } from "@sluice/engines";

export type SqlStep = Extract<PlanStep, { kind: "sql" }>;
export type CatalogStep = Extract<PlanStep, { kind: "catalog" }>;
export type StorageStep = Extract<PlanStep, { kind: "storage" }>;

/**
 * Whether a conditional step's condition holds now, for an interpreter of plans: no condition,
 * yes; `no_rows_written`, when the steps before wrote none (`rows`); `has_column`, when the
 * relation's entry has the column now; `failed` (a compensation), never on the normal path.
 */
export async function conditionHolds(
  step: PlanStep,
  rows: number | undefined,
  engine: Pick<Engine, "describeRelation">,
): Promise<boolean> {
  switch (step.condition?.if) {
    case undefined:
      return true;
    case "no_rows_written":
      return (rows ?? 0) === 0;
    case "has_column": {
      const { relation, column } = step.condition;
      const info = await engine.describeRelation(relation);
      return info.columns?.some((c) => c.name.toLowerCase() === column.toLowerCase()) ?? false;
    }
    case "failed":
      return false;
  }
}

/**
 * Run one step by kind: SQL (its result returned), catalog or storage operation, each by the
 * engine family's own handler.
 */
export async function runStepOf<R>(
  step: PlanStep,
  run: {
    sql(step: SqlStep): Promise<QueryResult | undefined>;
    catalog(step: CatalogStep): Promise<R>;
    storage(step: StorageStep): Promise<R>;
  },
): Promise<QueryResult | undefined> {
  switch (step.kind) {
    case "sql":
      return run.sql(step);
    case "catalog":
      await run.catalog(step);
      return undefined;
    case "storage":
      await run.storage(step);
      return undefined;
  }
}

/**
 * A plan's error as the node's failure. The compiler's plan errors may start with the node id
 * (`model.x: the incremental model's columns differ ...`); the error's `engineMessage` (which
 * becomes the node result's `message`) never does, since every output already names the node
 * (`ERROR model.x: <message>`). Its `message` names it once.
 */
export function planError(node: CompiledNode, message: string): QueryError {
  const prefix = `${node.id}:`;
  const bare = message.startsWith(prefix) ? message.slice(prefix.length).trimStart() : message;
  return new QueryError(`${node.id}: ${bare}`, { sql: "", label: node.id, engineMessage: bare });
}
