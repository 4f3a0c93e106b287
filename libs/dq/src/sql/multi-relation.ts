import type { Relation } from "@sluice/dialects";
import type { DqRule } from "../ast.js";
import { Unsupported, type CompiledRule } from "./context.js";
import { aggregateAssertion, metricPredicate, type RuleSql } from "./assertion.js";

type InformationSchema = (s: RuleSql, relation: Relation) => string;

/** Rules comparing the primary relation with another one, named by a DataSources alias or a model. */
export function compileMultiRelationRule(
  rule: DqRule,
  s: RuleSql,
  infoSchema: InformationSchema,
): CompiledRule {
  const value = (i: number) => rule.parameters[i]?.value ?? "";
  const resolve = (name: string): Relation => {
    const r = s.ctx.resolve(name.trim());
    if (!r)
      throw new Unsupported(`${rule.type}: no data source, model or source named '${name.trim()}'`);
    return r;
  };
  const assertion = (inner: string): CompiledRule => ({
    sql: aggregateAssertion(inner, metricPredicate(rule.condition, s.ctx)),
    rowLevel: false,
  });
  switch (rule.type) {
    case "ReferentialIntegrity": {
      const primaryCols = splitList(value(0));
      const ref = /^([^.]+)\.\{?([^{}]*)\}?$/.exec(value(1).trim());
      if (!ref?.[1] || !ref[2])
        throw new Unsupported(
          `ReferentialIntegrity: "${value(1)}" is not "alias.column" or "alias.{a,b}"`,
        );
      const refCols = splitList(ref[2]);
      if (refCols.length !== primaryCols.length) {
        throw new Unsupported("ReferentialIntegrity: the two column lists have different lengths");
      }
      const keys = refCols.map((c, i) => `${s.col(c)} AS k${i}`).join(", ");
      const on = primaryCols.map((c, i) => `p.${s.col(c)} = r.k${i}`).join(" AND ");
      // Of the reference, only the keys the primary has (one column: Trino takes no tuple IN):
      // a scan of the key column, not a DISTINCT over the whole reference's keys.
      const mine =
        refCols.length === 1
          ? ` WHERE ${s.col(refCols[0]!)} IN (SELECT ${s.col(primaryCols[0]!)} FROM ${s.table})`
          : "";
      const from = `FROM ${s.table} AS p LEFT JOIN (SELECT DISTINCT ${keys} FROM ${s.rel(resolve(ref[1]))}${mine}) AS r ON ${on}`;
      return {
        ...assertion(
          `SELECT CAST(count_if(r.k0 IS NOT NULL) AS DOUBLE) / NULLIF(count(*), 0) AS m ${from}`,
        ),
        rowLevel: true,
        failingRowsSql: `SELECT p.* ${from} WHERE r.k0 IS NULL`,
      };
    }
    case "RowCountMatch":
      return assertion(
        ratio(
          `(SELECT count(*) FROM ${s.table})`,
          `(SELECT count(*) FROM ${s.rel(resolve(value(0)))})`,
        ),
      );
    case "AggregateMatch":
      return assertion(
        ratio(aggregateSql(value(0), s, resolve), aggregateSql(value(1), s, resolve)),
      );
    case "SchemaMatch": {
      const cols = (r: Relation) =>
        `SELECT lower(column_name) AS n, data_type AS t ${infoSchema(s, r)}`;
      const inner =
        `WITH p AS (${cols(s.ctx.relation)}), r AS (${cols(resolve(value(0)))}) ` +
        "SELECT CASE WHEN (SELECT count(*) FROM p) <> (SELECT count(*) FROM r) THEN 0.0 " +
        "ELSE CAST((SELECT count(*) FROM p JOIN r ON p.n = r.n AND p.t = r.t) AS DOUBLE) / NULLIF((SELECT count(*) FROM p), 0) END AS m";
      return assertion(inner);
    }
    case "DatasetMatch": {
      if (rule.parameters.length < 3) {
        throw new Unsupported(
          'DatasetMatch without match column mappings needs both schemas at compile time; give them explicitly ("a->b,c->d")',
        );
      }
      const keys = mappings(value(1));
      const matches = mappings(value(2));
      const on = keys.map(([p, r]) => `p.${s.col(p)} = r.${s.col(r)}`).join(" AND ");
      const firstRef = s.col(keys[0]?.[1] ?? "");
      const same = matches
        .map(([p, r]) => `p.${s.col(p)} IS NOT DISTINCT FROM r.${s.col(r)}`)
        .join(" AND ");
      const from = `FROM ${s.table} AS p LEFT JOIN ${s.rel(resolve(value(0)))} AS r ON ${on}`;
      return {
        ...assertion(
          `SELECT CAST(count_if(r.${firstRef} IS NOT NULL AND ${same}) AS DOUBLE) / NULLIF(count(*), 0) AS m ${from}`,
        ),
        rowLevel: true,
        failingRowsSql: `SELECT p.* ${from} WHERE NOT (r.${firstRef} IS NOT NULL AND ${same})`,
      };
    }
    default:
      throw new Error(`bug: ${rule.type} is not a multi-relation rule`);
  }
}

/** a ÷ b with Deequ's zero rules: 0/0 → 1.0, x/0 → 0.0. */
function ratio(a: string, b: string): string {
  return `SELECT CASE WHEN b = 0 AND a = 0 THEN 1.0 WHEN b = 0 THEN 0.0 ELSE CAST(a AS DOUBLE) / b END AS m FROM (SELECT ${a} AS a, ${b} AS b) AS x`;
}

function splitList(text: string): string[] {
  return text
    .split(",")
    .map((c) => c.trim())
    .filter((c) => c !== "");
}

/** `"a->b,c"`: pairs of primary → reference columns (a bare name maps to itself). */
function mappings(text: string): [string, string][] {
  const pairs = splitList(text).map((m): [string, string] => {
    const [p, r] = m.split("->").map((x) => x.trim());
    return [p ?? "", r ?? p ?? ""];
  });
  if (pairs.length === 0) throw new Unsupported(`DatasetMatch: empty column mapping "${text}"`);
  return pairs;
}

/** `sum(col)` / `avg(alias.col)` → a scalar subquery on the right relation. */
function aggregateSql(expression: string, s: RuleSql, resolve: (name: string) => Relation): string {
  const m = /^\s*(sum|avg)\s*\(\s*(.+?)\s*\)\s*$/i.exec(expression);
  if (!m?.[1] || !m[2])
    throw new Unsupported(`AggregateMatch: "${expression}" is not sum(column) or avg(column)`);
  const fn = m[1].toLowerCase();
  const target = m[2];
  const dot = target.indexOf(".");
  let relation = s.table;
  let column = target;
  if (dot > 0) {
    const alias = target.slice(0, dot);
    if (alias.toLowerCase() === "primary") column = target.slice(dot + 1);
    else if (s.ctx.resolve(alias)) {
      relation = s.rel(resolve(alias));
      column = target.slice(dot + 1);
    }
  }
  return `(SELECT ${fn}(${s.col(column)}) FROM ${relation})`;
}
