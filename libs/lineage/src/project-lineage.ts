import type { CompiledNode, CompiledProject } from "@sluice/compiler";
import { selectLineage } from "./select-lineage.js";
import type { Env, Relation } from "./select-lineage.js";
import { simpleSelect } from "./simple-select.js";
import { parseSelect } from "./sql-ast.js";
import type { AstNode } from "./sql-ast.js";
import type { LineageGraph, NodeLineage } from "./types.js";

/**
 * Lineage computed before, by node id and a key of what it was computed from (the SQL and the
 * upstream columns): parsing is most of the time, so an unchanged model is not parsed again.
 */
export interface LineageCache {
  get(node: string, key: string): NodeLineage | undefined;
  set(node: string, key: string, lineage: NodeLineage): void;
}

/** How `buildLineage` parses. */
export interface LineageOptions {
  /**
   * Read simple SELECTs with the fast path (`simple-select.ts`) before node-sql-parser; default
   * true. False parses every model with node-sql-parser (to check both give the same lineage).
   */
  simpleSelects?: boolean;
}

/** Columns of nodes as the built catalog has them (node id → column names, in order). */
export type CatalogColumns = Record<string, string[]>;

const unquote = (s: string) => s.replace(/^"|"$/g, "").toLowerCase();
const relationKey = (node: CompiledNode) =>
  `${unquote(node.relation.schema)}.${unquote(node.relation.name)}`;

/** The columns a source or seed is known to have: the catalog's, else its declared ones. */
function rootColumns(node: CompiledNode, catalog: CatalogColumns): string[] | undefined {
  const built = catalog[node.id];
  if (built && built.length > 0) return built.map((c) => c.toLowerCase());
  const declared = node.columns.map((c) => c.name.toLowerCase());
  // A Firehose raw source also has its hour partition column.
  if (node.kind === "source" && node.location !== undefined && !declared.includes("dt"))
    declared.push("dt");
  return declared.length > 0 ? declared : undefined;
}

/**
 * Column-level lineage of every model, from its compiled SQL: each output column with the
 * upstream node columns it is computed from and how (passthrough, renamed, transformed,
 * aggregated, constant). `select *` is expanded from the upstream model's lineage, else from the
 * catalog (when built) or the declared columns. Where the parser cannot tell, the column is
 * `unknown` with a reason, never guessed. Pure: no I/O (a `cache` may skip unchanged models).
 *
 * @example
 * const graph = buildLineage(compiled);
 * graph.nodes["model.sales_by_country"].columns.find((c) => c.column === "revenue");
 * // { column: "revenue", transform: "aggregated", from: [{ node: "model.order_items", column: "order_item_qty" }, ...] }
 */
export function buildLineage(
  compiled: CompiledProject,
  catalog: CatalogColumns = {},
  cache?: LineageCache,
  options: LineageOptions = {},
): LineageGraph {
  const parse = (sql: string) =>
    (options.simpleSelects !== false ? simpleSelect(sql) : undefined) ?? parseSelect(sql);
  const byRelation = new Map(compiled.nodes.map((n) => [relationKey(n), n]));
  const outputs = new Map<string, string[] | undefined>();
  const nodes: Record<string, NodeLineage> = {};
  for (const node of compiled.nodes) {
    if (node.kind === "source" || node.kind === "seed") {
      outputs.set(node.id, rootColumns(node, catalog));
      continue;
    }
    if (node.kind !== "model" || node.sql.trim() === "") continue;
    const env: Env = {
      ctes: new Map(),
      table(db, table) {
        const upstream = byRelation.get(`${db ?? ""}.${table}`);
        if (!upstream || !node.dependsOn.includes(upstream.id)) return undefined;
        const columns = outputs.get(upstream.id);
        const relation: Relation = { node: upstream.id };
        if (columns)
          relation.columns = columns.map((column) => ({
            name: column,
            derived: { from: [{ node: upstream.id, column }], transform: "passthrough" },
          }));
        return relation;
      },
    };
    // What a model's lineage depends on: its SQL and the columns of what it reads.
    const key = cache
      ? JSON.stringify([
          node.sql,
          node.dependsOn.map((d) => outputs.get(d) ?? null),
          catalog[node.id] ?? null,
        ])
      : "";
    const lineage = cache?.get(node.id, key) ?? modelLineage(node, env, catalog, parse);
    cache?.set(node.id, key, lineage);
    nodes[node.id] = lineage;
    const named = lineage.columns.filter((c) => c.column !== "*").map((c) => c.column);
    outputs.set(node.id, named.length === lineage.columns.length ? named : catalog[node.id]);
  }
  const columns = Object.values(nodes).flatMap((n) => n.columns);
  const unknown = columns.filter((c) => c.transform === "unknown").length;
  return {
    nodes,
    stats: { columns: columns.length, resolved: columns.length - unknown, unknown },
  };
}

function modelLineage(
  node: CompiledNode,
  env: Env,
  catalog: CatalogColumns,
  parse: (sql: string) => AstNode,
): NodeLineage {
  let relation: Relation;
  try {
    relation = selectLineage(parse(node.sql), env);
  } catch (e) {
    const error = `the SQL did not parse: ${(e as Error).message.split("\n")[0]}`;
    const declared = catalog[node.id] ?? node.columns.map((c) => c.name);
    const names = declared.length > 0 ? declared : ["*"];
    return {
      node: node.id,
      error,
      columns: names.map((column) => ({ column, transform: "unknown", from: [], reason: error })),
    };
  }
  if (!relation.columns) {
    const reason = "select * over a relation whose columns are not known";
    return { node: node.id, columns: [{ column: "*", transform: "unknown", from: [], reason }] };
  }
  return {
    node: node.id,
    columns: relation.columns.map(({ name, derived }) => ({
      column: name,
      transform: derived.transform,
      from: derived.from,
      ...(derived.reason !== undefined ? { reason: derived.reason } : {}),
    })),
  };
}
