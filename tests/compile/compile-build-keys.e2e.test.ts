import { readFile, rm, stat, utimes, readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyModelsProject, runSluice } from "../support/cli.js";

interface Manifest {
  metadata: { invocation_id: string };
  nodes: Record<string, { created_at: number }>;
  sources: Record<string, { created_at: number }>;
  [key: string]: unknown;
}

/** Each node's and source's `created_at`: an entry copied from the previous file keeps it. */
const createdAt = (m: Manifest): Record<string, number> =>
  Object.fromEntries(
    [...Object.entries(m.nodes), ...Object.entries(m.sources)].map(([id, e]) => [id, e.created_at]),
  );

/** The manifest without what a write's invocation decides (metadata, times, the state index). */
const content = (m: Manifest): unknown =>
  JSON.parse(
    JSON.stringify({ ...m, metadata: undefined, selectors: undefined }, (key, value: unknown) =>
      key === "created_at" ? undefined : value,
    ),
  );

/**
 * `compile` and a build of the same unchanged project key the manifest's entries alike (#14:
 * writing target/ stays proportional to what changed): a build after a compile, a build after a
 * build and a compile after a build copy every entry (each keeps its `created_at`), though the
 * build compiles with its own run id (in every table's location and statements) and `compile`
 * with the placeholder; and what they copy is what a build writing the manifest afresh writes.
 */
describe("compile and build agree on manifest entries", () => {
  let project: Awaited<ReturnType<typeof copyModelsProject>>;
  const sluice = (...args: string[]) => runSluice(["--project-dir", project.dir, ...args]);
  const manifestFile = () => path.join(project.dir, "target", "manifest.json");
  const manifest = async () => JSON.parse(await readFile(manifestFile(), "utf8")) as Manifest;

  beforeAll(async () => {
    project = await copyModelsProject();
    // Files changed within the last 2 s are not trusted to the parse cache: age the copy.
    const old = new Date(Date.now() - 60_000);
    for (const e of await readdir(project.dir, { recursive: true, withFileTypes: true }))
      if (e.isFile()) await utimes(path.join(e.parentPath, e.name), old, old);
  });
  afterAll(() => project?.cleanup());

  it("copies every entry across compile and build, and copies what a fresh write makes", async () => {
    expect((await sluice("compile")).code).toBe(0);
    const compiled = await manifest();
    const created = createdAt(compiled);
    expect(Object.keys(created).length).toBeGreaterThan(60);
    // Tables hold the run id (their version folder): the entries the keys used to tell apart.
    const tables = Object.values(compiled.nodes).filter((e) =>
      ["table", "incremental"].includes(
        (e as { config?: { materialized?: string } }).config?.materialized ?? "",
      ),
    );
    expect(tables.length).toBeGreaterThan(2);

    // A seed needs no raw data: the build writes the manifest of every node all the same.
    const build = () => sluice("build", "--select", "country_codes");
    for (const step of ["build after compile", "build after build"]) {
      const run = await build();
      expect(run.code, `${step}: ${run.stderr}`).toBe(0);
      expect(createdAt(await manifest()), step).toEqual(created);
    }
    const before = (await stat(manifestFile())).mtimeMs;
    expect((await sluice("compile")).code).toBe(0);
    expect(createdAt(await manifest())).toEqual(created);
    // Nothing but the invocation changed: the file is not written again.
    expect((await stat(manifestFile())).mtimeMs).toBe(before);

    // The copied entries are what a build makes from scratch.
    const kept = await manifest();
    for (const f of ["manifest.json", ".manifest-index.json", "manifest.state.json"])
      await rm(path.join(project.dir, "target", f), { force: true });
    expect((await build()).code).toBe(0);
    const fresh = await manifest();
    expect(fresh.metadata.invocation_id).not.toBe(kept.metadata.invocation_id);
    expect(content(fresh)).toEqual(content(kept));
  });
});
