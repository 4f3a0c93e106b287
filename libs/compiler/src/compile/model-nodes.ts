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
    });
  const full = render(false);
  if (Array.isArray(full)) return full;
  const incremental = config.materialized === "incremental" ? render(true) : undefined;
  if (Array.isArray(incremental)) return incremental;

  const materialized = config.materialized;
  const kind = materialized === "snapshot" ? "snapshot" : "model";
  const node: CompiledNode = {
    id: `${kind}.${file.name}`,
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
    ...(materialized === "table" || materialized === "incremental" || materialized === "snapshot"
      ? { location: ctx.target.tableLocation(config.schema, table, ctx.runId) }
      : {}),
  };
  if (materialized === "ephemeral") built.ephemeralSql.set(node.id, full.bare);
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
