import { cpSync, mkdtempSync, readdirSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's models project. */
export const modelsDir = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../models",
);

/**
 * A copy of the models project (without its lake and target/) in a new temporary folder, its
 * files older than the racy window, so a compile of it is cached. `dirs` collects the folder to
 * remove after the test.
 */
export function agedModelsCopy(dirs: string[], prefix = "sluice-pp-"): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), prefix)), "models");
  dirs.push(path.dirname(dir));
  cpSync(modelsDir, dir, {
    recursive: true,
    filter: (s) => !/[\\/](\.lake|target)([\\/]|$)/.test(s.slice(modelsDir.length)),
  });
  age(dir);
  return dir;
}

/** Set every file and folder's mtime a minute back (or to `when`). */
export function age(dir: string, when = new Date(Date.now() - 60_000)): void {
  for (const e of readdirSync(dir, { recursive: true, withFileTypes: true }))
    utimesSync(path.join(e.parentPath, e.name), when, when);
  utimesSync(dir, when, when);
}

/** Remove the folders {@link agedModelsCopy} collected. */
export const removeAll = (dirs: string[]): void =>
  dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true }));
