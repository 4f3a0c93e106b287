import { execFileSync } from "node:child_process";
import { appendFile, mkdir, readFile, rename, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice } from "../support/cli.js";

/**
 * User mistakes in a project: every one is reported with file:line:column, one bad model does
 * not hide the others, and the exit code is 2.
 */
describe("project diagnostics through the CLI", () => {
  let dir = "";
  let cleanup = async (): Promise<void> => {};
  const write = async (rel: string, text: string): Promise<void> => {
    await mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await writeFile(path.join(dir, rel), text);
  };

  beforeAll(async () => {
    ({ dir, cleanup } = await copyModelsProject());
    await write("marts/bad_ref.sql", "select *\nfrom {{ ref('order_itms') }}\n");
    await write("marts/bad_syntax.sql", "select 1 as x\n{% if %}\n");
    await write("marts/bad_var.sql", "select {{ var('no_such_var') }} as x\n");
    await write("marts/bad_config.sql", "{{ config(materialized='tabel') }}\nselect 1 as x\n");
    await write("marts/cycle_a.sql", "select * from {{ ref('cycle_b') }}\n");
    await write("marts/cycle_b.sql", "select * from {{ ref('cycle_a') }}\n");
    await write("staging/funnel.sql", "select 1 as x\n");
  });
  afterAll(() => cleanup());

  it("reports every mistake with its position and exits 2", async () => {
    const r = await runSluice(["--project-dir", dir, "compile"]);
    expect(r.code).toBe(2);
    const err = r.stderr;
    expect(err).toMatch(/marts\/bad_ref\.sql:2:\d+: error UNKNOWN_REF: .*order_itms/);
    expect(err).toMatch(/hint: did you mean 'order_items'\?/);
    expect(err).toMatch(/marts\/bad_syntax\.sql:2:\d+: error TEMPLATE_SYNTAX/);
    expect(err).toMatch(/marts\/bad_var\.sql:1:\d+: error UNKNOWN_VAR: .*no_such_var/);
    expect(err).toMatch(/marts\/bad_config\.sql:1:\d+: error CONFIG_VALUE_INVALID: .*materialized/);
    expect(err).toMatch(
      /error CYCLE: .*cycle_a -> cycle_b -> cycle_a|error CYCLE: .*cycle_b -> cycle_a -> cycle_b/,
    );
    expect(err).toMatch(/error DUPLICATE_MODEL: .*funnel/);
    expect(err).toMatch(/errors? found; nothing was run/);
  });

  it("a bad sluice.yml names the key path, line and column, with a hint", async () => {
    const file = path.join(dir, "sluice.yml");
    const original = await readFile(file, "utf8");
    await writeFile(file, original.replace("    region: eu-west-1", "    regoin: eu-west-1"));
    try {
      const r = await runSluice(["--project-dir", dir, "ls"]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/sluice\.yml:\d+:\d+: error CONFIG_INVALID: targets\.prod\.regoin/);
      expect(r.stderr).toMatch(/did you mean 'region'/);
    } finally {
      await writeFile(file, original);
    }
  });

  it("--vars that is not a YAML mapping is a usage error", async () => {
    const r = await runSluice(["--project-dir", dir, "--vars", "[1, 2]", "ls"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/VARS_INVALID/);
  });

  it("an unknown target lists the defined ones", async () => {
    const r = await runSluice(["--project-dir", path.join(dir), "--target", "staging", "compile"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/UNKNOWN_TARGET.*staging/);
    expect(r.stderr).toMatch(/local, prod/);
  });
});

describe("links and files that are no files in a project", () => {
  it("follows linked models and folders; a FIFO or a link to nothing is a warning, never a hang or a gap", async () => {
    const { dir, cleanup } = await copyModelsProject();
    try {
      // funnel.sql kept outside the project and linked in; a folder of shared models linked in.
      const outside = path.join(path.dirname(dir), "shared");
      await mkdir(path.join(outside, "more"), { recursive: true });
      await rename(path.join(dir, "marts/funnel.sql"), path.join(outside, "funnel.sql"));
      await symlink(path.join(outside, "funnel.sql"), path.join(dir, "marts/funnel.sql"));
      await writeFile(path.join(outside, "more/shared_one.sql"), "select 1 as one\n");
      await symlink(path.join(outside, "more"), path.join(dir, "staging/more"));
      await symlink("/nonexistent/gone.sql", path.join(dir, "marts/gone.sql"));
      await symlink("..", path.join(dir, "marts/up"));
      // Just made: in the listing's racy window, whose files are read for their content (a
      // FIFO's read waits for a writer forever: the compile hung, and ignored SIGTERM).
      execFileSync("mkfifo", [path.join(dir, "marts/fifo.sql")]);
      const ls = await runSluice(["--project-dir", dir, "ls", "--resource-type", "model"]);
      expect(ls.code, ls.stderr).toBe(0);
      const models = ls.stdout.split("\n").filter((l) => l.startsWith("model."));
      expect(models.map((l) => l.split(/\s+/)[0]).sort()).toEqual(
        [
          "model.channel_performance",
          "model.customer_lifetime_value",
          "model.events",
          "model.funnel",
          "model.hourly_sales_by_category",
          "model.order_items",
          "model.rejected_events",
          "model.sales_by_country",
          "model.shared_one",
          "model.stg_events",
        ].sort(),
      );
      expect(ls.stderr).toContain(
        "warn PROJECT_FILE_SKIPPED: marts/fifo.sql is skipped: it is not a regular file",
      );
      expect(ls.stderr).toContain(
        "warn PROJECT_FILE_SKIPPED: marts/gone.sql is skipped: it is a link to nothing",
      );
      // Warm: the cached compile, the linked file's edit seen through the link.
      await appendFile(path.join(outside, "funnel.sql"), "-- edited outside\n");
      const compiled = await runSluice(["--project-dir", dir, "compile"]);
      expect(compiled.code, compiled.stderr).toBe(0);
      const sql = await readFile(path.join(dir, "target/compiled/marts/funnel.sql"), "utf8");
      expect(sql).toContain("-- edited outside");
    } finally {
      await cleanup();
    }
  });
});

describe("a first build before any event was delivered", () => {
  it("says the raw zone is empty and what fills it, not DuckDB's glob error alone", async () => {
    const { dir, cleanup } = await copyModelsProject();
    try {
      const r = await runSluice(["--project-dir", dir, "build", "-s", "source:raw.events"]);
      expect(r.code).toBe(1);
      expect(r.stdout).toContain(
        `ERROR source.raw.events: the raw zone ${path.join(dir, ".lake/raw/events")} has no files yet: generate events (sluice generate) or deliver them through Firehose, then build again`,
      );
    } finally {
      await cleanup();
    }
  });
});
