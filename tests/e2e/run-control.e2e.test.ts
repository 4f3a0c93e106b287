import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice } from "../support/cli.js";

// What stops or fails a run. dbt's --fail-fast (-x): the first failure stops the run. Without it a
// failure skips only what depends on it; with it, what had not started is skipped with the reason
// and the run exits 1. dbt's --warn-error: warnings are errors. A warning test fails (and in a
// build skips what reads its model); a warning of the project or the selection refuses the run
// before any work.
describe("build --fail-fast and --warn-error", () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  const sluice = (...args: string[]) => runSluice(["--project-dir", dir, ...args]);

  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
    const table = "{{ config(materialized='table') }}\n";
    // Two models that read nothing: with one thread, a_broken runs first and fails.
    await writeFile(
      path.join(dir, "marts/a_broken.sql"),
      `${table}select cast('x' as integer) as n\n`,
    );
    await writeFile(path.join(dir, "marts/z_later.sql"), `${table}select 1 as n\n`);
    // A singular test that reads no node: run with everything, never by a --select of models.
    await writeFile(path.join(dir, "tests/reads_nothing.sql"), "select 1 as failure where false\n");
    await writeFile(path.join(dir, "marts/w_model.sql"), `${table}select 1 as n\n`);
    await writeFile(
      path.join(dir, "marts/w_child.sql"),
      `${table}select n from {{ ref('w_model') }}\n`,
    );
    // One failing row at severity warn: a warning.
    await writeFile(
      path.join(dir, "tests/w_model_warns.sql"),
      "{{ config(severity='warn') }}\nselect n from {{ ref('w_model') }}\n",
    );
  });
  afterAll(async () => cleanup());

  it("-x stops at the first failure: what had not started is skipped with why, exit 1", async () => {
    const r = await sluice("build", "-x", "--threads", "1", "-s", "a_broken", "z_later");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("ERROR model.a_broken: ");
    // dbt skips what had not started; it is not an error of its own.
    expect(r.stdout).toMatch(/marts\.z_later +SKIP/);
    expect(r.stderr).toMatch(
      /SKIP +table marts\.z_later \.+ skipped: stopped by --fail-fast: model\.a_broken errored/,
    );
    expect(r.stdout).not.toContain("ERROR model.z_later");
    const json = await sluice(
      "build",
      "-x",
      "--threads",
      "1",
      "-s",
      "a_broken",
      "z_later",
      "--format",
      "json",
    );
    expect(json.code).toBe(1);
    const { results } = JSON.parse(json.stdout) as {
      results: { id: string; status: string; message: string }[];
    };
    expect(results.find((r) => r.id === "model.z_later")).toMatchObject({
      status: "skipped",
      message: "skipped: stopped by --fail-fast: model.a_broken errored",
    });
    const built = await sluice("query", "select n from marts.z_later");
    expect(built.code).toBe(1);
  });

  it("without it, the failure skips only what depends on it", async () => {
    const r = await sluice("build", "--threads", "1", "-s", "a_broken", "z_later");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/marts\.z_later +OK +1 /);
  });

  it("a test that reads no node is in the whole project's selection, not in a model's", async () => {
    const all = await sluice("ls", "--format", "name");
    expect(all.stdout.split("\n")).toContain("test.reads_nothing");
    // dbt's spelling, list, is ls.
    expect((await sluice("list", "--output", "name")).stdout).toBe(all.stdout);
    const some = await sluice("ls", "-s", "z_later", "--format", "name");
    expect(some.stdout.split("\n")).not.toContain("test.reads_nothing");
  });

  it("without --warn-error a warning test warns and the build passes", async () => {
    const r = await sluice("build", "-s", "w_model+");
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/w_model_warns +WARN/);
    expect(r.stdout).toMatch(/marts\.w_child +OK/);
  });

  it("with --warn-error the warning test fails, what reads its model is skipped, exit 1", async () => {
    const r = await sluice("build", "-s", "w_model+", "--warn-error");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/w_model_warns +FAIL/);
    expect(r.stdout).toContain("(a warning: --warn-error fails it)");
    expect(r.stdout).toMatch(/marts\.w_child +SKIP/);
  });

  it("with --warn-error a selection that matches nothing is an error before any work, exit 2", async () => {
    const r = await sluice("build", "-s", "no_such_model", "--warn-error");
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "warn SELECTOR_NO_MATCH: nothing to do: --select no_such_model matched no node\n" +
        "error: --warn-error: the warning above is an error; nothing was run\n",
    );
  });
});
