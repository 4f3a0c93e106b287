import type { CompiledNode } from "@sluice/compiler";
import {
  schemaAfter,
  schemaIdOf,
  selectInputs,
  sha256Of,
  SCHEMA_PARAMETER,
  VERSION_PARAMETER,
  type InputSources,
  type NodePlan,
} from "@sluice/compiler/plan";
import { trinoCompatStatements, type LakeDialect, type Relation } from "@sluice/dialects";
import { EMBEDDED_DUCKDB_VERSION } from "@sluice/engines";
import { noteVersion, type TableVersions } from "../athena/unchanged-inputs.js";
import type { TableStates } from "./lake-plan-input.js";

/** Where a lake node finds the schema ids of the tables it reads. */
export interface LakeSchemas {
  /** Tables whose versions this run published (or planned), with their new schema ids. */
  tableVersions?: TableVersions;
  tableStates: TableStates;
}

/**
 * The schema id a lake table-state row records (`schema_id`), else its run id as its version
 * (see `schemaIdOf`): a row written before schema ids were recorded changes with every version.
 * "" for no row.
 */
function rowSchemaId(row: Record<string, unknown> | undefined): string {
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  return schemaIdOf({
    [SCHEMA_PARAMETER]: text(row?.["schema_id"]),
    [VERSION_PARAMETER]: text(row?.["run_id"]),
  });
}

/**
 * What decides the columns of an incremental model's SELECT on the lake besides its own table's
 * (see `selectInputs`): its definition, what it reads through views, the raw tables' DDL, the
 * schema id of each table it reads (published in this run: the one it recorded; else its state
 * row's) and what runs the SQL (the embedded DuckDB, the Trino-compat layer). Undefined when a
 * table it reads records no state (its columns may change unseen): the node is then probed.
 *
 * @example
 * await lakeSelectInputs(node, inputSources(node, nodes), { tableVersions, tableStates }, dialect) // "sha256:…"
 */
export async function lakeSelectInputs(
  node: CompiledNode,
  sources: InputSources,
  schemas: LakeSchemas,
  dialect: LakeDialect,
): Promise<string | undefined> {
  if (sources.opaque.length > 0) return undefined;
  const ids: Record<string, string> = {};
  for (const table of sources.tables) {
    const key = `${table.schema}.${table.name}`;
    const noted = await schemas.tableVersions?.get(key);
    const id = noted?.schema ?? rowSchemaId((await schemas.tableStates())?.get(key));
    if (id === "") return undefined;
    ids[key] = id;
  }
  const select = selectInputs(node, sources, ids);
  return select && sha256Of(JSON.stringify([select, ...lakeRuntime(dialect)]));
}

/**
 * After a lake node's plan ran (or was planned, in a dry run): a version it published gives the
 * tables built from it its schema id. A node that published nothing left its state row as read.
 */
export function notePublished(
  tableVersions: TableVersions | undefined,
  relation: Relation,
  plan: Pick<NodePlan, "steps">,
): void {
  const publish = plan.steps.find((s) => s.kind === "catalog" && s.op === "publish_version");
  if (publish?.kind !== "catalog" || publish.op !== "publish_version") return;
  const schema = schemaAfter({ steps: [publish] }, { exists: true });
  noteVersion({ tableVersions }, relation, { version: publish.state.runId, schema });
}

let compatDigest: string | undefined;

/** What runs a lake model's SQL and may type its columns: DuckDB's version, the compat layer. */
function lakeRuntime(dialect: LakeDialect): string[] {
  if (dialect.capabilities.modelSql !== "trino") return [EMBEDDED_DUCKDB_VERSION, "duckdb"];
  compatDigest ??= sha256Of(
    trinoCompatStatements()
      .map((s) => s.sql)
      .join("\n"),
  );
  return [EMBEDDED_DUCKDB_VERSION, "trino", compatDigest];
}
