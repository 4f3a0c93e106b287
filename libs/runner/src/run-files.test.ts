import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compileProject, type CompiledProject } from "@sluice/compiler";
import { createDuckdbDialect } from "@sluice/dialects";
import { loadProject, type Project } from "@sluice/project";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { artifactName, settleRunFiles, writeCompiledArtifacts } from "./artifacts.js";

const modelsDir = fileURLToPath(new URL("../../../models", import.meta.url));

describe("target/run files a run writes itself (runWrites, settleRunFiles)", () => {
  let project: Project;
  let compiled: (runId: string) => CompiledProject;
  let target: string;
  beforeAll(async () => {
    project = await loadProject(modelsDir, { env: {} });
    compiled = (runId) => compileProject(project, { runId, dialect: createDuckdbDialect() });
  });
  afterEach(() => rmSync(target, { recursive: true, force: true }));

  it("are left alone before the run, then hold what ran, or the compiled text and no plan", async () => {
    target = mkdtempSync(path.join(os.tmpdir(), "sluice-run-files-"));
    const at = (p: string) => path.join(target, "run", p);
    const write = (p: string, text: string) => {
      mkdirSync(path.dirname(at(p)), { recursive: true });
      writeFileSync(at(p), text);
    };
    const options = (runId: string) => ({
      project,
      invocationId: runId,
      generatedAt: new Date("2026-12-01T00:00:00Z"),
      build: "b1",
    });
    const first = compiled("r1");
    const all = new Set(first.nodes.map((n) => n.id));
    await writeCompiledArtifacts(target, first, all, options("r1"));
    // The compiled statements hold the run id (the reason they change every run).
    expect(readFileSync(at("silver/events.sql"), "utf8")).toContain("r1");
    // What the first run left: executed statements and a plan for two models.
    for (const model of ["silver/events", "staging/stg_events"]) {
      write(`${model}.sql`, "-- executed by the last run, in order:\n\nselect 1;\n");
      write(`${model}.plan.json`, "{}\n");
      write(`${model}.plan.txt`, "plan\n");
    }

    const second = compiled("r2");
    const idOf = (file: string) => second.nodes.find((n) => artifactName(n) === file)!.id;
    const events = idOf("silver/events.sql");
    const runWrites = new Set([events, idOf("staging/stg_events.sql")]);
    await writeCompiledArtifacts(target, second, all, { ...options("r2"), runWrites });
    // Before the run: neither rewritten nor removed; other nodes' files are this run's.
    expect(readFileSync(at("silver/events.sql"), "utf8")).toContain("select 1;");
    expect(readFileSync(at("staging/stg_events.plan.txt"), "utf8")).toBe("plan\n");
    expect(readFileSync(at("silver/order_items.sql"), "utf8")).toContain("r2");

    // silver.events ran (statements and plan written); stg_events failed before any statement.
    write("silver/events.sql", "-- executed by the last run, in order:\n\nselect 2;\n");
    write("silver/events.plan.txt", "plan 2\n");
    const ran = new Set([events]);
    settleRunFiles(target, second, all, runWrites, { ran, planned: ran });
    expect(readFileSync(at("silver/events.sql"), "utf8")).toContain("select 2;");
    expect(readFileSync(at("silver/events.plan.txt"), "utf8")).toBe("plan 2\n");
    // As if compiled artifacts had been written before the run: this run's statements, no plan.
    const stg = readFileSync(at("staging/stg_events.sql"), "utf8");
    expect(stg).toContain("r2");
    expect(stg).not.toContain("executed by the last run");
    expect(existsSync(at("staging/stg_events.plan.json"))).toBe(false);
    expect(existsSync(at("staging/stg_events.plan.txt"))).toBe(false);

    // A later compile (no run) writes every node's compiled statements again.
    await writeCompiledArtifacts(target, compiled("r3"), all, options("r3"));
    expect(readFileSync(at("silver/events.sql"), "utf8")).toContain("r3");
    expect(existsSync(at("silver/events.plan.txt"))).toBe(false);
  });
});
