import { error } from "@sluice/project/diagnostics";
import type { Diagnostic } from "@sluice/project";
import { locateCall } from "../render/locate.js";
import { throughEphemerals } from "../graph/ephemeral.js";
import { flatText } from "./flat-text.js";
import { planStatements } from "../plan/plan-statements.js";
import { templateRelation } from "../render/render-scope.js";
import type { CompiledNode } from "../types.js";
import type { CompileContext } from "./compile-context.js";
import type { NameIndex } from "./name-index.js";
import type { ParsedModel } from "./parse-models.js";
import { renderDescription } from "./render-description.js";
import { renderHooks } from "./render-hooks.js";
import { renderNodeSql } from "./render-node-sql.js";
import type { BuiltNodes } from "./render-node-sql.js";

/** How every SQL text of a model rendered at run time starts, offline (`renderAtRun`). */
export const AT_RUN_MARK = "-- rendered at run time:";

/**
 * The header of a model's SQL when this compile could not answer its warehouse queries: why it
 * is rendered at run time and the first query it needs. Offline, the SQL below it (if any) is the
 * render with empty answers, which is not what will run; the node has no statements.
 */
export function atRunHeader(firstQuery: string): string {
  const query = firstQuery.replace(/\s+/g, " ").trim();
  const shown = query.length > 160 ? `${query.slice(0, 157)}...` : query;
  return (
    `${AT_RUN_MARK} this model reads the warehouse while rendering (run_query, statement or\n` +
    `-- adapter introspection) and its SQL depends on the answers; first query: ${shown}\n` +
    "-- Not rendered with the target's answers here: what follows (if anything) was rendered\n" +
    "-- with empty answers and is NOT the SQL that will run. `sluice compile` and\n" +
    "-- `build --dry-run` render it with the target's answers when the target is reachable.\n"
  );
}

/** The error for an ephemeral model that reads the warehouse while rendering, at the first call. */
function ephemeralReadsWarehouse(file: string, text: string, name: string): Diagnostic {
  const call = ["run_query", "statement", "get_columns_in_relation", "get_relation"].find((fn) =>
    new RegExp(`\\b${fn}\\s*\\(`).test(text),
  );
  return error(
    "CONFIG_CONFLICT",
    `ephemeral model '${name}' reads the warehouse while rendering (run_query, statement or adapter introspection, maybe in a macro it calls): an ephemeral is inlined into the models that ref it when they compile, so its SQL cannot wait for the answers`,
    call ? locateCall(file, text, call) : { file, line: 1, column: 1 },
    `make '${name}' a view or a table: {{ config(materialized='view') }}`,
  );
}

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
  const deferred = <T>(r: T | Diagnostic[]): T | Diagnostic[] | { bare: string; sql: string } => {
    if (!Array.isArray(r) || warehouse.missing.length === 0) return r;
    return { bare: "", sql: "" };
  };
  const full = deferred(render(false));
  if (Array.isArray(full)) return full;
  // An ephemeral is inlined into its readers at compile time, never rendered at run time: its
  // SQL would be the render with empty answers.
  if (materialized === "ephemeral" && warehouse.calls > 0)
    return [ephemeralReadsWarehouse(file.path, file.text, file.name)];
  const incremental = deferred(config.materialized === "incremental" ? render(true) : undefined);
  if (Array.isArray(incremental)) return incremental;
  const hooked = renderHooks(ctx, index, built, {
    file: file.path,
    self,
    deps: dependsOn,
    ...(parsed.reads ? { reads: parsed.reads } : {}),
    config,
  });
  if (Array.isArray(hooked)) return hooked;
  // Queries this compile could not answer: the SQL is marked, never shown as what will run.
  const atRun = warehouse.missing.length > 0;
  const marked = (sql: string) => flatText(atRun ? atRunHeader(warehouse.missing[0]!) + sql : sql);

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
    config: hooked,
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
    sql: marked(full.sql),
    ...(incremental ? { incrementalSql: marked(incremental.sql) } : {}),
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
  for (const s of [...node.statements, ...(node.incrementalStatements ?? [])]) flatText(s.sql);
  return node;
}
