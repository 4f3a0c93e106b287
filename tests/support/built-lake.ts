import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { copyModelsProject, modelsDir, repoRoot, runSluice } from "./cli.js";

const run = promisify(execFile);

/** What a cached lake was made by: `sluice generate <generate>` then `sluice <build>` (if any). */
export interface LakeRecipe {
  /** The arguments after `generate` (events, start, hours, seed, chaos rates...). */
  generate: readonly string[];
  /** The command after generating: `["build"]` (default), or `[]` for raw files only. */
  build?: readonly string[];
}

/** Where built lakes are kept between files and runs (one folder per content hash). */
const cacheRoot = path.join(
  process.env["SLUICE_TEST_LAKE_CACHE"] ?? path.join(os.tmpdir(), "sluice-test-lakes"),
);

/** Every file under `dir` (sorted, `skip` pruned) with its bytes, into `hash`. */
async function hashTree(hash: ReturnType<typeof createHash>, dir: string, skip: RegExp) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .filter((rel) => !skip.test(rel))
    .sort();
  for (const rel of files) {
    hash.update(`${rel}\0`);
    hash.update(await readFile(path.join(dir, rel)));
  }
}

let inputsDigest: Promise<string> | undefined;

/**
 * The content hash of everything a lake build depends on besides its recipe: the models
 * project's files (not its lake or target), the CLI's bundle and compiled sources (not the V8
 * code cache), and package-lock.json (DuckDB's version). Computed once per worker.
 */
function buildInputs(): Promise<string> {
  inputsDigest ??= (async () => {
    const hash = createHash("sha256");
    await hashTree(hash, modelsDir, /^(\.lake|target)([\\/]|$)/);
    await hashTree(hash, path.join(repoRoot, "apps/cli/dist"), /(^|[\\/])\.v8-cache([\\/]|$)/);
    hash.update(await readFile(path.join(repoRoot, "package-lock.json")));
    return hash.digest("hex");
  })();
  return inputsDigest;
}

/** The cache key of a recipe: its arguments and {@link buildInputs}. */
async function recipeKey(recipe: LakeRecipe): Promise<string> {
  const what = JSON.stringify({
    v: 1,
    generate: recipe.generate,
    build: recipe.build ?? ["build"],
  });
  return createHash("sha256")
    .update(what)
    .update(await buildInputs())
    .digest("hex")
    .slice(0, 24);
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

const building = new Map<string, Promise<string>>();

/**
 * `cacheRoot/<key>/models`, made once per machine: `produce()` makes a project folder
 * (`<temp root>/models`) and the temp root is renamed to `cacheRoot/<key>`, whole or not at all.
 * A lock lets one worker produce a key while the other waits (or takes over from a dead one).
 */
async function cachedFolder(
  key: string,
  produce: () => Promise<{ dir: string; cleanup: () => Promise<void> }>,
): Promise<string> {
  const done = path.join(cacheRoot, key);
  const existing = building.get(key);
  if (existing) return existing;
  const promise = (async () => {
    await mkdir(cacheRoot, { recursive: true });
    const lock = path.join(cacheRoot, `${key}.lock`);
    for (;;) {
      if (
        await readdir(done).then(
          () => true,
          () => false,
        )
      )
        return path.join(done, "models");
      try {
        await writeFile(lock, String(process.pid), { flag: "wx" });
      } catch {
        const holder = Number(await readFile(lock, "utf8").catch(() => "0"));
        const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
        // A dead holder, or one holding it far longer than a build takes (a reused pid).
        if ((holder > 0 && !alive(holder)) || age > 15 * 60_000) await rm(lock, { force: true });
        else await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      try {
        const { dir, cleanup } = await produce();
        try {
          await rename(path.dirname(dir), done).catch(async (error: NodeJS.ErrnoException) => {
            if (error.code !== "ENOTEMPTY" && error.code !== "EEXIST") throw error;
          });
        } finally {
          await cleanup();
        }
      } finally {
        await rm(lock, { force: true });
      }
    }
  })();
  building.set(key, promise);
  promise.catch(() => building.delete(key));
  return promise;
}

/** Generate and build the recipe into `cacheRoot/<key>/models`, once per machine. */
async function cachedProject(recipe: LakeRecipe): Promise<string> {
  return cachedFolder(await recipeKey(recipe), async () => {
    const project = await copyModelsProject();
    try {
      const { dir } = project;
      const gen = await runSluice(["--project-dir", dir, "generate", ...recipe.generate]);
      if (gen.code !== 0) throw new Error(`generate ${recipe.generate.join(" ")}: ${gen.stderr}`);
      const build = recipe.build ?? ["build"];
      if (build.length > 0) {
        const built = await runSluice(["--project-dir", dir, ...build]);
        if (built.code !== 0) throw new Error(`${build.join(" ")}: ${built.stdout}${built.stderr}`);
      }
      return project;
    } catch (error) {
      await project.cleanup();
      throw error;
    }
  });
}

/** A state made from a recipe's built project by a function, cached as the project is. */
export interface LakeStage {
  /** Names the stage; part of the cache key (change it when a helper `make` calls changes). */
  name: string;
  /**
   * Turns `dir` (a copy of the recipe's built project) into the stage, in place; throws if a
   * command it runs fails. Its source text is part of the cache key.
   */
  make: (dir: string) => Promise<void>;
}

/** `cp -r source` into a fresh temp root, as `<root>/models`. */
async function copyOut(source: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), "sluice-e2e-"));
  const dir = path.join(root, "models");
  await run("cp", ["-r", source, dir]);
  return { dir, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/**
 * A temp copy of `stage.make` applied to {@link builtModelsProject}`(recipe)`: for a state that
 * several tests or files start from and that costs a build to reach (e.g. part of the raw hours
 * built, the rest delivered). Made once per machine, cached under the recipe's key, the stage's
 * name and `make`'s source text, and copied to each caller like {@link builtModelsProject}.
 *
 * @example
 * const base = await builtStage(recipe, { name: "8-of-12-hours-v1", make: async (dir) => {...} });
 */
export async function builtStage(
  recipe: LakeRecipe,
  stage: LakeStage,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const source = await cachedProject(recipe);
  const key = createHash("sha256")
    .update(JSON.stringify({ v: 1, stage: stage.name, make: stage.make.toString() }))
    .update(await recipeKey(recipe))
    .digest("hex")
    .slice(0, 24);
  return copyOut(
    await cachedFolder(key, async () => {
      const project = await copyOut(source);
      try {
        await stage.make(project.dir);
        return project;
      } catch (error) {
        await project.cleanup();
        throw error;
      }
    }),
  );
}

/**
 * A temp copy of the models project with `sluice generate <recipe.generate>` and `sluice build`
 * already run in it (lake, raw zone and target/ as the CLI left them), like
 * {@link copyModelsProject} plus those two commands, which are costly: the first call on this
 * machine runs them in a cache folder keyed by the content hash of the models project, the
 * built CLI, package-lock.json and the recipe; later calls (other files, other runs) copy that
 * folder. Each caller gets its own copy (`cp -r`, no links: the catalog is written in place),
 * which the lake relocates into on first open. The CLI must exit 0 for both commands, or this
 * throws with its output.
 *
 * @example
 * const { dir, cleanup } = await builtModelsProject({ generate: ["--events", "1500", ...] });
 */
export async function builtModelsProject(
  recipe: LakeRecipe,
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  return copyOut(await cachedProject(recipe));
}
