import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, repoRoot, runSluice } from "../support/cli.js";
import { manifestWithoutInvocation, withoutCompileDigests } from "../support/manifest-text.js";

/**
 * Compile output is byte-identical before and after the compile-speed work of #14: the
 * fixture holds the sha256 of every file `sluice compile` writes under target/ (compiled/,
 * run/, manifest.json) and of `compile --format json`'s output, recorded with the compiler as it
 * was before that work, for the models project (both targets) and a synthetic project
 * (tests/bench/synthetic-project.mjs). The project folder is written as `<project>` before
 * hashing (compiled SQL holds absolute lake paths), and the manifest's compile digests (hashes of
 * node texts holding those paths) are left out. `UPDATE_COMPILE_FIXTURE=1` records it again:
 * only do that for an intended change of the output, and say so in the commit.
 */
const fixture = path.join(repoRoot, "tests/compile/fixtures/compile-output.json");
const SYNTHETIC_MODELS = 300;

type Hashes = Record<string, string>;

const sha = (text: string, dir: string): string =>
  createHash("sha256").update(text.replaceAll(dir, "<project>")).digest("hex");

/**
 * sha256 of every artifact under `<dir>/target` that compile writes, by relative path. Packed
 * artifacts (`target/packed/<compiled|run>/shard-*.sql`: a `-- {path: [start, length]}` index
 * line, then the texts) count under the path each would have as its own file, so the packed
 * layout must hold exactly the texts of the per-file one.
 */
async function artifactHashes(dir: string): Promise<Hashes> {
  const target = path.join(dir, "target");
  const out: Hashes = {};
  for (const entry of await readdir(target, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const rel = path.relative(target, path.join(entry.parentPath, entry.name));
    const text = async () => readFile(path.join(target, rel), "utf8");
    const packed = /^packed\/(compiled|run)\/shard-\d+-of-\d+\.sql$/.exec(rel);
    if (packed) {
      const shard = await text();
      const newline = shard.indexOf("\n");
      const index = JSON.parse(shard.slice(3, newline)) as Record<string, [number, number]>;
      const body = shard.slice(newline + 1);
      for (const [name, [start, length]] of Object.entries(index))
        out[`${packed[1]}/${name}`] = sha(body.slice(start, start + length), dir);
    } else if (/^(compiled\/|run\/|manifest\.json$)/.test(rel)) {
      const whole = await text();
      const manifest = (text: string) => withoutCompileDigests(manifestWithoutInvocation(text));
      out[rel] = sha(rel === "manifest.json" ? manifest(whole) : whole, dir);
    }
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/**
 * Cold compile (no target/), its artifacts, then the JSON compile, for one project and target.
 * With `edited` (a project-relative model file), the compile after the cold one: the model is
 * edited and compiled, then restored and compiled again, which reuses the compile memo.
 */
async function compileOutput(
  dir: string,
  target?: string,
  edited?: string,
  compileArgs: string[] = [],
): Promise<Hashes> {
  await rm(path.join(dir, "target"), { recursive: true, force: true });
  const targetArgs = target ? ["--target", target] : [];
  const compile = async () => {
    const text = await runSluice(["--project-dir", dir, ...targetArgs, "compile", ...compileArgs]);
    expect(text.stderr).toBe("");
    expect(text.code).toBe(0);
  };
  await compile();
  if (edited) {
    const file = path.join(dir, edited);
    const original = await readFile(file, "utf8");
    await writeFile(file, `${original}\n-- edited\n`);
    await compile();
    await writeFile(file, original);
    await compile();
  }
  const files = await artifactHashes(dir);
  const json = await runSluice([
    "--project-dir",
    dir,
    ...targetArgs,
    "compile",
    "--format",
    "json",
  ]);
  expect(json.code).toBe(0);
  return { ...files, "<compile --format json>": sha(json.stdout, dir) };
}

describe("compiled output is byte-identical to the recorded compile (#14)", () => {
  let models: Awaited<ReturnType<typeof copyModelsProject>>;
  let syntheticRoot: string;

  beforeAll(async () => {
    models = await copyModelsProject();
    syntheticRoot = await mkdtemp(path.join(os.tmpdir(), "sluice-synthetic-"));
    const made = spawnSync(
      process.execPath,
      [
        path.join(repoRoot, "tests/bench/synthetic-project.mjs"),
        String(SYNTHETIC_MODELS),
        syntheticRoot,
      ],
      { encoding: "utf8" },
    );
    expect(made.status).toBe(0);
  });
  afterAll(async () => {
    await models?.cleanup();
    if (syntheticRoot) await rm(syntheticRoot, { recursive: true, force: true });
  });

  it("models project (local and prod) and a synthetic project", async () => {
    const actual: Record<string, Hashes> = {
      "models local": await compileOutput(models.dir, undefined, "marts/funnel.sql"),
      "models prod": await compileOutput(models.dir, "prod"),
      [`synthetic ${SYNTHETIC_MODELS}`]: await compileOutput(
        syntheticRoot,
        undefined,
        `models/marts/f0002/m_${SYNTHETIC_MODELS - 1}.sql`,
      ),
    };
    // The packed layout (the default above 2,000 nodes) holds the same texts.
    const packed = await compileOutput(
      syntheticRoot,
      undefined,
      `models/marts/f0002/m_${SYNTHETIC_MODELS - 1}.sql`,
      ["--artifacts", "packed"],
    );
    expect(packed).toEqual(actual[`synthetic ${SYNTHETIC_MODELS}`]);
    // Each model, its two tests and the source.
    expect(Object.keys(packed).filter((f) => f.startsWith("run/")).length).toBe(
      3 * SYNTHETIC_MODELS + 1,
    );
    if (process.env["UPDATE_COMPILE_FIXTURE"] === "1")
      await writeFile(fixture, JSON.stringify(actual, null, 1) + "\n");
    const expected = JSON.parse(await readFile(fixture, "utf8")) as Record<string, Hashes>;
    for (const name of Object.keys(expected)) {
      const differ = Object.keys({ ...expected[name], ...actual[name] }).filter(
        (file) => expected[name]![file] !== actual[name]?.[file],
      );
      expect(differ, `${name}: files whose bytes differ from the recorded compile`).toEqual([]);
    }
    expect(Object.keys(actual)).toEqual(Object.keys(expected));
  }, 300_000);
});
