import type { ModelFile, ModelProperties, Project } from "@sluice/project";
import type { CompileOptions } from "../compile-project.js";
import { DiagnosticBag } from "../diagnostic-bag.js";
import { sourceId } from "../sources/source-nodes.js";
import { parentResolver } from "../tests/test-nodes.js";
import type { CompiledNode } from "../types.js";
import { MemoBook } from "./compile-memo.js";
import type { CompileMemo, ModelMemo } from "./compile-memo.js";
import { compileSetup } from "./compile-setup.js";
import { compileModel } from "./model-nodes.js";
import { NameIndex } from "./name-index.js";
import { parseModel } from "./parse-models.js";
import type { BuiltNodes } from "./render-node-sql.js";

/**
 * What re-rendering some models needs besides their files: the project's `dir`, `config`,
 * `macros` and `unitTests`. Its models, seeds, sources, properties and tests are not read, so a
 * caller can pass a project whose lists are empty.
 */
export type RenderKit = Pick<Project, "dir" | "config" | "macros" | "unitTests">;

/** A project made of a render kit: no models, seeds, sources, properties or tests. */
export function kitProject(kit: RenderKit): Project {
  return {
    ...kit,
    models: [],
    seeds: [],
    modelProperties: [],
    sources: [],
    singularTests: [],
    rules: [],
    diagnostics: [],
  };
}

/** One model to render again: its file now, its properties, its entry in the last compile's memo. */
export interface ModelRerender {
  file: ModelFile;
  properties?: ModelProperties;
  memo: ModelMemo;
}

/**
 * The models to render and what they read, as the last compile built it: `nodes` holds every
 * node their refs, sources and relationships tests name (and the ephemerals those read),
 * `ephemeralSql` the bare SQL of the ephemeral ones (`MemoOutput.bare`).
 */
export interface RerenderInput {
  models: readonly ModelRerender[];
  nodes: readonly CompiledNode[];
  ephemeralSql?: Readonly<Record<string, string>>;
}

/**
 * The models' nodes and generic test nodes, and the memo entries a full compile would leave for
 * them (`nodes` in the order given); or the first reason the render cannot prove it gives what a
 * full compile gives.
 */
export type RerenderResult =
  | { nodes: CompiledNode[]; tests: CompiledNode[]; memo: Record<string, ModelMemo> }
  | { refused: string };

/**
 * Render some models again without the rest of the project (issue #14's fast path after an edit
 * of model SQL literals): each model is parsed and rendered by the same code `compileProject`
 * uses, against the nodes it reads as the last compile built them, and its generic tests are
 * taken from its memo entry under the same checks. The result equals what `compileProject` of
 * the whole project (with the last compile's memo) gives for these models, node and memo entry,
 * byte for byte, when nothing else changed (the caller's premise: no other file did).
 *
 * Refused (the caller then compiles the whole project): a dbt project, an unknown target, a
 * model with a diagnostic, one whose refs, sources or config differ from its memo entry (the
 * graph or its relation moved), one the last compile did not render, an ephemeral or snapshot
 * (inlined into others / not memoized), one whose dependencies do not hash as they did, one
 * rendered at run time, one with unit tests (their nodes render its text) or whose generic
 * tests the memo cannot reuse.
 *
 * @example
 * const out = renderModels(kit, { runId, dialect }, { models: [{ file, memo: previous[id] }], nodes });
 * if ("refused" in out) compileProject(project, options); // else out.nodes[0] is the new node
 */
export function renderModels(
  kit: RenderKit,
  options: CompileOptions,
  input: RerenderInput,
): RerenderResult {
  if (kit.config.dbt) return { refused: "a dbt project" };
  const project = kitProject(kit);
  const bag = new DiagnosticBag();
  const setup = compileSetup(project, { ...options, memo: undefined, warehouse: undefined }, bag);
  if (!setup || bag.items.length > 0) return { refused: "the target or macros report a problem" };
  const { ctx, vars } = setup;
  const previous: Record<string, ModelMemo> = {};
  for (const m of input.models) previous[`model.${m.file.name}`] = m.memo;
  const memo: CompileMemo = { previous, next: {} };
  const book = new MemoBook(memo, ctx, { vars, env: options.env ?? {} });
  const built: BuiltNodes = {
    byId: new Map(input.nodes.map((n) => [n.id, n])),
    ephemeralSql: new Map(Object.entries(input.ephemeralSql ?? {})),
  };
  // Their test nodes as the last compile built them would take their own names.
  for (const m of input.models) m.memo.tests?.nodes.forEach((t) => built.byId.delete(t.id));
  const index = new NameIndex();
  for (const n of input.nodes) {
    if (n.kind === "source") index.sources.add(n.id);
    else if (n.kind === "model" || n.kind === "seed") index.refs.set(n.name, n.id);
  }
  const unitTested = new Set((kit.unitTests ?? []).map((u) => u.model));
  const nodes: CompiledNode[] = [];
  const tests: CompiledNode[] = [];
  for (const { file, properties, memo: prev } of input.models) {
    const id = `model.${file.name}`;
    const refuse = (why: string) => ({ refused: `${id}: ${why}` });
    if (prev.output === undefined) return refuse("the last compile did not render it");
    if (unitTested.has(file.name)) return refuse("it has unit tests");
    index.refs.set(file.name, id);
    const p = book.parse(file, properties) ?? parseModel(ctx, file, properties);
    if (!p.ok || bag.items.length > 0) return refuse("its parse reports a problem");
    book.record(p);
    const parsed = memo.next[id]!;
    if (
      JSON.stringify([parsed.config, parsed.refs, parsed.sources]) !==
      JSON.stringify([prev.config, prev.refs, prev.sources])
    )
      return refuse("its config, refs or sources changed");
    const { materialized } = p.config;
    if (!p.config.enabled || materialized === "ephemeral" || materialized === "snapshot")
      return refuse(`it is ${p.config.enabled ? materialized : "disabled"}`);
    const dependsOn: string[] = [];
    for (const name of p.refs) dependsOn.push(index.refs.get(name) ?? `?${name}`);
    for (const [s, t] of p.sources) dependsOn.push(sourceId(s, t));
    const missing = dependsOn.find((d) => !built.byId.has(d));
    if (missing !== undefined) return refuse(`${missing} is not among the nodes given`);
    const seen = book.depsKey(dependsOn, built);
    if (seen !== prev.output.deps) return refuse("its dependencies differ from the last compile's");
    const reused = book.node(id, seen);
    let node: CompiledNode;
    if (reused) node = reused.node;
    else {
      const out = compileModel(ctx, index, built, p, dependsOn);
      if (Array.isArray(out) || bag.items.length > 0) return refuse("its render reports a problem");
      node = out;
      book.rendered(p, { deps: seen, node, bare: built.ephemeralSql.get(id) ?? "" });
    }
    if (node.renderAtRun) return refuse("it is rendered at run time");
    built.byId.set(id, node);
    nodes.push(node);
    if (properties) {
      const decl = {
        path: properties.at.file,
        columns: properties.columns,
        tests: properties.tests,
      };
      if (!book.reuseTests(node, decl, built, parentResolver(ctx, index, built)))
        return refuse("its generic tests cannot be reused");
      tests.push(...memo.next[id]!.tests!.nodes);
    }
  }
  return { nodes, tests, memo: memo.next };
}
