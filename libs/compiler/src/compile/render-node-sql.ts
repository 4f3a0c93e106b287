import { error } from "@sluice/project/diagnostics";
import type { Diagnostic } from "@sluice/project";
import { locateCall } from "../render/locate.js";
import { cteName, inlineCtes } from "../graph/ephemeral.js";
import { walkDepthFirst } from "../graph/dag.js";
import type { CompiledTemplate } from "../render/nunjucks-env.js";
import { newScope, templateRelation } from "../render/render-scope.js";
import type { TemplateRelation } from "../render/render-scope.js";
import type { WarehouseSession } from "../render/warehouse.js";
import { sourceId } from "../sources/source-nodes.js";
import type { CompiledNode } from "../types.js";
import { cleanSql } from "./compile-context.js";
import type { CompileContext } from "./compile-context.js";
import type { NameIndex } from "./name-index.js";

/** Nodes compiled so far, and the bare SQL of ephemeral models (before their own CTEs). */
export interface BuiltNodes {
  byId: Map<string, CompiledNode>;
  ephemeralSql: Map<string, string>;
}

/** Ephemeral models reachable from `deps` through ephemerals only, dependencies first. */
export function ephemeralCtes(
  deps: readonly string[],
  built: BuiltNodes,
): { name: string; sql: string }[] {
  const out: { name: string; sql: string }[] = [];
  const seen = new Set<string>();
  walkDepthFirst(
    deps,
    (id) => {
      const node = built.byId.get(id);
      if (!node || node.materialization !== "ephemeral" || seen.has(id)) return undefined;
      seen.add(id);
      return node.dependsOn;
    },
    (id) => out.push({ name: built.byId.get(id)!.name, sql: built.ephemeralSql.get(id) ?? "" }),
  );
  return out;
}

/**
 * Render a template against real relations: ref() of an ephemeral model names its CTE, which is
 * then inlined. Returns the bare SQL (for ephemerals' own use) and the SQL with CTEs.
 */
export function renderNodeSql(
  ctx: CompileContext,
  index: NameIndex,
  built: BuiltNodes,
  input: {
    file: string;
    text: string;
    template: CompiledTemplate;
    isIncremental: boolean;
    self?: TemplateRelation;
    deps: readonly string[];
    /** Where the render records what it read (the model's shared set). */
    reads?: Set<string>;
    /**
     * A model's render: a ref() its parse did not see (inside `{% if execute %}`) is an error,
     * as in dbt, since the DAG would not order the model after it.
     */
    parsedDeps?: boolean;
    /** A model's render: what its warehouse calls read. */
    warehouse?: WarehouseSession;
  },
): { bare: string; sql: string } | Diagnostic[] {
  const relationSql = (id: string | undefined, fallback: string) => {
    const node = id ? built.byId.get(id) : undefined;
    if (!node) return fallback;
    return node.materialization === "ephemeral"
      ? cteName(node.name)
      : ctx.dialect.quoteRelation(node.relation);
  };
  const relationParts = (id: string | undefined) => {
    const node = id ? built.byId.get(id) : undefined;
    if (!node) return undefined;
    const sql = relationSql(id, "");
    if (node.materialization !== "ephemeral")
      return templateRelation(node.relation.schema, node.relation.name, sql);
    return { ...templateRelation("", sql, sql), isCte: true };
  };
  const scope = newScope({
    file: input.file,
    text: input.text,
    isIncremental: input.isIncremental,
    ...(input.self ? { self: input.self } : {}),
    ...(input.reads ? { reads: input.reads } : {}),
    ...(input.warehouse ? { warehouse: input.warehouse } : {}),
    resolveRef: (name) => relationSql(index.refs.get(name), ctx.dialect.quoteIdentifier(name)),
    refRelation: (name) => relationParts(index.refs.get(name)),
    sourceRelation: (s, t) => relationParts(sourceId(s, t)),
    resolveSource: (s, t) =>
      relationSql(
        sourceId(s, t),
        `${ctx.dialect.quoteIdentifier(s)}.${ctx.dialect.quoteIdentifier(t)}`,
      ),
  });
  const out = ctx.renderer.render(input.template, scope);
  if (input.parsedDeps) scope.diagnostics.push(...unparsedRefs(index, input, scope.refs));
  const failed = scope.diagnostics.some((d) => d.severity === "error");
  if (out === undefined || failed) return scope.diagnostics;
  // Warnings (`exceptions.warn`) are reported and the model still builds, as in dbt.
  for (const d of scope.diagnostics) ctx.diagnostics.add(d);
  const bare = cleanSql(out);
  return { bare, sql: inlineCtes(bare, ephemeralCtes(input.deps, built)) };
}

/** ref() names the compile render read that are not among the dependencies its parse found. */
function unparsedRefs(
  index: NameIndex,
  input: { file: string; text: string; deps: readonly string[] },
  refs: readonly string[],
): Diagnostic[] {
  return [...new Set(refs)].flatMap((name) => {
    const id = index.refs.get(name);
    if (id === undefined || input.deps.includes(id)) return [];
    return [
      error(
        "TEMPLATE_SYNTAX",
        `ref('${name}') is only reached while executing (inside {% if execute %}): the dependency cannot be inferred, so the model could run before '${name}'`,
        locateCall(input.file, input.text, "ref", [name]),
        `add this line at the top of the model (as dbt asks): -- depends_on: {{ ref('${name}') }}`,
      ),
    ];
  });
}
