import { spawnSync } from "node:child_process";
import { appendFile, mkdtemp, readdir, readFile, rm, stat, utimes } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, repoRoot, runSluice } from "../support/cli.js";

/** Every file under `dir` with its modification time (ms). */
async function mtimes(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true }))
    if (entry.isFile()) {
      const file = path.join(entry.parentPath, entry.name);
      out.set(file, (await stat(file)).mtimeMs);
    }
  return out;
}

/**
 * A synthetic project of `models` models (tests/bench/synthetic-project.mjs) in a temp folder,
 * its files aged past the parse cache's racy window.
 */
async function agedSynthetic(models: number): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "sluice-packed-"));
  const made = spawnSync(process.execPath, [
    path.join(repoRoot, "tests/bench/synthetic-project.mjs"),
    String(models),
    dir,
  ]);
  expect(made.status).toBe(0);
  const old = new Date(Date.now() - 60_000);
  for (const file of (await mtimes(dir)).keys()) await utimes(file, old, old);
  return dir;
}

/**
 * Writing target/ stays proportional to what changed (#14): `compile` keeps the placeholder run
 * id in the statements it writes, so a second compile with no change rewrites no file, and a
 * change to one model rewrites that model's files (and the manifest) only.
 */
describe("compile writes only what changed", () => {
  let project: Awaited<ReturnType<typeof copyModelsProject>>;
  const compile = () => runSluice(["--project-dir", project.dir, "compile", "--target", "prod"]);

  beforeAll(async () => {
    project = await copyModelsProject();
    // Files changed within the last 2 s are not trusted to the parse cache: age the copy.
    const old = new Date(Date.now() - 60_000);
    for (const file of (await mtimes(project.dir)).keys()) await utimes(file, old, old);
  });
  afterAll(() => project?.cleanup());

  it("a no-change compile rewrites nothing; one edited model rewrites its own files", async () => {
    expect((await compile()).code).toBe(0);
    const target = path.join(project.dir, "target");
    const first = await mtimes(target);
    expect(first.size).toBeGreaterThan(50);
    expect((await compile()).code).toBe(0);
    const second = await mtimes(target);
    const rewritten = [...second].filter(([f, t]) => first.get(f) !== t).map(([f]) => f);
    expect(rewritten).toEqual([]);

    // Deleted by hand: written again (not the previous output replayed).
    await rm(path.join(target, "run"), { recursive: true });
    expect((await compile()).code).toBe(0);
    expect((await mtimes(path.join(target, "run"))).size).toBe(
      [...second.keys()].filter((f) => f.startsWith(path.join(target, "run") + path.sep)).length,
    );
    // manifest.json deleted by hand: written again, with the same nodes.
    const manifestFile = path.join(target, "manifest.json");
    const nodeIds = async () =>
      Object.keys((JSON.parse(await readFile(manifestFile, "utf8")) as { nodes: object }).nodes);
    const ids = await nodeIds();
    await rm(manifestFile);
    expect((await compile()).code).toBe(0);
    expect(await nodeIds()).toEqual(ids);
    // Other arguments: compiled for them, not replayed.
    const one = await runSluice([
      "--project-dir",
      project.dir,
      "compile",
      "-t",
      "prod",
      "-s",
      "funnel",
    ]);
    expect(one.stdout).toMatch(/^Compiled 1 model, 0 seeds, 0 sources and \d+ tests/);
    expect((await compile()).code).toBe(0);
    const restored = await mtimes(target);
    const manifest = async () =>
      JSON.parse(await readFile(path.join(target, "manifest.json"), "utf8")) as {
        nodes: Record<string, { created_at: number; raw_code: string }>;
      };
    const before = await manifest();

    const funnel = path.join(project.dir, "marts", "funnel.sql");
    await appendFile(funnel, "-- edited\n");
    const old = new Date(Date.now() - 60_000);
    await utimes(funnel, old, old);
    expect((await compile()).code).toBe(0);
    const third = await mtimes(target);
    const changed = [...third]
      .filter(([f, t]) => restored.get(f) !== t)
      .map(([f]) => path.relative(target, f))
      .sort();
    expect(
      changed.filter(
        (f) =>
          !/^(manifest\.json|manifest\.state\.json|\.manifest-index\.json|partial_parse\.json|partial_parse\.edits\.json|compile_digests\.json|compile_facts\.json|compile_memo\.json|compile_memo\/.+|\.artifact-hashes\.json|\.artifacts-stamp|replay\/compile\.json)$/.test(
            f,
          ),
      ),
    ).toEqual(["compiled/marts/funnel.sql", "run/marts/funnel.sql"]);
    // The manifest rebuilt the edited model's entry only: the others keep their created_at.
    const after = await manifest();
    const funnelId = "model.ecommerce.funnel";
    expect(after.nodes[funnelId]!.raw_code).toMatch(/-- edited\n$/);
    expect(after.nodes[funnelId]!.created_at).toBeGreaterThan(before.nodes[funnelId]!.created_at);
    const others = Object.keys(before.nodes).filter((id) => id !== funnelId);
    expect(others.length).toBeGreaterThan(20);
    expect(
      others.filter((id) => after.nodes[id]!.created_at !== before.nodes[id]!.created_at),
    ).toEqual([]);
  });

  it("packed: a no-change compile rewrites nothing; an edit rewrites the shards holding it", async () => {
    const synthetic = await agedSynthetic(300);
    try {
      const packed = () =>
        runSluice(["--project-dir", synthetic, "compile", "--artifacts", "packed"]);
      expect((await packed()).code).toBe(0);
      const target = path.join(synthetic, "target");
      const first = await mtimes(target);
      // 300 models, 600 tests and a source in 4 shards per kind, nothing per node.
      const shards = [...first.keys()].map((f) => path.relative(target, f));
      expect(shards.filter((f) => f.startsWith("packed/")).length).toBe(8);
      expect(shards.filter((f) => /^(compiled|run)\//.test(f))).toEqual([]);
      expect((await packed()).code).toBe(0);
      const second = await mtimes(target);
      expect([...second].filter(([f, t]) => first.get(f) !== t)).toEqual([]);

      const model = path.join(synthetic, "models/marts/f0002/m_299.sql");
      await appendFile(model, "-- edited\n");
      const old = new Date(Date.now() - 60_000);
      await utimes(model, old, old);
      expect((await packed()).code).toBe(0);
      const changed = [...(await mtimes(target))]
        .filter(([f, t]) => second.get(f) !== t)
        .map(([f]) => path.relative(target, f))
        .filter((f) => f.startsWith("packed/"));
      expect(changed).toHaveLength(2);
      for (const shard of changed)
        expect(await readFile(path.join(target, shard), "utf8")).toContain("m_299.sql");
    } finally {
      await rm(synthetic, { recursive: true, force: true });
    }
  });

  it("packed: a build of a few models leaves the shards; the compile after it keeps them", async () => {
    const synthetic = await agedSynthetic(300);
    try {
      const target = path.join(synthetic, "target");
      const packed = () =>
        runSluice(["--project-dir", synthetic, "compile", "--artifacts", "packed"]);
      const shardTexts = async () => {
        const out = new Map<string, string>();
        for (const [file] of await mtimes(path.join(target, "packed")))
          out.set(path.relative(target, file), await readFile(file, "utf8"));
        return out;
      };
      expect((await packed()).code).toBe(0);
      const shards = await mtimes(path.join(target, "packed"));
      const texts = await shardTexts();
      expect(shards.size).toBe(8);

      // One model and its tests built (the synthetic models read a raw table this lake lacks:
      // the build fails, after writing its artifacts): their own files, the shards left alone.
      const build = await runSluice(["--project-dir", synthetic, "build", "--select", "m_1"]);
      expect(build.stdout).toContain("m_1");
      const own = [...(await mtimes(target)).keys()]
        .map((f) => path.relative(target, f))
        .filter((f) => /^(compiled|run)\//.test(f));
      expect(own.some((f) => f.endsWith("m_1.sql"))).toBe(true);
      expect(await mtimes(path.join(target, "packed"))).toEqual(shards);

      // The compile after it: the shards kept as they are (not one rewritten), the build's own
      // files gone, and the same texts a compile writing every shard afresh writes.
      expect((await packed()).code).toBe(0);
      expect(await mtimes(path.join(target, "packed"))).toEqual(shards);
      expect(
        [...(await mtimes(target)).keys()].filter((f) =>
          /^(compiled|run)\//.test(path.relative(target, f)),
        ),
      ).toEqual([]);
      for (const f of [".packed-keys.json", ".artifact-hashes.json", "packed"])
        await rm(path.join(target, f), { recursive: true, force: true });
      expect((await packed()).code).toBe(0);
      expect(await shardTexts()).toEqual(texts);
    } finally {
      await rm(synthetic, { recursive: true, force: true });
    }
  });
});
