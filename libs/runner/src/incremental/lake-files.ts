import { link, mkdir, readdir, copyFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => relative(root, join(e.parentPath, e.name)));
}

/**
 * Carry files of the current version into the new one by hard link (copy when linking is not
 * possible), so a new version costs only what changed. With `skipWrittenPartitions`, a folder
 * the new version already holds files in is a replaced partition: its old files stay behind.
 * Returns how many files were carried.
 */
export async function carryFiles(from: string, to: string, options: { skipWrittenPartitions: boolean }): Promise<number> {
  const written = new Set((await filesUnder(to)).map((f) => dirname(f)));
  let carried = 0;
  for (const file of await filesUnder(from)) {
    if (options.skipWrittenPartitions && written.has(dirname(file))) continue;
    const target = join(to, file);
    await mkdir(dirname(target), { recursive: true });
    await link(join(from, file), target).catch(async (error: NodeJS.ErrnoException) => {
      if (error.code === "EEXIST") return;
      await copyFile(join(from, file), target);
    });
    carried += 1;
  }
  return carried;
}
