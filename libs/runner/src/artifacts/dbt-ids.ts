/**
 * dbt's unique ids from sluice's node ids and back: `model.funnel` ⇄ `model.ecommerce.funnel`,
 * `source.raw.events` ⇄ `source.ecommerce.raw.events` (the package, our project, after the kind).
 *
 * @example dbtUniqueId("model.funnel", "ecommerce") // "model.ecommerce.funnel"
 */
export function dbtUniqueId(id: string, project: string): string {
  const dot = id.indexOf(".");
  return `${id.slice(0, dot)}.${project}.${id.slice(dot + 1)}`;
}

/** The sluice node id of a dbt unique id (the package dropped). */
export function sluiceNodeId(uniqueId: string): string {
  const kind = uniqueId.indexOf(".");
  if (kind === -1) return uniqueId;
  const pkg = uniqueId.indexOf(".", kind + 1);
  return pkg === -1 ? uniqueId.slice(0, kind) : uniqueId.slice(0, kind) + uniqueId.slice(pkg);
}

/** The schema URLs sluice's artifacts declare, and the dbt version whose shape they follow. */
export const dbtSchemas = {
  manifest: "https://schemas.getdbt.com/dbt/manifest/v12.json",
  runResults: "https://schemas.getdbt.com/dbt/run-results/v6.json",
  dbtVersion: "1.9.0",
} as const;

/** dbt's `relation_name` of a node: its schema and name, quoted (as both Trino and DuckDB read them). */
export const dbtRelationName = (relation: { schema: string; name: string }): string =>
  `"${relation.schema}"."${relation.name}"`;
