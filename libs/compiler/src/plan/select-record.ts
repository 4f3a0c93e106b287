import type { CompiledNode } from "../types.js";
import type { CatalogState, NodePlan, PlanInput } from "./node-plan.js";
import { sha256Of, sorted, VERSION_PARAMETER, type InputSources } from "./inputs.js";

/**
 * Catalog table parameter: the id of the write that last set the table's columns (a new version,
 * or an `ALTER TABLE ... ADD COLUMNS` of on_schema_change). Unchanged by writes that keep them.
 * A model reading the table fingerprints it (see {@link selectInputs}) instead of its columns.
 */
export const SCHEMA_PARAMETER = "sluice_schema";

/**
 * Catalog table parameter of an incremental table: the fingerprint (see {@link selectRecord}) of
 * what decided the columns of the incremental SELECT when they were last known to be the table's
 * columns, name for name and type for type. While the fingerprint is the same, on_schema_change
 * needs no `LIMIT 0` probe: the SELECT still returns the table's columns. "": not known.
 */
export const SELECT_PARAMETER = "sluice_select";

/**
 * The schema id of a table read from its catalog parameters: its {@link SCHEMA_PARAMETER}, else
 * (a table written by an older sluice, or not by sluice) its version, so that any new version
 * of it counts as a change of its columns. "" when it records neither.
 */
export function schemaIdOf(parameters: Readonly<Record<string, string>> | undefined): string {
  const schema = parameters?.[SCHEMA_PARAMETER];
  if (schema !== undefined && schema !== "") return schema;
  const version = parameters?.[VERSION_PARAMETER];
  return version === undefined || version === "" ? "" : `version:${version}`;
}

/**
 * A fingerprint of what decides the columns of a node's incremental SELECT besides its own
 * table's columns: its definition (SQL of both builds, config), the SQL of the views it reads
 * through, the DDL of the external sources' raw tables it reads, and the schema id of each table
 * it reads (`schemas`, by `schema.name`; see {@link schemaIdOf}), all from `inputs` (see
 * `inputSources`). Undefined when a source it reads is opaque (its columns may change unseen):
 * such a node is always probed. Pure.
 *
 * @example
 * selectInputs(events, inputSources(events, nodes), { "ecommerce_staging.stg_events": "r1_2" }) // "sha256:…"
 */
export function selectInputs(
  node: CompiledNode,
  inputs: InputSources,
  schemas: Readonly<Record<string, string>>,
): string | undefined {
  if (inputs.opaque.length > 0) return undefined;
  const text = JSON.stringify({
    sql: node.sql,
    incrementalSql: node.incrementalSql ?? null,
    partitionedBy: node.partitionedBy,
    config: sorted(node.config),
    views: inputs.views,
    rawTables: inputs.rawTables,
    tables: inputs.tables.map((t) => `${t.schema}.${t.name}=${schemas[`${t.schema}.${t.name}`]}`),
  });
  return sha256Of(text);
}

/**
 * The {@link SELECT_PARAMETER} value of a table whose schema id is `schema`, for a SELECT whose
 * other inputs have the fingerprint `inputs` (see {@link selectInputs}).
 */
export function selectRecord(inputs: string, schema: string): string {
  return sha256Of(`${inputs}\n${schema}`);
}

/**
 * The SELECT's columns are known to be the table's without a probe: the table recorded
 * (`sluice_select`) the fingerprint the node's SELECT inputs and the table's schema have now.
 */
export function selectKnown(input: Pick<PlanInput, "state" | "selectInputs">): boolean {
  const { schema, select } = input.state;
  if (input.selectInputs === undefined || schema === undefined || select === undefined)
    return false;
  return select === selectRecord(input.selectInputs, schema);
}

/**
 * The schema id a node's table has once the steps of `plan` ran: the {@link SCHEMA_PARAMETER}
 * one of its catalog steps records (a lake publish: its state's schema, else its run id as the
 * version), else the one `state` had (see {@link schemaIdOf}).
 */
export function schemaAfter(plan: Pick<NodePlan, "steps">, state: CatalogState): string {
  for (const step of plan.steps)
    if (step.kind === "catalog" && step.op === "publish_version")
      return schemaIdOf({
        ...(step.state.schema === undefined ? {} : { [SCHEMA_PARAMETER]: step.state.schema }),
        [VERSION_PARAMETER]: step.state.runId,
      });
    else if (step.kind === "catalog" && "parameters" in step) {
      const schema = step.parameters[SCHEMA_PARAMETER];
      if (schema !== undefined) return schema;
    }
  return schemaIdOf({
    ...(state.schema === undefined ? {} : { [SCHEMA_PARAMETER]: state.schema }),
    ...(state.version === undefined ? {} : { [VERSION_PARAMETER]: state.version }),
  });
}
