import { mkdtemp, readdir, utimes } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
// @ts-expect-error -- a plain ESM bench helper without types
import { writeSyntheticProject } from "../bench/synthetic-project.mjs";

/**
 * Every project file (not target/) modified 10 s ago, plus `round` ms (so each round's edit has
 * its own time): past the partial-parse racy window, so a warm compile trusts the listing.
 */
export async function ageProject(dir: string, round: number): Promise<void> {
  const aged = new Date(Date.now() - 10_000 + round);
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true }))
    if (entry.isFile() && !entry.parentPath.startsWith(path.join(dir, "target")))
      await utimes(path.join(entry.parentPath, entry.name), aged, aged);
}

/** A new temp folder `<prefix>XXXXXX` holding the synthetic project of `models` models. */
export async function syntheticProjectDir(models: number, prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), prefix));
  writeSyntheticProject(models, dir);
  return dir;
}
