import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, readRunResults, runSluice } from "../support/cli.js";
import { manifestV12, runResultsV6 } from "../support/dbt-artifact-schemas.js";

/**
 * target/manifest.json and run_results.json in dbt's v12 / v6 shape (issue #16), checked against
 * the schemas' required fields and against what the project and the run say independently.
 */
describe("dbt artifacts", () => {
  let dir = "";
  let cleanup = async (): Promise<void> => {};
  let json = "";
  const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args]);
  const read = async (file: string): Promise<unknown> =>
    JSON.parse(await readFile(path.join(dir, "target", file), "utf8"));

  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
    const gen = await sluice(
      ...["generate", "--events", "1500", "--start", "2026-11-27T00:00:00Z", "--hours", "2"],
      ...["--seed", "7", "--sink", "local"],
    );
    expect(gen.code, gen.stderr).toBe(0);
    const build = await sluice("build", "--format", "json");
    expect(build.code, build.stderr).toBe(0);
    json = build.stdout;
  }, 120_000);
  afterAll(() => cleanup());

  it("manifest.json parses as a v12 manifest, with every node, macro and exposure", async () => {
    const manifest = manifestV12.parse(await read("manifest.json"));
    expect(manifest.metadata.project_name).toBe("ecommerce");
    const funnel = manifest.nodes["model.ecommerce.funnel"]!;
    expect(funnel).toMatchObject({
      resource_type: "model",
      fqn: ["ecommerce", "marts", "funnel"],
      original_file_path: "marts/funnel.sql",
      relation_name: '"marts"."funnel"',
      config: { materialized: "table", schema: "marts" },
      depends_on: { nodes: ["model.ecommerce.events"] },
    });
    expect(funnel.raw_code).toBe(await readFile(path.join(dir, "marts/funnel.sql"), "utf8"));
    expect(`${funnel.compiled_code!.trim()}\n`).toBe(
      await readFile(path.join(dir, "target/compiled/marts/funnel.sql"), "utf8"),
    );
    expect(funnel.checksum.name).toBe("sha256");
    // A model calling a project macro lists it (money.sql defines the money macros).
    const macros = Object.keys(manifest.macros);
    expect(macros.length).toBeGreaterThan(0);
    const callers = Object.values(manifest.nodes).filter((n) => n.depends_on.macros.length > 0);
    expect(callers.length).toBeGreaterThan(0);
    for (const c of callers) for (const m of c.depends_on.macros) expect(macros).toContain(m);
    expect(Object.keys(manifest.sources)).toContain("source.ecommerce.raw.events");
    expect(Object.keys(manifest.exposures).length).toBeGreaterThan(0);
    // parent_map and child_map are each other's inverse and agree with depends_on.
    for (const [id, parents] of Object.entries(manifest.parent_map!)) {
      const node = manifest.nodes[id] ?? manifest.exposures[id];
      if (node) expect(parents).toEqual([...(node.depends_on.nodes ?? [])].sort());
      for (const p of parents) expect(manifest.child_map![p]).toContain(id);
    }
    // sluice's own fields are under meta.sluice only.
    expect(funnel.meta["sluice"]).toMatchObject({ id: "model.funnel", kind: "model" });
  });

  it("run_results.json parses as v6 results and reads back as the run printed them", async () => {
    const file = runResultsV6.parse(await read("run_results.json"));
    expect(file.args).toMatchObject({ which: "build" });
    const funnel = file.results.find((r) => r.unique_id === "model.ecommerce.funnel")!;
    expect(funnel.status).toBe("success");
    expect(funnel.relation_name).toBe('"marts"."funnel"');
    expect(funnel.adapter_response["rows_affected"]).toBeGreaterThan(0);
    expect(funnel.timing[0]).toMatchObject({ name: "execute" });
    const tests = file.results.filter((r) => r.unique_id.startsWith("test."));
    expect(tests.every((t) => typeof t.failures === "number" || t.failures === null)).toBe(true);
    // Round trip: what sluice reads back equals what `--format json` printed.
    const printed = JSON.parse(json) as { results: { id: string }[] };
    const back = await readRunResults(dir);
    expect(back.results).toEqual(printed.results);
    expect(back.command).toBe("build");
  });
});
