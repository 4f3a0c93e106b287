import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Make each folder in `roots` hold exactly `files` (absolute path → text) below it: a file whose
 * text is already on disk is left alone, others are written, and files or folders under the roots
 * that are not in `files` are removed. Files outside the roots are written the same way but
 * nothing beside them is removed.
 *
 * Synchronous on purpose: most artifacts are unchanged between runs (only statements holding the
 * run id change), and comparing ~100 small files on the main thread costs less than queueing
 * a delete and a write for each on libuv's pool, where they would wait in line with the
 * engine's own file work.
 */
export function writeChangedFiles(
  roots: readonly string[],
  files: ReadonlyMap<string, string>,
): { written: number; removed: number } {
  const keepDirs = new Set<string>();
  for (const file of files.keys()) {
    for (
      let dir = path.dirname(file);
      !keepDirs.has(dir) && dir !== path.dirname(dir);
      dir = path.dirname(dir)
    )
      keepDirs.add(dir);
  }
  let removed = 0;
  for (const root of roots) {
    let entries;
    try {
      entries = readdirSync(root, { recursive: true, withFileTypes: true });
    } catch {
      continue;
    }
    // Parents come before their children in the listing; a removed folder takes its children along.
    const gone: string[] = [];
    for (const entry of entries) {
      const full = path.join(entry.parentPath, entry.name);
      if (gone.some((dir) => full.startsWith(dir + path.sep))) continue;
      const stale = entry.isDirectory() ? !keepDirs.has(full) : !files.has(full);
      if (!stale) continue;
      rmSync(full, { recursive: true, force: true });
      if (entry.isDirectory()) gone.push(full);
      removed += 1;
    }
  }
  let written = 0;
  const made = new Set<string>();
  for (const [file, text] of files) {
    if (readOr(file) === text) continue;
    const dir = path.dirname(file);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    writeFileSync(file, text);
    written += 1;
  }
  return { written, removed };
}

function readOr(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}
