import { mkdir, readFile, utimes, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyJaffleShop, dbtCli } from "../support/dbt-fixture.js";

/**
 * dbt's `flags.WHICH` names the command being run. A model of a jaffle_shop copy writes it into
 * a column; each command in turn must see its own name, though the compile is cached
 * (target/partial_parse.json) between commands: a compile that read flags.WHICH is reused only
 * by the same command. A model that does not read it keeps the cache across commands.
 */
let dir: string;
let cleanup: () => Promise<void>;
const { sluice, query } = dbtCli(() => dir);
const compiled = () => readFile(path.join(dir, "target/compiled/models/which_cmd.sql"), "utf8");
const built = async () =>
  (await query<{ which: string }>("select which from main.which_cmd")).map((r) => r.which);

beforeAll(async () => {
  ({ dir, cleanup } = await copyJaffleShop());
  await writeFile(
    path.join(dir, "models/which_cmd.sql"),
    "{{ config(materialized='table') }}\nselect '{{ flags.WHICH }}' as which\n",
  );
}, 60_000);
afterAll(async () => cleanup());

describe("flags.WHICH", () => {
  it("is the command: compile, run, build, compile again, each from a cached compile", async () => {
    const compile = await sluice("compile", "--select", "which_cmd");
    expect(compile.code, compile.stderr).toBe(0);
    expect(await compiled()).toMatch(/select 'compile' as which/);

    const run = await sluice("run", "--select", "which_cmd");
    expect(run.code, run.stderr).toBe(0);
    expect(await built()).toEqual(["run"]);

    const build = await sluice("build", "--select", "which_cmd");
    expect(build.code, build.stderr).toBe(0);
    expect(await built()).toEqual(["build"]);

    const again = await sluice("compile", "--select", "which_cmd");
    expect(again.code, again.stderr).toBe(0);
    expect(await compiled()).toMatch(/select 'compile' as which/);
  }, 240_000);

  it("a project that does not read it shares the cached compile between commands", async () => {
    // jaffle_shop's package macros (star, union_relations: dbt_utils' code) read flags.WHICH.
    const small = path.join(dir, "..", "small");
    await mkdir(path.join(small, "models"), { recursive: true });
    await writeFile(path.join(small, "dbt_project.yml"), "name: small\nprofile: small\n");
    await writeFile(
      path.join(small, "profiles.yml"),
      "small:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: small.duckdb\n      schema: main\n",
    );
    await writeFile(path.join(small, "models/plain.sql"), "select 1 as id\n");
    // A file modified in the last 2 s is not trusted to the cache (compile-cache.ts RACY_MS).
    const old = new Date(Date.now() - 60_000);
    for (const f of ["", "models", "dbt_project.yml", "profiles.yml", "models/plain.sql"])
      await utimes(path.join(small, f), old, old);
    const cli = dbtCli(() => small);
    expect((await cli.sluice("compile")).code).toBe(0);
    const header = () =>
      readFile(path.join(small, "target/partial_parse.json"), "utf8").then((t) => t.split("\n")[0]);
    const first = await header();
    expect(first).not.toMatch(/flags\.WHICH/);
    const ls = await cli.sluice("ls");
    expect(ls.code, ls.stderr).toBe(0);
    // The same header: ls reused compile's cached compile (a miss would write a new one).
    expect(await header()).toBe(first);
    expect(JSON.parse(first!).env).not.toHaveProperty(["flags.WHICH"]);
  }, 120_000);

  it("flags.FULL_REFRESH and flags.STORE_FAILURES are the invocation's, through the cached compile", async () => {
    await writeFile(
      path.join(dir, "models/refresh_flag.sql"),
      "{{ config(materialized='table') }}\nselect " +
        "'{% if flags.FULL_REFRESH %}yes{% else %}no{% endif %}' as full_refresh, " +
        "'{% if flags.STORE_FAILURES %}yes{% else %}no{% endif %}' as store_failures\n",
    );
    const flags = async () =>
      query<{ full_refresh: string; store_failures: string }>(
        "select full_refresh, store_failures from main.refresh_flag",
      );
    const plain = await sluice("run", "--select", "refresh_flag");
    expect(plain.code, plain.stderr).toBe(0);
    expect(await flags()).toEqual([{ full_refresh: "no", store_failures: "no" }]);

    const refresh = await sluice("run", "--select", "refresh_flag", "--full-refresh");
    expect(refresh.code, refresh.stderr).toBe(0);
    expect(await flags()).toEqual([{ full_refresh: "yes", store_failures: "no" }]);

    const stored = await sluice("build", "--select", "refresh_flag", "--store-failures");
    expect(stored.code, stored.stderr).toBe(0);
    expect(await flags()).toEqual([{ full_refresh: "no", store_failures: "yes" }]);

    // And back: a cached compile that read the flags is not reused by another value.
    const again = await sluice("run", "--select", "refresh_flag");
    expect(again.code, again.stderr).toBe(0);
    expect(await flags()).toEqual([{ full_refresh: "no", store_failures: "no" }]);
  }, 240_000);
});
