import { cp, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runSluice } from "../support/cli.js";
import { syntheticProjectDir } from "../support/aged-project.js";

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
  const selected = async (stateDir: string, selector = "state:modified"): Promise<string[]> => {
    // This project's own checksums are hashed (or reused) each time, not read back.
    for (const f of ["state_checksums.json", "manifest.state.json", "replay"])
      await rm(path.join(here, "target", f), { recursive: true, force: true });
    const out = await sluice(
      here,
      ["ls", "--format", "name", "-s", selector, "--state", stateDir],
      "two",
    );
    return out.split("\n").filter(Boolean).sort();
  };
  /** A copy of the state, its sidecar's body changed by `change`. */
  const stateCopy = async (
    name: string,
    change: (body: { digests?: unknown; columns: string[] }) => void,
  ): Promise<string> => {
    const dir = path.join(root, name);
    await mkdir(dir, { recursive: true });
    await cp(path.join(state(), "manifest.json"), path.join(dir, "manifest.json"));
    const [head, body] = (await readFile(path.join(state(), "manifest.state.json"), "utf8")).split(
      "\n",
    );
    const parsed = JSON.parse(body!) as { digests?: unknown; columns: string[] };
    change(parsed);
    await writeFile(path.join(dir, "manifest.state.json"), `${head}\n${JSON.stringify(parsed)}`);
    return dir;
  };
  const withoutDigests = (name: string) => stateCopy(name, (b) => delete b.digests);
  /** The state with the body checksum of `id` made wrong (its other parts as recorded). */
  const wrongBody = (name: string, id: string, digests = true) =>
    stateCopy(name, (b) => {
      const ids = b.columns[0]!.split("\n");
      const sums = b.columns[1]!.split("\n");
      const row = ids.indexOf(id);
      expect(row).toBeGreaterThanOrEqual(0);
      sums[row] = `0000000000000000${sums[row]!.slice(16)}`;
      b.columns[1] = sums.join("\n");
      if (!digests) delete b.digests;
    });

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
    await sluice(prod, ["compile"], "one");
    await mkdir(state());
    for (const f of ["manifest.json", "manifest.state.json"])
      await cp(path.join(prod, "target", f), path.join(state(), f));
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
    const body = JSON.parse(
      (await readFile(path.join(state(), "manifest.state.json"), "utf8")).split("\n")[1]!,
    ) as { digests?: { key: string } };
    expect(body.digests?.key).toMatch(/^2\./);
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
});
