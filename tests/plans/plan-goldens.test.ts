import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compileProject, dialectFor } from "@sluice/compiler";
import type { CompiledNode } from "@sluice/compiler";
import { formatPlans, planNode, type CatalogState, type NodePlan } from "@sluice/compiler/plan";
import { loadProject } from "@sluice/project";
import { describe, expect, it } from "vitest";
import { grammarErrors } from "../support/sql-grammar.js";

/**
 * Golden plans, as Dataform's `cli/api/goldens/`: what each materialization × strategy does on
 * each engine (the local lake and Athena + Glue + S3), first run and next run, as
 * `build --dry-run` prints it. The files under `goldens/` are checked in; a change to a plan must
 * change them on purpose:
 *
 *     SLUICE_UPDATE_GOLDENS=1 npx vitest run plans/plan-goldens.test.ts   (from tests/)
 *
 * and the diff is reviewed like code.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const projectDir = path.join(here, "project");
const goldenDir = path.join(here, "goldens");
const update = process.env["SLUICE_UPDATE_GOLDENS"] === "1";
const RUN_ID = "20261128T000000Z_gold";

/** The catalog state of a table a previous build published, as the catalog reports it. */
function published(node: CompiledNode, engine: string): CatalogState {
  const location =
    engine === "athena"
      ? `s3://plans-lake/${node.relation.schema}/${node.relation.name}/20261127T000000Z_prev`
      : `<project>/.lake/${node.relation.schema}/${node.relation.name}/v_20261127T000000Z_prev`;
  const types: Record<string, string> = { order_id: "bigint", amount: "double" };
  const columns = ["order_id", "amount", "dt", ...node.partitionedBy].map((name) => ({
    name,
    type: types[name] ?? "varchar",
  }));
  return { exists: true, kind: "table", location, columns, watermark: "2026/11/28/05" };
}

interface Case {
  file: string;
  plan: NodePlan;
}

async function cases(targetName: "local" | "prod"): Promise<Case[]> {
  const project = await loadProject(projectDir);
  const target = project.config.targets[targetName]!;
  const dialect = dialectFor(target);
  const compiled = compileProject(project, { targetName, runId: RUN_ID, dialect, env: {} });
  expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const out: Case[] = [];
  for (const node of compiled.nodes) {
    const name = `${target.engine}/${node.materialization}-${node.name}`;
    const input = { fullRefresh: false, writeId: RUN_ID };
    out.push({
      file: `${name}.first-run.txt`,
      plan: planNode(node, dialect, { ...input, state: { exists: false } }),
    });
    if (node.materialization === "incremental")
      out.push({
        file: `${name}.next-run.txt`,
        plan: planNode(node, dialect, { ...input, state: published(node, target.engine) }),
      });
  }
  return out;
}

/** The plan as text, with the checkout's path replaced (goldens do not depend on it). */
const text = (plan: NodePlan): string =>
  `${formatPlans([plan]).split(projectDir).join("<project>")}\n`;

describe.each(["local", "prod"] as const)("plan goldens on target %s", async (targetName) => {
  const all = await cases(targetName);

  it.each(all.map((c) => [c.file, c] as const))("%s", (file, { plan }) => {
    const golden = path.join(goldenDir, file);
    if (update || !existsSync(golden)) {
      if (!update) throw new Error(`${file}: no golden (run with SLUICE_UPDATE_GOLDENS=1)`);
      mkdirSync(path.dirname(golden), { recursive: true });
      writeFileSync(golden, text(plan));
    }
    expect(text(plan)).toBe(readFileSync(golden, "utf8"));
  });

  it("covers every materialization and incremental strategy, first and next run", () => {
    const actions = new Set(all.map((c) => `${c.plan.materialization} ${c.plan.action}`));
    expect([...actions].sort()).toEqual([
      "incremental append",
      "incremental insert_overwrite",
      "incremental merge",
      "incremental new version",
      "seed new version",
      "table new version",
      "view create view",
    ]);
    expect(all.every((c) => c.plan.error === undefined)).toBe(true);
  });

  if (targetName === "prod")
    it("every Athena statement of the plans parses under the grammar Athena routes it to", () => {
      const statements = all.flatMap((c) =>
        c.plan.steps.flatMap((s) => (s.kind === "sql" ? [[c.file, s.statement] as const] : [])),
      );
      expect(statements.length).toBeGreaterThan(10);
      for (const [file, statement] of statements) {
        expect(statement.grammar).not.toBe("duckdb");
        expect({ file, errors: grammarErrors(statement) }).toEqual({ file, errors: [] });
      }
    });
});
