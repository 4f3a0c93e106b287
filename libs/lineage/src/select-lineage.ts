import {
  aliasWithColumns,
  functionArgs,
  functionName,
  identifier,
  isNode,
  subquery,
} from "./sql-ast.js";
import type { AstNode } from "./sql-ast.js";
import type { ColumnRef, ColumnTransform } from "./types.js";

/** Where a column's value comes from, in terms of upstream node columns. */
export interface Derived {
  from: ColumnRef[];
  transform: ColumnTransform;
  reason?: string;
}

/** A relation in a FROM clause: its columns in order, or undefined when they are not known. */
export interface Relation {
  /** The upstream node it reads, when it is one (a column of it resolves even if unlisted). */
  node?: string;
  columns?: { name: string; derived: Derived }[];
}

/** What a SELECT can see outside itself: the CTEs in scope and the upstream nodes' tables. */
export interface Env {
  ctes: Map<string, Relation>;
  /** `db.table` (lower-case, unquoted) → the upstream node's relation; undefined if none. */
  table(db: string | undefined, table: string): Relation | undefined;
}

interface Scope {
  relations: Map<string, Relation>;
  outer?: Scope;
}

/** Aggregates Trino has that node-sql-parser parses as plain functions. */
const AGGREGATES = new Set(
  "count sum avg min max max_by min_by arbitrary any_value array_agg map_agg count_if bool_and bool_or every approx_distinct approx_percentile approx_set stddev stddev_pop stddev_samp variance var_pop var_samp checksum geometric_mean listagg histogram multimap_agg set_agg set_union".split(
    " ",
  ),
);

/** AST node types that are values, not computations. */
const LITERALS = new Set([
  "number",
  "single_quote_string",
  "double_quote_string",
  "natural_string",
  "string",
  "bool",
  "boolean",
  "null",
  "expr_list",
]);

const RANK: Record<ColumnTransform, number> = {
  constant: -1,
  passthrough: 0,
  renamed: 1,
  transformed: 2,
  aggregated: 3,
  unknown: 4,
};

const unknown = (reason: string, from: ColumnRef[] = []): Derived => ({
  from,
  transform: "unknown",
  reason,
});

const key = (r: ColumnRef) => `${r.node}\u0000${r.column}`;

/** Distinct column refs, sorted by node then column. */
function distinct(refs: ColumnRef[]): ColumnRef[] {
  const map = new Map(refs.map((r) => [key(r), r]));
  return [...map.values()].sort((a, b) => key(a).localeCompare(key(b)));
}

/** The combined lineage of `outer` applied to inputs: the most changing transform wins. */
function combine(outer: ColumnTransform, inputs: Derived[]): Derived {
  const from = distinct(inputs.flatMap((d) => d.from));
  const unsure = inputs.find((d) => d.transform === "unknown");
  if (unsure) return unknown(unsure.reason ?? "an input is unknown", from);
  if (inputs.every((d) => d.transform === "constant") && RANK[outer] <= RANK.renamed)
    return { from, transform: "constant" };
  const transform = [outer, ...inputs.map((d) => d.transform)].reduce((a, b) =>
    RANK[b] > RANK[a] ? b : a,
  );
  return { from, transform };
}

function lookup(scope: Scope | undefined, alias: string): Relation | undefined {
  for (let s = scope; s; s = s.outer) {
    const r = s.relations.get(alias);
    if (r) return r;
  }
  return undefined;
}

function columnOf(relation: Relation, column: string, alias: string): Derived {
  if (relation.columns) {
    const c = relation.columns.find((x) => x.name === column);
    return c ? c.derived : unknown(`${alias} has no column ${column}`);
  }
  return relation.node
    ? { from: [{ node: relation.node, column }], transform: "passthrough" }
    : unknown(`the columns of ${alias} are not known`);
}

/** A column reference, resolved in the scope (then the outer scopes, for correlated subqueries). */
function resolveColumn(table: string | undefined, column: string, scope: Scope): Derived {
  if (table !== undefined) {
    const relation = lookup(scope, table);
    return relation ? columnOf(relation, column, table) : unknown(`no relation ${table}`);
  }
  for (let s: Scope | undefined = scope; s; s = s.outer) {
    const entries = [...s.relations];
    const having = entries.filter(([, r]) => r.columns?.some((c) => c.name === column));
    const opaque = entries.filter(([, r]) => !r.columns);
    if (having.length === 1 && opaque.length === 0) return columnOf(having[0]![1], column, "");
    if (having.length === 0 && opaque.length === 1 && entries.length === 1)
      return columnOf(opaque[0]![1], column, opaque[0]![0]);
    if (having.length > 1 || opaque.length > 0)
      return unknown(`${column} could come from ${entries.map(([a]) => a).join(" or ")}`);
  }
  return unknown(`no relation has a column ${column}`);
}

/** Lineage of an expression: its column references, subqueries, aggregates and windows. */
export function expressionLineage(expr: unknown, scope: Scope, env: Env): Derived {
  const inputs: Derived[] = [];
  let aggregated = false;
  let computed = false;
  const visit = (v: unknown, inWindow: boolean): void => {
    if (Array.isArray(v)) return v.forEach((x) => visit(x, inWindow));
    if (!isNode(v)) return;
    const sub = subquery(v);
    if (sub) {
      computed = true;
      const relation = selectLineage(sub, env, scope);
      inputs.push(...(relation.columns ?? []).map((c) => c.derived));
      if (!relation.columns) inputs.push(unknown("a subquery's columns are not known"));
      return;
    }
    if (v.type === "column_ref") {
      const column = identifier(v.column);
      if (column === undefined || column === "*") {
        // count(*) reads rows, not a column.
        return;
      }
      inputs.push(resolveColumn(identifier(v.table), column, scope));
      return;
    }
    if (typeof v.type === "string" && !LITERALS.has(v.type)) computed = true;
    const isCall = v.type === "aggr_func" || v.type === "function";
    const window = isCall && isNode(v.over);
    if (isCall && !window && !inWindow) {
      const name = functionName(v);
      if (v.type === "aggr_func" || (name !== undefined && AGGREGATES.has(name))) aggregated = true;
    }
    for (const [k, child] of Object.entries(v)) if (k !== "loc") visit(child, inWindow || window);
  };
  const direct = isNode(expr) && expr.type === "column_ref";
  visit(expr, false);
  if (direct) return inputs[0] ?? unknown("an empty column reference");
  const outer: ColumnTransform = aggregated ? "aggregated" : computed ? "transformed" : "constant";
  if (inputs.length === 0) return { from: [], transform: outer };
  return combine(outer, inputs);
}

/** The relation a FROM item reads, under the alias it goes by. */
function fromItem(item: AstNode, scope: Scope, env: Env): [string, Relation] {
  const { name, columns } = aliasWithColumns(item.as);
  const rename = (r: Relation): Relation =>
    columns && r.columns
      ? {
          columns: columns.map((c, i) => ({
            name: c,
            derived: r.columns![i]?.derived ?? unknown(`no column ${i + 1}`),
          })),
        }
      : r;
  if (typeof item.table === "string") {
    const table = item.table.toLowerCase();
    const db = typeof item.db === "string" ? item.db.toLowerCase() : undefined;
    const relation = (db === undefined ? env.ctes.get(table) : undefined) ??
      env.table(db, table) ?? { columns: undefined };
    return [name ?? table, rename(relation)];
  }
  const expr = item.expr;
  const sub = subquery(expr);
  if (sub) return [name ?? "", rename(selectLineage(sub, env))];
  if (isNode(expr) && expr.type === "values" && Array.isArray(expr.values)) {
    const first = expr.values.find(isNode);
    const width = Array.isArray(first?.value) ? first.value.length : 0;
    const names = columns ?? Array.from({ length: width }, (_, i) => `_col${i}`);
    const rows = expr.values
      .filter(isNode)
      .map((row) => (Array.isArray(row.value) ? row.value : []));
    return [
      name ?? "",
      {
        columns: names.map((c, i) => ({
          name: c,
          derived: combine(
            "constant",
            rows.map((row) => expressionLineage(row[i], scope, env)),
          ),
        })),
      },
    ];
  }
  if (isNode(expr) && expr.type === "function") {
    const args = functionArgs(expr);
    if (functionName(expr) === "unnest") {
      const each = args.map((a) => combine("transformed", [expressionLineage(a, scope, env)]));
      const names = columns ?? [];
      return [
        name ?? "",
        {
          columns: names.map((c, i) => ({
            name: c,
            derived: each.length === names.length ? each[i]! : combine("transformed", each),
          })),
        },
      ];
    }
    // A table function over a relation (the lake's sluice_raw_window("raw"."events")).
    for (const a of args) {
      const table = identifier(a.table);
      const column = identifier(a.column);
      const relation = table && column ? env.table(table, column) : undefined;
      if (relation) return [name ?? column!, rename(relation)];
    }
  }
  return [name ?? "", { columns: undefined }];
}

/** The output name Trino gives an unaliased select item. */
function outputName(item: AstNode, index: number): string {
  const as = identifier(item.as);
  if (as !== undefined) return as;
  const expr = item.expr;
  if (isNode(expr) && expr.type === "column_ref") return identifier(expr.column) ?? `_col${index}`;
  return `_col${index}`;
}

/** The columns a `*` or `t.*` stands for, or undefined when a relation's columns are unknown. */
function star(table: string | undefined, scope: Scope): Relation["columns"] {
  const relations = table === undefined ? [...scope.relations.values()] : [lookup(scope, table)];
  const out: NonNullable<Relation["columns"]> = [];
  for (const r of relations) {
    if (!r?.columns) return undefined;
    out.push(...r.columns);
  }
  return out;
}

/**
 * Column lineage of a SELECT (with its CTEs, FROM items, joins, unnest, VALUES, subqueries and
 * UNION branches), as a relation whose columns say where each value comes from.
 */
export function selectLineage(ast: AstNode, parentEnv: Env, outer?: Scope): Relation {
  const env: Env = { ctes: new Map(parentEnv.ctes), table: parentEnv.table };
  for (const cte of Array.isArray(ast.with) ? ast.with.filter(isNode) : []) {
    const stmt = subquery(cte.stmt);
    const cteName = identifier(cte.name);
    if (!stmt || !cteName) continue;
    let relation = selectLineage(stmt, env);
    const names = Array.isArray(cte.columns) ? cte.columns.map(identifier) : undefined;
    if (names && relation.columns)
      relation = {
        columns: names.map((n, i) => ({
          name: n ?? `_col${i}`,
          derived:
            relation.columns![i]?.derived ?? unknown("a CTE column list longer than its select"),
        })),
      };
    env.ctes.set(cteName, relation);
  }
  const scope: Scope = { relations: new Map(), ...(outer ? { outer } : {}) };
  for (const item of Array.isArray(ast.from) ? ast.from.filter(isNode) : []) {
    const [alias, relation] = fromItem(item, scope, env);
    scope.relations.set(alias, relation);
  }
  const columns: NonNullable<Relation["columns"]> = [];
  const items = Array.isArray(ast.columns) ? ast.columns.filter(isNode) : [];
  for (const [i, item] of items.entries()) {
    const expr = item.expr;
    if (isNode(expr) && expr.type === "column_ref" && identifier(expr.column) === "*") {
      const expanded = star(identifier(expr.table), scope);
      if (!expanded) return { columns: undefined };
      columns.push(...expanded);
      continue;
    }
    const name = outputName(item, i);
    const derived = expressionLineage(expr, scope, env);
    const renamed =
      isNode(expr) &&
      expr.type === "column_ref" &&
      identifier(expr.column) !== name &&
      derived.transform === "passthrough";
    columns.push({ name, derived: renamed ? { ...derived, transform: "renamed" } : derived });
  }
  const next = subquery(ast._next);
  if (!next) return { columns };
  const other = selectLineage(next, parentEnv, outer);
  if (!other.columns) return { columns: undefined };
  return {
    columns: columns.map((c, i) => ({
      name: c.name,
      derived: combine("passthrough", [
        c.derived,
        other.columns![i]?.derived ?? unknown("a UNION branch has fewer columns"),
      ]),
    })),
  };
}
