import { readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice } from "../support/cli.js";
import { ageProject, syntheticProjectDir } from "../support/aged-project.js";
import { targetDifferences, targetFiles } from "../support/target-files.js";

/**
 * After one change of each kind the warm compile reuses the rest for (#14): one model's SQL, a
 * macro, a var, a YAML test list, the warm target/ equals a cold compile's of the same files,
 * byte for byte (see target-files.ts for what is left out), on a synthetic project with its
 * artifacts packed (the shards told unchanged by their nodes' digests) and with a file per node,
 * and on the models project. Each edit is aged past the partial-parse racy window, so the warm
 * compile writes every cache as a compile after a real edit does.
 */

type Edit = [kind: string, file: string, change: (text: string) => string];

/** Replace `pattern` in a file's text, failing when it is not there (an edit that edits nothing). */
const replacing =
  (pattern: RegExp, by: string) =>
  (text: string): string => {
    expect(text).toMatch(pattern);
    return text.replace(pattern, by);
  };

const syntheticEdits: Edit[] = [
  ["one model's SQL", "models/marts/f0001/m_150.sql", (t) => `${t}-- edited\n`],
  ["a macro", "macros/cents.sql", replacing(/as bigint/, "+ 1 as bigint")],
  ["a var", "sluice.yml", replacing(/amount_scale: \d+/, "amount_scale: 7")],
  [
    "a YAML test list",
    "models/marts/f0001/schema.yml",
    replacing(/tests: \[[a-z_, ]+\]/, "tests: [unique]"),
  ],
];

const modelsEdits: Edit[] = [
  ["one model's SQL", "marts/funnel.sql", (t) => `${t}-- edited\n`],
  ["a macro", "macros/money.sql", replacing(/as decimal\(18, 2\)/, "as decimal(18, 3)")],
  ["a var", "sluice.yml", replacing(/lookback_hours: 3/, "lookback_hours: 5")],
  [
    "a YAML test list",
    "marts/marts.yml",
    replacing(/tests: \[not_null\]/, "tests: [not_null, unique]"),
  ],
];

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

/** Compile `dir` (with `args`), expecting success and no warning. */
async function compile(dir: string, args: string[]): Promise<void> {
  const run = await runSluice(["--project-dir", dir, "compile", ...args]);
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
}

/** Apply each edit in turn, compile warm, and compare with a cold compile into a fresh target/. */
async function expectWarmEqualsCold(dir: string, args: string[], edits: Edit[]): Promise<void> {
  const target = path.join(dir, "target");
  await ageProject(dir, 0);
  await compile(dir, args);
  for (const [round, [kind, rel, change]] of edits.entries()) {
    const file = path.join(dir, rel);
    await writeFile(file, change(await readFile(file, "utf8")));
    await ageProject(dir, round + 1);
    await compile(dir, args);
    const warm = await targetFiles(target);
    await rename(target, `${target}.warm`);
    await compile(dir, args);
    const cold = await targetFiles(target);
    await rm(target, { recursive: true });
    await rename(`${target}.warm`, target);
    expect({ kind, differ: targetDifferences(warm, cold) }).toEqual({ kind, differ: [] });
    // The caches were written and compared (the edit was aged), not only the artifacts.
    expect(Object.keys(warm)).toContain("partial_parse.json");
  }
}

describe("a warm compile after one change of each kind writes what a cold compile writes (#14)", () => {
  const synthetic = async (): Promise<string> => {
    const dir = await syntheticProjectDir(200, "sluice-kinds-");
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  };

  it("on a synthetic project, artifacts packed", async () => {
    const dir = await synthetic();
    await expectWarmEqualsCold(dir, ["--artifacts", "packed"], syntheticEdits);
    const packed = await readdir(path.join(dir, "target/packed/run"));
    expect(packed.length).toBeGreaterThan(0);
  }, 300_000);

  it("on a synthetic project, a file per node", async () => {
    await expectWarmEqualsCold(await synthetic(), ["--artifacts", "files"], syntheticEdits);
  }, 300_000);

  it("on the models project", async () => {
    const { dir, cleanup } = await copyModelsProject();
    cleanups.push(cleanup);
    await expectWarmEqualsCold(dir, [], modelsEdits);
  }, 300_000);
});
