import { appendFile, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyJaffleShop, dbtCli } from "../support/dbt-fixture.js";

/**
 * Folder `+enabled: false` under `models:` in dbt_project.yml (a copy of jaffle_shop with a
 * `legacy/` folder of two models, disabled): neither is built, neither is a manifest node, both
 * are in the manifest's `disabled` (as dbt lists them), and a ref to one is an error naming it.
 * Also: project-level `tests:` config is read (project-test-config.e2e tests what it does), not
 * warned about.
 */
let dir: string;
let cleanup: () => Promise<void>;
const { sluice, query } = dbtCli(() => dir);
let build: Awaited<ReturnType<typeof sluice>>;

beforeAll(async () => {
  ({ dir, cleanup } = await copyJaffleShop());
  await mkdir(path.join(dir, "models/legacy"));
  await writeFile(path.join(dir, "models/legacy/old_orders.sql"), "select 1 as id\n");
  await writeFile(path.join(dir, "models/legacy/old_customers.sql"), "select 2 as id\n");
  const file = path.join(dir, "dbt_project.yml");
  const text = await readFile(file, "utf8");
  await writeFile(
    file,
    text.replace("    marts:\n", "    legacy:\n      +enabled: false\n    marts:\n"),
  );
  await appendFile(file, "\ntests:\n  jaffle_shop:\n    +severity: warn\n");
  build = await sluice("build");
}, 240_000);
afterAll(async () => cleanup());

describe("folder +enabled: false in dbt_project.yml", () => {
  it("the build passes without the disabled models", async () => {
    expect(build.code, build.stdout + build.stderr).toBe(0);
    const tables = await query<{ t: string }>(
      "select table_name as t from information_schema.tables where table_name like 'old_%'",
    );
    expect(tables).toEqual([]);
    expect(build.stdout).not.toMatch(/old_orders|old_customers/);
  });

  it("they are not manifest nodes: dbt's `disabled` lists them, by unique id", async () => {
    const manifest = JSON.parse(await readFile(path.join(dir, "target/manifest.json"), "utf8")) as {
      nodes: Record<string, unknown>;
      disabled: Record<string, { name: string; resource_type: string; config: object }[]>;
    };
    expect(Object.keys(manifest.nodes).filter((k) => k.includes("old_"))).toEqual([]);
    expect(Object.keys(manifest.disabled).sort()).toEqual([
      "model.jaffle_shop.old_customers",
      "model.jaffle_shop.old_orders",
    ]);
    expect(manifest.disabled["model.jaffle_shop.old_orders"]).toMatchObject([
      {
        name: "old_orders",
        resource_type: "model",
        original_file_path: "models/legacy/old_orders.sql",
        config: { enabled: false },
      },
    ]);
  });

  it("project-level tests: config is applied, not warned about", () => {
    expect(build.stderr).not.toMatch(/DBT_KEY_IGNORED: 'tests'/);
  });

  it("a ref to a disabled model: exit 2, an error at the ref naming it", async () => {
    await writeFile(
      path.join(dir, "models/uses_old.sql"),
      "select id from {{ ref('old_orders') }}\n",
    );
    const run = await sluice("build", "--select", "uses_old");
    expect(run.code, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toMatch(
      /models\/uses_old\.sql:1:19: error UNKNOWN_REF: ref\('old_orders'\): model 'old_orders' is disabled/,
    );
  });
});
