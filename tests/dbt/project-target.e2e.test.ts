import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyJaffleShop, dbtCli } from "../support/dbt-fixture.js";
import { replaceInFile } from "../support/edit-file.js";

/**
 * dbt_project.yml's config values read `target` as dbt renders them at parse: the profile's
 * output the command runs on (`--target`, else the profile's `target:`). A copy of jaffle_shop
 * whose staging folder is a view on dev and a table on prod, and whose marts schema is named
 * from the target; a misspelt attribute stops the command before any work, at its value.
 */
let dir: string;
let cleanup: () => Promise<void>;
const { sluice } = dbtCli(() => dir);

interface Listed {
  id: string;
  materialization: string;
  relation?: { schema: string; name: string };
}
const listed = async (...args: string[]) => {
  const r = await sluice("ls", "--format", "json", "--resource-type", "model", ...args);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as Listed[]).sort((a, b) => a.id.localeCompare(b.id));
};
const project = () => path.join(dir, "dbt_project.yml");

beforeAll(async () => {
  ({ dir, cleanup } = await copyJaffleShop());
  await replaceInFile(
    project(),
    "      +materialized: view\n",
    "      +materialized: \"{{ 'table' if target.name == 'prod' else 'view' }}\"\n",
  );
  await replaceInFile(
    project(),
    "      materialized: table\n",
    '      +schema: "{{ target.name }}_marts"\n',
  );
}, 60_000);
afterAll(async () => cleanup());

describe("target in dbt_project.yml's config values", () => {
  it("the profile's default output (dev): staging views, marts in <schema>_dev_marts", async () => {
    const nodes = await listed("--select", "stg_orders", "customers");
    expect(nodes.map((n) => [n.id, n.materialization, n.relation?.schema])).toEqual([
      ["model.customers", "view", "main_dev_marts"],
      ["model.stg_orders", "view", "main_staging"],
    ]);
    const compile = await sluice("compile");
    expect(compile.code, compile.stderr).toBe(0);
    const sql = await readFile(path.join(dir, "target/run/models/staging/stg_orders.sql"), "utf8");
    expect(sql).toMatch(/create or replace view/i);
  });

  it("--target prod: staging tables, marts in <schema>_prod_marts", async () => {
    const nodes = await listed("--select", "stg_orders", "customers", "--target", "prod");
    expect(nodes.map((n) => [n.id, n.materialization, n.relation?.schema])).toEqual([
      ["model.customers", "view", "jaffle_prod_marts"],
      ["model.stg_orders", "table", "jaffle_staging"],
    ]);
  });

  it("a misspelt attribute is an error at its value, exit 2, nothing compiled", async () => {
    const text = await replaceInFile(
      project(),
      "{{ target.name }}_marts",
      "{{ target.nmae }}_marts",
    );
    const r = await sluice("compile", "--target", "prod");
    expect(r.code).toBe(2);
    const line = text.split("\n").findIndex((l) => l.includes("{{ target.name }}_marts")) + 1;
    expect(r.stderr).toContain(
      `dbt_project.yml:${line}:16: error DBT_PROJECT_INVALID: cannot render '{{ target.nmae }}': ` +
        "target has no 'nmae'; did you mean 'name'?",
    );
    expect(r.stderr).toMatch(/1 error found; nothing was run/);
    // The dev compile's statements are still there: the prod compile wrote nothing.
    const sql = await readFile(path.join(dir, "target/run/models/staging/stg_orders.sql"), "utf8");
    expect(sql).toMatch(/create or replace view/i);
    await writeFile(project(), text);
  });
});
