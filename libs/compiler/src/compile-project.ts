import { error } from "@sluice/project/diagnostics";
import type { ModelFile, Project } from "@sluice/project";
import type { Dialect } from "@sluice/dialects";
import type { WarehouseAnswers } from "./compile/compile-context.js";
import { compileSetup } from "./compile/compile-setup.js";
import { MemoBook } from "./compile/compile-memo.js";
import type { CompileMemo } from "./compile/compile-memo.js";
import { resolveExposures } from "./compile/exposures.js";
import { compileModel } from "./compile/model-nodes.js";
import { NameIndex } from "./compile/name-index.js";
import { parseModel } from "./compile/parse-models.js";
import { parseSnapshots } from "./compile/snapshot-nodes.js";
import { unusedFolderConfig, unusedProperties } from "./compile/unused-config.js";
import { persistDocsWarnings } from "./plan/table-docs.js";
import type { ParsedModel } from "./compile/parse-models.js";
import type { BuiltNodes } from "./compile/render-node-sql.js";
import { DiagnosticBag } from "./diagnostic-bag.js";
import { findCycles, topologicalOrder } from "./graph/dag.js";
import { checkOwnership } from "./ownership/check-ownership.js";
import { locateCall } from "./render/locate.js";
import type { TemplatePath } from "./render/nunjucks-env.js";
import type { DbtFlag } from "./render/dbt-context.js";
import { seedFolderWarnings, seedNode } from "./seeds/seed-nodes.js";
import { applySeedProperties, renderSeedHooks } from "./seeds/seed-extras.js";
import { sourceId, sourceNode } from "./sources/source-nodes.js";
import { genericTestNodes, parentResolver, singularTestNode } from "./tests/test-nodes.js";
import type { GenericTestsRecord } from "./tests/test-nodes.js";
import { unitTestNodes } from "./tests/unit-test-nodes.js";
import type { CompiledExposure, CompiledNode, CompiledProject, DisabledModel } from "./types.js";

export interface CompileOptions {
  /** Defaults to `default-target` of sluice.yml. */
  targetName?: string;
  /** `--vars`, over the project's `vars:`. */
  vars?: Record<string, unknown>;
  /** What `env_var()` reads (the CLI passes `process.env`); compile itself reads no environment. */
  env?: Record<string, string | undefined>;
  /** Stable id of this run: table versions go to `.../v_<runId>`, writes are named after it. */
  runId: string;
  dialect: Dialect;
  /** Reuse parses and renders of the previous compile (see {@link CompileMemo}). */
  memo?: CompileMemo;
  /** Where templates' `log(msg, info=true)` and `print()` write (dbt projects); default nowhere. */
  log?: (line: string) => void;
  /**
   * dbt projects' `flags.WHICH`, `flags.FULL_REFRESH` and `flags.STORE_FAILURES`, asked for
   * only when a template reads one (so a caller can tell whether the compile depends on it); see
   * `DbtInputs.flag`.
   */
  flag?: (name: DbtFlag) => string | undefined;
  /** Render this one model with these warehouse results (see `renderWithWarehouse`). */
  warehouse?: WarehouseAnswers;
  /**
   * `direct` (the default): templates made only of ref/source/config/var/macro calls, comments
   * and `if` blocks are evaluated without nunjucks; `nunjucks`: every template is compiled by
   * nunjucks. Both give the same bytes (tests/compile/direct-templates.test.ts).
   */
  templates?: TemplatePath;
}

/** Models grouped by name; a name defined twice is reported once with every path. */
function uniqueModels(
  models: readonly ModelFile[],
  bag: DiagnosticBag,
): { unique: ModelFile[]; duplicates: Set<string> } {
  const byName = new Map<string, ModelFile[]>();
  for (const m of models) {
    const files = byName.get(m.name);
    if (files) files.push(m);
    else byName.set(m.name, [m]);
  }
  const unique: ModelFile[] = [];
  const duplicates = new Set<string>();
  for (const [name, files] of [...byName].sort(([a], [b]) => a.localeCompare(b))) {
    if (files.length === 1) {
      unique.push(files[0]!);
      continue;
    }
    duplicates.add(name);
    const paths = files.map((f) => f.path).sort();
    bag.add(
      error(
        "DUPLICATE_MODEL",
        `model '${name}' is defined ${files.length} times: ${paths.join(", ")}`,
        { file: paths[1]!, line: 1, column: 1 },
        "rename one of the files; model names are unique across the project",
      ),
    );
  }
  return { unique, duplicates };
}

/**
 * Compile a loaded project for one target: render every model, build the DAG, and produce
 * plain-JSON nodes with their statements. Pure: no I/O, user mistakes become diagnostics and a
 * broken model only skips the nodes that depend on it.
 *
 * @example
 * const compiled = compileProject(project, { runId: "20240101T000000", dialect: createDuckdbDialect() });
 * compiled.nodes.map((n) => n.id); // ["seed.countries", "source.raw.events", "model.stg_events", ...]
 */
export function compileProject(project: Project, options: CompileOptions): CompiledProject {
  const bag = new DiagnosticBag();
  const disabled: DisabledModel[] = [];
  const { dialect, runId } = options;
  const result = (
    nodes: CompiledNode[],
    targetName: string,
    exposures: CompiledExposure[] = [],
  ): CompiledProject => ({
    projectName: project.config.name,
    targetName,
    dialect: dialect.name,
    nodes,
    exposures,
    ...(disabled.length > 0 ? { disabled } : {}),
    diagnostics: bag.items,
  });
  const setup = compileSetup(project, options, bag);
  if (!setup) return result([], options.targetName ?? project.config["default-target"]);
  const { ctx, vars } = setup;
  // dbt projects' templates read graph, model and adapter state that no per-model key covers:
  // they always compile afresh.
  const memo =
    options.memo && !project.config.dbt
      ? new MemoBook(options.memo, ctx, { vars, env: options.env ?? {} })
      : undefined;
  const built: BuiltNodes = { byId: new Map(), ephemeralSql: new Map() };
  const index = new NameIndex();

  const projectionStart = String(vars.raw_projection_start ?? "2024/01/01/00");
  const sources = project.sources.map((table) => ({
    table,
    node: sourceNode(table, ctx.target, dialect, projectionStart),
  }));
  for (const { node } of sources) {
    built.byId.set(node.id, node);
    index.sources.add(node.id);
  }
  const seeds = project.seeds.map((s) =>
    seedNode(s, ctx.target, dialect, runId, project.config.seeds, {
      projectName: project.config.name,
      seedPaths: project.config["seed-paths"],
    }),
  );
  for (const node of seeds) {
    built.byId.set(node.id, node);
    index.refs.set(node.name, node.id);
  }
  seedFolderWarnings(project.config.seeds).forEach((d) => bag.add(d));
  renderSeedHooks(ctx, index, built, seeds);

  [...unusedProperties(project), ...unusedFolderConfig(project)].forEach((d) => bag.add(d));
  const { unique, duplicates } = uniqueModels(project.models, bag);
  duplicates.forEach((n) => index.duplicates.add(n));
  const properties = new Map(project.modelProperties.map((p) => [p.name, p]));
  const parsed = new Map<string, ParsedModel>();
  for (const file of unique) {
    const reported = bag.items.length;
    const own = properties.get(file.name);
    const p = memo?.parse(file, own) ?? parseModel(ctx, file, own);
    if (memo && p.ok && bag.items.length === reported) memo.record(p);
    // One id string per model, shared by every map keyed by it (equal strings compare fastest
    // when they are the same string).
    const id = `model.${file.name}`;
    if (!p.config.enabled) {
      index.disabled.add(file.name);
      disabled.push({ id, name: file.name, path: file.path });
    } else {
      parsed.set(id, p);
      index.refs.set(file.name, id);
    }
  }

  for (const p of parseSnapshots(ctx, project.snapshots ?? [], index)) {
    parsed.set(`snapshot.${p.file.name}`, p);
  }

  // A node that would publish outside its own relation and folder is never built.
  for (const id of checkOwnership(ctx, parsed, seeds, sources)) {
    built.byId.delete(id);
    const p = parsed.get(id);
    if (p) p.ok = false;
  }

  // Resolve names to ids; a model with a bad name is broken.
  const deps = new Map<string, string[]>();
  for (const [id, p] of parsed) {
    const ids: string[] = [];
    for (const name of p.refs) {
      const dep = index.ref(name, () => locateCall(p.file.path, p.file.text, "ref", [name]));
      if (typeof dep === "string") ids.push(dep);
      else {
        if (dep) bag.add(dep);
        p.ok = false;
      }
    }
    for (const [s, t] of p.sources) {
      const dep = index.source(s, t, () => locateCall(p.file.path, p.file.text, "source", [s, t]));
      if (typeof dep === "string") ids.push(dep);
      else {
        bag.add(dep);
        p.ok = false;
      }
    }
    deps.set(id, ids);
  }

  const graph = [
    ...built.byId.values(),
    ...[...deps].map(([id, dependsOn]) => ({ id, dependsOn })),
  ];
  // A graph with a cycle is ordered without the nodes on it (and its order is not kept).
  let cyclicOrder: string[] = [];
  const acyclicOrder = (): string[] | undefined => {
    const order = topologicalOrder(graph);
    // Kahn's order leaves out only nodes on or after a cycle: a complete order has none to find.
    if (order.length === new Set(graph.map((n) => n.id)).size) return order;
    const cycles = findCycles(graph);
    for (const cycle of cycles) {
      const first = parsed.get(cycle[0]!)!;
      const names = cycle.map((id) => id.slice(id.indexOf(".") + 1));
      const next = names[1] ?? names[0]!;
      bag.add(
        error(
          "CYCLE",
          `models depend on each other in a cycle: ${[...names, names[0]].join(" -> ")}`,
          locateCall(first.file.path, first.file.text, "ref", [next]),
          "remove one of these refs",
        ),
      );
      cycle.forEach((id) => (parsed.get(id)!.ok = false));
    }
    if (cycles.length === 0) return order;
    cyclicOrder = order;
    return undefined;
  };
  // The previous compile's order of the same graph (which had no cycle) is reused as it is.
  const order =
    (memo ? memo.ordered("models", graph, acyclicOrder) : acyclicOrder()) ?? cyclicOrder;

  for (const id of order) {
    const p = parsed.get(id);
    if (!p || !p.ok) continue;
    const dependsOn = deps.get(id) ?? [];
    if (dependsOn.some((d) => !built.byId.has(d))) continue;
    const seen = memo?.depsKey(dependsOn, built);
    const reused = seen === undefined ? undefined : memo?.node(id, seen);
    if (reused) {
      built.byId.set(id, reused.node);
      if (reused.node.materialization === "ephemeral") built.ephemeralSql.set(id, reused.bare);
      continue;
    }
    const reported = bag.items.length;
    const node = compileModel(ctx, index, built, p, dependsOn);
    if (Array.isArray(node)) node.forEach((d) => bag.add(d));
    else {
      built.byId.set(node.id, node);
      // A render that warned is not memoized: the next compile repeats its warning.
      if (seen !== undefined && bag.items.length === reported)
        memo?.rendered(p, { deps: seen, node, bare: built.ephemeralSql.get(id) ?? "" });
    }
  }

  const resolveParent = parentResolver(ctx, index, built);
  for (const p of project.modelProperties) {
    const node = built.byId.get(`model.${p.name}`);
    if (!node) continue;
    const decl = { path: p.at.file, columns: p.columns, tests: p.tests };
    if (memo?.reuseTests(node, decl, built, resolveParent)) continue;
    const reported = bag.items.length;
    const record: GenericTestsRecord = { parents: [], names: [] };
    const tests = genericTestNodes(ctx, index, built, node, decl, record);
    if (bag.items.length === reported) memo?.recordTests(node.id, record, tests);
  }
  applySeedProperties(ctx, index, built, project);
  for (const s of project.snapshots ?? []) {
    const node = built.byId.get(`snapshot.${s.name}`);
    if (node && s.properties)
      genericTestNodes(ctx, index, built, node, {
        path: s.properties.at.file,
        columns: s.properties.columns,
        tests: s.properties.tests,
      });
  }
  for (const table of project.sources) {
    const node = built.byId.get(sourceId(table.sourceName, table.name))!;
    genericTestNodes(ctx, index, built, node, {
      path: table.at.file,
      columns: table.columns,
      tests: table.tests,
      sourceName: table.sourceName,
    });
  }
  for (const file of [...project.singularTests].sort((a, b) => a.path.localeCompare(b.path))) {
    singularTestNode(ctx, index, built, file);
  }
  unitTestNodes(ctx, index, built, parsed, project.unitTests ?? []);

  const all = [...built.byId.values()];
  const ordered = memo?.ordered("nodes", all, () => topologicalOrder(all)) ?? topologicalOrder(all);
  const nodes = ordered.map((id) => built.byId.get(id)!);
  persistDocsWarnings(nodes, dialect).forEach((d) => bag.add(d));
  return result(nodes, ctx.target.name, resolveExposures(project.exposures ?? [], index, bag));
}
