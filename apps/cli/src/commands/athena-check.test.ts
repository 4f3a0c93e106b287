import path from "node:path";
import { compileProject, type CompiledNode } from "@sluice/compiler";
import { dialectForEngine } from "@sluice/dialects";
import { afterAll, describe, expect, it } from "vitest";
import { loadProjectContext } from "../project-context.js";
import { agedModelsCopy, removeAll } from "../../test/aged-models.js";
import { upstreamProject } from "./athena-check.js";

const io = { out: () => undefined, err: () => undefined, isTty: false };
const dirs: string[] = [];
afterAll(() => removeAll(dirs));

/** What the Athena check reads of a model: its SQL and statements, as compiled for Athena. */
const checked = (n: CompiledNode | undefined) =>
  n && [n.sql, n.statements, n.incrementalSql, n.incrementalStatements];

/**
 * The Athena check on a local target compiles only the chosen models and what they read
 * (`upstreamProject`): each model's Athena SQL is the same as in a compile of the whole project,
 * checked against that compile on the models project and on a synthetic one (refs three levels
 * deep, a macro, a var, tags).
 */
describe("the Athena check's compile of a selection", () => {
  async function compare(dir: string, pick: (ids: string[]) => string[]): Promise<number> {
    const ctx = (await loadProjectContext({ projectDir: dir }, io))!;
    const options = {
      targetName: ctx.targetName,
      vars: {},
      env: {},
      runId: ctx.runId,
      dialect: dialectForEngine("athena"),
    };
    const whole = compileProject(ctx.project, options);
    expect(whole.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const models = whole.nodes.filter((n) => n.kind === "model").map((n) => n.id);
    const picked = pick(models);
    for (const id of picked) {
      const project = upstreamProject(ctx, new Set([id]));
      // Fewer models than the whole project, unless the model reads them all.
      expect(project.models.length).toBeLessThanOrEqual(ctx.project.models.length);
      const part = compileProject(project, options);
      expect(
        part.diagnostics.filter((d) => d.severity === "error"),
        id,
      ).toEqual([]);
      expect(checked(part.nodes.find((n) => n.id === id)), id).toEqual(
        checked(whole.nodes.find((n) => n.id === id)),
      );
    }
    return picked.length;
  }

  it("gives every model of the models project the SQL the whole compile gives it", async () => {
    expect(await compare(agedModelsCopy(dirs, "sluice-athena-"), (ids) => ids)).toBeGreaterThan(8);
  });

  it("does the same on a synthetic project, reading a few of its models", async () => {
    const dir = path.join(path.dirname(agedModelsCopy(dirs, "sluice-athena-synth-")), "synthetic");
    const bench = new URL("../../../../tests/bench/synthetic-project.mjs", import.meta.url).href;
    const { writeAgedSyntheticProject } = (await import(bench)) as {
      writeAgedSyntheticProject: (n: number, dir: string) => unknown;
    };
    writeAgedSyntheticProject(300, dir);
    const ctx = (await loadProjectContext({ projectDir: dir }, io))!;
    // A model far down: it reads a fraction of the project, not all of it.
    const last = upstreamProject(ctx, new Set(["model.m_299"]));
    expect(last.models.length).toBeLessThan(ctx.project.models.length);
    expect(last.models.length).toBeGreaterThan(3);
    expect(
      await compare(dir, (ids) => ids.filter((id) => /^model\.m_(0|5|31|150|299)$/.test(id))),
    ).toBe(5);
  });
});
