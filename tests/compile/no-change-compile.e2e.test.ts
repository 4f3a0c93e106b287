import { appendFile, readdir, stat, utimes } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice } from "../support/cli.js";

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

    const funnel = path.join(project.dir, "marts", "funnel.sql");
    await appendFile(funnel, "-- edited\n");
    const old = new Date(Date.now() - 60_000);
    await utimes(funnel, old, old);
    expect((await compile()).code).toBe(0);
    const third = await mtimes(target);
    const changed = [...third]
      .filter(([f, t]) => second.get(f) !== t)
      .map(([f]) => path.relative(target, f))
      .sort();
    expect(
      changed.filter(
        (f) =>
          !/^(manifest\.json|partial_parse\.json|compile_memo\.json|\.artifact-hashes\.json)$/.test(
            f,
          ),
      ),
    ).toEqual(["compiled/marts/funnel.sql", "run/marts/funnel.sql"]);
  });
});
