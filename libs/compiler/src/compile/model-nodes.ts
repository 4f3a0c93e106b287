import type { Diagnostic } from "@sluice/project";
import { throughEphemerals } from "../graph/ephemeral.js";
import { planStatements } from "../plan/plan-statements.js";
import { templateRelation } from "../render/render-scope.js";
import type { CompiledNode } from "../types.js";
import type { CompileContext } from "./compile-context.js";
import type { NameIndex } from "./name-index.js";
import type { ParsedModel } from "./parse-models.js";
import { renderDescription } from "./render-description.js";
import { renderNodeSql } from "./render-node-sql.js";
import type { BuiltNodes } from "./render-node-sql.js";

/** The SQL compile shows for a model whose render needs warehouse results it does not have. */
export const AT_RUN_SQL = "-- rendered at run time: this model reads the warehouse (run_query)";

/**
 * Compile a parsed model (or dbt snapshot: id `snapshot.<name>`, its `sql` the snapshot's query,
 * its statements the first build) whose dependencies are built: SQL, location and statements.
 */
export function compileModel(
  ctx: CompileContext,
  index: NameIndex,
  built: BuiltNodes,
  parsed: ParsedModel,
  dependsOn: string[],
): CompiledNode | Diagnostic[] {
  const { file, config, properties } = parsed;
  const table = config.alias ?? file.name;
  const relation = ctx.target.relation(config.schema, table);
  const self = templateRelation(
    relation.schema,
    relation.name,
    ctx.dialect.quoteRelation(relation),
  );
  // A model whose parse came from the compile memo has no template yet.
  if (!parsed.template) {
    const compiled = ctx.renderer.compile(file.path, file.text);
    if ("code" in compiled) return [compiled];
    parsed.template = compiled;
  }
  const materialized = config.materialized;
  const kind = materialized === "snapshot" ? "snapshot" : "model";
  const id = `${kind}.${file.name}`;
  // Offline, warehouse calls answer empty; the compile that renders this node for the runner
  // holds the results.
  const warehouse =
    ctx.warehouse?.nodeId === id ? ctx.warehouse.session : { missing: [], calls: 0 };
  const render = (isIncremental: boolean) =>
    renderNodeSql(ctx, index, built, {
      file: file.path,
      text: file.text,
      template: parsed.template!,
      isIncremental,
      self,
      deps: dependsOn,
      reads: parsed.reads,
      parsedDeps: true,
      warehouse,
    });
  // A render that failed past a query it had no result for failed on the placeholder: its SQL
  // is known only at run time.
  let atRun = false;
  const deferred = <T>(r: T | Diagnostic[]): T | Diagnostic[] | { bare: string; sql: string } => {
    if (!Array.isArray(r) || warehouse.missing.length === 0) return r;
    atRun = true;
    return { bare: "", sql: AT_RUN_SQL };
  };
  const full = deferred(render(false));
  if (Array.isArray(full)) return full;
  const incremental = deferred(config.materialized === "incremental" ? render(true) : undefined);
  if (Array.isArray(incremental)) return incremental;

  const node: CompiledNode = {
    id,
    kind,
    name: file.name,
    path: file.path,
    schema: config.schema,
    relation,
    materialization: materialized,
    ...(materialized === "incremental" ? { incrementalStrategy: config.incremental_strategy } : {}),
    partitionedBy: config.partitioned_by,
    config,
    tags: config.tags,
    ...(properties?.description !== undefined
      ? { description: renderDescription(ctx, properties.description, properties.at) }
      : {}),
    columns: (properties?.columns ?? []).map((c) => ({
      name: c.name,
      ...(c.description !== undefined
        ? { description: renderDescription(ctx, c.description, c.at) }
        : {}),
    })),
    dependsOn: throughEphemerals(dependsOn, built.byId),
    sql: full.sql,
    ...(incremental ? { incrementalSql: incremental.sql } : {}),
    statements: [],
    ...(warehouse.calls > 0 ? { renderAtRun: true } : {}),
    ...(materialized === "table" || materialized === "incremental" || materialized === "snapshot"
      ? { location: ctx.target.tableLocation(config.schema, table, ctx.runId) }
      : {}),
  };
  if (materialized === "ephemeral") built.ephemeralSql.set(node.id, full.bare);
  // Statements made of a placeholder would be wrong: the runner plans the rendered node.
  if (atRun) return node;
  const writeId = ctx.runId;
  node.statements = planStatements(node, ctx.dialect, {
    exists: false,
    fullRefresh: false,
    writeId,
  });
  if (materialized === "incremental") {
    node.incrementalStatements = planStatements(node, ctx.dialect, {
      exists: true,
      location: node.location,
      fullRefresh: false,
      writeId,
    });
  }
  return node;
}
