import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSluice } from "../support/cli.js";
import { copyJaffleShop } from "../support/dbt-fixture.js";

let dir: string;
let home: string;
let cleanup: () => Promise<void>;
/** The CLI with no DBT_PROFILES_DIR and a HOME of its own (no ~/.dbt of the machine's user). */
const sluice = (args: string[], env: Record<string, string> = {}) =>
  runSluice(["--project-dir", dir, ...args], { env: { DBT_PROFILES_DIR: "", HOME: home, ...env } });

beforeAll(async () => {
  ({ dir, cleanup } = await copyJaffleShop());
  home = await mkdtemp(path.join(os.tmpdir(), "sluice-home-"));
});
afterAll(async () => {
  await cleanup();
  await rm(home, { recursive: true, force: true });
});

describe("dbt project files on the command line", () => {
  it("--target prod compiles the athena output of the profile (no sluice.yml)", async () => {
    const r = await sluice(["--target", "prod", "compile"]);
    expect(r.code, r.stderr).toBe(0);
    const sql = await readFile(
      path.join(dir, "target/compiled/models/staging/stg_payments.sql"),
      "utf8",
    );
    expect(sql).toMatch(/from "jaffle"\."raw_payments"/i);
  });

  it("an unknown target names the profile's outputs, exit 2", async () => {
    const r = await sluice(["--target", "prdo", "compile"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/target 'prdo' is not defined in profile 'jaffle_shop'/);
  });

  it("without profiles.yml: exit 2 before anything runs, saying where it looked", async () => {
    await mkdir(path.join(dir, "elsewhere"));
    await rename(path.join(dir, "profiles.yml"), path.join(dir, "elsewhere/profiles.yml"));
    const r = await sluice(["build"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /error PROFILE_INVALID: no profiles\.yml: looked for .*profiles\.yml or .*\.dbt/,
    );
    expect(r.stderr).toMatch(/--profiles-dir/);
    // --profiles-dir and DBT_PROFILES_DIR find it.
    const flagged = await sluice(["--profiles-dir", path.join(dir, "elsewhere"), "compile"]);
    expect(flagged.code, flagged.stderr).toBe(0);
    const env = await sluice(["compile"], { DBT_PROFILES_DIR: path.join(dir, "elsewhere") });
    expect(env.code, env.stderr).toBe(0);
    await rename(path.join(dir, "elsewhere/profiles.yml"), path.join(dir, "profiles.yml"));
  });

  it("--profile names a profile profiles.yml lacks: exit 2 with the defined ones", async () => {
    const r = await sluice(["--profile", "jaffle_shopp", "compile"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/profile 'jaffle_shopp' is not defined in profiles\.yml/);
    expect(r.stderr).toMatch(/did you mean 'jaffle_shop'\?/);
  });

  it("a misspelled dbt_project.yml key: exit 2 at file:line:column with the right key", async () => {
    const file = path.join(dir, "dbt_project.yml");
    const original = await readFile(file, "utf8");
    await writeFile(file, original.replace("macro-paths:", "macro-path:"));
    const r = await sluice(["compile"]);
    await writeFile(file, original);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /dbt_project\.yml:13:1: error DBT_PROJECT_INVALID: dbt_project\.yml: unknown key 'macro-path'\n {2}hint: did you mean 'macro-paths'\?/,
    );
  });
});

describe("sluice.yml sql-dialect", () => {
  const project = async (dialect?: string) => {
    const root = await mkdtemp(path.join(os.tmpdir(), "sluice-dialect-"));
    await mkdir(path.join(root, "models"));
    await writeFile(
      path.join(root, "sluice.yml"),
      `name: d\nmodel-paths: [models]\n${dialect ? `sql-dialect: ${dialect}\n` : ""}` +
        "targets: {local: {engine: duckdb}}\ndefault-target: local\n",
    );
    await writeFile(path.join(root, "models/m.sql"), "select 7 / 2 as x");
    return root;
  };
  const divide = async (root: string) => {
    const run = await runSluice(["--project-dir", root, "run"]);
    expect(run.code, run.stderr).toBe(0);
    const q = await runSluice([
      "--project-dir",
      root,
      "query",
      'select x from "default".m',
      "--format",
      "json",
    ]);
    expect(q.code, q.stderr).toBe(0);
    await rm(root, { recursive: true, force: true });
    return (JSON.parse(q.stdout) as { x: unknown }[])[0]!.x;
  };

  it("default trino: Athena's integer division on the lake (7 / 2 = 3)", async () => {
    expect(Number(await divide(await project()))).toBe(3);
  });

  it("duckdb: plain DuckDB SQL (7 / 2 = 3.5)", async () => {
    expect(Number(await divide(await project("duckdb")))).toBe(3.5);
  });
});
