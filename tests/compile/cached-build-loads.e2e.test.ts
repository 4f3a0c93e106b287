import { spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ageProject } from "../support/aged-project.js";
import { cliEnv, repoRoot } from "../support/cli.js";
import { loadRecordingHook } from "../support/load-hook.js";

const bin = path.join(repoRoot, "apps/cli/bin/sluice.js");
/** What compiling needs and a command on an already compiled project must not load. */
const compileOnly = ["nunjucks", "yaml", "js-yaml", "csv-parse", "zod"];

/**
 * A `build`, `run` or `test` whose compile is cached (the project unchanged since the last
 * command) loads neither the template engine nor the YAML/CSV parsers nor zod: the runner reaches
 * the compiler and the project loader through their `run-time` entries only. The CLI bundle keeps
 * each of those packages in a chunk named for it (apps/cli/rolldown.config.mjs); which chunks a
 * run loaded is recorded by a `--require` hook given to node. The cold build shows the chunks
 * exist and are loaded when compiling, so their absence later is not a renamed file.
 */
describe("a cached build's module loads", () => {
  let scratch: string;
  let dir: string;
  let hook: string;
  let loads: string;

  /** Run sluice on the project; `vendors`: the compile-only packages whose chunks it loaded. */
  async function sluice(command: string) {
    await rm(loads, { force: true });
    const r = spawnSync(process.execPath, ["--require", hook, bin, "--project-dir", dir, command], {
      cwd: scratch,
      env: { ...process.env, ...cliEnv },
      encoding: "utf8",
    });
    const loaded = (await readFile(loads, "utf8")).split("\n").map((f) => path.basename(f));
    return {
      code: r.status,
      stdout: r.stdout,
      stderr: r.stderr,
      main: loaded.includes("main.cjs"),
      vendors: compileOnly.filter((p) => loaded.some((f) => f.startsWith(`vendor-${p}-`))),
    };
  }

  beforeAll(async () => {
    scratch = await mkdtemp(path.join(os.tmpdir(), "sluice-loads-"));
    dir = path.join(scratch, "project");
    hook = path.join(scratch, "hook.cjs");
    loads = path.join(scratch, "loads.txt");
    await writeFile(hook, loadRecordingHook(loads));
    await mkdir(path.join(dir, "models"), { recursive: true });
    await mkdir(path.join(dir, "seeds"), { recursive: true });
    await writeFile(
      path.join(dir, "sluice.yml"),
      "name: tiny\nmodel-paths: [models]\nseed-paths: [seeds]\n" +
        "targets:\n  local:\n    engine: duckdb\ndefault-target: local\n",
    );
    await writeFile(path.join(dir, "seeds", "colours.csv"), "id,name\n1,red\n2,blue\n");
    await writeFile(path.join(dir, "models", "ids.sql"), "select id from {{ ref('colours') }}\n");
    await writeFile(
      path.join(dir, "models", "named.sql"),
      "{{ config(materialized='table') }}\n" +
        "select c.id, c.name from {{ ref('ids') }} i join {{ ref('colours') }} c on c.id = i.id\n",
    );
    await writeFile(
      path.join(dir, "models", "schema.yml"),
      "version: 2\nmodels:\n  - name: named\n    columns:\n" +
        "      - name: id\n        tests: [not_null, unique]\n",
    );
    await ageProject(dir, 0);
  });
  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it("loads no template engine, YAML/CSV parser or zod once the compile is cached", async () => {
    const cold = await sluice("build");
    expect(cold).toMatchObject({ code: 0, main: true, vendors: compileOnly });
    expect(cold.stdout).toContain("tests: 2 passed, 0 warned, 0 failed");

    for (const command of ["build", "run", "test"]) {
      const cached = await sluice(command);
      expect({ command, ...cached }).toMatchObject({ command, code: 0, main: true, vendors: [] });
      expect(cached.stderr).not.toMatch(/warning|error/i);
      if (command !== "test") expect(cached.stdout).toMatch(/Done in .* 2 models/);
      if (command !== "run") expect(cached.stdout).toContain("tests: 2 passed, 0 warned, 0 failed");
    }
  });

  it("loads no YAML/CSV parser to compile after one model's SQL changed", async () => {
    expect(await sluice("compile")).toMatchObject({ code: 0 });
    // A literal edit: the compile renders this model alone (sql-edit-compile.ts), reading no
    // YAML. The full compile loads the project (and so the parsers): shown by the cold build.
    const file = path.join(dir, "models", "named.sql");
    await writeFile(file, `${await readFile(file, "utf8")}-- an edit\n`);
    const edited = await sluice("compile");
    expect(edited).toMatchObject({ code: 0, main: true, vendors: ["nunjucks", "zod"] });
    expect(edited.stderr).toBe("");
  });
});
