import { rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fullLake, sluice, TABLES, type FullLake } from "./incremental-fixture.js";
import { copyDir, expose, lakeState } from "./lake-fixture.js";

/** Incremental silver on the local lake, killed mid-build at 20 points (see incremental.e2e.test.ts). */
let lake: FullLake;
let root: string;
let hours: string[];
let fullHashes: Record<string, string>;
const emptyProject = (name: string) => lake.emptyProject(name);

beforeAll(async () => {
  lake = await fullLake();
  ({ root, hours, fullHashes } = lake);
});

afterAll(async () => lake?.cleanup());

describe("incremental silver on the local lake", () => {
  it("survives SIGKILL at 20 points of an incremental build: the re-run equals a clean build, nothing left over", async () => {
    const { dir: base, hidden: raw } = await emptyProject("crash-base");
    await expose(raw, base, hours.slice(0, 8));
    expect((await sluice(base, ["build"])).code).toBe(0);
    await expose(raw, base, hours.slice(8));
    const points: Record<string, string>[] = [
      ...[1, 2, 3, 5, 8, 10, 12, 14, 16, 18, 20, 22, 25, 28, 32].map((n) => ({
        SLUICE_TEST_KILL_AFTER_STATEMENT: String(n),
      })),
      ...[4, 9, 13, 17, 21].map((n) => ({
        SLUICE_TEST_KILL_DURING_STATEMENT: String(n),
        SLUICE_TEST_KILL_DELAY_MS: "3",
      })),
    ];
    let killed = 0;
    for (const [i, env] of points.entries()) {
      const dir = path.join(root, `crash-${i}`);
      await copyDir(base, dir);
      const crashed = await sluice(dir, ["run"], env);
      if (crashed.code !== 0) killed += 1;
      const rerun = await sluice(dir, ["build"]);
      expect(rerun.code, `${JSON.stringify(env)}: ${rerun.stdout}${rerun.stderr}`).toBe(0);
      // Both checks from one query: one CLI start-up per crash point, not two.
      const state = await lakeState(dir, TABLES);
      expect(state.hashes, JSON.stringify(env)).toEqual(fullHashes);
      expect(state.leftovers, JSON.stringify(env)).toEqual([]);
      await rm(dir, { recursive: true, force: true });
    }
    expect(killed).toBeGreaterThanOrEqual(18);
  }, 600_000);
});
