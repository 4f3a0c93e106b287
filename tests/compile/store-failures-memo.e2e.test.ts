import { readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runSluice } from "../support/cli.js";
import { ageProject, syntheticProjectDir } from "../support/aged-project.js";
import { targetDifferences, targetFiles } from "../support/target-files.js";

/**
 * `--store-failures` gives test nodes a failures table after the compile. It used to set it on
 * the node objects themselves, which may be the compile memo's: the memo then saved them with
 * it, and a later compile without the flag reused test nodes that store failures (#14, found
 * while making the memo keep each node's text). The compile after it must equal a cold one.
 */
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

async function compile(dir: string): Promise<void> {
  const run = await runSluice(["--project-dir", dir, "compile"]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
}

describe("a compile after `test --store-failures`", () => {
  it("writes what a cold compile writes: no test node keeps a failures table", async () => {
    const dir = await syntheticProjectDir(200, "sluice-store-failures-");
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await ageProject(dir, 0);
    await compile(dir);
    // Every model edited: every memo segment is written again by the next command.
    for (const entry of await readdir(path.join(dir, "models"), {
      recursive: true,
      withFileTypes: true,
    }))
      if (entry.isFile() && entry.name.endsWith(".sql")) {
        const file = path.join(entry.parentPath, entry.name);
        await writeFile(file, `${await readFile(file, "utf8")}-- edited\n`);
      }
    await ageProject(dir, 1);
    // The lake has no tables: the tests fail to run, after the project is loaded and compiled.
    const tested = await runSluice(["--project-dir", dir, "test", "--store-failures"]);
    expect(tested.stdout).toMatch(/not_null_m_0_id/);
    const memo = path.join(dir, "target/compile_memo");
    for (const segment of await readdir(memo))
      expect(await readFile(path.join(memo, segment), "utf8")).not.toContain("storeFailures");

    await compile(dir);
    const target = path.join(dir, "target");
    const warm = await targetFiles(target);
    delete warm["run_results.json"];
    await rename(target, `${target}.warm`);
    await compile(dir);
    const cold = await targetFiles(target);
    expect(targetDifferences(warm, cold)).toEqual([]);
    expect(warm["partial_parse.json"]).not.toContain("storeFailures");
  }, 300_000);
});
