import type { SourceTable } from "@sluice/project";
import type { Dialect } from "@sluice/dialects";
import type { ResolvedTarget } from "../target/resolve-target.js";
import type { CompiledNode } from "../types.js";

/** Node id of a source table. */
export function sourceId(sourceName: string, table: string): string {
  return `source.${sourceName}.${table}`;
}

/**
 * A source table as a node. An `external` raw zone gets the dialect's raw-source statements
 * (Athena external table with partition projection, DuckDB view over the files).
 */
export function sourceNode(
  table: SourceTable,
  target: ResolvedTarget,
  dialect: Dialect,
  projectionStart: string,
): CompiledNode {
  // dbt's `identifier:` names the table in the catalog; source('s', '<name>') still finds it.
  const relation = target.relation(table.schema, table.identifier ?? table.name);
  const location = table.external ? target.rawPath(table.external.location) : undefined;
  const eventTypes = table.external?.event_types;
  const statements = location
    ? dialect.rawSource({
        relation,
        location,
        projectionStart,
        ...(eventTypes ? { eventTypes } : {}),
      })
    : [];
  return {
    id: sourceId(table.sourceName, table.name),
    kind: "source",
    name: table.name,
    path: table.at.file,
    schema: table.schema,
    relation,
    materialization: "source",
    partitionedBy: [],
    config: {},
    tags: [],
    ...(table.description !== undefined ? { description: table.description } : {}),
    columns: table.columns.map((c) => ({
      name: c.name,
      ...(c.description !== undefined ? { description: c.description } : {}),
    })),
    dependsOn: [],
    sql: "",
    statements,
    ...(location !== undefined ? { location } : {}),
    ...(location !== undefined && eventTypes ? { eventTypes: [...eventTypes] } : {}),
  };
}
