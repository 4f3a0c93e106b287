import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { compileProject, dialectFor, renderModels } from "@sluice/compiler";
import type {
  CompileMemo,
  CompileOptions,
  CompiledNode,
  CompiledProject,
  ModelMemo,
  ModelRerender,
} from "@sluice/compiler";
import { loadProject } from "@sluice/project";
import type { ModelFile, Project } from "@sluice/project";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error -- a plain ESM bench helper without types
import { writeSyntheticProject } from "../bench/synthetic-project.mjs";
import { modelsDir } from "../support/cli.js";

/**
 * renderModels (issue #14's fast path, step 1): models whose SQL literals were edited are
 * rendered again from the project's config and macros, their memo entries and the nodes they
 * read, without the rest of the project. Checked against compileProject of the whole edited
 * project with the last compile's memo: each node, each generic test node and each memo entry
 * equal byte for byte; and what it cannot prove it refuses.
 */
const tmp = mkdtempSync(path.join(os.tmpdir(), "render-models-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Compiled {
  compiled: CompiledProject;
  memo: CompileMemo;
}

function options(project: Project): CompileOptions {
  const target = project.config.targets[project.config["default-target"]]!;
  return { runId: "20261206T000000Z_rm", dialect: dialectFor(target), env: {} };
}

/** A full compile, with the memo of `last` as JSON (as the CLI stores it). */
function compile(project: Project, last?: Compiled): Compiled {
  const memo: CompileMemo = last
    ? (JSON.parse(
        JSON.stringify({
          previous: last.memo.next,
          next: {},
          previousOrders: last.memo.nextOrders,
        }),
      ) as CompileMemo)
    : { previous: {}, next: {} };
  return { compiled: compileProject(project, { ...options(project), memo }), memo };
}

const edited = (m: ModelFile): ModelFile => ({ ...m, text: `-- edited literal\n${m.text}` });

/** The project with `names`' files edited, its full compile, and the rerender of those models. */
function both(project: Project, first: Compiled, names: ReadonlySet<string>) {
  const after: Project = {
    ...project,
    models: project.models.map((m) => (names.has(m.name) ? edited(m) : m)),
  };
  const full = compile(after, first);
  const props = new Map(after.modelProperties.map((p) => [p.name, p]));
  const last = first.memo.next;
  const models: ModelRerender[] = after.models
    .filter((m) => names.has(m.name))
    .map((file) => ({
      file,
      ...(props.has(file.name) ? { properties: props.get(file.name)! } : {}),
      memo: JSON.parse(JSON.stringify(last[`model.${file.name}`])) as ModelMemo,
    }));
  const ephemeralSql = Object.fromEntries(
    Object.entries(last).flatMap(([id, e]) => (e.output?.bare ? [[id, e.output.bare]] : [])),
  );
  const kit = {
    dir: after.dir,
    config: after.config,
    macros: after.macros,
    unitTests: after.unitTests,
  };
  const fast = renderModels(kit, options(after), {
    models,
    nodes: first.compiled.nodes,
    ephemeralSql,
  });
  return { full, fast, models };
}

/** Every node, test node and memo entry of the rerender equals the full compile's. */
function expectSame(r: ReturnType<typeof both>): number {
  if ("refused" in r.fast) throw new Error(`refused: ${r.fast.refused}`);
  const byId = new Map(r.full.compiled.nodes.map((n) => [n.id, n]));
  const json = (n: CompiledNode | ModelMemo | undefined) => JSON.stringify(n);
  expect(r.fast.nodes.map((n) => n.id)).toEqual(r.models.map((m) => `model.${m.file.name}`));
  for (const node of [...r.fast.nodes, ...r.fast.tests])
    expect(json(node)).toBe(json(byId.get(node.id)));
  for (const [id, entry] of Object.entries(r.fast.memo))
    expect(json(entry)).toBe(json(r.full.memo.next[id]));
  expect(Object.keys(r.fast.memo).sort()).toEqual(
    r.models.map((m) => `model.${m.file.name}`).sort(),
  );
  // The edit reached the SQL: the nodes were rendered, not carried over.
  for (const node of r.fast.nodes) expect(node.sql).toContain("-- edited literal");
  return r.fast.tests.length;
}

describe("renderModels", () => {
  it("renders the models project's edited models as the full compile does", async () => {
    const project = await loadProject(modelsDir);
    const first = compile(project);
    const byName = new Map(first.compiled.nodes.map((n) => [n.name, n]));
    const unitTested = new Set((project.unitTests ?? []).map((u) => u.model));
    const names = new Set(
      project.models
        .map((m) => m.name)
        .filter((n) => byName.get(n)?.materialization !== "ephemeral" && !unitTested.has(n)),
    );
    expect(names.size).toBeGreaterThanOrEqual(5);
    expect(expectSame(both(project, first, names))).toBeGreaterThanOrEqual(5);

    // Refused, each with its reason: an ephemeral (inlined into its readers), a unit-tested model.
    const ephemeral = project.models.find(
      (m) => byName.get(m.name)?.materialization === "ephemeral",
    );
    const refused = (n: string) => {
      const r = both(project, first, new Set([n])).fast;
      return "refused" in r ? r.refused : "accepted";
    };
    if (ephemeral) expect(refused(ephemeral.name)).toBe(`model.${ephemeral.name}: it is ephemeral`);
    for (const n of unitTested) expect(refused(n)).toBe(`model.${n}: it has unit tests`);
  });

  it("renders a synthetic project's edited models as the full compile does", async () => {
    const dir = path.join(tmp, "synthetic");
    writeSyntheticProject(300, dir);
    const project = await loadProject(dir);
    const first = compile(project);
    const names = new Set(project.models.filter((_, i) => i % 7 === 3).map((m) => m.name));
    expect(expectSame(both(project, first, names))).toBe(2 * names.size);
  });

  it("refuses what it cannot prove: a new ref, a new config, a dependency that moved or is missing", async () => {
    const dir = path.join(tmp, "refusals");
    writeSyntheticProject(40, dir);
    const project = await loadProject(dir);
    const first = compile(project);
    const target = project.models.find((m) => m.name === "m_30")!;
    const memo = first.memo.next["model.m_30"]!;
    const kit = { dir, config: project.config, macros: project.macros, unitTests: [] };
    const run = (file: ModelFile, nodes: readonly CompiledNode[] = first.compiled.nodes) => {
      const r = renderModels(kit, options(project), { models: [{ file, memo }], nodes });
      return "refused" in r ? r.refused : "accepted";
    };
    expect(run(edited(target))).toBe("accepted");
    expect(run({ ...target, text: `${target.text}\n-- {{ ref('m_1') }}` })).toMatch(
      /config, refs or sources changed/,
    );
    expect(run({ ...target, text: `${target.text}\n{{ config(alias='m_30_b') }}` })).toMatch(
      /config, refs or sources changed/,
    );
    const dep = `model.${memo.refs[0]}`;
    const moved = first.compiled.nodes.map((n) =>
      n.id === dep ? { ...n, relation: { ...n.relation, name: "elsewhere" } } : n,
    );
    expect(run(edited(target), moved)).toMatch(/dependencies differ/);
    expect(
      run(
        edited(target),
        first.compiled.nodes.filter((n) => n.id !== dep),
      ),
    ).toMatch(/is not among the nodes given/);
    expect(run({ ...target, text: `${target.text} {{ var('nope') }}` })).toMatch(
      /parse reports a problem/,
    );
  });
});
