import { execFileSync } from "node:child_process";
import { appendFile, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSluice } from "../support/cli.js";
import { copyJaffleShop } from "../support/dbt-fixture.js";

let dir: string;
let repo: string;
let cleanup: () => Promise<void>;
const sluice = (...args: string[]) =>
  runSluice(["--project-dir", dir, ...args], { env: { DBT_PROFILES_DIR: "" } });

/** A git repository holding a dbt package (`git_utils`, macro `shout`), reachable offline. */
async function gitPackage(root: string): Promise<string> {
  const repoDir = path.join(root, "git_utils_repo");
  await mkdir(path.join(repoDir, "macros"), { recursive: true });
  await writeFile(
    path.join(repoDir, "dbt_project.yml"),
    "name: git_utils\nversion: '1.0.0'\nconfig-version: 2\n",
  );
  await writeFile(
    path.join(repoDir, "macros/shout.sql"),
    "{% macro shout(x) %}upper({{ x }}){% endmacro %}\n",
  );
  const git = (...args: string[]) => execFileSync("git", args, { cwd: repoDir, stdio: "pipe" });
  git("init", "-q");
  git("add", "-A");
  git("-c", "user.email=t@example.com", "-c", "user.name=t", "commit", "-qm", "package");
  return repoDir;
}

beforeAll(async () => {
  ({ dir, cleanup } = await copyJaffleShop());
  repo = await gitPackage(await mkdtemp(path.join(os.tmpdir(), "sluice-git-")));
  await appendFile(path.join(dir, "packages.yml"), `  - git: "file://${repo}"\n`);
  await writeFile(
    path.join(dir, "models/marts/shouted.sql"),
    "select {{ git_utils.shout(\"'jaffle'\") }} as name\n",
  );
});
afterAll(async () => {
  await cleanup();
  await rm(path.dirname(repo), { recursive: true, force: true });
});

describe("sluice deps", () => {
  it("before deps, a git package is an error naming sluice deps, exit 2", async () => {
    const r = await sluice("compile");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /packages\.yml:4:5: error PACKAGE_INVALID: package 'file:\/\/.*' is not installed in dbt_packages\/\n {2}hint: run `sluice deps`/,
    );
  });

  it("installs a git package under its project name; local ones stay in place", async () => {
    const r = await sluice("deps");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/local package packages\/shop_utils: read in place/);
    expect(r.stdout).toMatch(/installed file:\/\/.* as dbt_packages\/git_utils/);
    expect(existsSync(path.join(dir, "dbt_packages/git_utils/macros/shout.sql"))).toBe(true);
    expect(existsSync(path.join(dir, "dbt_packages/git_utils/.git"))).toBe(false);
    const build = await sluice("build", "--select", "shouted");
    expect(build.code, build.stdout + build.stderr).toBe(0);
    const q = await sluice("query", "select name from main.shouted", "--format", "json");
    expect(JSON.parse(q.stdout)).toEqual([{ name: "JAFFLE" }]);
  });

  it("a package it cannot fetch: the entry's position and why, exit 1", async () => {
    await appendFile(path.join(dir, "packages.yml"), `  - git: "file://${repo}-missing"\n`);
    const r = await sluice("deps");
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /packages\.yml:5:5: error: could not fetch package file:\/\/.*-missing from its git remote: .*\n {2}hint: is the network reachable\?/,
    );
  });
});
