import type { CompiledProject } from "@sluice/compiler";
import type { Dialect } from "@sluice/dialects";
import type { Engine } from "@sluice/engines";
import type { RunState } from "@sluice/runner";

/** Nodes whose relation is looked up at once in this target (Athena: one Glue GetTable each). */
const LOOKUPS_AT_ONCE = 8;

/**
 * `--defer` on an open engine, as dbt does it: the selected nodes read the state's relation of
 * each unselected model or seed that this target does not have (looked up with the engine's
 * `describeRelation`), or of every one with `favorState` (`--favor-state`). Replaces
 * `ctx.compiled` with the project changed; returns the rename of relations that models rendered
 * at run time apply to their queries, and the ids read from this target although the state has
 * them (build and dry run alike).
 *
 * @example const { rename } = await deferSelection(ctx, ids, state, engine, false)
 */
export async function deferSelection(
  ctx: { compiled: CompiledProject; dialect: Dialect },
  ids: readonly string[],
  state: RunState,
  engine: Pick<Engine, "describeRelation">,
  favorState: boolean,
): Promise<{ rename: (sql: string) => string; kept: string[] }> {
  const { deferCandidates, deferToState } = await import("@sluice/compiler");
  const { compiled, dialect } = ctx;
  const selected = new Set(ids);
  const relations = new Map([...state.nodes].map(([id, n]) => [id, n.relation]));
  const quote = (r: Parameters<Dialect["quoteRelation"]>[0]) => dialect.quoteRelation(r);
  const candidates = deferCandidates(compiled, selected, relations, quote);
  const inTarget = new Set<string>();
  if (!favorState)
    for (let i = 0; i < candidates.length; i += LOOKUPS_AT_ONCE)
      await Promise.all(
        candidates.slice(i, i + LOOKUPS_AT_ONCE).map(async (node) => {
          if ((await engine.describeRelation(node.relation)).exists) inTarget.add(node.id);
        }),
      );
  const out = deferToState(compiled, selected, relations, quote, { favorState, inTarget });
  ctx.compiled = out.compiled;
  return {
    rename: out.rename,
    kept: candidates.filter((n) => inTarget.has(n.id)).map((n) => n.id),
  };
}
