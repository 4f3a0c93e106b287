import { existsSync } from "node:fs";
import { copyFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import type { CatalogTypes, DocsData, RunResultsFile } from "@sluice/docs";
import type { LineageGraph, NodeLineage } from "@sluice/lineage";
import type { Io } from "./command.js";
import type { ProjectContext } from "./project-context.js";
import { writeFileAtomic } from "@sluice/runner/atomic-file";
import { openCommandEngine } from "./command-engine.js";

// The CLI runs as a CommonJS bundle (require) and as ES modules in tests (createRequire).
const load: NodeJS.Require =
  typeof require === "function" ? require : createRequire(import.meta.url);

/**
 * A file of an installed package (vendor scripts, the site's own files), found in the
 * node_modules folders Node would search; a package's `exports` may not list its dist files.
 */
function packageFile(specifier: string): string {
  const parts = specifier.split("/");
  const name = parts.slice(0, specifier.startsWith("@") ? 2 : 1).join("/");
  for (const dir of load.resolve.paths(name) ?? []) {
    const root = path.join(dir, name);
    if (existsSync(path.join(root, "package.json")))
      return path.join(root, ...parts.slice(name.split("/").length));
  }
  throw new Error(`package ${name} is not installed (npm install)`);
}

/** The site's own files (libs/docs/site), copied as they are. */
const SITE_FILES = [
  ["index.html", "index.html"],
  ["dashboard.html", "dashboard.html"],
  ["docs.js", "assets/docs.js"],
  ["dashboard.js", "assets/dashboard.js"],
  ["style.css", "assets/style.css"],
] as const;

/** Vendor builds the dashboard loads with <script> (no fetch: the site works from file://). */
const VENDOR = [
  ["d3/dist/d3.min.js", "d3.min.js"],
  ["@observablehq/plot/dist/plot.umd.min.js", "plot.umd.min.js"],
  ["topojson-client/dist/topojson-client.min.js", "topojson-client.min.js"],
] as const;

/**
 * `<project>/target/lineage.json`'s graph, from the compiled project and the catalog; models
 * whose SQL and upstream columns did not change since the last time come from
 * `target/lineage_cache.json` instead of being parsed again.
 */
export async function lineageOf(ctx: ProjectContext, catalog: CatalogTypes): Promise<LineageGraph> {
  const { buildLineage } = await import("@sluice/lineage");
  const names = Object.fromEntries(
    Object.entries(catalog).map(([id, cols]) => [id, cols.map((c) => c.name)]),
  );
  const file = path.join(ctx.targetDir, "lineage_cache.json");
  const before = await readLineageCache(file);
  const after: Record<string, LineageEntry> = {};
  const graph = buildLineage(ctx.compiled, names, {
    get: (node, key) => (before.get(node)?.key === key ? before.get(node)!.lineage : undefined),
    set: (node, key, lineage) => (after[node] = { key, lineage }),
  });
  await mkdir(ctx.targetDir, { recursive: true });
  // Through a temporary file renamed into place: a docs run stopped while writing leaves the
  // previous cache, never half of one.
  await writeFileAtomic(file, JSON.stringify(after));
  return graph;
}

/** A model's lineage as the last docs run parsed it, under the key of what it was parsed from. */
type LineageEntry = { key: string; lineage: NodeLineage };

/**
 * The entries of `target/lineage_cache.json`; none when it is missing or does not parse (then
 * every model's SQL is parsed again), and none of an entry that is not a key and a lineage.
 */
async function readLineageCache(file: string): Promise<Map<string, LineageEntry>> {
  let read: unknown;
  try {
    read = JSON.parse(await readFile(file, "utf8"));
  } catch {
    return new Map();
  }
  if (typeof read !== "object" || read === null || Array.isArray(read)) return new Map();
  const entries = Object.entries(read as Record<string, unknown>).filter(
    (e): e is [string, LineageEntry] => {
      const v = e[1] as Partial<LineageEntry> | null;
      return typeof v?.key === "string" && typeof v.lineage === "object" && v.lineage !== null;
    },
  );
  return new Map(entries);
}

/** Run a read-only query on the target through the same path as `sluice query`. */
type Query = (sql: string) => Promise<Record<string, unknown>[]>;

async function withEngine<T>(
  ctx: ProjectContext,
  io: Io,
  use: (query: Query) => Promise<T>,
): Promise<T> {
  const { rowsToJson } = await import("./output/json.js");
  const engine = await openCommandEngine(io, ctx.target, ctx.project.dir, {
    readOnly: true,
    snapshot: true,
  });
  try {
    return await use(async (sql) => {
      const r = await engine.execute(sql, {
        label: "docs",
        ...(io.signal ? { signal: io.signal } : {}),
      });
      return JSON.parse(rowsToJson(r.columns, r.rows)) as Record<string, unknown>[];
    });
  } finally {
    await engine.close();
  }
}

/** Column names and types of the target's built relations, by node id (information_schema). */
async function catalogOf(ctx: ProjectContext, query: Query): Promise<CatalogTypes> {
  const byRelation = new Map(
    ctx.compiled.nodes
      .filter((n) => n.kind !== "test")
      .map((n) => [`${n.relation.schema}.${n.relation.name}`.toLowerCase(), n.id]),
  );
  const schemas = [...new Set(ctx.compiled.nodes.map((n) => n.relation.schema))].filter(Boolean);
  if (schemas.length === 0) return {};
  const rows = await query(
    "select table_schema, table_name, column_name, data_type from information_schema.columns " +
      `where table_schema in (${schemas.map((s) => ctx.dialect.literal(s)).join(", ")}) ` +
      "order by table_schema, table_name, ordinal_position",
  );
  const out: CatalogTypes = {};
  for (const r of rows) {
    const id = byRelation.get(`${r.table_schema}.${r.table_name}`.toLowerCase());
    if (id) (out[id] ??= []).push({ name: String(r.column_name), type: String(r.data_type) });
  }
  return out;
}

/** The rows of each mart an exposure reads (what the dashboard shows), by model name. */
async function martRows(ctx: ProjectContext, query: Query) {
  const ids = new Set((ctx.compiled.exposures ?? []).flatMap((e) => e.dependsOn));
  const q = ctx.dialect.quoteIdentifier;
  const out: Record<string, Record<string, unknown>[]> = {};
  for (const m of ctx.compiled.nodes.filter((n) => ids.has(n.id) && n.kind === "model"))
    out[m.name] = await query(`select * from ${q(m.relation.schema)}.${q(m.relation.name)}`);
  return out;
}

/** What docs read from the target: its catalog, and the dashboard's rows (or why not). */
export interface TargetReading {
  catalog: CatalogTypes;
  dashboard: Record<string, unknown>;
}

/**
 * Read the target once (one engine, read-only, through the `sluice query` path): the catalog's
 * columns and types, and the marts the exposures read. A target that was not built, or cannot be
 * reached, gives an empty catalog and a dashboard that says why (also printed).
 */
export async function readTarget(
  ctx: ProjectContext,
  io: Io,
  what: { catalog: boolean; marts: boolean },
): Promise<TargetReading> {
  const base = { target: ctx.targetName, generatedAt: new Date().toISOString() };
  try {
    return await withEngine(ctx, io, async (query) => {
      const catalog = what.catalog ? await catalogOf(ctx, query) : {};
      const marts = what.marts ? await martRows(ctx, query) : {};
      return { catalog, dashboard: { ...base, marts } };
    });
  } catch (err) {
    const why = `the target ${ctx.targetName} could not be read (${(err as Error).message.split("\n")[0]}): run sluice build first`;
    io.err(`warn: no column types and no dashboard data: ${why}`);
    return { catalog: {}, dashboard: { ...base, error: why } };
  }
}

async function readRunResults(ctx: ProjectContext): Promise<RunResultsFile | undefined> {
  try {
    const { readSluiceRunResults } = await import("@sluice/runner");
    const file: unknown = JSON.parse(
      await readFile(path.join(ctx.targetDir, "run_results.json"), "utf8"),
    );
    return readSluiceRunResults(file) as unknown as RunResultsFile;
  } catch {
    return undefined;
  }
}

/**
 * A self-contained ES module of ours (no imports) as a classic script: its exports become
 * `window.<name>`, so the page runs the same code as the CLI, from file:// too.
 */
async function browserScript(file: string, name: string): Promise<string> {
  const source = await readFile(packageFile(file), "utf8");
  const exported = [...source.matchAll(/^export function (\w+)/gm)].map((m) => m[1]);
  const body = source.replace(/^export /gm, "").replace(/^\/\/# sourceMappingURL=.*$/m, "");
  return `window.${name} = (function () {\n${body}\nreturn { ${exported.join(", ")} };\n})();\n`;
}

async function writeAll(dir: string, files: [string, string | { copy: string }][]): Promise<void> {
  for (const [rel, content] of files) {
    const file = path.join(dir, rel);
    await mkdir(path.dirname(file), { recursive: true });
    if (typeof content === "string") await writeFile(file, content);
    else await copyFile(content.copy, file);
  }
}

/** The dashboard's own files: its page, vendor scripts, the world map and ISO codes, its data. */
async function dashboardFiles(
  dashboard: Record<string, unknown>,
): Promise<[string, string | { copy: string }][]> {
  const { dataScript } = await import("@sluice/docs");
  const site = packageFile("@sluice/docs/site");
  const world = await readFile(packageFile("world-atlas/countries-110m.json"), "utf8");
  const iso = await readFile(packageFile("i18n-iso-countries/codes.json"), "utf8");
  return [
    ...SITE_FILES.filter(([f]) => f.startsWith("dashboard") || f === "style.css").map(
      ([from, to]): [string, { copy: string }] => [to, { copy: path.join(site, from) }],
    ),
    ...VENDOR.map(([from, to]): [string, { copy: string }] => [
      `assets/vendor/${to}`,
      { copy: packageFile(from) },
    ]),
    [
      "assets/vendor/world.js",
      `window.SLUICE_WORLD = ${world.trim()};\nwindow.SLUICE_ISO = ${iso.trim()};\n`,
    ],
    ["assets/dashboard-data.js", dataScript("SLUICE_DASHBOARD", dashboard)],
  ];
}

/**
 * `sluice docs generate`: `<project>/target/docs/` (index.html, dashboard.html, assets/ with the
 * data inlined as scripts) and `target/lineage.json`. Returns the docs data it wrote.
 */
export async function generateDocs(ctx: ProjectContext, reading: TargetReading): Promise<DocsData> {
  const { buildDocsData, dataScript, siteData } = await import("@sluice/docs");
  const { catalog } = reading;
  const lineage = await lineageOf(ctx, catalog);
  const runResults = await readRunResults(ctx);
  const data = buildDocsData(ctx.compiled, lineage, {
    catalog,
    now: new Date(),
    ...(runResults ? { runResults } : {}),
  });
  const site = packageFile("@sluice/docs/site");
  const dir = path.join(ctx.targetDir, "docs");
  const { index, search, shards } = siteData(data);
  await rm(path.join(dir, "assets/nodes"), { recursive: true, force: true });
  await writeAll(dir, [
    ...SITE_FILES.map(([from, to]): [string, { copy: string }] => [
      to,
      { copy: path.join(site, from) },
    ]),
    ["assets/data.js", dataScript("SLUICE_DOCS", index)],
    ["assets/search.js", dataScript("SLUICE_SEARCH", search)],
    ...shards.map((shard, k): [string, string] => [
      `assets/nodes/${k}.js`,
      dataScript(`SLUICE_SHARD_${k}`, shard),
    ]),
    ["assets/lineage-graph.js", dataScript("SLUICE_LINEAGE_GRAPH", lineage)],
    ["assets/lineage.js", await browserScript("@sluice/lineage/dist/trace.js", "SLUICE_LINEAGE")],
    ...(await dashboardFiles(reading.dashboard)),
  ]);
  await writeFile(
    path.join(ctx.targetDir, "lineage.json"),
    `${JSON.stringify(lineage, null, 2)}\n`,
  );
  return data;
}

/** `sluice dashboard`: only the dashboard page and what it loads, under `target/dashboard/`. */
export async function generateDashboard(ctx: ProjectContext, io: Io): Promise<string> {
  const dir = path.join(ctx.targetDir, "dashboard");
  const { dashboard } = await readTarget(ctx, io, { catalog: false, marts: true });
  await writeAll(dir, await dashboardFiles(dashboard));
  return dir;
}
