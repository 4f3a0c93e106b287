import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { compileProject, dialectFor, isDirectTemplate } from "@sluice/compiler";
import { loadProject } from "@sluice/project";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error -- a plain ESM bench helper without types
import { modelName, writeSyntheticProject } from "../bench/synthetic-project.mjs";
import { modelsDir, repoRoot } from "../support/cli.js";

/**
 * The direct template path (issue #14: model templates evaluated without nunjucks codegen) is
 * proven against nunjucks itself: each project compiles once with `templates: "direct"` and once
 * with `templates: "nunjucks"`, and the two compiled projects (every node's SQL, statements,
 * config, dependencies, and every diagnostic) are equal byte for byte. The count of model files
 * the direct path reads is checked too, so the comparison is not between two nunjucks renders.
 */
async function compileBoth(dir: string, targetName: string) {
  const project = await loadProject(dir);
  const compile = (templates: "direct" | "nunjucks") =>
    JSON.stringify(
      compileProject(project, {
        targetName,
        runId: "20261204T000000Z_diff",
        dialect: dialectFor(project.config.targets[targetName]!),
        env: {},
        templates,
      }),
    );
  const direct = project.models.filter((m) => isDirectTemplate(m.text)).length;
  return {
    direct,
    models: project.models.length,
    fast: compile("direct"),
    slow: compile("nunjucks"),
  };
}

/** Deterministic pieces of model templates, combined per model (mulberry32-like stepping). */
const PIECES = [
  (i: number) => `{{ config(tags=['g${i % 5}'], meta={'owner': 'team${i % 3}', 'n': ${i}}) }}\n`,
  () => "{#- a doc comment,\n    with {{ ref('nowhere') }} inside -#}\n",
  () => "{# plain comment #}\n",
  () => "{%- set scale = var('amount_scale') %}\n",
  () => "{% set missing = var('not_declared', 7) -%}\n",
] as const;
const BODIES = [
  (a: string) => `select id,\n  {#- amount -#}\n  amount, {# dt #} dt\nfrom {{ ref('${a}') }}\n`,
  (a: string) =>
    `select id, {{ cents('amount') }} as amount, dt\nfrom {{ ref('${a}') }}\n` +
    "{% if is_incremental() %}\nwhere dt > (select max(dt) from {{ this }})\n{% endif %}\n",
  (a: string) =>
    `select id, amount, dt from {{ ref('${a}') }}\n` +
    "{%- if is_incremental() -%}\n  where 1 = 0\n{%- else %}\n  where amount >= {{ var('amount_scale') }}\n{% endif -%}\n",
  (a: string) =>
    `select id, amount, dt from {{ ref('${a}') }} as a\n` +
    "{% if not_a_function %}\nwhere x\n{% endif %}\n",
  (a: string) =>
    "{% if is_incremental() %}{% set cutoff = var('amount_scale') %}{% else %}" +
    "{% set cutoff = 0 %}{% endif %}\n" +
    `select id, amount, dt from {{ ref('${a}') }} where amount > {{ cutoff }}\n`,
] as const;

/** A synthetic project whose marts are rewritten from {@link PIECES} and {@link BODIES}. */
function writeGeneratedSet(dir: string, n: number): number {
  const { staging } = writeSyntheticProject(n, dir) as { staging: number };
  let written = 0;
  for (const folder of readdirSync(path.join(dir, "models/marts"))) {
    for (const file of readdirSync(path.join(dir, "models/marts", folder))) {
      if (!file.endsWith(".sql")) continue;
      const i = Number(file.slice(2, -4));
      const upstream = modelName((i * 7) % staging);
      const head = PIECES.filter((_, k) => ((i >> k) & 1) === 1).map((p) => p(i));
      writeFileSync(
        path.join(dir, "models/marts", folder, file),
        head.join("") + BODIES[i % BODIES.length]!(upstream),
      );
      written += 1;
    }
  }
  return written;
}

describe("direct template path == nunjucks, byte for byte", () => {
  const temp = mkdtempSync(path.join(os.tmpdir(), "sluice-direct-"));
  afterAll(() => rmSync(temp, { recursive: true, force: true }));

  it.each(["local", "prod"])("the models project on the %s target", async (target) => {
    const r = await compileBoth(modelsDir, target);
    expect(r.fast).toBe(r.slow);
    // Most fixture models are of the direct kind (counted from the files, by hand: the rest
    // use filters, for loops, attribute access or operators).
    expect(r.direct).toBeGreaterThan(r.models / 2);
    console.log(`direct: ${r.direct} of ${r.models} model files`);
  });

  it("the plans project", async () => {
    const r = await compileBoth(path.join(repoRoot, "tests/plans/project"), "local");
    expect(r.fast).toBe(r.slow);
    expect(r.direct).toBeGreaterThan(0);
  });

  it("a 300-model synthetic project", async () => {
    const dir = path.join(temp, "synthetic");
    writeSyntheticProject(300, dir);
    const r = await compileBoth(dir, "local");
    expect(r.fast).toBe(r.slow);
    expect(r.direct).toBe(300);
  });

  it("a generated set: comments, if/else blocks, dicts, sets in branches, a fallback", async () => {
    const dir = path.join(temp, "generated");
    const marts = writeGeneratedSet(dir, 200);
    const r = await compileBoth(dir, "local");
    expect(r.fast).toBe(r.slow);
    // Every model is of the direct kind; `{% if not_a_function %}` (one mart in five) is read
    // directly, but its undefined name sends the render to nunjucks, which must give the same.
    expect(r.direct).toBe(200);
    expect(marts).toBe(100);
    expect(readFileSync(path.join(dir, "models/marts/f0001/m_101.sql"), "utf8")).toContain("{%");
  });
});
