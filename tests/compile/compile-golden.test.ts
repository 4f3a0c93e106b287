import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { compileProject, dialectFor } from "@sluice/compiler";
import { loadProject } from "@sluice/project";
import { afterAll, describe, expect, it } from "vitest";
// @ts-expect-error -- a plain ESM bench helper without types
import { writeSyntheticProject } from "../bench/synthetic-project.mjs";
import { modelsDir } from "../support/cli.js";

/**
 * Compile output is pinned: a digest of every node (its SQL, statements, dependencies, config)
 * of the models project on both targets and of a 300-model synthetic project. A change to how
 * the compiler works (speed, caching, order) must leave every byte as it was; a change to what
 * it produces updates `__snapshots__` on purpose (`npx vitest run -u compile/compile-golden`).
 */
async function digests(dir: string, targetName: string): Promise<Record<string, string>> {
  const project = await loadProject(dir);
  const compiled = compileProject(project, {
    targetName,
    runId: "20261128T000000Z_gold",
    dialect: dialectFor(project.config.targets[targetName]!),
    env: {},
  });
  expect(compiled.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  const out: Record<string, string> = {};
  // Order is part of the output: keys keep the compile's node order.
  for (const node of compiled.nodes) {
    // The raw view reads the hour from a fixed offset into the absolute file name, so the
    // offset moves with the checkout's path: both are replaced by placeholders.
    const text = JSON.stringify(node)
      .split(dir)
      .join("<project>")
      .replace(/substr\(filename, \d+, 13\)/g, "substr(filename, <offset>, 13)");
    out[node.id] = createHash("sha1").update(text).digest("hex").slice(0, 16);
  }
  return out;
}

describe("compile output, byte for byte", () => {
  const synthetic = mkdtempSync(path.join(os.tmpdir(), "sluice-golden-"));
  afterAll(() => rmSync(synthetic, { recursive: true, force: true }));

  it("the models project on the local target", async () => {
    expect(await digests(modelsDir, "local")).toMatchSnapshot();
  });

  it("the models project on the prod (Athena) target", async () => {
    expect(await digests(modelsDir, "prod")).toMatchSnapshot();
  });

  it("a 300-model synthetic project", async () => {
    writeSyntheticProject(300, synthetic);
    const nodes = await digests(synthetic, "local");
    expect(Object.keys(nodes)).toHaveLength(1 + 300 + 600);
    const all = createHash("sha1").update(JSON.stringify(nodes)).digest("hex");
    expect(all).toMatchSnapshot();
  });
});
