import type { CompiledExposure, CompiledNode, CompiledProject } from "@sluice/compiler";
import type { LineageGraph } from "@sluice/lineage";

/** A column as the docs show it: declared description, and the built catalog's type. */
export interface DocsColumn {
  name: string;
  type?: string;
  description?: string;
}

/** The last run's outcome of a node (from `target/run_results.json`, snake_case as written). */
export interface LastResult {
  status: string;
  message: string;
  rows?: number;
  failures?: number;
  elapsed_ms?: number;
  bytes_scanned?: number;
  cost_usd?: number;
  /** DQDL rules: Glue's outcome and metric. */
  dq?: { outcome: string; metric?: number; rule_text: string };
  /** When the run that produced it started. */
  run_started_at?: string;
}

/** One source, seed, model, snapshot, test or DQDL rule of the docs site. */
export interface DocsNode {
  id: string;
  /** `rule` for a DQDL rule (a test node of the compiler). */
  type: "source" | "seed" | "model" | "snapshot" | "test" | "rule";
  name: string;
  path: string;
  relation?: string;
  materialization: string;
  description?: string;
  tags: string[];
  config: Record<string, unknown>;
  dependsOn: string[];
  columns: DocsColumn[];
  /** The compiled SELECT (models, seeds, tests) for the target. */
  sql: string;
  /** Tests and rules: the node they test. */
  attachedTo?: string;
  ruleText?: string;
  last?: LastResult;
}

/** Everything the docs site shows, inlined into `assets/data.js`. */
export interface DocsData {
  project: string;
  target: string;
  generatedAt: string;
  nodes: DocsNode[];
  exposures: CompiledExposure[];
  lineage: LineageGraph;
  /** Whether column types come from a built catalog. */
  catalog: boolean;
  lastRun?: { command: string; started_at: string; elapsed_ms: number; target: string };
}

/** `run_results.json` as written (snake_case keys), the part the docs read. */
export interface RunResultsFile {
  command: string;
  target: string;
  started_at: string;
  elapsed_ms: number;
  results: (LastResult & { id: string })[];
}

/** Column names and types of built relations, by node id. */
export type CatalogTypes = Record<string, { name: string; type: string }[]>;

const nodeType = (n: CompiledNode): DocsNode["type"] =>
  n.kind === "test" && n.assertion?.kind === "dq_rule" ? "rule" : n.kind;

/** Config worth showing: set values, without the ones shown elsewhere. */
function shownConfig(n: CompiledNode): Record<string, unknown> {
  const hidden = new Set(["tags", "description", "materialized"]);
  return Object.fromEntries(
    Object.entries(n.config).filter(
      ([k, v]) =>
        !hidden.has(k) && v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0),
    ),
  );
}

/** Declared columns merged with the catalog's (catalog order and types; declared descriptions). */
function columnsOf(n: CompiledNode, catalog: CatalogTypes): DocsColumn[] {
  const declared = new Map(n.columns.map((c) => [c.name.toLowerCase(), c]));
  const built = catalog[n.id];
  if (!built) return n.columns.map((c) => ({ ...c }));
  const out: DocsColumn[] = built.map((c) => {
    const d = declared.get(c.name.toLowerCase());
    return {
      name: c.name,
      type: c.type,
      ...(d?.description ? { description: d.description } : {}),
    };
  });
  const names = new Set(built.map((c) => c.name.toLowerCase()));
  for (const c of n.columns) if (!names.has(c.name.toLowerCase())) out.push({ ...c });
  return out;
}

/**
 * The docs site's data: every node with description, columns (types from the built catalog
 * when given), config, compiled SQL and last result; the exposures; the column lineage. Pure.
 *
 * @example buildDocsData(compiled, lineage, { runResults, catalog, now: new Date() })
 */
export function buildDocsData(
  compiled: CompiledProject,
  lineage: LineageGraph,
  options: { runResults?: RunResultsFile; catalog?: CatalogTypes; now: Date },
): DocsData {
  const catalog = options.catalog ?? {};
  const results = new Map((options.runResults?.results ?? []).map((r) => [r.id, r]));
  const run = options.runResults;
  const nodes = compiled.nodes.map((n): DocsNode => {
    const r = results.get(n.id);
    const dq = n.assertion?.kind === "dq_rule" ? n.assertion : undefined;
    return {
      id: n.id,
      type: nodeType(n),
      name: n.name,
      path: n.path,
      ...(n.kind !== "test" ? { relation: `${n.relation.schema}.${n.relation.name}` } : {}),
      materialization: n.materialization,
      ...(n.description !== undefined ? { description: n.description } : {}),
      tags: n.tags,
      config: shownConfig(n),
      dependsOn: n.dependsOn,
      columns: columnsOf(n, catalog),
      sql: n.sql,
      ...(n.attachedTo !== undefined ? { attachedTo: n.attachedTo } : {}),
      ...(dq ? { ruleText: dq.ruleText } : {}),
      ...(r
        ? { last: { ...lastResult(r), ...(run ? { run_started_at: run.started_at } : {}) } }
        : {}),
    };
  });
  return {
    project: compiled.projectName,
    target: compiled.targetName,
    generatedAt: options.now.toISOString(),
    nodes,
    exposures: compiled.exposures ?? [],
    lineage,
    catalog: Object.keys(catalog).length > 0,
    ...(run
      ? {
          lastRun: {
            command: run.command,
            started_at: run.started_at,
            elapsed_ms: run.elapsed_ms,
            target: run.target,
          },
        }
      : {}),
  };
}

function lastResult(r: LastResult): LastResult {
  const { status, message, rows, failures, elapsed_ms, bytes_scanned, cost_usd, dq } = r;
  return {
    status,
    message,
    ...(rows !== undefined ? { rows } : {}),
    ...(failures !== undefined ? { failures } : {}),
    ...(elapsed_ms !== undefined ? { elapsed_ms } : {}),
    ...(bytes_scanned !== undefined ? { bytes_scanned } : {}),
    ...(cost_usd !== undefined ? { cost_usd } : {}),
    ...(dq
      ? {
          dq: {
            outcome: dq.outcome,
            rule_text: dq.rule_text,
            ...(dq.metric !== undefined ? { metric: dq.metric } : {}),
          },
        }
      : {}),
  };
}

/**
 * `assets/data.js`: the data as a script that sets `window.SLUICE_DOCS`, so the site works from
 * `file://` (no fetch). JSON inside a string literal: parsed by JSON.parse, faster than a literal.
 */
export function dataScript(name: string, data: unknown): string {
  const json = JSON.stringify(data).replace(/</g, "\\u003c");
  return `window.${name} = JSON.parse(${JSON.stringify(json)});\n`;
}
