import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyJaffleShop, dbtCli } from "../support/dbt-fixture.js";

/**
 * dbt's hooks: `+pre-hook`/`+post-hook` in dbt_project.yml and `pre_hook=` in config(), rendered
 * with `{{ this }}` and run before and after each model's build. Before, config() hooks were
 * accepted and never run, and dbt_project.yml's were an unknown key. On the local lake a hook may
 * only read: sluice alone writes the lake's tables, state and files.
 */
let dir: string;
let cleanup: () => Promise<void>;
const { sluice, query } = dbtCli(() => dir);
/** Each piece occurs in `text`, each after the one before (the order statements ran in). */
function expectInOrder(text: string, pieces: readonly string[]): void {
  const at = pieces.map((piece) => text.indexOf(piece));
  expect(at[0], text).toBeGreaterThanOrEqual(0);
  expect(
    at.every((p, i) => i === 0 || p > at[i - 1]!),
    text,
  ).toBe(true);
}
const runFile = (model: string) =>
  readFile(path.join(dir, `target/run/models/marts/${model}.sql`), "utf8");

beforeAll(async () => {
  ({ dir, cleanup } = await copyJaffleShop());
  const project = path.join(dir, "dbt_project.yml");
  await writeFile(
    project,
    (await readFile(project, "utf8")).replace(
      "    marts:\n",
      "    marts:\n" +
        "      +pre-hook: \"select 'before {{ this.name }}' as hook\"\n" +
        "      +post-hook: \"select case when count(*) = 0 then error('{{ this }} is empty') end from {{ this }}\"\n",
    ),
  );
}, 60_000);
afterAll(async () => cleanup());

describe("pre-hook and post-hook", () => {
  it("run around each model's build, rendered for it: the post-hook reads the table as built", async () => {
    const built = await sluice("build");
    expect(built.code, built.stderr).toBe(0);
    // What the run sent, in order (target/run/...: "executed by the last run, in order").
    const sent = await runFile("customers");
    expectInOrder(sent, [
      "select 'before customers' as hook",
      "COPY (",
      `error('"main"."customers" is empty')`,
    ]);
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

  it("a hook that writes is refused on the local lake: no file or lake state is touched", async () => {
    const seedFile = path.join(dir, "seeds/raw_orders.csv");
    const seedBytes = await readFile(seedFile);
    const stateRows = async () =>
      (await query<{ n: number }>("select count(*) as n from main.sluice_table_state"))[0]!.n;
    const rowsBefore = await stateRows();
    const hooks = [
      `copy (select 'gone' as x) to '${seedFile}' (format csv)`,
      "delete from main.sluice_table_state",
    ];
    for (const hook of hooks) {
      await writeFile(
        path.join(dir, "models/marts/hooked.sql"),
        `{{ config(materialized='table', post_hook=[${JSON.stringify(hook)}]) }}\nselect 1 as x\n`,
      );
      const r = await sluice("build", "--select", "hooked");
      expect(r.code, hook).toBe(1);
      expect(r.stdout + r.stderr, hook).toMatch(
        /ERROR model\.hooked: post_hook 1 failed \(the model was built\): on the local lake a hook may only read/,
      );
    }
    expect(
      createHash("sha256")
        .update(await readFile(seedFile))
        .digest("hex"),
    ).toBe(createHash("sha256").update(seedBytes).digest("hex"));
    // hooked's own row added by its build; none deleted.
    expect(await stateRows()).toBe(rowsBefore + 1);
  }, 240_000);

  it("compile writes each model's hooks around its statements in target/run", async () => {
    await writeFile(
      path.join(dir, "models/marts/hooked.sql"),
      "{{ config(materialized='table', pre_hook='select 11 as before_hook', post_hook=['select 22 as after_hook']) }}\nselect 1 as x\n",
    );
    const r = await sluice("compile", "--select", "hooked");
    expect(r.code, r.stderr).toBe(0);
    const text = await runFile("hooked");
    expectInOrder(text, [
      "select 11 as before_hook;",
      "COPY (",
      "COMMIT;",
      "select 22 as after_hook;",
    ]);
    // manifest.json holds them as dbt's does.
    const manifest = JSON.parse(await readFile(path.join(dir, "target/manifest.json"), "utf8"));
    const config = manifest.nodes["model.jaffle_shop.hooked"].config;
    expect([config["pre-hook"], config["post-hook"], config.pre_hook]).toEqual([
      [{ sql: "select 11 as before_hook", transaction: true, index: null }],
      [{ sql: "select 22 as after_hook", transaction: true, index: null }],
      undefined,
    ]);
  }, 240_000);

  it("compile --target prod parses hooks under Athena's grammars: Hive for DDL, Trino for the rest", async () => {
    const hooked = (hooks: string[]) =>
      writeFile(
        path.join(dir, "models/marts/hooked.sql"),
        `{{ config(\n    materialized='table',\n    post_hook=${JSON.stringify(hooks)}\n) }}\nselect 1 as x\n`,
      );
    // Hive DDL with Hive's names, and a Trino query: both parse.
    await hooked([
      "msck repair table {{ this.schema }}.{{ this.identifier }}",
      "select count(*) from {{ this }}",
    ]);
    const ok = await sluice("compile", "--target", "prod", "--select", "hooked");
    expect(ok.code, ok.stderr).toBe(0);
    // {{ this }} renders "schema"."name": Trino's quotes, which Hive's grammar rejects.
    await hooked(["select 1", "msck repair table {{ this }}"]);
    const hive = await sluice("compile", "--target", "prod", "--select", "hooked");
    expect(hive.code).toBe(2);
    expect(hive.stderr).toMatch(
      /models\/marts\/hooked\.sql:3:5: error ATHENA_SYNTAX: Athena would reject post_hook 2 of model\.hooked: [^\n]*in `msck repair table "jaffle"\."hooked"`/,
    );
    expect(hive.stderr).toContain("write {{ this.schema }}.{{ this.identifier }}");
    // DuckDB's cast shorthand: not Trino's.
    await hooked(["select 1::int as x"]);
    const trino = await sluice("compile", "--target", "prod", "--select", "hooked");
    expect(trino.code).toBe(2);
    expect(trino.stderr).toMatch(
      /Athena would reject post_hook 1 of model\.hooked: [^\n]*in `select 1::int as x`/,
    );
  }, 240_000);
});
