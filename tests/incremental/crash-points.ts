import { rename, rm } from "node:fs/promises";
import path from "node:path";
import { expect } from "vitest";
import { builtStage } from "../support/built-lake.js";
import { FULL_RECIPE, sluice, TABLES, type FullLake } from "./incremental-fixture.js";
import { copyDir, expose, lakeState, rawHours } from "./lake-fixture.js";

/**
 * Kill the CLI right after the statement `target` names: `<label>~<regex>` (the first statement
 * of that label, a node id, whose SQL matches; see libs/engines fault-injection.ts), so the point
 * stays put when other statements come or go, or run in another order beside it.
 */
export const killAfter = (target: string) => ({ SLUICE_TEST_KILL_AFTER_STATEMENT: target });
/** Kill the CLI 3 ms into the statement `target` names (as {@link killAfter}). */
export const killDuring = (target: string) => ({
  SLUICE_TEST_KILL_DURING_STATEMENT: target,
  SLUICE_TEST_KILL_DELAY_MS: "3",
});

/**
 * The crash scenario: the first 8 hours built, the last 4 delivered; for each point a copy of
 * that lake runs `sluice run` killed there (env), then `sluice build`, which must exit 0 and
 * leave every table equal to the full build's, with nothing left over. Returns how many of the
 * runs were killed (a point past the run's last statement is not).
 */
export async function crashAtPoints(
  lake: FullLake,
  name: string,
  points: readonly Record<string, string>[],
): Promise<number> {
  // Made once per machine and shared by both crash files (support/built-lake.ts).
  const base = await builtStage(FULL_RECIPE, { name: "crash-base-v1", make: buildFirstEightHours });
  try {
    expect(await rawHours(path.join(base.dir, ".lake/raw/events"))).toEqual(lake.hours);
    let killed = 0;
    for (const [i, env] of points.entries()) {
      const dir = path.join(lake.root, `${name}-${i}`);
      await copyDir(base.dir, dir);
      const crashed = await sluice(dir, ["run"], env);
      if (crashed.code !== 0) killed += 1;
      const rerun = await sluice(dir, ["build"]);
      expect(rerun.code, `${JSON.stringify(env)}: ${rerun.stdout}${rerun.stderr}`).toBe(0);
      // Both checks from one query: one CLI start-up per crash point, not two.
      const state = await lakeState(dir, TABLES);
      expect(state.hashes, JSON.stringify(env)).toEqual(lake.fullHashes);
      expect(state.leftovers, JSON.stringify(env)).toEqual([]);
      await rm(dir, { recursive: true, force: true });
    }
    return killed;
  } finally {
    await base.cleanup();
  }
}

/**
 * The crash scenario's starting state, from a copy of the full build: no lake or target/, the
 * first 8 raw hours built (`sluice build` exits 0), then the last 4 delivered, unbuilt.
 */
async function buildFirstEightHours(dir: string): Promise<void> {
  const hidden = `${dir}-hidden-raw`;
  await rename(path.join(dir, ".lake/raw/events"), hidden);
  await rm(path.join(dir, ".lake"), { recursive: true, force: true });
  await rm(path.join(dir, "target"), { recursive: true, force: true });
  const hours = await rawHours(hidden);
  await expose(hidden, dir, hours.slice(0, 8));
  const built = await sluice(dir, ["build"]);
  if (built.code !== 0) throw new Error(`build of 8 hours: ${built.stdout}${built.stderr}`);
  await expose(hidden, dir, hours.slice(8));
  await rm(hidden, { recursive: true, force: true });
}
