import type { Dialect, Relation } from "@sluice/dialects";

/** What compiling a rule needs: the target's dialect and the relations it may read. */
export interface CompileRuleContext {
  dialect: Dialect;
  /** The relation the ruleset tests (`primary` in CustomSql). */
  relation: Relation;
  /** A DataSources alias, model name or source table (`raw.events`) → its relation. */
  resolve(name: string): Relation | undefined;
  /** Injected clock (ISO 8601, UTC) for `now()` and DataFreshness; default: the engine's UTC now. */
  now?: string;
}

/**
 * A rule compiled to one query returning one row `{ metric: double, passed: boolean }`.
 * Row-level rules also give `failingRowsSql` (unlimited; wrap it with `Dialect.limit`), and so do
 * Completeness/IsComplete (NULL rows), Uniqueness/IsUnique and IsPrimaryKey (rows of duplicate keys,
 * plus incomplete keys for IsPrimaryKey).
 */
export type CompiledRule =
  | { sql: string; rowLevel: boolean; failingRowsSql?: string }
  /** The rule cannot be evaluated soundly on this target; report DQDL_UNSUPPORTED, never pass. */
  | { unsupported: string };

/** Thrown inside the compiler, turned into `{ unsupported }` at its edge. */
export class Unsupported extends Error {}
