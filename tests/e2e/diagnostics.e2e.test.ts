import { readFile, writeFile, mkdir } from "node:fs/promises";
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
