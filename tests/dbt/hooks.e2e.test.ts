import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyJaffleShop, dbtCli } from "../support/dbt-fixture.js";

/**
 * dbt's hooks: `+pre-hook`/`+post-hook` in dbt_project.yml and `pre_hook=` in config(), rendered
 * with `{{ this }}` and run before and after each model's build. Before, config() hooks were
 * accepted and never run, and dbt_project.yml's were an unknown key.
 */
let dir: string;
let cleanup: () => Promise<void>;
const { sluice, query } = dbtCli(() => dir);

beforeAll(async () => {
  ({ dir, cleanup } = await copyJaffleShop());
  const project = path.join(dir, "dbt_project.yml");
  await writeFile(
    project,
    (await readFile(project, "utf8")).replace(
      "    marts:\n",
      "    marts:\n" +
        '      +pre-hook: "create table if not exists main.hook_log (relation varchar, n bigint)"\n' +
        "      +post-hook: \"insert into main.hook_log select '{{ this }}', count(*) from {{ this }}\"\n",
    ),
  );
}, 60_000);
afterAll(async () => cleanup());

describe("pre-hook and post-hook", () => {
  it("run around each model's build: the post-hook sees the table as built", async () => {
    const built = await sluice("build", "--threads", "1");
    expect(built.code, built.stderr).toBe(0);
    const logged = await query<{ relation: string; n: number }>(
      "select relation, n from main.hook_log order by relation",
    );
    const marts = (
      await sluice(
        "ls",
        "--select",
        "path:models/marts",
        "--resource-type",
        "model",
        "--format",
        "name",
      )
    ).stdout
      .split("\n")
      .filter(Boolean);
    expect(logged.map((r) => r.relation)).toEqual(
      marts.map((id) => `"main"."${id.replace(/^model\./, "")}"`).sort(),
    );
    // Each count as a separate query of the table counts it.
    for (const { relation, n } of logged) {
      const counted = await query<{ rows: number }>(`select count(*) as rows from ${relation}`);
      expect([n], relation).toEqual(counted.map((c) => c.rows));
    }
  }, 240_000);

  it("a failing pre_hook fails its model, unbuilt, and says which hook", async () => {
    await writeFile(
      path.join(dir, "models/marts/hooked.sql"),
      "{{ config(materialized='table', pre_hook=['select 1', 'select * from no_such_table']) }}\nselect 1 as x\n",
    );
    const r = await sluice("build", "--select", "hooked");
    expect(r.code).toBe(1);
    expect(r.stdout + r.stderr).toMatch(
      /ERROR model\.hooked: pre_hook 2 failed: [^\n]*no_such_table/,
    );
    const tables = await query<{ n: number }>(
      "select count(*) as n from information_schema.tables where table_name = 'hooked'",
    );
    expect(tables).toEqual([{ n: 0 }]);
  }, 240_000);
});
