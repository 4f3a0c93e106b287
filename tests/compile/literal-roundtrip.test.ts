import { mkdtemp, mkdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { compileProject, dialectFor } from "@sluice/compiler";
import { openEngine } from "@sluice/engines";
import type { Engine } from "@sluice/engines";
import { loadProject } from "@sluice/project";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const hostile = [
  "it's",
  "back\\slash \\' \\\\",
  "line\nbreak\r\nand\ttab",
  "unicode: żółw, 東京, emoji 🦆, RTL שלום",
  "'; drop table x; --",
  '"double" quotes',
  "{{ not a template }} {% neither %}",
  "",
];

/**
 * `literal()` and `identifier()` in a model render through the dialect's escaping: hostile
 * strings passed as vars come back from a real DuckDB exactly as given.
 */
describe("literal() and identifier() round-trip hostile strings through DuckDB", () => {
  let root = "";
  let engine: Engine;

  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), "sluice-literal-"));
    await mkdir(path.join(root, "models"), { recursive: true });
    await writeFile(
      path.join(root, "sluice.yml"),
      "name: roundtrip\nmodel-paths: [models]\ntargets:\n  local:\n    engine: duckdb\ndefault-target: local\n",
    );
    await writeFile(
      path.join(root, "models", "echo.sql"),
      "select {{ literal(var('value')) }} as v, 1 as {{ identifier(var('column')) }}\n",
    );
    engine = await openEngine({ engine: "duckdb", lake: ".lake", threads: 1 }, root);
  });
  afterAll(async () => {
    await engine.close();
    await rm(root, { recursive: true, force: true });
  });

  it.each(hostile.map((s) => [JSON.stringify(s), s] as const))("%s", async (_label, value) => {
    const project = await loadProject(root);
    const target = project.config.targets["local"]!;
    const column = value === "" ? "empty?" : `col ${value}`;
    const compiled = compileProject(project, {
      runId: "r1",
      dialect: dialectFor(target),
      vars: { value, column },
      env: {},
    });
    expect(compiled.diagnostics).toEqual([]);
    const node = compiled.nodes.find((n) => n.id === "model.echo")!;
    const result = await engine.execute(node.sql);
    expect(result.rows).toEqual([{ v: value, [column]: 1 }]);
  });
});
