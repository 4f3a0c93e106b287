import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { compileProject, dialectFor } from "@sluice/compiler";
import type { CompiledProject } from "@sluice/compiler";
import { buildLineage, simpleSelect } from "@sluice/lineage";
import { loadProject } from "@sluice/project";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error -- a plain ESM bench helper without types
import { writeSyntheticProject } from "../bench/synthetic-project.mjs";
import { modelsDir } from "../support/cli.js";

/**
 * The lineage fast path (libs/lineage/src/simple-select.ts) gives exactly the lineage
 * node-sql-parser gives, on the models project (both targets) and a synthetic project, and it
 * does take the simple models (else the 10,000-model docs budget is lost again).
 */
async function compiled(dir: string, targetName: string): Promise<CompiledProject> {
  const project = await loadProject(dir);
  return compileProject(project, {
    targetName,
    runId: "20261128T000000Z_fast",
    dialect: dialectFor(project.config.targets[targetName]!),
    env: {},
  });
}

const models = (c: CompiledProject) => c.nodes.filter((n) => n.kind === "model");

describe("column lineage: the fast path for simple SELECTs", () => {
  const synthetic = mkdtempSync(path.join(os.tmpdir(), "sluice-fast-lineage-"));
  afterAll(() => rmSync(synthetic, { recursive: true, force: true }));

  for (const target of ["local", "prod"])
    it(`gives node-sql-parser's lineage on the models project (${target})`, async () => {
      const c = await compiled(modelsDir, target);
      const full = buildLineage(c, {}, undefined, { simpleSelects: false });
      expect(buildLineage(c)).toEqual(full);
      expect(full.stats.unknown).toBe(0);
      // The marts are simple SELECTs; silver and staging (CTEs, unnest, windows) are not.
      const fast = models(c).filter((n) => simpleSelect(n.sql) !== undefined);
      expect(fast.map((n) => n.name)).toEqual(
        expect.arrayContaining(["sales_by_country", "hourly_sales_by_category"]),
      );
      expect(fast.length).toBeLessThan(models(c).length);
    });

  it("gives node-sql-parser's lineage on a 300-model synthetic project, all on the fast path", async () => {
    writeSyntheticProject(300, synthetic);
    const c = await compiled(synthetic, "local");
    expect(buildLineage(c)).toEqual(buildLineage(c, {}, undefined, { simpleSelects: false }));
    expect(models(c).every((n) => simpleSelect(n.sql) !== undefined)).toBe(true);
  });
});
