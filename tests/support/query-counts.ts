import type { LoggedCall } from "./athena-local.js";
import { readRunResults } from "./cli.js";

/**
 * The queries the endpoint started for each of `models` (`schema.name`) (Athena.StartQueryExecution in its call
 * log, by query id; their SQL, blanks collapsed), attributed to the node whose run_results.json lists that id; `unowned`:
 * the SQL of queries the endpoint started that no node of the run lists (run-level: checked, so
 * that no model's query escapes the count).
 */
export async function queriesPerModel(
  log: readonly LoggedCall[],
  dir: string,
  models: readonly string[],
): Promise<{ perModel: Map<string, string[]>; unowned: string[] }> {
  const results = await readRunResults(dir);
  const owner = new Map<string, string>();
  for (const r of results.results as { relation?: string; query_ids?: string[] }[])
    for (const id of r.query_ids ?? []) owner.set(id, r.relation ?? "");
  const perModel = new Map<string, string[]>(models.map((m) => [m, []]));
  const unowned: string[] = [];
  for (const call of log.filter((c) => c.api === "Athena.StartQueryExecution")) {
    const relation = call.queryId === undefined ? undefined : owner.get(call.queryId);
    if (relation === undefined) unowned.push(call.resource);
    else perModel.get(relation)?.push(call.resource.replace(/\s+/g, " ").trim());
  }
  return { perModel, unowned };
}
