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
 * them (build and dry run alike), and `missing`: the state's relations the selection reads that do
 * not exist where this target reads (a state built on another lake or account), looked up before
 * any work so the caller can stop with a clear error instead of a failed query mid-run.
 *
 * @example const { rename } = await deferSelection(ctx, ids, state, engine, false)
 */
export async function deferSelection(
  ctx: { compiled: CompiledProject; dialect: Dialect },
  ids: readonly string[],
  state: RunState,
  engine: Pick<Engine, "describeRelation">,
  favorState: boolean,
): Promise<{ rename: (sql: string) => string; kept: string[]; missing: MissingRelation[] }> {
  const { deferCandidates, deferToState, stateNodesUnselected } = await import("@sluice/compiler");
  const { compiled, dialect } = ctx;
  const selected = new Set(ids);
  const relations = new Map([...state.nodes].map(([id, n]) => [id, n.relation]));
  const quote = (r: Parameters<Dialect["quoteRelation"]>[0]) => dialect.quoteRelation(r);
  const candidates = deferCandidates(compiled, selected, relations, quote);
  const inTarget = new Set<string>();
  if (!favorState)
    await inBatches(candidates, async (node) => {
      if ((await engine.describeRelation(node.relation)).exists) inTarget.add(node.id);
    });
  const out = deferToState(compiled, selected, relations, quote, { favorState, inTarget });
  ctx.compiled = out.compiled;
  // What the selection reads: compiled dependencies already hold what inlined ephemerals read.
  const read = new Set(compiled.nodes.flatMap((n) => (selected.has(n.id) ? n.dependsOn : [])));
  // The state's relations the selection reads: those deferred to, and those the state names as
  // this target does (nothing to defer or rename), which the selection reads all the same.
  const deferred = new Set(out.deferred);
  const candidateIds = new Set(candidates.map((n) => n.id));
  const fromState = stateNodesUnselected(compiled, selected, relations)
    .map((n) => n.id)
    .filter((id) => read.has(id) && (deferred.has(id) || !candidateIds.has(id)));
  const missing: MissingRelation[] = [];
  await inBatches(fromState, async (id) => {
    const relation = relations.get(id)!;
    if (!(await engine.describeRelation(relation)).exists)
      missing.push({ id, relation: quote(relation) });
  });
  return {
    rename: out.rename,
    kept: candidates.filter((n) => inTarget.has(n.id)).map((n) => n.id),
    missing: missing.sort((a, b) => a.id.localeCompare(b.id)),
  };
}

/** A deferred node whose relation in the state does not exist where this target reads. */
export interface MissingRelation {
  id: string;
  /** The state's relation, quoted as the SQL names it. */
  relation: string;
}

/** The error for `missing` (non-empty): what is missing, why it may be, what to do. */
export function missingDeferredMessage(missing: readonly MissingRelation[]): string {
  const shown = missing.slice(0, 5).map((m) => `${m.id.replace(/^\w+\./, "")} (${m.relation})`);
  if (missing.length > 5) shown.push(`${missing.length - 5} more`);
  return (
    `--defer: the state's relations of ${shown.join(", ")} do not exist where this target reads, ` +
    "and the selection reads them; was the state built on another lake or account? " +
    "Build them here first, select them too, or pass the --state of a run on this target's warehouse"
  );
}

/** `each` on every item, LOOKUPS_AT_ONCE at a time. */
async function inBatches<T>(items: readonly T[], each: (item: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < items.length; i += LOOKUPS_AT_ONCE)
    await Promise.all(items.slice(i, i + LOOKUPS_AT_ONCE).map(each));
}
