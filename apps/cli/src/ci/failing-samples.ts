import type { CompiledNode } from "@sluice/compiler";
import type { Dialect } from "@sluice/dialects";
import type { Engine } from "@sluice/engines";
import type { NodeResult } from "@sluice/runner";

/** Rows of a failing test's failing-rows query, at most {@link SAMPLE_ROWS}, by test id. */
export type FailingSamples = Map<string, Record<string, unknown>[]>;

export const SAMPLE_ROWS = 5;

/** The SELECT of a test's failing rows, when it has one (row-level DQDL rules and SQL tests). */
function failingRowsSql(node: CompiledNode): string | undefined {
  if (node.assertion?.kind === "dq_rule") return node.assertion.failingRowsSql;
  return node.sql.trim() === "" ? undefined : node.sql;
}

/**
 * For `--junit-xml` and CI annotations: up to 5 failing rows of every test that failed or
 * warned, read with the engine still open after the run (the whole relation, not only the run's
 * new data). A query that fails gives no sample; the report says so, the run's outcome stands.
 */
export async function failingSamples(
  results: readonly NodeResult[],
  nodes: ReadonlyMap<string, CompiledNode>,
  engine: Engine,
  dialect: Dialect,
): Promise<FailingSamples> {
  const samples: FailingSamples = new Map();
  for (const r of results) {
    const node = nodes.get(r.id);
    if (!node || node.kind !== "test" || (r.status !== "fail" && r.status !== "warn")) continue;
    const sql = failingRowsSql(node);
    if (!sql) continue;
    try {
      const { rows } = await engine.execute(dialect.limit(sql, SAMPLE_ROWS));
      samples.set(r.id, rows as Record<string, unknown>[]);
    } catch {
      // No sample: the JUnit failure still names the test, metric and compiled SQL.
    }
  }
  return samples;
}
