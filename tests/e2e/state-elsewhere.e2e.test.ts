import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSluice } from "../support/cli.js";
import { onLakeCatalog } from "../support/lake-reader.js";
import { syntheticProjectDir } from "../support/aged-project.js";
import { stateCopies } from "../support/state-copies.js";

/**
 * `--state` made in another folder (#17): the README's CI recipe restores production's artifacts,
 * made in production's checkout, into prod-artifacts/ of a fresh one. The state's recorded compile
 * digests leave the project's folder and run id out (see the runner's `rootlessDigest`), so its
 * checksums are reused here; the selection must be the one hashing every node gives.
 *
 * Observed from outside: the state's files. Without reuse: the same state with the digests taken
 * out of its sidecar (nothing to match, every node hashed). Reuse itself: a state whose recorded
 * checksum of an unchanged model is wrong selects that model when hashed, not when reused.
 */
describe("state: a state made in another folder", () => {
  let root = "";
  let here = "";
  let prod = "";
  const state = () => path.join(root, "prod-artifacts");
  // A model whose SQL names a file of its project's folder, one naming a file outside any project
  // (different in production), and one naming nothing of either.
  const vars = (dir: string, other: string) =>
    `{inside: '${path.join(dir, "data/x.csv")}', outside: '/srv/${other}/x.csv'}`;

  const sluice = async (dir: string, args: string[], other: string): Promise<string> => {
    const r = await runSluice(["--project-dir", dir, "--vars", vars(dir, other), ...args]);
    expect(r.code, r.stderr).toBe(0);
    return r.stdout;
  };
  /** Model and test ids `ls` selects in this checkout against `stateDir`, sorted. */
  const selected = async (
    stateDir: string,
    selector = "state:modified",
    checkout = here,
  ): Promise<string[]> => {
    // This project's own checksums are hashed (or reused) each time, not read back.
    for (const f of ["state_checksums.json", "manifest.state.json", "replay"])
      await rm(path.join(checkout, "target", f), { recursive: true, force: true });
    const out = await sluice(
      checkout,
      ["ls", "--format", "name", "-s", selector, "--state", stateDir],
      "two",
    );
    return out.split("\n").filter(Boolean).sort();
  };
  const runState = () => path.join(root, "prod-run-artifacts");
  /** `dir`'s state files copied into `to`. */
  const keep = async (dir: string, to: string): Promise<void> => {
    await mkdir(to, { recursive: true });
    for (const f of ["manifest.json", "manifest.state.json"])
      await cp(path.join(dir, "target", f), path.join(to, f));
  };
  const copies = () => stateCopies(state(), root);
  const withoutDigests = (name: string) => copies().withoutDigests(name);
  const wrongBody = (name: string, id: string, digests = true) =>
    copies().wrongBody(name, id, digests);

  beforeAll(async () => {
    root = await syntheticProjectDir(250, "sluice-state-elsewhere-");
    here = path.join(root, "checkout");
    prod = path.join(root, "production");
    const files = await import("node:fs/promises").then((fs) => fs.readdir(root));
    await mkdir(here);
    for (const f of files) await cp(path.join(root, f), path.join(here, f), { recursive: true });
    const marts = path.join(here, "models/marts/f0001");
    await writeFile(path.join(marts, "reads_inside.sql"), "select '{{ var(\"inside\") }}' as p\n");
    await writeFile(
      path.join(marts, "reads_outside.sql"),
      "select '{{ var(\"outside\") }}' as p\n",
    );
    await cp(here, prod, { recursive: true });
    // Production: a run (what build writes its manifest with), then a compile, each kept.
    await sluice(prod, ["generate", "--events", "10", "--start", "2026-11-27T00:00:00Z"], "one");
    await sluice(prod, ["sources", "register"], "one");
    await sluice(prod, ["run"], "one");
    await keep(prod, runState());
    await sluice(prod, ["compile"], "one");
    await keep(prod, state());
    // This checkout: one model edited after production's compile.
    await writeFile(
      path.join(here, "models/marts/f0002/m_249.sql"),
      `${await readFile(path.join(here, "models/marts/f0002/m_249.sql"), "utf8")}\nunion all select * from (select 1) where false\n`,
    );
    await sluice(here, ["compile"], "two");
  }, 120_000);
  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it("records its digests, and selects exactly what hashing every node selects", async () => {
    expect(await copies().digestsKey()).toMatch(/^2\./);
    const hashed = await selected(await withoutDigests("no-digests"));
    // The edited model, the model naming a file of the project (its SQL is not the same: hashed,
    // never reused), the one naming another file outside it, and their tests.
    expect(hashed.filter((id) => id.startsWith("model."))).toEqual([
      "model.m_249",
      "model.reads_inside",
      "model.reads_outside",
    ]);
    expect(await selected(state())).toEqual(hashed);
    expect(await selected(state(), "state:modified+")).toEqual(
      await selected(await withoutDigests("no-digests-2"), "state:modified+"),
    );
  }, 120_000);

  it("reuses the state's checksums of unchanged models across folders (a table with a location)", async () => {
    // m_130 is a mart (a table at `<project>/.lake/marts/m_130/...`): its JSON holds the folder.
    const reused = await selected(await wrongBody("wrong-reused", "model.m_130"));
    const hashed = await selected(await wrongBody("wrong-hashed", "model.m_130", false));
    expect(hashed).toContain("model.m_130");
    expect(reused).not.toContain("model.m_130");
    // Hashed, m_130 and its tests are selected (the state says its SQL changed); reused, neither.
    expect(reused).toEqual(hashed.filter((id) => !/[._]m_130(_id)?$/.test(id)));
  }, 120_000);

  it("a run's state records its digests too, and is reused across folders", async () => {
    const run = stateCopies(runState(), root);
    expect(await run.digestsKey()).toMatch(/^2\./);
    for (const selector of ["state:modified", "state:modified+"])
      expect(await selected(runState(), selector)).toEqual(
        await selected(await run.withoutDigests(`run-no-digests-${selector}`), selector),
      );
    const reused = await selected(await run.wrongBody("run-wrong-reused", "model.m_130"));
    const hashed = await selected(await run.wrongBody("run-wrong-hashed", "model.m_130", false));
    expect(hashed).toContain("model.m_130");
    expect(reused).toEqual(hashed.filter((id) => !/[._]m_130(_id)?$/.test(id)));
  }, 120_000);

  it("a state written by a run with --defer gives the selection hashing gives", async () => {
    // Production's staging models in another schema, so that --defer changes the SQL of a model
    // reading them (on the lake both checkouts' relations would otherwise have the same names).
    const prod2 = path.join(root, "production-2");
    await cp(here, prod2, {
      recursive: true,
      filter: (src) => !src.startsWith(path.join(here, "target")),
    });
    const yml = path.join(prod2, "sluice.yml");
    await writeFile(
      yml,
      (await readFile(yml, "utf8")).replace("+schema: staging", "+schema: prod_staging"),
    );
    await sluice(prod2, ["compile"], "one");
    const prod2State = path.join(root, "prod-2-artifacts");
    await keep(prod2, prod2State);
    // This checkout builds m_249 reading production's staging relations: its manifest holds
    // m_249 as --defer made it (written before anything runs). Production's relations are in its
    // own lake's catalog: the run stops before any work, naming them. Made here (empty), the run
    // goes on (and may fail on their columns): the state it leaves is tested.
    const deferredRun = () =>
      runSluice([
        ...["--project-dir", here, "--vars", vars(here, "two")],
        ...["run", "-s", "m_249", "--defer", "--favor-state", "--state", prod2State],
      ]);
    const stopped = await deferredRun();
    expect(stopped.code, stopped.stderr).toBe(2);
    expect(stopped.stderr).toMatch(/^error: --defer: the state's relations of .* do not exist/m);
    const lacking = [...stopped.stderr.matchAll(/\("(\w+)"\."(\w+)"\)/g)].map((m) => [m[1], m[2]]);
    expect(lacking.map(([schema]) => schema)).toContain("prod_staging");
    await onLakeCatalog(
      here,
      ...lacking.map(
        ([s, n]) => `create schema if not exists ${s}; create table ${s}.${n} (id int);`,
      ),
    );
    const r = await deferredRun();
    expect([0, 1], r.stderr).toContain(r.code);
    expect(r.stderr).not.toMatch(/^error:/m);
    const manifest = await readFile(path.join(here, "target/manifest.json"), "utf8");
    expect(manifest).toMatch(/prod_staging/);
    const deferred = path.join(root, "deferred-artifacts");
    await keep(here, deferred);
    const after = stateCopies(deferred, root);
    expect(await after.digestsKey()).toMatch(/^2\./);
    // A later checkout (another folder): m_249 as in this one, m_200 edited.
    const later = path.join(root, "later");
    await cp(here, later, {
      recursive: true,
      filter: (src) => !src.startsWith(path.join(here, "target")),
    });
    const m200 = path.join(later, "models/marts/f0002/m_200.sql");
    await writeFile(m200, `${await readFile(m200, "utf8")}\n-- edited\n`);
    await sluice(later, ["compile"], "two");
    for (const selector of ["state:modified", "state:modified+"]) {
      const hashed = await selected(
        await after.withoutDigests(`deferred-no-digests-${selector}`),
        selector,
        later,
      );
      expect(hashed).toContain("model.m_200");
      // --defer pointed the staging models (not selected there) at production's relations
      // (prod_staging.m_9, ...), so the marts reading them, m_100 one, read relations no node
      // publishes in that state. Recorded digests of the nodes as compiled (before --defer) would
      // take the staging parents as unchanged and reuse the marts' checksums: none selected.
      expect(hashed).toContain("model.m_100");
      expect(await selected(deferred, selector, later)).toEqual(hashed);
    }
  }, 120_000);
});
